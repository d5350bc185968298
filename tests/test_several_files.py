"""Several files read as one extract: census returns for several years, mixed formats, a
folder, the config's list. A plan in more than one file is counted once, from the later file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from typer.testing import CliRunner, Result

from cpmetrics.api import compute_periods, load_plans
from cpmetrics.cli import app
from cpmetrics.periods import parse_month


def census(reference_date: str, plans: list[tuple[str, str, str | None]]) -> str:
    """A CIN census return holding (child, start, end) plans, one child element each."""
    children = "".join(
        f"<Child><ChildIdentifiers><LAchildID>{child}</LAchildID></ChildIdentifiers>"
        f"<CINdetails><ChildProtectionPlans><CPPstartDate>{start}</CPPstartDate>"
        f"<CPPendDate>{end or ''}</CPPendDate></ChildProtectionPlans></CINdetails></Child>\n"
        for child, start, end in plans
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Message><Header><CollectionDetails>'
        f"<Collection>CIN</Collection><ReferenceDate>{reference_date}</ReferenceDate>"
        f"</CollectionDetails></Header><Children>\n{children}</Children></Message>\n"
    )


# The 2019 return has A open; the 2020 return has A ended on 2019-10-01, and C new.
RETURN_2019 = census("2019-03-31", [("A", "2018-06-01", None), ("B", "2018-01-05", "2018-12-01")])
RETURN_2020 = census("2020-03-31", [("A", "2018-06-01", "2019-10-01"), ("C", "2019-06-03", None)])


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def october_2019(loaded: object) -> dict[str, tuple[int, int | None]]:
    table = compute_periods(loaded, [parse_month("2019-10")]).table  # type: ignore[arg-type]
    return {r["measure"]: (r["numerator"], r["denominator"]) for r in table.iter_rows(named=True)}


def test_a_plan_in_two_returns_is_counted_once_from_the_later(tmp_path: Path) -> None:
    old = write(tmp_path, "cin_2019.xml", RETURN_2019)
    new = write(tmp_path, "cin_2020.xml", RETURN_2020)
    for order in ([old, new], [new, old]):  # the later return wins whatever the order
        loaded = load_plans(order)
        assert loaded.report.input_rows == 4
        assert loaded.report.used_rows == 3
        assert loaded.report.excluded_by_rule == {"repeated-plan": 1}
        assert loaded.report.extract_date == dt.date(2020, 3, 31)
        figures = october_2019(loaded)
        # At 31 October 2019 only C is open; A's plan ended on 1 October (the 2020 return).
        assert figures["children_on_plan"] == (1, None)
        assert figures["plans_ended"] == (1, None)
        assert figures["ceased_2y_plus_pct"] == (0, 1)
        found = loaded.report.findings.filter(pl.col("rule") == "files-disagree")
        assert found.height == 1
        message = found["message"].item()
        assert "end date here blank (open)" in message and f"{new} line" in message
        assert "2019-10-01" in message


def test_the_same_plan_alike_in_both_files_is_not_a_disagreement(tmp_path: Path) -> None:
    a = write(tmp_path, "a.xml", census("2019-03-31", [("B", "2018-01-05", "2018-12-01")]))
    b = write(tmp_path, "b.xml", census("2020-03-31", [("B", "2018-01-05", "2018-12-01")]))
    loaded = load_plans([a, b])
    rules = loaded.report.counts_by_rule()
    assert rules["repeated-plan"] == 1 and "files-disagree" not in rules
    assert "2 files, 2 rows, of which 1 repeat a plan of a later file" in loaded.report.summary()


def test_mixed_formats_and_history_across_files(tmp_path: Path) -> None:
    # B's 2019 plan in the CSV is a second plan: its first is in the census return.
    xml = write(tmp_path, "cin_2019.xml", RETURN_2019)
    csv = write(tmp_path, "recent.csv", "child_id,start_date,end_date\nB,2019-10-03,\n")
    loaded = load_plans([xml, csv], extract_date=dt.date(2019, 12, 31))
    figures = october_2019(loaded)
    assert figures["repeat_plan_pct"] == (1, 1)
    assert loaded.plans["_file"].to_list() == [str(xml), str(xml), str(csv)]


def run(*args: object) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def test_command_line_files_folder_and_config_list_agree(tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    old = write(folder, "cin_2019.xml", RETURN_2019)
    new = write(folder, "cin_2020.xml", RETURN_2020)
    write(folder, "~$cin_2020.xlsx", "an Office lock file, not an extract")
    write(folder, "notes.md", "not an extract")
    base = ("compute", "--month", "2019-10", "-f", "csv")
    files = run(*base, old, new)
    assert files.exit_code == 0, files.stderr
    assert "2 files, 4 rows, of which 1 repeat a plan of a later file" in files.stderr
    assert run(*base, folder).stdout == files.stdout
    config = write(tmp_path, "cpmetrics.toml", 'input = ["returns/cin_2019.xml", "returns"]\n')
    from_config = run(*base, "--config", config)
    assert from_config.exit_code == 0, from_config.stderr
    assert from_config.stdout == files.stdout


def test_findings_name_the_file(tmp_path: Path) -> None:
    old = write(tmp_path, "cin_2019.xml", RETURN_2019)
    bad = write(tmp_path, "bad.csv", "child_id,start_date,end_date\nD,2018-05-01,2018-04-01\n")
    result = run("validate", old, bad, "-f", "csv")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("file,rule,")
    assert any(line.startswith(f"{bad},8925,error,2,") for line in lines[1:])


def test_two_plans_on_one_line_are_two_rows(tmp_path: Path) -> None:
    # A minified return: every plan on line 1. Excluding one must not drop its line-mate.
    text = census("2019-03-31", [("A", "2018-06-01", None), ("B", "2018-07-01", "2018-05-01")])
    path = write(tmp_path, "min.xml", text.replace("\n", ""))
    loaded = load_plans(path)
    assert loaded.report.excluded_by_rule == {"8925": 1}
    assert loaded.report.used_rows == 1
    assert loaded.plans["child_id"].to_list() == ["A"]


def test_an_empty_folder_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run("compute", "--month", "2019-10", tmp_path / "empty")
    assert result.exit_code == 2
    assert "holds no extract files" in result.stderr


def test_a_bad_date_in_one_file_only(tmp_path: Path) -> None:
    good = write(tmp_path, "good.csv", "child_id,start_date,end_date\nA,2018-01-01,\n")
    bad = write(tmp_path, "bad.csv", "child_id,start_date,end_date\nB,0201-01-01,\nC,NULL,\n")
    loaded = load_plans([good, bad], extract_date=dt.date(2019, 12, 31))
    assert loaded.report.excluded_by_rule == {"bad-date": 1, "8720": 1}
    assert loaded.report.used_rows == 1
    found = loaded.report.findings.filter(pl.col("rule") == "bad-date")
    assert found["message"].item() == "start date is outside the years 1900 to 2899"


def test_recency_is_the_files_own_date_not_the_order_or_the_extract_date(tmp_path: Path) -> None:
    """Given newest first, with one --extract-date for all: the census ReferenceDate decides."""
    old = write(tmp_path, "cin_2019.xml", RETURN_2019)
    new = write(tmp_path, "cin_2020.xml", RETURN_2020)
    loaded = load_plans([new, old], extract_date=dt.date(2020, 3, 31))
    assert october_2019(loaded)["children_on_plan"] == (1, None)
    assert october_2019(loaded)["plans_ended"] == (1, None)


def test_snapshots_without_a_stated_date_rank_by_their_latest_date(tmp_path: Path) -> None:
    # Two CSV snapshots: in March 2019 A is open; in December 2019 A has ended.
    march = write(tmp_path, "b_march.csv", "child_id,start_date,end_date\nA,2018-06-01,\n")
    december = write(
        tmp_path,
        "a_december.csv",
        "child_id,start_date,end_date\nA,2018-06-01,2019-10-01\nC,2019-06-03,\n",
    )
    for order in ([march, december], [december, march]):
        loaded = load_plans(order, extract_date=dt.date(2019, 12, 31))
        assert october_2019(loaded)["children_on_plan"] == (1, None), order
    # Equally recent copies (both files' latest date is A's start): the ended one is used.
    open_copy = write(tmp_path, "open.csv", "child_id,start_date,end_date\nA,2018-06-01,\n")
    ended = write(tmp_path, "ended.csv", "child_id,start_date,end_date\nA,2018-06-01,2018-06-30\n")
    for order in ([open_copy, ended], [ended, open_copy]):
        loaded = load_plans(order, extract_date=dt.date(2019, 12, 31))
        assert loaded.plans["end_date"].to_list() == [dt.date(2018, 6, 30)]


def test_the_same_end_date_written_two_ways_is_no_disagreement(tmp_path: Path) -> None:
    a = write(tmp_path, "a.csv", "child_id,start_date,end_date\nA,2018-06-01,2018-06-30\n")
    b = write(tmp_path, "b.csv", "child_id,start_date,end_date\nA,01/06/2018,30/06/2018\n")
    rules = load_plans([a, b], extract_date=dt.date(2019, 12, 31)).report.counts_by_rule()
    assert rules == {"repeated-plan": 1}


def test_a_heading_one_file_lacks_is_not_excused_by_another(tmp_path: Path) -> None:
    a = write(tmp_path, "a.csv", "child_id,start_date,end_date,previous_plans\nA,2019-06-01,,0\n")
    b = write(tmp_path, "b.csv", "child_id,start_date,end_date,Prev CP\nB,2019-07-01,,2\n")
    result = run("compute", "--month", "2019-07", a, b, "--extract-date", "2019-12-31")
    assert result.exit_code == 1
    assert "'Prev CP' looks like previous_plans" in result.stderr


def test_the_guard_counts_shares_of_distinct_plans(tmp_path: Path) -> None:
    """10 unreadable end dates among 110 plans exit 1, with or without last year's copies."""
    plans = [
        f"P{i},2019-01-{1 + i % 28:02d},{'Open' if i < 10 else '2019-06-30'}" for i in range(110)
    ]
    new = write(tmp_path, "new.csv", "child_id,start_date,end_date\n" + "\n".join(plans) + "\n")
    old_rows = [f"P{i},2019-01-{1 + i % 28:02d}," for i in range(10, 110)]
    old = write(tmp_path, "old.csv", "child_id,start_date,end_date\n" + "\n".join(old_rows) + "\n")
    base = ("compute", "--month", "2019-06", "--extract-date", "2019-12-31", "-f", "csv")
    assert run(*base, new).exit_code == 1
    both = run(*base, old, new)
    assert both.exit_code == 1
    assert "10 of 110 rows" in both.stderr
