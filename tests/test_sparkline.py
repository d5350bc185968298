"""The trend table's sparkline: each measure scaled over the periods shown, gaps where a
figure is hidden or undefined, only in the terminal table."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cpmetrics.cli import app
from cpmetrics.render.sparkline import BLOCKS, GAP, can_print, sparkline


def test_lowest_to_highest_in_eight_steps() -> None:
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█"
    # Scaled on the series itself: 300 to 314 fills the height as 0 to 14 would.
    assert sparkline([300, 314, 307]) == "▁█▅"  # 307 is half way: 3.5 steps, rounded to 4
    assert sparkline([2.8, 3.1, 3.4]) == "▁▅█"


def test_a_flat_series_and_a_single_value_sit_in_the_middle() -> None:
    assert sparkline([42, 42, 42]) == "▄▄▄"
    assert sparkline([0.0]) == "▄"


def test_missing_values_are_gaps_and_do_not_move_the_scale() -> None:
    assert sparkline([10, None, 20]) == f"▁{GAP}█"
    assert sparkline([None, 5, None]) == f"{GAP}▄{GAP}"
    assert sparkline([None, None]) == GAP * 2
    assert sparkline([]) == ""
    assert sparkline([1, float("nan"), 3]) == f"▁{GAP}█"


def test_a_stream_that_cannot_show_blocks_gets_none() -> None:
    assert can_print("utf-8") and not can_print("cp1252") and not can_print("ascii")
    assert can_print(None)  # unknown: Python writes UTF-8
    assert not can_print("no-such-codec")


PLANS = (
    "child_id,start_date,end_date,previous_plans\n"
    + "".join(f"A{i},2018-04-0{1 + i % 5},,0\n" for i in range(10))  # 10 on a plan from April
    + "".join(f"M{i},2018-05-02,,0\n" for i in range(10))  # 10 more from May
    + "".join(f"J{i},2018-06-02,2018-06-20,0\n" for i in range(3))  # 3 for part of June
    + "Z,2020-03-05,,0\n"
)


@pytest.fixture
def extract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "plans.csv"
    path.write_text(PLANS)
    return path


def trend(path: Path, *args: str) -> str:
    base = ["trend", "--from", "2018-04", "--to", "2018-06", str(path)]
    result = CliRunner().invoke(app, [*base, "--extract-date", "2020-03-31", "-q", *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def row(table: str, name: str) -> str:
    return next(line for line in table.splitlines() if line.lstrip().startswith(name))


def test_the_terminal_table_shows_each_measures_shape(extract: Path) -> None:
    table = trend(extract, "-f", "table")
    assert "Trend" in table
    # On a plan at the month end: 10, 20, 20 (June's three ended within it)
    assert "▁██" in row(table, "On a plan ")
    # Plans started: 10, 10, 3
    assert "██▁" in row(table, "Plans started")
    # Plans ended: 0, 0, 3
    assert "▁▁█" in row(table, "Plans ended")


def test_a_hidden_figure_is_a_gap(extract: Path) -> None:
    table = trend(extract, "-f", "table", "--suppress")
    # Plans started 10, 10, then 3 (hidden); beside the YTD total of 23 a lone hidden month
    # takes the next smallest (April) with it: one figure left, flat, between two gaps.
    assert f"{GAP}▄{GAP}" in row(table, "Plans started")


def test_only_the_terminal_table_has_it(extract: Path) -> None:
    for fmt in ("csv", "json"):
        out = trend(extract, "-f", fmt)
        assert not any(block in out for block in BLOCKS + GAP)
