"""Official open data: the bundled tables, population year, comparators, suppressed values,
files given to replace the bundled ones. (tests_samples/ checks the files as downloaded.)"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

import polars as pl
import pytest

from cpmetrics.errors import InputError, UsageError
from cpmetrics.reference import (
    BUNDLED,
    Comparison,
    attach_comparators,
    comparators,
    compare_with,
    load_reference,
    neighbour_gaps,
    published_year,
    read_reference,
)
from cpmetrics.reference import ReferenceData as Data

# The EES layout, cut down to what the reader needs (tiny files written by the tests).
EES = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
EES += "region_name,old_la_code,new_la_code,la_name"
ENGLAND = "Reporting year,National,E92000001,England,,,,,"
WSX = "Reporting year,Local authority,E92000001,England,E12000008,South East,938,E10000032,"
WSX += "West Sussex"


@pytest.fixture(scope="module")
def data() -> Data:
    return load_reference()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the bundled tables -------------------------------------------------------------------------


def test_the_bundled_files_ship_in_the_package_with_their_sources() -> None:
    folder = resources.files("cpmetrics").joinpath("data")
    for name in BUNDLED.values():
        assert folder.joinpath(name).is_file(), name
    sources = folder.joinpath("SOURCES.md").read_text(encoding="utf-8")
    assert "Contains public sector information licensed under the Open Government Licence v3.0" in (
        " ".join(sources.split())
    )
    assert all(name in sources for name in BUNDLED.values())


def test_with_no_files_given_every_table_is_bundled(data: Data) -> None:
    assert data.bundled == {"population", "d3", "d5", "neighbours"}
    assert data.sources == BUNDLED
    assert data.years("d5") == "2012-13 to 2024-25"
    assert data.years("population") == "mid-2012 to mid-2024"


@pytest.mark.parametrize("text", ["E10000032", "938", "west sussex", " West Sussex "])
def test_find_la_by_code_old_code_or_name(data: Data, text: str) -> None:
    area = data.find(text)
    assert (area.code, area.old_code, area.region_name) == ("E10000032", "938", "South East")


def test_unknown_la_suggests(data: Data) -> None:
    with pytest.raises(UsageError, match="did you mean"):
        data.find("Sussex")


def test_population_check_values(data: Data) -> None:
    population = data.population_by_mid_year(data.find("938"))
    # ONS mid-2019 (used for 2019-20, DfE's Y-1 rule) and the check value of the source.
    assert (population[2019], population[2024]) == (173_551, 181_943)


def test_england_rate_2019_20_uses_mid_2019(data: Data) -> None:
    # 51,510 children on 31 March 2020 / 11,790,492 (mid-2019) x 10,000 = 43.7.
    found = comparators(data, None, [], dt.date(2020, 3, 31))
    assert found.year == 2020
    assert found.england["rate_per_10k"] == 43.7
    assert found.england["repeat_plan_pct"] == 21.9
    assert found.england["open_2y_plus_pct"] == 2.1


def test_england_rate_2018_19_is_recomputed_from_the_revised_estimate(data: Data) -> None:
    # D5's count over the revised ONS mid-2018 estimate: not the figure DfE published in 2019.
    found = comparators(data, None, [], dt.date(2019, 12, 31))
    assert (found.year, found.england["rate_per_10k"]) == (2019, 44.5)


@pytest.mark.parametrize(
    ("day", "year"),
    [(dt.date(2020, 3, 31), 2020), (dt.date(2020, 3, 30), 2019), (dt.date(2019, 10, 31), 2019)],
)
def test_latest_published_year_at_or_before(data: Data, day: dt.date, year: int) -> None:
    assert published_year(data, day) == year


def test_suppressed_values_are_missing_not_zero(data: Data) -> None:
    # County Durham 2025: '2_years_or_more' is 'c' in D5.
    durham = data.find("County Durham")
    found = comparators(data, durham, [durham], dt.date(2025, 3, 31))
    assert found.neighbours["open_2y_plus_pct"] is None
    assert found.neighbours["repeat_plan_pct"] is not None


def test_region_and_neighbour_mean(data: Data) -> None:
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


def test_a_neighbours_mean_over_fewer_neighbours_says_so(data: Data) -> None:
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


# -- statistical neighbours ---------------------------------------------------------------------


def test_neighbours_come_from_the_dfe_model(data: Data) -> None:
    comparison = compare_with(data, "West Sussex")
    # The model's row for 938: old codes 916, 881, 850, ... in order, all "Very close".
    assert [n.old_code for n in comparison.neighbours] == [
        "916", "881", "850", "919", "937", "865", "802", "931", "803", "878",
    ]  # fmt: skip
    assert comparison.neighbours[0].name == "Gloucestershire"
    assert set(comparison.closeness) == {"very close"}
    assert comparison.neighbours_from == "DfE statistical neighbour model 2025, bundled"
    assert comparison.unmatched == ()


def test_neighbours_given_by_hand_replace_the_models(data: Data) -> None:
    comparison = compare_with(data, "938", ["Hampshire", "886"], chosen_in="my.toml")
    assert [n.name for n in comparison.neighbours] == ["Hampshire", "Kent"]
    assert comparison.closeness == ()
    assert comparison.neighbours_from == "set in my.toml"


def test_the_notes_say_where_every_comparator_came_from(data: Data) -> None:
    notes = compare_with(data, "West Sussex").describe()
    assert notes[0].startswith(
        "comparators for West Sussex: England, South East and 10 statistical neighbours "
        "(DfE statistical neighbour model 2025, bundled): Gloucestershire (very close), Essex"
    )
    assert notes[1] == (
        "comparator data bundled with cpmetrics (Open Government Licence v3.0): ONS mid-year "
        "estimates of children aged 0-17 mid-2012 to mid-2024; DfE children in need D3 "
        "2012-13 to 2024-25; DfE children in need D5 2012-13 to 2024-25"
    )
    assert "rate per 10,000 is recomputed" in notes[2]


def test_the_recomputed_rate_is_labelled_in_the_output(data: Data) -> None:
    table = pl.DataFrame(
        {
            "measure": ["rate_per_10k", "repeat_plan_pct", "plans_started"],
            "period_end": [dt.date(2019, 12, 31)] * 3,
        }
    )
    out = attach_comparators(table, compare_with(data, "West Sussex"))
    assert out["comparator_note"].to_list() == [
        "recomputed: D5 count / ONS mid-2018 estimate",
        None,  # D3's published percentage
        None,  # no comparator at all
    ]
    assert out["england"].to_list() == [44.5, 20.8, None]
    empty = attach_comparators(table, None)
    assert empty.columns == out.columns and empty["comparator_note"].null_count() == 3


# -- files given by the user --------------------------------------------------------------------


def test_files_are_recognised_by_their_columns(tmp_path: Path) -> None:
    write(tmp_path, "a.csv", f"{EES},population_estimate\n2019,{WSX},1\n")
    write(tmp_path, "b.csv", f"{EES},CPP_start,CPP_subsequent,CPP_subsequent_percent\n")
    write(tmp_path, "c.csv", "old_la_code,la_name,SN_1,SN_1P\n938,West Sussex,850,Close \n")
    write(tmp_path, "notes.csv", "anything,else\n1,2\n")
    found = read_reference([tmp_path])
    assert set(found.sources) == {"population", "d3", "neighbours"}
    assert found.bundled == frozenset()


def test_the_looked_after_file_is_not_a_population_file(tmp_path: Path) -> None:
    # The CLA open data also has population_estimate (behind its own rate): it is skipped.
    cla = write(
        tmp_path,
        "cla.csv",
        f"{EES},population_type,population_estimate,children_count,rate_per_10000\n",
    )
    with pytest.raises(InputError, match="no EES population"):
        read_reference([cla])


def test_a_given_file_replaces_the_bundled_table_of_its_kind(tmp_path: Path) -> None:
    d5 = write(
        tmp_path,
        "d5_2026.csv",
        f"{EES},CPP_At31,2_years_or_more,2_years_or_more_percent\n"
        f"2026,{ENGLAND},50000,1000,2.0\n2026,{WSX},600,c,c\n",
    )
    data = load_reference([d5])
    assert data.sources["d5"] == str(d5)
    assert data.bundled == {"population", "d3", "neighbours"}
    found = comparators(data, data.find("938"), [], dt.date(2026, 3, 31))
    assert (found.year, found.england["open_2y_plus_pct"]) == (2026, 2.0)
    assert found.region == {"rate_per_10k": None, "open_2y_plus_pct": None, "repeat_plan_pct": None}
    # Replaced, not merged: the bundled D5's years are gone with it.
    assert comparators(data, None, [], dt.date(2020, 3, 31)).england["open_2y_plus_pct"] is None
    assert data.describe_sources()[1] == (
        f"comparator data from {d5}: DfE children in need D5 2025-26"
    )


def test_a_given_neighbour_model(tmp_path: Path) -> None:
    model = write(
        tmp_path,
        "sn_model_2027.csv",
        "\ufeffold_la_code,la_name,SN_1,SN_1P,SN_2,SN_2P,SN_3,SN_3P\n"
        "938,West Sussex,886,Close ,999,Close,,\n",
    )
    data = load_reference([model])
    comparison = compare_with(data, "West Sussex")
    assert [n.name for n in comparison.neighbours] == ["Kent"]
    assert comparison.closeness == ("close",)
    assert comparison.unmatched == ("999",)
    assert comparison.neighbours_from == f"DfE statistical neighbour model 2027, {model}"
    assert "999 in the model are in no DfE table" in comparison.describe()[1]


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        read_reference([tmp_path / "none"])
    with pytest.raises(InputError, match="no EES"):
        read_reference([tmp_path])
