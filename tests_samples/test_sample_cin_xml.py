"""The CIN census XML reader on the public sample files (../shared/samples/cin_xml)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from cpmetrics.io import cin_xml
from cpmetrics.io.cin_xml import read_cin_xml
from cpmetrics.validate import validate_extract
from shared_files import CIN_XML

# The reader's columns and the plans' XML paths, as the project's own census tests know them.
from test_cin_xml import COLUMNS, EXTRACT_DATE, plan_path

CENSUS_2024 = CIN_XML / "d2i_validator__CIN_Census_2024.xml"
TWO_ROWS = CIN_XML / "d2i_validator__CIN2rows.xml"
FAKE = CIN_XML / "d2i_validator__fake_CIN_data.xml"
LIIA = CIN_XML / "liia_tools__cin-2022.xml"


def test_samples_are_there() -> None:
    for path in (CENSUS_2024, TWO_ROWS, FAKE, LIIA):
        assert path.is_file(), f"shared sample missing: {path}"


@pytest.mark.parametrize(
    ("path", "plans"),
    [(CENSUS_2024, 1), (TWO_ROWS, 2), (FAKE, 0), (LIIA, 1)],
    ids=lambda p: p.name if isinstance(p, Path) else None,
)
def test_every_sample_loads_with_all_columns_as_text(path: Path, plans: int) -> None:
    raw = read_cin_xml(path)
    assert raw.frame.height == plans
    assert raw.frame.columns == COLUMNS
    assert raw.frame.schema["line"] == pl.Int64
    assert all(raw.frame.schema[c] == pl.String for c in COLUMNS[1:])
    assert raw.source == str(path)
    assert raw.format == "cin-xml"


def test_census_2024_sample() -> None:
    raw = read_cin_xml(CENSUS_2024)
    # The stray text "PersonBirthDate" after <UPNunknown> on line 23 is ignored.
    assert raw.frame.rows(named=True) == [
        {
            "line": 61,
            "child_id": "DfEX0000001",
            "start_date": "2022-02-17",
            "end_date": "2023-03-14",
            "initial_category": "PHY",
            "latest_category": "PHY",
            "previous_plans": "10",
            "date_of_birth": "2015-03-27",
            "review_dates": "2023-02-15",
            "xml_path": plan_path(1, 1, 1),
        }
    ]
    assert raw.details["children"] == "2"
    assert raw.details["cin_details"] == "2"
    assert raw.details["collection_year"] == "2023"
    assert raw.details["reference_date"] == "2024-03-31"
    assert raw.details["lea"] == "201"


def test_two_identical_plan_blocks_are_two_rows() -> None:
    frame = read_cin_xml(TWO_ROWS).frame
    assert frame["line"].to_list() == [55, 65]
    assert frame["xml_path"].to_list() == [plan_path(1, 1, 1), plan_path(1, 1, 2)]
    assert frame["review_dates"].to_list() == ["2023-02-15", "2023-02-15"]
    first, second = frame.drop("line", "xml_path").rows()
    assert first == second
    assert first[:3] == ("DfEX0000001", "2022-02-17", "2023-03-14")


def test_zero_plan_file_gives_an_empty_frame_not_an_error() -> None:
    raw = read_cin_xml(FAKE)
    assert raw.frame.is_empty()
    assert raw.frame.schema == pl.Schema(cin_xml.SCHEMA)
    assert raw.details["children"] == "332"
    assert raw.details["cin_details"] == "402"


def test_liia_sample_prefers_the_birth_date_to_the_expected_one() -> None:
    row = read_cin_xml(LIIA).frame.row(0, named=True)
    assert row["line"] == 63
    assert row["child_id"] == "DfEX0000001"
    assert (row["start_date"], row["end_date"]) == ("1970-02-17", "1971-03-14")
    assert row["date_of_birth"] == "1966-03-24"  # not ExpectedPersonBirthDate 1966-03-22
    assert row["review_dates"] == "1971-02-15"


@pytest.mark.parametrize(
    ("path", "used", "excluded"),
    [
        (CENSUS_2024, [61], {}),
        (TWO_ROWS, [55], {"duplicate-row": 1}),
        (FAKE, [], {}),
        (LIIA, [63], {}),
    ],
    ids=lambda p: p.name if isinstance(p, Path) else None,
)
def test_samples_through_the_validator(
    path: Path, used: list[int], excluded: dict[str, int]
) -> None:
    raw = read_cin_xml(path)
    validated = validate_extract(raw, extract_date=EXTRACT_DATE)
    report = validated.report
    assert report.input_rows == raw.frame.height
    assert report.used_rows == len(used)
    assert validated.plans["line"].to_list() == used
    assert report.excluded_by_rule == excluded
    assert set(report.columns.values()) >= {
        "child_id",
        "start_date",
        "end_date",
        "initial_category",
        "latest_category",
        "previous_plans",
        "date_of_birth",
    }
    assert "xml_path" not in report.ignored_columns  # the reader's own column, not the file's


def test_the_duplicated_plan_is_flagged_as_a_duplicate_row() -> None:
    findings = validate_extract(read_cin_xml(TWO_ROWS), extract_date=EXTRACT_DATE).report.findings
    assert findings.select("rule", "line", "message").rows() == [
        ("duplicate-row", 65, "same as line 55")
    ]


def test_census_review_dates_are_matched_to_their_plan_for_d6() -> None:
    """The 2024 sample's plan (17 Feb 2022 to 14 Mar 2023) has one review, 15 Feb 2023: its
    first review was due 17 May 2022, so it was late, and the plan was out of time from
    18 May 2022. At 31 December 2022 it is in the D6 denominator and not the numerator; at
    30 April 2022 it has not had 3 months on the plan."""
    from cpmetrics.api import compute_periods, load_plans
    from cpmetrics.periods import parse_month

    loaded = load_plans(CENSUS_2024)
    assert loaded.timeline["review_deadline"].to_list() == [dt.date(2022, 5, 17)]
    table = compute_periods(loaded, [parse_month("2022-12"), parse_month("2022-04")]).table
    d6 = table.filter(pl.col("measure") == "reviews_in_time_pct")
    assert d6.select("numerator", "denominator").rows() == [(0, 1), (0, 0)]
