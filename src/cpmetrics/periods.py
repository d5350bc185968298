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
    last = calendar.monthrange(year, month_number)[1]
    return Period(
        dt.date(year, month_number, 1),
        dt.date(year, month_number, last),
        f"{year:04d}-{month_number:02d}",
    )


def parse_month(text: str) -> Period:
    """'2018-10' -> 1 to 31 October 2018."""
    found = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text)
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise UsageError(f"month '{text}' is not in YYYY-MM form (for example 2018-10)")
    return month(int(found.group(1)), int(found.group(2)))


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
