"""How the report writes a figure, a count, a date, a month and a rating: one function for
each, shared by everything that writes the paper (the sentences, the builder, the charts, the
outline behind Word and Markdown, the HTML page and its template, the workbook's text), so no
two formats write the same thing differently.

The forms are a council paper's: '3.4% (24 of 706)' (a percentage with the counts behind it),
'43.8 (336 of 76,700)' (the rate with the children and the population), '1,234' (thousands
separators on every number, decimals too), '31 October 2018', 'October 2018', 'Oct 2018',
'Red'. The one shorter form is the summary table's (``summary_figure_text``).

A suppressed figure is 'c' whatever the point still holds: the flag, not the numbers, decides.
Dates are written in English whatever the machine's locale.
"""

from __future__ import annotations

import datetime as dt
import math

from cpmetrics.render.values import COUNT_UNITS, plain_value
from cpmetrics.report.model import Point
from cpmetrics.suppress import MARK as MARK  # the writers take 'c' from here with the rest

SMALL = 5  # counts of 1 to SMALL are withheld in publication mode (suppress's threshold)
NO_VALUE = "-"  # no figure: a zero denominator, or no population for the rate
RAG_WORDS = {"R": "Red", "A": "Amber", "G": "Green"}
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_SINGULAR = {"children": "child", "plans": "plan", "families": "family"}


# --- Dates and months -----------------------------------------------------------------------


def day_text(day: dt.date) -> str:
    """2018-10-31 -> '31 October 2018' (no leading zero, as the councils write dates)."""
    return f"{day.day} {month_text(day)}"


def month_text(month: str | dt.date) -> str:
    """'2018-10' or a day in it -> 'October 2018'."""
    start = _month_start(month)
    return f"{MONTHS[start.month - 1]} {start.year}"


def short_month_text(month: str | dt.date) -> str:
    """'2018-10' or a day in it -> 'Oct 2018' (a table heading, a chart's axis)."""
    start = _month_start(month)
    return f"{MONTHS[start.month - 1][:3]} {start.year}"


def span_text(start: dt.date, end: dt.date) -> str:
    """'1 April to 31 October 2018': the month and year said once where they are the same
    ('1 to 31 October 2018')."""
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day} to {day_text(end)}"
    if start.year == end.year:
        return f"{start.day} {MONTHS[start.month - 1]} to {day_text(end)}"
    return f"{day_text(start)} to {day_text(end)}"


def _month_start(month: str | dt.date) -> dt.date:
    if isinstance(month, dt.date):
        return month.replace(day=1)
    return dt.date.fromisoformat(f"{month[:7]}-01")


# --- Numbers --------------------------------------------------------------------------------


def count_text(count: int | None) -> str:
    """1234 -> '1,234'; no count -> '-'."""
    return NO_VALUE if count is None else f"{count:,}"


def decimal_text(value: float) -> str:
    """To 1 decimal place, with thousands separators: 0.5 -> '0.5', 12345.64 -> '12,345.6'."""
    return f"{value:,.1f}"


def value_text(value: float | None, unit: str) -> str:
    """A value in its unit: '3.4%' (1 decimal place), '43.8' (per 10,000), '1,234' (a count);
    '-' for none. Targets, comparators and differences are written with it too."""
    if value is None or not math.isfinite(value):
        return NO_VALUE
    plain = plain_value(float(value), unit)  # (a whole number in a share is still 35.0%)
    if isinstance(plain, int):
        return count_text(plain)
    assert isinstance(plain, float)  # plain_value gives a str only for a str
    return decimal_text(plain) + ("%" if unit == "%" else "")


def counted(count: int | str, unit: str) -> str:
    """A count with its noun: 336 -> '336 children', 1 -> '1 child', 1234 plans -> '1,234
    plans'; a count already written ('c', '1') as it is: 'c families'."""
    shown = count_text(count) if isinstance(count, int) else count
    return f"{shown} {_SINGULAR.get(unit, unit) if shown == '1' else unit}"


# --- Figures: a measure's value in a period -------------------------------------------------


