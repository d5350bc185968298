"""The children behind a figure: the watchlist of long plans, and the records behind any
measure (``explain``), from the same records as the counts (``records.at_period``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from cpmetrics import records as r
from cpmetrics import schema as s
from cpmetrics.breakdowns import age_in_years
from cpmetrics.errors import UsageError
from cpmetrics.measures import BY_ID
from cpmetrics.periods import Period
from cpmetrics.reviews import DEADLINE

WATCHLIST_COLUMNS = (
    "child_id",
    "family_id",
    "start_date",
    "months_on_plan",
    "days_on_plan",
    "reaches_2y_on",
    "previous_plans",
    "plan_number",
    "initial_category",
    "latest_category",
    "age",
)
EXPLAIN_COLUMNS = (
    "measure",
    "child_id",
    "family_id",
    "start_date",
    "end_date",
    "line",
    "in_numerator",
    "in_denominator",
    "reason",
)


def with_plan_number(facts: pl.DataFrame) -> pl.DataFrame:
    """Each plan's number among its child's plans in the extract (1: the first to start), and
    the latest earlier-started plan's dates (for saying why a plan is a repeat).

    ``facts`` come in child, start and row order (the timeline's): no sort, no window.
    """
    key, start = pl.col(s.CHILD_KEY), pl.col(s.START_DATE)
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    same = (key == key.shift(1)).fill_null(False)
    first_of_child = pl.when(~same).then(index).forward_fill()
    # The row of the latest plan that started on an earlier day (-1: none), carried over rows
    # that start the same day as the one before.
    earlier = (
        pl.when(~same)
        .then(-1)
        .when(start.shift(1) < start)
        .then(index - 1)
        .otherwise(None)
        .forward_fill()
    )
    numbered = facts.with_columns(
        (index - first_of_child + 1).alias("plan_number"), earlier.alias("_earlier")
    )
    at = pl.col("_earlier")
    return numbered.with_columns(
        pl.when(at >= 0).then(pl.col(s.START_DATE).gather(at.clip(0))).alias("_earlier_start"),
        pl.when(at >= 0).then(pl.col(s.END_DATE).gather(at.clip(0))).alias("_earlier_end"),
    ).drop("_earlier")


def watchlist(
    facts: pl.DataFrame,
    on: dt.date,
    *,
    months: int | None = 15,
    reaching_within: dt.timedelta | None = None,
    columns: Sequence[str] = (),
    others: pl.DataFrame | None = None,
    headings: dict[str, str] | None = None,
) -> pl.DataFrame:
    """Children on a plan on ``on`` whose current plan has lasted at least ``months`` calendar
    months; or, with ``reaching_within``, those whose plan reaches 2 years after ``on`` and
    within that time. Longest first, each family's children together."""
    flagged = r.at_period(with_plan_number(facts), Period(on, on, str(on)))
    current = flagged.filter(pl.col(r.CURRENT))
    start = pl.col(s.START_DATE)
    current = current.with_columns(
        r.months_between(start, on).alias("months_on_plan"),
        (pl.lit(on) - start).dt.total_days().cast(pl.Int64).alias("days_on_plan"),
        pl.col("two_years").alias("reaches_2y_on"),
        age_in_years(pl.lit(on)).alias("age"),
    )
    if reaching_within is not None:
        two = pl.col("two_years")
        current = current.filter((two > on) & (two <= on + reaching_within))
    elif months is not None:
        current = current.filter(pl.col("months_on_plan") >= months)
    # Other columns asked for, once each, under the names asked for.
    # ('Team' and 'team' are one column, as headings are matched.)
    loose: dict[str, str] = {}
    for c in columns:
        loose.setdefault(s.normalise_header(c), c)
    extra = [c for c in loose.values() if c not in WATCHLIST_COLUMNS]
    for name in extra:
        current = r.with_column(current, name, others, headings or {}, alias=name)
    # Families together, the family of the longest-serving child first; then longest first.
    family = pl.coalesce(pl.col(s.FAMILY_ID), pl.lit("\x00") + pl.col(s.CHILD_ID))
    current = current.with_columns(
        start.min().over(family).alias("_family_start"), family.alias("_family")
    ).sort("_family_start", "_family", s.START_DATE, s.CHILD_ID)
    sources = ["_file"] if "_file" in current.columns else []
    out = current.select(*WATCHLIST_COLUMNS, *extra, *sources)
    return out.rename({"_file": "source"}) if sources else out


def explain(
    facts: pl.DataFrame, measure: str, period: Period, *, repeat_rule: str = "either"
) -> pl.DataFrame:
    """The plan records behind ``measure`` in ``period``: every record of its denominator (or,
    for a count, every record counted), whether it is in the numerator, and why in words."""
    if measure not in r.MEASURE_RECORDS:
        raise UsageError(f"no measure '{measure}'; measures: {', '.join(r.MEASURE_RECORDS)}")
    if BY_ID[measure].needs and not s.defined(facts, BY_ID[measure].needs):
        raise UsageError(
            f"{measure} is not defined for this extract: it has no {BY_ID[measure].needs}"
        )
    counted = r.MEASURE_RECORDS[measure]
    flagged = r.at_period(with_plan_number(facts), period)
    base = counted.denominator or counted.numerator
    rows = flagged.filter(pl.col(base)).rechunk()  # (polars 2.1 panics on string ops over chunks)
    if counted.numerator == r.REVIEW_OK:
        rows = _with_reviews_held(rows, period.end)
    has_denominator = counted.denominator is not None
    rows = rows.with_columns(
        pl.col(counted.numerator).alias("in_numerator"),
        (pl.lit(True) if has_denominator else pl.lit(None, pl.Boolean)).alias("in_denominator"),
        _reason(measure, period, repeat_rule).alias("reason"),
        pl.lit(measure).alias("measure"),
    ).sort(s.START_DATE, s.CHILD_ID, s.ROW)
    extra = ["_file"] if "_file" in rows.columns else []
    out = rows.select(*EXPLAIN_COLUMNS, *extra)
    return out.rename({"_file": "source"}) if extra else out


def _with_reviews_held(rows: pl.DataFrame, by: dt.date) -> pl.DataFrame:
    """``_held_by_r``: how many of each plan's reviews were held after its start and by ``by``."""
    numbered = rows.with_row_index("_k")
    held = (
        numbered.select("_k", s.START_DATE, pl.col(s.REVIEW_LIST).alias("_held"))
        .explode("_held")
        .filter((pl.col("_held") > pl.col(s.START_DATE)) & (pl.col("_held") <= by))
        .group_by("_k")
        .len()
    )
    return (
        numbered.join(held, on="_k", how="left", maintain_order="left")
        .with_columns(pl.col("len").fill_null(0).alias("_held_by_r"))
        .drop("_k", "len")
    )


def _duration(start: pl.Expr, day: pl.Expr) -> pl.Expr:
    """'2y 3m': whole years and months from ``start`` to ``day``."""
    months = r.months_between(start, day)
    return pl.format("{}y {}m", months // 12, months % 12)


def _when(day: pl.Expr) -> pl.Expr:
    return day.dt.strftime("%-d %b %Y")


def _reason(measure: str, period: Period, rule: str) -> pl.Expr:
    """Why the record is counted (or, in a denominator, why it is there), in words."""
    start, end = pl.col(s.START_DATE), pl.col(s.END_DATE)
    at = pl.lit(period.end)
    open_at = pl.format("open at {}, on the plan {}", _when(at), _duration(start, at))
    ended = pl.format("ended {} after {}", _when(end), _duration(start, end))
    started = pl.format("started {}", _when(start))
    earlier = pl.format(
        "{}: earlier plan {} to {}",
        pl.when(pl.col("plan_number") == 2)
        .then(pl.lit("second plan"))
        .otherwise(pl.format("plan {}", pl.col("plan_number"))),
        pl.col("_earlier_start").cast(pl.String),
        pl.col("_earlier_end").cast(pl.String).fill_null("open"),
    )
    signals = (
        pl.when(pl.col("_earlier_start").is_not_null())
        .then(earlier)
        .when(pl.col(s.PREVIOUS_PLANS).fill_null(0) > 0)
        .then(pl.format("previous-plans count {}", pl.col(s.PREVIOUS_PLANS)))
    )
    # What the repeat rule made of the signals: a plan with an earlier one is not always a
    # repeat ('count' and 'within' rules).
    repeat = (
        pl.when(pl.col("is_repeat"))
        .then(signals)
        .when(signals.is_not_null())
        .then(pl.format("not a repeat by the '{}' rule: {}", pl.lit(rule), signals))
        .otherwise(pl.lit("first plan"))
    )
    kind = BY_ID[measure]
    counted = r.MEASURE_RECORDS[measure]
    if counted.numerator == r.TRANSFER_IN:
        return pl.format("{}; start reason '{}'", started, pl.col(s.START_REASON))
    if counted.numerator == r.TRANSFER_OUT:
        return pl.format("{}; end reason '{}'", ended, pl.col(s.END_REASON))
    if counted.numerator in (r.ENDED, r.ENDED_2Y, r.CHILD_ENDED):
        return ended
    if counted.numerator in (r.STARTED, r.CHILD_STARTED):
        return started
    if counted.numerator == r.REPEAT_STARTED:
        return pl.format("{}; {}", started, repeat)
    if counted.numerator in (r.ANY_POINT, r.CHILD_ANY_POINT):
        return pl.format(
            "on a plan from {} to {}",
            _when(start),
            pl.when(end.is_null())
            .then(pl.lit("the extract date (still open)"))
            .otherwise(_when(end)),
        )
    if counted.numerator == r.ON_REPEAT:
        return pl.format("{}; {}", open_at, repeat)
    if kind.unit == "families":
        return pl.format("family {}: {}", pl.col(s.FAMILY_ID), open_at)
    if counted.numerator == r.REVIEW_OK:
        return pl.format(
            "{}; {} review(s) held by then; reviews in time until {}",
            open_at,
            pl.col("_held_by_r"),
            pl.col(DEADLINE).cast(pl.String),
        )
    return open_at


OVERDUE_COLUMNS = (
    "child_id",
    "family_id",
    "start_date",
    "what",
    "last_done",
    "due_on",
    "days_overdue",
)


def overdue(
    facts: pl.DataFrame, on: dt.date, *, within: dt.timedelta | None = None
) -> pl.DataFrame:
    """Children on a plan on ``on`` whose next review is overdue (due before the day), or falls
    due ``within`` the time after it; most overdue first. The next review is due 3 calendar
    months after the start, or 6 after the last review held by the day (docs/measures.md, D6).
    """
    flagged = r.at_period(r.within(facts, Period(on, on, str(on))), Period(on, on, str(on)))
    current = flagged.filter(pl.col(r.CURRENT)).with_row_index("_i")
    start = pl.col(s.START_DATE)
    held = (
        current.select("_i", s.START_DATE, pl.col(s.REVIEW_LIST).alias("_held"))
        .explode("_held")
        .filter((pl.col("_held") > start) & (pl.col("_held") <= on))
        .group_by("_i")
        .agg(pl.col("_held").max().alias("last_done"))
    )
    listed = current.join(held, on="_i", how="left").with_columns(
        pl.lit("review").alias("what"),
        pl.when(pl.col("last_done").is_null())
        .then(start.dt.offset_by("3mo"))
        .otherwise(pl.col("last_done").dt.offset_by("6mo"))
        .alias("due_on"),
    )
    listed = listed.with_columns(
        (pl.lit(on) - pl.col("due_on")).dt.total_days().cast(pl.Int64).alias("days_overdue")
    )
    horizon = on + (within or dt.timedelta(0))
    due = pl.col("due_on") < on if within is None else pl.col("due_on") <= horizon
    return (
        listed.filter(due)
        .sort("days_overdue", s.CHILD_ID, descending=[True, False])
        .select(OVERDUE_COLUMNS)
    )
