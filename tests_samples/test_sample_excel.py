"""The Excel reader on liia-tools' Annex A sample (../shared/samples/annex_a)."""

from __future__ import annotations

import datetime as dt

import polars as pl

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
