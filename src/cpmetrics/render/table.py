"""Rich tables for people: one period as label/value/numerator/denominator; a trend as
measures by periods, with the year to date, target and RAG."""

from __future__ import annotations

from typing import TextIO

import polars as pl
from rich.console import Console
from rich.table import Table

from cpmetrics.measures import BY_ID
from cpmetrics.render.values import plain_value

_RAG_STYLE = {
    "R": "bold white on red",
    "A": "bold black on dark_orange",
    "G": "bold white on green",
}


def _shown(value: float | None, unit: str) -> str:
    plain = plain_value(value, unit)
    if plain is None:
        return "-"
    if unit == "%":
        return f"{plain:.1f}%"
    if isinstance(plain, float):
        return f"{plain:.1f}"
    return f"{plain:,}"


def _count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _console(stream: TextIO, width: int = 100) -> Console:
    """A terminal keeps its own width; a file or pipe gets ``width`` columns."""
    probe = Console(file=stream)
    return Console(file=stream, width=probe.width if probe.is_terminal else width, highlight=False)


def write_table(table: pl.DataFrame, stream: TextIO, *, title: str = "") -> None:
    if "period_type" in table.columns:
        write_trend_table(table, stream, title=title)
        return
    grid = Table(title=title or None, title_justify="left")
    grid.add_column("Measure")
    grid.add_column("Value", justify="right")
    grid.add_column("Numerator", justify="right")
    grid.add_column("Denominator", justify="right")
    for row in table.iter_rows(named=True):
        grid.add_row(
            row["label"],
            _shown(row["value"], row["unit"]),
            _count(row["numerator"]),
            _count(row["denominator"]),
        )
    _console(stream).print(grid)


def write_trend_table(table: pl.DataFrame, stream: TextIO, *, title: str = "") -> None:
    """Rows of measures, periods as columns, then YTD, target and the latest period's RAG."""
    main = table.filter(pl.col("period_type") != "ytd")
    ytd = table.filter(pl.col("period_type") == "ytd")
    periods = main.select("period", "period_start", "period_type").unique(maintain_order=True)
    grid = Table(title=title or None, title_justify="left", pad_edge=False)
    grid.add_column("Measure", no_wrap=True)
    for label, start, kind in periods.iter_rows():
        grid.add_column(
            f"{start:%b %y}" if kind == "month" else label, justify="right", no_wrap=True
        )
    if not ytd.is_empty():
        grid.add_column("YTD", justify="right", no_wrap=True)
    grid.add_column("Target", justify="right", no_wrap=True)
    grid.add_column("RAG", justify="center", no_wrap=True)
    for measure, rows in main.group_by("measure", maintain_order=True):
        unit = rows["unit"][0]
        cells = [BY_ID[str(measure[0])].short]
        cells += [_shown(v, unit) for v in rows["value"].to_list()]
        if not ytd.is_empty():
            cells.append(_shown(ytd.filter(pl.col("measure") == measure[0])["value"][0], unit))
        target = rows["target"][-1]
        cells.append("" if target is None else _shown(target, unit))
        rating = rows["rag"][-1]
        cells.append(f"[{_RAG_STYLE[rating]}] {rating} [/]" if rating else "")
        grid.add_row(*cells)
    _console(stream, 120).print(grid)
