"""Reviews and visits files beside the plans (docs/measures.md, "Reviews and visits files";
docs/input.md for what validate's findings name): matching by plan id or by child and date,
each rule with its file, line and column, every row used or left out and counted, Excel and
CSV, the SSD's headings, files that cannot be used, the alarm when most rows match no plan,
and Ofsted Annex A's latest review and visit."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl  # test-only: writes the small workbooks below
import pytest
from typer.testing import CliRunner, Result

from cpmetrics.api import compute_periods, load_plans
from cpmetrics.cli import app
from cpmetrics.errors import DataError
from cpmetrics.periods import Period, parse_month
from cpmetrics.validate import Validated

EXTRACT = dt.date(2019, 3, 31)
PLANS = "child_id,plan_id,start_date,end_date\n"
SSD_REVIEWS = "cppr_person_id,cppr_cp_plan_id,cppr_cp_review_date\n"
SSD_VISITS = (
    "cppv_person_id,cppv_cp_plan_id,cppv_cp_visit_date,"
    "cppv_cp_visit_seen,cppv_cp_visit_seen_alone\n"
)


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test in its own folder: the repository's cpmetrics.toml is never read."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: object) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def figures(
    loaded: Validated, period: str | Period
) -> dict[str, tuple[int | None, int | None, float | None]]:
    chosen = parse_month(period) if isinstance(period, str) else period
    table = compute_periods(loaded, [chosen]).table
    return {
        row["measure"]: (row["numerator"], row["denominator"], row["value"])
        for row in table.iter_rows(named=True)
    }


def found(loaded: Validated) -> set[tuple[str, str, int, str | None]]:
    """(file name, rule, line, column) of every finding."""
    report = loaded.report
    rows = report.findings.select(report.file_names().alias("file"), "rule", "line", "column")
    return {(Path(f).name, rule, line, column) for f, rule, line, column in rows.iter_rows()}


def assert_accounted(loaded: Validated) -> None:
    """Every row of every reviews or visits file used or left out under one rule."""
    for linked in loaded.report.linked:
        assert linked.rows == linked.used + sum(linked.left_out.values()), linked


# --------------------------------------------------------------------------- matching

# B's first plan ran from June 2017 to 31 January 2018; the second started 1 February 2018
# (its first review due 1 May 2018). A's plan started 15 January 2018 (first review due
# 15 April). At R = 30 June 2018 both current plans started on or before R - 3 months
# (31 March), so D6's denominator is 2.
MATCH_PLANS = PLANS + "A,P1,2018-01-15,\nB,P2,2017-06-01,2018-01-31\nB,P3,2018-02-01,\n"


def test_by_plan_id_where_both_files_have_one(workdir: Path) -> None:
    """B's review of 1 May 2018 is recorded against P2 (ended 31 January). By plan id it is
    P2's (a review of an ended plan: nothing says it is left out), so P3's first review, due
    1 May, was never held: at 30 June 2018 A is in time, B not (1 of 2)."""
    plans = write(workdir / "plans.csv", MATCH_PLANS)
    reviews = write(workdir / "reviews.csv", SSD_REVIEWS + "A,P1,2018-04-15\nB,P2,2018-05-01\n")
    loaded = load_plans(plans, extract_date=EXTRACT, reviews=reviews)
    assert_accounted(loaded)
    assert figures(loaded, "2018-06")["reviews_in_time_pct"] == (1, 2, 50.0)


def test_by_child_and_date_without_a_plan_id(workdir: Path) -> None:
    """The same reviews with the plan id left blank: each goes to the plan open on its date.
    B's of 1 May 2018 is P3's first review, held on its due date: 2 of 2."""
    plans = write(workdir / "plans.csv", MATCH_PLANS)
    reviews = write(workdir / "reviews.csv", SSD_REVIEWS + "A,,2018-04-15\nB,,2018-05-01\n")
    loaded = load_plans(plans, extract_date=EXTRACT, reviews=reviews)
    assert figures(loaded, "2018-06")["reviews_in_time_pct"] == (2, 2, 100.0)
    # And when the plans have no plan ids, the records' ids cannot be used: child and date.
    no_ids = write(
        workdir / "no_ids.csv",
        "child_id,start_date,end_date\nA,2018-01-15,\nB,2017-06-01,2018-01-31\nB,2018-02-01,\n",
    )
    with_ids = write(workdir / "with_ids.csv", SSD_REVIEWS + "A,P1,2018-04-15\nB,P2,2018-05-01\n")
    loaded = load_plans(no_ids, extract_date=EXTRACT, reviews=with_ids)
    assert figures(loaded, "2018-06")["reviews_in_time_pct"] == (2, 2, 100.0)


def test_by_child_and_date_of_two_open_plans_the_later_started(workdir: Path) -> None:
    """A's plans overlap: P1 from 15 January 2018, P2 from 1 March 2018, both open. A review
    on 1 June 2018 (no plan id) is P2's, the later-started: P2's first review (due 1 June) is
    held, and P2 is A's current plan. At 30 June 2018: 1 of 1. Were it P1's, P2's first review
    would be missing: 0 of 1."""
    plans = write(workdir / "plans.csv", PLANS + "A,P1,2018-01-15,\nA,P2,2018-03-01,\n")
    reviews = write(workdir / "reviews.csv", SSD_REVIEWS + "A,,2018-06-01\n")
    loaded = load_plans(plans, extract_date=EXTRACT, reviews=reviews)
    assert figures(loaded, "2018-06")["reviews_in_time_pct"] == (1, 1, 100.0)


def test_a_reviews_file_and_the_plans_review_dates_each_date_once(workdir: Path) -> None:
    """A's plan (15 January 2018) lists a review on 15 April; the reviews file has that one
    again and one on 10 October. Both sources are used, each date once: the next review after
    15 April was due 15 October and was held on the 10th; at 31 October 2018 A is in time.
    From the plans alone the review due 15 October is missing: 0 of 1."""
    plans = write(
        workdir / "plans.csv",
        "child_id,start_date,end_date,review_dates\nA,2018-01-15,,2018-04-15\n",
    )
    reviews = write(workdir / "reviews.csv", "child_id,review_date\nA,2018-04-15\nA,2018-10-10\n")
    alone = load_plans(plans, extract_date=EXTRACT)
    assert figures(alone, "2018-10")["reviews_in_time_pct"] == (0, 1, 0.0)
    both = load_plans(plans, extract_date=EXTRACT, reviews=reviews)
    assert figures(both, "2018-10")["reviews_in_time_pct"] == (1, 1, 100.0)
    assert_accounted(both)


# --------------------------------------------------------------------------- every rule

# Plans: A's P1 from 15 January 2018, open; B's P2 from 1 March to 30 September 2018.
RULE_PLANS = PLANS + "A,P1,2018-01-15,\nB,P2,2018-03-01,2018-09-30\n"
REVIEW_ROWS = (
    SSD_REVIEWS
    + "A,P1,2018-04-15\n"  # line 2: used
    + "A,P1,31/02/2018\n"  # line 3: review-bad-date (no 31 February)
    + "A,P1,\n"  # line 4: review-bad-date (missing)
    + "A,P1,2019-06-01\n"  # line 5: review-future (extract date 31 March 2019)
    + ",,2018-05-01\n"  # line 6: review-no-id
    + "A,P9,2018-05-01\n"  # line 7: review-no-plan (no plan has the id)
    + "Z,,2018-05-01\n"  # line 8: review-no-plan (the child has no plan open that day)
    + "B,,2018-10-15\n"  # line 9: review-no-plan (B's plan ended 30 September)
    + "A,P1,2018-01-15\n"  # line 10: 8841 (on the plan's start)
    + "B,P2,2018-02-01\n"  # line 11: 8841 (before it, by plan id)
    + "A,P1,2018-04-15\n"  # line 12: review-duplicate
    + ",,\n"  # line 13: review-blank-row
    + "B,P2,2018-06-01\n"  # line 14: used
)
VISIT_ROWS = (
    SSD_VISITS
    + "A,P1,2018-10-01,Y,Y\n"  # line 2: used
    + "A,P1,2018-13-01,Y,\n"  # line 3: visit-bad-date (no 13th month)
    + "A,P1,2019-04-01,Y,\n"  # line 4: visit-future
    + ",,2018-10-02,Y,\n"  # line 5: visit-no-id
    + "A,P9,2018-10-02,Y,\n"  # line 6: visit-no-plan (by plan id)
    + "Z,,2018-10-02,Y,\n"  # line 7: visit-no-plan (by child and date)
    + "B,P2,2018-10-02,Y,\n"  # line 8: visit-outside-plan (after P2's end)
    + "A,P1,2018-01-10,Y,\n"  # line 9: visit-outside-plan (before P1's start)
    + "A,P1,2018-10-01,Y,Y\n"  # line 10: visit-duplicate
    + "A,P1,2018-10-03,N,\n"  # line 11: visit-not-seen
    + ",,,,\n"  # line 12: visit-blank-row
    + "A,P1,2018-10-04,Y,Maybe\n"  # line 13: used; bad-seen-alone (not recorded)
    + "B,P2,2018-09-30,Y,N\n"  # line 14: used (the plan's last day is inside it)
)


@pytest.fixture
def with_rules(workdir: Path) -> Validated:
    plans = write(workdir / "plans.csv", RULE_PLANS)
    reviews = write(workdir / "reviews.csv", REVIEW_ROWS)
    visits = write(workdir / "visits.csv", VISIT_ROWS)
    return load_plans(plans, extract_date=EXTRACT, reviews=reviews, visits=visits)


def test_each_review_rule_names_the_file_line_and_column(with_rules: Validated) -> None:
    reviews = {f for f in found(with_rules) if f[0] == "reviews.csv"}
    assert reviews == {
        ("reviews.csv", "review-bad-date", 3, "date"),
        ("reviews.csv", "review-bad-date", 4, "date"),
        ("reviews.csv", "review-future", 5, "date"),
        ("reviews.csv", "review-no-id", 6, None),
        ("reviews.csv", "review-no-plan", 7, "plan_id"),
        ("reviews.csv", "review-no-plan", 8, "date"),
        ("reviews.csv", "review-no-plan", 9, "date"),
        ("reviews.csv", "8841", 10, "date"),
        ("reviews.csv", "8841", 11, "date"),
        ("reviews.csv", "review-duplicate", 12, "date"),
        ("reviews.csv", "review-blank-row", 13, None),
    }
    severities = dict(with_rules.report.findings.select("rule", "severity").unique().iter_rows())
    assert severities["review-bad-date"] == "error"
    assert severities["review-future"] == "error"
    assert severities["review-no-id"] == "error"
    assert severities["review-no-plan"] == "warning"
    assert severities["8841"] == "warning"
    assert severities["review-duplicate"] == "info"


def test_each_visit_rule_names_the_file_line_and_column(with_rules: Validated) -> None:
    visits = {f for f in found(with_rules) if f[0] == "visits.csv"}
    assert visits == {
        ("visits.csv", "visit-bad-date", 3, "date"),
        ("visits.csv", "visit-future", 4, "date"),
        ("visits.csv", "visit-no-id", 5, None),
        ("visits.csv", "visit-no-plan", 6, "plan_id"),
        ("visits.csv", "visit-no-plan", 7, "date"),
        ("visits.csv", "visit-outside-plan", 8, "date"),
        ("visits.csv", "visit-outside-plan", 9, "date"),
        ("visits.csv", "visit-duplicate", 10, "date"),
        ("visits.csv", "visit-not-seen", 11, "seen"),
        ("visits.csv", "visit-blank-row", 12, None),
        ("visits.csv", "bad-seen-alone", 13, "seen_alone"),
    }
    severities = dict(with_rules.report.findings.select("rule", "severity").unique().iter_rows())
    assert severities["visit-outside-plan"] == "warning"
    assert severities["visit-not-seen"] == "info"
    assert severities["bad-seen-alone"] == "warning"
    # The plans themselves are clean: nothing is said of plans.csv.
    assert not {f for f in found(with_rules) if f[0] == "plans.csv"}


def test_every_row_used_or_left_out_and_counted(with_rules: Validated) -> None:
    reviews, visits = with_rules.report.linked
    assert (reviews.kind, Path(reviews.source).name) == ("reviews", "reviews.csv")
    assert (reviews.rows, reviews.used) == (13, 2)
    assert reviews.left_out == {
        "review-blank-row": 1,
        "review-bad-date": 2,
        "review-future": 1,
        "review-no-id": 1,
        "review-no-plan": 3,
        "8841": 2,
        "review-duplicate": 1,
    }
    assert (visits.kind, Path(visits.source).name) == ("visits", "visits.csv")
    assert (visits.rows, visits.used) == (13, 3)
    assert visits.left_out == {
        "visit-blank-row": 1,
        "visit-bad-date": 1,
        "visit-future": 1,
        "visit-no-id": 1,
        "visit-no-plan": 2,
        "visit-outside-plan": 2,
        "visit-duplicate": 1,
        "visit-not-seen": 1,
    }
    assert_accounted(with_rules)
    # The plans' own accounting is untouched by the records beside them.
    report = with_rules.report
    assert (report.input_rows, report.used_rows, report.excluded_rows) == (2, 2, 0)
    summary = report.summary()
    assert "reviews.csv: 13 review rows read, 2 used, 11 left out (" in summary
    assert "visits.csv: 13 visit rows read, 3 used, 10 left out (" in summary
    assert "review-no-plan x3" in summary and "visit-outside-plan x2" in summary


def test_the_used_rows_make_the_figures(with_rules: Validated) -> None:
    """Used: A's review of 15 April 2018 (its first, due 15 April: in time; the next due 15
    October) and B's of 1 June (P2's first, due 1 June). At 31 August 2018 (R - 3 months = 31
    May): A and B due reviews; both in time. 2 of 2.
    Visits used: A on 1 and 4 October, B on 30 September. October 2018 (R = Wednesday 31
    October; W(R) = Wednesday 17 October): B's plan ended in September; A's last visit, 4
    October, is overdue: 0 of 1. Seen alone in October: A's visit of the 1st (Y); the 4th's
    'Maybe' is not recorded: 1 of 1. In September: B's N: 0 of 1."""
    assert figures(with_rules, "2018-08")["reviews_in_time_pct"] == (2, 2, 100.0)
    october = figures(with_rules, "2018-10")
    assert october["visits_in_time_pct"] == (0, 1, 0.0)
    assert october["visits_seen_alone_pct"] == (1, 1, 100.0)
    assert figures(with_rules, "2018-09")["visits_seen_alone_pct"] == (0, 1, 0.0)


