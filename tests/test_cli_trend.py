"""The trend command and the period options, through the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cpmetrics.cli import app

PLANS = (
    "child_id,start_date,end_date,previous_plans\n"
    "A,2018-03-20,2018-05-10,0\n"
    "B,2018-04-05,,0\n"
    "C,2018-05-01,,1\n"
    "A,2018-06-01,,\n"
    # The extract runs to 2019 (a period after its last date would make the run exit 1).
    "D,2020-03-05,,0\n"
)
CONFIG = """
extract_date = 2020-03-31
population = 10000
[targets.repeat_plan_pct]
target = 50.0
polarity = "low"
amber = 20.0
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plans.csv").write_text(PLANS)
    (tmp_path / "cpmetrics.toml").write_text(CONFIG)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_trend_long_csv(workdir: Path) -> None:
    code, out, err = run("trend", "--from", "2018-04", "--to", "2018-06", "plans.csv", "-f", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 12 * 4  # twelve measures (no family ids), three months and the YTD
    repeat = [r for r in rows if r["measure"] == "repeat_plan_pct"]
    # April: B (not a repeat); May: C (previous-plans count 1); June: A's second plan.
    assert [r["value"] for r in repeat] == ["0.0", "100.0", "100.0", "66.7"]
    assert [r["rag"] for r in repeat] == ["G", "R", "R", "A"]
    assert [r["change"] for r in repeat] == ["", "100.0", "0.0", ""]
    assert {r["target"] for r in repeat} == {"50.0"}


def test_trend_table_rates_the_ytd_beside_it(workdir: Path) -> None:
    code, out, _ = run("trend", "--from", "2018-04", "--to", "2018-06", "plans.csv", "-f", "table")
    assert code == 0
    repeat = next(line for line in out.splitlines() if line.lstrip().startswith("Repeat"))
    # YTD 66.7 against a target of 50 with 20 amber: A (June alone, 100.0, would be R).
    assert repeat.split()[-1] == "A"


def test_trend_wide_csv(workdir: Path) -> None:
    code, out, _ = run(
        "trend", "--from", "2018-04", "--to", "2018-06", "plans.csv", "-f", "csv", "--wide"
    )
    assert code == 0
    header = out.splitlines()[0].split(",")
    assert header == [
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
        "comparator_year",
        "england",
        "region",
        "neighbours",
        "comparator_note",
    ]


def test_trend_table_fits_120_columns(workdir: Path) -> None:
    code, out, _ = run("trend", "--from", "2018-04", "--to", "2019-03", "plans.csv", "-f", "table")
    assert code == 0
    assert "Apr18" in out and "Mar19" in out and "YTD" in out and "RAG" in out
    assert max(len(line) for line in out.splitlines()) <= 120


def test_wide_table_is_a_usage_error(workdir: Path) -> None:
    code, _, err = run(
        "trend", "--from", "2018-04", "--to", "2018-06", "plans.csv", "-f", "table", "--wide"
    )
    assert code == 2 and "--wide" in err


@pytest.mark.parametrize(
    ("options", "start", "end"),
    [
        (["--quarter", "2018-Q2"], "2018-04-01", "2018-06-30"),
        (["--year", "2018-19"], "2018-04-01", "2019-03-31"),
        (["--month", "2018-06", "--ytd"], "2018-04-01", "2018-06-30"),
        (["--month", "2018-06", "--rolling", "3"], "2018-04-01", "2018-06-30"),
        (["--from", "2018-04-01", "--to", "2018-06-30"], "2018-04-01", "2018-06-30"),
    ],
)
def test_compute_any_period(workdir: Path, options: list[str], start: str, end: str) -> None:
    code, out, err = run("compute", "plans.csv", *options, "-f", "json")
    assert code == 0, err
    rows = {r["measure"]: r for r in json.loads(out)}
    assert (rows["plans_started"]["period_start"], rows["plans_started"]["period_end"]) == (
        start,
        end,
    )
    # 1 April - 30 June 2018: B, C and A's second plan start; A's first ends.
    assert rows["plans_started"]["value"] == 3
    assert rows["plans_ended"]["value"] == 1


def test_two_periods_is_a_usage_error(workdir: Path) -> None:
    code, _, err = run("compute", "plans.csv", "--month", "2018-06", "--quarter", "2018-Q2")
    assert code == 2 and "one period" in err


def test_la_population_and_comparators_from_the_bundled_data(workdir: Path) -> None:
    code, out, err = run("compute", "plans.csv", "--month", "2020-03", "--la", "938", "-f", "json")
    assert code == 0, err
    rows = {r["measure"]: r for r in json.loads(out)}
    # West Sussex, year ending March 2020: ONS mid-2019 estimate 173,551.
    assert rows["rate_per_10k"]["denominator"] == 173_551
    assert "mid-2019" in err and "West Sussex" in err
    # England 2019-20: 51,510 / 11,790,492 x 10,000 = 43.7, recomputed, and labelled so.
    assert rows["rate_per_10k"]["england"] == 43.7
    assert rows["rate_per_10k"]["comparator_year"] == "2019-20"
    assert rows["rate_per_10k"]["comparator_note"] == "recomputed: D5 count / ONS mid-2019 estimate"
    assert rows["repeat_plan_pct"]["comparator_note"] is None  # D3's own figure
    assert rows["plans_started"]["england"] is None
    # The neighbours are the DfE model's; stderr says where everything came from.
    assert "10 statistical neighbours (DfE statistical neighbour model 2025, bundled)" in err
    assert "bundled with cpmetrics (Open Government Licence v3.0)" in err
    assert "rate per 10,000 is recomputed" in err


def test_a_reference_file_replaces_the_bundled_one(workdir: Path) -> None:
    ees = (
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,old_la_code,new_la_code,la_name,CPP_start,CPP_subsequent,"
        "CPP_subsequent_percent\n2020,Reporting year,National,E92000001,England,,,,,,100,25,25.0\n"
    )
    (workdir / "d3_new.csv").write_text(ees)
    code, out, err = run(
        "compute",
        "plans.csv",
        "--month",
        "2020-03",
        "--la",
        "938",
        "--reference",
        "d3_new.csv",
        "-f",
        "json",
    )
    assert code == 0, err
    rows = {r["measure"]: r for r in json.loads(out)}
    assert rows["repeat_plan_pct"]["england"] == 25.0  # the given D3
    assert rows["rate_per_10k"]["england"] == 43.7  # the bundled D5 and ONS
    assert "comparator data from d3_new.csv: DfE children in need D3 2019-20" in err


def test_the_configs_neighbours_replace_the_models(workdir: Path) -> None:
    config = 'la = "938"\nneighbours = ["Hampshire", "Kent"]\n' + CONFIG
    (workdir / "cpmetrics.toml").write_text(config)
    code, _, err = run("compute", "plans.csv", "--month", "2020-03", "-f", "csv")
    assert code == 0, err
    assert "2 statistical neighbours (set in cpmetrics.toml): Hampshire, Kent" in err
    # They are West Sussex's: another authority on the command line gets its own from the model.
    code, _, err = run("compute", "plans.csv", "--month", "2020-03", "--la", "Kent", "-f", "csv")
    assert code == 0, err
    assert "comparators for Kent" in err and "DfE statistical neighbour model 2025" in err


def test_neighbours_without_an_authority_is_a_usage_error(workdir: Path) -> None:
    (workdir / "cpmetrics.toml").write_text('neighbours = ["Kent"]\n' + CONFIG)
    code, _, err = run("compute", "plans.csv", "--month", "2020-03")
    assert code == 2 and "--la" in err


def test_unknown_la(workdir: Path) -> None:
    code, _, err = run("compute", "plans.csv", "--month", "2020-03", "--la", "Atlantis")
    assert code == 2 and "Atlantis" in err


def test_periods_after_the_extract_date_are_warned_about(workdir: Path) -> None:
    code, _, err = run("compute", "plans.csv", "--month", "2020-04", "-f", "csv")
    assert code == 1  # wholly after the extract's dates: figures written, run not clean
    assert "after the extract date 2020-03-31" in err and "incomplete" in err
    assert "2020-04 starts after the last date in the extract (2020-03-31)" in err


def test_the_config_in_use_is_named(workdir: Path) -> None:
    _, _, err = run("compute", "plans.csv", "--month", "2018-06", "-f", "csv")
    assert "settings from cpmetrics.toml" in err


def test_a_configs_own_figures_stay_with_its_input(workdir: Path) -> None:
    """The config names its input: its population and extract date are not applied to
    another file given on the command line (the shipped config describes the sample)."""
    (workdir / "cpmetrics.toml").write_text('input = "plans.csv"\n' + CONFIG)
    (workdir / "other.csv").write_text(PLANS)
    code, out, err = run("compute", "--month", "2018-06", "-f", "json")
    assert code == 0
    own = {r["measure"]: r for r in json.loads(out)}
    assert own["rate_per_10k"]["denominator"] == 10000  # from the config
    code, out, err = run("compute", "other.csv", "--month", "2018-06", "-f", "json")
    assert code == 0
    other = {r["measure"]: r for r in json.loads(out)}
    assert other["rate_per_10k"]["value"] is None
    assert "are not used for other.csv" in err


def test_findings_name_the_files_own_heading(workdir: Path) -> None:
    (workdir / "census.csv").write_text(
        "Child Unique ID,CPPstartDate,CPPendDate\nA,2018-05-01,2018-04-01\n"
    )
    code, out, _ = run("validate", "census.csv", "-f", "csv")
    assert code == 1
    row = next(csv.DictReader(io.StringIO(out)))
    assert (row["rule"], row["column"], row["header"]) == ("8925", "end_date", "CPPendDate")


def test_the_bundled_data_is_read_only_for_an_authority(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start-up stays cheap: without --la (or la in the config) no open data is read."""

    def refuse(*_: object) -> None:
        raise AssertionError("the open data was read")

    monkeypatch.setattr("cpmetrics.runner.load_reference", refuse)
    code, _, err = run("trend", "--from", "2018-04", "--to", "2018-06", "plans.csv", "-f", "csv")
    assert code == 0, err
