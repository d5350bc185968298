"""Each plan's part in each measure, for one period: the one definition of every measure that
the breakdowns, the lists and ``explain`` share.

``engine`` counts the same things for many periods at once, fast; this module says, plan by
plan, which records make a figure. Tests hold the two to the same numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from cpmetrics import schema as s
from cpmetrics.engine import Options, prepare
from cpmetrics.measures import BY_ID
from cpmetrics.periods import Period
from cpmetrics.reviews import DEADLINE, REVIEWS
from cpmetrics.visits import VisitInterval, calendar_for

VISIT_DUES = "visit_dues"  # each visit's due date, beside visit_list
# The flag columns ``at_period`` adds, one for each set of records a measure counts.
OPEN = "open_at_r"  # a plan open at R
CURRENT = "current"  # the child's current plan at R: the latest-started open one
ON_2Y = "on_2y"  # a current plan that had lasted 2 years or more at R
ON_REPEAT = "on_repeat"  # a current plan that is a second or subsequent plan
STARTED = "started"  # started in the period
REPEAT_STARTED = "repeat_started"
ENDED = "ended"  # ended in the period
ENDED_2Y = "ended_2y"  # ended in the period after 2 years or more
ANY_POINT = "any_point"  # open at any point in the period
CHILD_STARTED = "child_started"  # one plan for each child who started one (the first)
CHILD_ENDED = "child_ended"  # one plan for each child whose plan ended (the last)
CHILD_ANY_POINT = "child_any_point"  # one plan for each child on a plan at any point
FAMILY = "family_current"  # one current plan for each family with a child on a plan
FAMILY_2Y = "family_2y"  # one 2-year plan for each family with a child on a plan 2y+
REVIEW_DUE = "review_due"  # a current plan due its reviews (started by R minus 3 months)
REVIEW_OK = "review_ok"  # ... whose reviews are in time at R (DfE D6, reviews.py)
REVIEW_LATEST_DUE = "review_latest_due"  # REVIEW_DUE, where only the latest review is known
REVIEW_NOT_OVERDUE = "review_not_overdue"  # ... whose next review is not overdue at R
VISIT_DUE = "visit_due"  # a current plan open for at least the visit interval (visits.py)
VISIT_OK = "visit_ok"  # ... whose child was visited in the interval ending on R
TRANSFER_IN = "transfer_in_started"  # started in the period as a transfer in
TRANSFER_OUT = "transfer_out_ended"  # ended in the period as a transfer out


@dataclass(frozen=True)
class Counted:
    """The records a measure counts: its numerator, and its denominator (None: a count)."""

    numerator: str
    denominator: str | None = None


# Every measure but the rate's population: which records it counts.
MEASURE_RECORDS: dict[str, Counted] = {
    "children_on_plan": Counted(CURRENT),
    "rate_per_10k": Counted(CURRENT),  # the denominator is the population, not records
    "open_2y_plus_pct": Counted(ON_2Y, CURRENT),
    "ceased_2y_plus_pct": Counted(ENDED_2Y, ENDED),
    "repeat_plan_pct": Counted(REPEAT_STARTED, STARTED),
    "plans_started": Counted(STARTED),
    "plans_ended": Counted(ENDED),
    "children_started": Counted(CHILD_STARTED),
    "children_ended": Counted(CHILD_ENDED),
    "plans_any_point": Counted(ANY_POINT),
    "children_any_point": Counted(CHILD_ANY_POINT),
    "open_repeat_pct": Counted(ON_REPEAT, CURRENT),
    "families_on_plan": Counted(FAMILY),
    "families_open_2y_plus": Counted(FAMILY_2Y),
    "reviews_in_time_pct": Counted(REVIEW_OK, REVIEW_DUE),
    "review_not_overdue_pct": Counted(REVIEW_NOT_OVERDUE, REVIEW_LATEST_DUE),
    "visits_in_time_pct": Counted(VISIT_OK, VISIT_DUE),
    "transfers_in": Counted(TRANSFER_IN),
    "transfers_out": Counted(TRANSFER_OUT),
}


# Per-plan facts from reviews and visits (null where the extract has none).
_FACTS: dict[str, pl.DataType | type[pl.DataType]] = {
    "review_from": pl.Date,
    DEADLINE: pl.Date,
    REVIEWS: pl.Int64,
    s.NEXT_REVIEW_DUE: pl.Date,
    s.VISIT_FROM: pl.Date,
    s.VISIT_LIST: pl.List(pl.Date),
    s.SEEN_ALONE_LIST: pl.List(pl.Boolean),
    s.VISITS_LATEST_ONLY: pl.Boolean,
}


def plan_facts(plans: pl.DataFrame, timeline: pl.DataFrame, options: Options) -> pl.DataFrame:
    """Every plan used, in child order, with its canonical columns (``plans``, from
    ``load_plans``) beside what the engine works out for it (``timeline``): the 2-year point,
    whether it lasted 2 years, whether it is a repeat."""
    prepared = prepare(timeline, options)
    facts = prepared.select(
        s.ROW,
        s.CHILD_KEY,
        "two_years",
        "lasted_2y",
        "is_repeat",
        "previous_end",
        # The family as the engine keys it (null: none), for the same choice of current plan.
        pl.col(s.FAMILY_KEY)
        if s.FAMILY_KEY in prepared.columns
        else pl.lit(None, pl.UInt64).alias(s.FAMILY_KEY),
        # Transfers (null: the extract gives no reasons).
        *(
            pl.col(flag) if flag in prepared.columns else pl.lit(None, pl.Boolean).alias(flag)
            for flag in (s.TRANSFER_IN, s.TRANSFER_OUT)
        ),
        # D6 (and Annex A's latest review): from when the plan is due reviews, and until
        # when they are in time; visits: from when the plan is due a visit, and its visits.
        *(
            pl.col(c) if c in prepared.columns else pl.lit(None, dtype).alias(c)
            for c, dtype in _FACTS.items()
        ),
    )
    facts = facts.with_columns(_visit_dues(facts, options.visit_interval))
    return facts.join(plans, on=s.ROW, how="left", maintain_order="left")


def _visit_dues(facts: pl.DataFrame, interval: VisitInterval) -> pl.Series:
    """Each visit's due date, beside the plan's visit dates (visits.py): a list of the same
    length as each plan's visit_list (empty where it is empty, null where it is null)."""
    visits = facts.select(pl.int_range(pl.len()).alias("_i"), s.VISIT_LIST).explode(s.VISIT_LIST)
    calendar = calendar_for(interval, [visits[s.VISIT_LIST]])
    if calendar is None:  # no visit at all: the lists as they are (empty, or null)
        return facts[s.VISIT_LIST].alias(VISIT_DUES)
    dues = visits.drop_nulls(s.VISIT_LIST).select(
        "_i", calendar.due_of(pl.col(s.VISIT_LIST)).alias(VISIT_DUES)
    )
    per_plan = dues.group_by("_i").agg(VISIT_DUES)
    every = facts.select(pl.int_range(pl.len()).alias("_i"), s.VISIT_LIST)
    joined = every.join(per_plan, on="_i", how="left", maintain_order="left")
    return joined.select(
        pl.when(pl.col(s.VISIT_LIST).is_null())
        .then(None)
        .otherwise(pl.col(VISIT_DUES).fill_null(pl.lit([], pl.List(pl.Date))))
        .alias(VISIT_DUES)
    ).to_series()


