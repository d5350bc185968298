"""The report's sentences, from hand-worked figures: every branch, in the councils' words."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from cpmetrics.report import sentences as s
from cpmetrics.report.model import Comparator
from report_helpers import measure, point, report, ytd

SEP, OCT, NOV = "2018-09", "2018-10", "2018-11"


# --- The figure of the month ----------------------------------------------------------------


def test_a_percentage_with_its_counts() -> None:
    # West Sussex: "3.4% (24 of 706)"; 24 x 100 / 706 = 3.399... -> 3.4
    m = measure("open_2y_plus_pct", point(OCT, 3.4, 24, 706))
    assert s.headline(m) == (
        "At 31 October 2018, 3.4% of the children on a plan had been on it for 2 years or more "
        "(24 of 706)."
    )


def test_a_flow_is_said_for_the_month_a_snapshot_at_its_end() -> None:
    assert (
        s.headline(measure("plans_started", point(OCT, 35))) == "In October 2018, 35 plans started."
    )
    assert s.headline(measure("children_on_plan", point(OCT, 336))) == (
        "At 31 October 2018, 336 children were on a child protection plan."
    )


def test_one_and_none() -> None:
    assert s.headline(measure("plans_started", point(OCT, 1))) == "In October 2018, 1 plan started."
    assert s.headline(measure("plans_ended", point(OCT, 0))) == "In October 2018, no plans ended."
    assert s.headline(measure("children_on_plan", point(OCT, 1234))) == (
        "At 31 October 2018, 1,234 children were on a child protection plan."
    )


def test_a_zero_denominator_has_no_percentage() -> None:
    m = measure("ceased_2y_plus_pct", point(OCT, None, 0, 0))
    assert s.headline(m) == "In October 2018, no plans ended, so there is no percentage."
    assert s.target(measure("ceased_2y_plus_pct", point(OCT, None, 0, 0), target=4.0)) == (
        "The target is 4.0%; the October 2018 figure has no value, so it is not rated."
    )


def test_the_rate_with_its_population_and_without_one() -> None:
    # 336 x 10,000 / 76,700 = 43.807 -> 43.8
    m = measure("rate_per_10k", point(OCT, 43.8, 336, 76_700))
    assert s.headline(m) == (
        "At 31 October 2018, the rate was 43.8 children on a plan per 10,000 children aged "
        "0-17 (336 children, of a population of 76,700)."
    )
    # thousands separated, as everywhere in the paper
    large = measure("rate_per_10k", point(OCT, 43.8, 4_567, 1_042_700))
    assert s.headline(large).endswith("(4,567 children, of a population of 1,042,700).")
    none = measure("rate_per_10k", point(OCT, None, 336, None))
    assert s.headline(none) == (
        "At 31 October 2018, there is no rate per 10,000: no population figure was given."
    )


def test_a_suppressed_figure_is_not_published() -> None:
    m = measure("plans_started", point(OCT, None, suppressed=True))
    assert s.headline(m) == (
        "In October 2018, the figure is not published: counts of 1 to 5, and figures that "
        "would reveal them, are withheld."
    )


# --- Change since last month and since last year --------------------------------------------


def test_an_increase_in_children_as_west_sussex_writes_it() -> None:
    # "This has increased from 20 children to 24; 2.9% to 3.4%"
    before, now = point(SEP, 20), point(OCT, 24)
    assert s.change(measure("children_on_plan", before, now), before) == (
        "Compared with September 2018, this has increased from 20 children to 24, up 4."
    )
    before, now = point(SEP, 2.9, 20, 690), point(OCT, 3.4, 24, 706)
    assert s.change(measure("open_2y_plus_pct", before, now), before) == (
        "Compared with September 2018, this has increased from 2.9% (20 of 690) to 3.4% "
        "(24 of 706), up 0.5 percentage points."
    )


def test_a_decrease_and_no_change() -> None:
    before, now = point(SEP, 343), point(OCT, 336)
    assert s.change(measure("children_on_plan", before, now), before) == (
        "Compared with September 2018, this has decreased from 343 children to 336, down 7."
    )
    before, now = point(SEP, 1_320), point(OCT, 1_250)
    assert s.change(measure("children_on_plan", before, now), before) == (
        "Compared with September 2018, this has decreased from 1,320 children to 1,250, down 70."
    )
    before, now = point(SEP, 7), point(OCT, 7)
    assert s.change(measure("families_on_plan", before, now), before) == (
        "This is the same as in September 2018: 7 families."
    )
    # 11 of 330 and 11 of 336 are both 3.3%: the same to one decimal place.
    before, now = point(SEP, 3.3, 11, 330), point(OCT, 3.3, 11, 336)
    assert s.change(measure("open_2y_plus_pct", before, now), before) == (
        "This is the same as in September 2018: 3.3% (11 of 330)."
    )


def test_one_child_then_several() -> None:
    before, now = point("2017-10", 1), point(OCT, 7)
    assert s.change(measure("families_open_2y_plus", before, now), before) == (
        "Compared with October 2017, this has increased from 1 family to 7, up 6."
    )


def test_the_rate_changes_in_its_own_unit() -> None:
    before, now = point(SEP, 44.7, 343, 76_700), point(OCT, 43.8, 336, 76_700)
    assert s.change(measure("rate_per_10k", before, now), before) == (
        "Compared with September 2018, this has decreased from 44.7 to 43.8 per 10,000, down 0.9."
    )


def test_no_change_is_given_beside_a_hidden_or_empty_figure() -> None:
    hidden, now = point(SEP, None, suppressed=True), point(OCT, 35)
    assert s.change(measure("plans_started", hidden, now), hidden) == (
        "The September 2018 figure is not published, so the change since then is not given."
    )
    empty, now = point(SEP, None, 0, 0), point(OCT, 4.8, 2, 42)
    assert s.change(measure("ceased_2y_plus_pct", empty, now), empty) == (
        "There was no percentage in September 2018 (no plans ended), so no change is given."
    )
    # The month itself hidden or empty: its headline says so, no change is written.
    before, hidden_now = point(SEP, 12), point(OCT, None, suppressed=True)
    assert s.change(measure("plans_started", before, hidden_now), before) is None
    before, empty_now = point(SEP, 0.0, 0, 33), point(OCT, None, 0, 0)
    assert s.change(measure("ceased_2y_plus_pct", before, empty_now), before) is None
    assert s.change(measure("plans_started", point(OCT, 35)), None) is None


# --- The year so far, the target, the comparators, the families -----------------------------


def test_the_year_so_far_as_trafford_and_haringey_write_it() -> None:
    # Trafford: "30 of the 112 CP plans that have started this year" (30 x 100 / 112 = 26.8)
    m = measure("repeat_plan_pct", point(OCT, 25.7, 9, 35), ytd=ytd(OCT, 26.8, 30, 112))
    assert s.year_to_date(m) == (
        "In the year so far (1 April to 31 October 2018), 26.8% of the plans that started were "
        "a second or subsequent plan (30 of 112)."
    )
    # Haringey: "one out of 15 plans in November and 23 out of 238 in the year so far"
    # (1 x 100 / 15 = 6.7; 23 x 100 / 238 = 9.66 -> 9.7)
    m = measure("ceased_2y_plus_pct", point(NOV, 6.7, 1, 15), ytd=ytd(NOV, 9.7, 23, 238))
    assert s.headline(m) == (
        "In November 2018, 6.7% of the plans that ended had lasted 2 years or more (1 of 15)."
    )
    assert s.year_to_date(m) == (
        "In the year so far (1 April to 30 November 2018), 9.7% of the plans that ended had "
        "lasted 2 years or more (23 of 238)."
    )


def test_the_year_so_far_of_a_count_hidden_or_across_new_year() -> None:
    m = measure("plans_started", point(OCT, 35), ytd=ytd(OCT, 229))
    assert (
        s.year_to_date(m) == "In the year so far (1 April to 31 October 2018), 229 plans started."
    )
    hidden = measure("plans_started", point(OCT, 35), ytd=ytd(OCT, None, suppressed=True))
    assert s.year_to_date(hidden) == (
        "The figure for the year so far (1 April to 31 October 2018) is not published."
    )
    january = measure("plans_ended", point("2019-01", 20), ytd=ytd("2019-01", 250))
    assert s.year_to_date(january) == (
        "In the year so far (1 April 2018 to 31 January 2019), 250 plans ended."
    )


def test_a_snapshot_has_no_year_so_far_sentence() -> None:
    # Its year to date is the month-end figure itself.
    m = measure("children_on_plan", point(OCT, 336), ytd=ytd(OCT, 336))
    assert s.year_to_date(m) is None


def test_the_target_red_amber_green() -> None:
    red = measure(
        "repeat_plan_pct",
        point(OCT, 25.7, 9, 35),
        ytd=ytd(OCT, 25.8, 59, 229),
        target=22.0,
        rag="R",
        ytd_rag="R",
    )
    assert s.target(red) == (
        "Against the target of 22.0%, October 2018 (25.7%) is rated Red: the target is not met "
        "(3.7 percentage points above it). The year so far (25.8%) is rated Red."
    )
    amber = measure("open_2y_plus_pct", point(OCT, 2.5, 5, 200), target=2.0, rag="A")
    assert s.target(amber) == (
        "Against the target of 2.0%, October 2018 (2.5%) is rated Amber: the target is not met, "
        "but it is within the tolerance (0.5 percentage points above it)."
    )
    green = measure("open_2y_plus_pct", point(OCT, 2.0, 4, 200), target=2.0, rag="G")
    assert s.target(green) == (
        "Against the target of 2.0%, October 2018 (2.0%) is rated Green: the target is met "
        "(exactly on the target)."
    )
    hidden = measure("ceased_2y_plus_pct", point(OCT, None, suppressed=True), target=4.0)
    assert s.target(hidden) == (
        "The target is 4.0%; the October 2018 figure is not published, so it is not rated."
    )
    assert s.target(measure("plans_started", point(OCT, 35))) is None


def test_a_count_against_its_target_in_whole_numbers() -> None:
    """Numbers in a sentence are written as everywhere else (report.text): a count's target
    and its distance from it are whole numbers, and no rating is given beside a hidden year
    to date."""
    shown = measure(
        "plans_started", point(OCT, 35), ytd=ytd(OCT, 229), target=30.0, rag="R", ytd_rag="G"
    )
    assert s.target(shown) == (
        "Against the target of 30, October 2018 (35) is rated Red: the target is not met (5 "
        "above it). The year so far (229) is rated Green."
    )
    hidden = replace(shown, ytd=ytd(OCT, None, suppressed=True))
    assert s.target(hidden) == (
        "Against the target of 30, October 2018 (35) is rated Red: the target is not met (5 "
        "above it)."
    )


def test_the_comparators_above_below_the_same_and_unpublished() -> None:
    year = "2017-18"
    m = measure(
        "rate_per_10k",
        point(OCT, 43.8, 336, 76_700),
        comparators=(
            Comparator("England", 41.0, year),
            Comparator("South East", 45.1, year),
            Comparator("Statistical neighbours", 43.8, year),
        ),
    )
    assert s.comparators(m) == (
        "At 43.8, this is above England (41.0), below the South East (45.1) and the same as "
        "the statistical neighbours' average (43.8), as published for 2017-18."
    )
    gaps = measure(
        "open_2y_plus_pct",
        point(OCT, 3.3, 11, 336),
        comparators=(
            Comparator("England", 1.8, year),
            Comparator("London", 2.2, year),
            Comparator("Statistical neighbours", None, year),
        ),
    )
    assert s.comparators(gaps) == (
        "At 3.3%, this is above England (1.8%), above London (2.2%) and the statistical "
        "neighbours' average (not published), as published for 2017-18."
    )
    hidden = measure(
        "open_2y_plus_pct",
        point(OCT, None, suppressed=True),
        comparators=(Comparator("England", 1.8, year),),
    )
    assert s.comparators(hidden) == "Comparators, as published for 2017-18: England 1.8%."
    assert s.comparators(measure("plans_started", point(OCT, 35))) is None


def test_the_families_behind_a_count() -> None:
    on_plan = measure("children_on_plan", point(OCT, 336), families=200)
    assert s.families(on_plan) == "The 336 children on a plan are in 200 families."
    started = measure("plans_started", point(OCT, 35), families=18)
    assert s.families(started) == "The 35 plans that started were for children in 18 families."
    long = measure("open_2y_plus_pct", point(OCT, 3.3, 11, 336), families=1)
    assert s.families(long) == "The 11 children on a plan for 2 years or more are in 1 family."
    ended = measure("children_ended", point(OCT, 42), families=23)
    assert s.families(ended) == "The 42 children whose plan ended were in 23 families."


def test_no_families_sentence_without_ids_a_figure_or_more_than_one() -> None:
    assert s.families(measure("children_on_plan", point(OCT, 336))) is None
    assert s.families(measure("children_on_plan", point(OCT, 1), families=1)) is None
    hidden = measure("plans_started", point(OCT, None, suppressed=True), families=3)
    assert s.families(hidden) is None
    assert s.families(measure("families_on_plan", point(OCT, 200), families=200)) is None


def test_every_sentence_of_a_measure_in_order() -> None:
    last_year = point("2017-10", 20.8, 5, 24)
    m = measure(
        "repeat_plan_pct",
        last_year,
        point(SEP, 18.8, 3, 16),
        point(OCT, 25.7, 9, 35),
        ytd=ytd(OCT, 25.8, 59, 229),
        target=22.0,
        rag="R",
        ytd_rag="R",
        families=4,
        last_year=last_year,
    )
    assert s.for_measure(m) == (
        "In October 2018, 25.7% of the plans that started were a second or subsequent plan "
        "(9 of 35).",
        "Compared with September 2018, this has increased from 18.8% (3 of 16) to 25.7% "
        "(9 of 35), up 6.9 percentage points.",
        "Compared with October 2017, this has increased from 20.8% (5 of 24) to 25.7% "
        "(9 of 35), up 4.9 percentage points.",
        "In the year so far (1 April to 31 October 2018), 25.8% of the plans that started were "
        "a second or subsequent plan (59 of 229).",
        "Against the target of 22.0%, October 2018 (25.7%) is rated Red: the target is not met "
        "(3.7 percentage points above it). The year so far (25.8%) is rated Red.",
        "The 9 second or subsequent plans that started were for children in 4 families.",
    )
    # A single month: the figure alone.
    assert s.for_measure(measure("plans_started", point(OCT, 35))) == (
        "In October 2018, 35 plans started.",
    )


# --- The opening, the lists -----------------------------------------------------------------


def test_the_opening_sentences() -> None:
    paper = report(
        measure("children_on_plan", point(OCT, 336)),
        measure("rate_per_10k", point(OCT, 43.8, 336, 76_700)),
        measure("open_2y_plus_pct", point(OCT, 3.3, 11, 336), target=2.0, rag="R"),
        measure("ceased_2y_plus_pct", point(OCT, 0.0, 0, 42), target=4.0, rag="G"),
        measure("repeat_plan_pct", point(OCT, None, suppressed=True), target=22.0),
        measure("plans_started", point(OCT, 35)),
        measure("plans_ended", point(OCT, 42)),
        measure("families_on_plan", point(OCT, 200)),
    )
    assert s.opening(paper) == (
        "At 31 October 2018, 336 children were on a child protection plan (43.8 per 10,000 "
        "children aged 0-17), in 200 families.",
        "In October 2018, 35 plans started and 42 ended.",
        "3 measures have a target. In October 2018, 1 is green (plans ended that had lasted 2 "
        "years or more), 1 is red (on a plan for 2 years or more) and 1 is not rated (plans "
        "started that were a second or subsequent plan).",
    )


def test_the_opening_with_hidden_figures() -> None:
    paper = report(
        measure("children_on_plan", point(OCT, None, suppressed=True)),
        measure("plans_started", point(OCT, 35)),
        measure("plans_ended", point(OCT, None, suppressed=True)),
        publish=True,
    )
    assert s.opening(paper) == (
        "At 31 October 2018, the number of children on a plan is not published.",
        "In October 2018, 35 plans started; the number that ended is not published.",
    )


def test_the_watchlist_sentences() -> None:
    day = dt.date(2018, 10, 31)
    assert s.watchlist(day, months=15, children=47, families_count=28, publish=False) == (
        "At 31 October 2018, 47 children had been on their current plan for 15 months or more, "
        "in 28 families."
    )
    assert s.watchlist(day, months=15, children=1, families_count=None, publish=False) == (
        "At 31 October 2018, 1 child had been on their current plan for 15 months or more."
    )
    assert s.watchlist(day, months=15, children=0, families_count=0, publish=True) == (
        "At 31 October 2018, no child had been on their current plan for 15 months or more."
    )
    # Publication mode: 1 to 5 children, or families, are 'fewer than 6'.
    assert s.watchlist(day, months=15, children=4, families_count=3, publish=True) == (
        "At 31 October 2018, fewer than 6 children had been on their current plan for 15 "
        "months or more."
    )
    assert s.watchlist(day, months=15, children=9, families_count=5, publish=True) == (
        "At 31 October 2018, 9 children had been on their current plan for 15 months or more, "
        "in fewer than 6 families."
    )


def test_reaching_two_years_and_overdue() -> None:
    day, by = dt.date(2018, 10, 31), dt.date(2019, 1, 23)
    assert s.reaching(day, by=by, weeks=12, children=6, families_count=5, publish=False) == (
        "6 children will reach 2 years on their current plan by 23 January 2019 (within 12 "
        "weeks of 31 October 2018), in 5 families."
    )
    assert s.reaching(day, by=by, weeks=12, children=2, families_count=2, publish=True) == (
        "Fewer than 6 children will reach 2 years on their current plan by 23 January 2019 "
        "(within 12 weeks of 31 October 2018)."
    )
    assert s.reaching(day, by=by, weeks=12, children=0, families_count=None, publish=False) == (
        "No child on a plan will reach 2 years on it by 23 January 2019 (within 12 weeks of "
        "31 October 2018)."
    )
    assert s.overdue_reviews(day, None, publish=False) == (
        "The extract has no review dates, so overdue reviews are not reported."
    )
    assert s.overdue_reviews(day, 0, publish=True) == (
        "At 31 October 2018, no child on a plan had a review conference overdue."
    )
    assert s.overdue_reviews(day, 3, publish=True) == (
        "At 31 October 2018, fewer than 6 children on a plan had a review conference overdue."
    )
    assert s.overdue_reviews(day, 12, publish=True) == (
        "At 31 October 2018, 12 children on a plan had a review conference overdue."
    )
    assert s.overdue_visits(day, None, publish=False) == (
        "The extract has no visit records, so overdue visits are not reported."
    )


def test_a_measure_without_words_of_its_own_is_said_by_its_label() -> None:
    new = replace(measure("plans_started", point(OCT, 35)), measure="a_new_measure", unit="%")
    assert s.headline(replace(new, label="A new share (%)")) == (
        "In October 2018, a new share (%): 35.0%."
    )
