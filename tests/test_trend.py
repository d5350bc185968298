"""The monthly performance table: months, changes, YTD, targets."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from cpmetrics.api import load_plans
from cpmetrics.engine import Population, compute, compute_each
from cpmetrics.periods import choose, months, parse_month, year_to_date
from cpmetrics.targets import Target
from cpmetrics.trend import build_trend, wide
from helpers import plans

FRAME = plans(
    ("A", "2018-03-20", "2018-05-10"),
    ("B", "2018-04-05", None),
    ("C", "2018-05-01", None),
    ("A", "2018-06-01", None),  # A's second plan: a repeat
)


def test_trend_months_changes_and_ytd() -> None:
    trend = build_trend(
        FRAME,
        choose(start="2018-04", end="2018-06"),
        population=Population(fixed=10_000),
        targets={"repeat_plan_pct": Target(target=20.0, polarity="low", amber=5.0)},
    )
    t = trend.table
    on_plan = t.filter(pl.col("measure") == "children_on_plan").sort("period_end")
    # End of April: A, B. End of May: B, C (A ended 10 May). End of June: A, B, C.
    assert on_plan["period"].to_list() == [
        "2018-04",
        "2018-05",
        "2018-06",
        "YTD 2018-19 to 2018-06-30",
    ]
    assert on_plan["numerator"].to_list() == [2, 2, 3, 3]
    assert on_plan["change"].to_list() == [None, 0.0, 1.0, None]
    started = t.filter(pl.col("measure") == "plans_started")
    # April: B; May: C; June: A's second. YTD (1 April - 30 June): 3.
    assert started["numerator"].to_list() == [1, 1, 1, 3]
    repeat = t.filter(pl.col("measure") == "repeat_plan_pct")
    # Only June's start is a repeat: 0%, 0%, 100%; YTD 1 of 3 = 33.3%.
    assert repeat["value"].to_list() == [0.0, 0.0, 100.0, 33.3]
    assert repeat["rag"].to_list() == ["G", "G", "R", "R"]
    assert t.filter(pl.col("measure") == "plans_ended")["rag"].to_list() == [None] * 4


def test_wide_has_a_column_per_month() -> None:
    trend = build_trend(FRAME, choose(start="2018-04", end="2018-06"))
    table = wide(trend)
    assert table.columns == [
        "measure",
        "label",
        "unit",
        "2018-04",
        "2018-05",
        "2018-06",
        "ytd",
        "target",
        "rag",
        "ytd_rag",
    ]
    row = table.filter(pl.col("measure") == "children_on_plan").row(0, named=True)
    assert (row["2018-04"], row["2018-05"], row["2018-06"], row["ytd"]) == (2.0, 2.0, 3.0, 3.0)


def test_quarters() -> None:
    trend = build_trend(FRAME, choose(start="2018-04", end="2018-09"), by="quarter")
    started = trend.table.filter(
        (pl.col("measure") == "plans_started") & (pl.col("period_type") == "quarter")
    )
    assert started["period"].to_list() == ["2018-Q2", "2018-Q3"]
    assert started["numerator"].to_list() == [3, 0]


def test_groups_from_one_preparation_equal_separate_computes() -> None:
    """compute_each shares the preparation between a trend's months and its year to date;
    each group's table and notes are what compute gives for that group alone."""
    sample = Path(__file__).resolve().parent.parent / "sample_data" / "cp_plans.csv"
    timeline = load_plans(sample).timeline
    monthly = months(parse_month("2017-01"), parse_month("2018-10"))
    groups = [monthly, [year_to_date(monthly[-1])], monthly[3:5]]
    population = Population(fixed=76_000)
    together = compute_each(timeline, groups, population=population)
    for group, result in zip(groups, together, strict=True):
        alone = compute(timeline, group, population=population)
        assert result.table.equals(alone.table)
        assert result.notes == alone.notes
