"""Period parsing: months, quarters, reporting years, YTD, rolling and ranges."""

from __future__ import annotations

import datetime as dt

import pytest

from cpmetrics.errors import UsageError
from cpmetrics.periods import choose, months, parse_month, split

D = dt.date


@pytest.mark.parametrize(
    ("options", "start", "end"),
    [
        ({"month_text": "2018-10"}, D(2018, 10, 1), D(2018, 10, 31)),
        ({"month_text": "2016-02"}, D(2016, 2, 1), D(2016, 2, 29)),
        ({"quarter": "2018-Q3"}, D(2018, 7, 1), D(2018, 9, 30)),
        ({"year": "2018-19"}, D(2018, 4, 1), D(2019, 3, 31)),
        ({"year": "2018/2019"}, D(2018, 4, 1), D(2019, 3, 31)),
        ({"month_text": "2018-10", "ytd": True}, D(2018, 4, 1), D(2018, 10, 31)),
        ({"month_text": "2019-02", "ytd": True}, D(2018, 4, 1), D(2019, 2, 28)),
        ({"month_text": "2019-04", "ytd": True}, D(2019, 4, 1), D(2019, 4, 30)),
        ({"month_text": "2018-10", "rolling_months": 12}, D(2017, 11, 1), D(2018, 10, 31)),
        ({"quarter": "2018-Q1", "rolling_months": 3}, D(2018, 1, 1), D(2018, 3, 31)),
        ({"start": "2018-04-15", "end": "2018-06"}, D(2018, 4, 15), D(2018, 6, 30)),
    ],
)
def test_choose(options: dict[str, object], start: dt.date, end: dt.date) -> None:
    period = choose(**options)  # type: ignore[arg-type]
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"month_text": "2018-10", "quarter": "2018-Q3"},
        {"month_text": "2018-13"},
        {"month_text": "Oct 2018"},
        {"quarter": "2018-Q5"},
        {"year": "2018-20"},
        {"start": "2018-05"},
        {"start": "2018-05", "end": "2018-04"},
        {"month_text": "2018-10", "ytd": True, "rolling_months": 3},
    ],
)
def test_bad_periods_are_usage_errors(options: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        choose(**options)  # type: ignore[arg-type]


def test_months_and_split() -> None:
    assert [p.label for p in months(parse_month("2018-11"), parse_month("2019-02"))] == [
        "2018-11",
        "2018-12",
        "2019-01",
        "2019-02",
    ]
    whole = choose(start="2018-02", end="2019-05")
    assert [p.label for p in split(whole, "quarter")][:2] == ["2018-Q1", "2018-Q2"]
    assert [p.label for p in split(whole, "year")] == ["2017-18", "2018-19", "2019-20"]
