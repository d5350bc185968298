"""How the report writes figures, counts, dates, months and ratings (report.text): one way
each, shared by the sentences, the builder, the charts and every writer."""

from __future__ import annotations

import datetime as dt

import pytest

from cpmetrics.report.model import Point
from cpmetrics.report.text import (
    cell_text,
    column_heading,
    count_text,
    counted,
    counts_text,
    day_text,
    decimal_text,
    figure_in_words,
    figure_text,
    month_text,
    published_count,
    rag_text,
    short_month_text,
    shown_rag,
    shown_value,
    span_text,
    split_figure,
    summary_figure_text,
    value_text,
    withheld,
)

OCT = (dt.date(2018, 10, 1), dt.date(2018, 10, 31))


def pt(value: float | None, num: int | None, den: int | None, suppressed: bool = False) -> Point:
    return Point("2018-10", *OCT, value, num, den, suppressed)


def test_months_and_days_as_the_councils_write_them() -> None:
    assert month_text("2018-10") == "October 2018"
    assert month_text(dt.date(2019, 2, 28)) == "February 2019"
    assert month_text("2018-04-01") == "April 2018"
    assert short_month_text("2018-09") == "Sep 2018"
    assert short_month_text(dt.date(2018, 10, 31)) == "Oct 2018"
    assert day_text(dt.date(2018, 11, 5)) == "5 November 2018"


def test_spans_say_the_month_and_year_once() -> None:
    assert span_text(dt.date(2018, 4, 1), dt.date(2018, 10, 31)) == "1 April to 31 October 2018"
    assert span_text(*OCT) == "1 to 31 October 2018"
    assert span_text(dt.date(2018, 4, 1), dt.date(2019, 1, 31)) == (
        "1 April 2018 to 31 January 2019"
    )


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (24 * 100 / 706, "%", "3.4%"),
        (0.0, "%", "0.0%"),
        (35, "%", "35.0%"),  # a whole number in a share is still to 1 decimal place
        (100.0, "%", "100.0%"),
        (336 * 10_000 / 76_700, "per 10,000", "43.8"),
        (1234.0, "children", "1,234"),
        (300.0, "plans", "300"),  # a count's target: a whole number
        (12_345.6, "per 10,000", "12,345.6"),  # thousands separated, decimals too
        (None, "%", "-"),
        (float("nan"), "%", "-"),
    ],
)
def test_value_in_its_unit(value: float | None, unit: str, shown: str) -> None:
    assert value_text(value, unit) == shown


def test_counts_and_decimals() -> None:
    assert count_text(76_700) == "76,700"
    assert count_text(0) == "0"
    assert count_text(None) == "-"
    assert decimal_text(0.5) == "0.5"
    assert decimal_text(3.75) == "3.8"
    assert decimal_text(1234.56) == "1,234.6"


def test_a_count_with_its_noun() -> None:
    assert counted(336, "children") == "336 children"
    assert counted(1, "children") == "1 child"
    assert counted(1, "families") == "1 family"
    assert counted(1_234, "plans") == "1,234 plans"
    assert counted(0, "plans") == "0 plans"
    # a count already written: 'c' (publication mode) or a figure
    assert counted("c", "families") == "c families"
    assert counted("1", "plans") == "1 plan"


def test_a_percentage_with_its_counts() -> None:
    assert figure_text(pt(24 * 100 / 706, 24, 706), "%") == "3.4% (24 of 706)"
    # 11 of 336 is 3.27...%: one decimal place, as compute's CSV gives it
    assert figure_text(pt(11 * 100 / 336, 11, 336), "%") == "3.3% (11 of 336)"
    assert figure_text(pt(1250 * 100 / 2000, 1250, 2000), "%") == "62.5% (1,250 of 2,000)"
    assert counts_text(pt(24 * 100 / 706, 24, 706), "%") == "(24 of 706)"


def test_the_rate_with_children_and_population_but_brief_in_the_summary_table() -> None:
    """Everywhere a figure is written the rate has its counts, as a percentage has; only the
    summary table leaves them out (the children are the row above it)."""
    point = pt(336 * 10_000 / 76_700, 336, 76_700)
    assert figure_text(point, "per 10,000") == "43.8 (336 of 76,700)"
    assert counts_text(point, "per 10,000") == "(336 of 76,700)"
    assert summary_figure_text(point, "per 10,000") == "43.8"
    assert figure_in_words(point, "per 10,000") == "43.8 per 10,000 (336 of 76,700)"
    # no population: no rate, and no counts to show beside nothing
    assert figure_text(pt(None, 336, None), "per 10,000") == "-"
    assert summary_figure_text(pt(None, 336, None), "per 10,000") == "-"


