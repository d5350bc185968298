"""Open plans as exports write them (NULL, N/A, 9999-12-31...), dates out of range, and the
guard that makes an unattended run exit 1 when one rule excludes a large share of the rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from typer.testing import CliRunner, Result

from cpmetrics.api import compute_periods, load_plans
from cpmetrics.cli import app
from cpmetrics.periods import parse_month

EXTRACT = dt.date(2019, 12, 31)

# At 31 October 2018 (worked by hand): A, B, C, E and F are open (5 children); C has been on
# its plan since 2016-01-01, so 2 years or more (1 of 5 = 20.0%); D ended on 15 October after
# 8 months (0 of 1 ended plans lasted 2 years); B started in October (1 plan started).
MARKED = """child_id,start_date,end_date,previous_plans
A,2017-01-10,NULL,0
B,2018-10-05,31/12/9999,0
C,2016-01-01,N/A,0
D,2018-02-01,2018-10-15,0
E,2018-03-01,None,NULL
F,2018-05-01,9999-12-31,0
"""
BLANK = """child_id,start_date,end_date,previous_plans
A,2017-01-10,,0
B,2018-10-05,,0
C,2016-01-01,,0
D,2018-02-01,15/10/2018,0
E,2018-03-01,,
F,2018-05-01,,0
"""


def write(tmp_path: Path, text: str, name: str = "plans.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def october(path: Path, **kwargs: object) -> dict[str, tuple[int, int | None]]:
    loaded = load_plans(path, extract_date=EXTRACT, **kwargs)
    table = compute_periods(loaded, [parse_month("2018-10")]).table
    return {r["measure"]: (r["numerator"], r["denominator"]) for r in table.iter_rows(named=True)}


def test_markers_are_open_plans_with_the_blank_files_figures(tmp_path: Path) -> None:
    marked = october(write(tmp_path, MARKED))
    assert marked == october(write(tmp_path, BLANK, "blank.csv"))
    assert marked["children_on_plan"] == (5, None)
    assert marked["open_2y_plus_pct"] == (1, 5)
    assert marked["ceased_2y_plus_pct"] == (0, 1)
    assert marked["plans_started"] == (1, None)


def test_markers_are_counted_by_column_and_value(tmp_path: Path) -> None:
    report = load_plans(write(tmp_path, MARKED), extract_date=EXTRACT).report
    assert report.used_rows == 6
    assert report.read_as_blank == {
        "end_date": {"NULL": 1, "31/12/9999": 1, "N/A": 1, "None": 1, "9999-12-31": 1},
        "previous_plans": {"NULL": 1},
    }
    assert (
        "5 end dates read as open ('31/12/9999' x1, '9999-12-31' x1, 'N/A' x1 and 2 more)"
        in report.summary()
    )
    assert "read as blank: previous_plans ('NULL' x1)" in report.summary()


def test_any_case_and_padding(tmp_path: Path) -> None:
    text = "child_id,start_date,end_date\nA,2017-01-10, null \nB,2017-01-10,n/a\nC,2017-01-10,-\n"
    report = load_plans(write(tmp_path, text), extract_date=EXTRACT).report
    assert report.used_rows == 3
    assert sum(report.read_as_blank["end_date"].values()) == 3


def test_far_future_end_dates_are_open_but_near_ones_are_not(tmp_path: Path) -> None:
    text = "child_id,start_date,end_date\nA,2017-01-10,2999-12-31\nB,2017-01-10,2099-12-31\n"
    loaded = load_plans(write(tmp_path, text), extract_date=EXTRACT)
    assert loaded.report.read_as_blank == {"end_date": {"2999-12-31": 1}}
    # 2099 could be a typing error for 2019: it is a future-date error unless configured.
    assert loaded.report.excluded_by_rule == {"future-date": 1}


def test_local_markers_text_and_dates(tmp_path: Path) -> None:
    text = "child_id,start_date,end_date\nA,2017-01-10,Open\nB,2017-01-10,31/12/2099\n"
    path = write(tmp_path, text)
    assert load_plans(path, extract_date=EXTRACT).report.excluded_rows == 2
    loaded = load_plans(path, extract_date=EXTRACT, open_markers=["open", "2099-12-31"])
    assert loaded.report.used_rows == 2
    assert loaded.plans["end_date"].null_count() == 2


def test_a_null_start_date_or_child_is_blank_not_unreadable(tmp_path: Path) -> None:
    text = "child_id,start_date,end_date\nNULL,2017-01-10,\nB,NULL,\n"
    report = load_plans(write(tmp_path, text), extract_date=EXTRACT).report
    assert report.excluded_by_rule == {"blank-id": 1, "8720": 1}


def test_dates_outside_1900_to_2899_are_bad_dates(tmp_path: Path) -> None:
    text = (
        "child_id,start_date,end_date\n"
        "A,0000-01-01,\nB,1066-10-14,\nC,9998-01-01,\nD,9999-12-31,\nE,2017-01-10,1899-12-31\n"
        "F,2017-01-10,\n"
    )
    loaded = load_plans(write(tmp_path, text), extract_date=EXTRACT)
    assert loaded.report.excluded_by_rule == {"bad-date": 5}
    messages = loaded.report.findings["message"].to_list()
    assert "start date is outside the years 1900 to 2899" in messages
    assert "end date is outside the years 1900 to 2899" in messages
    # And the engine, given what is left, computes.
    table = compute_periods(loaded, [parse_month("2018-10")]).table
    assert table.filter(pl.col("measure") == "children_on_plan")["numerator"].item() == 1


# --- the guard --------------------------------------------------------------------------------


def extract_with_open_ends(rows: int, marked: int, marker: str = "Open") -> str:
    lines = ["child_id,start_date,end_date"]
    for i in range(rows):
        lines.append(f"C{i},2018-01-{1 + i % 28:02d},{marker if i < marked else ''}")
    return "\n".join(lines) + "\n"


def run(*args: object) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def test_guard_exits_1_but_writes_the_figures(tmp_path: Path) -> None:
    path = write(tmp_path, extract_with_open_ends(100, 6))  # 6% of rows: bad-date
    result = run("compute", "--month", "2018-10", path, "--extract-date", EXTRACT, "-f", "csv")
    assert result.exit_code == 1
    assert result.stdout.startswith("measure,")
    assert "children_on_plan" in result.stdout
    err = result.stderr
    assert "rule bad-date" in err and "6 of 100 rows (6.0%, more than the 5% allowed)" in err
    assert "6 end dates read 'Open': if that marks an open plan, add it to open_markers" in err


def test_guard_threshold_is_a_share_and_can_be_set_or_turned_off(tmp_path: Path) -> None:
    path = write(tmp_path, extract_with_open_ends(100, 5))  # exactly 5%: not more than 5%
    base = ("compute", "--month", "2018-10", path, "--extract-date", EXTRACT, "-f", "csv")
    assert run(*base).exit_code == 0
    assert run(*base, "--max-excluded", "4").exit_code == 1
    path = write(tmp_path, extract_with_open_ends(100, 30), "many.csv")
    base = ("compute", "--month", "2018-10", path, "--extract-date", EXTRACT, "-f", "csv")
    assert run(*base, "--max-excluded", "0").exit_code == 0
    config = write(tmp_path, "max_excluded_pct = 40\n", "cpmetrics.toml")
    assert run(*base, "--config", config).exit_code == 0
    trend = ("trend", "--from", "2018-09", "--to", "2018-10", path, "--extract-date", EXTRACT)
    assert run(*trend, "-f", "csv").exit_code == 1


def test_guard_fixed_by_the_advice(tmp_path: Path) -> None:
    path = write(tmp_path, extract_with_open_ends(100, 30, "31/12/2099"))
    config = write(tmp_path, 'open_markers = ["2099-12-31"]\n', "cpmetrics.toml")
    base = ("compute", "--month", "2018-10", path, "--extract-date", EXTRACT, "-f", "csv")
    first = run(*base)
    assert first.exit_code == 1
    assert "30 end dates read '31/12/2099'" in first.stderr
    fixed = run(*base, "--config", config)
    assert fixed.exit_code == 0, fixed.stderr
    assert "30 end dates read as open ('31/12/2099' x30)" in fixed.stderr