def test_validate_lists_the_records_findings_with_their_file_and_heading(workdir: Path) -> None:
    """`cpmetrics validate -f csv`: one row per finding, `file, rule, severity, line, column,
    value, message, header`, `header` the file's own heading (docs/input.md): for a finding
    in the visits file, the visits file's heading."""
    write(
        workdir / "plans.csv",
        "child_id,cppl_cp_plan_id,start_date,end_date\n" + "A,P1,2018-01-15,\n",
    )
    write(workdir / "reviews.csv", REVIEW_ROWS)
    write(workdir / "visits.csv", VISIT_ROWS)
    result = run(
        "validate",
        "plans.csv",
        "--reviews",
        "reviews.csv",
        "--visits",
        "visits.csv",
        "--extract-date",
        "2019-03-31",
        "-f",
        "csv",
    )
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "file",
        "rule",
        "severity",
        "line",
        "column",
        "value",
        "message",
        "header",
    ]
    by_key = {(Path(r["file"]).name, r["rule"], r["line"]): r for r in rows}
    bad = by_key["reviews.csv", "review-bad-date", "3"]
    assert (bad["column"], bad["value"], bad["header"]) == (
        "date",
        "31/02/2018",
        "cppr_cp_review_date",
    )
    unseen = by_key["visits.csv", "visit-not-seen", "11"]
    assert (unseen["value"], unseen["header"]) == ("N", "cppv_cp_visit_seen")
    no_plan = by_key["visits.csv", "visit-no-plan", "6"]
    assert (no_plan["value"], no_plan["header"]) == ("P9", "cppv_cp_plan_id")


