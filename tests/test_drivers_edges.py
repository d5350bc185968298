"""What a review and a new user's trial found in the breakdowns and lists: ties between open
plans, markers in other columns, options that do not go together, dates outside the data."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from cpmetrics.cli import app
from cpmetrics.engine import Options, compute
from cpmetrics.periods import Period, parse_month
from cpmetrics.records import at_period, counts
from test_breakdowns import SCHEMA, facts_of
from test_oracle_properties import DATES, end_after


@st.composite
def tangled(draw: st.DrawFn) -> list[dict[str, object]]:
    """Plans that overlap, start on the same day, and carry different family ids."""
    rows = []
    for c in range(draw(st.integers(1, 6))):
        start = draw(DATES)
        for _ in range(draw(st.integers(1, 4))):
            rows.append(
                {
                    "child_id": f"c{c}",
                    "start_date": start,
                    "end_date": draw(end_after(start)),
                    "date_of_birth": None,
                    "family_id": draw(st.sampled_from([None, "F1", "F2", "F3"])),
                    "initial_category": None,
                    "latest_category": None,
                    "previous_plans": draw(st.sampled_from([None, 0, 1])),
                    "team": None,
                }
            )
            start = start + dt.timedelta(days=draw(st.sampled_from([0, 0, 1, 40, 400])))
    return rows


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=tangled(),
    on=DATES,
    rule=st.sampled_from(["either", "history", "count", "within"]),
    days=st.booleans(),
    span=st.sampled_from([0, 30, 365]),
    seed=st.integers(0, 1000),
)
def test_records_equal_the_engine_whatever_the_order_of_the_rows(
    rows: list[dict[str, object]], on: dt.date, rule: str, days: bool, span: int, seed: int
) -> None:
    options = Options(repeat_rule=rule, repeat_within_months=6, duration_days=days)  # type: ignore[arg-type]
    period = Period(on - dt.timedelta(days=span), on, "p")
    want = counts(at_period(facts_of(rows, options), period))
    shuffled = rows[:]
    random.Random(seed).shuffle(shuffled)
    assert counts(at_period(facts_of(shuffled, options), period)) == want
    table = compute(pl.DataFrame(shuffled, schema=SCHEMA), [period], options=options).table
    engine = {r["measure"]: (r["numerator"], r["denominator"]) for r in table.iter_rows(named=True)}
    for measure, figure in want.items():
        expected = engine[measure] if measure != "rate_per_10k" else (engine[measure][0], None)
        assert figure == expected, measure


def run(*args: object) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def write(tmp_path: Path, text: str, name: str = "plans.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


TEAMS = (
    "child_id,family_id,start_date,end_date,Team\n"
    "A,F1,2016-01-01,,North\nB,F1,2017-01-01,,NULL\nC,F2,2018-09-01,, north \nD,,2017-03-01,,\n"
)


def test_markers_in_other_columns_are_not_recorded_and_names_match_loosely(tmp_path: Path) -> None:
    path = write(tmp_path, TEAMS)
    result = run(
        "breakdown",
        "--month",
        "2018-10",
        "--by",
        "team",
        path,
        "--extract-date",
        "2018-12-31",
        "-f",
        "csv",
        "-q",
    )
    assert result.exit_code == 0, result.stderr
    on_plan = [line for line in result.stdout.splitlines() if line.startswith("children_on_plan,")]
    assert [line.split(",")[5:8] for line in on_plan] == [
        ["North", "1", "4"],
        ["north", "1", "4"],
        ["not recorded", "2", "4"],
    ]


def test_watchlist_columns_once_each_and_options_that_do_not_go_together(tmp_path: Path) -> None:
    path = write(tmp_path, TEAMS)
    base = ("watchlist", path, "--date", "2018-10-31", "--extract-date", "2018-12-31", "-f", "csv")
    result = run(*base, "--columns", "family_id,Team,team,age")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith(",latest_category,age,Team")
    assert run(*base, "--within", "4w").exit_code == 2
    assert run(*base, "--months", "12", "--reaching", "2y").exit_code == 2
    assert run(*base, "--reaching", "2y", "--within", "3m").exit_code == 2


def test_watchlist_defaults_to_the_data_not_today(tmp_path: Path) -> None:
    path = write(tmp_path, "child_id,start_date,end_date\nA,2016-01-01,\nB,2018-06-01,2018-10-31\n")
    result = run("watchlist", path, "-f", "csv")
    assert "on 2018-10-31" in result.stderr  # the last date in the extract
    assert result.stdout.splitlines()[1].startswith("A,,2016-01-01,33,")


def test_explain_on_undefined_and_empty_measures_and_the_repeat_rule(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "child_id,start_date,end_date,previous_plans\n"
        "A,2014-01-01,2015-01-01,0\nA,2018-10-05,,0\nB,2018-01-01,,0\n",
    )
    base = (path, "--month", "2018-10", "--extract-date", "2018-12-31")
    undefined = run("explain", "families_on_plan", *base)
    assert undefined.exit_code == 2 and "needs a family id column" in undefined.stderr
    empty = run("explain", "ceased_2y_plus_pct", *base, "-f", "csv")
    assert "ceased_2y_plus_pct, 2018-10: 0 of 0" in empty.stderr
    count = run("explain", "repeat_plan_pct", *base, "--repeat-rule", "count", "-f", "csv")
    assert "not a repeat by the 'count' rule: second plan" in count.stdout


def test_explain_and_watchlist_outside_the_data_exit_1(tmp_path: Path) -> None:
    path = write(tmp_path, "child_id,start_date,end_date\nA,2016-01-01,2018-06-01\n")
    assert (
        run("explain", "children_on_plan", path, "--month", "2021-01", "-f", "csv").exit_code == 1
    )
    assert run("watchlist", path, "--date", "2009-01-01", "-f", "csv").exit_code == 1


def test_breakdown_day_ranges_and_missing_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "child_id,start_date,end_date\nA,2018-08-02,\nB,2018-10-20,\n")
    result = run(
        "breakdown",
        "--from",
        "2018-08-15",
        "--to",
        "2018-10-10",
        "--by",
        "age",
        path,
        "--extract-date",
        "2018-12-31",
        "-f",
        "csv",
    )
    assert result.exit_code == 0, result.stderr
    spans = {tuple(line.split(",")[2:4]) for line in result.stdout.splitlines()[1:]}
    assert spans == {
        ("2018-08-15", "2018-08-31"),
        ("2018-09-01", "2018-09-30"),
        ("2018-10-01", "2018-10-10"),
    }
    assert "no date_of_birth column: every record is 'not recorded'" in result.stderr


def test_publication_mode_keeps_empty_cells_and_hides_the_rag(tmp_path: Path) -> None:
    path = write(
        tmp_path, "child_id,family_id,start_date,end_date\nA,F1,2016-01-01,\nB,F1,2017-06-01,\n"
    )
    computed = run(
        "compute",
        "--month",
        "2018-10",
        path,
        "--extract-date",
        "2018-12-31",
        "--suppress",
        "-f",
        "csv",
        "-q",
    )
    families = next(x for x in computed.stdout.splitlines() if x.startswith("families_on_plan,"))
    assert families.split(",")[4:6] == ["c", ""]  # no denominator to hide
    config = write(
        tmp_path, '[targets.open_2y_plus_pct]\ntarget = 90.0\npolarity = "low"\n', "cpmetrics.toml"
    )
    trend = run(
        "trend",
        "--from",
        "2018-09",
        "--to",
        "2018-10",
        path,
        "--config",
        config,
        "--extract-date",
        "2018-12-31",
        "--suppress",
        "-f",
        "csv",
        "-q",
    )
    rows = [line.split(",") for line in trend.stdout.splitlines()]
    rag = rows[0].index("rag")
    assert all(r[rag] in ("", "c") for r in rows[1:] if r[0] == "open_2y_plus_pct")
    table = run(
        "trend",
        "--from",
        "2018-09",
        "--to",
        "2018-10",
        path,
        "--config",
        config,
        "--extract-date",
        "2018-12-31",
        "--suppress",
        "-f",
        "table",
        "-q",
    )
    assert table.exit_code == 0, table.stderr  # the rating 'c' is shown, not looked up
    assert parse_month  # (periods named as in the CLI)
