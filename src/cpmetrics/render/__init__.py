"""Rendering results: one entry point, ``render``, for every format."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import polars as pl


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"  # binary: written by render.xlsx through commands.common.write_workbook


def render(table: pl.DataFrame, fmt: Format, stream: TextIO, *, title: str = "") -> None:
    """Write a long result table (engine.RESULT_COLUMNS) to ``stream`` in ``fmt`` (a text
    format: a workbook is bytes, made by ``cpmetrics.render.xlsx.workbook_bytes``)."""
    if fmt is Format.xlsx:
        raise ValueError("a workbook is not text: use render.xlsx.workbook_bytes")
    if fmt is Format.csv:
        from cpmetrics.render.csv import write_csv

        write_csv(table, stream)
    elif fmt is Format.json:
        from cpmetrics.render.json import write_json

        write_json(table, stream)
    elif "label" not in table.columns or "dimension" in table.columns:
        # A breakdown or a list of records: every column as it is.
        from cpmetrics.render.listing import write_listing

        write_listing(table, stream, title=title)
    else:
        from cpmetrics.render.table import write_table

        write_table(table, stream, title=title)
