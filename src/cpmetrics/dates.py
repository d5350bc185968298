"""Reading dates as local authority extracts write them: ISO (2018-10-31, 2018/10/31), UK
day-first (31/10/2018, 31-10-18, 31.10.2018), with month names (31-Oct-2018, 5 March 2019), compact
(20181031) and Excel serial numbers (43404). The order of numeric day/month dates is decided
once per file, from the values themselves; a file where every such date could be read either
way is an error, not a guess, unless the order is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

import polars as pl

from cpmetrics.errors import DataError

DateOrder = Literal["dmy", "mdy"]

# [0-9], not \d: \d matches any Unicode digit (full-width, Arabic-Indic ...), which no integer
# cast reads. Such a value must stay unread (a bad-date finding), never stop the file.
_HMS = r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?"  # a time of day after a date
# Year first, with - (ISO), / or . between the parts (2018/10/31, as some systems write it).
_ISO = rf"^([0-9]{{4}})[-/.]([0-9]{{1,2}})[-/.]([0-9]{{1,2}})(?:[ T]{_HMS}(?:\.[0-9]+)?Z?)?$"
NUMERIC_DATE = rf"^([0-9]{{1,2}})[/.\-]([0-9]{{1,2}})[/.\-]([0-9]{{4}}|[0-9]{{2}})(?: {_HMS})?$"
_NAMED = r"^([0-9]{1,2})(?:st|nd|rd|th)?[ \-/]([A-Za-z]{3,9})\.?,?[ \-/]([0-9]{4}|[0-9]{2})$"
_SERIAL = r"^([0-9]{4,5})(?:\.0+)?$"
_COMPACT = r"^((?:19|20)[0-9]{2})([0-9]{2})([0-9]{2})$"  # 20181031, as some case systems export
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
# Excel's day 0 is 1899-12-30 (it counts 29 February 1900, which never was).
_EXCEL_EPOCH_DAYS = -25569
# Two-digit years: 00-69 are 2000s, 70-99 are 1900s (as Excel does).
_PIVOT = 70


def numeric_order(values: Iterable[pl.Series]) -> DateOrder | Literal["none"] | None:
    """The day/month order that the numeric dates in these columns allow.

    'none' when there are no numeric day/month dates; None when every one of them could be
    read either way. Raises DataError when some are day-first and others month-first.
    """
    first_big = second_big = seen = False
    for series in values:
        parts = series.drop_nulls().str.extract_groups(NUMERIC_DATE).struct.unnest()
        parts = parts.drop_nulls()
        if parts.is_empty():
            continue
        seen = True
        first = parts["1"].cast(pl.Int32, strict=False)
        second = parts["2"].cast(pl.Int32, strict=False)
        # 31/13/2018 is no date either way: it says nothing about the order.
        first_big |= bool(((first > 12) & (second <= 12)).any())
        second_big |= bool(((second > 12) & (first <= 12)).any())
    if not seen:
        return "none"
    if first_big and second_big:
        raise DataError(
            "dates are written both day-first and month-first (for example 31/01 and 01/31)"
        )
    if first_big:
        return "dmy"
    if second_big:
        return "mdy"
    return None


def _pad(text: pl.Expr) -> pl.Expr:
    return text.str.zfill(2)


def _year(text: pl.Expr) -> pl.Expr:
    two = text.str.len_chars() == 2
    number = text.cast(pl.Int32, strict=False)
    full = pl.when(two & (number < _PIVOT)).then(number + 2000).when(two).then(number + 1900)
    return full.otherwise(number).cast(pl.String)


def _iso(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    return pl.concat_str(_year(year), _pad(month), _pad(day), separator="-").str.to_date(
        "%Y-%m-%d", strict=False
    )


def parse_date(text: pl.Expr, order: DateOrder | None) -> pl.Expr:
    """Any of the supported forms to a date; null for anything else (the caller reports it).

    Numeric day/month dates are read in ``order``; with no order they are left unread.
    """
    iso = text.str.extract_groups(_ISO)
    numeric = text.str.extract_groups(NUMERIC_DATE)
    named = text.str.extract_groups(_NAMED)
    compact = text.str.extract_groups(_COMPACT)
    month_name = named.struct["2"].str.to_lowercase().str.slice(0, 3)
    serial = text.str.extract(_SERIAL, 1).cast(pl.Int32, strict=False)
    candidates = [
        _iso(iso.struct["1"], iso.struct["2"], iso.struct["3"]),
        _iso(
            named.struct["3"],
            month_name.replace_strict(_MONTHS, default=None, return_dtype=pl.Int32).cast(pl.String),
            named.struct["1"],
        ),
        _iso(compact.struct["1"], compact.struct["2"], compact.struct["3"]),
        # Serial numbers from 1 January 1915 to the end of 2099: dates, not counts or ids.
        pl.when(serial.is_between(5480, 73050)).then(serial + _EXCEL_EPOCH_DAYS).cast(pl.Date),
    ]
    if order == "dmy":
        candidates.append(_iso(numeric.struct["3"], numeric.struct["2"], numeric.struct["1"]))
    elif order == "mdy":
        candidates.append(_iso(numeric.struct["3"], numeric.struct["1"], numeric.struct["2"]))
    return pl.coalesce(candidates)


def months_after(day: dt.date, months: int) -> dt.date:
    """``day`` plus calendar months, at the month's end where the day is past it (31 August +
    6 months: 28 or 29 February), as polars' offset_by."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))
