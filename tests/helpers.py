"""Test helpers: tiny inline extracts and a one-call way to compute from them."""

from __future__ import annotations

import datetime as dt

import polars as pl

from cpmetrics.engine import Options, Population, compute
from cpmetrics.periods import Period, parse_month

# The columns of compute's CSV and of validate's findings CSV, as the README promises them.
RESULT_HEADER = [
    "measure",
    "label",
    "period_start",
    "period_end",
    "numerator",
    "denominator",
    "value",
    "unit",
]
FINDINGS_HEADER = ["file", "rule", "severity", "line", "column", "value", "message", "header"]

PLAN_SCHEMA = {
    "child_id": pl.String,
    "start_date": pl.Date,
    "end_date": pl.Date,
    "previous_plans": pl.Int64,
}


def d(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def plans(
    *rows: tuple[str, str, str | None] | tuple[str, str, str | None, int | None],
) -> pl.DataFrame:
    """plans(("A", "2018-01-01", None), ("B", "2017-05-02", "2018-03-01", 1))"""
    data = [(r[0], d(r[1]), d(r[2]), r[3] if len(r) > 3 else None) for r in rows]
    return pl.DataFrame(data, schema=PLAN_SCHEMA, orient="row")


def figures(
    frame: pl.DataFrame,
    period: str | Period = "2018-10",
    *,
    population: int | None = None,
    options: Options | None = None,
) -> dict[str, tuple[int, int | None, float | None]]:
    """measure -> (numerator, denominator, value) for one period."""
    chosen = parse_month(period) if isinstance(period, str) else period
    result = compute(frame, [chosen], population=Population(fixed=population), options=options)
    return {
        row["measure"]: (row["numerator"], row["denominator"], row["value"])
        for row in result.table.iter_rows(named=True)
    }