def shown_value(point: Point, unit: str) -> str:
    """The point's value as published: '3.4%', '43.8', '336'; 'c' when suppressed; '-' with
    no value (a zero denominator, or no population for the rate)."""
    return MARK if point.suppressed else value_text(point.value, unit)


def counts_text(point: Point, unit: str) -> str:
    """The counts behind a percentage or a rate: '(24 of 706)', '(336 of 76,700)' (children of
    the population); '' for a count (it is its own figure), a point without both counts, and
    always for a suppressed point."""
    if point.suppressed or unit in COUNT_UNITS:
        return ""
    if point.numerator is None or point.denominator is None:
        return ""
    return f"({count_text(point.numerator)} of {count_text(point.denominator)})"


def figure_text(point: Point | None, unit: str) -> str:
    """A figure with its counts, wherever one is written: '3.4% (24 of 706)', '43.8 (336 of
    76,700)', '336', 'c' when suppressed, '- (0 of 0)' for a zero denominator; '' for none."""
    if point is None:
        return ""
    counts = counts_text(point, unit)
    shown = shown_value(point, unit)
    return f"{shown} {counts}" if counts else shown


def summary_figure_text(point: Point | None, unit: str) -> str:
    """A figure in the summary table (the measures by month): as ``figure_text``, but the rate
    without its counts, since its children are the row above (children on a plan) and the
    population in every month would crowd the table: '43.8', '3.4% (24 of 706)'."""
    if point is not None and unit == "per 10,000":
        return shown_value(point, unit)
    return figure_text(point, unit)


def split_figure(figure: str) -> tuple[str, str]:
    """A written figure as its value and its counts, for a layout that sets them apart (on
    two lines, or the counts smaller): '3.4% (24 of 706)' -> ('3.4%', '(24 of 706)'); a figure
    without counts -> (it, '')."""
    value, space, counts = figure.partition(" (")
    if space and figure.endswith(")"):
        return value, f"({counts}"
    return figure, ""


def figure_in_words(point: Point, unit: str) -> str:
    """A figure after a lead-in ('October 2018: ...'): '336 children', '43.8 per 10,000 (336
    of 76,700)', '3.4% (24 of 706)', 'c', 'no figure (0 of 0)' (a zero denominator)."""
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


# --- Publication mode -----------------------------------------------------------------------


def withheld(count: int | None, publish: bool) -> bool:
    """Whether publication mode hides this count: 1 to 5, as suppress.py."""
    return publish and count is not None and 1 <= count <= SMALL


def published_count(count: int | None, suppressed: bool) -> str:
    """A count outside the measures table (children on the watchlist, overdue reviews): 'c'
    for 1 to 5 in publication mode, '-' when there is none to give."""
    return MARK if withheld(count, suppressed) else count_text(count)


# --- Ratings --------------------------------------------------------------------------------


def shown_rag(rag: str | None, point: Point | None) -> str:
    """The rating as published, as a letter: 'R'; 'c' beside a suppressed figure (a rating
    would say which side of the target it is); '' with no rating."""
    if point is not None and point.suppressed and rag is not None:
        return MARK
    return rag or ""


def rag_text(rag: str | None) -> str:
    """A rating as the paper writes it, beside its colour or in a sentence: 'R' -> 'Red' (a
    word, so that it never rests on colour); 'c' stays 'c'; no rating is ''."""
    if rag is None:
        return ""
    return RAG_WORDS.get(rag, rag)


# --- Tables ---------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """One cell of a breakdown or list table: integers with thousands separators, other
    numbers to 1 decimal place (with separators too), dates as '31 Oct 2018', no value as '-';
    text (and 'c') as it is."""
    if value is None:
        return NO_VALUE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return count_text(value)
    if isinstance(value, float):
        return decimal_text(value) if math.isfinite(value) else NO_VALUE
    if isinstance(value, dt.datetime):
        return f"{value.day} {short_month_text(value)} {value:%H:%M}"
    if isinstance(value, dt.date):
        return f"{value.day} {short_month_text(value)}"
    return str(value)


def column_heading(name: str) -> str:
    """A column name as a heading: 'months_on_plan' -> 'Months on plan'; a name that is
    already words ('Age band', 'YTD') is left as it is."""
    if "_" not in name and name != name.lower():
        return name
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]
