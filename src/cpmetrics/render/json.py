"""Long-format JSON: an array of objects with keys in a fixed order."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TextIO

import polars as pl

from cpmetrics.render.values import plain_value


def to_records(table: pl.DataFrame) -> list[dict[str, Any]]:
    records = []
    for row in table.iter_rows(named=True):
        row["value"] = plain_value(row["value"], row["unit"])
        records.append({k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()})
    return records


def write_json(table: pl.DataFrame, stream: TextIO) -> None:
    json.dump(to_records(table), stream, indent=2)
    stream.write("\n")
