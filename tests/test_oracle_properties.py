"""Property tests: the engine against the independent oracle (tests/oracle.py), plus identities.

Data are drawn around 2015-2019 with many 29 February / month-end dates and durations placed on
the 2-year and "within N months" boundaries, from a small pool of children so that children
have several (sometimes overlapping) plans.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from collections.abc import Sequence
from unittest import mock

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpmetrics import engine
from cpmetrics.engine import Options, Population, compute
from cpmetrics.periods import Period, month, months, parse_month
from oracle import (
    COUNT_MEASURES,
    MEASURES,
    PERCENT_MEASURES,
    REPEAT_RULES,
    Plan,
    add_months,
    add_years,
    is_open_at,
    measures,
)

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEW = settings(SETTINGS, max_examples=60)  # for the tests parametrised over all 8 variants

LO = dt.date(2015, 1, 1)
HI = dt.date(2019, 12, 31)
SPECIAL_DAYS = sorted(
    {
        day
        for year in range(2015, 2020)
        for m in range(1, 13)
        for day in (
            dt.date(year, m, 1),
            dt.date(year, m, calendar.monthrange(year, m)[1]),
            dt.date(year, m, calendar.monthrange(year, m)[1]) - dt.timedelta(days=1),
        )
    }
    | {dt.date(y, 2, 28) for y in range(2015, 2020)}
    | {dt.date(2016, 2, 29), dt.date(2016, 3, 1), dt.date(2018, 2, 28), dt.date(2018, 3, 1)}
)
LEAP_DAYS = [dt.date(2016, 2, d) for d in (27, 28, 29)] + [dt.date(2016, 3, 1), dt.date(2015, 3, 1)]
DATES = st.one_of(st.dates(LO, HI), st.sampled_from(SPECIAL_DAYS), st.sampled_from(LEAP_DAYS))
POPULATIONS = st.one_of(
    st.sampled_from([None, 0, 1, 3, 7, 64, 320, 1600, 8000, 40000, 70000, 200000]),
    st.integers(1, 2_000_000),
)
WITHIN = st.one_of(st.sampled_from([0, 1, 3, 6, 12, 24]), st.integers(0, 36))
DAY = dt.timedelta(days=1)

SCHEMA = {
    "child_id": pl.String,
    "start_date": pl.Date,
    "end_date": pl.Date,
    "previous_plans": pl.Int64,
}


# --------------------------------------------------------------------------- strategies


@st.composite
def end_after(draw: st.DrawFn, start: dt.date) -> dt.date | None:
    """An end strictly after ``start`` (or None), often right on a duration boundary."""
    kind = draw(st.sampled_from(["open", "days", "two_years", "d730", "months", "date"]))
    if kind == "open":
        return None
    if kind == "days":
        end = start + dt.timedelta(days=draw(st.integers(1, 900)))
    elif kind == "two_years":
        end = add_years(start, 2) + dt.timedelta(days=draw(st.integers(-2, 2)))
    elif kind == "d730":
        end = start + dt.timedelta(days=730 + draw(st.integers(-2, 2)))
    elif kind == "months":
        end = add_months(start, draw(st.integers(1, 30))) + dt.timedelta(
            days=draw(st.integers(-1, 1))
        )
    else:
        end = draw(DATES)
    return end if end > start else start + DAY


@st.composite
def plan_lists(
    draw: st.DrawFn, *, overlapping: bool = True, within_months: int = 24, max_plans: int = 30
) -> list[Plan]:
    """Clean plans (end None or > start), possibly overlapping per child unless told not to."""
    n_children = draw(st.integers(1, 8))
    modes = ["after_end", "after_end", "within"] + (["anytime", "overlap"] if overlapping else [])
    plans: list[Plan] = []
    for c in range(n_children):
        child = f"c{c}"
        prev_start: dt.date | None = None
        prev_end: dt.date | None = None
        for i in range(draw(st.integers(1, 5))):
            if i == 0:
                start = draw(DATES)
            else:
                assert prev_start is not None
                mode = draw(st.sampled_from(modes))
                if mode in ("after_end", "within") and prev_end is None:
                    break  # the child's last plan is still open
                if mode == "after_end":
                    assert prev_end is not None
                    start = prev_end + dt.timedelta(days=draw(st.integers(0, 500)))
                elif mode == "within":
                    assert prev_end is not None
                    start = add_months(prev_end, within_months) + dt.timedelta(
                        days=draw(st.integers(-1, 1))
                    )
                    if not overlapping:
                        start = max(start, prev_end)
                elif mode == "overlap":
                    same_day_or_later = st.one_of(st.just(0), st.integers(0, 400))
                    start = prev_start + dt.timedelta(days=draw(same_day_or_later))
                else:
                    start = draw(DATES)
            end = draw(end_after(start))
            previous = draw(st.one_of(st.none(), st.sampled_from([0, i]), st.integers(0, 3)))
            plans.append((child, start, end, previous))
            prev_start, prev_end = start, end
    # Clean data carry no exact duplicates (validated upstream); keep the first of each.
    seen: set[tuple[str, dt.date, dt.date | None]] = set()
    unique = []
    for p in plans:
        if p[:3] not in seen:
            seen.add(p[:3])
            unique.append(p)
    return draw(st.permutations(unique[:max_plans]))


@st.composite
def scenarios(
    draw: st.DrawFn, rule: str | None = None, duration_days: bool | None = None
) -> tuple[list[Plan], Options, int | None]:
    within = draw(WITHIN)
    options = Options(
        repeat_rule=rule if rule is not None else draw(st.sampled_from(REPEAT_RULES)),
        repeat_within_months=within,
        duration_days=duration_days if duration_days is not None else draw(st.booleans()),
    )
    return draw(plan_lists(within_months=within)), options, draw(POPULATIONS)


@st.composite
def month_ranges(draw: st.DrawFn) -> list[Period]:
    first = draw(st.integers(0, 59))
    last = draw(st.integers(first, min(59, first + 30)))
    return [month(2015 + k // 12, k % 12 + 1) for k in (first, last)]


@st.composite
def arbitrary_periods(draw: st.DrawFn, label: str = "x") -> Period:
    a, b = draw(DATES), draw(DATES)
    return Period(min(a, b), max(a, b), label)


# --------------------------------------------------------------------------- helpers


def frame(plans: Sequence[Plan]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "child_id": [p[0] for p in plans],
            "start_date": [p[1] for p in plans],
            "end_date": [p[2] for p in plans],
            "previous_plans": [p[3] for p in plans],
        },
        schema=SCHEMA,
    )


def run(
    plans: Sequence[Plan],
    periods: Sequence[Period],
    options: Options | None = None,
    population: int | None = 70000,
) -> pl.DataFrame:
    result = compute(
        frame(plans),
        periods,
        population=Population(fixed=population),
        options=options or Options(),
    )
    return result.table


Key = tuple[str, dt.date, dt.date]  # measure, period start, period end
Row = tuple[int, int | None, float | None]  # numerator, denominator, value


def engine_rows(table: pl.DataFrame) -> dict[Key, Row]:
    """The table by (measure, period); a period given twice must give identical rows."""
    out: dict[Key, Row] = {}
    for row in table.iter_rows(named=True):
        key = (row["measure"], row["period_start"], row["period_end"])
        value = (row["numerator"], row["denominator"], row["value"])
        assert out.setdefault(key, value) == value, f"one period, two answers: {key}"
    return out


def by_period(table: pl.DataFrame) -> dict[tuple[dt.date, dt.date], dict[str, Row]]:
    out: dict[tuple[dt.date, dt.date], dict[str, Row]] = {}
    for (measure, start, end), row in engine_rows(table).items():
        out.setdefault((start, end), {})[measure] = row
    return out


def assert_matches_oracle(
    plans: Sequence[Plan],
    periods: Sequence[Period],
    options: Options,
    population: int | None,
) -> None:
    table = run(plans, periods, options, population)
    assert table.height == len(MEASURES) * len(periods)
    got = engine_rows(table)
    expected: dict[Key, Row] = {}
    for p in periods:
        for measure, row in measures(
            plans,
            p.start,
            p.end,
            population,
            repeat_rule=options.repeat_rule,
            within_months=options.repeat_within_months,
            duration_days=options.duration_days,
        ).items():
            expected[(measure, p.start, p.end)] = row
    assert set(got) == set(expected)
    wrong = [(k, got[k], expected[k]) for k in expected if got[k] != expected[k]]
    assert not wrong, "engine (left) vs oracle (right):\n" + "\n".join(map(repr, wrong[:12]))


VARIANTS = [(rule, days) for rule in REPEAT_RULES for days in (False, True)]
VARIANT_IDS = [f"{rule}-{'days' if days else 'calendar'}" for rule, days in VARIANTS]


# --------------------------------------------------------------------------- engine == oracle


@pytest.mark.parametrize(("rule", "duration_days"), VARIANTS, ids=VARIANT_IDS)
@FEW
@given(data=st.data())
def test_engine_matches_oracle_2016_2017_months(
    rule: str, duration_days: bool, data: st.DataObject
) -> None:
    plans, options, population = data.draw(scenarios(rule, duration_days))
    periods = months(parse_month("2016-01"), parse_month("2017-12"))
    assert_matches_oracle(plans, periods, options, population)


@pytest.mark.parametrize(("rule", "duration_days"), VARIANTS, ids=VARIANT_IDS)
@FEW
@given(data=st.data())
def test_engine_matches_oracle_arbitrary_period(
    rule: str, duration_days: bool, data: st.DataObject
) -> None:
    plans, options, population = data.draw(scenarios(rule, duration_days))
    period = data.draw(arbitrary_periods())
    assert_matches_oracle(plans, [period], options, population)


@SETTINGS
@given(scenario=scenarios(), bounds=month_ranges(), extra=arbitrary_periods("extra"))
def test_engine_matches_oracle_generated_month_ranges(
    scenario: tuple[list[Plan], Options, int | None], bounds: list[Period], extra: Period
) -> None:
    plans, options, population = scenario
    periods = [*months(bounds[0], bounds[1]), extra]
    assert_matches_oracle(plans, periods, options, population)


@st.composite
def disjoint_periods(draw: st.DrawFn) -> list[Period]:
    """Sorted periods that do not touch: gaps between them, some a single day."""
    days = sorted(set(draw(st.lists(DATES, min_size=2, max_size=12))))
    pairs = [(a, b) for a, b in itertools.pairwise(days)][::2]
    return [
        Period(a, b - dt.timedelta(days=1) if b > a else b, f"p{i}")
        for i, (a, b) in enumerate(pairs)
    ]


@SETTINGS
@given(scenario=scenarios(), periods=disjoint_periods(), by_day=st.booleans())
def test_engine_matches_oracle_for_periods_with_gaps(
    scenario: tuple[list[Plan], Options, int | None], periods: list[Period], by_day: bool
) -> None:
    """Per-day lookup tables (the fast path) and per-period filters give the oracle's figures."""
    plans, options, population = scenario
    with mock.patch.object(engine, "_MOST_DAYS", engine._MOST_DAYS if by_day else 0):
        assert_matches_oracle(plans, periods, options, population)


