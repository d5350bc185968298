"""Reviews within timescales (DfE D6, our ruling in docs/measures.md): hand-worked cases on
their boundaries, an independent implementation, and the census return's review dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cpmetrics.api import load_plans
from cpmetrics.cli import app
from cpmetrics.engine import compute
from cpmetrics.periods import Period, parse_month
from helpers import d
from oracle import add_months, reviews_in_time
from test_oracle_properties import DATES

SCHEMA = {
    "child_id": pl.String,
    "start_date": pl.Date,
    "end_date": pl.Date,
    "review_dates": pl.String,
}


def d6(rows: list[tuple[str, str, str | None, list[str]]], r: str) -> tuple[int, int | None]:
    """(numerator, denominator) of reviews_in_time_pct for the month holding ``r``."""
    frame = pl.DataFrame(
        [(c, d(s), d(e), ";".join(rv) or None) for c, s, e, rv in rows], schema=SCHEMA, orient="row"
    )
    day = d(r)
    assert day is not None
    table = compute(frame, [Period(day.replace(day=1), day, "m")]).table
    row = table.row(by_predicate=pl.col("measure") == "reviews_in_time_pct", named=True)
    return row["numerator"], row["denominator"]


def test_the_first_review_exactly_three_months_after_the_start_is_in_time() -> None:
    assert d6([("A", "2018-01-15", None, ["2018-04-15"])], "2018-05-31") == (1, 1)


def test_a_day_later_is_late() -> None:
    assert d6([("A", "2018-01-15", None, ["2018-04-16"])], "2018-05-31") == (0, 1)


def test_a_review_due_on_r_is_not_yet_overdue() -> None:
    # Review held 2018-04-15, the next due 2018-10-15: on R = 2018-10-15 not overdue ...
    rows = [("A", "2018-01-15", None, ["2018-04-15"])]
    assert d6(rows, "2018-10-15") == (1, 1)
    # ... and overdue the day after.
    assert d6(rows, "2018-10-16") == (0, 1)


def test_31_august_plus_six_months_is_the_end_of_february() -> None:
    rows = [("A", "2018-05-31", None, ["2018-08-31", "2019-02-28"])]
    assert d6(rows, "2019-03-31") == (1, 1)  # due 28 February 2019: held that day
    late = [("A", "2018-05-31", None, ["2018-08-31", "2019-03-01"])]
    assert d6(late, "2019-03-31") == (0, 1)


def test_a_plan_started_on_29_february() -> None:
    # First review due 29 May 2020; then 29 November 2020.
    rows = [("A", "2020-02-29", None, ["2020-05-29", "2020-11-29"])]
    assert d6(rows, "2020-12-31") == (1, 1)
    assert d6([("A", "2020-02-29", None, ["2020-05-30"])], "2020-06-30") == (0, 1)


def test_a_plan_shorter_than_three_months_is_not_in_the_denominator() -> None:
    rows = [("A", "2018-03-01", None, []), ("B", "2018-04-01", None, ["2018-05-01"])]
    assert d6(rows, "2018-06-30") == (0, 1)  # A is due and overdue; B is too new
    # R minus 3 months: a plan started on 30 November is due reviews from 1 March.
    assert d6([("C", "2018-11-30", None, ["2019-02-28"])], "2019-02-28") == (0, 0)
    assert d6([("C", "2018-11-30", None, ["2019-02-28"])], "2019-03-31") == (1, 1)


def test_reviews_before_the_start_or_after_r_do_not_count() -> None:
    rows = [("A", "2018-01-15", None, ["2018-01-10", "2018-04-10", "2018-12-01"])]
    assert d6(rows, "2018-08-31") == (1, 1)  # the 2018-01-10 review is not of this plan
    assert d6(rows, "2018-10-31") == (0, 1)  # due 2018-10-10, not held by R


@st.composite
def reviewed(draw: st.DrawFn) -> list[tuple[str, dt.date, dt.date | None, list[dt.date]]]:
    plans = []
    for c in range(draw(st.integers(1, 8))):
        start = draw(DATES)
        for _ in range(draw(st.integers(1, 2))):
            held, due = [], add_months(start, 3)
            for _ in range(draw(st.integers(0, 5))):
                day = due + dt.timedelta(days=draw(st.sampled_from([-40, -1, 0, 0, 1, 30])))
                held.append(max(day, start - dt.timedelta(days=2)))
                due = add_months(held[-1], 6)
            end = draw(st.one_of(st.none(), st.just(due + dt.timedelta(days=10))))
            plans.append((f"c{c}", start, end, held))
            if end is None:
                break
            start = end + dt.timedelta(days=draw(st.integers(1, 200)))
    return plans


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans=reviewed(), on=DATES)
def test_d6_matches_the_independent_implementation(
    plans: list[tuple[str, dt.date, dt.date | None, list[dt.date]]], on: dt.date
) -> None:
    frame = pl.DataFrame(
        [(c, s, e, ";".join(x.isoformat() for x in rv) or None) for c, s, e, rv in plans],
        schema=SCHEMA,
        orient="row",
    )
    months = [parse_month(f"{on.year}-{m:02d}") for m in range(1, 13)]
    table = compute(frame, months).table.filter(pl.col("measure") == "reviews_in_time_pct")
    got = [(n, den) for n, den in table.select("numerator", "denominator").iter_rows()]
    if not any(rv for *_, rv in plans):
        assert got == []  # no review records given: the measure is absent, not 0
        return
    assert got == [reviews_in_time(plans, m.end) for m in months]


CENSUS = """<?xml version="1.0" encoding="UTF-8"?>
<Message><Header><CollectionDetails><Collection>CIN</Collection>
<ReferenceDate>2019-03-31</ReferenceDate></CollectionDetails></Header><Children>
<Child><ChildIdentifiers><LAchildID>A</LAchildID></ChildIdentifiers><CINdetails>
<ChildProtectionPlans><CPPstartDate>2018-06-01</CPPstartDate>
<Reviews><CPPreviewDate>2018-09-01</CPPreviewDate><CPPreviewDate>2019-02-20</CPPreviewDate></Reviews>
</ChildProtectionPlans></CINdetails></Child>
<Child><ChildIdentifiers><LAchildID>B</LAchildID></ChildIdentifiers><CINdetails>
<ChildProtectionPlans><CPPstartDate>2018-06-01</CPPstartDate>
<Reviews><CPPreviewDate>2018-09-20</CPPreviewDate></Reviews>
</ChildProtectionPlans></CINdetails></Child>
<Child><ChildIdentifiers><LAchildID>C</LAchildID></ChildIdentifiers><CINdetails>
<ChildProtectionPlans><CPPstartDate>2019-02-01</CPPstartDate></ChildProtectionPlans>
</CINdetails></Child>
</Children></Message>
"""


def test_the_census_returns_review_dates(tmp_path: Path) -> None:
    """At 31 March 2019: A reviewed in time (due 1 Sep, then 1 Mar: held 20 Feb); B's first
    review late (due 1 Sep, held 20 Sep); C on a plan under 3 months. D6 = 1 of 2."""
    path = tmp_path / "census.xml"
    path.write_text(CENSUS, encoding="utf-8")
    deadlines = dict(load_plans(path).timeline.select("line", "review_deadline").iter_rows())
    assert sorted(deadlines.values()) == [d("2018-09-01"), d("2019-05-01"), d("2019-08-20")]
    result = CliRunner().invoke(app, ["compute", "--month", "2019-03", str(path), "-f", "csv"])
    line = next(x for x in result.stdout.splitlines() if x.startswith("reviews_in_time_pct,"))
    assert line.split(",")[4:7] == ["1", "2", "50.0"]
    explained = CliRunner().invoke(
        app, ["explain", "reviews_in_time_pct", "--month", "2019-03", str(path), "-f", "csv"]
    )
    assert explained.exit_code == 0, explained.stderr
    assert "reviews_in_time_pct, 2019-03: 1 of 2 (2 records)" in explained.stderr
    # A: due 1 Sep 2018 (held that day), then 1 Mar 2019 (held 20 Feb): next 20 Aug 2019.
    assert (
        "reviews held: 2018-09-01 (due 2018-09-01), 2019-02-20 (due 2019-03-01); "
        'next due 2019-08-20"' in explained.stdout
    )
    # B: due 1 Sep 2018, held 20 Sep: the first missed.
    assert (
        "reviews held: 2018-09-20 (due 2018-09-01); next due 2019-03-20; "
        "first missed: the review due 2018-09-01 was held on 2018-09-20" in explained.stdout
    )


OVERDUE = """child_id,family_id,start_date,end_date,review_dates
A,F1,2018-01-15,,2018-04-15
B,F1,2018-06-10,,
C,F2,2018-09-20,,
D,F3,2018-01-01,2018-08-01,2018-03-01
E,F4,2018-05-01,,2018-07-30;2019-02-01
"""


def test_overdue_reviews_worked_by_hand(tmp_path: Path) -> None:
    """On 2018-10-31: A's next review was due 2018-10-15 (16 days overdue); B's first was due
    2018-09-10 (51 days); C's first falls due 2018-12-20; D's plan has ended; E's next is due
    2019-01-30 (the review of 2019-02-01 is after the day, so it does not count)."""
    path = tmp_path / "plans.csv"
    path.write_text(OVERDUE, encoding="utf-8")
    base = ("overdue", str(path), "--date", "2018-10-31", "--extract-date", "2019-03-31")
    late = CliRunner().invoke(app, [*base, "-f", "csv"])
    assert late.exit_code == 0, late.stderr
    assert late.stdout.splitlines() == [
        "child_id,family_id,start_date,what,last_done,due_on,days_overdue",
        "B,F1,2018-06-10,review,,2018-09-10,51",
        "A,F1,2018-01-15,review,2018-04-15,2018-10-15,16",
    ]
    assert "on 2018-10-31: 2 reviews overdue" in late.stderr
    soon = CliRunner().invoke(app, [*base, "--within", "8w", "-f", "csv"])
    assert [line.split(",")[0] for line in soon.stdout.splitlines()[1:]] == ["B", "A", "C"]
    assert soon.stdout.splitlines()[-1].endswith(",2018-12-20,-50")


def test_overdue_needs_review_dates(tmp_path: Path) -> None:
    path = tmp_path / "plans.csv"
    path.write_text("child_id,start_date,end_date\nA,2018-01-15,\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["overdue", str(path), "--extract-date", "2019-03-31"])
    assert result.exit_code == 1 and "no reviews or visits" in result.stderr


def test_review_dates_read_in_the_files_order_and_unreadable_ones_reported(tmp_path: Path) -> None:
    # Month-first throughout (01/15/2018): the reviews 04/10 and 10/01 are 10 April and
    # 1 October, both in time; at 31 October 2018 D6 is 2 of 2.
    path = tmp_path / "us.csv"
    path.write_text(
        "child_id,start_date,end_date,review_dates\n"
        "A,01/15/2018,,04/10/2018;10/01/2018\nB,02/03/2018,,05/01/2018;10/30/2018;junk\n",
        encoding="utf-8",
    )
    loaded = load_plans(path, extract_date=dt.date(2018, 12, 31))
    assert loaded.report.counts_by_rule() == {"bad-review-date": 1}
    message = loaded.report.findings["message"].item()
    assert message.startswith("1 of the review dates cannot be read")
    result = CliRunner().invoke(
        app,
        ["compute", "--month", "2018-10", str(path), "--extract-date", "2018-12-31", "-f", "csv"],
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("reviews_in_time_pct,"))
    assert line.split(",")[4:6] == ["2", "2"]


def test_a_count_of_reviews_is_not_taken_for_review_dates(tmp_path: Path) -> None:
    path = tmp_path / "plans.csv"
    path.write_text("child_id,start_date,end_date,Reviews\nA,2018-01-15,,2\n", encoding="utf-8")
    assert "review_dates" not in load_plans(path).report.columns.values()


def test_same_day_plans_with_different_reviews_do_not_depend_on_row_order() -> None:
    rows = [
        ("A", "2019-11-30", None, ["2019-12-08", "2020-04-20", "2020-07-29"]),
        ("A", "2019-11-30", None, ["2020-02-25"]),
    ]
    assert d6(rows, "2020-08-31") == d6(rows[::-1], "2020-08-31")