# --------------------------------------------------------------------------- formats, headings


def test_excel_and_csv_review_files_give_the_same_figures(workdir: Path) -> None:
    """The same reviews as CSV and as a workbook (dates as date cells, ids as numbers where
    they look like them): the same figures; lines are the sheet's rows."""
    plans = write(workdir / "plans.csv", PLANS + "101,P1,2018-01-15,\n102,P2,2018-02-01,\n")
    rows = [("101", "P1", "2018-04-15"), ("102", "P2", "2018-05-02"), ("101", "P1", "2018-04-15")]
    as_csv = write(workdir / "reviews.csv", SSD_REVIEWS + "".join(",".join(r) + "\n" for r in rows))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "ssd_cp_reviews"
    sheet.append(["cppr_person_id", "cppr_cp_plan_id", "cppr_cp_review_date"])
    for child, plan, when in rows:
        sheet.append([int(child), plan, dt.date.fromisoformat(when)])
    book.save(workdir / "reviews.xlsx")
    from_csv = load_plans(plans, extract_date=EXTRACT, reviews=as_csv)
    from_excel = load_plans(plans, extract_date=EXTRACT, reviews=workdir / "reviews.xlsx")
    # At 30 June 2018: 101 reviewed on its due date (15 April), 102 a day late (due 1 May).
    assert figures(from_csv, "2018-06")["reviews_in_time_pct"] == (1, 2, 50.0)
    assert figures(from_excel, "2018-06") == figures(from_csv, "2018-06")
    assert found(from_excel) == {("reviews.xlsx", "review-duplicate", 4, "date")}
    assert found(from_csv) == {("reviews.csv", "review-duplicate", 4, "date")}
    (linked,) = from_excel.report.linked
    assert (linked.rows, linked.used, linked.left_out) == (3, 2, {"review-duplicate": 1})


