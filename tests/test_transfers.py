"""Transfers in and out (Haringey Op421/Op422): plans started or ended in the period whose start
or end reason is a transfer; which reasons are transfers is configurable."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from typer.testing import CliRunner, Result

from cpmetrics.cli import app

# October 2018: A started as a transfer in, B started for another reason, C ended as a
# transfer out, D ended as 'TRANSFERRED OUT' (a transfer by the default rule), E ended on
# 'Child no longer at risk'. F's transfer in was in September: not in October's figure.
PLANS = """child_id,start_date,end_date,Reason for start,Plan End Reason
A,2018-10-03,,Transfer in from another LA,
B,2018-10-09,,New ICPC,
C,2017-01-01,2018-10-12,,Transfer to another local authority
D,2017-06-01,2018-10-20,,TRANSFERRED OUT
E,2018-01-01,2018-10-25,,Child no longer at risk
F,2018-09-03,,Transfer in,
"""


def figures(stdout: str) -> dict[str, tuple[str, str]]:
    return {
        r["measure"]: (r["numerator"], r["denominator"])
        for r in csv.DictReader(io.StringIO(stdout))
    }


def run(*args: object) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def test_transfers_by_the_default_rule(tmp_path: Path) -> None:
    path = tmp_path / "plans.csv"
    path.write_text(PLANS, encoding="utf-8")
    result = run("compute", "--month", "2018-10", path, "--extract-date", "2018-12-31", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    got = figures(result.stdout)
    assert got["transfers_in"] == ("1", "")
    assert got["transfers_out"] == ("2", "")
    assert "start_reason ('Reason for start')" in result.stderr


def test_transfer_reasons_from_the_config(tmp_path: Path) -> None:
    path = tmp_path / "plans.csv"
    path.write_text(PLANS, encoding="utf-8")
    config = tmp_path / "cpmetrics.toml"
    config.write_text(
        'transfer_in = ["new icpc"]\ntransfer_out = ["Transferred out"]\n', encoding="utf-8"
    )
    result = run(
        "compute",
        "--month",
        "2018-10",
        path,
        "--config",
        config,
        "--extract-date",
        "2018-12-31",
        "-f",
        "csv",
    )
    got = figures(result.stdout)
    assert got["transfers_in"] == ("1", "") and got["transfers_out"] == ("1", "")
    explained = run(
        "explain",
        "transfers_out",
        path,
        "--month",
        "2018-10",
        "--config",
        config,
        "--extract-date",
        "2018-12-31",
        "-f",
        "csv",
    )
    assert "ended 20 Oct 2018 after 1y 4m; end reason 'TRANSFERRED OUT'" in explained.stdout


def test_no_reasons_no_transfers(tmp_path: Path) -> None:
    path = tmp_path / "plans.csv"
    path.write_text("child_id,start_date,end_date\nA,2018-10-03,\n", encoding="utf-8")
    result = run("compute", "--month", "2018-10", path, "--extract-date", "2018-12-31", "-f", "csv")
    got = figures(result.stdout)
    assert "transfers_in" not in got and "transfers_out" not in got


def test_the_default_rule_reads_the_direction(tmp_path: Path) -> None:
    path = tmp_path / "plans.csv"
    path.write_text(
        "child_id,start_date,end_date,start_reason,end_reason\n"
        "A,2018-10-03,,Transfer out,\n"
        "B,2017-01-01,2018-10-12,,Transferred to CIN plan\n"
        "C,2017-01-01,2018-10-13,,No transfer needed\n"
        "D,2017-01-01,2018-10-14,,Transfer in\n",
        encoding="utf-8",
    )
    result = run("compute", "--month", "2018-10", path, "--extract-date", "2018-12-31", "-f", "csv")
    got = figures(result.stdout)
    assert got["transfers_in"] == ("0", "") and got["transfers_out"] == ("0", "")
