"""The committee paper as a list of blocks (headings, paragraphs, bullets, tables, charts), in
reading order, made once from a ``Report``; the Word and Markdown writers only lay the blocks
out, so the two formats hold the same words and figures.

Every figure, date and rating goes through report.text (one way to write '3.4% (24 of 706)',
'c' and 'Red', the same as the HTML page's and the sentences'); the only words added here are
headings and the lead-ins that say what a figure is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from cpmetrics.report.charts import describe
from cpmetrics.report.model import MeasureReport, Point, Quality, Report, Table
from cpmetrics.report.text import (
    MARK,
    cell_text,
    column_heading,
    count_text,
    counted,
    day_text,
    figure_in_words,
    month_text,
    published_count,
    rag_text,
    short_month_text,
    shown_rag,
    span_text,
    summary_figure_text,
    value_text,
)

SUMMARY_TITLE = "Measures by month"


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 0: the paper's title; 1: a section; 2: a measure or a table


@dataclass(frozen=True)
class Para:
    text: str
    lead: str = ""  # set in bold before the text: what the figure is ('October 2018: ')


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Grid:
    """A table: a header row and rows of text, already written as they are shown."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]  # per column: right-aligned figures
    rag_columns: frozenset[int] = frozenset()  # cells holding 'Red', 'Amber', 'Green' (or 'c')
    # The month columns of the summary table, oldest first: a narrow page may drop the oldest.
    month_columns: tuple[int, ...] = ()


@dataclass(frozen=True)
class Chart:
    measure: MeasureReport
    name: str  # a file stem safe on every system, e.g. 'open_2y_plus_pct'
    alt: str  # the text alternative


Block = Heading | Para | Bullets | Grid | Chart


@dataclass
class _Outline:
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)


def outline(report: Report) -> list[Block]:
    """The paper in reading order."""
    out = _Outline()
    out.add(Heading(report.title, 0))
    period = month_text(report.month)
    out.add(Para(f"{report.area}, {period}" if report.area else period))
    out.add(
        Para(
            f"Figures for {span_text(report.month_start, report.month_end)}, "
            f"produced on {day_text(report.generated)}."
        )
    )
    if report.suppressed:
        out.add(
            Para(
                f"Publication version: counts from 1 to 5, and any figure from which one "
                f"could be worked out, are shown as {MARK}."
            )
        )
    if report.summary:
        out.add(Heading("Summary", 1), *(Para(s) for s in report.summary))
    if report.measures:
        out.add(Heading(SUMMARY_TITLE, 1), summary_grid(report))
        out.add(Heading("Measures", 1))
        for measure in report.measures:
            out.add(*_measure(measure, report.suppressed))
    if report.breakdowns:
        out.add(Heading("Breakdowns", 1))
        for table in report.breakdowns:
            out.add(*_table(table))
    out.add(*_lists(report))
    if report.quality is not None:
        out.add(*_quality(report.quality))
    return out.blocks


def summary_grid(report: Report) -> Grid:
    """Measures as rows; the months, the year to date, the target and the ratings as columns
    (the Haringey layout); a month a measure lacks is an empty cell."""
    starts = sorted({p.period_start for m in report.measures for p in m.months})
    has_ytd = any(m.ytd is not None for m in report.measures)
    has_target = any(m.target is not None for m in report.measures)
    latest = max(starts) if starts else report.month_start
    header = ["Measure", *(short_month_text(s) for s in starts)]
    header += ["YTD"] if has_ytd else []
    header += ["Target", f"{short_month_text(latest)} RAG"] if has_target else []
    header += ["YTD RAG"] if has_target and has_ytd else []
    rows = []
    for m in report.measures:
        by_start = {p.period_start: p for p in m.months}
        row = [m.label, *(summary_figure_text(by_start.get(s), m.unit) for s in starts)]
        row += [summary_figure_text(m.ytd, m.unit)] if has_ytd else []
        if has_target:
            target = "" if m.target is None else value_text(m.target, m.unit)
            row += [target, rag_text(shown_rag(m.rag, m.latest if m.months else None))]
            row += [rag_text(shown_rag(m.ytd_rag, m.ytd))] if has_ytd else []
        rows.append(tuple(row))
    months = tuple(range(1, 1 + len(starts)))
    first_rag = len(header) - (2 if has_ytd else 1)
    return Grid(
        header=tuple(header),
        rows=tuple(rows),
        numeric=(False, *([True] * (len(header) - 1))),
        rag_columns=frozenset(range(first_rag, len(header))) if has_target else frozenset(),
        month_columns=months,
    )


