"""JSON: an array of objects with keys in a fixed order (the table's column order)."""

from __future__ import annotations

import json
from typing import Any, TextIO

import polars as pl

from cpmetrics.render.values import cell


def to_records(table: pl.DataFrame) -> list[dict[str, Any]]:
    return [
        {key: cell(value, row.get("unit", "")) for key, value in row.items()}
        for row in table.iter_rows(named=True)
    ]


def write_json(table: pl.DataFrame, stream: TextIO) -> None:
    json.dump(to_records(table), stream, indent=2)
    stream.write("\n")
