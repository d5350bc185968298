"""The children behind a figure: the watchlist of long plans, and the records behind any
measure (``explain``), from the same records as the counts (``records.at_period``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from cpmetrics import coverage
from cpmetrics import records as r
from cpmetrics import schema as s
from cpmetrics.breakdowns import age_in_years
from cpmetrics.dates import months_after
from cpmetrics.errors import UsageError
from cpmetrics.measures import BY_ID, not_defined
from cpmetrics.periods import Period

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
    if measure in BY_ID and measure not in r.MEASURE_RECORDS:
        raise UsageError(f"{measure} counts visits, not plans or children: it has no list")
    if measure not in r.MEASURE_RECORDS:
        raise UsageError(f"no measure '{measure}'; measures: {', '.join(r.MEASURE_RECORDS)}")
    if BY_ID[measure].needs and not s.defined(facts, BY_ID[measure].needs):
        raise UsageError(not_defined(measure))
    since = coverage.known_from(facts).get(measure)
    if since is not None and period.end < since:
        raise UsageError(
            f"{measure} cannot be counted at {period.end}: its records begin, or are known "
            f"only, from {since} (docs/measures.md)"
        )
    counted = r.MEASURE_RECORDS[measure]
    flagged = r.at_period(with_plan_number(facts), period)
    base = counted.denominator or counted.numerator
    rows = flagged.filter(pl.col(base)).rechunk()  # (polars 2.1 panics on string ops over chunks)
    if counted.numerator == r.REVIEW_OK:
        rows = rows.with_columns(_review_story(rows, period.end))
    elif counted.numerator == r.VISIT_OK:
        rows = rows.with_columns(_visit_story(rows, facts, period.end))
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


def _review_story(rows: pl.DataFrame, by: dt.date) -> pl.Series:
    """``_story``: each plan's reviews held by ``by``, each with its due date, the next due
    date, and the first one missed (D6, docs/measures.md)."""
    stories = []
    for start, held in zip(rows[s.START_DATE], rows[s.REVIEW_LIST].to_list(), strict=True):
        due, parts, missed = months_after(start, 3), [], ""
        for day in sorted(d for d in held or [] if start < d <= by):
            parts.append(f"{day} (due {due})")
            if day > due and not missed:
                missed = f"the review due {due} was held on {day}"
            due = months_after(day, 6)
        if not missed and due < by:
            missed = f"the review due {due} was not held by {by}"
        stories.append(
            f"reviews held: {', '.join(parts) or 'none'}; next due {due}"
            + (f"; first missed: {missed}" if missed else "")
        )
    return pl.Series("_story", stories, dtype=pl.String)


def _visit_story(rows: pl.DataFrame, facts: pl.DataFrame, by: dt.date) -> pl.Series:
    """``_story``: the child's last visit by ``by`` (on any of its plans) and when the next
    was due (visits.py)."""
    joined = rows.select(s.CHILD_KEY, s.VISIT_FROM).join(
        r.last_visits(facts, by), on=s.CHILD_KEY, how="left", maintain_order="left"
    )
    return joined.select(
        pl.when(pl.col("last_done").is_null())
        .then(
            pl.format(
                "no visit by then; the first was due by {}",
                pl.col(s.VISIT_FROM).dt.offset_by("-1d"),
            )
        )
        .otherwise(
            pl.format("last visit {}, the next due by {}", pl.col("last_done"), pl.col("next_due"))
        )
        .alias("_story")
    ).to_series()


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
    if counted.numerator in (r.REVIEW_OK, r.VISIT_OK):
        return pl.format("{}; {}", open_at, pl.col("_story"))
    if counted.numerator == r.REVIEW_NOT_OVERDUE:
        return pl.format(
            "{}; latest review {}; the next due by {}",
            open_at,
            pl.col(s.LATEST_REVIEW).cast(pl.String).fill_null("none after the start"),
            pl.col(s.NEXT_REVIEW_DUE),
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
    """Children on a plan on ``on`` whose next review or visit is overdue (due before the day),
    or falls due ``within`` the time after it; most overdue first.

    Reviews: the next is due 3 calendar months after the start, or 6 after the last review
    held by the day (D6; Annex A's latest review counts as held). Visits: due by the due date
    of the child's last visit (visits.py), or, with none, by the day before the plan is first
    due one. Where the extract has no reviews (visits), none are listed."""
    day = Period(on, on, str(on))
    current = r.at_period(r.within(facts, day), day).filter(pl.col(r.CURRENT))
    current = current.with_row_index("_i")
    known = overdue_known(facts, on)
    parts = []
    if known["review"] == "known":
        parts.append(_reviews_due(current, on))
    if known["visit"] == "known":
        parts.append(_visits_due(current, facts, on))
    if not parts:
        return pl.DataFrame(schema={c: OVERDUE_SCHEMA[c] for c in OVERDUE_COLUMNS})
    listed = pl.concat(parts).with_columns(
        (pl.lit(on) - pl.col("due_on")).dt.total_days().cast(pl.Int64).alias("days_overdue")
    )
    horizon = on + (within or dt.timedelta(0))
    due = pl.col("due_on") < on if within is None else pl.col("due_on") <= horizon
    return (
        listed.filter(due)
        .sort("days_overdue", s.CHILD_ID, "what", descending=[True, False, False])
        .select(OVERDUE_COLUMNS)
    )


def overdue_known(facts: pl.DataFrame, on: dt.date) -> dict[str, str]:
    """For reviews and for visits: 'known' (the list can be made on the day), 'absent' (the
    extract has none), or 'unknown' (only Annex A's latest ones, or visit records that begin
    later: coverage.py)."""
    since = coverage.known_from(facts)
    full_reviews = bool(facts[s.REVIEW_LIST].list.len().sum())
    out = {"review": "absent", "visit": "absent"}
    if full_reviews:
        out["review"] = "known"
    elif s.defined(facts, s.LATEST_REVIEW):
        later = on < since.get(coverage.REVIEW_NOT_OVERDUE, on)
        out["review"] = "unknown" if later else "known"
    if s.defined(facts, s.VISITS):
        out["visit"] = "unknown" if on < since.get(coverage.VISITS_IN_TIME, on) else "known"
    return out


OVERDUE_SCHEMA = {
    "child_id": pl.String,
    "family_id": pl.String,
    "start_date": pl.Date,
    "what": pl.String,
    "last_done": pl.Date,
    "due_on": pl.Date,
    "days_overdue": pl.Int64,
}


def _reviews_due(current: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    start = pl.col(s.START_DATE)
    held = (
        current.select(
            "_i",
            s.START_DATE,
            pl.concat_list(
                pl.col(s.REVIEW_LIST).fill_null(pl.lit([], pl.List(pl.Date))),
                pl.col(s.LATEST_REVIEW) if s.LATEST_REVIEW in current.columns else pl.lit(None),
            ).alias("_held"),
        )
        .explode("_held")
        .filter((pl.col("_held") > start) & (pl.col("_held") <= on))
        .group_by("_i")
        .agg(pl.col("_held").max().alias("last_done"))
    )
    return _listed(
        current.join(held, on="_i", how="left"),
        "review",
        pl.when(pl.col("last_done").is_null())
        .then(start.dt.offset_by("3mo"))
        .otherwise(pl.col("last_done").dt.offset_by("6mo")),
    )


def _visits_due(current: pl.DataFrame, facts: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """Each child's last visit by the day (on any of its plans) and when the next is due: its
    due date, or, if later, the day before its current plan was first due a visit."""
    return _listed(
        current.filter(pl.col(s.VISIT_FROM).is_not_null()).join(
            r.last_visits(facts, on), on=s.CHILD_KEY, how="left"
        ),
        "visit",
        # Not overdue before the plan is first due a visit (as the measure: a visit under an
        # earlier plan does not make a new plan's child overdue from its first day).
        pl.max_horizontal("next_due", pl.col(s.VISIT_FROM).dt.offset_by("-1d")),
    )


def _listed(rows: pl.DataFrame, what: str, due_on: pl.Expr) -> pl.DataFrame:
    return rows.select(
        pl.col(s.CHILD_ID).cast(pl.String),
        pl.col(s.FAMILY_ID).cast(pl.String),
        s.START_DATE,
        pl.lit(what).alias("what"),
        pl.col("last_done").cast(pl.Date),
        due_on.cast(pl.Date).alias("due_on"),
    )
