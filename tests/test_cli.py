"""The command line as a user meets it: output formats, exit codes, config, messages.

Every test runs in its own empty working directory (``tmp_path``), so the repository's own
cpmetrics.toml is never picked up unless a test writes one on purpose.

Exit codes (the contract): 0 ok, 1 a data problem, 2 a usage problem (bad option, bad config,
missing or unopenable input). Nothing may ever end in a traceback or in the internal-error code 3.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cpmetrics.api import compute_periods, load_plans
from cpmetrics.cli import app
from cpmetrics.periods import parse_month
from helpers import FINDINGS_HEADER, RESULT_HEADER

MEASURE_IDS = [
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
]
LABELS = [
    "Children on a child protection plan",
    "Rate per 10,000 children aged 0-17",
    "On a plan for 2 years or more (% of children on a plan)",
    "Plans ended that had lasted 2 years or more (%)",
    "Plans started that were a second or subsequent plan (%)",
    "Plans started",
    "Plans ended",
    "Children who started a plan",
    "Children whose plan ended",
    "Plans open at any point in the period",
    "Children on a plan at any point in the period",
    "Children on a second or subsequent plan (%)",
]

# A small extract, worked by hand for --month 2018-10 (R = 2018-10-31):
#   line 2  A  2016-09-01 .. open        open at R; 2016-09-01 + 2y = 2018-09-01 <= R: 2y+
#   line 3  B  2018-10-05 .. 2018-10-20  starts and ends in October; first plan of B
#   line 4  B  2018-10-25 .. open        starts in October, open at R; repeat (earlier plan)
#   line 5  C  2018-03-01 .. 2018-10-31  ends ON R: an ended plan of October, not open; < 2y
#   line 6  D  2016-10-01 .. 2018-10-15  ends in October; 2016-10-01 + 2y = 2018-10-01 <= end: 2y+
#   line 7  E  2018-11-02 .. open        starts after R: in no October figure
PLANS_CSV = """\
child_id,start_date,end_date,previous_plans
A,2016-09-01,,0
B,2018-10-05,2018-10-20,0
B,2018-10-25,,1
C,2018-03-01,2018-10-31,0
D,2016-10-01,2018-10-15,0
E,2018-11-02,,0
"""
# measure -> (numerator, denominator, value) with --population 1000
EXPECTED = {
    "children_on_plan": (2, None, 2),  # A and B open at R
    "rate_per_10k": (2, 1000, 20.0),  # 2 x 10,000 / 1,000
    "open_2y_plus_pct": (1, 2, 50.0),  # A only
    "ceased_2y_plus_pct": (1, 3, 33.3),  # ended B(1st), C, D; D lasted 2y: 1/3 = 33.3%
    "repeat_plan_pct": (1, 2, 50.0),  # started B(1st), B(2nd); the 2nd is a repeat
    "plans_started": (2, None, 2),
    "plans_ended": (3, None, 3),
    "children_started": (1, None, 1),  # B (twice)
    "children_ended": (3, None, 3),  # B, C, D
    # Open at any point in October (start <= 31 Oct, no end or end >= 1 Oct): A, B x2, C, D.
    "plans_any_point": (5, None, 5),
    "children_any_point": (4, None, 4),  # A, B, C, D
    "open_repeat_pct": (1, 2, 50.0),  # B's current plan is its second; A's its first
}


def run(*args: str | Path) -> Result:
    """Invoke the CLI and check what every invocation owes the user."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    everything = result.stdout + result.stderr
    assert "Traceback" not in everything, everything
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r} would reach the user as a traceback")
    assert result.exit_code in (0, 1, 2), (
        f"exit {result.exit_code} (3 = internal error, a bug): {result.stderr}"
    )
    if result.exit_code != 0:
        assert result.stderr.strip(), "a failure must say why on stderr"
    return result


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def plans(workdir: Path) -> Path:
    return write(workdir / "plans.csv", PLANS_CSV)


def library_rows(path: Path, population: int | None) -> list[dict[str, object]]:
    loaded = load_plans(path)
    result = compute_periods(loaded.plans, [parse_month("2018-10")], population=population)
    return list(result.table.iter_rows(named=True))