def test_engine_matches_oracle_with_no_plans() -> None:
    periods = [parse_month("2016-02"), Period(dt.date(2015, 4, 1), dt.date(2016, 3, 31), "x")]
    assert_matches_oracle([], periods, Options(), 70000)


# Hand-checked edge cases: each pins the oracle to the spec, then the engine to the oracle.
D = dt.date
EDGE_CASES = [
    pytest.param(  # 29 Feb start reaches 2 years on 28 Feb (calendar rule)
        [("a", D(2016, 2, 29), None, None)],
        Period(D(2018, 2, 1), D(2018, 2, 28), "f"),
        Options(),
        "open_2y_plus_pct",
        (1, 1, 100.0),
        id="feb29-open-2y",
    ),
    pytest.param(  # 1 Mar 2015 + 2 years = 1 Mar 2017: not yet on 28 Feb 2017 ...
        [("a", D(2015, 3, 1), None, None)],
        parse_month("2017-02"),
        Options(),
        "open_2y_plus_pct",
        (0, 1, 0.0),
        id="calendar-not-yet",
    ),
    pytest.param(  # ... but 730 days (crossing 29 Feb 2016) are reached on 28 Feb 2017
        [("a", D(2015, 3, 1), None, None)],
        parse_month("2017-02"),
        Options(duration_days=True),
        "open_2y_plus_pct",
        (1, 1, 100.0),
        id="730-days-reached",
    ),
    pytest.param(  # a plan ending on R is ended, not open; it lasted exactly 2 years
        [("a", D(2015, 3, 31), D(2017, 3, 31), None)],
        parse_month("2017-03"),
        Options(),
        "ceased_2y_plus_pct",
        (1, 1, 100.0),
        id="end-on-R-ceased-2y",
    ),
    pytest.param(
        [("a", D(2015, 3, 31), D(2017, 3, 31), None)],
        parse_month("2017-03"),
        Options(),
        "children_on_plan",
        (0, None, 0.0),
        id="end-on-R-not-open",
    ),
    pytest.param(  # 1 of 16 = 6.25% -> 6.3 (half away from zero, not to even)
        [(f"k{i}", D(2017, 5, 1 + i), None, 1 if i == 0 else 0) for i in range(16)],
        parse_month("2017-05"),
        Options(),
        "repeat_plan_pct",
        (1, 16, 6.3),
        id="round-6.25",
    ),
    pytest.param(  # 7 x 10000 / 200000 = 0.35 exactly -> 0.4 (binary float 0.35 is below)
        [(f"k{i}", D(2017, 5, 1), None, None) for i in range(7)],
        parse_month("2017-05"),
        Options(),
        "rate_per_10k",
        (7, 200000, 0.4),
        id="round-0.35",
    ),
    pytest.param(  # within 12 months of the previous end: 31 Jan + 12 months = 31 Jan next year
        [("a", D(2015, 6, 1), D(2016, 1, 31), 0), ("a", D(2017, 1, 31), None, 0)],
        parse_month("2017-01"),
        Options(repeat_rule="within", repeat_within_months=12),
        "repeat_plan_pct",
        (1, 1, 100.0),
        id="within-boundary",
    ),
    pytest.param(  # a plan starting the same day is not an earlier plan: 3 Jan is after 2 Jan + 0
        [
            ("a", D(2015, 1, 1), D(2015, 1, 2), None),
            ("a", D(2015, 1, 3), D(2015, 1, 5), None),
            ("a", D(2015, 1, 3), D(2015, 1, 4), None),
        ],
        Period(D(2015, 1, 1), D(2015, 12, 31), "x"),
        Options(repeat_rule="within", repeat_within_months=0),
        "repeat_plan_pct",
        (0, 3, 0.0),
        id="within-same-start-is-not-previous",
    ),
    pytest.param(  # 31 Aug + 6 months = 29 Feb 2016; 1 March is outside
        [("a", D(2015, 6, 1), D(2015, 8, 31), 0), ("a", D(2016, 3, 1), None, 0)],
        parse_month("2016-03"),
        Options(repeat_rule="within", repeat_within_months=6),
        "repeat_plan_pct",
        (0, 1, 0.0),
        id="within-month-end-clamp",
    ),
]


