"""A slow, obviously-correct reference for the headline measures (docs: spec/measures.md).

Written from the spec alone, independently of ``cpmetrics.engine``: plain loops over plan
tuples, ``datetime.date`` arithmetic and exact ``Fraction`` rounding. No polars.

A plan is ``(child_id, start, end, previous_plans)`` with ``end`` None while open. Plans are
assumed clean (``end`` is None or after ``start``) but a child's plans may overlap.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from fractions import Fraction

Plan = tuple[str, dt.date, dt.date | None, int | None]
Row = tuple[int, int | None, float | None]  # numerator, denominator, value

MEASURES = (
    "children_on_plan",
    "rate_per_10k",
    "open_2y_plus_pct",
    "ceased_2y_plus_pct",
    "repeat_plan_pct",
    "plans_started",
    "plans_ended",
    "children_started",
    "children_ended",
    "plans_any_point",
    "children_any_point",
    "open_repeat_pct",
)
PERCENT_MEASURES = ("open_2y_plus_pct", "ceased_2y_plus_pct", "repeat_plan_pct", "open_repeat_pct")
COUNT_MEASURES = (
    "children_on_plan",
    "plans_started",
    "plans_ended",
    "children_started",
    "children_ended",
    "plans_any_point",
    "children_any_point",
)
REPEAT_RULES = ("either", "history", "count", "within")


def add_months(day: dt.date, n: int) -> dt.date:
    """Calendar months; a day past the end of the target month falls back to its last day."""
    index = day.year * 12 + (day.month - 1) + n
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def add_years(day: dt.date, n: int) -> dt.date:
    """Calendar years; 29 February lands on 28 February in a non-leap year."""
    return add_months(day, 12 * n)


def lasted_two_years(start: dt.date, until: dt.date, duration_days: bool) -> bool:
    """'2 years or more' at ``until``: ``start + 2 years <= until`` (or ``start + 730 days``)."""
    if duration_days:
        return start + dt.timedelta(days=730) <= until
    return add_years(start, 2) <= until


def round_1dp(x: Fraction) -> float:
    """Round half away from zero to 1 decimal place, exactly; return the nearest float."""
    tenths = x * 10
    sign = -1 if tenths < 0 else 1
    magnitude = abs(tenths)
    whole = magnitude.numerator // magnitude.denominator
    if magnitude - whole >= Fraction(1, 2):
        whole += 1
    return float(Fraction(sign * whole, 10))


def ratio(numerator: int, denominator: int | None, scale: int) -> float | None:
    if not denominator:
        return None
    return round_1dp(Fraction(numerator * scale, denominator))


def is_open_at(plan: Plan, r: dt.date) -> bool:
    _, start, end, _ = plan
    return start <= r and (end is None or end > r)


def is_repeat(plan: Plan, plans: Sequence[Plan], rule: str, within_months: int) -> bool:
    child, start, _, previous = plan
    earlier = [p for p in plans if p[0] == child and p[1] < start]
    history = len(earlier) > 0
    count = previous is not None and previous > 0
    if rule == "history":
        return history
    if rule == "count":
        return count
    if rule == "either":
        return history or count
    if rule == "within":
        if not history:
            return False
        if any(p[2] is None for p in earlier):
            return True  # an earlier plan still open has never ended
        latest_end = max(p[2] for p in earlier if p[2] is not None)
        return start <= add_months(latest_end, within_months)
    raise ValueError(f"unknown repeat rule {rule!r}")


def measures(
    plans: Sequence[Plan],
    period_start: dt.date,
    period_end: dt.date,
    population: int | None,
    *,
    repeat_rule: str = "either",
    within_months: int = 24,
    duration_days: bool = False,
) -> dict[str, Row]:
    """Every headline measure for the period ``[period_start, period_end]``; R = ``period_end``."""
    r = period_end

    def in_period(day: dt.date | None) -> bool:
        return day is not None and period_start <= day <= r

    # Snapshot at R: children, each counted once.
    open_plans = [p for p in plans if is_open_at(p, r)]
    on_plan = {p[0] for p in open_plans}
    open_2y = set()
    open_repeat = set()
    for child in on_plan:
        # The current plan: the latest-started open one; of two started the same day, the
        # child is on a repeat if either is one (the order of the rows must change nothing).
        current = [p for p in open_plans if p[0] == child]
        latest_start = max(p[1] for p in current)
        if lasted_two_years(latest_start, r, duration_days):
            open_2y.add(child)
        latest = [p for p in current if p[1] == latest_start]
        if any(is_repeat(p, plans, repeat_rule, within_months) for p in latest):
            open_repeat.add(child)

    # At any point in the period (DfE D1): start <= its end, and no end or end >= its start.
    any_point = [p for p in plans if p[1] <= r and (p[2] is None or p[2] >= period_start)]

    # Flows: plans, each counted.
    started = [p for p in plans if in_period(p[1])]
    ended = [p for p in plans if in_period(p[2])]
    ceased_2y = 0
    for p in ended:
        assert p[2] is not None
        if lasted_two_years(p[1], p[2], duration_days):
            ceased_2y += 1
    repeats = sum(1 for p in started if is_repeat(p, plans, repeat_rule, within_months))

    out: dict[str, Row] = {}
    for name, n in (
        ("children_on_plan", len(on_plan)),
        ("plans_started", len(started)),
        ("plans_ended", len(ended)),
        ("children_started", len({p[0] for p in started})),
        ("children_ended", len({p[0] for p in ended})),
        ("plans_any_point", len(any_point)),
        ("children_any_point", len({p[0] for p in any_point})),
    ):
        out[name] = (n, None, float(n))
    out["rate_per_10k"] = (len(on_plan), population, ratio(len(on_plan), population, 10_000))
    for name, num, den in (
        ("open_2y_plus_pct", len(open_2y), len(on_plan)),
        ("ceased_2y_plus_pct", ceased_2y, len(ended)),
        ("repeat_plan_pct", repeats, len(started)),
        ("open_repeat_pct", len(open_repeat), len(on_plan)),
    ):
        out[name] = (num, den, ratio(num, den, 100))
    return out


def families(
    plans: Sequence[tuple[str, dt.date, dt.date | None, str | None]],
    r: dt.date,
    *,
    duration_days: bool = False,
) -> tuple[int, int]:
    """(families with a child on a plan at R, of which with a child on a plan 2 years or more).

    A plan is ``(child, start, end, family)``; the family counted is the current plan's
    (the latest-started open one); a blank family is no family.
    """
    on, on_2y = set(), set()
    for child in {p[0] for p in plans}:
        open_now = [p for p in plans if p[0] == child and p[1] <= r and (p[2] is None or p[2] > r)]
        if not open_now:
            continue
        latest = max(p[1] for p in open_now)
        for p in open_now:
            if p[1] == latest and p[3] is not None:
                on.add(p[3])
                if lasted_two_years(latest, r, duration_days):
                    on_2y.add(p[3])
    return len(on), len(on_2y)


def reviews_in_time(
    plans: Sequence[tuple[str, dt.date, dt.date | None, Sequence[dt.date]]], r: dt.date
) -> tuple[int, int]:
    """DfE D6 as docs/measures.md rules it: (children in time, children due reviews) at R.

    A plan is ``(child, start, end, review dates)``. Due reviews: children on a plan at R whose
    current plan started on or before R minus 3 calendar months. In time: every review after
    the start and by R held by its due date (the first at start + 3 months, each later one at
    the previous review + 6 months), and the next one due on or after R.
    """
    due = in_time = 0
    for child in {p[0] for p in plans}:
        open_now = [p for p in plans if p[0] == child and p[1] <= r and (p[2] is None or p[2] > r)]
        if not open_now:
            continue
        _, start, _, reviews = max(open_now, key=lambda p: p[1])
        if start > add_months(r, -3):
            continue
        due += 1
        next_due = add_months(start, 3)
        ok = True
        for held in sorted({x for x in reviews if start < x <= r}):
            if held > next_due:
                ok = False
                break
            next_due = add_months(held, 6)
        if ok and next_due >= r:
            in_time += 1
    return in_time, due
