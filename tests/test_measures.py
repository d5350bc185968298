"""Hand-worked cases from the spec. Expected figures are worked out in the comments."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from cpmetrics.engine import Options, ratio
from cpmetrics.periods import Period
from helpers import PLAN_SCHEMA, figures, plans

# October 2018: R = 2018-10-31.
OCTOBER = plans(
    ("A", "2018-05-01", "2018-10-31"),  # ends on R: an ended plan of October, not open
    ("B", "2016-02-29", None),  # 29 Feb start: 2 years reached on 2018-02-28 <= R
    ("C", "2016-10-31", None),  # reaches 2 years exactly on R: counts
    ("D", "2016-11-01", None),  # reaches 2 years on 2018-11-01 > R: not yet
    ("F", "2018-10-02", "2018-10-20"),  # a child with two plans in one month ...
    ("F", "2018-10-25", None),  # ... the second is a repeat by history
    ("G", "2016-09-01", "2018-10-10"),  # ended in October after 2+ years
    ("H", "2018-11-01", None),  # starts after R: not open, not started in October
    ("I", "2018-10-01", None, 2),  # first plan in the extract, but the count says 2 before
)


def test_snapshot_on_reference_date() -> None:
    f = figures(OCTOBER, population=1000)
    # Open at R: B, C, D, F (second plan), I. A ended on R, G ended, H not started.
    assert f["children_on_plan"] == (5, None, 5.0)
    # 5 x 10,000 / 1,000 = 50.0
    assert f["rate_per_10k"] == (5, 1000, 50.0)
    # B and C have lasted 2 years at R; D has not: 2 of 5 = 40.0%.
    assert f["open_2y_plus_pct"] == (2, 5, 40.0)


def test_flows_in_the_month() -> None:
    f = figures(OCTOBER)
    # Started in October: F (2 Oct), F (25 Oct), I (1 Oct): 3 plans, 2 children.
    assert f["plans_started"] == (3, None, 3.0)
    assert f["children_started"] == (2, None, 2.0)
    # Ended in October: A (31 Oct, on R), F (20 Oct), G (10 Oct): 3 plans, 3 children.
    assert f["plans_ended"] == (3, None, 3.0)
    assert f["children_ended"] == (3, None, 3.0)
    # Of those, only G lasted 2 years: 1 of 3 = 33.3%.
    assert f["ceased_2y_plus_pct"] == (1, 3, 33.3)
    # Repeats: F's second (history), I (previous-plans count 2): 2 of 3 = 66.7%.
    assert f["repeat_plan_pct"] == (2, 3, 66.7)


def test_repeat_rules() -> None:
    history = figures(OCTOBER, options=Options(repeat_rule="history"))
    count = figures(OCTOBER, options=Options(repeat_rule="count"))
    assert history["repeat_plan_pct"] == (1, 3, 33.3)  # F's second only
    assert count["repeat_plan_pct"] == (1, 3, 33.3)  # I only


def test_repeat_within_months() -> None:
    frame = plans(
        ("A", "2015-01-01", "2016-01-01"),
        ("A", "2018-10-05", None),  # 33 months after the previous end
        ("B", "2017-01-01", "2018-01-01"),
        ("B", "2018-10-05", None),  # 9 months after the previous end
    )
    f = figures(frame, options=Options(repeat_rule="within", repeat_within_months=12))
    assert f["repeat_plan_pct"] == (1, 2, 50.0)
    f = figures(frame, options=Options(repeat_rule="history"))
    assert f["repeat_plan_pct"] == (2, 2, 100.0)


def test_leap_day_start_ceases_on_28_february() -> None:
    frame = plans(
        ("A", "2016-02-29", "2018-02-28"),  # exactly 2 calendar years
        ("B", "2016-02-29", "2018-02-27"),  # a day short
    )
    f = figures(frame, "2018-02")
    assert f["ceased_2y_plus_pct"] == (1, 2, 50.0)


def test_duration_days_alternative() -> None:
    # 2015-03-01 + 730 days = 2017-02-28 (2016 has 29 February); calendar: 2017-03-01.
    frame = plans(("A", "2015-03-01", None))
    calendar = figures(frame, "2017-02")
    days = figures(frame, "2017-02", options=Options(duration_days=True))
    assert calendar["open_2y_plus_pct"] == (0, 1, 0.0)
    assert days["open_2y_plus_pct"] == (1, 1, 100.0)


def test_empty_month_gives_zeros_and_empty_percentages() -> None:
    frame = plans(("A", "2015-01-01", "2015-06-01"))
    f = figures(frame, "2018-10", population=1000)
    assert f["children_on_plan"] == (0, None, 0.0)
    assert f["rate_per_10k"] == (0, 1000, 0.0)
    # Zero denominators: empty, never 0% or NaN.
    assert f["open_2y_plus_pct"] == (0, 0, None)
    assert f["ceased_2y_plus_pct"] == (0, 0, None)
    assert f["repeat_plan_pct"] == (0, 0, None)


def test_no_population_gives_empty_rate() -> None:
    f = figures(plans(("A", "2018-01-01", None)))
    assert f["rate_per_10k"] == (1, None, None)


def test_no_plans_at_all() -> None:
    f = figures(plans())
    assert f["children_on_plan"] == (0, None, 0.0)
    assert f["repeat_plan_pct"] == (0, 0, None)


def test_overlapping_plans_count_the_child_once_with_the_latest_plan() -> None:
    frame = plans(
        ("A", "2015-01-01", None),  # open for 3+ years ...
        ("A", "2018-06-01", None),  # ... but the current (latest) plan started in June
        ("B", "2015-01-01", "2018-12-01"),  # nested: B's long plan ...
        ("B", "2018-03-01", "2018-04-01"),  # ... and a short one inside it, ended before R
    )
    f = figures(frame)
    assert f["children_on_plan"] == (2, None, 2.0)
    # A's current plan is under 2 years; B's only open plan (from 2015) is over 2 years.
    assert f["open_2y_plus_pct"] == (1, 2, 50.0)


def test_quarter_period_counts_each_plan_once() -> None:
    frame = plans(
        ("A", "2018-07-01", "2018-08-01"),
        ("A", "2018-09-01", None),
        ("B", "2018-08-15", None),
    )
    q3 = Period(dt.date(2018, 7, 1), dt.date(2018, 9, 30), "2018-Q3")
    f = figures(frame, q3)
    assert f["plans_started"] == (3, None, 3.0)
    assert f["children_started"] == (2, None, 2.0)
    assert f["children_on_plan"] == (2, None, 2.0)


@pytest.mark.parametrize(
    ("numerator", "denominator", "scale", "expected"),
    [
        (1, 16, 100, 6.3),  # 6.25 -> half away from zero
        (1, 80, 100, 1.3),  # 1.25
        (2, 3, 100, 66.7),
        (1, 3, 100, 33.3),
        (829, 200_000, 10_000, 41.5),  # 41.45
        (51_510, 11_790_492, 10_000, 43.7),  # England 31 March 2020, mid-2019 (spec sources)
        (0, 5, 100, 0.0),
        (3, 0, 100, None),
        (3, None, 100, None),
    ],
)
def test_rounding(numerator: int, denominator: int | None, scale: int, expected: float) -> None:
    assert ratio(numerator, denominator, scale) == expected


def test_frames_from_other_programs_blank_ids_and_datetimes() -> None:
    """Through the library a frame may hold blank child ids (validation would exclude them)
    and datetime columns: blank ids count as one child, as distinct values do; datetimes are
    read as their dates."""
    frame = plans(
        ("A", "2018-10-03", None), ("A", "2018-10-20", None), ("B", "2018-10-05", "2018-10-09")
    ).vstack(
        pl.DataFrame(
            [(None, dt.date(2018, 10, 1), None, None), (None, dt.date(2018, 10, 2), None, None)],
            schema=PLAN_SCHEMA,
            orient="row",
        )
    )
    f = figures(frame)
    assert f["plans_started"][0] == 5
    assert f["children_started"][0] == 3  # A, B and the blank id
    as_datetimes = frame.with_columns(pl.col("start_date", "end_date").cast(pl.Datetime("us")))
    assert figures(as_datetimes) == f
