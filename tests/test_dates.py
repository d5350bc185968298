"""Date forms real extracts use, and the per-file day/month decision."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from cpmetrics.api import load_plans
from cpmetrics.dates import numeric_order, parse_date
from cpmetrics.errors import DataError

D = dt.date


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2018-10-31", None, D(2018, 10, 31)),
        ("2018-10-31 00:00:00", None, D(2018, 10, 31)),
        ("2018-10-31T00:00:00Z", None, D(2018, 10, 31)),
        ("31/10/2018", "dmy", D(2018, 10, 31)),
        ("1/2/2018", "dmy", D(2018, 2, 1)),
        ("1/2/2018", "mdy", D(2018, 1, 2)),
        ("31-10-18", "dmy", D(2018, 10, 31)),
        ("31.10.2018", "dmy", D(2018, 10, 31)),
        ("02/03/98", "dmy", D(1998, 3, 2)),  # two-digit years: 70-99 are 1900s
        ("31-Oct-2018", None, D(2018, 10, 31)),
        ("5 March 2019", None, D(2019, 3, 5)),
        ("1st Jan 2019", None, D(2019, 1, 1)),
        ("29-Feb-2016", None, D(2016, 2, 29)),
        ("43404", None, D(2018, 10, 31)),  # Excel serial number
        ("43404.0", None, D(2018, 10, 31)),
        ("20181031", None, D(2018, 10, 31)),  # compact ISO
        ("19991231", "dmy", D(1999, 12, 31)),
        ("20180230", None, None),  # no such day
        ("12345678", None, None),  # eight digits that are no date of 1900-2099
        ("01102018", "dmy", None),  # day-first digits: the 'month' would be 20, never read
        ("10312018", "mdy", None),  # month-first digits likewise
        ("31/02/2018", "dmy", None),  # no such day
        ("2018-02-30", None, None),
        ("31/10/2018", None, None),  # numeric day/month with no order: not read
        ("next week", "dmy", None),
        ("7", "dmy", None),  # a number is not a serial date
    ],
)
def test_parse_date(text: str, order: str | None, expected: dt.date | None) -> None:
    frame = pl.DataFrame({"x": [text]})
    got = frame.select(parse_date(pl.col("x"), order).alias("d"))["d"][0]  # type: ignore[arg-type]
    assert got == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["31/10/2018", "01/02/2018"], "dmy"),
        (["10/31/2018", "01/02/2018"], "mdy"),
        (["01/02/2018", "03/04/2018"], None),  # every one could be either
        (["2018-10-31", "31-Oct-2018"], "none"),
    ],
)
def test_numeric_order(values: list[str], expected: str | None) -> None:
    assert numeric_order([pl.Series(values)]) == expected


def test_mixed_orders_are_an_error() -> None:
    with pytest.raises(DataError, match="both day-first and month-first"):
        numeric_order([pl.Series(["31/01/2018"]), pl.Series(["01/31/2018"])])


def test_day_first_file_is_detected(write_csv: Callable[..., Path]) -> None:
    text = "child_id,start_date,end_date\nA,01/02/2018,\nB,13/01/2018,05/02/2018\n"
    loaded = load_plans(write_csv(text), extract_date=D(2019, 1, 1))
    assert loaded.plans.sort("child_id")["start_date"].to_list() == [D(2018, 2, 1), D(2018, 1, 13)]


def test_ambiguous_file_is_an_error_unless_told(write_csv: Callable[..., Path]) -> None:
    path = write_csv("child_id,start_date,end_date\nA,01/02/2018,03/04/2018\n")
    with pytest.raises(DataError, match="ambiguous"):
        load_plans(path, extract_date=D(2019, 1, 1))
    told = load_plans(path, extract_date=D(2019, 1, 1), date_order="mdy")
    assert told.plans.row(0, named=True)["end_date"] == D(2018, 3, 4)


def test_unreadable_dates_are_findings_with_line_and_column(
    write_csv: Callable[..., Path],
) -> None:
    text = "child_id,start_date,end_date\nA,31/10/2018,\nB,31/13/2018,\n"
    loaded = load_plans(write_csv(text), extract_date=D(2019, 1, 1))
    found = loaded.report.findings.select("rule", "line", "column", "value").rows()
    assert found == [("bad-date", 3, "start_date", "31/13/2018")]


def test_a_date_in_doubt_says_so(write_csv: Callable[..., Path]) -> None:
    text = "child_id,start_date,end_date\nA,2018-10-31,\nB,2018-01-13,\nC,03/04/2018,\n"
    loaded = load_plans(write_csv(text), extract_date=D(2019, 1, 1))
    message = loaded.report.findings.row(0, named=True)["message"]
    assert "day-first or month-first" in message


def test_a_file_of_compact_dates_is_read(write_csv: Callable[..., Path]) -> None:
    path = write_csv("child_id,start_date,end_date\nA,20180101,20180601\nB,20180315,\n")
    loaded = load_plans(path, extract_date=D(2019, 1, 1))
    assert loaded.plans["start_date"].to_list() == [D(2018, 1, 1), D(2018, 3, 15)]
    assert loaded.plans["end_date"].to_list() == [D(2018, 6, 1), None]
    assert loaded.report.findings.is_empty()


# Unicode digits (full-width, Arabic-Indic, Devanagari) match a regex's \d but no integer cast
# reads them: they once stopped the whole file with an internal error.
_FOREIGN_DIGITS = [  # escaped, since they look like ASCII digits
    "\uff12\uff10\uff11\uff16-01-01",
    "2016-\uff101-01",
    "\u0660\u0661/\u0660\u0662/\u0662\u0660\u0661\u0668",
    "01/02/\u0662\u0660\u0661\u0668",
    "\u0967\u0968/\u0967\u0966/2018",
    "\u0662\u0660\u0661\u0668\u0661\u0660\u0663\u0661",
    "\u0664\u0663\u0664\u0660\u0664",
    "1st Jan \u0662\u0660\u0661\u0669",
    "31/10/2018 \u0660\u0660:00",
]


@pytest.mark.parametrize("text", _FOREIGN_DIGITS)
@pytest.mark.parametrize("order", [None, "dmy", "mdy"])
def test_non_ascii_digits_are_not_dates(text: str, order: str | None) -> None:
    frame = pl.DataFrame({"x": [text]}, schema={"x": pl.String})
    got = frame.select(parse_date(pl.col("x"), order).alias("d"))["d"]  # type: ignore[arg-type]
    assert got.to_list() == [None]


def test_non_ascii_digits_say_nothing_about_the_day_month_order() -> None:
    series = pl.Series([*_FOREIGN_DIGITS, "31/10/2018"], dtype=pl.String)
    assert numeric_order([series]) == "dmy"


def test_non_ascii_digits_are_bad_date_findings(write_csv: Callable[..., Path]) -> None:
    rows = "".join(f"{chr(65 + i)},{text},\n" for i, text in enumerate(_FOREIGN_DIGITS))
    loaded = load_plans(write_csv("child_id,start_date,end_date\n" + rows))
    assert loaded.plans.height == 0
    assert loaded.report.findings["rule"].to_list() == ["bad-date"] * len(_FOREIGN_DIGITS)