def parse_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# --- csv / json / table output -------------------------------------------------------------


def test_csv_output_exact_header_and_only_data_on_stdout(plans: Path) -> None:
    result = run("compute", "--month", "2018-10", plans, "--population", "1000", "-f", "csv")
    assert result.exit_code == 0
    rows = parse_csv(result.stdout)
    assert rows[0] == RESULT_HEADER
    assert [r[0] for r in rows[1:]] == MEASURE_IDS
    assert all(len(r) == len(RESULT_HEADER) for r in rows)
    # Nothing but the CSV: one line per row, no notes or summaries mixed in.
    assert result.stdout.count("\n") == len(MEASURE_IDS) + 1
    assert "cpmetrics:" not in result.stdout
    assert "rows used" in result.stderr


def test_csv_output_matches_library_and_hand_worked_numbers(plans: Path) -> None:
    result = run("compute", "--month", "2018-10", plans, "--population", "1000", "-f", "csv")
    assert result.exit_code == 0
    body = [dict(zip(RESULT_HEADER, r, strict=True)) for r in parse_csv(result.stdout)[1:]]
    expected = library_rows(plans, 1000)
    assert len(body) == len(expected) == len(MEASURE_IDS)
    for got, want in zip(body, expected, strict=True):
        assert got["measure"] == want["measure"]
        assert got["label"] == want["label"]
        assert got["unit"] == want["unit"]
        # ISO dates
        assert got["period_start"] == "2018-10-01" == want["period_start"].isoformat()
        assert got["period_end"] == "2018-10-31" == want["period_end"].isoformat()
        assert got["numerator"] == str(want["numerator"])
        assert got["denominator"] == (
            "" if want["denominator"] is None else str(want["denominator"])
        )
        if want["value"] is None:
            assert got["value"] == ""
        else:
            assert float(got["value"]) == pytest.approx(want["value"])
        # Plain numbers: no thousands separators, %, or NaN.
        for key in ("numerator", "denominator", "value"):
            assert re.fullmatch(r"(-?\d+(\.\d)?)?", got[key]), (key, got[key])
        num, den, value = EXPECTED[got["measure"]]
        assert got["numerator"] == str(num)
        assert got["denominator"] == ("" if den is None else str(den))
        assert float(got["value"]) == pytest.approx(value)


def test_json_output_parses_and_matches_library(plans: Path) -> None:
    result = run("compute", "--month", "2018-10", plans, "--population", "1000", "-f", "json")
    assert result.exit_code == 0
    records = json.loads(result.stdout)  # the whole of stdout is the JSON document
    assert isinstance(records, list)
    assert [list(r) for r in records] == [RESULT_HEADER] * len(MEASURE_IDS)
    expected = library_rows(plans, 1000)
    for got, want in zip(records, expected, strict=True):
        assert got["measure"] == want["measure"]
        assert got["period_start"] == "2018-10-01"
        assert got["period_end"] == "2018-10-31"
        assert got["numerator"] == want["numerator"]
        assert got["denominator"] == want["denominator"]
        assert got["value"] == pytest.approx(want["value"])
        num, den, value = EXPECTED[got["measure"]]
        assert (got["numerator"], got["denominator"]) == (num, den)
        assert got["value"] == pytest.approx(value)
        if got["unit"] in ("children", "plans"):
            assert isinstance(got["value"], int)  # plain whole numbers for counts


def test_table_output_contains_labels(plans: Path) -> None:
    result = run("compute", "--month", "2018-10", plans, "--population", "1000", "-f", "table")
    assert result.exit_code == 0
    for label in LABELS:
        assert label in result.stdout
    assert "2018-10-31" in result.stdout  # the title names the period
    assert "33.3%" in result.stdout


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("out.csv", "csv"),
        ("out.json", "json"),
        ("OUT.JSON", "json"),
        ("out.txt", "table"),
        ("out", "csv"),  # no suffix: CSV; an unknown one is refused (test_unattended)
    ],
)
def test_output_file_format_from_suffix(plans: Path, name: str, kind: str) -> None:
    target = plans.parent / name
    result = run("compute", "--month", "2018-10", plans, "--population", "1000", "-o", target)
    assert result.exit_code == 0
    assert result.stdout == ""  # everything went to the file
    text = target.read_text(encoding="utf-8")
    if kind == "csv":
        assert parse_csv(text)[0] == RESULT_HEADER
    elif kind == "json":
        assert [r["measure"] for r in json.loads(text)] == MEASURE_IDS
    else:
        assert LABELS[0] in text


