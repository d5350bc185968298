"""Reviews and visits files at their edges, from a code review and a new user's trial: row
and file order change nothing, a shared plan id says nothing, what a header-only file means,
records before they begin, Annex A typos, workbooks with a notes sheet, and case systems'
words for seen alone (docs/measures.md, "Reviews and visits files", "Visits")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl  # test-only: writes the workbook below
import pytest
from typer.testing import CliRunner

from cpmetrics.api import compute_periods, load_plans
from cpmetrics.cli import app
from cpmetrics.periods import parse_month

EXTRACT = dt.date(2025, 5, 31)
APRIL = parse_month("2025-04")


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # never the repository's cpmetrics.toml
    return tmp_path


def write(name: str, text: str) -> Path:
    path = Path(name)
    path.write_text(text, encoding="utf-8")
    return path


def figure(plans: Path, measure: str, **records: object) -> tuple[object, object]:
    loaded = load_plans(plans, extract_date=EXTRACT, **records)  # type: ignore[arg-type]
    table = compute_periods(loaded, [APRIL]).table
    rows = {r["measure"]: (r["numerator"], r["denominator"]) for r in table.iter_rows(named=True)}
    return rows.get(measure, ("absent", "absent"))


def test_same_day_plans_take_a_review_whatever_their_order() -> None:
    """Two plans of A start 1 Oct 2024 (8940, both kept). Reviews 20 Dec 2024 (due 1 Jan) and
    20 Apr 2025 (due 20 Jun): in time at 30 April, whichever plan the engine calls current."""
    reviews = write("r.csv", "child_id,review_date\nA,2024-12-20\nA,2025-04-20\n")
    one = write(
        "one.csv", "child_id,family_id,start_date,end_date\nA,F1,2024-10-01,\nA,F2,2024-10-01,\n"
    )
    two = write(
        "two.csv", "child_id,family_id,start_date,end_date\nA,F2,2024-10-01,\nA,F1,2024-10-01,\n"
    )
    assert figure(one, "reviews_in_time_pct", reviews=reviews) == (1, 1)
    assert figure(two, "reviews_in_time_pct", reviews=reviews) == (1, 1)


def test_a_plan_id_two_plans_share_matches_by_child_and_date() -> None:
    """P1 is the id of A's 2023 plan and of A's open plan. A review with only the plan id
    cannot say which: left out (review-no-plan); with the child id, it goes by date."""
    plans = write(
        "p.csv",
        "child_id,plan_id,start_date,end_date\nA,P1,2023-01-02,2023-12-01\nA,P1,2024-10-01,\n",
    )
    by_id = write("r1.csv", "plan_id,review_date\nP1,2024-12-20\n")
    with_child = write("r2.csv", "child_id,plan_id,review_date\nA,P1,2024-12-20\n")
    loaded = load_plans(plans, extract_date=EXTRACT, reviews=by_id)
    assert loaded.report.linked[0].left_out == {"review-no-plan": 1}
    # 20 Dec 2024 by the 1 Jan 2025 due date; the next due 20 Jun 2025: in time at 30 April.
    assert figure(plans, "reviews_in_time_pct", reviews=with_child) == (1, 1)


def test_the_same_visit_in_two_files_is_one_visit_in_either_order() -> None:
    plans = write("p.csv", "child_id,start_date,end_date\nA,2025-01-06,\n")
    no = write("f1.csv", "child_id,visit_date,seen_alone\nA,2025-04-28,N\n")
    yes = write("f2.csv", "child_id,visit_date,seen_alone\nA,2025-04-28,Y\n")
    for files in ([no, yes], [yes, no]):
        loaded = load_plans(plans, extract_date=EXTRACT, visits=files)
        assert [f.used for f in loaded.report.linked] == [1, 0]
        assert figure(plans, "visits_seen_alone_pct", visits=files) == (1, 1)


def test_a_header_only_visits_file_leaves_the_measure_absent() -> None:
    plans = write("p.csv", "child_id,start_date,end_date\nA,2025-01-06,\n")
    header = write("v.csv", "child_id,visit_date\n")
    unused = write("u.csv", "child_id,visit_date\nZ,2025-04-20\n")
    assert figure(plans, "visits_in_time_pct", visits=header) == ("absent", "absent")
    assert figure(plans, "visits_in_time_pct", visits=unused) == (0, 1)  # given: 0 of N


def test_months_before_the_visit_records_begin_are_empty() -> None:
    plans = write("p.csv", "child_id,start_date,end_date\nA,2024-06-03,\n")
    visits = write("v.csv", "child_id,visit_date\nA,2025-04-28\n")
    loaded = load_plans(plans, extract_date=EXTRACT, visits=visits)
    result = compute_periods(loaded, [parse_month("2025-03"), APRIL])
    rows = result.table.filter(result.table["measure"] == "visits_in_time_pct")
    assert rows.select("numerator", "denominator").rows() == [(None, None), (1, 1)]
    assert any("the visit records begin on 2025-04-28" in n for n in result.notes)


def test_an_annex_a_date_after_the_extract_date_is_ignored_and_reported() -> None:
    """B's latest review reads 2052: a typo, which would otherwise blank every period."""
    plans = write(
        "a.csv",
        "Child Unique ID,Child Protection Plan Start Date,Child Protection Plan End Date,"
        "Date of latest review conference\nA,2024-06-03,,2025-04-01\nB,2024-06-03,,2052-12-20\n",
    )
    loaded = load_plans(plans, extract_date=EXTRACT)
    rules = loaded.report.findings["rule"].to_list()
    assert rules == ["bad-latest-date"]
    # 30 April: A's next review due 1 Oct 2025 (not overdue); B has none after its start, so
    # its first was due 3 Sep 2024: overdue.
    assert figure(plans, "review_not_overdue_pct") == (1, 2)