def within(facts: pl.DataFrame, period: Period) -> pl.DataFrame:
    """The plans that can count in ``period`` at all (open at some point in it): every set
    of records above is among them, so a month's work need not touch years of history."""
    start, end = pl.col(s.START_DATE), pl.col(s.END_DATE)
    return facts.filter((start <= period.end) & (end.is_null() | (end >= period.start)))


def at_period(facts: pl.DataFrame, period: Period) -> pl.DataFrame:
    """``facts`` with a flag for each set of records (the constants above) in ``period``."""
    first, last = period.start, period.end
    start, end = pl.col(s.START_DATE), pl.col(s.END_DATE)
    out = facts.with_columns(
        ((start <= last) & (end.is_null() | (end > last))).alias(OPEN),
        start.is_between(first, last).alias(STARTED),
        end.is_between(first, last).fill_null(False).alias(ENDED),
        ((start <= last) & (end.is_null() | (end >= first))).alias(ANY_POINT),
    )
    # The child's current plan: the latest-started open one; of two started the same day, a
    # repeat, then the larger family key (engine.current_plan_order; never the rows' order).
    current_order = [s.START_DATE, "is_repeat", s.FAMILY_KEY, DEADLINE, s.NEXT_REVIEW_DUE]
    out = out.with_columns(
        _one_per(out, s.CHILD_KEY, OPEN, [*current_order, s.ROW], last=True).alias(CURRENT),
        _one_per(out, s.CHILD_KEY, STARTED, [s.START_DATE, s.ROW]).alias(CHILD_STARTED),
        _one_per(out, s.CHILD_KEY, ENDED, [s.END_DATE, s.ROW], last=True).alias(CHILD_ENDED),
        _one_per(out, s.CHILD_KEY, ANY_POINT, [*current_order, s.ROW], last=True).alias(
            CHILD_ANY_POINT
        ),
    )
    review_due = pl.col(CURRENT) & (pl.col("review_from") <= last).fill_null(False)
    latest_due = review_due & pl.col(s.NEXT_REVIEW_DUE).is_not_null()
    visit_due = pl.col(CURRENT) & (pl.col(s.VISIT_FROM) <= last).fill_null(False)
    out = out.with_columns(
        (review_due & pl.col(DEADLINE).is_not_null()).alias(REVIEW_DUE),
        (review_due & (pl.lit(last) <= pl.col(DEADLINE)).fill_null(False)).alias(REVIEW_OK),
        latest_due.alias(REVIEW_LATEST_DUE),
        (latest_due & (pl.lit(last) <= pl.col(s.NEXT_REVIEW_DUE))).alias(REVIEW_NOT_OVERDUE),
        visit_due.alias(VISIT_DUE),
        (visit_due & pl.col(s.CHILD_KEY).is_in(_seen(out, last).implode())).alias(VISIT_OK),
        (pl.col(CURRENT) & (pl.col("two_years") <= last)).alias(ON_2Y),
        (pl.col(CURRENT) & pl.col("is_repeat")).alias(ON_REPEAT),
        (pl.col(STARTED) & pl.col("is_repeat")).alias(REPEAT_STARTED),
        (pl.col(STARTED) & pl.col(s.TRANSFER_IN)).fill_null(False).alias(TRANSFER_IN),
        (pl.col(ENDED) & pl.col(s.TRANSFER_OUT)).fill_null(False).alias(TRANSFER_OUT),
        (pl.col(ENDED) & pl.col("lasted_2y")).alias(ENDED_2Y),
    )
    # A family is counted once, through its first child to start the current plan.
    return out.with_columns(
        _one_per(out, s.FAMILY_ID, CURRENT, [s.START_DATE, s.ROW]).alias(FAMILY),
        _one_per(out, s.FAMILY_ID, ON_2Y, [s.START_DATE, s.ROW]).alias(FAMILY_2Y),
    )


