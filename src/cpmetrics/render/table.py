"""Rich tables for people: one period as label/value/numerator/denominator, several as columns."""

from __future__ import annotations

from typing import TextIO

import polars as pl
from rich.console import Console
from rich.table import Table

from cpmetrics.render.values import plain_value


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


def write_table(table: pl.DataFrame, stream: TextIO, *, title: str = "") -> None:
    console = Console(file=stream, width=max(100, Console(file=stream).width), highlight=False)
    periods = table.select("period_start", "period_end").unique(maintain_order=True)
    if periods.height <= 1:
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
    else:
        grid = Table(title=title or None, title_justify="left")
        grid.add_column("Measure")
        labels = [
            f"{start:%b %Y}" if start.day == 1 else f"{start} to {end}"
            for start, end in periods.iter_rows()
        ]
        for label in labels:
            grid.add_column(label, justify="right")
        for _, rows in table.group_by("measure", maintain_order=True):
            first = rows.row(0, named=True)
            grid.add_row(
                first["label"],
                *(_shown(v, first["unit"]) for v in rows["value"].to_list()),
            )
    console.print(grid)
