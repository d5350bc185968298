"""Child protection reviews within timescales (DfE D6, our ruling: docs/measures.md).

The first review conference is due 3 calendar months after the plan starts, each later one 6
calendar months after the one before. A plan is in time on day R while every review held by R
was held by its due date and the next one is not yet overdue (due on or after R). So each plan
is in time from its start until one date, its *deadline*: the due date of the first review held
late, or, if none was, the due date after its last review. That one date per plan lets the
engine count D6 for any number of reference dates by binary search, as it counts the rest.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from cpmetrics import schema as s
from cpmetrics.dates import parse_date

DEADLINE = "review_deadline"  # the last day the plan's reviews are in time (see above)
REVIEWS = "_reviews"  # how many reviews after the start the plan has


def deadlines(plans: pl.DataFrame) -> pl.DataFrame:
    """``_row``, the plan's review deadline, and its number of reviews, for plans with a start
    (``plans``: ``_row``, ``start_date`` and ``review_dates``, the dates ';'-separated).

    Reviews on or before the start are not reviews of the plan (rule 8841) and are left out;
    a review date that is not a date is left out too (it is reported by validation).
    """
    start = pl.col(s.START_DATE)
    held = (
        plans.select(s.ROW, s.START_DATE, pl.col(s.REVIEW_DATES).str.split(";").alias("_held"))
        .explode("_held")
        .with_columns(parse_date(pl.col("_held").str.strip_chars(), "dmy").alias("_held"))
        .filter(pl.col("_held") > start)
        .unique()
        .sort(s.ROW, "_held")
    )
    row = pl.col(s.ROW)
    first = row != row.shift(1)
    held = held.with_columns(
        pl.when(first.fill_null(True))
        .then(start.dt.offset_by("3mo"))
        .otherwise(pl.col("_held").shift(1).dt.offset_by("6mo"))
        .alias("_due")
    )
    late = pl.col("_held") > pl.col("_due")
    per_plan = held.group_by(s.ROW).agg(
        pl.col("_due").filter(late).first().alias("_first_late_due"),
        pl.col("_held").last().dt.offset_by("6mo").alias("_next_due"),
        pl.len().cast(pl.Int64).alias(REVIEWS),
    )
    out = plans.select(s.ROW, start.dt.offset_by("3mo").alias("_first_due")).join(
        per_plan, on=s.ROW, how="left"
    )
    return out.select(
        s.ROW,
        pl.coalesce("_first_late_due", "_next_due", "_first_due").alias(DEADLINE),
        pl.col(REVIEWS).fill_null(0),
    )


def due_from(starts: pl.Series) -> pl.Series:
    """The first reference date R at which a plan is in the D6 denominator: R minus 3 calendar
    months on or after its start (a start on 30 November counts from 1 March, since
    28 February minus 3 months is 28 November)."""
    first, last = starts.min(), starts.max()
    if not isinstance(first, dt.date) or not isinstance(last, dt.date):
        return pl.Series(starts.name, [None] * starts.len(), dtype=pl.Date)
    days = pl.date_range(first, last + dt.timedelta(days=400), "1d", eager=True)
    back = days.dt.offset_by("-3mo")  # non-decreasing in the day
    at = back.search_sorted(starts, side="left")
    return days.gather(at).alias(starts.name)
