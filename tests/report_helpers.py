"""Hand-made report figures for the report's tests: points, measures and reports."""

from __future__ import annotations

import calendar
import datetime as dt

from cpmetrics.measures import BY_ID
from cpmetrics.report.model import Comparator, MeasureReport, Point, Rag, Report


def point(
    month: str,
    value: float | None,
    numerator: int | None = None,
    denominator: int | None = None,
    *,
    suppressed: bool = False,
) -> Point:
    """A month's figure: point('2018-10', 3.4, 24, 706); a count's numerator is its value."""
    year, number = map(int, month.split("-"))
    start = dt.date(year, number, 1)
    end = dt.date(year, number, calendar.monthrange(year, number)[1])
    if suppressed:
        return Point(month, start, end, None, None, None, suppressed=True)
    if numerator is None and value is not None and denominator is None:
        numerator = int(value)
    return Point(month, start, end, value, numerator, denominator)


def ytd(
    end_month: str,
    value: float | None,
    numerator: int | None = None,
    denominator: int | None = None,
    *,
    suppressed: bool = False,
) -> Point:
    """The year to date from 1 April to the end of ``end_month``."""
    last = point(end_month, value, numerator, denominator, suppressed=suppressed)
    first = dt.date(last.period_end.year - (last.period_end.month < 4), 4, 1)
    label = f"YTD {first.year}-{(first.year + 1) % 100:02d}"
    return Point(
        label,
        first,
        last.period_end,
        last.value,
        last.numerator,
        last.denominator,
        suppressed=suppressed,
    )


def measure(
    measure_id: str,
    *months: Point,
    ytd: Point | None = None,
    target: float | None = None,
    rag: Rag | None = None,
    ytd_rag: Rag | None = None,
    comparators: tuple[Comparator, ...] = (),
    families: int | None = None,
    last_year: Point | None = None,
) -> MeasureReport:
    info = BY_ID[measure_id]
    return MeasureReport(
        measure=measure_id,
        label=info.label,
        unit=info.unit,
        months=months,
        ytd=ytd,
        same_month_last_year=last_year,
        target=target,
        rag=rag,
        ytd_rag=ytd_rag,
        comparators=comparators,
        families=families,
    )


def report(*measures: MeasureReport, month: str = "2018-10", publish: bool = False) -> Report:
    latest = point(month, 0)
    return Report(
        title="Child protection plans: test",
        area=None,
        month=month,
        month_start=latest.period_start,
        month_end=latest.period_end,
        generated=dt.date(2019, 1, 1),
        suppressed=publish,
        measures=measures,
    )
