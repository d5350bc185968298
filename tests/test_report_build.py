"""The report built from an extract: hand-worked figures for October 2018, the extract read
once, and publication mode leaving no count from 1 to 5 anywhere in the model."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from cpmetrics import runner
from cpmetrics.errors import UsageError
from cpmetrics.periods import parse_month
from cpmetrics.report.build import build, build_report, measure_trend, report_span
from cpmetrics.report.model import Report
from cpmetrics.runner import CommandSettings

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "cp_plans.csv"
HEADER = (
    "child_id,family_id,date_of_birth,start_date,end_date,initial_category,latest_category,"
    "previous_plans\n"
)
# At 31 October 2018: A1, A2 (family F1, 22 months, reaching 2 years on 1 December), B1 (F2,
# 2 years or more), C1 and C2 (F3, started in October; C1 a second plan, unborn), G1 (no
# family id, 8 months): 6 children in 3 families. D1 (16 months) and E1 (2 years or more)
# ended in October; H1 and H2 in September. At 31 October 2017: A1, A2, B1, D1, E1, H1, H2.
ROWS = """\
A1,F1,2010-01-01,2016-12-01,,NEG,NEG,0
A2,F1,2010-01-01,2016-12-01,,NEG,NEG,0
B1,F2,2010-01-01,2016-09-15,,EMO,EMO,0
C1,F3,2018-12-01,2018-10-05,,PHY,PHY,1
C2,F3,2010-01-01,2018-10-05,,PHY,MUL,0
G1,,2010-01-01,2018-03-01,,SAB,SAB,0
D1,F4,2010-01-01,2017-06-01,2018-10-20,NEG,NEG,0
E1,F5,2010-01-01,2016-05-01,2018-10-10,EMO,EMO,0
H1,F6,2010-01-01,2017-09-10,2018-09-05,NEG,NEG,0
H2,F6,2010-01-01,2017-09-10,2018-09-05,NEG,NEG,0
"""
CONFIG = """\
extract_date = 2019-01-31
population = 10000
[targets.repeat_plan_pct]
target = 22.0
polarity = "low"
amber = 3.0
"""


@pytest.fixture
def request_for(tmp_path: Path) -> CommandSettings:
    (tmp_path / "plans.csv").write_text(HEADER + ROWS)
    (tmp_path / "cpmetrics.toml").write_text(CONFIG)
    return CommandSettings.resolve(input=tmp_path / "plans.csv", config=tmp_path / "cpmetrics.toml")


def by_id(report: Report) -> dict[str, object]:
    return {m.measure: m for m in report.measures}


def test_the_months_the_year_ago_and_the_figures(request_for: CommandSettings) -> None:
    report = build_report(request_for, parse_month("2018-10"))
    assert report.title == "Child protection plans: October 2018"
    assert (report.month, report.month_start, report.month_end) == (
        "2018-10",
        dt.date(2018, 10, 1),
        dt.date(2018, 10, 31),
    )
    m = {m.measure: m for m in report.measures}
    on_plan = m["children_on_plan"]
    assert [p.period for p in on_plan.months][::6] == ["2017-10", "2018-04", "2018-10"]
    assert len(on_plan.months) == 13
    assert on_plan.same_month_last_year is not None
    assert (on_plan.same_month_last_year.period, on_plan.same_month_last_year.value) == (
        "2017-10",
        7.0,
    )
    assert (on_plan.latest.value, on_plan.families) == (6.0, 3)
    assert on_plan.sentences == (
        "At 31 October 2018, 6 children were on a child protection plan.",
        "This is the same as in September 2018: 6 children.",
        "Compared with October 2017, this has decreased from 7 children to 6, down 1.",
        "The 6 children on a plan are in 3 families.",
    )
    ceased = m["ceased_2y_plus_pct"]
    assert (ceased.latest.numerator, ceased.latest.denominator, ceased.latest.value) == (1, 2, 50.0)
    assert ceased.ytd is not None and ceased.ytd.period == "YTD 2018-19"
    assert (ceased.ytd.numerator, ceased.ytd.denominator) == (1, 4)  # H1 and H2 in September
    repeat = m["repeat_plan_pct"]
    assert (repeat.latest.numerator, repeat.latest.denominator) == (1, 2)
    assert (repeat.target, repeat.rag, repeat.families) == (22.0, "R", 1)
    two_years = m["open_2y_plus_pct"]
    assert (two_years.latest.numerator, two_years.families) == (1, 1)  # B1, family F2
    assert m["families_on_plan"].latest.value == 3.0  # G1 has no family id
    assert m["rate_per_10k"].latest.value == 6.0  # 6 x 10,000 / 10,000


def test_the_breakdowns_of_the_month(request_for: CommandSettings) -> None:
    report = build_report(request_for, parse_month("2018-10"))
    tables = {t.title: t.table for t in report.breakdowns}
    duration = tables["How long plans had lasted"]
    assert duration.rows() == [
        ("3 months or less", 2, 33.3, 0, 0.0),
        ("more than 3 months, up to and including 6 months", 0, 0.0, 0, 0.0),
        ("more than 6 months, under 1 year", 1, 16.7, 0, 0.0),
        ("1 year, under 2 years", 2, 33.3, 1, 50.0),
        ("2 years or more", 1, 16.7, 1, 50.0),
        ("Total", 6, 100.0, 2, 100.0),
    ]
    category = tables["Category of abuse"]
    assert category.columns[0] == "Category of abuse"
    assert category.row(0) == ("Neglect", 0, 0.0, 2, 33.3)
    assert category.row(1) == ("Physical abuse", 2, 100.0, 1, 16.7)
    assert category.row(4) == ("Multiple", 0, 0.0, 1, 16.7)
    age = tables["Age"]
    assert age.filter(pl.col("Age") == "unborn").row(0) == ("unborn", 1, 16.7, 1, 50.0)
    assert age.filter(pl.col("Age") == "5-9").row(0) == ("5-9", 5, 83.3, 1, 50.0)


def test_the_lists_and_the_quality(request_for: CommandSettings) -> None:
    report = build_report(request_for, parse_month("2018-10"))
    # 15 months or more: A1, A2 (22 months), B1 (25): 3 children in families F1 and F2.
    assert (report.watchlist_children, report.watchlist_families) == (3, 2)
    assert report.overdue_reviews is None and report.overdue_visits is None
    summary, bands = (t.table for t in report.lists)
    assert summary.rows() == [
        ("On the current plan 15 months or more", 3, 2),
        ("Reaching 2 years on the plan by 23 January 2019 (12 weeks)", 2, 1),
    ]
    assert bands.rows() == [
        ("15 to 17 months", 0),
        ("18 to 20 months", 0),
        ("21 to 23 months", 2),
        ("24 months or more", 1),
        ("Total", 3),
    ]
    assert report.summary[-4:] == (
        "At 31 October 2018, 3 children had been on their current plan for 15 months or more, "
        "in 2 families.",
        "2 children will reach 2 years on their current plan by 23 January 2019 (within 12 "
        "weeks of 31 October 2018), in 1 family.",
        "The extract has no review dates, so overdue reviews are not reported.",
        "The extract has no visit records, so overdue visits are not reported.",
    )
    quality = report.quality
    assert quality is not None
    assert (quality.files, quality.rows_read, quality.rows_used) == (("plans.csv",), 10, 10)
    assert quality.extract_date == dt.date(2019, 1, 31)
    assert "population 10,000" in quality.population
    assert not any("/" in note for note in quality.notes)  # file names, not paths


def test_the_extract_is_read_once(
    request_for: CommandSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = runner.load

    def counted(request: CommandSettings):  # type: ignore[no-untyped-def]
        calls.append(request)
        return real(request)

    monkeypatch.setattr(runner, "load", counted)
    build_report(request_for, parse_month("2018-10"))
    assert len(calls) == 1


def test_a_later_start_and_the_wrong_periods(request_for: CommandSettings) -> None:
    report = build_report(request_for, parse_month("2018-10"), start=parse_month("2018-07"))
    on_plan = report.measures[0]
    assert [p.period for p in on_plan.months] == ["2018-07", "2018-08", "2018-09", "2018-10"]
    assert on_plan.same_month_last_year is None
    assert not any("October 2017" in s for s in on_plan.sentences)
    with pytest.raises(UsageError, match="after"):
        build_report(request_for, parse_month("2018-10"), start=parse_month("2018-11"))
    quarter = report_span(parse_month("2018-10"), None)
    assert (quarter.start, quarter.end) == (dt.date(2017, 10, 1), dt.date(2018, 10, 31))


def test_latest_is_the_last_month_before_the_extract_date(request_for: CommandSettings) -> None:
    from cpmetrics.periods import latest

    report = build_report(request_for, lambda day: latest("month", day))
    assert report.month == "2019-01"  # the extract date, 31 January 2019, completes January


def test_one_measures_trend_for_a_chart(request_for: CommandSettings) -> None:
    found, alarms = measure_trend(
        request_for, "plans_ended", report_span(parse_month("2018-10"), None)
    )
    assert [p.value for p in found.months][-2:] == [2.0, 2.0] and alarms == []
    with pytest.raises(UsageError, match="no measure 'nothing'"):
        measure_trend(request_for, "nothing", parse_month("2018-10"))
    with pytest.raises(UsageError, match="reviews_in_time_pct is not defined"):
        measure_trend(request_for, "reviews_in_time_pct", parse_month("2018-10"))


# --- Publication mode -----------------------------------------------------------------------


def small_counts(report: Report) -> list[str]:
    """Every count from 1 to 5 the model would show: figures, counts, families, table cells."""
    found = []
    for m in report.measures:
        for p in (*m.months, *([m.ytd] if m.ytd else [])):
            counts = [p.numerator, p.denominator, p.value if m.is_count else None]
            found += [f"{m.measure} {p.period}: {c}" for c in counts if c and 1 <= c <= 5]
        if m.families is not None and 1 <= m.families <= 5:
            found.append(f"{m.measure} families {m.families}")
    for name in ("watchlist_children", "watchlist_families", "overdue_reviews"):
        value = getattr(report, name)
        if value is not None and 1 <= value <= 5:
            found.append(f"{name} {value}")
    for table in (*report.breakdowns, *report.lists):
        for column in table.table.columns[1:]:
            if column.endswith("%"):
                continue
            for v in table.table[column]:
                if v not in (None, "c") and 1 <= int(v) <= 5:
                    found.append(f"{table.title} {column}: {v}")
    return found


def test_publication_mode_hides_every_small_count(request_for: CommandSettings) -> None:
    report = build_report(request_for, parse_month("2018-10"), publish=True)
    assert report.suppressed and small_counts(report) == []
    m = {m.measure: m for m in report.measures}
    # 6 children on a plan are shown; the 3 families behind them are not.
    assert (m["children_on_plan"].latest.value, m["children_on_plan"].families) == (6.0, None)
    assert "The 6 children on a plan are in" not in " ".join(m["children_on_plan"].sentences)
    repeat = m["repeat_plan_pct"]  # 1 of 2
    assert repeat.latest.suppressed and repeat.latest.value is None and repeat.rag is None
    assert repeat.sentences[0] == (
        "In October 2018, the figure is not published: counts of 1 to 5, and figures that "
        "would reveal them, are withheld."
    )
    assert repeat.sentences[-1] == (
        "The target is 22.0%; the October 2018 figure is not published, so it is not rated."
    )
    assert report.watchlist_children is None  # 3 children
    assert report.summary[-4].startswith("At 31 October 2018, fewer than 6 children had been")
    duration = report.breakdowns[0].table
    # Children: 2, 0, 1, 2, 1 of 6 (the total shown); plans ended: 2 in all, so every band hidden.
    assert duration.rows() == [
        ("3 months or less", "c", "c", "c", "c"),
        ("more than 3 months, up to and including 6 months", "0", "0.0", "c", "c"),
        ("more than 6 months, under 1 year", "c", "c", "c", "c"),
        ("1 year, under 2 years", "c", "c", "c", "c"),
        ("2 years or more", "c", "c", "c", "c"),
        ("Total", "6", "100.0", "c", "c"),
    ]


def test_publication_mode_on_the_sample_shows_no_small_count() -> None:
    request = CommandSettings.resolve(input=SAMPLE, config=SAMPLE.parents[1] / "cpmetrics.toml")
    shown = build_report(request, parse_month("2018-10"))
    published = build_report(request, parse_month("2018-10"), publish=True)
    assert small_counts(shown) != []  # there are small counts to hide
    assert small_counts(published) == []
    # The figures that are shown are the unsuppressed ones.
    for plain, hidden in zip(shown.measures, published.measures, strict=True):
        for a, b in zip(plain.months, hidden.months, strict=True):
            assert b.suppressed or (a.value, a.numerator) == (b.value, b.numerator)


def test_the_alarms_come_back_with_the_report(tmp_path: Path) -> None:
    # 1 row in 11 excluded (an end before its start): more than 5%.
    (tmp_path / "plans.csv").write_text(
        HEADER + ROWS + "Z1,F9,2010-01-01,2018-05-01,2018-04-01,NEG,NEG,0\n"
    )
    (tmp_path / "cpmetrics.toml").write_text(CONFIG)
    request = CommandSettings.resolve(
        input=tmp_path / "plans.csv", config=tmp_path / "cpmetrics.toml"
    )
    built = build(request, parse_month("2018-10"))
    assert len(built.alarms) == 1 and "8925" in built.alarms[0]
    assert built.report.quality is not None
    assert built.report.quality.excluded == (("End date before start date (8925)", 1),)
    assert any(n.startswith("warning: ") for n in built.report.quality.notes)


def test_an_extract_with_review_dates_and_no_optional_columns(tmp_path: Path) -> None:
    """B started 1 February 2018 and has had no review: due 1 May, overdue on 31 October. The
    others' next reviews fall due later; E (28 months) is the one child on the watchlist."""
    (tmp_path / "p.csv").write_text(
        "child_id,start_date,end_date,review_dates\n"
        "A,2018-01-10,,2018-04-01;2018-09-20\n"
        "B,2018-02-01,,\n"
        "C,2017-01-01,2018-10-05,2017-03-20\n"
        "D,2018-10-02,,\n"
        "E,2016-06-01,,2016-08-01;2017-01-15;2017-07-10;2018-01-05;2018-06-30\n"
        "F,2018-05-05,,2018-07-30\n"
        "G,2018-03-03,,2018-05-30\n"
    )
    request = CommandSettings.resolve(
        input=tmp_path / "p.csv", config=None, extract_date=dt.date(2019, 1, 1)
    )
    built = build(request, parse_month("2018-10"))
    report = built.report
    assert (report.overdue_reviews, report.watchlist_children, report.watchlist_families) == (
        1,
        1,
        None,
    )
    assert [t.title for t in report.breakdowns] == ["How long plans had lasted"]
    assert report.lists[0].table.rows() == [
        ("On the current plan 15 months or more", 1),
        ("Reaching 2 years on the plan by 23 January 2019 (12 weeks)", 0),
        ("Review conference overdue", 1),
    ]
    assert (
        "At 31 October 2018, 1 child on a plan had a review conference overdue." in report.summary
    )
    notes = report.quality.notes if report.quality else ()
    assert "the extract has no date_of_birth: no breakdown by age" in notes
    assert all(m.families is None for m in report.measures)


def test_the_quality_notes_are_said_for_a_committee(request_for: CommandSettings) -> None:
    """The run's notes in the paper's words: no canonical column names or option advice."""
    from cpmetrics.report.build import _for_readers

    notes = build_report(request_for, parse_month("2018-10")).quality
    assert notes is not None
    said = " ".join(notes.notes)
    assert "optional columns found" not in said and "--reviews" not in said
    assert _for_readers(
        "optional columns found: family_id ('Family'), previous_plans ('Prev'); "
        "not found: date_of_birth"
    ) == (
        "Columns used besides child, start and end: family id, previous plans. "
        "Not in the extract: date of birth."
    )
    assert _for_readers(
        "not computed: reviews_in_time_pct (the extract has no such records; --reviews)"
    ) == (
        "Not computed, for want of the records they need (reviews, visits): Children on a plan "
        "3 months or more reviewed within timescales (%)."
    )
    assert _for_readers("something else entirely") == "something else entirely"
