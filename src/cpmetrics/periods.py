"""Reporting periods: closed ranges of days, the reference date being the last day."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from cpmetrics.errors import UsageError


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date  # the reference date R
    label: str

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise UsageError(
                f"period {self.label}: ends ({self.end}) before it starts ({self.start})"
            )

    @property
    def reference_date(self) -> dt.date:
        return self.end


def month(year: int, month_number: int) -> Period:
    if not 1 <= year <= 9999:
        raise UsageError(f"year {year} is out of range (1 to 9999)")
    last = calendar.monthrange(year, month_number)[1]
    return Period(
        dt.date(year, month_number, 1),
        dt.date(year, month_number, last),
        f"{year:04d}-{month_number:02d}",
    )


def parse_month(text: str) -> Period:
    """'2018-10' -> 1 to 31 October 2018."""
    found = re.fullmatch(r"\s*([0-9]{4})-([0-9]{1,2})\s*", text)
    if not found or found.group(1) == "0000":
        raise UsageError(f"month '{text}' is not in YYYY-MM form (for example 2018-10)")
    if not 1 <= int(found.group(2)) <= 12:
        raise UsageError(f"month '{text}': {int(found.group(2))} is not a month (1 to 12)")
    return month(int(found.group(1)), int(found.group(2)))


LATEST = "latest"


def latest(kind: str, day: dt.date) -> Period:
    """The last complete month, calendar quarter or reporting year on or before ``day``."""
    if kind == "month":
        period = month(day.year, day.month)
        step = 1
    elif kind == "quarter":
        period = parse_quarter(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
        step = 3
    else:
        period = reporting_year(reporting_year_end(day))
        step = 12
    if period.end <= day:
        return period
    before = _add_months(period.start, -step)
    if kind == "month":
        return month(before.year, before.month)
    if kind == "quarter":
        return parse_quarter(f"{before.year}-Q{(before.month - 1) // 3 + 1}")
    return reporting_year(reporting_year_end(before))


def wants_latest(*texts: str | None) -> bool:
    """Whether a period option says 'latest' (resolved once the extract date is known)."""
    return any(t is not None and t.strip().lower() == LATEST for t in texts)


def months(first: Period, last: Period) -> list[Period]:
    """Every calendar month from the one holding ``first.start`` to the one holding ``last.end``."""
    out = []
    y, m = first.start.year, first.start.month
    while (y, m) <= (last.end.year, last.end.month):
        out.append(month(y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def reporting_year_end(day: dt.date) -> int:
    """The year Y of the reporting (financial) year ending 31 March Y that holds ``day``."""
    return day.year + 1 if day.month >= 4 else day.year


def _first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, count: int) -> dt.date:
    """First day of the month ``count`` months after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + count
    if not 1 <= index // 12 <= 9999:
        raise UsageError(f"the period would start in year {index // 12}, out of range")
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_quarter(text: str) -> Period:
    """'2018-Q3' -> July to September 2018 (calendar quarters; Q1 = January to March)."""
    found = re.fullmatch(r"\s*(\d{4})-?Q([1-4])\s*", text, flags=re.IGNORECASE)
    if not found:
        raise UsageError(f"quarter '{text}' is not in YYYY-Qn form (for example 2018-Q3)")
    year, q = int(found.group(1)), int(found.group(2))
    first = month(year, 3 * q - 2)
    last = month(year, 3 * q)
    return Period(first.start, last.end, f"{year}-Q{q}")


def parse_year(text: str) -> Period:
    """'2018-19' (or '2018/19', '2018-2019') -> the reporting year 1 April 2018 to 31 March 2019."""
    found = re.fullmatch(r"\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*", text)
    if not found:
        raise UsageError(f"year '{text}' is not a reporting year such as 2018-19")
    first = int(found.group(1))
    second = int(found.group(2))
    if (second % 100) != (first + 1) % 100 or (second >= 1000 and second != first + 1):
        raise UsageError(f"year '{text}': a reporting year runs into the next year, e.g. 2018-19")
    return reporting_year(first + 1)


def reporting_year(ending: int) -> Period:
    """The reporting (financial) year ending 31 March ``ending``."""
    if not 2 <= ending <= 9999:
        raise UsageError(f"reporting year ending {ending} is out of range")
    return Period(
        dt.date(ending - 1, 4, 1), dt.date(ending, 3, 31), f"{ending - 1}-{ending % 100:02d}"
    )


