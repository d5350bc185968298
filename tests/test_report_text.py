"""How the report writes figures, months and ratings (report.text), shared by its writers."""

from __future__ import annotations

import datetime as dt

import pytest

from cpmetrics.report.model import Point
from cpmetrics.report.text import (
    cell_text,
    column_heading,
    count_text,
    counted,
    day_label,
    figure,
    figure_brief,
    figure_in_words,
    month_label,
    month_short,
    published_count,
    rag_word,
    shown_rag,
    value_text,
)

OCT = (dt.date(2018, 10, 1), dt.date(2018, 10, 31))


def pt(value: float | None, num: int | None, den: int | None, suppressed: bool = False) -> Point:
    return Point("2018-10", *OCT, value, num, den, suppressed)


def test_months_and_days_as_the_councils_write_them() -> None:
    assert month_label("2018-10") == "October 2018"
    assert month_label(dt.date(2019, 2, 28)) == "February 2019"
    assert month_label("2018-04-01") == "April 2018"
    assert month_short("2018-09") == "Sep 2018"
    assert day_label(dt.date(2018, 11, 5)) == "5 November 2018"


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (24 * 100 / 706, "%", "3.4%"),
        (0.0, "%", "0.0%"),
        (100.0, "%", "100.0%"),
        (336 * 10_000 / 76_700, "per 10,000", "43.8"),
        (1234.0, "children", "1,234"),
        (12_345.6, "per 10,000", "12,345.6"),
        (None, "%", "-"),
        (float("nan"), "%", "-"),
    ],
)
def test_value_in_its_unit(value: float | None, unit: str, shown: str) -> None:
    assert value_text(value, unit) == shown


def test_count_text() -> None:
    assert count_text(76_700) == "76,700"
    assert count_text(0) == "0"
    assert count_text(None) == "-"


def test_a_percentage_with_its_counts() -> None:
    assert figure(pt(24 * 100 / 706, 24, 706), "%") == "3.4% (24 of 706)"
    # 11 of 336 is 3.27...%: one decimal place, as compute's CSV gives it
    assert figure(pt(11 * 100 / 336, 11, 336), "%") == "3.3% (11 of 336)"
    assert figure(pt(1250 * 100 / 2000, 1250, 2000), "%") == "62.5% (1,250 of 2,000)"


def test_a_rate_with_children_and_population_but_brief_in_a_table() -> None:
    point = pt(336 * 10_000 / 76_700, 336, 76_700)
    assert figure(point, "per 10,000") == "43.8 (336 of 76,700)"
    assert figure_brief(point, "per 10,000") == "43.8"
    assert figure_in_words(point, "per 10,000") == "43.8 per 10,000 (336 of 76,700)"
    # no population: no rate, and no counts to show beside nothing
    assert figure(pt(None, 336, None), "per 10,000") == "-"


def test_a_count_is_its_own_figure() -> None:
    assert figure(pt(336.0, 336, None), "children") == "336"
    assert figure_in_words(pt(336.0, 336, None), "children") == "336 children"
    assert figure_in_words(pt(1.0, 1, None), "children") == "1 child"
    assert figure_in_words(pt(1.0, 1, None), "families") == "1 family"
    assert figure_in_words(pt(0.0, 0, None), "plans") == "0 plans"
    assert counted("c", "families") == "c families"


def test_a_zero_denominator_is_no_figure_with_its_counts() -> None:
    empty = pt(None, 0, 0)
    assert figure(empty, "%") == "- (0 of 0)"
    assert figure_in_words(empty, "%") == "no figure (0 of 0)"


def test_suppressed_is_c_whatever_the_point_still_holds() -> None:
    """The flag decides: a point marked suppressed that (wrongly) kept its counts shows none."""
    for point in (pt(None, None, None, True), pt(3 * 100 / 16, 3, 16, True)):
        assert figure(point, "%") == "c"
        assert figure_brief(point, "per 10,000") == "c"
        assert figure_in_words(point, "%") == "c"
    assert figure(pt(4.0, 4, None, True), "families") == "c"
    assert figure(None, "%") == ""


def test_ratings() -> None:
    assert [rag_word(r) for r in ("R", "A", "G", None, "c")] == ["Red", "Amber", "Green", "", "c"]
    shown = pt(11 * 100 / 336, 11, 336)
    assert shown_rag("R", shown) == "R"
    # green beside a hidden figure would say it is at or under the target
    assert shown_rag("G", pt(None, None, None, True)) == "c"
    assert shown_rag(None, pt(None, None, None, True)) == ""
    assert shown_rag(None, shown) == ""


def test_counts_outside_the_table_are_suppressed_from_1_to_5() -> None:
    assert [published_count(n, True) for n in (0, 1, 5, 6, 23)] == ["0", "c", "c", "6", "23"]
    assert [published_count(n, False) for n in (1, 5, 1234)] == ["1", "5", "1,234"]
    assert published_count(None, True) == "-"


def test_table_cells() -> None:
    assert cell_text(1234) == "1,234"
    assert cell_text(23.46) == "23.5"
    assert cell_text("c") == "c"
    assert cell_text(None) == ""
    assert cell_text(True) == "yes"
    assert cell_text(dt.date(2018, 11, 4)) == "4 Nov 2018"
    assert cell_text(float("inf")) == ""


def test_column_headings() -> None:
    assert column_heading("months_on_plan") == "Months on plan"
    assert column_heading("children") == "Children"
    assert column_heading("Age band") == "Age band"
    assert column_heading("YTD") == "YTD"
