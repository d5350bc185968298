"""The measures beyond the headline ones: at any point in the period, the cohort's repeat
share, and the families behind the children on a plan."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpmetrics.engine import compute
from cpmetrics.periods import parse_month
from helpers import d
from oracle import families
from test_oracle_properties import DATES, end_after

# October 2018, R = 2018-10-31 (worked by hand):
#   A  F1  2015-01-01 .. open        on a plan at R, for 2 years or more
#   B  F1  2018-05-01 .. open        on a plan at R (F1 counted once)
#   C  F2  2018-09-01 .. open        on a plan at R
#   D  F3  2018-01-01 .. 2018-06-01  ended before October: in no figure
#   E  --  2018-07-01 .. open        on a plan at R, no family id
#   G  F4  2018-10-31 .. 2018-11-20  started on R: on a plan at R, 0 days
ROWS = [
    ("A", "F1", "2015-01-01", None),
    ("B", "F1", "2018-05-01", None),
    ("C", "F2", "2018-09-01", None),
    ("D", "F3", "2018-01-01", "2018-06-01"),
    ("E", None, "2018-07-01", None),
    ("G", "F4", "2018-10-31", "2018-11-20"),
]


def frame(rows: list[tuple[str, str | None, str, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(c, f, d(s), d(e)) for c, f, s, e in rows],
        schema={
            "child_id": pl.String,
            "family_id": pl.String,
            "start_date": pl.Date,
            "end_date": pl.Date,
        },
        orient="row",
    )


def october(plans: pl.DataFrame) -> dict[str, tuple[int, int | None]]:
    table = compute(plans, [parse_month("2018-10")]).table
    return {r["measure"]: (r["numerator"], r["denominator"]) for r in table.iter_rows(named=True)}


def test_families_worked_by_hand() -> None:
    got = october(frame(ROWS))
    assert got["children_on_plan"] == (5, None)  # A, B, C, E, G
    assert got["families_on_plan"] == (3, None)  # F1 (A and B), F2, F4; E has none
    assert got["families_open_2y_plus"] == (1, None)  # F1, through A


def test_family_measures_are_absent_without_family_ids() -> None:
    got = october(frame(ROWS).drop("family_id"))
    assert "families_on_plan" not in got and "families_open_2y_plus" not in got
    blank = october(frame(ROWS).with_columns(pl.lit(None, pl.String).alias("family_id")))
    assert "families_on_plan" not in blank


def test_any_point_and_cohort_worked_by_hand() -> None:
    rows = [
        ("A", None, "2018-09-01", "2018-10-01"),  # ends on the period's first day: any point
        ("B", None, "2018-08-01", "2018-09-30"),  # ended the day before: not
        ("B", None, "2018-10-10", None),  # B's second plan: a repeat, open at R
        ("C", None, "2018-10-31", None),  # starts on R: any point, on a plan at R
        ("D", None, "2018-11-01", None),  # after R: not
    ]
    got = october(frame(rows))
    assert got["plans_any_point"] == (3, None)  # A, B's second, C
    assert got["children_any_point"] == (3, None)  # A, B, C
    assert got["children_on_plan"] == (2, None)  # B, C
    assert got["open_repeat_pct"] == (1, 2)  # B


@st.composite
def family_plans(draw: st.DrawFn) -> list[tuple[str, dt.date, dt.date | None, str | None]]:
    plans = []
    for c in range(draw(st.integers(1, 10))):
        family = draw(st.sampled_from([None, "F1", "F2", "F3", "F4"]))
        start = draw(DATES)
        for _ in range(draw(st.integers(1, 3))):
            end = draw(end_after(start))
            plans.append((f"c{c}", start, end, family))
            if end is None:
                break
            start = end + dt.timedelta(days=draw(st.integers(0, 300)))
    return plans


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans=family_plans(), at=DATES)
def test_families_match_the_oracle(
    plans: list[tuple[str, dt.date, dt.date | None, str | None]], at: dt.date
) -> None:
    data = pl.DataFrame(
        plans,
        schema={
            "child_id": pl.String,
            "start_date": pl.Date,
            "end_date": pl.Date,
            "family_id": pl.String,
        },
        orient="row",
    )
    month = parse_month(f"{at.year}-{at.month:02d}")
    table = compute(data, [month]).table
    got = {r["measure"]: r["numerator"] for r in table.iter_rows(named=True)}
    if data["family_id"].null_count() == data.height:
        assert "families_on_plan" not in got
        return
    assert (got["families_on_plan"], got["families_open_2y_plus"]) == families(plans, month.end)
    assert got["families_on_plan"] <= got["children_on_plan"]
    assert got["families_open_2y_plus"] <= got["families_on_plan"]
