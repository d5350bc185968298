"""Breakdowns and lists of records as tables for people: every column, as plain text."""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO

import polars as pl
from rich.table import Table

from cpmetrics.render.table import console_for
from cpmetrics.render.values import published_row

# Columns a person reading a breakdown on a terminal does not need (the CSV keeps them).
_HIDDEN = ("label", "period_start", "unit")


def write_listing(table: pl.DataFrame, stream: TextIO, *, title: str = "") -> None:
    console = console_for(stream, width=160)
    if table.is_empty():
        console.print(f"{title}: none" if title else "none")
        return
    shown = [c for c in table.columns if c not in _HIDDEN or "dimension" not in table.columns]
    grid = Table(title=title or None, title_justify="left")
    for column in shown:
        numeric = table.schema[column].is_numeric()
        grid.add_column(column.replace("_", " "), justify="right" if numeric else "left")
    for row in table.iter_rows(named=True):
        row = published_row(row)
        percent = row.get("unit") == "%"
        grid.add_row(*(_text(row.get(c), c, percent) for c in shown))
    console.print(grid)


def _text(value: Any, column: str, percent: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.1f}%" if percent and column == "value" else f"{value:.1f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and column in ("numerator", "denominator"):
        return f"{value:,}"
    return str(value)
