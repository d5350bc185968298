"""Long-format CSV: one row per measure per period, ISO dates, plain numbers."""

from __future__ import annotations

import csv
from typing import TextIO

import polars as pl

from cpmetrics.render.values import plain_value, spreadsheet_safe, text


def write_csv(table: pl.DataFrame, stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.iter_rows(named=True):
        row["value"] = plain_value(row["value"], row["unit"])
        writer.writerow(
            spreadsheet_safe(text(v)) if isinstance(v, str) else text(v) for v in row.values()
        )