def test_explicit_format_beats_output_suffix(plans: Path) -> None:
    target = plans.parent / "out.txt"
    result = run("compute", "--month", "2018-10", plans, "-o", target, "-f", "json")
    assert result.exit_code == 0
    assert len(json.loads(target.read_text(encoding="utf-8"))) == len(MEASURE_IDS)


def test_output_into_missing_directory_is_usage_error(plans: Path) -> None:
    result = run("compute", "--month", "2018-10", plans, "-o", plans.parent / "no" / "x.csv")
    assert result.exit_code == 2


# --- the rate and the population -----------------------------------------------------------


def test_rate_empty_without_population_and_stderr_says_why(plans: Path) -> None:
    result = run("compute", "--month", "2018-10", plans, "-f", "csv")
    assert result.exit_code == 0
    rows = {r[0]: dict(zip(RESULT_HEADER, r, strict=True)) for r in parse_csv(result.stdout)[1:]}
    assert rows["rate_per_10k"]["value"] == ""
    assert rows["rate_per_10k"]["denominator"] == ""
    assert rows["rate_per_10k"]["numerator"] == "2"
    assert "rate_per_10k is empty" in result.stderr
    assert "population" in result.stderr


def test_rate_empty_in_json_is_null(plans: Path) -> None:
    result = run("compute", "--month", "2018-10", plans, "-f", "json")
    assert result.exit_code == 0
    rate = next(r for r in json.loads(result.stdout) if r["measure"] == "rate_per_10k")
    assert rate["value"] is None
    assert rate["denominator"] is None


def test_population_by_year_from_config(workdir: Path, plans: Path) -> None:
    # October 2018 is in the year ending 31 March 2019: DfE divides by the mid-2018 estimate.
    write(
        workdir / "cpmetrics.toml",
        'input = "plans.csv"\n[population_by_year]\n2017 = 5000\n2018 = 2000\n2019 = 9000\n',
    )
    result = run("compute", "--month", "2018-10", "-f", "json")
    assert result.exit_code == 0
    rate = next(r for r in json.loads(result.stdout) if r["measure"] == "rate_per_10k")
    assert (rate["numerator"], rate["denominator"], rate["value"]) == (2, 2000, 10.0)  # 2x10k/2k
    assert "mid-2018" in result.stderr


def test_population_option_beats_config(workdir: Path, plans: Path) -> None:
    write(workdir / "cpmetrics.toml", 'input = "plans.csv"\npopulation = 4000\n')
    result = run("compute", "--month", "2018-10", "--population", "1000", "-f", "json")
    assert result.exit_code == 0
    rate = next(r for r in json.loads(result.stdout) if r["measure"] == "rate_per_10k")
    assert rate["value"] == 20.0  # 2 x 10,000 / 1,000, not / 4,000


@pytest.mark.parametrize("value", ["0", "-5", "many"])
def test_bad_population_option_is_usage_error(plans: Path, value: str) -> None:
    result = run("compute", "--month", "2018-10", plans, "--population", value)
    assert result.exit_code == 2
    assert result.stdout == ""


# --- exit codes ----------------------------------------------------------------------------


def test_ok_exit_zero(plans: Path) -> None:
    assert run("compute", "--month", "2018-10", plans).exit_code == 0


def test_missing_file_exit_2(workdir: Path) -> None:
    result = run("compute", "--month", "2018-10", workdir / "nope.csv")
    assert result.exit_code == 2
    assert "nope.csv" in result.stderr
    assert result.stdout == ""


def test_directory_as_input_exit_2(workdir: Path) -> None:
    (workdir / "adir").mkdir()
    result = run("compute", "--month", "2018-10", workdir / "adir")
    assert result.exit_code == 2
    assert "directory" in result.stderr


