"""Official open data: population year, comparators, suppressed values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cpmetrics.errors import UsageError
from cpmetrics.reference import (
    Comparison,
    comparators,
    neighbour_gaps,
    published_year,
    read_reference,
)
from helpers import SHARED

REFERENCE = SHARED / "reference"


@pytest.fixture(scope="module")
def data():  # type: ignore[no-untyped-def]
    return read_reference([REFERENCE])


def test_files_are_recognised_by_their_columns(data) -> None:  # type: ignore[no-untyped-def]
    assert set(data.sources) == {"population", "d3", "d5"}


@pytest.mark.parametrize("text", ["E10000032", "938", "west sussex", " West Sussex "])
def test_find_la_by_code_old_code_or_name(data, text: str) -> None:  # type: ignore[no-untyped-def]
    area = data.find(text)
    assert (area.code, area.old_code, area.region_name) == ("E10000032", "938", "South East")


def test_unknown_la_suggests(data) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match="did you mean"):
        data.find("Sussex")


def test_population_check_value(data) -> None:  # type: ignore[no-untyped-def]
    # SOURCES.txt: West Sussex (E10000032, old code 938) row 2024 -> 181943.
    assert data.population_by_mid_year(data.find("938"))[2024] == 181_943


def test_england_rate_2019_20_uses_mid_2019(data) -> None:  # type: ignore[no-untyped-def]
    # 51,510 children on 31 March 2020 / 11,790,492 (mid-2019) x 10,000 = 43.7.
    found = comparators(data, None, [], dt.date(2020, 3, 31))
    assert found.year == 2020
    assert found.england["rate_per_10k"] == 43.7
    assert found.england["repeat_plan_pct"] == 21.9
    assert found.england["open_2y_plus_pct"] == 2.1


@pytest.mark.parametrize(
    ("day", "year"),
    [(dt.date(2020, 3, 31), 2020), (dt.date(2020, 3, 30), 2019), (dt.date(2019, 10, 31), 2019)],
)
def test_latest_published_year_at_or_before(data, day: dt.date, year: int) -> None:  # type: ignore[no-untyped-def]
    assert published_year(data, day) == year


def test_suppressed_values_are_missing_not_zero(data) -> None:  # type: ignore[no-untyped-def]
    # County Durham 2025: '2_years_or_more' is 'c' in D5.
    durham = data.find("County Durham")
    found = comparators(data, durham, [durham], dt.date(2025, 3, 31))
    assert found.neighbours["open_2y_plus_pct"] is None
    assert found.neighbours["repeat_plan_pct"] is not None


def test_region_and_neighbour_mean(data) -> None:  # type: ignore[no-untyped-def]
    wsx = data.find("West Sussex")
    neighbours = [data.find("Hampshire"), data.find("Kent")]
    found = comparators(data, wsx, neighbours, dt.date(2020, 3, 31))
    assert found.region["rate_per_10k"] is not None
    hants = comparators(data, data.find("Hampshire"), [], dt.date(2020, 3, 31))
    kent = comparators(data, data.find("Kent"), [], dt.date(2020, 3, 31))
    assert hants.region == kent.region == found.region  # all South East
    d3 = data.table("d3")
    assert d3 is not None
    values = [
        d3.filter((d3["code"] == a.code) & (d3["year"] == 2020))["CPP_subsequent_percent"][0]
        for a in neighbours
    ]
    assert found.neighbours["repeat_plan_pct"] == round(sum(values) / 2 + 1e-9, 1)


def test_missing_folder(tmp_path: Path) -> None:
    from cpmetrics.errors import InputError

    with pytest.raises(InputError):
        read_reference([tmp_path / "none"])
    with pytest.raises(InputError, match="no EES"):
        read_reference([tmp_path])


def test_a_neighbours_mean_over_fewer_neighbours_says_so(data) -> None:  # type: ignore[no-untyped-def]
    # County Durham 2025: '2_years_or_more' is 'c' in D5; West Sussex publishes it.
    durham, wsx = data.find("County Durham"), data.find("West Sussex")
    found = comparators(data, wsx, [durham, wsx], dt.date(2025, 3, 31))
    assert found.neighbours_counted["open_2y_plus_pct"] == 1
    assert found.neighbours_counted["repeat_plan_pct"] == 2 and found.neighbours_total == 2
    own = comparators(data, wsx, [wsx], dt.date(2025, 3, 31))
    assert found.neighbours["open_2y_plus_pct"] == own.neighbours["open_2y_plus_pct"]
    comparison = Comparison(data, wsx, (durham, wsx))
    days = [dt.date(2025, 3, 31), dt.date(2025, 3, 31)]
    assert neighbour_gaps(comparison, days) == [
        "the neighbours' open_2y_plus_pct for 2024-25 is the mean of 1 of 2 neighbours "
        "(the others are suppressed or not published)"
    ]
    alone = Comparison(data, wsx, (durham,))
    assert neighbour_gaps(alone, days) == [
        "no statistical neighbour publishes open_2y_plus_pct for 2024-25"
    ]
    assert neighbour_gaps(Comparison(data, wsx, (wsx,)), days) == []