@pytest.mark.parametrize(("plans", "period", "options", "measure", "expected"), EDGE_CASES)
def test_edge_cases(
    plans: list[Plan], period: Period, options: Options, measure: str, expected: Row
) -> None:
    population = 200000 if measure == "rate_per_10k" else 70000
    oracle_row = measures(
        plans,
        period.start,
        period.end,
        population,
        repeat_rule=options.repeat_rule,
        within_months=options.repeat_within_months,
        duration_days=options.duration_days,
    )[measure]
    assert oracle_row == expected
    assert_matches_oracle(plans, [period], options, population)


# --------------------------------------------------------------------------- identities


@SETTINGS
@given(plans=plan_lists(overlapping=False), options=st.builds(Options, duration_days=st.booleans()))
def test_stock_flow_identity_without_overlaps(plans: list[Plan], options: Options) -> None:
    periods = months(parse_month("2015-01"), parse_month("2019-12"))
    rows = by_period(run(plans, periods, options))
    for prev, cur in itertools.pairwise(periods):
        before, now = rows[(prev.start, prev.end)], rows[(cur.start, cur.end)]
        open_plans = sum(1 for p in plans if is_open_at(p, cur.end))
        assert now["children_on_plan"][0] == open_plans  # one open plan per child at most
        assert (
            now["children_on_plan"][0]
            == before["children_on_plan"][0] + now["plans_started"][0] - now["plans_ended"][0]
        ), cur.label
        # and the oracle obeys the identity too
        o_before = measures(plans, prev.start, prev.end, None)
        o_now = measures(plans, cur.start, cur.end, None)
        assert (
            o_now["children_on_plan"][0]
            == o_before["children_on_plan"][0] + o_now["plans_started"][0] - o_now["plans_ended"][0]
        )