def test_the_ssd_headings_are_recognised(workdir: Path) -> None:
    plans = write(workdir / "plans.csv", RULE_PLANS)
    reviews = write(workdir / "reviews.csv", SSD_REVIEWS + "A,P1,2018-04-15\n")
    visits = write(workdir / "visits.csv", SSD_VISITS + "A,P1,2018-10-01,Y,N\n")
    loaded = load_plans(plans, extract_date=EXTRACT, reviews=reviews, visits=visits)
    review_file, visit_file = loaded.report.linked
    assert review_file.columns == {
        "cppr_person_id": "child_id",
        "cppr_cp_plan_id": "plan_id",
        "cppr_cp_review_date": "date",
    }
    assert set(visit_file.columns) == {
        "cppv_person_id",
        "cppv_cp_plan_id",
        "cppv_cp_visit_date",
        "cppv_cp_visit_seen",
        "cppv_cp_visit_seen_alone",
    }
    assert (review_file.used, visit_file.used) == (1, 1)
    assert figures(loaded, "2018-10")["visits_seen_alone_pct"] == (0, 1, 0.0)


def test_plain_headings_and_repeated_options(workdir: Path) -> None:
    """Two visits files (the option repeated): each read, counted and named on its own."""
    write(workdir / "plans.csv", RULE_PLANS)
    write(workdir / "visits_a.csv", "Child ID,Visit Date,Seen Alone\nA,2018-10-01,Yes\n")
    write(workdir / "visits_b.csv", "child_id,date,seen_alone\nA,2018-10-02,No\nQ,2018-10-02,No\n")
    base = ["compute", "plans.csv", "--month", "2018-10", "--extract-date", "2019-03-31"]
    result = run(*base, "--visits", "visits_a.csv", "--visits", "visits_b.csv", "-f", "csv")
    assert "Traceback" not in result.output
    line = next(x for x in result.stdout.splitlines() if x.startswith("visits_seen_alone_pct,"))
    assert line.split(",")[4:7] == ["1", "2", "50.0"]
    assert "visits_a.csv: 1 visit rows read, 1 used" in result.stderr
    assert "visits_b.csv: 2 visit rows read, 1 used, 1 left out (visit-no-plan x1)" in result.stderr


