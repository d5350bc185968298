"""The children behind a figure: the watchlist and explain, held to the same records and
figures as compute."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner, Result

from cpmetrics.api import compute_periods, load_plans
from cpmetrics.cli import app
from cpmetrics.engine import Options, compute
from cpmetrics.lists import explain, watchlist
from cpmetrics.measures import MEASURES
from cpmetrics.periods import parse_month
from cpmetrics.records import plan_facts
from oracle import add_months
from test_breakdowns import SCHEMA, extracts, facts_of, plan
from test_oracle_properties import DATES

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "cp_plans.csv"


def test_watchlist_worked_by_hand() -> None:
    rows = [
        plan("A", "2017-07-31", family_id="F1"),  # exactly 15 months on 2018-10-31
        plan("B", "2017-08-01", family_id="F2"),  # a day short of 15 months
        plan("C", "2016-01-01", family_id="F1"),  # 2y 9m: longest; F1 first
        plan("D", "2016-03-01", "2018-10-31"),  # ended on the day: not on a plan
        plan("E", "2016-12-01", family_id="F3"),  # reaches 2 years on 2018-12-01
    ]
    table = watchlist(facts_of(rows), dt.date(2018, 10, 31), months=15)
    assert table["child_id"].to_list() == ["C", "A", "E"]  # F1 together, longest first
    assert table["months_on_plan"].to_list() == [33, 15, 22]
    assert table["reaches_2y_on"].to_list()[1] == dt.date(2019, 7, 31)
    soon = watchlist(facts_of(rows), dt.date(2018, 10, 31), reaching_within=dt.timedelta(weeks=12))
    assert soon["child_id"].to_list() == ["E"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=extracts(), on=DATES)
def test_watchlist_is_exactly_the_children_past_n_months(
    rows: list[dict[str, object]], on: dt.date
) -> None:
    for months in (0, 6, 15, 24):
        got = set(watchlist(facts_of(rows), on, months=months)["child_id"].to_list())
        want = set()
        for child in {str(r["child_id"]) for r in rows}:
            open_now = [
                r
                for r in rows
                if r["child_id"] == child
                and r["start_date"] <= on  # type: ignore[operator]
                and (r["end_date"] is None or r["end_date"] > on)  # type: ignore[operator]
            ]
            if open_now:
                latest = max(r["start_date"] for r in open_now)  # type: ignore[type-var]
                if add_months(latest, months) <= on:  # type: ignore[arg-type]
                    want.add(child)
        assert got == want, months


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=extracts(), on=DATES)
def test_explain_reproduces_every_figure(rows: list[dict[str, object]], on: dt.date) -> None:
    facts = facts_of(rows)
    month = parse_month(f"{on.year}-{on.month:02d}")
    table = compute(pl.DataFrame(rows, schema=SCHEMA), [month]).table
    for row in table.iter_rows(named=True):
        records = explain(facts, row["measure"], month)
        assert int(records["in_numerator"].sum()) == row["numerator"], row["measure"]
        if row["measure"] != "rate_per_10k" and row["denominator"] is not None:
            assert records.height == row["denominator"], row["measure"]


@pytest.mark.parametrize("month", ["2016-03", "2018-10", "2019-12"])
def test_explain_on_the_sample_equals_compute(month: str) -> None:
    loaded = load_plans(SAMPLE, extract_date=dt.date(2019, 12, 31))
    facts = plan_facts(loaded.plans, loaded.timeline, Options())
    period = parse_month(month)
    figures = compute_periods(loaded, [period]).table
    # (The sample has no review dates nor start and end reasons: those measures are absent.)
    absent = ("review_dates", "start_reason", "end_reason", "latest_review", "visits", "seen_alone")
    assert figures["measure"].to_list() == [m.id for m in MEASURES if m.needs not in absent]
    for row in figures.iter_rows(named=True):
        records = explain(facts, row["measure"], period)
        assert int(records["in_numerator"].sum()) == row["numerator"]
        if row["unit"] == "%":
            assert records.height == row["denominator"]
        else:
            assert records.height == row["numerator"]


def run(*args: object) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def test_explain_command(tmp_path: Path) -> None:
    path = tmp_path / "plans.csv"
    path.write_text(
        "child_id,start_date,end_date\nA,2015-02-01,2016-01-10\nA,2018-10-05,\nB,2018-10-06,\n",
        encoding="utf-8",
    )
    base = (
        "explain",
        "repeat_plan_pct",
        path,
        "--month",
        "2018-10",
        "--extract-date",
        "2018-12-31",
    )
    result = run(*base, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "measure,child_id,family_id,start_date,end_date,line,in_numerator,in_denominator,reason"
    )
    assert lines[1] == (
        "repeat_plan_pct,A,,2018-10-05,,3,true,true,"
        "started 5 Oct 2018; second plan: earlier plan 2015-02-01 to 2016-01-10"
    )
    assert lines[2].startswith("repeat_plan_pct,B,,2018-10-06,,4,false,true,started 6 Oct 2018")
    assert "repeat_plan_pct, 2018-10: 1 of 2" in result.stderr
    unknown = run("explain", "no_such_measure", path, "--month", "2018-10")
    assert unknown.exit_code == 2 and "measures: children_on_plan" in unknown.stderr


def test_watchlist_command_with_other_columns(tmp_path: Path) -> None:
    path = tmp_path / "plans.csv"
    path.write_text(
        "child_id,family_id,start_date,end_date,Team\nA,F1,2016-01-01,,North\n"
        "B,F1,2018-09-01,,North\nC,F2,2017-01-01,,South\n",
        encoding="utf-8",
    )
    result = run(
        "watchlist",
        path,
        "--date",
        "2018-10-31",
        "--columns",
        "Team",
        "--extract-date",
        "2018-12-31",
        "-f",
        "csv",
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith(",age,Team")
    assert [line.split(",")[0] for line in lines[1:]] == ["A", "C"]
    assert "2 children on a plan 15 months or more on 2018-10-31, in 2 families" in result.stderr
    bad = run("watchlist", path, "--columns", "worker", "--extract-date", "2018-12-31")
    assert bad.exit_code == 2 and "no column 'worker'" in bad.stderr
