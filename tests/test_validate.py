"""Each validation rule: a row that breaks it and a row that does not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpmetrics.api import load_plans
from cpmetrics.engine import compute
from cpmetrics.errors import DataError
from cpmetrics.keys import child_key
from cpmetrics.periods import months, parse_month
from cpmetrics.validate import RULES
from cpmetrics.validate.run import _by_child  # the one sort by child

EXTRACT_DATE = dt.date(2019, 12, 31)
HEADER = "child_id,start_date,end_date,initial_category,latest_category,previous_plans\n"
GOOD = "OK1,2018-01-01,2018-06-01,NEG,NEG,0\n"


def findings(write_csv: Callable[..., Path], body: str) -> list[tuple[str, int, str | None]]:
    loaded = load_plans(write_csv(HEADER + GOOD + body), extract_date=EXTRACT_DATE)
    report = loaded.report
    assert report.input_rows == report.used_rows + report.excluded_rows
    return [(r["rule"], r["line"], r["column"]) for r in report.findings.iter_rows(named=True)]


# (rule, a row breaking it, the column named, a similar row that passes)
CASES = [
    ("blank-id", " ,2018-01-01,,NEG,NEG,0", "child_id", "X,2018-01-01,,NEG,NEG,0"),
    ("bad-date", "X,2018-02-30,,NEG,NEG,0", "start_date", "X,2018-02-28,,NEG,NEG,0"),
    (
        "bad-date",
        "X,2018-01-01,01/02/2018,NEG,NEG,0",
        "end_date",
        "X,2018-01-01,2018-02-01,NEG,NEG,0",
    ),
    ("8720", "X,,2018-02-01,NEG,NEG,0", "start_date", "X,2018-01-01,2018-02-01,NEG,NEG,0"),
    ("8720", "X,2020-01-01,,NEG,NEG,0", "start_date", "X,2019-12-31,,NEG,NEG,0"),
    (
        "future-date",
        "X,2019-01-01,2020-01-01,NEG,NEG,0",
        "end_date",
        "X,2019-01-01,2019-12-31,NEG,NEG,0",
    ),
    ("8925", "X,2018-05-01,2018-04-30,NEG,NEG,0", "end_date", "X,2018-05-01,2018-05-02,NEG,NEG,0"),
    ("8840", "X,2018-05-01,2018-05-01,NEG,NEG,0", "end_date", "X,2018-05-01,2018-05-02,NEG,NEG,0"),
    ("8730", "X,2018-05-01,,NEG,NEG,-1", "previous_plans", "X,2018-05-01,,NEG,NEG,3"),
    ("8730", "X,2018-05-01,,NEG,NEG,1.5", "previous_plans", "X,2018-05-01,,NEG,NEG,1.0"),
    (
        "8905",
        "X,2018-05-01,,Domestic violence,NEG,0",
        "initial_category",
        "X,2018-05-01,,a) Neglect,NEG,0",
    ),
    (
        "8910",
        "X,2018-05-01,,NEG,unknown,0",
        "latest_category",
        "X,2018-05-01,,NEG,Physical abuse,0",
    ),
    ("8910", "X,2018-05-01,,NEG,,0", "latest_category", "X,2018-05-01,,NEG,MUL,0"),
]


@pytest.mark.parametrize(("rule", "bad", "column", "good"), CASES)
def test_rule_fails_and_passes(
    write_csv: Callable[..., Path], rule: str, bad: str, column: str, good: str
) -> None:
    assert (rule, 3, column) in findings(write_csv, bad + "\n")
    assert [f for f in findings(write_csv, good + "\n") if f[0] == rule] == []


def test_excluded_rows_leave_the_measures_and_are_counted(write_csv: Callable[..., Path]) -> None:
    body = (
        "X,2018-05-01,2018-04-30,NEG,NEG,0\n"  # 8925
        "Y,2018-05-01,2018-04-30,NEG,NEG,0\n"  # 8925
        "Z,2018-05-01,2018-05-01,NEG,NEG,0\n"  # 8840
        "W,2018-05-01,,junk,NEG,0\n"  # 8905: a warning, row kept
    )
    loaded = load_plans(write_csv(HEADER + GOOD + body), extract_date=EXTRACT_DATE)
    report = loaded.report
    assert (report.input_rows, report.used_rows, report.excluded_rows) == (5, 2, 3)
    assert report.excluded_by_rule == {"8925": 2, "8840": 1}
    assert "3 of 5 rows excluded (8925 x2, 8840 x1)" in report.summary()
    assert sorted(loaded.plans["child_id"].to_list()) == ["OK1", "W"]


def test_a_row_with_two_errors_is_excluded_once_under_its_first_reason(
    write_csv: Callable[..., Path],
) -> None:
    # Blank id and an end date before the start: one row excluded, counted under blank-id.
    loaded = load_plans(
        write_csv(HEADER + ",2018-05-01,2018-04-01,NEG,NEG,0\n"), extract_date=EXTRACT_DATE
    )
    assert loaded.report.excluded_by_rule == {"blank-id": 1}
    assert loaded.report.counts_by_rule() == {"blank-id": 1, "8925": 1}


def test_exact_duplicates_keep_the_first(write_csv: Callable[..., Path]) -> None:
    got = findings(write_csv, GOOD)
    assert got == [("duplicate-row", 3, "child_id")]


def test_overlaps_are_flagged_but_kept(write_csv: Callable[..., Path]) -> None:
    body = (
        "A,2018-01-01,,NEG,NEG,0\n"  # line 3
        "A,2018-03-01,,NEG,NEG,0\n"  # line 4: overlaps line 3; two open plans
        "B,2018-01-01,2018-03-01,NEG,NEG,0\n"  # line 5
        "B,2018-03-01,,NEG,NEG,0\n"  # line 6: starts the day B's plan ended: no overlap
    )
    loaded = load_plans(write_csv(HEADER + GOOD + body), extract_date=EXTRACT_DATE)
    got = {(r["rule"], r["line"]) for r in loaded.report.findings.iter_rows(named=True)}
    assert got == {("8940", 4), ("8935", 3), ("8935", 4)}
    assert loaded.report.used_rows == 5
    assert loaded.report.kept_with_errors() == {"8935": 2, "8940": 1}


def test_blank_rows_are_counted_and_empty_lines_skipped(write_csv: Callable[..., Path]) -> None:
    # Line 3 is a row of empty fields (a record: counted, excluded); line 4 is an empty line
    # (not a record: skipped and reported); line 5 is a good row.
    loaded = load_plans(
        write_csv(HEADER + GOOD + ",,,,,\n\n" + GOOD.replace("OK1", "OK2")),
        extract_date=EXTRACT_DATE,
    )
    report = loaded.report
    assert (report.input_rows, report.used_rows, report.blank_lines) == (3, 2, 1)
    assert report.excluded_by_rule == {"blank-row": 1}
    assert [r["line"] for r in report.findings.iter_rows(named=True)] == [3]
    assert "1 empty line(s) skipped" in report.summary()


def test_short_rows_are_excluded_not_read_as_open(write_csv: Callable[..., Path]) -> None:
    loaded = load_plans(write_csv(HEADER + GOOD + "X,2018-05-01\n"), extract_date=EXTRACT_DATE)
    assert loaded.report.excluded_by_rule == {"missing-fields": 1}
    assert loaded.plans["child_id"].to_list() == ["OK1"]


def test_a_short_row_says_how_many_fields_and_is_no_original_for_duplicates(
    write_csv: Callable[..., Path],
) -> None:
    """The full row after a short one like it is not its duplicate: the short row is not used."""
    text = "child_id,start_date,end_date\nX,2018-05-01\nX,2018-05-01,\nX,2018-05-01,\n"
    loaded = load_plans(write_csv(text), extract_date=EXTRACT_DATE)
    findings = loaded.report.findings
    assert findings.select("rule", "line").rows() == [
        ("missing-fields", 2),
        ("duplicate-row", 4),
    ]
    assert findings["message"][0] == (
        "row has 2 of the header's 3 fields (no end_date); a missing field is not a blank"
    )
    assert findings["message"][1] == "same as line 3"
    assert loaded.plans["line"].to_list() == [3]


def test_repeated_header_is_reported(write_csv: Callable[..., Path]) -> None:
    text = "child_id,start_date,end_date,end_date\nA,2018-01-01,,2018-02-01\n"
    loaded = load_plans(write_csv(text), extract_date=EXTRACT_DATE)
    got = [
        (r["rule"], r["line"], r["column"]) for r in loaded.report.findings.iter_rows(named=True)
    ]
    assert got == [("duplicate-column", 1, "end_date")]
    assert loaded.plans["end_date"].to_list() == [None]  # the first end_date column is used


def test_missing_required_column_names_it(write_csv: Callable[..., Path]) -> None:
    with pytest.raises(DataError, match="'end_date' not found"):
        load_plans(write_csv("child_id,start_date\nA,2018-01-01\n"), extract_date=EXTRACT_DATE)


def test_headers_from_other_sources_are_recognised(write_csv: Callable[..., Path]) -> None:
    text = (
        "Child Unique ID,Child Protection Plan Start Date,Child Protection Plan End Date,"
        "Number of Previous Child Protection Plans\nA,2018-01-01,,1\n"
    )
    loaded = load_plans(write_csv(text), extract_date=EXTRACT_DATE)
    assert loaded.plans.row(0, named=True)["previous_plans"] == 1


def test_config_mapping_names_any_header(write_csv: Callable[..., Path]) -> None:
    text = "Ref,Began,Finished\nA,2018-01-01,\n"
    loaded = load_plans(
        write_csv(text),
        extract_date=EXTRACT_DATE,
        columns={"child_id": "Ref", "start_date": "Began", "end_date": "Finished"},
    )
    assert loaded.plans.height == 1


def test_every_rule_has_a_title() -> None:
    assert all(
        rule.title and rule.severity in ("error", "warning", "info") for rule in RULES.values()
    )


def test_the_timeline_holds_the_plans_in_child_order_with_their_history(
    write_csv: Callable[..., Path],
) -> None:
    """The engine's figures are the same from the timeline (validation's sort) as from the
    plain plans (the engine sorting for itself), with exclusions, overlaps and repeats."""
    path = write_csv(
        "child_id,start_date,end_date,previous_plans\n"
        "B,2018-03-01,2018-09-01,0\n"
        "A,2018-05-01,,1\n"
        "B,2018-08-01,,\n"  # overlaps B's first plan (8940, kept)
        "A,2017-01-01,2017-06-01,0\n"
        "C,2018-02-01,2018-01-01,0\n"  # ends before it starts (8925, excluded)
        "A,2018-05-01,,1\n"  # exact duplicate (excluded)
    )
    loaded = load_plans(path, extract_date=dt.date(2019, 1, 1))
    timeline = loaded.timeline
    assert timeline["line"].to_list() == [5, 3, 2, 4]  # A's plans by start, then B's
    assert timeline["_child"].to_list() == [0, 0, 1, 1]
    assert (
        timeline["_first_start"].to_list() == [dt.date(2017, 1, 1)] * 2 + [dt.date(2018, 3, 1)] * 2
    )
    assert timeline["_earlier_end"].to_list()[3] == dt.date(2018, 9, 1)
    assert sorted(loaded.plans["line"].to_list()) == sorted(timeline["line"].to_list())
    periods = months(parse_month("2017-01"), parse_month("2018-12"))
    assert compute(timeline, periods).table.equals(compute(loaded.plans, periods).table)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C", None]),
            st.one_of(st.none(), st.dates(dt.date(2018, 1, 1), dt.date(2018, 1, 6))),
        ),
        max_size=25,
    ),
    by_start=st.booleans(),
)
def test_child_order_is_one_sort_by_child_start_and_line(
    rows: list[tuple[str | None, dt.date | None]], by_start: bool
) -> None:
    """The quick path (one sort by child, when the file already lists each child's plans by
    start) and the full one both give the order of a sort by child, start and line."""
    if by_start:  # as most extracts come: by start date
        rows = sorted(rows, key=lambda r: (r[1] is None, r[1] or dt.date.min))
    frame = pl.DataFrame(
        {
            "_row": list(range(len(rows))),
            "line": list(range(2, len(rows) + 2)),
            "_child": child_key(pl.Series([r[0] for r in rows], dtype=pl.String)),
            "start_date": [r[1] for r in rows],
            "end_date": [None] * len(rows),
            "previous_plans": [None] * len(rows),
        },
        schema_overrides={
            "end_date": pl.Date,
            "previous_plans": pl.Int64,
            "line": pl.Int64,
            "_row": pl.Int64,
        },
    )
    expected = frame.sort("_child", "start_date", "line", nulls_last=True)
    got = _by_child(frame)
    assert got["line"].to_list() == expected["line"].to_list()
    assert got["_child"].to_list() == expected["_child"].rle_id().to_list()


def test_a_huge_previous_plans_count_is_a_finding_not_a_crash(
    write_csv: Callable[..., Path],
) -> None:
    path = write_csv(
        "child_id,start_date,end_date,previous_plans\n"
        "A,2018-01-01,,18446744073709551615\nB,2018-01-01,,-1\nC,2018-01-01,,2\n"
    )
    loaded = load_plans(path, extract_date=dt.date(2019, 1, 1))
    assert loaded.plans["previous_plans"].to_list() == [None, None, 2]
    findings = loaded.report.findings.filter(pl.col("rule") == "8730")
    assert findings["line"].to_list() == [2, 3]


def test_a_category_with_a_control_character_is_read_as_its_code(
    write_csv: Callable[..., Path],
) -> None:
    """Python's str.strip() takes \\x1f for whitespace, polars does not: the lookup must trim
    the way the column is trimmed, or "NEG\\x1f" would pass through as if it were a code."""
    path = write_csv(
        "child_id,start_date,end_date,initial_category\n"
        "A,2018-01-01,,NEG\x1f\nB,2018-01-01,, PHY \nC,2018-01-01,,NEG\n"
    )
    loaded = load_plans(path, extract_date=dt.date(2019, 1, 1))
    assert loaded.plans["initial_category"].to_list() == ["NEG", "PHY", "NEG"]
    assert loaded.report.findings.filter(pl.col("rule") == "8905").is_empty()


def test_the_summary_counts_one_row_in_the_singular(write_csv: Callable[..., Path]) -> None:
    loaded = load_plans(write_csv(HEADER + GOOD), extract_date=EXTRACT_DATE)
    assert loaded.report.summary() == "all 1 row used"


def test_many_failing_rows_after_thousands_of_good_ones_are_findings_not_a_panic(
    write_csv: Callable[..., Path],
) -> None:
    """The failing rows of a large file come from several chunks; polars 2.1 panicked building
    their messages (found by the report's alarm test: the sample plus 200 bad rows)."""
    sample = Path(__file__).resolve().parents[1] / "sample_data" / "cp_plans.csv"
    bad = "".join(f"X{i},F0,2010-01-01,2018-05-01,2018-04-01,NEG,NEG,0\n" for i in range(200))
    path = write_csv(sample.read_text() + bad)
    loaded = load_plans(path, extract_date=dt.date(2019, 12, 31))
    assert loaded.report.excluded_by_rule == {"8925": 200}
