"""Rich tables for people: one period as label/value/numerator/denominator; a trend as
measures by periods, with a sparkline, the year to date, target and RAG."""

from __future__ import annotations

from typing import TextIO

import polars as pl
from rich import box
from rich.console import Console
from rich.table import Table

from cpmetrics.measures import BY_ID
from cpmetrics.render.sparkline import can_print, sparkline
from cpmetrics.render.values import plain_value, published_row

_RAG_STYLE = {
    "R": "bold white on red",
    "A": "bold black on dark_orange",
    "G": "bold white on green",
}


def _shown(value: float | str | None, unit: str, *, percent_sign: bool = True) -> str:
    plain = plain_value(value, unit)
    if plain is None:
        return "-"
    if isinstance(plain, str):
        return plain
    if unit == "%":
        return f"{plain:.1f}%" if percent_sign else f"{plain:.1f}"
    if isinstance(plain, float):
        return f"{plain:.1f}"
    return f"{plain:,}"


def _count(value: int | str | None) -> str:
    if isinstance(value, str):
        return value
    return "" if value is None else f"{value:,}"


def console_for(stream: TextIO, width: int = 100) -> Console:
    """A terminal keeps its own width; a file or pipe gets ``width`` columns."""
    probe = Console(file=stream)
    return Console(file=stream, width=probe.width if probe.is_terminal else width, highlight=False)


def write_table(table: pl.DataFrame, stream: TextIO, *, title: str = "") -> None:
    if "period_type" in table.columns:
        write_trend_table(table, stream, title=title)
        return
    compare = _has_comparators(table)
    grid = Table(
        title=title or None,
        title_justify="left",
        caption=_recomputed_caption(table) if compare else None,
        caption_justify="left",
    )
    grid.add_column("Measure")
    grid.add_column("Value", justify="right")
    grid.add_column("Numerator", justify="right")
    grid.add_column("Denominator", justify="right")
    for name in _COMPARATOR_HEADINGS if compare else ():
        grid.add_column(name, justify="right")
    for row in table.iter_rows(named=True):
        row = published_row(row)
        cells = [
            row["label"],
            _shown(row["value"], row["unit"]),
            _count(row["numerator"]),
            _count(row["denominator"]),
        ]
        if compare:
            cells += _comparator_cells(row)
        grid.add_row(*cells)
    console_for(stream, 120 if compare else 100).print(grid)


_COMPARATOR_HEADINGS = ("Year", "England", "Region", "Neighbours")


def _has_comparators(table: pl.DataFrame) -> bool:
    return "comparator_year" in table.columns and table["comparator_year"].is_not_null().any()


def _comparator_cells(row: dict[str, object], *, percent_sign: bool = True) -> list[str]:
    unit = str(row["unit"])
    values = [row["england"], row["region"], row["neighbours"]]
    year = row["comparator_year"]
    return [str(year or "")] + [
        "" if v is None else _shown(float(v), unit, percent_sign=percent_sign)  # type: ignore[arg-type]
        for v in values
    ]


def _recomputed_caption(table: pl.DataFrame) -> str | None:
    """Which comparators cpmetrics recomputed rather than took as DfE published them (a
    caption, not a mark in the cells: a year of months leaves no room in the trend table)."""
    if "comparator_note" not in table.columns:
        return None
    noted = table.filter(pl.col("comparator_note").is_not_null())
    lines = [
        f"{BY_ID[measure].short} comparators {note}"
        for measure, note in noted.select("measure", "comparator_note")
        .unique(maintain_order=True)
        .iter_rows()
    ]
    return "\n".join(lines) or None


def write_trend_table(table: pl.DataFrame, stream: TextIO, *, title: str = "") -> None:
    """Rows of measures, periods as columns, then YTD, target and the latest period's RAG."""
    main = table.filter(pl.col("period_type") != "ytd")
    ytd = table.filter(pl.col("period_type") == "ytd")
    periods = main.select("period", "period_start", "period_type").unique(maintain_order=True)
    # No vertical rules: a year of months, YTD, target, RAG and comparators fit 120 columns.
    latest = main.filter(pl.col("period_end") == pl.col("period_end").max())
    grid = Table(
        title=title or None,
        title_justify="left",
        caption=_recomputed_caption(latest),
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        padding=0,  # the box puts one space between columns: a year, a sparkline, YTD in 120
        pad_edge=False,
    )
    grid.add_column("Measure", no_wrap=True)
    spark = can_print(getattr(stream, "encoding", None))
    if spark:
        grid.add_column("Trend", no_wrap=True, min_width=periods.height)
    for label, start, kind in periods.iter_rows():
        grid.add_column(
            f"{start:%b%y}" if kind == "month" else label, justify="right", no_wrap=True
        )
    if not ytd.is_empty():
        grid.add_column("YTD", justify="right", no_wrap=True)
    grid.add_column("Tgt", justify="right", no_wrap=True)
    grid.add_column("RAG", justify="center", no_wrap=True)
    compare = _has_comparators(main)
    for name in ("Eng", "Region", "SN") if compare else ():
        grid.add_column(name, justify="right", no_wrap=True)
    for measure, rows in main.group_by("measure", maintain_order=True):
        unit = rows["unit"][0]
        cells = [BY_ID[str(measure[0])].short]
        # Units are in the measure's name ("Repeat plans %"), so cells stay narrow.
        values = [published_row(r)["value"] for r in rows.iter_rows(named=True)]
        if spark:
            # Scaled on the figures as shown (rounded), so equal cells get equal blocks.
            shown = [plain_value(v, unit) for v in values]
            cells.append(sparkline([v if isinstance(v, int | float) else None for v in shown]))
        cells += [_shown(v, unit, percent_sign=False) for v in values]
        ytd_row = None
        if not ytd.is_empty():
            ytd_row = published_row(ytd.filter(pl.col("measure") == measure[0]).row(0, named=True))
            cells.append(_shown(ytd_row["value"], unit, percent_sign=False))
        target = rows["target"][-1]
        cells.append("" if target is None else _shown(target, unit, percent_sign=False))
        # The rating sits beside the YTD column, so it is the YTD's (the last period's when
        # there is no YTD); each period's own rating is in the CSV/JSON output.
        last = published_row(rows.row(-1, named=True))
        rating = ytd_row["rag"] if ytd_row is not None else last["rag"]
        # (A suppressed figure's rating is suppressed too: 'c', unstyled.)
        styled = f"[{_RAG_STYLE[rating]}] {rating} [/]" if rating in _RAG_STYLE else rating
        cells.append(styled or "")
        if compare:
            cells += _comparator_cells(rows.row(-1, named=True), percent_sign=False)[1:]
        grid.add_row(*cells)
    console = console_for(stream, 120)
    if not console.is_terminal:
        # A file or a pipe has no width of its own: the whole table, never cut to fit.
        needed = console.measure(grid, options=console.options.update_width(1000)).maximum
        if needed > console.width:
            console = Console(file=stream, width=needed, highlight=False)
    console.print(grid)