def test_a_visits_workbook_with_a_notes_sheet() -> None:
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["Visits to children on a plan, exported 31 May 2025"])
    sheet = book.create_sheet("Visits")
    sheet.append(["Person ID", "Visit Date", "Seen Alone"])
    sheet.append(["A", dt.datetime(2025, 4, 28), "Seen alone"])
    book.save("v.xlsx")
    plans = write("p.csv", "child_id,start_date,end_date\nA,2024-06-03,\n")
    assert figure(plans, "visits_in_time_pct", visits=Path("v.xlsx")) == (1, 1)
    assert figure(plans, "visits_seen_alone_pct", visits=Path("v.xlsx")) == (1, 1)


@pytest.mark.parametrize(
    ("written", "alone"),
    [
        ("Seen alone", True),
        ("Not seen alone", False),
        ("No - sibling present", False),
        ("a) Yes", True),
        ("Not recorded", None),
        ("Seen with mother", None),
    ],
)
def test_seen_alone_in_a_case_systems_words(written: str, alone: bool | None) -> None:
    plans = write("p.csv", "child_id,start_date,end_date\nA,2024-06-03,\n")
    visits = write("v.csv", f"child_id,visit_date,seen_alone\nA,2025-04-28,{written}\n")
    want = {True: (1, 1), False: (0, 1), None: ("absent", "absent")}[alone]
    assert figure(plans, "visits_seen_alone_pct", visits=visits) == want


def test_output_that_cannot_be_written_is_an_error_line(tmp_path: Path) -> None:
    plans = write("p.csv", "child_id,start_date,end_date\nA,2024-06-03,\n")
    full = Path("/dev/full")  # a device every write to fails: the disk is full (Linux)
    result = CliRunner().invoke(
        app, ["compute", "--month", "2025-04", str(plans), "-o", str(full), "-q"]
    )
    assert result.exit_code == 1, result.output
    assert "No space left" in result.stderr and "internal error" not in result.stderr


def test_overdue_visits_are_the_children_not_visited_in_time() -> None:
    """On the bundled sample at a month end, the children `overdue` lists with a visit overdue
    are exactly those in visits_in_time_pct's denominator and not its numerator: a visit
    under an earlier plan does not make a new plan's child overdue before it is due one."""
    from cpmetrics.engine import Options
    from cpmetrics.lists import overdue
    from cpmetrics.records import plan_facts

    root = Path(__file__).resolve().parents[1] / "sample_data"
    loaded = load_plans(
        root / "cp_plans.csv", extract_date=dt.date(2019, 12, 31), visits=root / "cp_visits.csv"
    )
    facts = plan_facts(loaded.plans, loaded.timeline, Options())
    for month in ("2018-10", "2019-03"):
        period = parse_month(month)
        table = compute_periods(loaded, [period]).table
        row = table.filter(table["measure"] == "visits_in_time_pct").row(0, named=True)
        listed = overdue(facts, period.end)
        late = listed.filter(listed["what"] == "visit")
        assert late.height == row["denominator"] - row["numerator"], month
