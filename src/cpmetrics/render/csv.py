"""CSV for spreadsheets: ISO dates, plain numbers, text that cannot run as a formula."""

from __future__ import annotations

import csv
from typing import TextIO

import polars as pl

from cpmetrics.render.values import cell


def write_csv(table: pl.DataFrame, stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.iter_rows(named=True):
        unit = row.get("unit", "")
        writer.writerow(cell(value, unit, for_csv=True) for value in row.values())
