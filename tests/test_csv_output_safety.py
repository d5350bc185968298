"""CSV output that a spreadsheet opens: file content echoed in findings must stay text.

A cell a spreadsheet could run as a formula starts with = + - @ tab or carriage return; only
plain decimal numbers may start so unprefixed. A line break inside a value must be quoted, or
the spreadsheet starts a new row there.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cpmetrics.cli import app
from cpmetrics.render.values import cell, spreadsheet_safe
from helpers import FINDINGS_HEADER

PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Values that float() reads as numbers, and values with line breaks before a formula.
HOSTILE = [
    "-inf",
    "+nan",
    "-Infinity",
    "+infinity",
    "-1_000",
    "+1e5",
    "-1e5",
    "+5",
    "-.5",
    "-5.",
    "=1+1",
    "\r=1+1",
    "x\r=1+1",
    "x\n=1+1",
    "x\r\n=1+1",
    '"\r=1+1',
    "@SUM(A1)",
    "\t=1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_nothing_but_a_plain_number_starts_with_a_formula_character(value: str) -> None:
    safe = spreadsheet_safe(value)
    assert not safe.startswith(FORMULA_START) or PLAIN_NUMBER.fullmatch(safe)


@pytest.mark.parametrize("value", ["-0.4", "-12", "3.5", "0"])
def test_plain_numbers_stay_numbers(value: str) -> None:
    assert spreadsheet_safe(value) == value


def test_a_computed_infinity_is_not_left_as_a_formula() -> None:
    assert cell(float("-inf"), "percent", for_csv=True) == "'-inf"
    assert cell(-0.44, "percent", for_csv=True) == "-0.4"
    assert cell(-3, "children", for_csv=True) == "-3"


def test_findings_csv_read_back_has_one_row_per_finding_and_no_formulas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.csv"
    # Every hostile value as a start date (bad-date: echoed in the findings), each quoted so
    # that the file itself holds it whole.
    rows = "".join(
        f'C{i},"{value.replace(chr(34), chr(34) * 2)}",\n' for i, value in enumerate(HOSTILE)
    )
    path.write_bytes(f"child_id,start_date,end_date\n{rows}".encode())
    result = CliRunner().invoke(app, ["validate", str(path), "-f", "csv"])
    assert result.exit_code == 1, result.stderr
    read_back = list(csv.reader(io.StringIO(result.stdout_bytes.decode(), newline="")))
    assert read_back[0] == FINDINGS_HEADER
    body = read_back[1:]
    assert len(body) == len(HOSTILE)  # a bare CR in a value no longer splits its row
    assert all(len(row) == len(FINDINGS_HEADER) for row in body)
    for row in body:
        for value in row:
            assert not value.startswith(FORMULA_START) or PLAIN_NUMBER.fullmatch(value), row
    values = [row[FINDINGS_HEADER.index("value")] for row in body]
    # (dates are trimmed before they are read, so '\r=1+1' is reported as '=1+1')
    assert sorted(values) == sorted(spreadsheet_safe(value.strip()) for value in HOSTILE)
