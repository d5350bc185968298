"""CSV for spreadsheets: ISO dates, plain numbers, text that cannot run as a formula."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

import polars as pl

from cpmetrics.render.values import MARKERS, cell, published_row

_NEEDS_QUOTES = (",", '"', "\n", "\r")


def write_csv(table: pl.DataFrame, stream: TextIO) -> None:
    _write_row(stream, (c for c in table.columns if c not in MARKERS))
    for row in table.iter_rows(named=True):
        row = published_row(row)
        unit = row.get("unit", "")
        _write_row(stream, (cell(value, unit, for_csv=True) for value in row.values()))


def _write_row(stream: TextIO, values: Iterable[str]) -> None:
    stream.write(",".join(_field(value) for value in values) + "\n")


def _field(value: str) -> str:
    """Quoted when it holds a comma, a quote or a line break.

    Python's csv writer quotes only the characters of its own line ending ('\n' here), so a
    value holding a bare carriage return went out unquoted: a spreadsheet breaks the row there
    and starts a new one with whatever follows, a formula included.
    """
    if any(special in value for special in _NEEDS_QUOTES):
        return '"' + value.replace('"', '""') + '"'
    return value
