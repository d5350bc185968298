"""Each plan's place among its child's plans, without per-child window functions.

Polars windows (``.over(child)``) are slow with hundreds of thousands of small groups, so the
frame is sorted by child and start once, and running values within a child come from one
cumulative pass over the whole column: the child's run number is folded into the key so that
a running maximum cannot cross from one child into the next.
"""

from __future__ import annotations

import polars as pl

from cpmetrics import schema as s

_OFFSET = 1_000_000  # days: makes every date (year 1 onwards) positive
_FAR = 2_932_896 + _OFFSET  # 9999-12-31: an open plan runs on indefinitely
_STRIDE = 10_000_000  # larger than any offset date


def with_child_history(frame: pl.DataFrame, *tie_breakers: str) -> pl.DataFrame:
    """Sort by child, start (then ``tie_breakers``) and add, for each plan:

    - ``_first_of_child``: the child's first plan in that order;
    - ``_first_start``: the child's earliest start;
    - ``_earlier_end``: the latest end among the child's earlier plans (9999-12-31 while one of
      them is open; null for the child's first plan).
    """
    if s.CHILD_KEY not in frame.columns:
        frame = frame.with_columns(pl.col(s.CHILD_ID).rank("dense").alias(s.CHILD_KEY))
    key, start = pl.col(s.CHILD_KEY), pl.col(s.START_DATE)
    step = key.diff()
    in_order = frame.select(
        ((step > 0) | ((step == 0) & (start.diff().dt.total_days() >= 0))).all()
    ).item()
    # Validation hands over frames already in this order; sorting again is the costly part.
    ordered = (
        frame
        if in_order and not tie_breakers
        else frame.sort(s.CHILD_KEY, s.START_DATE, *tie_breakers, nulls_last=True)
    )
    run = pl.col(s.CHILD_KEY).rle_id().cast(pl.Int64)
    end_days = pl.col(s.END_DATE).cast(pl.Int64).fill_null(_FAR - _OFFSET) + _OFFSET
    running = (run * _STRIDE + end_days).cum_max()
    first = (run != run.shift(1)).fill_null(True)
    earlier = running.shift(1) - run * _STRIDE - _OFFSET
    return ordered.with_columns(
        first.alias("_first_of_child"),
        pl.when(first).then(pl.col(s.START_DATE)).forward_fill().alias("_first_start"),
        pl.when(first)
        .then(None)
        .otherwise(earlier)
        .cast(pl.Int32)
        .cast(pl.Date)
        .alias("_earlier_end"),
    )
