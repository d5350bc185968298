"""How the report writes a figure, a month or a rating, shared by every report writer (Word,
Markdown, and the HTML and Excel writers where they show text), so the formats never differ.

A suppressed figure is 'c' whatever the point still holds: the flag, not the numbers, decides.
"""

from __future__ import annotations

import datetime as dt
import math

from cpmetrics.render.values import COUNT_UNITS, plain_value
from cpmetrics.report.model import Point
from cpmetrics.suppress import MARK as MARK  # the writers take 'c' from here with the rest

SMALL = 5  # counts of 1 to SMALL are suppressed in publication mode (suppress's default)
NO_VALUE = "-"  # no figure: a zero denominator, or no population for the rate
RAG_WORDS = {"R": "Red", "A": "Amber", "G": "Green"}


def month_label(month: str | dt.date) -> str:
    """'2018-10' or a day in it -> 'October 2018'."""
    return f"{_month_start(month):%B %Y}"


def month_short(month: str | dt.date) -> str:
    """'2018-10' or a day in it -> 'Oct 2018' (a table heading)."""
    return f"{_month_start(month):%b %Y}"


def day_label(day: dt.date) -> str:
    """2018-10-31 -> '31 October 2018' (no leading zero, as the councils write dates)."""
    return f"{day.day} {day:%B %Y}"


def _month_start(month: str | dt.date) -> dt.date:
    if isinstance(month, dt.date):
        return month.replace(day=1)
    return dt.date.fromisoformat(f"{month[:7]}-01")


def count_text(count: int | None) -> str:
    """1234 -> '1,234'; no count -> '-'."""
    return NO_VALUE if count is None else f"{count:,}"


def value_text(value: float | None, unit: str) -> str:
    """A value in its unit: '3.4%' (1 decimal place), '43.8' (per 10,000), '1,234' (a count)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return NO_VALUE
    plain = plain_value(value, unit)
    if isinstance(plain, int):
        return f"{plain:,}"
    assert isinstance(plain, float)  # plain_value gives a str only for a str
    return f"{plain:,.1f}%" if unit == "%" else f"{plain:,.1f}"


def counts_text(point: Point, unit: str) -> str:
    """'(24 of 706)' for a percentage or rate with both counts; '' otherwise (a count is its
    own figure) and always '' for a suppressed point."""
    if point.suppressed or unit in COUNT_UNITS:
        return ""
    if point.numerator is None or point.denominator is None:
        return ""
    return f"({point.numerator:,} of {point.denominator:,})"


def figure(point: Point | None, unit: str) -> str:
    """A figure with its counts: '3.4% (24 of 706)', '43.8 (336 of 76,700)' (the rate: children
    of the population), '336', 'c' when suppressed, '- (0 of 0)' for a zero denominator."""
    if point is None:
        return ""
    if point.suppressed:
        return MARK
    counts = counts_text(point, unit)
    shown = value_text(point.value, unit)
    return f"{shown} {counts}" if counts else shown


def figure_in_words(point: Point, unit: str) -> str:
    """A figure in a sentence: '336 children', '43.8 per 10,000 (336 of 76,700)', '3.4% (24 of
    706)', 'c', 'no figure (0 of 0)' (a zero denominator)."""
    if point.suppressed:
        return MARK
    counts = counts_text(point, unit)
    if point.value is None:
        return f"no figure {counts}" if counts else "no figure"
    shown = value_text(point.value, unit)
    if unit in COUNT_UNITS:
        return counted(shown, unit)
    if unit == "per 10,000":
        shown += " per 10,000"
    return f"{shown} {counts}" if counts else shown


def counted(count: str, unit: str) -> str:
    """'336' children -> '336 children'; '1' -> '1 child'; 'c' -> 'c children'."""
    return f"{count} {_SINGULAR.get(unit, unit) if count == '1' else unit}"


_SINGULAR = {"children": "child", "plans": "plan", "families": "family"}


def figure_brief(point: Point | None, unit: str) -> str:
    """As ``figure``, but the rate without its counts: in a table of measures its numerator is
    the children-on-a-plan row just above, and the population would crowd every month."""
    if point is not None and unit == "per 10,000" and not point.suppressed:
        return value_text(point.value, unit)
    return figure(point, unit)


def shown_rag(rag: str | None, point: Point | None) -> str:
    """The rating as published: the letter, 'c' beside a suppressed figure (a rating would say
    which side of the target it is), '' with no target."""
    if point is not None and point.suppressed and rag is not None:
        return MARK
    return rag or ""


def rag_word(rag: str | None) -> str:
    """'R' -> 'Red' (a rating in words, so it never rests on colour); 'c' stays 'c'."""
    if rag is None:
        return ""
    return RAG_WORDS.get(rag, rag)


def published_count(count: int | None, suppressed: bool) -> str:
    """A count outside the measures table (children on the watchlist, overdue reviews): 'c'
    for 1 to 5 in publication mode, '-' when there is none to give."""
    if count is None:
        return NO_VALUE
    if suppressed and 1 <= count <= SMALL:
        return MARK
    return f"{count:,}"


def cell_text(value: object) -> str:
    """One cell of a breakdown or list table: integers with thousands separators, other
    numbers to 1 decimal place, dates as '31 Oct 2018', nothing as ''; text (and 'c') as is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}" if math.isfinite(value) else ""
    if isinstance(value, dt.datetime):
        return f"{value.day} {value:%b %Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value.day} {value:%b %Y}"
    return str(value)


def column_heading(name: str) -> str:
    """A column name as a heading: 'months_on_plan' -> 'Months on plan'; a name that is
    already words ('Age band', 'YTD') is left as it is."""
    if "_" not in name and name != name.lower():
        return name
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]