# --------------------------------------------------------------------------- unusable files


@pytest.mark.parametrize(
    ("option", "text", "wanted"),
    [
        ("--reviews", "cppr_person_id,cppr_cp_plan_id,when\nA,P1,2018-04-15\n", "date"),
        ("--visits", "cppv_person_id,cppv_cp_plan_id,seen\nA,P1,Y\n", "date"),
        ("--visits", "cppv_cp_visit_date,cppv_cp_visit_seen\n2018-10-01,Y\n", "id"),
    ],
)
def test_a_file_missing_a_column_it_needs_is_a_clear_error(
    workdir: Path, option: str, text: str, wanted: str
) -> None:
    write(workdir / "plans.csv", RULE_PLANS)
    write(workdir / "records.csv", text)
    with pytest.raises(DataError, match=wanted):
        load_plans(
            workdir / "plans.csv",
            extract_date=EXTRACT,
            **{option.lstrip("-"): workdir / "records.csv"},
        )
    result = run(
        "compute",
        "plans.csv",
        "--month",
        "2018-10",
        "--extract-date",
        "2019-03-31",
        option,
        "records.csv",
    )
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert "records.csv" in result.stderr and wanted in result.stderr


def test_a_missing_records_file_is_a_usage_error(workdir: Path) -> None:
    write(workdir / "plans.csv", RULE_PLANS)
    result = run(
        "compute",
        "plans.csv",
        "--month",
        "2018-10",
        "--extract-date",
        "2019-03-31",
        "--reviews",
        "nowhere.csv",
    )
    assert result.exit_code == 2, result.output
    assert "nowhere.csv" in result.stderr