def test_unsupported_suffix_exit_2(workdir: Path) -> None:
    path = write(workdir / "plans.sav", PLANS_CSV)
    result = run("compute", "--month", "2018-10", path)
    assert result.exit_code == 2
    assert ".sav" in result.stderr


def test_empty_file_exit_1(workdir: Path) -> None:
    path = write(workdir / "empty.csv", "")
    result = run("compute", "--month", "2018-10", path)
    assert result.exit_code == 1
    assert "empty" in result.stderr
    assert result.stdout == ""


def test_header_only_file_exit_1(workdir: Path) -> None:
    path = write(workdir / "header.csv", "child_id,start_date,end_date\n")
    result = run("compute", "--month", "2018-10", path)
    assert result.exit_code == 1
    assert "no rows" in result.stderr
    assert result.stdout == ""


def test_missing_required_column_exit_1(workdir: Path) -> None:
    path = write(workdir / "nocol.csv", "child_id,start_date\nA,2018-10-01\n")
    result = run("compute", "--month", "2018-10", path)
    assert result.exit_code == 1
    assert "end_date" in result.stderr
    assert result.stdout == ""


def test_column_mapping_in_config(workdir: Path) -> None:
    # 'Kid' and 'Began' are not known aliases; [columns] maps them. Same plans as PLANS_CSV.
    write(workdir / "odd.csv", PLANS_CSV.replace("child_id,start_date", "Kid,Began", 1))
    write(
        workdir / "cpmetrics.toml",
        'input = "odd.csv"\npopulation = 1000\n[columns]\nchild_id = "Kid"\nstart_date = "Began"\n',
    )
    result = run("compute", "--month", "2018-10", "-f", "json")
    assert result.exit_code == 0
    got = {r["measure"]: (r["numerator"], r["denominator"]) for r in json.loads(result.stdout)}
    assert got == {k: v[:2] for k, v in EXPECTED.items()}


@pytest.mark.parametrize("month", ["2018-13", "Oct", "2018-00", "18-10", "", "0000-01"])
def test_bad_month_exit_2(plans: Path, month: str) -> None:
    result = run("compute", "--month", month, plans)
    assert result.exit_code == 2
    assert "month" in result.stderr.lower()
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ("compute", "--quarter", "0000-Q1"),
        ("compute", "--year", "9999-00"),
        ("compute", "--from", "0000-01", "--to", "2018-10"),
        ("compute", "--month", "0001-01", "--ytd"),
        ("compute", "--month", "2018-10", "--rolling", "100000"),
        ("trend", "--from", "0001-01", "--to", "0001-03"),
    ],
)
def test_period_outside_the_calendar_is_usage_error(plans: Path, args: tuple[str, ...]) -> None:
    # Each names a period that starts before year 1 or ends after 9999: a usage error, not a bug.
    result = run(*args, plans)
    assert result.exit_code == 2
    assert result.stdout == ""


def test_missing_month_exit_2(plans: Path) -> None:
    result = run("compute", plans)
    assert result.exit_code == 2


def test_unknown_option_exit_2(plans: Path) -> None:
    result = run("compute", "--month", "2018-10", plans, "--no-such-option")
    assert result.exit_code == 2
    assert "--no-such-option" in result.stderr


def test_bad_format_exit_2(plans: Path) -> None:
    result = run("compute", "--month", "2018-10", plans, "-f", "xml")
    assert result.exit_code == 2


def test_bad_extract_date_exit_2(plans: Path) -> None:
    result = run("compute", "--month", "2018-10", plans, "--extract-date", "2018-02-30")
    assert result.exit_code == 2
    assert "--extract-date" in result.stderr


def test_no_input_and_no_config_exit_2(workdir: Path) -> None:
    result = run("compute", "--month", "2018-10")
    assert result.exit_code == 2
    assert "input" in result.stderr
    assert result.stdout == ""


# --- config --------------------------------------------------------------------------------


def test_config_unknown_key_exit_2_and_names_it(workdir: Path, plans: Path) -> None:
    write(workdir / "cpmetrics.toml", 'input = "plans.csv"\npopulaton = 1000\n')
    result = run("compute", "--month", "2018-10")
    assert result.exit_code == 2
    assert "populaton" in result.stderr
    assert result.stdout == ""


