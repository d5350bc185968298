"""Compute the measures for any list of periods, from clean plan rows.

The work grows with plans plus periods, never their product: snapshot counts come from sorted
start/end dates and binary search (open at R = starts <= R minus ends <= R), flow counts from
assigning each start and end to its period and grouping.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from cpmetrics import coverage
from cpmetrics import schema as s
from cpmetrics.history import HISTORY_COLUMNS, with_child_history
from cpmetrics.intervals import merged, open_on
from cpmetrics.keys import child_key
from cpmetrics.measures import BY_ID, MEASURES
from cpmetrics.periods import Period, reporting_year_end
from cpmetrics.reviews import (
    DEADLINE,
    REVIEWS,
    deadlines,
    due_from,
    next_review_due,
    with_review_list,
)
from cpmetrics.visits import DEFAULT_INTERVAL, VisitInterval, calendar_for

RepeatRule = Literal["either", "history", "count", "within"]
RESULT_COLUMNS = {
    "measure": pl.String,
    "label": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
    "value": pl.Float64,
    "unit": pl.String,
}
_FAR_FUTURE = dt.date(9999, 12, 31)
_EPOCH = dt.date(1970, 1, 1)  # day 0 of polars dates
# History shorter than this before a period makes "second or subsequent" unreliable.
_HISTORY_NEEDED_YEARS = 2


@dataclass(frozen=True)
class Options:
    """The rulings that have a documented alternative (docs/measures.md)."""

    repeat_rule: RepeatRule = "either"
    repeat_within_months: int = 24  # only for repeat_rule="within"
    duration_days: bool = False  # True: 2 years = 730 days instead of calendar years
    # Start (end) reasons that mean a transfer in (out), compared in any case; empty: any
    # reason that mentions a transfer.
    transfer_in: tuple[str, ...] = ()
    transfer_out: tuple[str, ...] = ()
    # How often a child on a plan must be seen (visits.py): '10 working days' by default.
    visit_interval: VisitInterval = field(
        default_factory=lambda: VisitInterval.parse(DEFAULT_INTERVAL)
    )


@dataclass(frozen=True)
class Population:
    """Children aged 0-17: one fixed figure, or ONS mid-year estimates by year."""

    fixed: int | None = None
    by_mid_year: Mapping[int, int] = field(default_factory=dict)
    source: str = ""  # where the estimates come from, for the note ("ONS, West Sussex")

    def for_reference_date(self, day: dt.date) -> tuple[int | None, str]:
        """DfE divides the year ending 31 March Y by the mid-year Y-1 estimate."""
        if self.fixed is not None:
            origin = f", {self.source}" if self.source else ""
            return self.fixed, f"population {self.fixed:,} (as given{origin})"
        mid_year = reporting_year_end(day) - 1
        value = self.by_mid_year.get(mid_year)
        if value is None:
            return None, f"no population estimate for mid-{mid_year}"
        origin = f", {self.source}" if self.source else ""
        return value, f"population {value:,} (mid-{mid_year} estimate{origin})"


@dataclass(frozen=True)
class Result:
    """The long table (one row per measure per period) and notes for the reader."""

    table: pl.DataFrame
    notes: tuple[str, ...] = ()


def compute(
    plans: pl.DataFrame,
    periods: Sequence[Period],
    *,
    population: Population | None = None,
    options: Options | None = None,
) -> Result:
    """Every measure for every period. ``plans`` holds clean rows with canonical columns."""
    return compute_each(plans, [periods], population=population, options=options)[0]


def compute_each(
    plans: pl.DataFrame,
    groups: Sequence[Sequence[Period]],
    *,
    population: Population | None = None,
    options: Options | None = None,
) -> list[Result]:
    """``compute`` for each group of periods (a trend's months, then its year to date), from
    one preparation of the plans: each group gets its own table and notes."""
    options = options or Options()
    population = population or Population()
    prepared = prepare(_as_dates(plans), options)
    # Snapshots at each reference date, and the day before each period (for "at any point").
    days = sorted(
        {p.end for periods in groups for p in periods}
        | {p.start - dt.timedelta(days=1) for periods in groups for p in periods}
    )
    snapshot = dict(zip(days, snapshot_counts(prepared, days, options), strict=True))
    return [_result(prepared, list(periods), snapshot, options, population) for periods in groups]


def _result(
    prepared: pl.DataFrame,
    periods: list[Period],
    snapshot: Mapping[dt.date, Snapshot],
    options: Options,
    population: Population,
) -> Result:
    flow = flow_counts(prepared, periods)
    notes = _notes(prepared, periods, flow, options, population)
    # A family measure is defined only where the extract has family ids: absent, never 0.
    defined = [m for m in MEASURES if not m.needs or _has(prepared, m.needs)]
    rows = []
    known_from = coverage.known_from(prepared)
    for i, period in enumerate(periods):
        pop, _ = population.for_reference_date(period.end)
        at, before = snapshot[period.end], snapshot[period.start - dt.timedelta(days=1)]
        f = flow[i]
        figures: dict[str, tuple[int, int | None]] = {
            "children_on_plan": (at.children, None),
            "rate_per_10k": (at.children, pop),
            "open_2y_plus_pct": (at.children_2y, at.children),
            "ceased_2y_plus_pct": (f["ceased_2y"], f["plans_ended"]),
            "repeat_plan_pct": (f["repeats"], f["plans_started"]),
            "plans_started": (f["plans_started"], None),
            "plans_ended": (f["plans_ended"], None),
            "children_started": (f["children_started"], None),
            "children_ended": (f["children_ended"], None),
            # Open the day before the period, plus what started in it (spec, DfE D1).
            "plans_any_point": (before.plans + f["plans_started"], None),
            "children_any_point": (before.children + f["children_new"], None),
            "open_repeat_pct": (at.children_repeat, at.children),
            "families_on_plan": (at.families, None),
            "families_open_2y_plus": (at.families_2y, None),
            "reviews_in_time_pct": (at.reviews_in_time, at.reviews_due),
            "review_not_overdue_pct": (at.reviews_not_overdue, at.latest_reviews_due),
            "visits_in_time_pct": (at.visits_in_time, at.visits_due),
            "visits_seen_alone_pct": (f["seen_alone"], f["seen_alone_known"]),
            "transfers_in": (f["transfers_in"], None),
            "transfers_out": (f["transfers_out"], None),
        }
        for measure in defined:
            numerator, denominator = figures[measure.id]
            since = known_from.get(measure.id)
            if since is not None and period.end < since:
                # Only the latest review or visit is known: nothing before it can be counted.
                unknown: dict[str, Any] = {"measure": measure.id, "label": measure.label}
                unknown |= {"period_start": period.start, "period_end": period.end}
                rows.append(unknown | {"unit": measure.unit})
                continue
            rows.append(
                {
                    "measure": measure.id,
                    "label": measure.label,
                    "period_start": period.start,
                    "period_end": period.end,
                    "numerator": numerator,
                    "denominator": denominator,
                    "value": _value(measure.id, numerator, denominator),
                    "unit": measure.unit,
                }
            )
    return Result(pl.DataFrame(rows, schema=RESULT_COLUMNS), tuple(notes))


def _transfer(reason: pl.Expr, values: Sequence[str], direction: str) -> pl.Expr:
    """Whether a start (``direction`` 'in') or end ('out') reason is a transfer: one of
    ``values`` (any case), or, with none given, a reason naming a transfer the right way
    ('Transfer in from another LA', 'TRANSFERRED OUT', 'Transfer to another local
    authority'), not the other way, not denied ('No transfer needed') and not a step to a
    child in need plan ('Transferred to CIN plan')."""
    text = reason.str.strip_chars().str.to_lowercase()
    if values:
        return text.is_in([v.strip().lower() for v in values]).fill_null(False)
    words = text.str.replace_all(r"[^a-z]+", " ").str.strip_chars()
    other_way = r"\bout\b" if direction == "in" else r"\bin\b"
    return (
        words.str.contains(r"\btransfer")
        & ~words.str.contains(other_way)
        & ~words.str.contains(r"\b(?:no|not|none|cin|need)\b")
    ).fill_null(False)


def _has(prepared: pl.DataFrame, column: str) -> bool:
    """Whether the plans carry what a measure needing ``column`` needs (schema.defined)."""
    return s.defined(prepared, column)


def _as_dates(plans: pl.DataFrame) -> pl.DataFrame:
    """Datetime start and end columns (a frame built in another program) as dates."""
    datetimes = [
        c for c in (s.START_DATE, s.END_DATE) if isinstance(plans.schema.get(c), pl.Datetime)
    ]
    return plans.with_columns(pl.col(datetimes).cast(pl.Date)) if datetimes else plans


def _value(measure_id: str, numerator: int, denominator: int | None) -> float | None:
    unit = BY_ID[measure_id].unit
    if unit == "%":
        return ratio(numerator, denominator, 100)
    if unit == "per 10,000":
        return ratio(numerator, denominator, 10_000)
    return float(numerator)


def ratio(numerator: int, denominator: int | None, scale: int) -> float | None:
    """numerator x scale / denominator to 1 dp, half away from zero, in exact integer arithmetic.

    An empty or zero denominator gives None (an empty value), never 0 or NaN.
    """
    if not denominator:
        return None
    tenths = (2 * numerator * scale * 10 + denominator) // (2 * denominator)
    return tenths / 10


def prepare(plans: pl.DataFrame, options: Options) -> pl.DataFrame:
    """Per-plan facts: the 2-year point, whether the plan lasted 2 years, whether it is a repeat,
    and whether it overlaps an earlier plan of the same child."""
    start, end = pl.col(s.START_DATE), pl.col(s.END_DATE)
    two_years = (
        start + pl.duration(days=730)
        if options.duration_days
        else _by_day(plans[s.START_DATE], lambda days: days.dt.offset_by("2y"))
    )
    previous = (
        pl.col(s.PREVIOUS_PLANS) if s.PREVIOUS_PLANS in plans.columns else pl.lit(None, pl.Int64)
    )
    # Numbers, not names, from here on: sorting and counting children by text is slow.
    key = (
        pl.col(s.CHILD_KEY)
        if s.CHILD_KEY in plans.columns
        else pl.lit(child_key(plans[s.CHILD_ID])).alias(s.CHILD_KEY)
    )
    columns: list[pl.Expr | str] = [key, s.START_DATE, s.END_DATE, previous.alias("_prev")]
    reviews_text = plans.get_column(s.REVIEW_DATES, default=None)
    if (
        DEADLINE not in plans.columns
        and reviews_text is not None
        and reviews_text.drop_nulls().len()
    ):
        # A frame built in another program, with its review dates: their D6 deadlines.
        if s.REVIEW_LIST not in plans.columns:
            plans = with_review_list(plans, s.REVIEW_DATES, None)
        numbered = (
            plans
            if s.ROW in plans.columns
            else plans.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias(s.ROW))
        )
        found = deadlines(numbered.select(s.ROW, s.START_DATE, s.REVIEW_LIST))
        plans = numbered.join(found, on=s.ROW, how="left", maintain_order="left")
    family = plans.get_column(s.FAMILY_ID, default=None)
    if s.FAMILY_KEY not in plans.columns and family is not None and family.drop_nulls().len():
        plans = plans.with_columns(child_key(plans[s.FAMILY_ID]).alias(s.FAMILY_KEY))
    # Carried along for the family measures, D6, and for finding each plan's record again;
    # visits and Annex A's latest review where the extract has them.
    carried = (s.FAMILY_KEY, s.ROW, DEADLINE, REVIEWS, s.LATEST_REVIEW, s.SEEN_ALONE_LIST)
    columns += [c for c in carried if c in plans.columns and _given(plans[c])]
    # Visits given (a visits file, Annex A's last visit): the measure is defined, even where
    # none of them could be used (0 of N, not absent).
    columns += [c for c in (s.VISIT_LIST, s.VISITS_LATEST_ONLY) if c in plans.columns]
    # Transfers, where the extract gives reasons.
    columns += [
        _transfer(pl.col(reason), values, direction).alias(flag)
        for reason, values, direction, flag in (
            (s.START_REASON, options.transfer_in, "in", s.TRANSFER_IN),
            (s.END_REASON, options.transfer_out, "out", s.TRANSFER_OUT),
        )
        # (A column of nothing but blanks gives no reasons: the measure is not defined.)
        if reason in plans.columns and plans[reason].drop_nulls().len()
    ]
    if all(c in plans.columns for c in HISTORY_COLUMNS):
        ordered = plans.select(*columns, *HISTORY_COLUMNS)  # validation worked it out already
    else:
        ordered = with_child_history(plans.select(columns))
    history = start > pl.col("_first_start")
    count = pl.col("_prev").fill_null(0) > 0
    earlier_end = pl.col("_earlier_end")
    # "Within N months of the previous plan's end": previous = started on an earlier day.
    previous_end = pl.col("_previous_end")
    within = history & (start <= previous_end.dt.offset_by(f"{options.repeat_within_months}mo"))
    repeat = {"either": history | count, "history": history, "count": count, "within": within}
    reviews: list[pl.Expr] = [
        pl.col(c) for c in (DEADLINE, REVIEWS, s.LATEST_REVIEW) if c in ordered.columns
    ]
    if DEADLINE in ordered.columns or s.LATEST_REVIEW in ordered.columns:
        reviews.append(pl.lit(due_from(ordered[s.START_DATE])).alias("review_from"))
    if s.LATEST_REVIEW in ordered.columns:
        reviews.append(next_review_due(ordered[s.START_DATE], ordered[s.LATEST_REVIEW]))
    return ordered.select(
        s.CHILD_KEY,
        *[c for c in (s.FAMILY_KEY, s.ROW) if c in ordered.columns],
        *reviews,
        *_visits(ordered, options),
        *[c for c in (s.TRANSFER_IN, s.TRANSFER_OUT) if c in ordered.columns],
        s.START_DATE,
        s.END_DATE,
        previous_end.alias("previous_end"),
        two_years.alias("two_years"),
        (end.is_not_null() & (two_years <= end)).alias("lasted_2y"),
        repeat[options.repeat_rule].fill_null(False).alias("is_repeat"),
        history.alias("repeat_history"),
        pl.when(pl.col("_prev").is_not_null()).then(count).alias("repeat_count"),
        (start < earlier_end).fill_null(False).alias("overlaps"),
    )


_VISIT_COLUMNS = (s.VISIT_LIST, s.SEEN_ALONE_LIST, s.VISITS_LATEST_ONLY)
# The measures made from reviews and visits: said on stderr when they cannot be made. (Annex
# A's latest review and seen alone are said only when the extract has them.)
_RECORDS_NEEDED = (s.REVIEW_DATES, s.VISITS)


def _given(column: pl.Series) -> bool:
    """Whether a column of the plans holds anything (a list column: a value in some list)."""
    if isinstance(column.dtype, pl.List):
        return bool(column.list.drop_nulls().list.len().sum())
    return column.null_count() < column.len()


def _visits(ordered: pl.DataFrame, options: Options) -> list[pl.Expr]:
    """The visit columns, and from when each plan is due a visit (visits.py)."""
    if s.VISIT_LIST not in ordered.columns:
        return []
    visited = ordered[s.VISIT_LIST].explode()
    calendar = calendar_for(options.visit_interval, [ordered[s.START_DATE], visited])
    assert calendar is not None  # there are plans, so there are start dates
    # Seen alone at the latest visit only (Annex A) says nothing of a period's visits.
    latest_only = ordered.get_column(s.VISITS_LATEST_ONLY, default=pl.Series([False])).all()
    return [
        *(
            pl.col(c)
            for c in _VISIT_COLUMNS
            if c in ordered.columns and not (c == s.SEEN_ALONE_LIST and latest_only)
        ),
        calendar.due_from(pl.col(s.START_DATE)).alias(s.VISIT_FROM),
    ]


# Above this many days between the earliest and latest date, a per-day table is not worth it.
_MOST_DAYS = 400_000


def _by_day(dates: pl.Series, per_day: Callable[[pl.Expr], pl.Expr]) -> pl.Expr:
    """``per_day`` of the column ``dates``, worked out once per calendar day and looked up.

    A million plans start on a few thousand distinct days; calendar arithmetic such as
    "2 years later" is slow per row and cheap per day.
    """
    first, last = dates.min(), dates.max()
    column = pl.col(dates.name)
    if not isinstance(first, dt.date) or not isinstance(last, dt.date) or _too_long(first, last):
        return per_day(column)
    calendar = pl.select(per_day(pl.date_range(first, last, "1d"))).to_series()
    return pl.lit(calendar).gather(column.cast(pl.Int32) - (first - _EPOCH).days)


def _too_long(first: dt.date, last: dt.date) -> bool:
    return (last - first).days > _MOST_DAYS


def spells(prepared: pl.DataFrame) -> pl.DataFrame:
    """Disjoint (start, end, two_years, is_repeat[, family]) spells per child for the snapshot
    measures.

    A child with no overlapping plans has one spell per plan. Overlapping plans (rule 8940) are
    cut into pieces so that the child is counted once, with the duration (and the repeat flag)
    of the latest-started plan open at that time (spec: "the snapshot still counts the child
    once").
    """
    # Always the same columns (null where the extract has no families or reviews), so that
    # a piece of a plan carries every value of the plan it belongs to.
    extra = {
        s.FAMILY_KEY: pl.UInt64,
        "review_from": pl.Date,
        DEADLINE: pl.Date,
        s.VISIT_FROM: pl.Date,
        s.NEXT_REVIEW_DUE: pl.Date,
        s.CHILD_KEY: pl.UInt32,
    }
    prepared = prepared.with_columns(
        pl.lit(None, dtype).alias(c) for c, dtype in extra.items() if c not in prepared.columns
    )
    columns = [s.START_DATE, s.END_DATE, "two_years", "is_repeat", *extra]
    tangled_children = prepared.filter(pl.col("overlaps"))[s.CHILD_KEY].unique()
    if tangled_children.is_empty():
        return prepared.select(columns)
    in_tangle = pl.col(s.CHILD_KEY).is_in(tangled_children.implode())
    simple = prepared.filter(~in_tangle).select(columns)
    pieces: list[tuple[Any, ...]] = []
    for group in prepared.filter(in_tangle).partition_by(s.CHILD_KEY):
        pieces.extend(_untangle(group.select(columns).rows()))
    untangled = pl.DataFrame(pieces, schema=simple.schema, orient="row")
    return pl.concat([simple, untangled])


def current_plan_order(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Which open plan is a child's current one: the latest-started; of two started the same
    day, a repeat, then the larger family key, then the later review deadline (none: first),
    then the later next review (Annex A).
    Never the order of the rows, which must change nothing. ``records.at_period`` sorts by
    the same columns. ``row``: a spell's (start, end, two_years, is_repeat, family,
    review_from, review_deadline, ...)."""
    start, _, _, is_repeat, family, _, deadline, _, next_due, _ = row
    return (
        start,
        is_repeat,
        -1 if family is None else family,
        dt.date.min if deadline is None else deadline,
        dt.date.min if next_due is None else next_due,
    )


def _untangle(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """(start, end, two_years, *rest) rows of one child as disjoint pieces, each with the
    latest-started covering plan's values."""
    cuts: list[dt.date] = sorted({r[0] for r in rows} | {r[1] for r in rows if r[1] is not None})
    out: list[tuple[Any, ...]] = []
    for i, at in enumerate(cuts):
        covering = [r for r in rows if r[0] <= at and (r[1] is None or r[1] > at)]
        if covering:
            current = max(covering, key=current_plan_order)
            until = cuts[i + 1] if i + 1 < len(cuts) else None
            # The piece reaches 2 years, and is due a review or a visit, no earlier than it
            # begins.
            begin, family, due, deadline, visit_from, next_due, child = current[3:]
            due = None if due is None else max(due, at)
            visit_from = None if visit_from is None else max(visit_from, at)
            two_years = max(current[2], at)
            out.append(
                (at, until, two_years, begin, family, due, deadline, visit_from, next_due, child)
            )
    return out


@dataclass(frozen=True)
class Snapshot:
    """What is open on one day: plans, children (of whom 2 years or more, on a repeat plan),
    and families (of whom with a child 2 years or more) where the extract has family ids."""

    plans: int
    children: int
    children_2y: int
    children_repeat: int
    families: int = 0
    families_2y: int = 0
    reviews_due: int = 0  # children whose current plan is due its reviews (D6 denominator)
    reviews_in_time: int = 0
    latest_reviews_due: int = 0  # the same, where only the latest review is known (Annex A)
    reviews_not_overdue: int = 0
    visits_due: int = 0  # children on a plan for at least the visit interval
    visits_in_time: int = 0


def snapshot_counts(
    prepared: pl.DataFrame, reference_dates: Sequence[dt.date], options: Options | None = None
) -> list[Snapshot]:
    """What is open on each reference date, counted by binary search over sorted dates."""
    pieces = spells(prepared)
    end, two = pl.col(s.END_DATE), pl.col("two_years")
    # Spells that reach 2 years before they end, from that day: open 2y+ at R.
    reaching = pieces.filter(end.is_null() | (two < end)).with_columns(two.alias(s.START_DATE))
    repeats = pieces.filter(pl.col("is_repeat"))

    def open_in(frame: pl.DataFrame) -> list[int]:
        return open_on(frame[s.START_DATE], frame[s.END_DATE], reference_dates)

    children = open_in(pieces)
    counts = {
        # With no overlapping plans, the spells are the plans.
        "plans": open_in(prepared) if prepared["overlaps"].any() else children,
        "children": children,
        "children_2y": open_in(reaching),
        "children_repeat": open_in(repeats),
    }
    for deadline, names in (
        (DEADLINE, ("reviews_due", "reviews_in_time")),  # D6
        (s.NEXT_REVIEW_DUE, ("latest_reviews_due", "reviews_not_overdue")),  # Annex A
    ):
        if pieces[deadline].null_count() == pieces.height:
            continue
        # From the first date the plan is due reviews; in time until its deadline.
        due_from_ = pl.col("review_from")
        due = pieces.filter(due_from_.is_not_null() & (end.is_null() | (due_from_ < end)))
        until = pl.min_horizontal(end, pl.col(deadline).dt.offset_by("1d"))
        in_time = due.filter(due_from_ < until).with_columns(until.alias(s.END_DATE))
        counts[names[0]] = open_in(due.with_columns(due_from_.alias(s.START_DATE)))
        counts[names[1]] = open_in(in_time.with_columns(due_from_.alias(s.START_DATE)))
    if pieces[s.VISIT_FROM].null_count() < pieces.height:
        visit_from = pl.col(s.VISIT_FROM)
        due = pieces.filter(visit_from.is_not_null() & (end.is_null() | (visit_from < end)))
        due = due.with_columns(visit_from.alias(s.START_DATE))
        counts["visits_due"] = open_in(due)
        seen = _seen_in_time(prepared, due, (options or Options()).visit_interval)
        counts["visits_in_time"] = open_in(seen)
    if pieces[s.FAMILY_KEY].null_count() < pieces.height:
        with_family = pl.col(s.FAMILY_KEY).is_not_null()
        for name, frame in (("families", pieces), ("families_2y", reaching)):
            counts[name] = open_in(
                merged(frame.filter(with_family), s.FAMILY_KEY, s.START_DATE, s.END_DATE)
            )
    return [
        Snapshot(**{name: values[i] for name, values in counts.items()})
        for i in range(len(reference_dates))
    ]


def _seen_in_time(
    prepared: pl.DataFrame, due: pl.DataFrame, interval: VisitInterval
) -> pl.DataFrame:
    """The parts of the spells in ``due`` (each from when its plan is due a visit) during
    which the child's latest visit is not yet overdue: a visit on v covers the days from v to
    its due date, due(v) (visits.py); a child's visits are merged, then laid over its spells."""
    visits = (
        prepared.select(s.CHILD_KEY, pl.col(s.VISIT_LIST).alias("_v"))
        .explode("_v")
        .drop_nulls()
        .unique()
    )
    calendar = calendar_for(interval, [visits["_v"]])
    if calendar is None:
        return due.clear()
    covered = merged(
        visits.select(
            s.CHILD_KEY,
            pl.col("_v").alias(s.START_DATE),
            calendar.due_of(pl.col("_v")).dt.offset_by("1d").alias(s.END_DATE),
        ),
        s.CHILD_KEY,
        s.START_DATE,
        s.END_DATE,
        keep_key=True,
    )
    both = due.select(s.CHILD_KEY, s.START_DATE, s.END_DATE).join(
        covered, on=s.CHILD_KEY, suffix="_seen"
    )
    start = pl.max_horizontal(s.START_DATE, f"{s.START_DATE}_seen")
    end = pl.min_horizontal(s.END_DATE, f"{s.END_DATE}_seen")  # (null: open; min skips it)
    return both.select(start.alias(s.START_DATE), end.alias(s.END_DATE)).filter(
        pl.col(s.END_DATE).is_null() | (pl.col(s.START_DATE) < pl.col(s.END_DATE))
    )


_FLOW_ZERO = {
    "plans_started": 0,
    "children_started": 0,
    "children_new": 0,
    "repeats": 0,
    "history_only": 0,
    "count_only": 0,
    "plans_ended": 0,
    "children_ended": 0,
    "ceased_2y": 0,
    "transfers_in": 0,
    "transfers_out": 0,
    "seen_alone": 0,
    "seen_alone_known": 0,
}


def flow_counts(prepared: pl.DataFrame, periods: Sequence[Period]) -> list[dict[str, int]]:
    """Counts of plans starting and ending in each period."""
    started = _with_new_child(_in_periods(prepared, s.START_DATE, periods))
    # Children not on a plan the day before the period: every earlier-started plan of theirs
    # had ended before it began (for children_any_point).
    period_start = pl.lit(pl.Series([p.start for p in periods], dtype=pl.Date)).gather(
        pl.col("_period")
    )
    new_child = pl.col("previous_end").is_null() | (pl.col("previous_end") < period_start)
    started = started.group_by("_period").agg(
        pl.len().alias("plans_started"),
        _distinct_children(started).alias("children_started"),
        # Same-day starts share their earlier plans, so the condition holds for all of a
        # child's first-day starts or none: the child's first row in the period decides.
        (
            (new_child & pl.col("_new")).sum()
            if started["_new"].null_count() == 0
            else pl.col(s.CHILD_KEY).filter(new_child).n_unique()
        ).alias("children_new"),
        pl.col("is_repeat").sum().alias("repeats"),
        *(
            [pl.col(s.TRANSFER_IN).sum().alias("transfers_in")]
            if s.TRANSFER_IN in started.columns
            else []
        ),
        (pl.col("repeat_history") & ~pl.col("repeat_count")).sum().alias("history_only"),
        (~pl.col("repeat_history") & pl.col("repeat_count")).sum().alias("count_only"),
    )
    ended = _with_new_child(_in_periods(prepared, s.END_DATE, periods))
    ended = ended.group_by("_period").agg(
        pl.len().alias("plans_ended"),
        _distinct_children(ended).alias("children_ended"),
        pl.col("lasted_2y").sum().alias("ceased_2y"),
        *(
            [pl.col(s.TRANSFER_OUT).sum().alias("transfers_out")]
            if s.TRANSFER_OUT in ended.columns
            else []
        ),
    )
    out = [dict(_FLOW_ZERO) for _ in periods]
    frames = [started, ended]
    if s.SEEN_ALONE_LIST in prepared.columns:
        # Visits at which it was recorded whether the child was seen alone, by visit date.
        visits = prepared.select(
            pl.col(s.VISIT_LIST).alias("_visit"), pl.col(s.SEEN_ALONE_LIST).alias("_alone")
        ).explode("_visit", "_alone")
        visits = _in_periods(visits.filter(pl.col("_alone").is_not_null()), "_visit", periods)
        frames.append(
            visits.group_by("_period").agg(
                pl.col("_alone").sum().alias("seen_alone"), pl.len().alias("seen_alone_known")
            )
        )
    for frame in frames:
        for row in frame.iter_rows(named=True):
            index = row.pop("_period")
            out[index].update({k: int(v or 0) for k, v in row.items()})
    return out


def _with_new_child(tagged: pl.DataFrame) -> pl.DataFrame:
    """Mark the rows where the child or the period changes from the row before (``_new``),
    or leave ``_new`` null when a child's rows in a period are not all next to each other.

    Plans come in child order and periods in date order, so they usually are: then counting
    the marks gives the distinct children of each period, much more cheaply than hashing
    every key. Plans that overlap can end out of order; then distinct keys are counted.
    """
    key, period = pl.col(s.CHILD_KEY), pl.col("_period")
    same_child = key == key.shift()
    in_order = tagged[s.CHILD_KEY].null_count() == 0 and not (
        tagged.select(((key < key.shift()) | (same_child & (period < period.shift()))).any()).item()
    )
    new = (~same_child | (period != period.shift())).fill_null(True)
    return tagged.with_columns((new if in_order else pl.lit(None, pl.Boolean)).alias("_new"))


def _distinct_children(tagged: pl.DataFrame) -> pl.Expr:
    return (
        pl.col("_new").sum() if tagged["_new"].null_count() == 0 else pl.col(s.CHILD_KEY).n_unique()
    )


def _in_periods(prepared: pl.DataFrame, column: str, periods: Sequence[Period]) -> pl.DataFrame:
    """Rows whose ``column`` date falls in a period, tagged with the period's index.

    Sorted, disjoint periods (months of a trend): each day's period comes from a table of the
    days they span, looked up per row. Overlapping ones (a year to date beside its months):
    one filter per period.
    """
    ordered = all(a.end < b.start for a, b in itertools.pairwise(periods))
    if not ordered or not periods or _too_long(periods[0].start, periods[-1].end):
        parts = [
            prepared.filter(pl.col(column).is_between(p.start, p.end)).with_columns(
                pl.lit(i, pl.UInt32).alias("_period")
            )
            for i, p in enumerate(periods)
        ]
        return (
            pl.concat(parts)
            if parts
            else prepared.clear().with_columns(pl.lit(0, pl.UInt32).alias("_period"))
        )
    first = periods[0].start
    by_day: list[int | None] = [None] * ((periods[-1].end - first).days + 1)
    for i, period in enumerate(periods):
        begin, end = (period.start - first).days, (period.end - first).days
        by_day[begin : end + 1] = [i] * (end - begin + 1)
    day = pl.col(column).cast(pl.Int32) - (first - _EPOCH).days
    return (
        prepared.filter(pl.col(column).is_between(first, periods[-1].end))
        .with_columns(pl.lit(pl.Series(by_day, dtype=pl.UInt32)).gather(day).alias("_period"))
        .filter(pl.col("_period").is_not_null())
    )


def _few(labels: list[str], most: int = 3) -> str:
    return ", ".join(labels[:most]) + (
        f" and {len(labels) - most} more" if len(labels) > most else ""
    )


def _notes(
    prepared: pl.DataFrame,
    periods: Sequence[Period],
    flow: list[dict[str, int]],
    options: Options,
    population: Population,
) -> list[str]:
    notes: list[str] = []
    if prepared.is_empty():
        return ["the extract has no usable plans: every figure is 0 or empty"]
    first_start = prepared[s.START_DATE].min()
    last_seen = max(
        d for d in (prepared[s.START_DATE].max(), prepared[s.END_DATE].max()) if d is not None
    )
    assert isinstance(first_start, dt.date) and isinstance(last_seen, dt.date)
    # With plans still open, the extract runs to its extract date: no period is beyond it.
    has_open = prepared[s.END_DATE].null_count() > 0
    late = [] if has_open else [p.label for p in periods if p.start > last_seen]
    if late:
        notes.append(
            f"the extract's latest date is {last_seen}: no data for {', '.join(late[:3])}"
            + (" ..." if len(late) > 3 else "")
        )
    if options.repeat_rule != "count":
        horizon = first_start.replace(year=first_start.year + _HISTORY_NEEDED_YEARS, day=1)
        early = [p.label for p in periods if p.start < horizon]
        if early:
            notes.append(
                f"the extract starts on {first_start}: plans before it are unknown, so "
                f"repeat_plan_pct may be understated for {', '.join(early[:3])}"
                + (" ..." if len(early) > 3 else "")
            )
    if prepared["repeat_count"].is_not_null().any():
        hist_only = sum(f["history_only"] for f in flow)
        count_only = sum(f["count_only"] for f in flow)
        started = sum(f["plans_started"] for f in flow)
        if hist_only or count_only:
            notes.append(
                f"repeat signals disagree on {hist_only + count_only} of {started} plans started: "
                f"{hist_only} repeat by history but previous-plans count 0, "
                f"{count_only} repeat by count with no earlier plan in the extract"
                f" (rule used: {options.repeat_rule})"
            )
    for measure, since in coverage.known_from(prepared).items():
        early = [p.label for p in periods if p.end < since]
        if not early:
            continue
        if measure == coverage.VISITS_IN_TIME and not coverage.latest_only(prepared):
            notes.append(
                f"{measure} is empty for {_few(early)}: the visit records begin on {since}"
            )
            continue
        what = "review" if measure.startswith("review") else "visit"
        notes.append(
            f"{measure} is empty for {_few(early)}: only each plan's latest {what} is known "
            f"(Ofsted Annex A), the latest of them on {since}; earlier ones are unknown"
        )
    absent = [m.id for m in MEASURES if m.needs in _RECORDS_NEEDED and not _has(prepared, m.needs)]
    if absent:
        notes.append(
            f"not computed: {', '.join(absent)} (the extract has no such records; reviews come "
            "from a census return's review dates, a review_dates column or --reviews, visits "
            "from --visits or Annex A's last visit)"
        )
    missing_pop = [p.label for p in periods if population.for_reference_date(p.end)[0] is None]
    if missing_pop:
        if population.by_mid_year:
            years = sorted({reporting_year_end(p.end) - 1 for p in periods})
            wanted = [y for y in years if y not in population.by_mid_year]
            reason = "no population estimate for mid-" + ", mid-".join(map(str, wanted))
        else:
            reason = "no population given (use --population N or set population in cpmetrics.toml)"
        notes.append(f"rate_per_10k is empty for {_few(missing_pop)}: {reason}")
    else:
        used = dict.fromkeys(population.for_reference_date(p.end)[1] for p in periods)
        notes.append("rate_per_10k uses " + "; ".join(used))
    return notes
