"""What a monthly report holds, independent of the format it is written in.

``cpmetrics.report.build`` makes a ``Report`` from an extract (figures from the same library
functions as ``compute``, ``trend``, ``breakdown``, ``watchlist`` and ``overdue``, so the paper
and the commands never disagree); one writer per format (HTML, Word, Excel, Markdown) turns it
into a file. Writers only lay out what is here: they compute nothing and invent no wording.

Publication mode: a figure that must not be shown has ``suppressed`` set and its ``value``,
``numerator`` and ``denominator`` are None already, so a writer cannot leak it by mistake.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

Rag = Literal["R", "A", "G"]


@dataclass(frozen=True)
class Point:
    """One measure in one period (a month, or the year to date)."""

    period: str  # label as in trend: '2018-10', 'YTD 2018-19'
    period_start: dt.date
    period_end: dt.date
    value: float | None  # None: suppressed, or not defined (zero denominator)
    numerator: int | None
    denominator: int | None
    suppressed: bool = False


@dataclass(frozen=True)
class Comparator:
    """A published figure to compare with: England, the region, statistical neighbours."""

    name: str  # 'England', 'London', 'Statistical neighbours'
    value: float | None
    year: str  # the collection year it comes from, e.g. '2017-18'


@dataclass(frozen=True)
class MeasureReport:
    measure: str  # the measure's name in compute's output, e.g. 'open_rate'
    label: str  # its label, e.g. 'Children on a plan per 10,000'
    unit: str  # compute's unit: 'children', 'plans', 'families', '%', 'per 10,000'
    months: tuple[Point, ...]  # oldest first; the last is the report month
    ytd: Point | None  # year to date (financial year), where the measure has one
    same_month_last_year: Point | None
    target: float | None
    rag: Rag | None  # the report month's rating against the target
    ytd_rag: Rag | None
    comparators: tuple[Comparator, ...] = ()
    # Families behind the report month's count, where the extract has family ids.
    families: int | None = None
    sentences: tuple[str, ...] = ()  # written from the figures above (report.sentences)

    @property
    def latest(self) -> Point:
        return self.months[-1]

    @property
    def is_count(self) -> bool:
        return self.unit in ("children", "plans", "families")


@dataclass(frozen=True)
class Table:
    """A breakdown or a list, ready to lay out: a title, a sentence, and the rows."""

    title: str
    table: pl.DataFrame  # plain columns (counts as integers, shares as floats, 'c' if suppressed)
    description: str = ""


@dataclass(frozen=True)
class Quality:
    """Where the figures come from and what was left out."""

    files: tuple[str, ...]  # file names (not full paths: the paper may travel)
    rows_read: int
    rows_used: int
    excluded: tuple[tuple[str, int], ...]  # (reason, rows), largest first
    population: str  # which children were counted (e.g. 'all plans in the extract')
    extract_date: dt.date | None
    notes: tuple[str, ...] = ()  # what the run said on stderr that a reader should know


@dataclass(frozen=True)
class Report:
    title: str  # 'Child protection plans: October 2018'
    area: str | None  # local authority name, where known (config or --la)
    month: str  # '2018-10'
    month_start: dt.date
    month_end: dt.date
    generated: dt.date
    suppressed: bool  # publication mode
    measures: tuple[MeasureReport, ...]
    breakdowns: tuple[Table, ...] = ()  # duration bands, category, age ...
    lists: tuple[Table, ...] = ()  # watchlist and overdue summaries (counts, not names)
    watchlist_children: int | None = None
    watchlist_families: int | None = None
    overdue_reviews: int | None = None  # None: no review records in the extract
    overdue_visits: int | None = None
    quality: Quality | None = None
    summary: tuple[str, ...] = field(default=())  # the opening sentences