def test_a_reviews_file_that_mostly_matches_no_plan_exits_1_with_the_alarm(workdir: Path) -> None:
    """Three of four reviews name plans that do not exist (75%, above the 5% default): the
    figures are written, the run exits 1 and stderr names the file, the rule and the share."""
    write(workdir / "plans.csv", RULE_PLANS)
    write(
        workdir / "reviews.csv",
        SSD_REVIEWS + "A,P1,2018-04-15\nA,P7,2018-04-15\nA,P8,2018-04-15\nZ,,2018-04-15\n",
    )
    base = ["compute", "plans.csv", "--month", "2018-06", "--extract-date", "2019-03-31"]
    result = run(*base, "--reviews", "reviews.csv", "-f", "csv")
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("measure,label,")
    assert "reviews_in_time_pct," in result.stdout
    assert "reviews.csv: 3 of 4 review rows left out by review-no-plan (75%" in result.stderr
    # Raising the threshold lets the same run pass.
    relaxed = run(*base, "--reviews", "reviews.csv", "--max-excluded", "80", "-f", "csv")
    assert relaxed.exit_code == 0, relaxed.stderr
    # Expected losses (duplicates, blank rows, visits where the child was not seen) are not
    # alarms, however many.
    write(workdir / "visits.csv", SSD_VISITS + "A,P1,2018-06-01,Y,\n" + "A,P1,2018-06-01,Y,\n" * 5)
    quiet = run(*base, "--visits", "visits.csv", "-f", "csv")
    assert quiet.exit_code == 0, quiet.stderr


def test_unmatched_records_never_crash(workdir: Path) -> None:
    """A visit naming a plan id that no plan has, then two visits (by child and date) of
    children with no plan: three visit-no-plan warnings, never an internal error."""
    plans = write(workdir / "plans.csv", PLANS + "A,P1,2018-03-01,\n")
    visits = write(
        workdir / "visits.csv",
        "child_id,plan_id,visit_date\nB,P9,2018-03-01\nC,,2018-03-01\nD,,2018-03-01\n",
    )
    loaded = load_plans(plans, extract_date=EXTRACT, visits=visits)
    assert found(loaded) == {
        ("visits.csv", "visit-no-plan", 2, "plan_id"),
        ("visits.csv", "visit-no-plan", 3, "date"),
        ("visits.csv", "visit-no-plan", 4, "date"),
    }
    result = run("validate", "plans.csv", "--visits", "visits.csv", "--extract-date", "2019-03-31")
    assert result.exit_code in (0, 1), result.output


