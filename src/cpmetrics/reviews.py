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
from cpmetrics.dates import DateOrder, numeric_order, parse_date

DEADLINE = s.REVIEW_DEADLINE  # the last day the plan's reviews are in time (see above)
REVIEWS = "_reviews"  # how many reviews after the start the plan has


def deadlines(plans: pl.DataFrame) -> pl.DataFrame:
    """``_row``, the plan's review deadline, and its number of reviews, for plans with a start
    (``plans``: ``_row``, ``start_date`` and ``review_list``, see ``with_review_list``).

    Reviews on or before the start are not reviews of the plan (rule 8841) and are left out.
    """
    start = pl.col(s.START_DATE)
    # Each list sorted on its own: exploded, the rows are then in plan and date order with no
    # sort of the whole. (A review held twice on one day changes nothing: it is on time if the
    # first is, and the next due date is the same.)
    held = (
        plans.select(s.ROW, s.START_DATE, pl.col(s.REVIEW_LIST).list.sort().alias("_held"))
        .explode("_held")
        .filter(pl.col("_held") > start)
    )
    row = pl.col(s.ROW)
    first = (row != row.shift(1)).fill_null(True)
    six = _months_later(held["_held"], 6)
    held = held.with_columns(
        pl.when(first)
        .then(_months_later(held[s.START_DATE], 3))
        .otherwise(six.shift(1))
        .alias("_due"),
        six.alias("_next"),
    )
    late = pl.col("_held") > pl.col("_due")
    per_plan = held.group_by(s.ROW).agg(
        pl.col("_due").filter(late).first().alias("_first_late_due"),
        pl.col("_next").last().alias("_next_due"),
        pl.len().cast(pl.Int64).alias(REVIEWS),
    )
    out = plans.select(s.ROW, _months_later(plans[s.START_DATE], 3).alias("_first_due")).join(
        per_plan, on=s.ROW, how="left"
    )
    return out.select(
        s.ROW,
        pl.coalesce("_first_late_due", "_next_due", "_first_due").alias(DEADLINE),
        pl.col(REVIEWS).fill_null(0),
    )


def _months_later(dates: pl.Series, months: int) -> pl.Expr:
    """``dates`` plus calendar months (31 August + 6 months: 28 or 29 February), worked out
    once for each distinct day, not per row (millions of review dates, a few thousand days)."""
    days = dates.drop_nulls().unique()
    later = days.dt.offset_by(f"{months}mo")
    return pl.lit(dates).replace_strict(days, later, default=None, return_dtype=pl.Date)


def due_from(starts: pl.Series) -> pl.Series:
    """The first reference date R at which a plan is in the D6 denominator: R minus 3 calendar
    months on or after its start (a start on 30 November counts from 1 March, since
    28 February minus 3 months is 28 November)."""
    first, last = starts.min(), starts.max()
    if not isinstance(first, dt.date) or not isinstance(last, dt.date):
        return pl.Series(starts.name, [None] * starts.len(), dtype=pl.Date)
    # (Validation keeps dates to 2899; a frame from elsewhere may go to the calendar's end.)
    until = last + dt.timedelta(days=400) if last.year < 9998 else dt.date(9999, 12, 31)
    days = pl.date_range(first, until, "1d", eager=True)
    back = days.dt.offset_by("-3mo")  # non-decreasing in the day
    at = back.search_sorted(starts, side="left")
    return days.gather(at).alias(starts.name)


def with_review_list(out: pl.DataFrame, text: str, order: DateOrder | None) -> pl.DataFrame:
    """The plans' review dates (``text``: dates separated by ';') as a list of dates
    (``review_list``), and ``_bad_reviews``, how many values of the row are not dates."""
    return with_date_list(out, text, order, s.REVIEW_LIST, "_bad_reviews")


def with_date_list(
    out: pl.DataFrame, text: str, order: DateOrder | None, name: str, bad: str
) -> pl.DataFrame:
    """Dates separated by ';' in the column ``text`` as a list of dates (``name``), read once:
    each distinct value parsed in the file's day/month order (or the values' own, when the
    plan dates do not settle it); and ``bad``, how many values of the row are not dates."""
    if out[text].null_count() == out.height:
        return out.with_columns(
            pl.lit(None, pl.List(pl.Date)).alias(name), pl.lit(0, pl.Int32).alias(bad)
        )
    pieces = pl.col(text).str.split(";")
    # The common case: every value exactly YYYY-MM-DD (a census return): read as it stands.
    iso = out.select(
        pieces.list.eval(pl.element().str.to_date("%Y-%m-%d", strict=False)).alias("d"),
        pieces.list.eval(pl.element().str.len_bytes() == 10).list.all().alias("ten"),
    )
    unread = iso.select(pl.col("d").list.eval(pl.element().is_null()).list.any()).to_series()
    if iso["ten"].drop_nulls().all() and not unread.drop_nulls().any():
        return out.with_columns(iso["d"].alias(name), pl.lit(0, pl.Int32).alias(bad))
    texts = out.select(pieces.explode().str.strip_chars().alias("t")).drop_nulls().unique()
    texts = texts.filter(pl.col("t") != "")
    if order is None:  # the plan dates were all ISO: these values may still settle it
        found = numeric_order([texts["t"]])
        order = found if found == "dmy" or found == "mdy" else None
    dates = texts.select("t", parse_date(pl.col("t"), order).alias("d"))
    read = pieces.list.eval(
        pl.element()
        .str.strip_chars()
        .replace_strict(dates["t"], dates["d"], default=None, return_dtype=pl.Date)
    )
    written = pieces.list.eval(pl.element().str.strip_chars() != "").list.sum()
    return out.with_columns(
        read.list.drop_nulls().alias(name),
        (written - read.list.drop_nulls().list.len()).fill_null(0).cast(pl.Int32).alias(bad),
    )


def next_review_due(starts: pl.Series, latest: pl.Series) -> pl.Expr:
    """Annex A gives only each plan's latest review conference: the next is due 6 calendar
    months after it, or, with none after the start, 3 months after the start. (Whether the
    earlier reviews were in time cannot be known: this is not D6, see docs/measures.md.)"""
    after_start = pl.col(latest.name) > pl.col(starts.name)
    return (
        pl.when(after_start)
        .then(_months_later(latest, 6))
        .otherwise(_months_later(starts, 3))
        .alias(s.NEXT_REVIEW_DUE)
    )