def _measure(m: MeasureReport, suppressed: bool) -> list[Block]:
    blocks: list[Block] = [Heading(m.label, 2)]
    if not m.months:
        return [*blocks, Para("No figures for this measure.")]
    latest = m.latest
    figure = figure_in_words(latest, m.unit)
    if m.families:  # (none behind the figure: nothing to say)
        families = published_count(m.families, suppressed)
        figure += f", in {counted(families, 'families')}"
    blocks.append(Para(figure, lead=f"{month_text(latest.period_start)}: "))
    last_year = m.same_month_last_year
    if last_year is not None:
        lead = f"{month_text(last_year.period_start)}: "
        blocks.append(Para(figure_in_words(last_year, m.unit), lead=lead))
    if m.ytd is not None:
        span = span_text(m.ytd.period_start, m.ytd.period_end)
        blocks.append(Para(figure_in_words(m.ytd, m.unit), lead=f"Year to date ({span}): "))
    if m.target is not None:
        rating = f"rating for {month_text(latest.period_start)}: {_rating(m.rag, latest)}"
        if m.ytd is not None:
            rating += f"; for the year to date: {_rating(m.ytd_rag, m.ytd)}"
        blocks.append(Para(f"{value_text(m.target, m.unit)}; {rating}.", lead="Target: "))
    if m.comparators:
        shown = [
            f"{c.name} {c.year}: {'no figure' if c.value is None else value_text(c.value, m.unit)}"
            for c in m.comparators
        ]
        blocks.append(Para("; ".join(shown) + ".", lead="Comparators: "))
    # The text alternative: the chart in words, every month's figure ('not published' for a
    # suppressed one), the target and the comparators.
    alt = f"Trend chart: {describe(m)}"
    blocks.append(Chart(m, name=_file_stem(m.measure), alt=alt))
    if m.sentences:
        blocks.append(Bullets(m.sentences))
    return blocks


def _rating(rag: str | None, point: Point | None) -> str:
    """'Red'; 'c' beside a suppressed figure; 'none' with no figure to rate."""
    return rag_text(shown_rag(rag, point)) or "none"


def _file_stem(measure: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", measure).strip("_") or "chart"


def _table(table: Table) -> list[Block]:
    blocks: list[Block] = [Heading(table.title, 2)]
    if table.description:
        blocks.append(Para(table.description))
    blocks.append(frame_grid(table.table))
    return blocks


def frame_grid(frame: pl.DataFrame) -> Grid:
    """A breakdown or list as shown: headings in words, numbers (and 'c') right-aligned."""
    columns = frame.columns
    numeric = tuple(
        frame.schema[c].is_numeric() or _all_figures(frame[c].drop_nulls()) for c in columns
    )
    rows = tuple(tuple(cell_text(v) for v in row) for row in frame.iter_rows())
    return Grid(header=tuple(column_heading(c) for c in columns), rows=rows, numeric=numeric)


_FIGURE = re.compile(r"-?[0-9][0-9,]*(\.[0-9]+)?%?")


def _all_figures(column: pl.Series) -> bool:
    """A text column of counts with 'c' where suppressed is still a column of figures."""
    if column.dtype != pl.String or column.is_empty():
        return False
    return all(v == MARK or _FIGURE.fullmatch(v) for v in column.to_list())


def _lists(report: Report) -> list[Block]:
    facts = []
    if report.watchlist_children is not None:
        children = published_count(report.watchlist_children, report.suppressed)
        fact = f"Children on the watchlist: {children}"
        if report.watchlist_families is not None:
            families = published_count(report.watchlist_families, report.suppressed)
            fact += f", in {counted(families, 'families')}"
        facts.append(fact)
    for what, overdue in (("reviews", report.overdue_reviews), ("visits", report.overdue_visits)):
        if overdue is not None:
            facts.append(f"Overdue {what}: {published_count(overdue, report.suppressed)}")
    if not facts and not report.lists:
        return []
    blocks: list[Block] = [Heading("Lists for managers", 1)]
    if facts:
        blocks.append(Bullets(tuple(facts)))
    for table in report.lists:
        blocks.extend(_table(table))
    return blocks


def _quality(quality: Quality) -> list[Block]:
    extract = day_text(quality.extract_date) if quality.extract_date else "not given"
    facts = (
        f"Files read: {', '.join(quality.files) or 'none'}",
        f"Plan rows read: {count_text(quality.rows_read)}",
        f"Plan rows used: {count_text(quality.rows_used)}",
        f"Population: {quality.population}",
        f"Extract date: {extract}",
    )
    blocks: list[Block] = [Heading("Data quality", 1), Bullets(facts)]
    if quality.excluded:
        rows = tuple((reason, count_text(rows)) for reason, rows in quality.excluded)
        blocks.append(Para("Rows excluded, by reason:"))
        blocks.append(Grid(header=("Reason", "Rows"), rows=rows, numeric=(False, True)))
    if quality.notes:
        blocks.append(Bullets(quality.notes))
    return blocks
