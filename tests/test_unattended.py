"""What a cron job relies on: periods named 'latest', clear usage errors, outputs it can trust."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cpmetrics.cli import app
from cpmetrics.periods import latest

PLANS = "child_id,start_date,end_date\nA,2018-01-10,\nB,2018-06-01,2018-11-20\nC,2018-12-03,\n"


@pytest.mark.parametrize(
    ("day", "month", "quarter", "year"),
    [
        ("2019-12-31", "2019-12", "2019-Q4", "2018-19"),  # a period ending on the day is complete
        ("2019-12-30", "2019-11", "2019-Q3", "2018-19"),
        ("2019-03-31", "2019-03", "2019-Q1", "2018-19"),
        ("2019-03-30", "2019-02", "2018-Q4", "2017-18"),
        ("2020-01-01", "2019-12", "2019-Q4", "2018-19"),
        ("2020-02-29", "2020-02", "2019-Q4", "2018-19"),
    ],
)
def test_latest_complete_period(day: str, month: str, quarter: str, year: str) -> None:
    on = dt.date.fromisoformat(day)
    assert (latest("month", on).label, latest("quarter", on).label) == (month, quarter)
    assert latest("year", on).label == year


def run(*args: object) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    path = tmp_path / "plans.csv"
    path.write_text(PLANS, encoding="utf-8")
    return path


def test_month_latest_uses_the_extract_date(plans: Path) -> None:
    result = run("compute", "--month", "latest", plans, "--extract-date", "2018-12-15", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert ",2018-11-01,2018-11-30," in result.stdout
    assert "latest: 2018-11" in result.stderr
    same = run("compute", "--month", "2018-11", plans, "--extract-date", "2018-12-15", "-f", "csv")
    assert result.stdout == same.stdout


def test_quarter_year_and_trend_to_latest(plans: Path) -> None:
    # Something happens every month up to March 2019 (a month after the last date in the
    # extract would make the run exit 1: test_periods_outside_the_extract_exit_1).
    busy = plans.parent / "busy.csv"
    busy.write_text(
        PLANS + "".join(f"M{m},2019-{m:02d}-05,\n" for m in (1, 2, 3)), encoding="utf-8"
    )
    base = (busy, "--extract-date", "2019-04-02", "-f", "csv")
    assert ",2019-01-01,2019-03-31," in run("compute", "--quarter", "latest", *base).stdout
    assert ",2018-04-01,2019-03-31," in run("compute", "--year", "LATEST", *base).stdout
    trend = run("trend", "--from", "2018-12", "--to", "latest", *base)
    assert trend.exit_code == 0, trend.stderr
    assert ",2019-03-01,2019-03-31," in trend.stdout and ",2019-04-01," not in trend.stdout


def test_month_13_is_not_a_month(plans: Path) -> None:
    result = run("compute", "--month", "2018-13", plans)
    assert result.exit_code == 2
    assert "13 is not a month" in result.stderr


@pytest.mark.parametrize("name", ["report.html", "table.md", "fy.xls", "out.parquet", "x.xml"])
def test_an_output_suffix_not_written_is_a_usage_error(plans: Path, name: str) -> None:
    target = plans.parent / name
    result = run("compute", "--month", "2018-10", plans, "-o", target)
    assert result.exit_code == 2
    assert "writes .csv, .json, .xlsx and .txt" in result.stderr
    assert not target.exists()


def test_known_suffixes_write(plans: Path) -> None:
    for name, start in (("o.csv", "measure,"), ("o.json", "["), ("o", "measure,")):
        target = plans.parent / name
        result = run("compute", "--month", "2018-10", plans, "-o", target)
        assert result.exit_code == 0, result.stderr
        assert target.read_text(encoding="utf-8").startswith(start)


def test_periods_outside_the_extract_exit_1(plans: Path) -> None:
    # No config and no extract date: the extract date is today, but the data's own dates tell.
    after = run("compute", "--month", "2021-05", plans, "-f", "csv")
    assert after.exit_code == 1
    assert after.stdout.startswith("measure,")  # written, but not to be published
    assert "2021-05 starts after the last date in the extract (2018-12-03)" in after.stderr
    before = run("compute", "--month", "2017-05", plans, "-f", "csv")
    assert before.exit_code == 1
    assert "2017-05 ends before the extract's first plan starts (2018-01-10)" in before.stderr


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def history(rows: int, last_start: str = "2019-11-20") -> str:
    """`rows` ended plans in 2018, then one plan started on `last_start`, open."""
    lines = ["child_id,start_date,end_date,previous_plans"]
    lines += [f"H{i},2018-01-{1 + i % 28:02d},2018-06-{1 + i % 28:02d},0" for i in range(rows)]
    return "\n".join([*lines, f"Z,{last_start},,0"]) + "\n"


def test_latest_with_no_extract_date_is_by_the_datas_last_date(tmp_path: Path) -> None:
    path = write(tmp_path, "old.csv", history(20, last_start="2019-12-31"))
    result = run("compute", "--month", "latest", path, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert ",2019-12-01,2019-12-31," in result.stdout
    assert "by the last date in the extract (no extract date given), 2019-12-31" in result.stderr


def test_open_plans_run_to_the_extract_date(tmp_path: Path) -> None:
    # Nothing starts or ends after 2019-11-20, but the open plan is there on 2019-12-31.
    path = write(tmp_path, "open.csv", history(20))
    base = ("compute", path, "--extract-date", "2019-12-31", "-f", "csv")
    assert run(*base, "--month", "2019-12").exit_code == 0
    assert run(*base, "--month", "2020-02").exit_code == 1


def test_a_share_of_the_open_plans_trips_the_guard(tmp_path: Path) -> None:
    """200 plans ended long ago, 20 open: 4 of the open ones end '2099-12-31' (1.8% of the
    rows, but 20% of the plans that would be open)."""
    lines = ["child_id,start_date,end_date"]
    lines += [f"E{i},2015-01-{1 + i % 28:02d},2015-06-01" for i in range(200)]
    lines += [f"O{i},2019-01-{1 + i:02d},{'2099-12-31' if i < 4 else ''}" for i in range(20)]
    path = write(tmp_path, "part.csv", "\n".join(lines) + "\n")
    result = run("compute", "--month", "2019-12", path, "--extract-date", "2019-12-31", "-f", "csv")
    assert result.exit_code == 1
    assert "20.0% of the plans that would otherwise be open" in result.stderr
    assert "open_markers" in result.stderr


def test_unreadable_previous_plans_counts_trip_the_guard(tmp_path: Path) -> None:
    text = history(20).replace(",0\n", ",None\n").replace("None", "One", 10)
    path = write(tmp_path, "words.csv", text)
    result = run("compute", "--month", "2019-11", path, "--extract-date", "2019-12-31", "-f", "csv")
    assert result.exit_code == 1
    assert "rule 8730" in result.stderr and "affects" in result.stderr


def test_blank_rows_and_unrelated_headings_do_not_trip_the_guard(tmp_path: Path) -> None:
    text = history(20).replace("previous_plans", "Previous LA") + ",,,\n" * 5
    path = write(tmp_path, "blank.csv", text)
    result = run("compute", "--month", "2019-11", path, "--extract-date", "2019-12-31", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert "blank-row x5" in result.stderr


def test_trend_to_latest_needs_no_from(tmp_path: Path) -> None:
    path = write(tmp_path, "old.csv", history(20, last_start="2019-12-31"))
    result = run("trend", "--to", "latest", path, "--extract-date", "2019-12-31", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    months = {line.split(",")[2] for line in result.stdout.splitlines()[1:]}
    assert "2019-01-01" in months and "2018-12-01" not in months


def test_format_and_suffix_must_agree(plans: Path) -> None:
    mismatch = run(
        "compute", "--month", "2018-10", plans, "-f", "csv", "-o", plans.parent / "x.json"
    )
    assert mismatch.exit_code == 2
    assert "does not match" in mismatch.stderr
    text = run("compute", "--month", "2018-10", plans, "-f", "csv", "-o", plans.parent / "x.txt")
    assert text.exit_code == 0, text.stderr


def test_a_date_that_does_not_exist(plans: Path) -> None:
    result = run("trend", "--from", "2019-02-29", "--to", "2019-03", plans)
    assert result.exit_code == 2
    assert "'2019-02-29' is not a date (no such day)" in result.stderr


def test_year_first_dates_with_slashes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ymd.csv",
        "child_id,start_date,end_date\nA,2018/01/10,\nB,2018/06/01,2018/11/20\n",
    )
    slashed = run(
        "compute", "--month", "2018-10", path, "--extract-date", "2018-12-31", "-f", "csv"
    )
    iso = write(
        tmp_path,
        "iso.csv",
        "child_id,start_date,end_date\nA,2018-01-10,\nB,2018-06-01,2018-11-20\n",
    )
    plain = run("compute", "--month", "2018-10", iso, "--extract-date", "2018-12-31", "-f", "csv")
    assert slashed.exit_code == 0, slashed.stderr
    assert slashed.stdout == plain.stdout


def test_a_workbook_named_csv_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    result = run("compute", "--month", "2018-10", path)
    assert result.exit_code == 1
    assert "an Excel workbook? name it .xlsx" in result.stderr


def test_a_folder_skips_cpmetrics_own_outputs(plans: Path) -> None:
    folder = plans.parent
    first = run(
        "compute",
        "--month",
        "2018-11",
        folder,
        "--extract-date",
        "2018-12-15",
        "-o",
        folder / "nov.csv",
    )
    assert first.exit_code == 0, first.stderr
    again = run(
        "compute", "--month", "2018-11", folder, "--extract-date", "2018-12-15", "-f", "csv"
    )
    assert again.exit_code == 0, again.stderr
    assert again.stdout == (folder / "nov.csv").read_text(encoding="utf-8")


def test_dates_given_on_the_command_line_are_within_the_years_read(plans: Path) -> None:
    result = run("watchlist", plans, "--date", "9999-12-31")
    assert result.exit_code == 2 and "from 1900 to 2899" in result.stderr