def parse_day_or_month(text: str, *, end: bool) -> dt.date:
    """'2018-04-15' is that day; '2018-04' is its first day (or, with ``end``, its last)."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        if re.fullmatch(r"\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\s*", text):
            raise UsageError(f"'{text.strip()}' is not a date (no such day)") from None
    whole = parse_month(text)
    return whole.end if end else whole.start


def year_to_date(period: Period) -> Period:
    """From the 1 April on or before the period's end, to the period's end."""
    if reporting_year_end(period.end) < 2:
        raise UsageError("no reporting year starts before year 1")
    first = dt.date(reporting_year_end(period.end) - 1, 4, 1)
    return Period(first, period.end, f"YTD {first:%Y}-{(first.year + 1) % 100:02d} to {period.end}")


def rolling(period: Period, count: int) -> Period:
    """The ``count`` whole months ending with the month holding the period's end."""
    if count < 1:
        raise UsageError("--rolling takes a number of months of 1 or more")
    first = _add_months(_first_of_month(period.end), 1 - count)
    last = month(period.end.year, period.end.month)
    return Period(first, last.end, f"{count} months to {last.label}")


def split(whole: Period, by: str) -> list[Period]:
    """Consecutive months, calendar quarters or reporting years covering ``whole``."""
    if by == "month":
        return months(whole, whole)
    out: list[Period] = []
    if by == "quarter":
        q = parse_quarter(f"{whole.start.year}-Q{(whole.start.month - 1) // 3 + 1}")
        while q.start <= whole.end:
            out.append(q)
            nxt = _add_months(q.start, 3)
            q = parse_quarter(f"{nxt.year}-Q{(nxt.month - 1) // 3 + 1}")
        return out
    if by == "year":
        y = reporting_year(reporting_year_end(whole.start))
        while y.start <= whole.end:
            out.append(y)
            y = reporting_year(y.end.year + 1)
        return out
    raise UsageError(f"--by must be month, quarter or year, not '{by}'")


def choose(
    *,
    month_text: str | None = None,
    quarter: str | None = None,
    year: str | None = None,
    start: str | None = None,
    end: str | None = None,
    ytd: bool = False,
    rolling_months: int | None = None,
    extract_date: dt.date | None = None,
) -> Period:
    """The one period a set of command-line options describes. 'latest' (for --month, --quarter
    or --year) is the last complete one on or before ``extract_date``."""
    given = [
        name
        for name, value in (
            ("--month", month_text),
            ("--quarter", quarter),
            ("--year", year),
            ("--from/--to", start or end),
        )
        if value
    ]
    if len(given) != 1:
        raise UsageError(
            "give one period: --month, --quarter, --year or --from/--to"
            + (f" (got {' and '.join(given)})" if given else "")
        )
    if ytd and rolling_months:
        raise UsageError("use just one of --ytd and --rolling")
    if wants_latest(month_text, quarter, year):
        if extract_date is None:
            raise UsageError("'latest' needs the extract date")
        kind = "month" if month_text else "quarter" if quarter else "year"
        base = latest(kind, extract_date)
    elif month_text:
        base = parse_month(month_text)
    elif quarter:
        base = parse_quarter(quarter)
    elif year:
        base = parse_year(year)
    else:
        if not (start and end):
            raise UsageError("--from and --to go together")
        if wants_latest(end):
            if extract_date is None:
                raise UsageError("'latest' needs the extract date")
            end = latest("month", extract_date).label
        first = parse_day_or_month(start, end=False)
        last = parse_day_or_month(end, end=True)
        if last < first:
            raise UsageError(f"--to {end} is before --from {start}")
        base = Period(first, last, f"{first} to {last}")
    if ytd:
        return year_to_date(base)
    if rolling_months:
        return rolling(base, rolling_months)
    return base


def trend_range(start: str | None, end: str, *, extract_date: dt.date | None = None) -> Period:
    """A trend's --from and --to; with no --from, the 12 months ending with --to's month (the
    year a monthly report shows)."""
    if start is not None:
        return choose(start=start, end=end, extract_date=extract_date)
    if wants_latest(end):
        if extract_date is None:
            raise UsageError("'latest' needs the extract date")
        last = latest("month", extract_date).end
    else:
        last = parse_day_or_month(end, end=True)
    return rolling(Period(last, last, ""), 12)
