"""Excel output of the table commands (-o x.xlsx, --format xlsx), read back with openpyxl as
an analyst would open it: the same figures as the CSV, numbers as numbers with their formats,
dates as dates, 'c' as text, text never a formula, the header frozen and filtered."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.cell.cell import Cell
from typer.testing import CliRunner

from cpmetrics.cli import app
from cpmetrics.errors import UsageError
from cpmetrics.render.values import spreadsheet_safe
from cpmetrics.render.xlsx import MAX_ROWS, Sheet, sheet_name, workbook_bytes

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "cp_plans.csv"
CONFIG = ROOT / "cpmetrics.toml"

# Hand-worked (as in test_cli_trend): repeat plans 0 of 1 in April, 1 of 1 in May, 1 of 1 in
# June (A's second plan), 2 of 3 in the year to date.
PLANS = (
    "child_id,start_date,end_date,previous_plans\n"
    "A,2018-03-20,2018-05-10,0\n"
    "B,2018-04-05,,0\n"
    "C,2018-05-01,,1\n"
    "A,2018-06-01,,\n"
    "D,2020-03-05,,0\n"
)
TARGETS = """
extract_date = 2020-03-31
population = 10000
[targets.repeat_plan_pct]
target = 50.0
polarity = "low"
amber = 20.0
"""


def run(*args: object) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def shown_as_csv(cell: Cell) -> str:
    """What the CSV holds for a cell, worked out from its type and number format."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        assert cell.number_format == "yyyy-mm-dd", cell.coordinate
        assert value.time() == dt.time(0)
        return value.date().isoformat()
    if isinstance(value, int | float):
        if cell.number_format == "0.0":
            return f"{value:.1f}"
        assert cell.number_format == "0" and value == int(value), (cell.coordinate, value)
        return str(int(value))
    assert cell.data_type == "s", cell.coordinate
    return spreadsheet_safe(value)  # the CSV puts a quote before a formula character


def sheet_as_csv(path: Path, sheet: str) -> list[list[str]]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [[shown_as_csv(c) for c in row] for row in ws.iter_rows()]


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def hand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plans.csv").write_text(PLANS)
    (tmp_path / "cpmetrics.toml").write_text(TARGETS)
    return tmp_path


