"""Breakdowns: each record in exactly one group, groups summing to the figure, and the bands,
ages and family sizes worked by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from cpmetrics.breakdowns import breakdown, check_totals
from cpmetrics.cli import app
from cpmetrics.engine import Options, compute
from cpmetrics.history import with_child_history
from cpmetrics.periods import Period, parse_month
from cpmetrics.records import at_period, counts, plan_facts
from helpers import d
from test_oracle_properties import DATES, end_after

R = dt.date(2018, 10, 31)
OCTOBER = parse_month("2018-10")
SCHEMA = {
    "child_id": pl.String,
    "start_date": pl.Date,
    "end_date": pl.Date,
    "date_of_birth": pl.Date,
    "family_id": pl.String,
    "initial_category": pl.String,
    "latest_category": pl.String,
    "previous_plans": pl.Int64,
    "team": pl.String,
}


def facts_of(rows: list[dict[str, object]], options: Options | None = None) -> pl.DataFrame:
    """Plan facts from plain rows, as load_plans would hand them over (the team column as
    one of the extract's other columns: see ``others``)."""
    plans = (
        pl.DataFrame(rows, schema=SCHEMA)
        .with_row_index("_row")
        .with_columns(pl.col("_row").cast(pl.Int64), pl.lit(0, pl.Int64).alias("line"))
    )
    timeline = with_child_history(
        plans.select("_row", "child_id", "start_date", "end_date", "previous_plans", "family_id")
    )
    return plan_facts(plans.drop("team"), timeline, options or Options())


def others(rows: list[dict[str, object]]) -> pl.DataFrame:
    """The extract's other columns by row, as load_plans keeps them."""
    plans = pl.DataFrame(rows, schema=SCHEMA).with_row_index("_row")
    return plans.select(pl.col("_row").cast(pl.Int64), "team")


def plan(child: str, start: str, end: str | None = None, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {"child_id": child, "start_date": d(start), "end_date": d(end)}
    row.update({k: (d(v) if k == "date_of_birth" else v) for k, v in extra.items()})  # type: ignore[arg-type]
    return row


def groups(table: pl.DataFrame, measure: str) -> dict[str, tuple[int, int]]:
    rows = table.filter(pl.col("measure") == measure)
    return {g: (n, t) for g, n, t in rows.select("group", "numerator", "denominator").rows()}


def test_duration_bands_on_their_boundaries() -> None:
    rows = [
        plan("A", "2018-07-31"),  # exactly 3 months at R: 3 months or less
        plan("B", "2018-07-30"),  # 3 months and a day
        plan("C", "2018-05-01"),  # 5 months 30 days: up to and including 6 months
        plan("D", "2017-10-31"),  # exactly 1 year: 1 year, under 2 years
        plan("E", "2016-10-31"),  # exactly 2 years: 2 years or more
        plan("F", "2016-11-01"),  # a day short of 2 years
        plan("G", "2016-01-01", "2018-10-15"),  # ended in October after 2y 9m
        plan("H", "2018-04-10", "2018-10-10"),  # ended after exactly 6 months
    ]
    table = breakdown(facts_of(rows), OCTOBER, "duration")
    assert groups(table, "children_on_plan") == {
        "3 months or less": (1, 6),
        "more than 3 months, up to and including 6 months": (2, 6),
        "more than 6 months, under 1 year": (0, 6),
        "1 year, under 2 years": (2, 6),
        "2 years or more": (1, 6),
    }
    assert groups(table, "plans_ended")["2 years or more"] == (1, 2)
    assert groups(table, "plans_ended")["more than 3 months, up to and including 6 months"] == (
        1,
        2,
    )


def test_ages_on_the_reference_date() -> None:
    rows = [
        plan("A", "2018-01-01", date_of_birth="2018-12-01"),  # unborn at R
        plan("B", "2018-01-01", date_of_birth="2017-10-31"),  # 1 today: 1-4
        plan("C", "2018-01-01", date_of_birth="2017-11-01"),  # 0: under 1
        plan("D", "2018-01-01", date_of_birth="2002-10-31"),  # 16 today
        plan("E", "2018-01-01"),  # no date of birth
    ]
    table = breakdown(facts_of(rows), OCTOBER, "age")
    got = groups(table, "children_on_plan")
    assert got["unborn"] == (1, 5) and got["under 1"] == (1, 5) and got["1-4"] == (1, 5)
    assert got["16 and over"] == (1, 5) and got["not recorded"] == (1, 5)
    # Plans started (none in October): every group 0 of 0, no "not recorded" row needed.
    assert all(v == (0, 0) for v in groups(table, "plans_started").values())


def test_family_sizes_children_and_families() -> None:
    rows = [
        plan("A", "2016-01-01", family_id="F1"),  # F1: 3 children on a plan, one 2y+
        plan("B", "2018-01-01", family_id="F1"),
        plan("C", "2018-02-01", family_id="F1"),
        plan("D", "2018-03-01", family_id="F2"),  # F2: 1 child
        plan("E", "2018-03-01"),  # no family
    ]
    table = breakdown(facts_of(rows), OCTOBER, "family")
    assert groups(table, "children_on_plan")["3"] == (3, 5)
    assert groups(table, "children_on_plan")["not recorded"] == (1, 5)
    assert groups(table, "families_on_plan")["3"] == (1, 2)
    assert groups(table, "families_on_plan")["1"] == (1, 2)
    assert groups(table, "open_2y_plus_pct")["3"] == (1, 3)  # a percentage: within the group
    assert groups(table, "families_open_2y_plus")["3"] == (1, 1)


def test_any_column_with_blanks_as_not_recorded() -> None:
    rows = [
        plan("A", "2018-10-02", team="North"),
        plan("B", "2018-10-03", team=" North "),
        plan("C", "2018-10-04", team=None),
        plan("D", "2017-01-01", "2018-10-10", team="South"),
    ]
    table = breakdown(facts_of(rows), OCTOBER, "team", others=others(rows))
    assert groups(table, "plans_started") == {"North": (2, 3), "not recorded": (1, 3)}
    assert groups(table, "plans_ended") == {"South": (1, 1)}
    assert groups(table, "children_on_plan") == {"North": (2, 3), "not recorded": (1, 3)}


@st.composite
def extracts(draw: st.DrawFn) -> list[dict[str, object]]:
    rows = []
    for c in range(draw(st.integers(1, 12))):
        family = draw(st.sampled_from([None, "F1", "F2", "F3"]))
        born = draw(st.one_of(st.none(), DATES))
        start = draw(DATES)
        for _ in range(draw(st.integers(1, 3))):
            end = draw(end_after(start))
            rows.append(
                {
                    "child_id": f"c{c}",
                    "start_date": start,
                    "end_date": end,
                    "date_of_birth": born,
                    "family_id": family,
                    "initial_category": draw(st.sampled_from([None, "NEG", "PHY", "MUL"])),
                    "latest_category": draw(st.sampled_from([None, "EMO", "SAB"])),
                    "previous_plans": draw(st.sampled_from([None, 0, 1])),
                    "team": draw(st.sampled_from([None, "North", "South"])),
                }
            )
            if end is None:
                break
            start = end + dt.timedelta(days=draw(st.integers(0, 200)))
    return rows


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=extracts(), on=DATES)
def test_groups_sum_to_the_figures_and_match_the_engine(
    rows: list[dict[str, object]], on: dt.date
) -> None:
    facts = facts_of(rows)
    month = parse_month(f"{on.year}-{on.month:02d}")
    figures = counts(at_period(facts, month))
    # The records' counts are the engine's.
    plans = pl.DataFrame(rows, schema=SCHEMA)
    engine = {
        r["measure"]: (r["numerator"], r["denominator"])
        for r in compute(plans, [month]).table.iter_rows(named=True)
    }
    for measure, (n, den) in figures.items():
        want = engine[measure] if measure != "rate_per_10k" else (engine[measure][0], None)
        assert (n, den) == want, measure
    for by in ("duration", "category", "age", "family", "team"):
        table = breakdown(facts, month, by, others=others(rows))
        assert check_totals(table, figures) == [], by


def run(*args: object) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def test_breakdown_command_by_a_column_of_the_extract(tmp_path: Path) -> None:
    path = tmp_path / "plans.csv"
    path.write_text(
        "child_id,start_date,end_date,Team\nA,2018-10-02,,North\nB,2018-09-01,,South\n"
        "C,2018-03-01,,North\n",
        encoding="utf-8",
    )
    result = run(
        "breakdown",
        "--month",
        "2018-10",
        "--by",
        "Team",
        path,
        "--extract-date",
        "2018-12-31",
        "-f",
        "csv",
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "measure,label,period_start,period_end,dimension,group,numerator,denominator,value,unit"
    )
    want = "children_on_plan,Children on a child protection plan,2018-10-01,2018-10-31,Team"
    assert f"{want},North,2,3,66.7,%" in lines
    unknown = run(
        "breakdown", "--month", "2018-10", "--by", "worker", path, "--extract-date", "2018-12-31"
    )
    assert unknown.exit_code == 2 and "its other columns: Team" in unknown.stderr


def test_breakdown_from_to_gives_a_block_per_month(tmp_path: Path) -> None:
    path = tmp_path / "plans.csv"
    path.write_text(
        "child_id,start_date,end_date\nA,2018-08-02,\nB,2018-09-01,\n", encoding="utf-8"
    )
    result = run(
        "breakdown",
        "--from",
        "2018-08",
        "--to",
        "2018-10",
        "--by",
        "duration",
        path,
        "--extract-date",
        "2018-12-31",
        "-f",
        "csv",
    )
    assert result.exit_code == 0, result.stderr
    starts = {line.split(",")[2] for line in result.stdout.splitlines()[1:]}
    assert starts == {"2018-08-01", "2018-09-01", "2018-10-01"}
    assert Period  # (the periods module names them)


def test_publication_mode_hides_small_groups_and_what_would_reveal_them() -> None:
    sample = Path(__file__).resolve().parents[1] / "sample_data" / "cp_plans.csv"
    for by in ("category", "age", "duration", "family"):
        result = run(
            "breakdown",
            "--month",
            "2018-10",
            "--by",
            by,
            sample,
            "--suppress",
            "--extract-date",
            "2019-12-31",
            "-f",
            "csv",
            "-q",
        )
        assert result.exit_code == 0, result.stderr
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        blocks: dict[tuple[str, str], list[str]] = {}
        for row in rows:
            blocks.setdefault((row["measure"], row["dimension"]), []).append(row["numerator"])
        for key, numerators in blocks.items():
            hidden = numerators.count("c")
            assert hidden != 1, f"{by} {key}: one hidden group is the total minus the rest"
            shown = [int(n) for n in numerators if n != "c"]
            assert not any(1 <= n <= 5 for n in shown), (by, key)