@SETTINGS
@given(scenario=scenarios(), bounds=month_ranges(), extra=arbitrary_periods("extra"))
def test_bounds(
    scenario: tuple[list[Plan], Options, int | None], bounds: list[Period], extra: Period
) -> None:
    plans, options, population = scenario
    periods = [*months(bounds[0], bounds[1]), extra]
    for rows in by_period(run(plans, periods, options, population)).values():
        assert set(rows) == set(MEASURES)
        for measure in PERCENT_MEASURES:
            num, den, value = rows[measure]
            assert den is not None
            assert 0 <= num <= den
            if den == 0:
                assert value is None
            else:
                assert value is not None
                assert 0.0 <= value <= 100.0
        for measure in COUNT_MEASURES:
            num, den, value = rows[measure]
            assert num >= 0
            assert den is None
            assert value == float(num)
        assert rows["children_started"][0] <= rows["plans_started"][0]
        assert rows["children_ended"][0] <= rows["plans_ended"][0]
        assert rows["open_2y_plus_pct"][0] <= rows["children_on_plan"][0]
        assert rows["open_2y_plus_pct"][1] == rows["children_on_plan"][0]
        assert rows["rate_per_10k"][0] == rows["children_on_plan"][0]
        assert rows["rate_per_10k"][1] == population
        assert rows["ceased_2y_plus_pct"][1] == rows["plans_ended"][0]
        assert rows["repeat_plan_pct"][1] == rows["plans_started"][0]


