"""Columns that are there: common spellings of every column, what was found and what was not,
headings that look like a column but are not matched, and sheet detection by the mapping."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner, Result

from cpmetrics.api import compute_periods, load_plans
from cpmetrics.cli import app
from cpmetrics.periods import parse_month
from cpmetrics.schema import _ALIASES, ALIAS_TO_CANONICAL, compact_header, match_columns
from test_excel_reader import workbook

EXTRACT = dt.date(2019, 12, 31)
# B's October plan is a repeat only by the count (no earlier plan in the extract): with the
# count read, 1 of 2 plans started in October is a repeat; without it, 0 of 2.
ROWS = [
    ("A", "2018-10-02", "", "0"),
    ("B", "2018-10-09", "", "2"),
    ("C", "2017-01-01", "2018-10-20", "0"),
]


def extract(tmp_path: Path, header: str, name: str = "plans.csv") -> Path:
    path = tmp_path / name
    lines = [f"child_id,start_date,end_date,{header}"] + [",".join(r) for r in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def repeats(path: Path, **kwargs: object) -> tuple[int, int]:
    loaded = load_plans(path, extract_date=EXTRACT, **kwargs)  # type: ignore[arg-type]
    table = compute_periods(loaded, [parse_month("2018-10")]).table
    row = table.row(by_predicate=pl.col("measure") == "repeat_plan_pct", named=True)
    return row["numerator"], row["denominator"]


@pytest.mark.parametrize(
    "header",
    [
        "previous_plans",
        "No of previous CP plans",
        "Number of Previous CP Plans",
        "Number of Previous Child Protection Plans",
        "NumberOfPreviousCPP",
        "No. previous CPPs",
        "Previous CP plans",
    ],
)
def test_previous_plans_spellings(tmp_path: Path, header: str) -> None:
    assert repeats(extract(tmp_path, header)) == (1, 2)


@pytest.mark.parametrize(
    ("header", "canonical"),
    [
        ("Child Unique ID", "child_id"),
        ("Child Protection Plan Start Date", "start_date"),
        ("CPP Start Date", "start_date"),
        ("Date Child Protection Plan Ceased", "end_date"),
        ("Child Protection Plan End Date", "end_date"),
        ("Date of Birth", "date_of_birth"),
        ("Unique Family ID", "family_id"),
        ("Family identifier", "family_id"),
        ("Initial Category of Abuse", "initial_category"),
        ("Latest Category of Abuse", "latest_category"),
    ],
)
def test_common_spellings(header: str, canonical: str) -> None:
    found, _ = match_columns([header])
    assert found == {header: canonical}


def test_no_spelling_means_two_columns() -> None:
    seen: dict[str, str] = {}
    for canonical, aliases in _ALIASES.items():
        for alias in aliases:
            assert seen.setdefault(compact_header(alias), canonical) == canonical, alias
    assert len(ALIAS_TO_CANONICAL) == len(seen)


def test_unrelated_headings_are_not_taken() -> None:
    found, _ = match_columns(["Allocated Team", "Legal status", "Age"])
    assert found == {}


def run(*args: object) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def compute(path: Path, *extra: object) -> Result:
    return run(
        "compute", "--month", "2018-10", path, "--extract-date", EXTRACT, "-f", "csv", *extra
    )


def test_stderr_says_which_optional_columns_were_found(tmp_path: Path) -> None:
    result = compute(extract(tmp_path, "No of previous CP plans"))
    assert result.exit_code == 0, result.stderr
    assert "optional columns found: previous_plans ('No of previous CP plans')" in result.stderr
    assert "not found: initial_category, latest_category, date_of_birth, family_id" in (
        result.stderr
    )


def test_stderr_says_when_there_is_no_previous_plans_column(tmp_path: Path) -> None:
    path = extract(tmp_path, "team")
    result = compute(path)
    assert result.exit_code == 0, result.stderr
    assert "no previous-plans column: repeats from the extract's own history only" in (
        result.stderr
    )
    assert repeats(path) == (0, 2)


def test_a_heading_like_previous_plans_that_is_not_matched_exits_1(tmp_path: Path) -> None:
    path = extract(tmp_path, "Prev. plan tally")
    result = compute(path)
    assert result.exit_code == 1
    assert result.stdout.startswith("measure,")  # the figures are still written
    assert "'Prev. plan tally' looks like previous_plans but is not recognised" in result.stderr
    assert 'previous_plans = "Prev. plan tally"' in result.stderr
    # Mapped, it is used; or the history rule, which does not use the count, is asked for.
    config = tmp_path / "cpmetrics.toml"
    config.write_text('[columns]\nprevious_plans = "Prev. plan tally"\n', encoding="utf-8")
    assert compute(path, "--config", config).exit_code == 0
    assert repeats(path, columns={"previous_plans": "Prev. plan tally"}) == (1, 2)
    assert compute(path, "--repeat-rule", "history").exit_code == 0


def test_a_missing_required_column_names_the_likely_heading(tmp_path: Path) -> None:
    path = tmp_path / "plans.csv"
    path.write_text("child_id,Plan Began,end_date\nA,2018-01-01,\n", encoding="utf-8")
    result = compute(path)
    assert result.exit_code == 1
    assert 'start_date = "Plan Began"' in result.stderr


def test_workbook_sheet_detection_uses_the_mapping(tmp_path: Path) -> None:
    book = workbook(
        tmp_path / "plans.xlsx",
        {
            "Notes": [("About this extract",), ("Exported from the case system",)],
            "Data": [
                ("Ref", "Began", "Finished", "Number of Previous CP Plans"),
                *[(a, b, c or None, int(d)) for a, b, c, d in ROWS],
            ],
        },
    )
    mapping = {"child_id": "Ref", "start_date": "Began", "end_date": "Finished"}
    assert repeats(book, columns=mapping) == (1, 2)
    config = tmp_path / "cpmetrics.toml"
    config.write_text(
        '[columns]\nchild_id = "Ref"\nstart_date = "Began"\nend_date = "Finished"\n',
        encoding="utf-8",
    )
    result = compute(book, "--config", config)
    assert result.exit_code == 0, result.stderr