def test_config_bad_toml_exit_2(workdir: Path, plans: Path) -> None:
    write(workdir / "cpmetrics.toml", 'input = "plans.csv\npopulation = \n')
    result = run("compute", "--month", "2018-10")
    assert result.exit_code == 2
    assert "TOML" in result.stderr
    assert "cpmetrics.toml" in result.stderr


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("population = -5\n", "population"),
        ("population = 0\n", "population"),
        ('population = "lots"\n', "population"),
        ("[population_by_year]\n2018 = -1\n", "population_by_year"),
        ('extract_date = "yesterday"\n', "extract_date"),
        ('repeat_rule = "sometimes"\n', "repeat_rule"),
        ('[columns]\nchild = "Kid"\n', "columns"),
    ],
)
def test_config_bad_value_exit_2_names_key(workdir: Path, plans: Path, body: str, key: str) -> None:
    write(workdir / "cpmetrics.toml", 'input = "plans.csv"\n' + body)
    result = run("compute", "--month", "2018-10")
    assert result.exit_code == 2
    assert key in result.stderr
    assert result.stdout == ""


def test_config_given_with_option_but_missing_exit_2(plans: Path) -> None:
    result = run("compute", "--month", "2018-10", plans, "--config", "nowhere.toml")
    assert result.exit_code == 2
    assert "nowhere.toml" in result.stderr


def test_config_input_pointing_nowhere_exit_2(workdir: Path) -> None:
    write(workdir / "cpmetrics.toml", 'input = "gone.csv"\n')
    result = run("compute", "--month", "2018-10")
    assert result.exit_code == 2
    assert "gone.csv" in result.stderr


def test_config_in_cwd_supplies_input_and_population(workdir: Path, plans: Path) -> None:
    write(workdir / "cpmetrics.toml", 'input = "plans.csv"\npopulation = 1000\n')
    result = run("compute", "--month", "2018-10", "-f", "json")
    assert result.exit_code == 0
    got = {r["measure"]: r["value"] for r in json.loads(result.stdout)}
    assert got["rate_per_10k"] == 20.0
    assert got["children_on_plan"] == 2


