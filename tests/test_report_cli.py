"""cpmetrics report and cpmetrics chart through the command line: formats by suffix, clear
errors for the writers not there, and the alarms after the report is written."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cpmetrics.cli import app
from cpmetrics.commands import report as command

ROOT = Path(__file__).resolve().parents[1]
CONFIG = str(ROOT / "cpmetrics.toml")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*args, "--config", CONFIG])
    return result.exit_code, result.stderr


def test_the_report_as_html(tmp_path: Path) -> None:
    out = tmp_path / "october.html"
    code, err = run("report", "--month", "2018-10", "--out", str(out))
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert "<h1>Child protection plans: October 2018</h1>" in html
    assert err.splitlines()[-1] == f"cpmetrics: report for 2018-10 written to {out}"
    code, err = run("report", "--month", "2018-10", "-o", str(out), "--suppress", "-q")
    assert code == 0 and err == "" and "Publication version" in out.read_text(encoding="utf-8")


def test_a_suffix_it_does_not_write_is_refused_before_reading(tmp_path: Path) -> None:
    code, err = run("report", "--month", "2018-10", "--out", str(tmp_path / "october.pdf"))
    assert code == 2
    assert err.strip() == (
        f"cpmetrics: error: --out {tmp_path / 'october.pdf'}: the report is written as .html, "
        ".docx, .xlsx, .md (the format follows the suffix), not '.pdf'"
    )
    assert not (tmp_path / "october.pdf").exists()


def test_a_writer_not_there_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "needs_more.py").write_text("import a_package_nobody_installed\n")
    (tmp_path / "wrong_name.py").write_text("def write_other(report, path): pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(command.WRITERS, ".aaa", ("cpmetrics.report.not_written_yet", "write"))
    monkeypatch.setitem(command.WRITERS, ".bbb", ("needs_more", "write"))
    monkeypatch.setitem(command.WRITERS, ".ccc", ("wrong_name", "write"))
    expected = {
        ".aaa": "cannot write .aaa reports yet (no cpmetrics.report.not_written_yet)",
        ".bbb": "writing a .bbb report needs the Python package 'a_package_nobody_installed'",
        ".ccc": "this cpmetrics cannot write .ccc reports yet (write missing)",
    }
    for suffix, message in expected.items():
        code, err = run("report", "--month", "2018-10", "--out", str(tmp_path / f"x{suffix}"))
        assert code == 2 and message in err and "Traceback" not in err
    sys.modules.pop("wrong_name", None)


def test_the_report_is_written_then_the_alarms_exit_1(tmp_path: Path) -> None:
    lines = (ROOT / "sample_data" / "cp_plans.csv").read_text().splitlines()
    # 200 end dates before their start: more than 5% of 3,294 rows excluded.
    bad = [f"X{i},F0,2010-01-01,2018-05-01,2018-04-01,NEG,NEG,0" for i in range(200)]
    extract = tmp_path / "plans.csv"
    extract.write_text("\n".join([*lines, *bad]) + "\n")
    out = tmp_path / "report.html"
    code, err = run("report", str(extract), "--month", "2018-10", "--out", str(out), "-q")
    assert code == 1 and out.exists()
    assert "8925" in err and "check the input before using them (exit 1)" in err
    assert "End date before start date (8925)" in out.read_text(encoding="utf-8")


def test_an_unwritable_place_is_a_usage_error(tmp_path: Path) -> None:
    code, err = run("report", "--month", "2018-10", "--out", str(tmp_path / "no" / "r.html"))
    assert code == 2 and "cannot write" in err


def test_the_chart_on_its_own(tmp_path: Path) -> None:
    svg, png = tmp_path / "chart.svg", tmp_path / "chart.png"
    code, err = run(
        "chart", "open_2y_plus_pct", "--from", "2018-01", "--to", "2018-10", "--out", str(svg)
    )
    assert code == 0, err
    assert err.splitlines()[-1] == f"cpmetrics: chart of open_2y_plus_pct written to {svg}"
    text = svg.read_text(encoding="utf-8")
    assert "Oct 2018 3.3%" in text and "Jan 2018 1.9%" in text and "Dec 2017" not in text
    code, err = run("chart", "plans_started", "--to", "2018-10", "-o", str(png), "-q")
    assert code == 0 and png.read_bytes()[:4] == b"\x89PNG"
    code, err = run("chart", "plans_started", "--to", "2018-10", "-o", str(tmp_path / "c.gif"))
    assert code == 2 and "a chart is written as .svg or .png" in err
    code, err = run(
        "chart", "plans_started", "--to", "2018-10", "-o", str(tmp_path / "no" / "c.png")
    )
    assert code == 2 and "c.png: cannot write" in err and "Traceback" not in err
    code, err = run("chart", "nothing", "--to", "2018-10", "-o", str(svg))
    assert code == 2 and "no measure 'nothing'" in err
