"""CSV for spreadsheets: ISO dates, plain numbers, text that cannot run as a formula."""

from __future__ import annotations

import csv
from typing import TextIO

import polars as pl

from cpmetrics.render.values import MARKERS, cell, published_row


def write_csv(table: pl.DataFrame, stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(c for c in table.columns if c not in MARKERS)
    for row in table.iter_rows(named=True):
        row = published_row(row)
        unit = row.get("unit", "")
        writer.writerow(cell(value, unit, for_csv=True) for value in row.values())