COMMANDS = {
    "compute": ("Figures", ["compute", "--month", "2018-10", "--suppress"]),
    "breakdown": ("Breakdown", ["breakdown", "--month", "2018-10", "--by", "duration"]),
    "watchlist": ("Watchlist", ["watchlist", "--date", "2018-10-31", "--months", "15"]),
    "explain": ("Explain", ["explain", "repeat_plan_pct", "--month", "2018-10"]),
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_each_sheet_holds_the_csv_figures(tmp_path: Path, command: str) -> None:
    sheet, args = COMMANDS[command]
    base = [*args, SAMPLE, "--config", CONFIG, "-q"]
    text = run(*base, "-f", "csv")
    assert text.exit_code == 0, text.stderr
    book = tmp_path / "out.xlsx"
    written = run(*base, "-o", book)
    assert written.exit_code == 0, written.stderr
    assert written.stdout == ""
    assert sheet_as_csv(book, sheet) == csv_rows(text.stdout)
    ws = openpyxl.load_workbook(book)[sheet]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"


def test_trend_workbook_the_wide_table_then_the_data(hand: Path) -> None:
    result = run("trend", "--from", "2018-04", "--to", "2018-06", "plans.csv", "-o", "t.xlsx")
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(hand / "t.xlsx")
    assert book.sheetnames == ["Trend", "Data"]
    wide = {row[0].value: row for row in book["Trend"].iter_rows(min_row=2)}
    header = [c.value for c in next(book["Trend"].iter_rows(max_row=1))]
    assert header[:7] == ["measure", "label", "unit", "2018-04", "2018-05", "2018-06", "ytd"]
    # April to June, the YTD, the target, June's rating (100 is red), the YTD's (66.7: amber)
    repeat = [c.value for c in wide["repeat_plan_pct"]][3:10]
    assert repeat == [0, 100, 100, 66.7, 50, "R", "A"]
    assert all(c.number_format == "0.0" for c in wide["repeat_plan_pct"][3:8])
    started = wide["plans_started"]  # B in April, C in May, A's second plan in June
    assert [c.value for c in started[3:7]] == [1, 1, 1, 3]
    assert {c.number_format for c in started[3:7]} == {"0"}
    assert book["Trend"].freeze_panes == "C2"  # the measure's id and label stay in view
    long = csv_rows(run("trend", "--from", "2018-04", "--to", "2018-06", "plans.csv").stdout)
    assert sheet_as_csv(hand / "t.xlsx", "Data") == long
    # --wide changes nothing: a workbook has both layouts
    again = run("trend", "--to", "2018-06", "--from", "2018-04", "plans.csv", "--wide", "-fxlsx")
    assert again.exit_code == 0 and again.stdout_bytes[:2] == b"PK"


def test_trend_wide_sheet_equals_the_wide_csv(tmp_path: Path) -> None:
    base = ["trend", "--from", "2017-10", "--to", "2018-10", SAMPLE, "--config", CONFIG, "-q"]
    wide = run(*base, "--wide", "-f", "csv")
    book = tmp_path / "t.xlsx"
    assert run(*base, "-o", book).exit_code == 0
    assert sheet_as_csv(book, "Trend") == csv_rows(wide.stdout)


def test_suppressed_figures_are_the_text_c_and_their_rating_hidden(hand: Path) -> None:
    """Every count here is 1 to 5: published, each figure is 'c' and no cell holds a number
    from which one could be told; the rating beside a hidden figure is hidden too."""
    base = ["trend", "--from", "2018-04", "--to", "2018-06", "plans.csv", "--suppress"]
    assert run(*base, "-o", "t.xlsx").exit_code == 0
    book = openpyxl.load_workbook(hand / "t.xlsx")
    wide = {row[0].value: row for row in book["Trend"].iter_rows(min_row=2)}
    repeat = [c.value for c in wide["repeat_plan_pct"][3:10]]
    assert repeat == ["c", "c", "c", "c", 50, "c", "c"]  # months, YTD, target, RAG, YTD RAG
    assert all(c.data_type == "s" for c in wide["repeat_plan_pct"][3:7])
    data = book["Data"]
    header = [c.value for c in data[1]]
    for row in data.iter_rows(min_row=2, values_only=True):
        named = dict(zip(header, row, strict=True))
        for column in ("numerator", "denominator", "value", "previous_value", "change"):
            assert named[column] in (None, "c", 0), (named["measure"], column, named[column])
    # ... and the CSV of the wide table hides the rating too (it showed it beside 'c')
    wide_csv = {r[0]: r for r in csv_rows(run(*base, "--wide", "-f", "csv").stdout)}
    assert wide_csv["repeat_plan_pct"][7:10] == ["50.0", "c", "c"]


def test_dates_are_dates_and_text_is_never_a_formula(tmp_path: Path) -> None:
    """validate -o findings.xlsx: every finding (not the 50 of the terminal), the value from
    the file as text even when it looks like a formula, and the count by rule."""
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "child_id,start_date,end_date\n=1+1,2018-01-01,2017-01-01\nB,@SUM(A1),\n"
        'C,"=HYPERLINK(""http://x"")",\n'
    )
    book = tmp_path / "findings.xlsx"
    result = run("validate", bad, "-o", book, "--limit", "1")
    assert result.exit_code == 1  # errors found, as with CSV
    text = run("validate", bad, "-f", "csv")
    assert sheet_as_csv(book, "Findings") == csv_rows(text.stdout)
    ws = openpyxl.load_workbook(book)["Findings"]
    values = [c.value for c in ws["F"]]
    assert "@SUM(A1)" in values and '=HYPERLINK("http://x")' in values
    with zipfile.ZipFile(book) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")  # no formula anywhere
    rules = openpyxl.load_workbook(book)["Rules"]
    counted = {r[0]: r[3] for r in rules.iter_rows(min_row=2, values_only=True)}
    assert counted["8925"] == 1 and sum(counted.values()) == ws.max_row - 1


def test_overdue_workbook(tmp_path: Path) -> None:
    plans = tmp_path / "plans.csv"
    plans.write_text(
        "child_id,family_id,start_date,end_date,review_dates\n"
        "A,F1,2018-01-15,,2018-04-15\nB,F1,2018-06-10,,\n"
    )
    book = tmp_path / "o.xlsx"
    base = ["overdue", plans, "--date", "2018-10-31", "--extract-date", "2019-03-31"]
    assert run(*base, "-o", book).exit_code == 0
    rows = list(openpyxl.load_workbook(book)["Overdue"].iter_rows(values_only=True))
    assert rows == [
        ("child_id", "family_id", "start_date", "what", "last_done", "due_on", "days_overdue"),
        ("B", "F1", dt.datetime(2018, 6, 10), "review", None, dt.datetime(2018, 9, 10), 51),
        ("A", "F1", dt.datetime(2018, 1, 15), "review", dt.datetime(2018, 4, 15),
         dt.datetime(2018, 10, 15), 16),
    ]  # fmt: skip


