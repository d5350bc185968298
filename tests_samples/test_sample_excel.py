"""The Excel reader on liia-tools' Annex A sample (../shared/samples/annex_a)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from cpmetrics.api import load_plans
from cpmetrics.io.excel import read_excel
from cpmetrics.validate import validate_extract
from shared_files import ANNEX_A

SAMPLE = ANNEX_A / "liia_tools__Annex_A.xlsx"


def assert_text_frame(frame: pl.DataFrame) -> None:
    assert frame.columns[0] == "line"
    assert frame.schema["line"] == pl.Int64
    assert all(dtype == pl.String for name, dtype in frame.schema.items() if name != "line")


def test_annex_a_sample_reads_list_7() -> None:
    raw = read_excel(SAMPLE)
    assert raw.format == "xlsx"
    assert raw.source == str(SAMPLE)
    assert raw.details == {"sheet": "List 7", "header_row": "1"}
    frame = raw.frame
    assert_text_frame(frame)
    assert frame.height == 7
    assert frame["line"].to_list() == [2, 3, 4, 5, 6, 7, 8]
    first = frame.row(0, named=True)
    assert first["Child Unique ID"] == "10721552"  # a number cell, as Excel shows it
    assert first["Child Protection Plan Start Date"] == "2020-11-23"
    assert first["Child Protection Plan End Date"] == "2021-02-16"
    assert first["Date of Birth"] == "2021-01-04"
    assert first["Number of Previous Child Protection Plans"] == "0"
    assert first["Initial Category of Abuse"] == "Physical abuse"
    last = frame.row(6, named=True)
    assert last["Child Unique ID"] == "6913085"
    assert last["Child Protection Plan Start Date"] == "2019-06-25"
    assert last["Child Protection Plan End Date"] == "2020-09-17"
    ends = frame["Child Protection Plan End Date"]
    assert ends.null_count() == 2
    assert frame.filter(ends.is_null())["line"].to_list() == [3, 4]


def test_annex_a_sample_validates_to_seven_plans() -> None:
    validated = validate_extract(read_excel(SAMPLE), extract_date=dt.date(2026, 1, 1))
    assert validated.report.input_rows == 7
    assert validated.report.used_rows == 7
    assert validated.plans["end_date"].null_count() == 2
    assert validated.plans["start_date"].min() == dt.date(2019, 6, 25)


def test_annex_a_sample_other_list_by_name() -> None:
    raw = read_excel(SAMPLE, sheet="List 1")
    assert raw.details["sheet"] == "List 1"
    assert raw.frame.columns[:2] == ["line", "Child Unique ID"]
    assert raw.frame.height == 5


def test_annex_a_latest_review_and_visit_give_the_snapshots_at_the_extract_date() -> None:
    """List 7's latest review, last visit and seen alone are read (seen alone as 'a) Yes' /
    'b) No'). At 31 March 2021 two plans are open (lines 3 and 4, started 8 February 2021,
    both last visited on 2 March): both in the visits denominator (on the plan for more than
    10 working days), neither in time (2 March + 10 working days is 16 March). Neither has
    had 3 months on the plan: the review measure's denominator is empty."""
    from cpmetrics.api import compute_periods
    from cpmetrics.periods import Period

    loaded = load_plans(SAMPLE, extract_date=dt.date(2021, 3, 31))
    assert loaded.plans["latest_seen_alone"].to_list() == [True] * 3 + [False] * 4
    assert loaded.plans["latest_visit"].max() == dt.date(2021, 3, 2)
    day = dt.date(2021, 3, 31)
    table = compute_periods(loaded, [Period(day, day, "2021-03-31")]).table
    figures = {m: (n, d) for m, n, d in table.select("measure", "numerator", "denominator").rows()}
    assert figures["visits_in_time_pct"] == (0, 2)
    assert figures["review_not_overdue_pct"] == (0, 0)
    assert "reviews_in_time_pct" not in figures  # not D6: only the latest review is known
    assert "visits_seen_alone_pct" not in figures  # seen alone at the last visit only
    # On 16 March both are still in time (due that day), on 17 March neither.
    for day, seen in ((dt.date(2021, 3, 16), 2), (dt.date(2021, 3, 17), 0)):
        at = compute_periods(loaded, [Period(day, day, str(day))]).table
        row = at.filter(pl.col("measure") == "visits_in_time_pct").row(0, named=True)
        assert (row["numerator"], row["denominator"]) == (seen, 2)
