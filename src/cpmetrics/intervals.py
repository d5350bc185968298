"""Counting what is open on given days from [start, end) intervals, by binary search.

Open on day R = started on or before R minus ended on or before R (an end on R is not open on
R). The work grows with intervals plus days, never their product.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

_STRIDE = 1 << 32  # larger than any day number: keeps one group's running maximum to itself
_OPEN = (1 << 31) - 1  # an open interval ends after every day


def open_on(starts: pl.Series, ends: pl.Series, days: Sequence[dt.date]) -> list[int]:
    """How many of the intervals (``starts``, ``ends``; a null end is open) are open on each
    day: started on or before it and not ended on or before it."""
    refs = pl.Series(list(days), dtype=pl.Date).cast(pl.Int32)
    begun = starts.cast(pl.Int32).sort().search_sorted(refs, side="right")
    ended = ends.drop_nulls().cast(pl.Int32).sort().search_sorted(refs, side="right")
    return [int(a) - int(b) for a, b in zip(begun, ended, strict=True)]


def merged(
    frame: pl.DataFrame, key: str, start: str, end: str, *, keep_key: bool = False
) -> pl.DataFrame:
    """The union of each ``key``'s intervals [start, end) as disjoint intervals: a family is
    on a plan while any of its children is, counted once however many of them are.
    ``keep_key``: with the key beside each interval.

    Intervals that touch (one ends the day the next starts) merge: no day is left uncovered.
    """
    if frame.is_empty():
        return frame.select(*([key] if keep_key else []), start, end)
    # Only the three columns needed are sorted and carried.
    ordered = frame.select(
        key,
        pl.col(start).cast(pl.Int32).alias("_start"),
        pl.col(end).cast(pl.Int64).fill_null(_OPEN).alias("_end"),
    ).sort(key, "_start")
    first = (pl.col(key) != pl.col(key).shift(1)).fill_null(True)
    ordered = ordered.with_columns(
        first.alias("_first"), first.cum_sum().cast(pl.Int64).alias("_run")
    )
    # The latest end so far within the key (the stride keeps keys apart in one running max).
    reach = (pl.col("_run") * _STRIDE + pl.col("_end")).cum_max() - pl.col("_run") * _STRIDE
    ordered = ordered.with_columns(reach.alias("_reach"))
    gap = pl.col("_start").cast(pl.Int64) > pl.col("_reach").shift(1)
    new = (pl.col("_first") | gap).fill_null(True)
    # Blocks are runs of rows: each begins where ``new`` is, and ends where the next begins,
    # reaching as far as its last row does (no grouping needed).
    last = new.shift(-1).fill_null(True)
    return ordered.select(
        *([pl.col(key).filter(new)] if keep_key else []),
        pl.col("_start").filter(new).cast(pl.Date).alias(start),
        pl.when(pl.col("_reach") == _OPEN)
        .then(None)
        .otherwise(pl.col("_reach"))
        .filter(last)
        .cast(pl.Int32)
        .cast(pl.Date)
        .alias(end),
    )
