"""Publication mode: small numbers, and what would reveal them, become 'c'."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cpmetrics.cli import app


def plans_csv(rows: list[tuple[str, str, str]]) -> str:
    return "child_id,start_date,end_date\n" + "".join(f"{c},{s},{e}\n" for c, s, e in rows)


# April 2018: 12 plans start; May: 3 start (small); June: 8 start.
ROWS = (
    [(f"A{i}", "2018-04-10", "") for i in range(12)]
    + [(f"B{i}", "2018-05-10", "") for i in range(3)]
    + [(f"C{i}", "2018-06-10", "") for i in range(8)]
)


@pytest.fixture
def extract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "plans.csv"
    path.write_text(plans_csv(ROWS))
    return path


def run(*args: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(app, [*args, "--extract-date", "2019-01-01", "-q"])
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_small_counts_and_their_percentages_are_c(extract: Path) -> None:
    rows = {
        r["measure"]: r
        for r in run(
            "compute",
            str(extract),
            "--month",
            "2018-05",
            "-f",
            "csv",
            "--suppress",
            "--population",
            "1000",
        )
    }
    started = rows["plans_started"]
    assert (started["numerator"], started["value"]) == ("c", "c")
    repeat = rows["repeat_plan_pct"]  # 0 of 3: the denominator is small
    assert (repeat["numerator"], repeat["denominator"], repeat["value"]) == ("c", "c", "c")
    on_plan = rows["children_on_plan"]  # 15 children: shown
    assert on_plan["value"] == "15"
    ended = rows["plans_ended"]  # zero is not suppressed
    assert ended["value"] == "0"


def test_without_suppress_the_figures_show(extract: Path) -> None:
    rows = {
        r["measure"]: r for r in run("compute", str(extract), "--month", "2018-05", "-f", "csv")
    }
    assert rows["plans_started"]["value"] == "3"


def test_trend_hides_changes_and_a_lone_month_under_the_ytd(extract: Path) -> None:
    rows = run(
        "trend", "--from", "2018-04", "--to", "2018-06", str(extract), "-f", "csv", "--suppress"
    )
    started = [r for r in rows if r["measure"] == "plans_started"]
    # April 12, May 3 (c), June 8; YTD 23 is shown, so May = 23 - 12 - 8 would be revealed:
    # the next smallest month (June) is suppressed too.
    assert [r["value"] for r in started] == ["12", "c", "c", "23"]
    # Changes next to a suppressed month would reveal it as well.
    assert [r["change"] for r in started] == ["", "c", "c", ""]
    on_plan = [r for r in rows if r["measure"] == "children_on_plan"]
    assert [r["value"] for r in on_plan] == ["12", "15", "23", "23"]
    assert [r["change"] for r in on_plan] == ["", "3", "8", ""]


def test_a_lone_hidden_percentage_month_under_the_ytd_takes_another(extract: Path) -> None:
    """The percentages of plans started add up over the months as the counts do: May's 0 of 3
    (hidden) would be the YTD's 0 of 23 less April's 0 of 12 and June's 0 of 8."""
    rows = run(
        "trend", "--from", "2018-04", "--to", "2018-06", str(extract), "-f", "csv", "--suppress"
    )
    repeats = [r for r in rows if r["measure"] == "repeat_plan_pct"]
    assert [(r["numerator"], r["denominator"]) for r in repeats] == [
        ("0", "12"),
        ("c", "c"),
        ("c", "c"),
        ("0", "23"),
    ]
    # The children who started: 12, 3 (hidden), 8 and 23 in the year: June goes too.
    children = [r for r in rows if r["measure"] == "children_started"]
    assert [r["value"] for r in children] == ["12", "c", "c", "23"]


def test_when_april_goes_with_a_lone_month_the_ytd_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """April 7, May 3 (hidden), June 9: April is the next smallest and goes too; the year to
    date, which starts on April's first day, stays (19)."""
    monkeypatch.chdir(tmp_path)
    rows = (
        [(f"A{i}", "2018-04-10", "") for i in range(7)]
        + [(f"B{i}", "2018-05-10", "") for i in range(3)]
        + [(f"C{i}", "2018-06-10", "") for i in range(9)]
    )
    (tmp_path / "plans.csv").write_text(plans_csv(rows))
    out = run(
        "trend", "--from", "2018-04", "--to", "2018-06", "plans.csv", "-f", "csv", "--suppress"
    )
    started = [r["value"] for r in out if r["measure"] == "plans_started"]
    assert started == ["c", "c", "9", "19"]