def test_config_relative_input_used_from_another_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    write(project / "data" / "plans.csv", PLANS_CSV)
    write(project / "cpmetrics.toml", 'input = "data/plans.csv"\npopulation = 1000\n')
    elsewhere = tmp_path / "elsewhere" / "deeper"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    # The input path is relative to the config file, not to the working directory.
    result = run(
        "compute", "--month", "2018-10", "--config", "../../project/cpmetrics.toml", "-f", "json"
    )
    assert result.exit_code == 0, result.stderr
    got = {r["measure"]: r["value"] for r in json.loads(result.stdout)}
    assert got["children_on_plan"] == 2
    assert got["rate_per_10k"] == 20.0
    # And validate finds it the same way.
    result = run("validate", "--config", str(project / "cpmetrics.toml"), "-f", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["input_rows"] == 6


def test_repo_config_not_picked_up_in_empty_dir(workdir: Path) -> None:
    # Guard for every other test here: the working directory has no cpmetrics.toml.
    assert not (workdir / "cpmetrics.toml").exists()
    assert run("validate").exit_code == 2


# --- --strict ------------------------------------------------------------------------------


def test_strict_with_erroneous_row_exit_1_and_no_stdout(workdir: Path) -> None:
    # line 3: end date before start date (rule 8925, an error)
    path = write(workdir / "dirty.csv", PLANS_CSV + "F,2018-10-10,2018-10-01,0\n")
    result = run("compute", "--month", "2018-10", path, "--strict", "-f", "csv")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "strict" in result.stderr
    # Without --strict the bad row is excluded and reported; the figures are those of PLANS_CSV.
    # (One row in seven is a large share: the guard for unattended runs makes that exit 1.)
    result = run("compute", "--month", "2018-10", path, "-f", "json")
    assert result.exit_code == 1
    assert "rule 8925" in result.stderr and "more than the 5% allowed" in result.stderr
    assert "8925" in result.stderr
    got = {r["measure"]: r["numerator"] for r in json.loads(result.stdout)}
    assert got == {k: v[0] for k, v in EXPECTED.items()}


def test_strict_with_erroneous_row_writes_no_output_file(workdir: Path) -> None:
    path = write(workdir / "dirty.csv", PLANS_CSV + "F,2018-10-10,2018-10-01,0\n")
    target = workdir / "out.csv"
    result = run("compute", "--month", "2018-10", path, "--strict", "-o", target)
    assert result.exit_code == 1
    assert not target.exists()


def test_strict_with_warnings_only_is_ok(workdir: Path) -> None:
    text = PLANS_CSV.replace("previous_plans\n", "previous_plans,latest_category\n", 1)
    text = text.replace(",0\n", ",0,NEG\n").replace(",1\n", ",1,Spaghetti\n")  # 8910: a warning
    path = write(workdir / "warn.csv", text)
    result = run("compute", "--month", "2018-10", path, "--strict", "-f", "csv")
    assert result.exit_code == 0
    assert parse_csv(result.stdout)[0] == RESULT_HEADER


# --- validate ------------------------------------------------------------------------------


def test_validate_clean_exit_0(plans: Path) -> None:
    result = run("validate", plans, "-f", "csv")
    assert result.exit_code == 0
    rows = parse_csv(result.stdout)
    assert rows == [FINDINGS_HEADER]
    assert "all 6 rows used" in result.stderr


def test_validate_dirty_exit_1_findings_name_line_and_column(workdir: Path) -> None:
    text = (
        "child_id,start_date,end_date\n"
        "A,2018-01-01,\n"  # line 2: fine
        "B,2018-05-01,2018-04-01\n"  # line 3: 8925, end before start
        ",2018-05-01,\n"  # line 4: blank child id
        "C,2018-13-45,\n"  # line 5: unreadable start date
    )
    path = write(workdir / "dirty.csv", text)
    result = run("validate", path, "-f", "csv")
    assert result.exit_code == 1
    rows = parse_csv(result.stdout)
    assert rows[0] == FINDINGS_HEADER
    found = {(r[1], r[3], r[4]) for r in rows[1:]}
    assert ("8925", "3", "end_date") in found
    assert ("blank-id", "4", "child_id") in found
    assert ("bad-date", "5", "start_date") in found
    assert all(r[0] == str(path) for r in rows[1:])  # the file is named on each finding
    assert "3 of 4 rows excluded" in result.stderr


def test_validate_json_accounts_for_every_row(workdir: Path) -> None:
    path = write(workdir / "dirty.csv", PLANS_CSV + "F,2018-10-10,2018-10-01,0\nF,,,\n")
    result = run("validate", path, "-f", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["input_rows"] == 8
    assert report["used_rows"] == 6
    assert report["excluded_rows"] == 2
    assert sum(report["excluded_by_rule"].values()) == 2


def test_validate_table_format(workdir: Path) -> None:
    path = write(workdir / "dirty.csv", PLANS_CSV + "F,2018-10-10,2018-10-01,0\n")
    result = run("validate", path, "-f", "table")
    assert result.exit_code == 1
    assert "8925" in result.stdout
    assert "End date before start date" in result.stdout


def test_validate_missing_file_exit_2(workdir: Path) -> None:
    result = run("validate", workdir / "nope.csv", "-f", "csv")
    assert result.exit_code == 2
    assert result.stdout == ""


# --- sample --------------------------------------------------------------------------------


def test_sample_same_seed_same_bytes_different_seed_different(workdir: Path) -> None:
    a, b, c = workdir / "a.csv", workdir / "b.csv", workdir / "c.csv"
    small = ("--from", "2016-04-01", "--to", "2018-12-31")
    assert run("sample", "--seed", "7", "--out", a, *small).exit_code == 0
    assert run("sample", "--seed", "7", "--out", b, *small).exit_code == 0
    assert run("sample", "--seed", "8", "--out", c, *small).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    assert a.read_bytes().startswith(b"child_id,")


def test_sample_output_is_a_clean_extract(workdir: Path) -> None:
    out = workdir / "s.csv"
    result = run(
        "sample", "--seed", "3", "--out", out, "--from", "2016-04-01", "--to", "2018-12-31"
    )
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "wrote" in result.stderr
    check = run("validate", out, "-f", "json", "--extract-date", "2018-12-31")
    assert check.exit_code == 0
    report = json.loads(check.stdout)
    assert report["input_rows"] == report["used_rows"] > 0
    assert report["input_rows"] == len(out.read_text(encoding="utf-8").splitlines()) - 1


@pytest.mark.parametrize(
    "args",
    [
        ("--seed", "-1"),
        ("--from", "2019-01-01", "--to", "2018-01-01"),
        ("--from", "last year"),
        ("--plans", "0"),
    ],
)
def test_sample_bad_options_exit_2(workdir: Path, args: tuple[str, ...]) -> None:
    result = run("sample", "--out", workdir / "s.csv", *args)
    assert result.exit_code == 2


def test_sample_to_unwritable_path_exit_2(workdir: Path) -> None:
    result = run(
        "sample",
        "--seed",
        "1",
        "--out",
        workdir / "no" / "such" / "dir.csv",
        "--from",
        "2018-01-01",
        "--to",
        "2018-12-31",
    )
    assert result.exit_code == 2


# --- figures on the edges of the rules, worked by hand ---------------------------------------


def test_leap_day_exact_two_years_and_overlap_counted_once(workdir: Path) -> None:
    # --month 2018-02, R = 2018-02-28
    #   X 2016-02-29 .. open        reaches 2 years on 2018-02-28 (spec): 2y+ at R
    #   Y 2018-01-01 .. open        } two open plans for Y (8935, 8940, errors but kept):
    #   Y 2018-02-01 .. open        } Y is counted once; the second is a repeat (history)
    #   Z 2016-02-10 .. 2018-02-10  ended in February after exactly 2 years: lasted 2y
    #   W 2016-02-11 .. 2018-02-10  ended in February one day short of 2 years
    path = write(
        workdir / "edge.csv",
        "child_id,start_date,end_date\n"
        "X,2016-02-29,\n"
        "Y,2018-01-01,\n"
        "Y,2018-02-01,\n"
        "Z,2016-02-10,2018-02-10\n"
        "W,2016-02-11,2018-02-10\n",
    )
    result = run("compute", "--month", "2018-02", path, "-f", "json")
    assert result.exit_code == 0
    got = {
        r["measure"]: (r["numerator"], r["denominator"], r["value"])
        for r in json.loads(result.stdout)
    }
    assert got == {
        "children_on_plan": (2, None, 2),  # X, Y
        "rate_per_10k": (2, None, None),  # no population
        "open_2y_plus_pct": (1, 2, 50.0),  # X
        "ceased_2y_plus_pct": (1, 2, 50.0),  # Z of Z, W
        "repeat_plan_pct": (1, 1, 100.0),  # Y's second plan
        "plans_started": (1, None, 1),
        "plans_ended": (2, None, 2),
        "children_started": (1, None, 1),
        "children_ended": (2, None, 2),
        "plans_any_point": (5, None, 5),  # all five plans are open at some point in February
        "children_any_point": (4, None, 4),  # X, Y (once), Z, W
        "open_repeat_pct": (1, 2, 50.0),  # Y's current plan (its latest-started) is a repeat
    }
    assert "8940" in result.stderr  # kept but flagged
    assert run("validate", path, "-f", "csv").exit_code == 1
    assert run("compute", "--month", "2018-02", path, "--strict").exit_code == 1


def test_absurd_population_option_is_not_an_internal_error(plans: Path) -> None:
    result = run("compute", "--month", "2018-10", plans, "--population", "99999999999999999999")
    assert result.exit_code in (0, 2)


def test_absurd_population_in_config_is_not_an_internal_error(workdir: Path, plans: Path) -> None:
    write(workdir / "cpmetrics.toml", 'input = "plans.csv"\npopulation = 100000000000000000000\n')
    result = run("compute", "--month", "2018-10")
    assert result.exit_code in (0, 2)
