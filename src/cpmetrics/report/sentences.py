"""The report's sentences, written from the figures: deterministic, factual, in the councils'
words ("This has increased from 20 children to 24", "3.4% (24 of 706)").

Pure functions of a ``MeasureReport`` (or of plain counts): nothing is computed here that a
reader could not check against the table beside it. A suppressed figure is described as not
published (its value is None in the model already, so no sentence can leak it), and a change
is only given between two published figures. Every figure, count, date and rating in them is
written by report.text, as everywhere else in the paper.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from cpmetrics.measures import BY_ID
from cpmetrics.report.model import MeasureReport, Point, Report
from cpmetrics.report.text import (
    SMALL,
    count_text,
    counted,
    counts_text,
    day_text,
    decimal_text,
    figure_text,
    month_text,
    rag_text,
    shown_value,
    span_text,
    value_text,
    withheld,
)

NOT_PUBLISHED = "not published"
# Publication mode hides counts of 1 to 5: a sentence says 'fewer than 6'.
FEWER_THAN = f"fewer than {SMALL + 1}"
_RAG_MEANING = {
    "G": "the target is met",
    "A": "the target is not met, but it is within the tolerance",
    "R": "the target is not met",
}
# Regions said with 'the' ("above the South East"); the others are said as they are.
_REGIONS_WITH_THE = (
    "North East",
    "North West",
    "South East",
    "South West",
    "East Midlands",
    "West Midlands",
    "East of England",
)


# --- What each measure's figures are called -------------------------------------------------


@dataclass(frozen=True)
class Words:
    """How a measure is said. A count: what one and many of it did ('plan started'). A
    percentage: of the ``whole`` ('children on a plan'), the ``part`` ('had been on it for 2
    years or more'); ``none`` when the whole is empty. ``records``: the numerator's records,
    for the families behind them."""

    one: str = ""
    many: str = ""
    whole: str = ""
    part: str = ""
    none: str = ""
    records: str = ""


WORDS: dict[str, Words] = {
    "children_on_plan": Words(
        "child was on a child protection plan",
        "children were on a child protection plan",
        records="children on a plan",
    ),
    "open_2y_plus_pct": Words(
        whole="children on a plan",
        part="had been on it for 2 years or more",
        none="no children were on a plan",
        records="children on a plan for 2 years or more",
    ),
    "ceased_2y_plus_pct": Words(
        whole="plans that ended",
        part="had lasted 2 years or more",
        none="no plans ended",
        records="plans that ended after 2 years or more",
    ),
    "repeat_plan_pct": Words(
        whole="plans that started",
        part="were a second or subsequent plan",
        none="no plans started",
        records="second or subsequent plans that started",
    ),
    "plans_started": Words("plan started", "plans started", records="plans that started"),
    "plans_ended": Words("plan ended", "plans ended", records="plans that ended"),
    "children_started": Words(
        "child started a plan", "children started a plan", records="children who started a plan"
    ),
    "children_ended": Words(
        "child's plan ended", "children's plans ended", records="children whose plan ended"
    ),
    "plans_any_point": Words(
        "plan was open at some point",
        "plans were open at some point",
        records="plans open at some point",
    ),
    "children_any_point": Words(
        "child was on a plan at some point",
        "children were on a plan at some point",
        records="children on a plan at some point",
    ),
    "open_repeat_pct": Words(
        whole="children on a plan",
        part="were on a second or subsequent plan",
        none="no children were on a plan",
        records="children on a second or subsequent plan",
    ),
    "families_on_plan": Words("family had a child on a plan", "families had a child on a plan"),
    "families_open_2y_plus": Words(
        "family had a child on a plan for 2 years or more",
        "families had a child on a plan for 2 years or more",
    ),
    "reviews_in_time_pct": Words(
        whole="children on a plan for 3 months or more",
        part="had every review within timescales",
        none="no children had been on a plan for 3 months or more",
        records="children reviewed within timescales",
    ),
    "review_not_overdue_pct": Words(
        whole="children on a plan for 3 months or more",
        part="had their latest review less than 6 months before (not overdue)",
        none="no children had been on a plan for 3 months or more",
        records="children whose review was not overdue",
    ),
    "visits_in_time_pct": Words(
        whole="children on a plan for at least the visit interval",
        part="had been visited within it",
        none="no children had been on a plan for the whole visit interval",
        records="children visited in time",
    ),
    "visits_seen_alone_pct": Words(
        whole="visits (where it was recorded)",
        part="saw the child alone",
        none="no visit recorded whether the child was seen alone",
        records="visits at which the child was seen alone",
    ),
    "transfers_in": Words(
        "plan started as a transfer in from another authority",
        "plans started as a transfer in from another authority",
        records="plans started as a transfer in",
    ),
    "transfers_out": Words(
        "plan ended as a transfer out to another authority",
        "plans ended as a transfer out to another authority",
        records="plans ended as a transfer out",
    ),
}


def _snapshot(measure: MeasureReport) -> bool:
    found = BY_ID.get(measure.measure)
    return found is not None and found.kind == "snapshot"


def _when(measure: MeasureReport, point: Point) -> str:
    """'At 31 October 2018' for a snapshot, 'In October 2018' for what happened in a month."""
    if _snapshot(measure):
        return f"At {day_text(point.period_end)}"
    return f"In {month_text(point.period_start)}"


def _said(measure: MeasureReport, point: Point, when: str) -> str:
    """One figure in a sentence: '{when}, 35 plans started.'"""
    unit, words = measure.unit, WORDS.get(measure.measure, Words())
    if point.suppressed:
        return (
            f"{when}, the figure is not published: counts of 1 to 5, and figures that would "
            "reveal them, are withheld."
        )
    if measure.measure == "rate_per_10k":
        if point.value is None:
            return f"{when}, there is no rate per 10,000: no population figure was given."
        population = f", of a population of {count_text(point.denominator or 0)}"
        return (
            f"{when}, the rate was {value_text(point.value, unit)} children on a plan per 10,000 "
            f"children aged 0-17 ({counted(point.numerator or 0, 'children')}{population})."
        )
    if unit == "%" and words.whole:
        if point.value is None:
            return f"{when}, {words.none}, so there is no percentage."
        counts = counts_text(point, unit)
        return (
            f"{when}, {value_text(point.value, unit)} of the {words.whole} {words.part}"
            f"{' ' + counts if counts else ''}."
        )
    if measure.is_count and words.many and point.value is not None:
        n = int(point.value)
        said = (
            "no " + words.many
            if n == 0
            else f"{count_text(n)} {words.one if n == 1 else words.many}"
        )
        return f"{when}, {said}."
    figure = figure_text(point, unit) if point.value is not None else "no figure"
    return f"{when}, {measure.label.lower()}: {figure}."


# --- A measure's sentences ------------------------------------------------------------------


def headline(measure: MeasureReport) -> str:
    """The report month's figure: 'At 31 October 2018, 3.3% of the children on a plan had been
    on it for 2 years or more (11 of 336).'"""
    return _said(measure, measure.latest, _when(measure, measure.latest))


def change(measure: MeasureReport, before: Point | None) -> str | None:
    """Direction and size of the change from ``before`` to the report month, only between two
    published figures: 'Compared with September 2018, this has decreased from 343 children to
    336, down 7.'"""
    now = measure.latest
    if before is None or now.suppressed or now.value is None:
        return None
    since = month_text(before.period_start)
    if before.suppressed:
        return f"The {since} figure is not published, so the change since then is not given."
    if before.value is None:
        if measure.unit == "%" and before.denominator == 0:
            none = WORDS.get(measure.measure, Words()).none or "its denominator was 0"
            return f"There was no percentage in {since} ({none}), so no change is given."
        return None
    unit = measure.unit
    if measure.is_count:
        a, b = int(before.value), int(now.value)
        if a == b:
            return f"This is the same as in {since}: {counted(a, unit)}."
        moved = "increased" if b > a else "decreased"
        way = "up" if b > a else "down"
        return (
            f"Compared with {since}, this has {moved} from {counted(a, unit)} to "
            f"{count_text(b)}, {way} {count_text(abs(b - a))}."
        )
    difference = round(now.value - before.value, 1)
    if unit == "%":
        a_text, b_text = figure_text(before, unit), figure_text(now, unit)
        size = f"{decimal_text(abs(difference))} percentage points"
    else:
        a_text = value_text(before.value, unit)
        b_text = f"{value_text(now.value, unit)} {unit}".rstrip()
        size = value_text(abs(difference), unit)
    if difference == 0:
        return f"This is the same as in {since}: {a_text}."
    moved, way = ("increased", "up") if difference > 0 else ("decreased", "down")
    return f"Compared with {since}, this has {moved} from {a_text} to {b_text}, {way} {size}."


def year_to_date(measure: MeasureReport) -> str | None:
    """The financial year so far, for what happens over time (a snapshot's year to date is
    the month itself): 'In the year so far (1 April to 31 October 2018), 229 plans started.'"""
    ytd = measure.ytd
    if ytd is None or _snapshot(measure):
        return None
    span = span_text(ytd.period_start, ytd.period_end)
    if ytd.suppressed:
        return f"The figure for the year so far ({span}) is not published."
    return _said(measure, ytd, f"In the year so far ({span})")


def target(measure: MeasureReport) -> str | None:
    """'Against the target of 22.0%, October 2018 (25.7%) is rated Red: the target is not met
    (3.7 percentage points above it).' and the year to date's rating."""
    if measure.target is None:
        return None
    now, unit = measure.latest, measure.unit
    goal = value_text(measure.target, unit)
    month = month_text(now.period_start)
    if now.value is None:
        why = "is not published" if now.suppressed else "has no value"
        return f"The target is {goal}; the {month} figure {why}, so it is not rated."
    difference = round(now.value - measure.target, 1)
    size = (
        f"{decimal_text(abs(difference))} percentage points"
        if unit == "%"
        else value_text(abs(difference), unit)
    )
    where = (
        "exactly on the target"
        if difference == 0
        else f"{size} {'above' if difference > 0 else 'below'} it"
    )
    said = f"Against the target of {goal}, {month} ({value_text(now.value, unit)})"
    if measure.rag in _RAG_MEANING:
        said += f" is rated {rag_text(measure.rag)}: {_RAG_MEANING[measure.rag]} ({where})."
    else:
        said += f" is {where}."
    ytd = measure.ytd
    # (Not beside a hidden year to date: the rating would say which side of the target it is.)
    if ytd is not None and not ytd.suppressed and not _snapshot(measure) and measure.ytd_rag:
        said += f" The year so far ({shown_value(ytd, unit)}) is rated {rag_text(measure.ytd_rag)}."
    return said


def _area(name: str) -> str:
    if name == "Statistical neighbours":
        return "the statistical neighbours' average"
    return f"the {name}" if name in _REGIONS_WITH_THE else name


def comparators(measure: MeasureReport) -> str | None:
    """'At 43.8, this is above England (41.0), below the South East (45.1) and below the
    statistical neighbours' average (44.0), as published for 2017-18.'"""
    if not measure.comparators:
        return None
    unit = measure.unit
    now = measure.latest
    years = sorted({c.year for c in measure.comparators if c.year})
    # ('2017-18, recomputed from the published counts': not as published.)
    as_published = all("recomputed" not in y for y in years)
    published = (
        f", {'as published ' if as_published else ''}for {' and '.join(years)}" if years else ""
    )
    parts = []
    for c in measure.comparators:
        if c.value is None:
            parts.append(f"{_area(c.name)} ({NOT_PUBLISHED})")
        elif now.value is None:
            parts.append(f"{_area(c.name)} {value_text(c.value, unit)}")
        else:
            ours, theirs = round(now.value, 1), round(c.value, 1)
            side = "the same as" if ours == theirs else "above" if ours > theirs else "below"
            parts.append(f"{side} {_area(c.name)} ({value_text(c.value, unit)})")
    listed = _and(parts)
    if now.value is None:
        return f"Comparators{published}: {listed}."
    return f"At {value_text(now.value, unit)}, this is {listed}{published}."


def families(measure: MeasureReport) -> str | None:
    """The families behind the report month's count: 'The 336 children on a plan are in 200
    families.' (only where the extract has family ids, and both figures are published)."""
    words = WORDS.get(measure.measure, Words())
    now = measure.latest
    if measure.families is None or not words.records or measure.unit == "families":
        return None
    if now.suppressed or now.numerator is None or now.numerator < 2:
        return None
    verb = "are" if _snapshot(measure) else "were"
    family_count = counted(measure.families, "families")
    if words.records.startswith("children"):
        return f"The {count_text(now.numerator)} {words.records} {verb} in {family_count}."
    return f"The {count_text(now.numerator)} {words.records} {verb} for children in {family_count}."


def for_measure(measure: MeasureReport) -> tuple[str, ...]:
    """Every sentence for one measure, in the order a reader wants them: the figure, the
    change since last month and since the same month last year, the year so far, the target,
    the comparators, the families behind it."""
    months = measure.months
    last_month = months[-2] if len(months) > 1 else None
    last_year = measure.same_month_last_year
    found = [
        headline(measure),
        change(measure, last_month),
        change(measure, last_year) if last_year is not last_month else None,
        year_to_date(measure),
        target(measure),
        comparators(measure),
        families(measure),
    ]
    return tuple(s for s in found if s)


# --- The opening sentences and the lists ----------------------------------------------------


def opening(report: Report) -> tuple[str, ...]:
    """The paper's first paragraph: children on a plan (rate, families), plans started and
    ended, and how the measures with a target stand."""
    by_id = {m.measure: m for m in report.measures}
    out = []
    on_plan = by_id.get("children_on_plan")
    if on_plan is not None:
        now = on_plan.latest
        day = day_text(now.period_end)
        if now.value is None:
            out.append(f"At {day}, the number of children on a plan is {NOT_PUBLISHED}.")
        else:
            said = (
                f"At {day}, {counted(int(now.value), 'children')} were on a child protection plan"
            )
            rate = by_id.get("rate_per_10k")
            if rate is not None and rate.latest.value is not None:
                rate_text = value_text(rate.latest.value, rate.unit)
                said += f" ({rate_text} per 10,000 children aged 0-17)"
            fams = by_id.get("families_on_plan")
            if fams is not None and fams.latest.value is not None:
                said += f", in {counted(int(fams.latest.value), 'families')}"
            out.append(said + ".")
    started, ended = by_id.get("plans_started"), by_id.get("plans_ended")
    if started is not None and ended is not None:
        month = month_text(started.latest.period_start)
        a, b = started.latest.value, ended.latest.value
        if a is not None and b is not None:
            out.append(
                f"In {month}, {counted(int(a), 'plans')} started and {count_text(int(b))} ended."
            )
        elif a is not None or b is not None:
            shown, hidden = ("started", "ended") if a is not None else ("ended", "started")
            n = int(a if a is not None else b or 0)
            out.append(
                f"In {month}, {counted(n, 'plans')} {shown}; the number that {hidden} is "
                f"{NOT_PUBLISHED}."
            )
    rated = [m for m in report.measures if m.target is not None]
    if rated:
        out.append(_ratings(rated, month_text(report.month_start)))
    return tuple(out)


def _ratings(rated: Sequence[MeasureReport], month: str) -> str:
    """'3 measures have a target. In October 2018, 1 is green (...) and 2 are red (...).'"""
    groups: dict[str, list[str]] = {}
    for m in rated:
        key = rag_text(m.rag).lower() or "not rated"
        groups.setdefault(key, []).append(_short(m.label))
    order = [rag_text(r).lower() for r in ("G", "A", "R")] + ["not rated"]
    parts = [
        f"{len(groups[k])} {'is' if len(groups[k]) == 1 else 'are'} {k} ({'; '.join(groups[k])})"
        for k in order
        if k in groups
    ]
    noun = "measure has" if len(rated) == 1 else "measures have"
    return f"{count_text(len(rated))} {noun} a target. In {month}, {_and(parts)}."


def _short(label: str) -> str:
    """'Plans ended that had lasted 2 years or more (%)' -> 'plans ended that had lasted 2
    years or more': a label inside a sentence."""
    bare = label.split(" (")[0]
    return bare[:1].lower() + bare[1:]


def _some(count: int, publish: bool, unit: str = "children") -> str:
    """'12 children', or 'fewer than 6 children' when publication mode hides the count."""
    if withheld(count, publish):
        return f"{FEWER_THAN} {unit}"
    return counted(count, unit)


def _in_families(families_count: int | None, publish: bool) -> str:
    if families_count is None or families_count == 0:
        return ""
    return f", in {_some(families_count, publish, 'families')}"


def watchlist(
    day: dt.date,
    *,
    months: int,
    children: int,
    families_count: int | None,
    publish: bool,
) -> str:
    """'At 31 October 2018, 20 children had been on their current plan for 15 months or more,
    in 15 families.' (families: None without family ids)."""
    on = f"been on their current plan for {months} months or more"
    if children == 0:
        return f"At {day_text(day)}, no child had {on}."
    if withheld(children, publish):
        return f"At {day_text(day)}, {FEWER_THAN} children had {on}."
    families_part = _in_families(families_count, publish)
    return f"At {day_text(day)}, {counted(children, 'children')} had {on}{families_part}."


def reaching(
    day: dt.date,
    *,
    by: dt.date,
    weeks: int,
    children: int,
    families_count: int | None,
    publish: bool,
) -> str:
    """'5 children will reach 2 years on their current plan by 23 January 2019 (within 12
    weeks of 31 October 2018).'"""
    within = f"by {day_text(by)} (within {weeks} weeks of {day_text(day)})"
    if children == 0:
        return f"No child on a plan will reach 2 years on it {within}."
    if withheld(children, publish):
        return (
            f"{FEWER_THAN.capitalize()} children will reach 2 years on their current plan {within}."
        )
    said = counted(children, "children")
    return (
        f"{said[0].upper()}{said[1:]} will reach 2 years on their current plan {within}"
        f"{_in_families(families_count, publish)}."
    )


def overdue_reviews(day: dt.date, children: int | None, *, publish: bool) -> str:
    """Children whose review conference is overdue at the month end (None: the extract has no
    review dates)."""
    if children is None:
        return "The extract has no review dates, so overdue reviews are not reported."
    if children == 0:
        return f"At {day_text(day)}, no child on a plan had a review conference overdue."
    return (
        f"At {day_text(day)}, {_some(children, publish)} on a plan had a review conference overdue."
    )


def overdue_visits(day: dt.date, children: int | None, *, publish: bool) -> str:
    """Children whose statutory visit is overdue (None: no visit records)."""
    if children is None:
        return "The extract has no visit records, so overdue visits are not reported."
    if children == 0:
        return f"At {day_text(day)}, no child on a plan had a visit overdue."
    return f"At {day_text(day)}, {_some(children, publish)} on a plan had a visit overdue."


def _and(parts: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
