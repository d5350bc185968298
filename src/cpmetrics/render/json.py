"""JSON: an array of objects with keys in a fixed order (the table's column order)."""

from __future__ import annotations

import json
from typing import Any, TextIO

import polars as pl

from cpmetrics.render.values import cell, published_row


def to_records(table: pl.DataFrame) -> list[dict[str, Any]]:
    records = []
    for row in table.iter_rows(named=True):
        row = published_row(row)
        records.append({key: cell(value, row.get("unit", "")) for key, value in row.items()})
    return records


def write_json(table: pl.DataFrame, stream: TextIO) -> None:
    json.dump(to_records(table), stream, indent=2)
    stream.write("\n")