def last_visits(facts: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """Each child's last visit on or before ``day``, on any of its plans (a visit is to the
    child), and that visit's due date: ``_child``, ``last_done``, ``next_due`` (visits.py)."""
    return (
        facts.select(
            s.CHILD_KEY,
            pl.col(s.VISIT_LIST).alias("last_done"),
            pl.col(VISIT_DUES).alias("next_due"),
        )
        .explode("last_done", "next_due")
        .filter(pl.col("last_done") <= day)
        .sort("last_done")
        .group_by(s.CHILD_KEY)
        .agg(pl.col("last_done").last(), pl.col("next_due").last())
    )


def _seen(facts: pl.DataFrame, day: dt.date) -> pl.Series:
    """The children visited in the interval ending on ``day``, as the engine counts them: the
    last visit's due date is not before the day."""
    last = last_visits(facts, day)
    return last.filter(pl.col("next_due") >= day)[s.CHILD_KEY]


def _one_per(
    frame: pl.DataFrame, group: str, among: str, order: list[str], *, last: bool = False
) -> pl.Series:
    """True on one row of each ``group`` (not null) among the rows flagged ``among``: the
    first (or last) by ``order``. The rows flagged are few: only they are sorted."""
    picked = (
        frame.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_i"), group, *order, among)
        .filter(pl.col(among) & pl.col(group).is_not_null())
        .sort(group, *order)
    )
    keep = pl.col(group).is_last_distinct() if last else pl.col(group).is_first_distinct()
    rows = picked.filter(keep)["_i"]
    flags = pl.select(pl.repeat(False, frame.height, dtype=pl.Boolean)).to_series()
    return flags.scatter(rows, True) if rows.len() else flags


def counts(flagged: pl.DataFrame) -> dict[str, tuple[int, int | None]]:
    """(numerator, denominator) of each measure from its records (the rate's denominator, the
    population, is not a record: None here)."""
    sums = flagged.select(
        pl.col(c).sum() for c in {c for m in MEASURE_RECORDS.values() for c in _sets(m)}
    ).row(0, named=True)
    return {
        measure: (
            int(sums[counted.numerator]),
            int(sums[counted.denominator]) if counted.denominator else None,
        )
        for measure, counted in MEASURE_RECORDS.items()
        if not BY_ID[measure].needs or s.defined(flagged, BY_ID[measure].needs)
    }


def _sets(counted: Counted) -> list[str]:
    return [counted.numerator, *([counted.denominator] if counted.denominator else [])]


def months_between(start: pl.Expr, day: dt.date | pl.Expr) -> pl.Expr:
    """Whole calendar months from ``start`` to ``day`` (start + n months <= day)."""
    end = day if isinstance(day, pl.Expr) else pl.lit(day)
    months = (end.dt.year() - start.dt.year()) * 12 + (end.dt.month() - start.dt.month())
    # A month not yet complete (the day of the month not reached) does not count; a start on
    # the 31st reaches a 30-day month's end on its last day, as offset_by does.
    reached = start.dt.offset_by(pl.format("{}mo", months)) <= end
    return pl.when(reached).then(months).otherwise(months - 1).cast(pl.Int32)


def with_column(
    facts: pl.DataFrame,
    name: str,
    others: pl.DataFrame | None,
    headings: dict[str, str],
    *,
    alias: str,
) -> pl.DataFrame:
    """``facts`` with the extract column ``name`` as text under ``alias``: a canonical name
    (family_id), the file's heading of one (Unique Family ID), or one of the extract's other
    columns (Team), matched as headings are (case, spaces and punctuation aside). Values are
    trimmed, and blanks and markers such as NULL are null (a group "not recorded")."""
    from cpmetrics.errors import UsageError
    from cpmetrics.markers import BLANK_MARKERS, spellings

    loose = {s.normalise_header(h): c for h, c in headings.items()}
    canonical = (
        name if name in s.CANONICAL else headings.get(name) or loose.get(s.normalise_header(name))
    )
    if canonical is not None and canonical in facts.columns:
        column = facts.with_columns(pl.col(canonical).cast(pl.String).alias(alias))
    else:
        extra = [c for c in (others.columns if others is not None else []) if c != s.ROW]
        found = name if name in extra else _loosely(name, extra)
        if found is None or others is None:
            raise UsageError(
                f"no column '{name}' in the extract"
                + (f" (its other columns: {', '.join(extra[:12])})" if extra else "")
            )
        picked = others.select(s.ROW, pl.col(found).cast(pl.String).alias(alias))
        column = facts.join(picked, on=s.ROW, how="left", maintain_order="left")
    text = pl.col(alias).str.strip_chars()
    blank = text.is_in(spellings(BLANK_MARKERS)) | (text == "")
    return column.with_columns(pl.when(blank).then(None).otherwise(text).alias(alias))


def _loosely(name: str, headings: list[str]) -> str | None:
    """The one heading that is ``name`` but for case, spaces and punctuation."""
    matches = [h for h in headings if s.normalise_header(h) == s.normalise_header(name)]
    return matches[0] if len(matches) == 1 else None
