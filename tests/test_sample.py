"""The synthetic extract: deterministic, clean, and shaped like the DfE anchors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from cpmetrics.api import load_plans
from cpmetrics.engine import Population, compute
from cpmetrics.periods import months, parse_month
from cpmetrics.sample import generate

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "cp_plans.csv"


def test_same_seed_same_extract() -> None:
    assert generate(7).equals(generate(7))
    assert not generate(7).equals(generate(8))


@pytest.fixture(scope="module")
def sample_result() -> tuple[pl.DataFrame, pl.DataFrame]:
    loaded = load_plans(SAMPLE, extract_date=dt.date(2019, 12, 31))
    assert loaded.report.findings.is_empty()  # the sample is clean
    periods = months(parse_month("2013-04"), parse_month("2019-12"))
    table = compute(loaded.plans, periods, population=Population(fixed=76_000)).table
    return loaded.plans, table.pivot(on="measure", index="period_end", values="numerator")


def test_committed_sample_lands_near_the_anchors(
    sample_result: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    plans, wide = sample_result

    def share(numerator: str, denominator: str) -> float:
        return float(wide[numerator].sum() / wide[denominator].sum())

    # A few hundred children on a plan at any time.
    assert wide["children_on_plan"].min() >= 200 and wide["children_on_plan"].max() <= 500
    assert 0.01 <= share("open_2y_plus_pct", "children_on_plan") <= 0.03
    assert 0.03 <= share("ceased_2y_plus_pct", "plans_ended") <= 0.05
    assert 0.20 <= share("repeat_plan_pct", "plans_started") <= 0.25
    ended = plans.filter(pl.col("end_date").is_not_null())
    median_months = (ended["end_date"] - ended["start_date"]).dt.total_days().median() / 30.44
    assert 8 <= median_months <= 10
    neglect = (plans["initial_category"] == "NEG").mean()
    assert 0.4 <= neglect <= 0.6
    # Sibling groups start on the same day; some children are unborn when their plan starts.
    assert plans.group_by("family_id", "start_date").len()["len"].max() >= 3
    assert (plans["date_of_birth"] > plans["start_date"]).sum() > 0
    assert plans["end_date"].is_null().sum() > 100  # open plans at the extract date
