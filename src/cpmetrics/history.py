"""Each plan's place among its child's plans, without per-child window functions.

Polars windows (``.over(child)``) are slow with hundreds of thousands of small groups, so the
frame is sorted by child and start once, and running values within a child come from one
cumulative pass over the whole column: the child's run number is folded into the key so that
a running maximum cannot cross from one child into the next.
"""

from __future__ import annotations

import polars as pl

from cpmetrics import schema as s
from cpmetrics.keys import child_key

HISTORY_COLUMNS = ("_first_start", "_earlier_end", "_previous_end")
_OFFSET = 1_000_000  # days: makes every date (year 1 onwards) positive
_FAR = 2_932_896 + _OFFSET  # 9999-12-31: an open plan runs on indefinitely
_STRIDE = 10_000_000  # larger than any offset date


def with_child_history(
    frame: pl.DataFrame, *tie_breakers: str, presorted: bool = False
) -> pl.DataFrame:
    """Sort by child, start (then ``tie_breakers``) and add, for each plan:

    - ``_first_of_child``: the child's first plan in that order;
    - ``_first_start``: the child's earliest start;
    - ``_earlier_end``: the latest end among the child's earlier rows in that order, same-day
      starts included (9999-12-31 while one is open; null for the child's first plan);
    - ``_previous_end``: the same over plans with a strictly earlier start only.

    ``presorted``: the caller has sorted by child key and start already.
    """
    if s.CHILD_KEY not in frame.columns:
        frame = frame.with_columns(child_key(frame[s.CHILD_ID]).alias(s.CHILD_KEY))
    ordered = (
        frame
        if presorted
        else frame.sort(s.CHILD_KEY, s.START_DATE, *tie_breakers, nulls_last=True)
    )
    # In stages, each materialised once: an expression used twice is computed twice.
    staged = ordered.with_columns(
        pl.col(s.CHILD_KEY).rle_id().cast(pl.Int64).alias("_run"),
        (pl.col(s.END_DATE).cast(pl.Int64).fill_null(_FAR - _OFFSET) + _OFFSET).alias("_end"),
    )
    run = pl.col("_run")
    staged = staged.with_columns(
        (run != run.shift(1)).fill_null(True).alias("_first_of_child"),
        ((run * _STRIDE + pl.col("_end")).cum_max().shift(1) - run * _STRIDE).alias("_earlier"),
    )
    first, earlier = pl.col("_first_of_child"), pl.col("_earlier")
    # A plan starting the same day is not an earlier plan: rows tied on start take the value
    # of the first row of their tie, found by forward-filling over the tied rows (-1 marks
    # "no earlier plan" so that the fill cannot reach across children).
    tied = ~first & (pl.col(s.START_DATE) == pl.col(s.START_DATE).shift(1))
    strictly_earlier = (
        pl.when(first).then(pl.lit(-1, pl.Int64)).when(tied).then(None).otherwise(earlier)
    ).forward_fill()

    def as_date(days: pl.Expr) -> pl.Expr:
        return pl.when(days >= 0).then(days - _OFFSET).cast(pl.Int32).cast(pl.Date)

    return staged.with_columns(
        pl.when(first).then(pl.col(s.START_DATE)).forward_fill().alias("_first_start"),
        as_date(pl.when(first).then(pl.lit(-1, pl.Int64)).otherwise(earlier)).alias("_earlier_end"),
        as_date(strictly_earlier).alias("_previous_end"),
    ).drop("_run", "_end", "_earlier")