def test_one_visit_twice_for_a_child_with_two_plans_started_the_same_day(workdir: Path) -> None:
    """A's two plans both started 31 March 2019 (overlapping, 8940); the visit of 16 August
    2019 is in the file twice (and so is that of 23 November), matched by child and date.
    Whichever plan the visit goes to, both copies go to the same one: one visit, one
    visit-duplicate each, and in August 2019 seen alone is 1 of 1, not 2 of 2."""
    plans = write(
        workdir / "plans.csv",
        "child_id,start_date,end_date\nA,2019-03-31,\nA,2019-03-31,2019-08-25\n",
    )
    days = [
        "2019-08-16", "2019-12-24", "2019-12-17", "2019-11-05", "2019-11-23", "2019-07-02",
        "2019-11-23", "2019-09-17", "2019-10-12", "2019-07-03", "2019-05-02", "2019-11-19",
        "2019-07-13", "2019-08-16",
    ]  # fmt: skip
    visits = write(
        workdir / "visits.csv",
        "child_id,visit_date,seen_alone\n" + "".join(f"A,{x},Y\n" for x in days),
    )
    loaded = load_plans(plans, extract_date=dt.date(2020, 3, 31), visits=visits)
    (linked,) = loaded.report.linked
    assert (linked.rows, linked.used, linked.left_out) == (14, 12, {"visit-duplicate": 2})
    assert figures(loaded, "2019-08")["visits_seen_alone_pct"] == (1, 1, 100.0)


# --------------------------------------------------------------------------- Ofsted Annex A

# Annex A List 7 (dates day first, as the list is usually kept), extract date 31 March 2019:
#   A  plan 1 June 2018; latest review 20 Feb 2019 (next due 20 Aug); visit 20 Mar, seen alone
#   B  plan 10 Sep 2018; latest review 5 Dec 2018 (next due 5 Jun 2019); visit 5 Mar, not alone
#   C  plan 15 Jan 2019: under 3 months at 28 Feb and 31 Mar; visit 28 Mar, not recorded
#   D  plan 1 May 2018; latest review 25 Sep 2018 (next due 25 Mar 2019); visit 1 Feb, 'Unknown'
#   E  plan 1 Aug 2018; 'latest review' on the start day: not a review (8841), so the first
#      was due 1 Nov 2018; no visit recorded
# The latest "latest review" is 20 Feb 2019: review_not_overdue_pct from February 2019.
#   28 Feb (R - 3 months = 28 Nov): A, B, D, E due; A, B, D not overdue (D due 25 Mar): 3 of 4.
#   31 Mar (R - 3 months = 31 Dec): the same four; D is now overdue: 2 of 4.
# The latest visit is 28 Mar 2019: visits_in_time_pct from March 2019 only. R = Sunday 31
# March: W(R) = Monday 18 March (the 10 working days before Monday 1 April: 29, 28, 27, 26,
# 25, 22, 21, 20, 19, 18). All five plans started by then; A (20 Mar) and C (28 Mar) were
# visited in the interval: 2 of 5. Seen alone: only at each child's last visit, which says
# nothing of a period's visits: visits_seen_alone_pct is not given (docs/measures.md).
ANNEX_A = """\
Child Unique ID,Child Protection Plan Start Date,Child Protection Plan End Date,\
Date of latest review conference,Date of the Last Statutory Visit,Was the Child Seen Alone?
A,01/06/2018,,20/02/2019,20/03/2019,Yes
B,10/09/2018,,05/12/2018,05/03/2019,No
C,15/01/2019,,,28/03/2019,
D,01/05/2018,,25/09/2018,01/02/2019,Unknown
E,01/08/2018,,01/08/2018,,
"""