@SETTINGS
@given(
    scenario=scenarios(),
    bounds=month_ranges(),
    extra=arbitrary_periods("extra"),
    data=st.data(),
)
def test_invariant_under_row_order_and_child_relabelling(
    scenario: tuple[list[Plan], Options, int | None],
    bounds: list[Period],
    extra: Period,
    data: st.DataObject,
) -> None:
    plans, options, population = scenario
    periods = [*months(bounds[0], bounds[1]), extra]
    children = sorted({p[0] for p in plans})
    labels = data.draw(
        st.lists(
            st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=8),
            min_size=len(children),
            max_size=len(children),
            unique=True,
        )
    )
    rename = dict(zip(children, labels, strict=True))
    shuffled = data.draw(st.permutations(plans))
    relabelled = [(rename[c], s, e, n) for c, s, e, n in shuffled]
    original = run(plans, periods, options, population)
    transformed = run(relabelled, periods, options, population)
    assert transformed.equals(original)


ADDITIVE = ("plans_started", "plans_ended", "ceased_2y_plus_pct", "repeat_plan_pct")


@SETTINGS
@given(scenario=scenarios(), first=st.integers(0, 57))
def test_quarter_is_sum_of_its_months(
    scenario: tuple[list[Plan], Options, int | None], first: int
) -> None:
    plans, options, population = scenario
    three = [month(2015 + k // 12, k % 12 + 1) for k in range(first, first + 3)]
    quarter = Period(three[0].start, three[2].end, "q")
    rows = by_period(run(plans, [*three, quarter], options, population))
    q = rows[(quarter.start, quarter.end)]
    ms = [rows[(m.start, m.end)] for m in three]
    for measure in ADDITIVE:  # plan-based numerators and denominators add up
        assert q[measure][0] == sum(m[measure][0] for m in ms), measure
        if q[measure][1] is not None:
            assert q[measure][1] == sum(m[measure][1] for m in ms), measure