def test_columns_are_wide_enough_to_read(tmp_path: Path) -> None:
    book = tmp_path / "c.xlsx"
    run("compute", "--month", "2018-10", SAMPLE, "--config", CONFIG, "-q", "-o", book)
    ws = openpyxl.load_workbook(book)["Figures"]
    widths = {ws.cell(1, c).value: ws.column_dimensions[ws.cell(1, c).column_letter].width
              for c in range(1, ws.max_column + 1)}  # fmt: skip
    longest_label = max(len(str(c.value)) for c in ws["B"])
    assert widths["label"] >= min(longest_label, 60)  # (60: the widest a column is made)
    assert 10 <= widths["period_start"] <= 16  # a date (or its heading), not a paragraph
    assert widths["unit"] < 15


def test_a_workbook_is_never_written_to_a_terminal(tmp_path: Path) -> None:
    """On a terminal, xlsx is refused (exit 2, before the extract is read); piped, it goes."""
    main, terminal = os.openpty()
    try:
        refused = subprocess.run(
            [sys.executable, "-m", "cpmetrics", "compute", "--month", "2018-10", str(SAMPLE),
             "-f", "xlsx"],
            stdout=terminal, stderr=subprocess.PIPE, text=True, check=False, cwd=tmp_path,
        )  # fmt: skip
    finally:
        os.close(terminal)
        os.close(main)
    assert refused.returncode == 2
    assert "binary file: give -o FILE.xlsx" in refused.stderr
    piped = subprocess.run(
        [sys.executable, "-m", "cpmetrics", "compute", "--month", "2018-10", str(SAMPLE), "-f",
         "xlsx", "-q"],
        capture_output=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert piped.returncode == 0, piped.stderr
    (tmp_path / "piped.xlsx").write_bytes(piped.stdout)
    assert openpyxl.load_workbook(tmp_path / "piped.xlsx")["Figures"]["G2"].value == 336


@pytest.mark.parametrize(
    ("fmt", "name", "message"),
    [
        ("csv", "x.xlsx", "--format csv does not match"),
        ("xlsx", "x.csv", "--format xlsx does not match"),
        ("xlsx", "x.txt", "--format xlsx does not match"),
    ],
)
def test_format_and_suffix_must_agree(tmp_path: Path, fmt: str, name: str, message: str) -> None:
    result = run("compute", "--month", "2018-10", SAMPLE, "-f", fmt, "-o", tmp_path / name)
    assert result.exit_code == 2 and message in result.stderr
    assert not (tmp_path / name).exists()


def test_last_months_workbook_beside_the_extracts_is_not_read(tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    folder.mkdir()
    (folder / "plans.csv").write_text(PLANS)
    base = ["compute", "--month", "2018-06", folder, "--extract-date", "2020-03-31", "-q"]
    assert run(*base, "-o", folder / "june.xlsx").exit_code == 0
    again = run(*base, "-f", "csv")
    assert again.exit_code == 0, again.stderr
    assert "june.xlsx" not in again.stderr


def test_sheet_names_excel_accepts() -> None:
    taken: set[str] = set()
    assert sheet_name("Duration: bands [D5/D7]?", taken) == "Duration- bands -D5-D7--"
    # 31 characters at most, a long title cut at a word
    assert sheet_name("Lists for managers at 31 October 2018", taken) == "Lists for managers at 31…"
    assert sheet_name("A" * 40, taken) == "A" * 30 + "…"
    assert sheet_name("a" * 40, taken) == "a" * 26 + "… (2)"  # unique whatever the case
    assert all(len(name) <= 31 for name in taken)


def test_more_rows_than_a_sheet_holds_is_refused() -> None:
    rows = [{"x": 1}] * (MAX_ROWS + 1)
    with pytest.raises(UsageError, match=r"1,048,576 rows do not fit on an Excel sheet"):
        workbook_bytes([Sheet("Big", ("x",), rows)])


def test_a_non_finite_number_is_text_not_an_error() -> None:
    data = workbook_bytes([Sheet("S", ("value", "unit"), [{"value": float("inf"), "unit": "%"}])])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book["S"]["A2"].value == "inf"


def test_the_mark_is_the_suppression_mark() -> None:
    from cpmetrics.render.xlsx import MARK
    from cpmetrics.suppress import MARK as SUPPRESSION_MARK

    assert MARK == SUPPRESSION_MARK