def test_annex_a_latest_review_and_visit(workdir: Path) -> None:
    loaded = load_plans(write(workdir / "annex_a.csv", ANNEX_A), extract_date=EXTRACT)
    assert found(loaded) == {
        ("annex_a.csv", "8841", 6, "latest_review"),
        ("annex_a.csv", "bad-seen-alone", 5, "latest_seen_alone"),
    }
    months = [parse_month(m) for m in ("2019-01", "2019-02", "2019-03")]
    result = compute_periods(loaded, months)
    rows = {
        (row["measure"], row["period_start"].month): (
            row["numerator"],
            row["denominator"],
            row["value"],
        )
        for row in result.table.iter_rows(named=True)
    }
    assert "reviews_in_time_pct" not in {measure for measure, _ in rows}  # never labelled D6
    assert rows["review_not_overdue_pct", 1] == (None, None, None)
    assert rows["review_not_overdue_pct", 2] == (3, 4, 75.0)
    assert rows["review_not_overdue_pct", 3] == (2, 4, 50.0)
    assert rows["visits_in_time_pct", 1] == (None, None, None)
    assert rows["visits_in_time_pct", 2] == (None, None, None)
    assert rows["visits_in_time_pct", 3] == (2, 5, 40.0)
    assert "visits_seen_alone_pct" not in {measure for measure, _ in rows}
    notes = " ".join(result.notes)
    assert "review_not_overdue_pct is empty for 2019-01" in notes
    assert "visits_in_time_pct is empty for 2019-01, 2019-02" in notes
    assert "2019-02-20" in notes and "2019-03-28" in notes


def test_annex_a_through_the_command_line(workdir: Path) -> None:
    write(workdir / "annex_a.csv", ANNEX_A)
    base = ["compute", "annex_a.csv", "--extract-date", "2019-03-31", "-f", "csv"]
    january = run(*base, "--month", "2019-01")
    assert january.exit_code in (0, 1), january.output
    line = next(x for x in january.stdout.splitlines() if x.startswith("review_not_overdue_pct,"))
    assert line.split(",")[4:7] == ["", "", ""]
    assert "review_not_overdue_pct is empty for 2019-01" in january.stderr
    march = run(*base, "--month", "2019-03")
    assert march.exit_code == 0, march.stderr
    figures_ = {x.split(",")[0]: x.split(",")[4:7] for x in march.stdout.splitlines()[1:]}
    assert figures_["review_not_overdue_pct"] == ["2", "4", "50.0"]
    assert figures_["visits_in_time_pct"] == ["2", "5", "40.0"]
    assert "reviews_in_time_pct" not in figures_


def test_annex_a_visits_and_a_visits_file_together(workdir: Path) -> None:
    """A visits file beside Annex A's last visits: both are used. B's visit of 25 March 2019
    from the file is in the interval ending on 31 March (from 18 March): 3 of 5."""
    annex = write(workdir / "annex_a.csv", ANNEX_A)
    visits = write(workdir / "visits.csv", "child_id,visit_date\nB,25/03/2019\n")
    loaded = load_plans(annex, extract_date=EXTRACT, visits=visits)
    assert figures(loaded, "2019-03")["visits_in_time_pct"] == (3, 5, 60.0)


def test_annex_a_plans_started_the_same_day_in_either_order(workdir: Path) -> None:
    """A has two plans started 1 June 2018 (overlapping, 8940) with different latest reviews:
    20 February 2019 (next due 20 August) and 1 September 2018 (next due 1 March 2019,
    overdue at 31 March). Which is A's current plan the docs leave to the rule for same-day
    plans, whose point is that the order of the rows never changes a figure: at 31 March 2019
    the figure is the same whichever row comes first."""
    head = "child_id,start_date,end_date,Date of latest review conference\n"
    rows = ["A,2018-06-01,,2019-02-20\n", "A,2018-06-01,,2018-09-01\n"]
    first = load_plans(write(workdir / "one.csv", head + "".join(rows)), extract_date=EXTRACT)
    second = load_plans(
        write(workdir / "two.csv", head + "".join(reversed(rows))), extract_date=EXTRACT
    )
    one = figures(first, "2019-03")["review_not_overdue_pct"]
    two = figures(second, "2019-03")["review_not_overdue_pct"]
    assert one[1] == two[1] == 1
    assert one == two
