"""A monthly report built by hand, for the report writers' tests (Word, Markdown, Excel).

October 2018 in publication mode, 13 months from October 2017 (the figures are the bundled
sample's, from `cpmetrics trend --from 2017-10 --to 2018-10`). Points whose counts are 1 to 5
are suppressed as cpmetrics.suppress would (value and counts None), and where a suppressed
month sits inside a flow measure's shown year to date, the next smallest month too. It has:
- a measure with no target (children on a plan, the rate), three with targets;
- a zero denominator in the report month (no plan ended after 2 years: 0 of 0);
- a count suppressed in the report month (families on a plan 2 years or more: 4);
- comparators, one of them not published;
- breakdowns (one with suppressed groups as 'c'; one whose names hold Markdown characters),
  a list, watchlist and overdue counts (two of them small), and a data quality section.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Literal

import polars as pl
import pytest

from cpmetrics.report.model import Comparator, MeasureReport, Point, Quality, Report, Table

MONTHS = [(2017, m) for m in (10, 11, 12)] + [(2018, m) for m in range(1, 11)]
HIDDEN = "hidden"  # a month suppressed by the secondary rule, whatever its counts


def _month(year: int, month: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


def point(
    label: str,
    start: dt.date,
    end: dt.date,
    numerator: int,
    denominator: int | None,
    value: float | None,
    *,
    hide: bool = False,
) -> Point:
    """A point as the builder gives it in publication mode: counts 1 to 5 suppressed."""
    small = 1 <= numerator <= 5 or (denominator is not None and 1 <= denominator <= 5)
    if small or hide:
        return Point(label, start, end, None, None, None, suppressed=True)
    return Point(label, start, end, value, numerator, denominator)


def series(
    numerators: Sequence[int],
    denominators: Sequence[int | None],
    value: Callable[[int, int | None], float | None],
    hidden: Sequence[int] = (),
) -> tuple[Point, ...]:
    points = []
    for i, ((year, month), num, den) in enumerate(
        zip(MONTHS, numerators, denominators, strict=True)
    ):
        start, end = _month(year, month)
        points.append(
            point(f"{year}-{month:02d}", start, end, num, den, value(num, den), hide=i in hidden)
        )
    return tuple(points)


def ytd(numerator: int, denominator: int | None, value: float | None) -> Point:
    return point(
        "YTD 2018-19", dt.date(2018, 4, 1), dt.date(2018, 10, 31), numerator, denominator, value
    )


def count(num: int, _den: int | None) -> float:
    return float(num)


def pct(num: int, den: int | None) -> float | None:
    return None if not den else num * 100 / den


def rate(num: int, den: int | None) -> float | None:
    return None if not den else num * 10_000 / den


CHILDREN = [302, 293, 311, 319, 332, 324, 321, 324, 345, 350, 360, 343, 336]
POPULATION = [76_400] * 6 + [76_700] * 7
OPEN_2Y = [2, 4, 4, 6, 5, 8, 9, 10, 11, 12, 11, 11, 11]
CEASED_2Y = [0, 2, 0, 0, 1, 1, 0, 4, 1, 0, 1, 0, 0]
ENDED = [25, 26, 23, 23, 25, 38, 40, 27, 22, 30, 23, 33, 0]
REPEATS = [5, 2, 5, 4, 6, 9, 17, 8, 6, 9, 7, 3, 9]
STARTED = [24, 17, 41, 31, 38, 30, 37, 30, 43, 35, 33, 16, 35]
FAMILIES_2Y = [1, 4, 4, 5, 4, 5, 6, 7, 7, 8, 7, 7, 4]


def measures() -> tuple[MeasureReport, ...]:
    children = series(CHILDREN, [None] * 13, count)
    rates = series(CHILDREN, POPULATION, rate)
    open_2y = series(OPEN_2Y, CHILDREN, pct)
    ceased = series(CEASED_2Y, ENDED, pct)
    # September's 3 of 16 is suppressed; inside the shown year to date (59 of 229) it would be
    # the total minus the other months, so June (6 of 43, the next smallest) goes with it.
    repeats = series(REPEATS, STARTED, pct, hidden=(8,))
    families = series(FAMILIES_2Y, [None] * 13, count)
    return (
        MeasureReport(
            "children_on_plan",
            "Children on a child protection plan",
            "children",
            children,
            ytd(336, None, 336.0),
            children[0],
            None,
            None,
            None,
            families=200,
            sentences=(
                "336 children were on a child protection plan at the end of October 2018, "
                "down from 343 at the end of September.",
                "That is 34 more than in October 2017 (302).",
            ),
        ),
        MeasureReport(
            "rate_per_10k",
            "Rate per 10,000 children aged 0-17",
            "per 10,000",
            rates,
            ytd(336, 76_700, 336 * 10_000 / 76_700),
            rates[0],
            None,
            None,
            None,
            comparators=(
                Comparator("England", 45.3, "2017-18"),
                Comparator("South East", 39.2, "2017-18"),
                Comparator("Statistical neighbours", None, "2017-18"),
            ),
            sentences=("The rate fell from 44.7 to 43.8 per 10,000 children.",),
        ),
        MeasureReport(
            "open_2y_plus_pct",
            "On a plan for 2 years or more (% of children on a plan)",
            "%",
            open_2y,
            ytd(11, 336, 11 * 100 / 336),
            open_2y[0],
            2.0,
            "R",
            "R",
            sentences=(
                "3.3% of the children on a plan had been on it 2 years or more (11 of 336).",
            ),
        ),
        MeasureReport(
            "ceased_2y_plus_pct",
            "Plans ended that had lasted 2 years or more (%)",
            "%",
            ceased,
            ytd(6, 175, 6 * 100 / 175),
            ceased[0],
            4.0,
            None,
            "G",
            sentences=("No plan ended in October 2018, so there is no percentage this month.",),
        ),
        MeasureReport(
            "repeat_plan_pct",
            "Plans started that were a second or subsequent plan (%)",
            "%",
            repeats,
            ytd(59, 229, 59 * 100 / 229),
            repeats[0],
            22.0,
            "R",
            "R",
            sentences=(
                "25.7% of the plans that started in October 2018 were a second or subsequent "
                "plan (9 of 35), above the target of 22.0%.",
            ),
        ),
        MeasureReport(
            "families_open_2y_plus",
            "Families with a child on a plan for 2 years or more",
            "families",
            families,
            None,
            families[0],
            None,
            None,
            None,
        ),
    )


def report(*, suppressed: bool = True) -> Report:
    duration = pl.DataFrame(
        {
            "duration": [
                "3 months or less",
                "more than 3 months, up to and including 6 months",
                "more than 6 months, under 1 year",
                "1 year, under 2 years",
                "2 years or more",
            ],
            "children": [79, 83, 111, 52, 11],
            "share_pct": [23.5, 24.7, 33.0, 15.5, 3.3],
        }
    )
    teams = pl.DataFrame(
        {
            "Team": ["North | East", "South_West *duty*", "[Hospital] team"],
            "Children": ["210", "c", "c"],
        }
    )
    reaching = pl.DataFrame(
        {
            "reaches_2y_on": [dt.date(2018, 11, 14), dt.date(2018, 12, 2)],
            "children": [7, 9],
        }
    )
    return Report(
        title="Child protection plans: October 2018",
        area="Brighton & Hove",
        month="2018-10",
        month_start=dt.date(2018, 10, 1),
        month_end=dt.date(2018, 10, 31),
        generated=dt.date(2018, 11, 5),
        suppressed=suppressed,
        measures=measures(),
        breakdowns=(
            Table(
                "Children on a plan by duration, 31 October 2018",
                duration,
                "How long each child on a plan had been on the current plan.",
            ),
            Table("Children on a plan by team", teams),
        ),
        lists=(Table("Children reaching 2 years on a plan in the next 12 weeks", reaching),),
        watchlist_children=23,
        watchlist_families=3,
        overdue_reviews=4,
        overdue_visits=None,
        quality=Quality(
            files=("cp_plans.csv",),
            rows_read=3_118,
            rows_used=3_102,
            excluded=(("end date before start date", 9), ("no start date", 7)),
            population="all plans in the extract",
            extract_date=dt.date(2018, 11, 5),
            notes=("The rate uses the ONS mid-2017 estimate of children aged 0-17.",),
        ),
        summary=(
            "336 children were on a child protection plan at the end of October 2018.",
            "25.7% of the plans started in October were a second or subsequent plan.",
        ),
    )


# Each distinct measure is drawn once a test session: the charts are real, matplotlib is slow.
_DRAWN: dict[tuple[MeasureReport, str, float, float], bytes] = {}


def watch_charts(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """report.charts.trend_chart as it is, watched: returns what it drew, by measure."""
    from cpmetrics.report import charts

    real = charts.trend_chart
    drawn: dict[str, bytes] = {}

    def trend_chart(
        measure: MeasureReport,
        *,
        fmt: Literal["svg", "png"],
        width: float = 6.5,
        height: float = 2.6,
    ) -> bytes:
        key = (measure, fmt, width, height)
        if key not in _DRAWN:
            _DRAWN[key] = real(measure, fmt=fmt, width=width, height=height)
        drawn[measure.measure] = _DRAWN[key]
        return drawn[measure.measure]

    monkeypatch.setattr(charts, "trend_chart", trend_chart)
    return drawn