def test_the_summary_table_is_brief_only_for_the_rate() -> None:
    share = pt(24 * 100 / 706, 24, 706)
    assert summary_figure_text(share, "%") == "3.4% (24 of 706)"
    assert summary_figure_text(pt(336.0, 336, None), "children") == "336"
    assert summary_figure_text(None, "%") == ""
    assert summary_figure_text(pt(None, None, None, True), "per 10,000") == "c"


def test_a_count_is_its_own_figure() -> None:
    assert figure_text(pt(336.0, 336, None), "children") == "336"
    assert figure_text(pt(1234.0, 1234, None), "children") == "1,234"
    assert counts_text(pt(336.0, 336, None), "children") == ""
    assert figure_in_words(pt(336.0, 336, None), "children") == "336 children"
    assert figure_in_words(pt(1.0, 1, None), "children") == "1 child"
    assert figure_in_words(pt(1.0, 1, None), "families") == "1 family"
    assert figure_in_words(pt(0.0, 0, None), "plans") == "0 plans"


def test_a_zero_denominator_is_no_figure_with_its_counts() -> None:
    empty = pt(None, 0, 0)
    assert shown_value(empty, "%") == "-"
    assert figure_text(empty, "%") == "- (0 of 0)"
    assert figure_in_words(empty, "%") == "no figure (0 of 0)"


def test_suppressed_is_c_whatever_the_point_still_holds() -> None:
    """The flag decides: a point marked suppressed that (wrongly) kept its counts shows none."""
    for point in (pt(None, None, None, True), pt(3 * 100 / 16, 3, 16, True)):
        assert shown_value(point, "%") == "c"
        assert counts_text(point, "%") == ""
        assert figure_text(point, "%") == "c"
        assert summary_figure_text(point, "per 10,000") == "c"
        assert figure_in_words(point, "%") == "c"
    assert figure_text(pt(4.0, 4, None, True), "families") == "c"
    assert figure_text(None, "%") == ""


def test_a_figure_split_into_its_value_and_counts() -> None:
    """For a layout that sets the counts apart: under the value (Word, the HTML table) or
    beside it (the HTML headline)."""
    assert split_figure("3.4% (24 of 706)") == ("3.4%", "(24 of 706)")
    assert split_figure("43.8 (336 of 76,700)") == ("43.8", "(336 of 76,700)")
    assert split_figure("- (0 of 0)") == ("-", "(0 of 0)")
    assert split_figure("1,234") == ("1,234", "")
    assert split_figure("c") == ("c", "")
    assert split_figure("") == ("", "")


def test_ratings() -> None:
    assert [rag_text(r) for r in ("R", "A", "G", None, "c")] == ["Red", "Amber", "Green", "", "c"]
    shown = pt(11 * 100 / 336, 11, 336)
    assert shown_rag("R", shown) == "R"
    # green beside a hidden figure would say it is at or under the target
    assert shown_rag("G", pt(None, None, None, True)) == "c"
    assert shown_rag(None, pt(None, None, None, True)) == ""
    assert shown_rag(None, shown) == ""
    assert rag_text(shown_rag("G", pt(None, None, None, True))) == "c"


def test_counts_outside_the_table_are_suppressed_from_1_to_5() -> None:
    assert [published_count(n, True) for n in (0, 1, 5, 6, 23)] == ["0", "c", "c", "6", "23"]
    assert [published_count(n, False) for n in (1, 5, 1234)] == ["1", "5", "1,234"]
    assert published_count(None, True) == "-"
    assert [withheld(n, True) for n in (None, 0, 1, 5, 6)] == [False, False, True, True, False]
    assert not withheld(3, False)


def test_table_cells() -> None:
    assert cell_text(1234) == "1,234"
    assert cell_text(23.46) == "23.5"
    assert cell_text(1234.5) == "1,234.5"
    assert cell_text("c") == "c"
    assert cell_text("1,234") == "1,234"  # text is as it is
    # no value: the dash the paper uses for no figure everywhere
    assert cell_text(None) == "-"
    assert cell_text(float("inf")) == "-"
    assert cell_text(True) == "yes"
    assert cell_text(dt.date(2018, 11, 4)) == "4 Nov 2018"
    assert cell_text(dt.datetime(2018, 11, 4, 9, 30)) == "4 Nov 2018 09:30"


def test_column_headings() -> None:
    assert column_heading("months_on_plan") == "Months on plan"
    assert column_heading("children") == "Children"
    assert column_heading("Age band") == "Age band"
    assert column_heading("YTD") == "YTD"
