"""The monthly report from an extract: read and validated once, every figure from the library
functions the commands use (trend, breakdown, watchlist, overdue), so that the paper and the
commands never disagree. No format concerns here: the writers lay out the ``Report``.

Publication mode: the trend goes through ``suppress``, the breakdowns and the lists through
``suppress_groups``; a hidden figure reaches the model as None (``Point.suppressed``), so no
writer or sentence can leak it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from cpmetrics import records as r
from cpmetrics import schema as s
from cpmetrics.breakdowns import DIMENSION_COLUMNS, breakdown
from cpmetrics.errors import UsageError
from cpmetrics.periods import Period, month
from cpmetrics.reference import Comparison
from cpmetrics.report import sentences
from cpmetrics.report.model import (
    Comparator,
    MeasureReport,
    Point,
    Quality,
    Rag,
    Report,
    Table,
)
from cpmetrics.report.text import cell_text, day_text, month_text, withheld
from cpmetrics.runner import (
    CommandSettings,
    Notify,
    PeriodChoice,
    load_facts,
    resolve_period,
    trend_of,
)
from cpmetrics.suppress import MARK, SUPPRESSED, suppress_groups
from cpmetrics.trend import Trend
from cpmetrics.validate import RULES, Validated

MONTHS_BACK = 12  # the trend starts 12 months before the report month: last year's is in it
WATCH_MONTHS = 15  # the watchlist: on the current plan 15 months or more
REACHING_WEEKS = 12  # ... and those reaching two years within 12 weeks
WATCH_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("15 to 17 months", 15, 17),
    ("18 to 20 months", 18, 20),
    ("21 to 23 months", 21, 23),
    ("24 months or more", 24, None),
)


@dataclass(frozen=True)
class Built:
    """The report, and the alarms that make an unattended run exit 1 once it is written."""

    report: Report
    alarms: tuple[str, ...]


def build_report(
    request: CommandSettings,
    month: Period | PeriodChoice,
    *,
    start: Period | None = None,
    publish: bool = False,
    notify: Notify = None,
) -> Report:
    """The monthly report for ``month`` (a calendar month, or 'latest' as a function of the
    extract date), its trend from ``start`` (default: 12 months before)."""
    return build(request, month, start=start, publish=publish, notify=notify).report


def build(
    request: CommandSettings,
    month: Period | PeriodChoice,
    *,
    start: Period | None = None,
    publish: bool = False,
    strict: bool = False,
    notify: Notify = None,
    today: dt.date | None = None,
) -> Built:
    """``build_report`` with the alarms (see ``runner.input_alarms``)."""
    heard: list[str] = []

    def tell(note: str) -> None:
        heard.append(note)
        if notify:
            notify(note)

    loaded, facts = load_facts(request, strict=strict, notify=tell)
    chosen = _calendar_month(resolve_period(month, loaded, tell))
    trend, _, alarms = trend_of(
        request, loaded, report_span(chosen, start), publish=publish, notify=tell
    )
    flagged = r.at_period(r.within(facts, chosen), chosen)
    has_families = s.defined(facts, s.FAMILY_ID)
    behind = _families_behind(flagged) if has_families else {}
    measures = tuple(
        _with_families(m, behind.get(m.measure), publish)
        for m in measure_reports(trend, comparison=request.comparison)
    )
    measures = tuple(replace(m, sentences=sentences.for_measure(m)) for m in measures)
    lists, counts = _lists(loaded, facts, chosen.end, publish, has_families)
    report = Report(
        title=f"Child protection plans: {month_text(chosen.start)}",
        area=request.comparison.area.name if request.comparison else None,
        month=chosen.label,
        month_start=chosen.start,
        month_end=chosen.end,
        generated=today or dt.date.today(),
        suppressed=publish,
        measures=measures,
        breakdowns=_breakdowns(loaded, facts, chosen, publish, tell),
        lists=lists,
        watchlist_children=counts.shown(counts.watch, publish),
        watchlist_families=counts.shown(counts.watch_families, publish),
        overdue_reviews=counts.shown(counts.reviews, publish),
        overdue_visits=counts.shown(counts.visits, publish),
        quality=_quality(request, loaded, chosen, heard, alarms),
    )
    summary = (*sentences.opening(report), *counts.sentences(chosen.end, publish))
    if alarms:
        # Said first, not only among the notes at the end: the paper may be read no further.
        n = len(alarms)
        summary = (
            f"Check before use: the extract raised {n} warning{'s' if n > 1 else ''} that may "
            "make these figures wrong (see Data quality at the end).",
            *summary,
        )
    return Built(replace(report, summary=summary), tuple(alarms))


def _calendar_month(period: Period) -> Period:
    whole = month(period.start.year, period.start.month)
    if (period.start, period.end) != (whole.start, whole.end):
        raise UsageError(f"the report is for one calendar month (YYYY-MM), not {period.label}")
    return whole


def report_span(chosen: Period, start: Period | None) -> Period:
    """From the month of ``start`` (default: the same month last year) to ``chosen``."""
    first = (
        dt.date(chosen.start.year - MONTHS_BACK // 12, chosen.start.month, 1)
        if start is None
        else start.start.replace(day=1)
    )
    if first > chosen.start:
        raise UsageError(f"--from {start.label if start else first} is after {chosen.label}")
    return Period(first, chosen.end, f"{first} to {chosen.end}")


# --- Measures -------------------------------------------------------------------------------


def measure_reports(
    trend: Trend, *, comparison: Comparison | None = None
) -> tuple[MeasureReport, ...]:
    """One ``MeasureReport`` per measure of a monthly trend (``runner.trend_of``), the last
    month being the report month; no families and no sentences yet."""
    table = trend.table
    out = []
    for (measure,), rows in table.group_by("measure", maintain_order=True):
        monthly = rows.filter(pl.col("period_type") == "month").sort("period_start")
        if monthly.is_empty():
            continue
        points = tuple(_point(row) for row in monthly.iter_rows(named=True))
        latest = monthly.row(-1, named=True)
        ytd_rows = rows.filter(pl.col("period_type") == "ytd")
        ytd = ytd_rows.row(0, named=True) if ytd_rows.height else None
        a_year_ago = points[-1].period_start.replace(year=points[-1].period_start.year - 1)
        out.append(
            MeasureReport(
                measure=str(measure),
                label=latest["label"],
                unit=latest["unit"],
                months=points,
                ytd=_point(ytd) if ytd else None,
                same_month_last_year=next(
                    (p for p in points if p.period_start == a_year_ago), None
                ),
                target=latest["target"],
                rag=_rag(latest),
                ytd_rag=_rag(ytd) if ytd else None,
                comparators=_comparators(latest, comparison),
            )
        )
    return tuple(out)


def _point(row: dict[str, object]) -> Point:
    label = str(row["period"]).split(" to ")[0]  # 'YTD 2018-19 to 2018-10-31' -> 'YTD 2018-19'
    start, end = row["period_start"], row["period_end"]
    assert isinstance(start, dt.date) and isinstance(end, dt.date)
    if row.get(SUPPRESSED):
        return Point(label, start, end, None, None, None, suppressed=True)
    value, numerator, denominator = row["value"], row["numerator"], row["denominator"]
    return Point(
        label,
        start,
        end,
        float(value) if isinstance(value, int | float) else None,
        int(numerator) if isinstance(numerator, int) else None,
        int(denominator) if isinstance(denominator, int) else None,
    )


def _rag(row: dict[str, object]) -> Rag | None:
    rating = row.get("rag")
    if row.get(SUPPRESSED) or rating not in ("R", "A", "G"):
        return None  # green beside a hidden figure would say it is under the target
    return rating


def _comparators(row: dict[str, object], comparison: Comparison | None) -> tuple[Comparator, ...]:
    year = row.get("comparator_year")
    if comparison is None or not year:
        return ()
    if row.get("comparator_note"):  # the published counts over ONS estimates, not a rate as such
        year = f"{year}, recomputed from the published counts"
    found = [Comparator("England", _float(row.get("england")), str(year))]
    if comparison.area.region_name:
        found.append(Comparator(comparison.area.region_name, _float(row.get("region")), str(year)))
    if comparison.neighbours:
        found.append(Comparator("Statistical neighbours", _float(row.get("neighbours")), str(year)))
    return tuple(found)


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _families_behind(flagged: pl.DataFrame) -> dict[str, int]:
    """The distinct families (by family id) among each measure's counted records in the
    month: the sibling groups behind a figure (a record without a family id is in none)."""
    sets = {c.numerator for c in r.MEASURE_RECORDS.values()}
    family = pl.col(s.FAMILY_ID)
    found = flagged.select(
        family.filter(pl.col(flag) & family.is_not_null()).n_unique().alias(flag) for flag in sets
    ).row(0, named=True)
    return {
        measure: int(found[counted.numerator])
        for measure, counted in r.MEASURE_RECORDS.items()
        if measure != "rate_per_10k"  # the same children as children_on_plan
    }


def _with_families(measure: MeasureReport, count: int | None, publish: bool) -> MeasureReport:
    if count is None or measure.unit == "families" or measure.latest.suppressed:
        return measure
    return replace(measure, families=None if withheld(count, publish) else count)


# --- Breakdowns of the month ----------------------------------------------------------------

# dimension -> the first column's heading, then (measure, breakdown dimension, heading) pairs.
_LAYOUT = {
    "duration": (
        "Duration of the plan",
        (
            ("children_on_plan", "duration", "Children on a plan"),
            ("plans_ended", "duration", "Plans ended"),
        ),
    ),
    "category": (
        "Category of abuse",
        (
            ("plans_started", s.INITIAL_CATEGORY, "Plans started (initial category)"),
            ("children_on_plan", s.LATEST_CATEGORY, "Children on a plan (latest category)"),
        ),
    ),
    "age": (
        "Age",
        (
            ("children_on_plan", "age", "Children on a plan (age at the month end)"),
            ("plans_started", "age at start", "Plans started (age at the start)"),
        ),
    ),
}


def _breakdown_titles(chosen: Period) -> dict[str, tuple[str, str]]:
    day, month_name = day_text(chosen.end), month_text(chosen.start)
    return {
        "duration": (
            "How long plans had lasted",
            f"Children on a plan at {day} by how long their current plan had lasted (the DfE "
            f"D5 bands), and plans ended in {month_name} by how long they had lasted (D7); "
            "each band's share of its total.",
        ),
        "category": (
            "Category of abuse",
            f"Plans started in {month_name} by their initial category, and children on a plan "
            f"at {day} by the latest category (DfE D2 and D4).",
        ),
        "age": (
            "Age",
            f"Children on a plan at {day} by their age on that day, and plans started in "
            f"{month_name} by the child's age at the start.",
        ),
    }


def _breakdowns(
    loaded: Validated, facts: pl.DataFrame, chosen: Period, publish: bool, tell: Notify
) -> tuple[Table, ...]:
    """Duration bands, category and age for the report month, where the extract has the
    columns they need (said in the quality notes otherwise)."""
    columns = set(loaded.report.columns.values())
    titles = _breakdown_titles(chosen)
    tables = []
    for by, (first, parts) in _LAYOUT.items():
        missing = [c for c in DIMENSION_COLUMNS.get(by, ()) if c not in columns]
        if missing:
            if tell:
                tell(f"the extract has no {', '.join(missing)}: no breakdown by {by}")
            continue
        long = breakdown(facts, chosen, by, others=loaded.others, headings=loaded.report.columns)
        long = (
            suppress_groups(long) if publish else long.with_columns(pl.lit(False).alias(SUPPRESSED))
        )
        title, description = titles[by]
        tables.append(Table(title, _side_by_side(long, first, parts, publish), description))
    return tuple(tables)


def _side_by_side(
    long: pl.DataFrame, first: str, parts: tuple[tuple[str, str, str], ...], publish: bool
) -> pl.DataFrame:
    """Two measures' groups side by side: the group, then each measure's count and share,
    with a total row (the headline figure)."""
    cells: dict[str, dict[str, tuple[int, float | None, bool]]] = {}
    totals: list[int] = []
    groups: list[str] = []
    for measure, dimension, _ in parts:
        rows = long.filter((pl.col("measure") == measure) & (pl.col("dimension") == dimension))
        found = {}
        for group, n, share, hidden in rows.select(
            "group", "numerator", "value", SUPPRESSED
        ).iter_rows():
            found[group] = (int(n), share, bool(hidden))
            if group not in groups:
                groups.append(group)
        cells[measure + dimension] = found
        totals.append(int(rows["numerator"].sum()))
    columns: dict[str, list[object]] = {first: [*groups, "Total"]}
    for (measure, dimension, heading), total in zip(parts, totals, strict=True):
        found = cells[measure + dimension]
        counts: list[object] = []
        shares: list[object] = []
        for group in groups:
            n, share, hidden = found.get(group, (0, 0.0 if total else None, False))
            counts.append(MARK if hidden else n)
            shares.append(MARK if hidden else share)
        hidden_total = withheld(total, publish)
        counts.append(MARK if hidden_total else total)
        shares.append(MARK if hidden_total else (100.0 if total else None))
        columns[heading] = counts
        columns[f"{heading}, %"] = shares
    return pl.DataFrame({name: _typed(values) for name, values in columns.items()}, strict=False)


def _typed(values: list[object]) -> pl.Series:
    """Numbers as numbers; a column with a suppressed cell as text, 'c' in it (the model's
    rule for tables), its numbers written as a table shows them (report.text: '1,234', '23.5')."""
    if not any(isinstance(v, str) for v in values):
        return pl.Series(values, strict=False)
    return pl.Series(
        [v if v is None or isinstance(v, str) else cell_text(v) for v in values], dtype=pl.String
    )


# --- Lists for managers ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Counts:
    watch: int
    watch_families: int | None
    reaching: int
    reaching_families: int | None
    reviews: int | None  # None: no review dates
    visits: int | None  # None: no visit records

    @staticmethod
    def shown(count: int | None, publish: bool) -> int | None:
        return None if withheld(count, publish) else count

    def sentences(self, day: dt.date, publish: bool) -> tuple[str, ...]:
        by = day + dt.timedelta(weeks=REACHING_WEEKS)
        return (
            sentences.watchlist(
                day,
                months=WATCH_MONTHS,
                children=self.watch,
                families_count=self.watch_families,
                publish=publish,
            ),
            sentences.reaching(
                day,
                by=by,
                weeks=REACHING_WEEKS,
                children=self.reaching,
                families_count=self.reaching_families,
                publish=publish,
            ),
            sentences.overdue_reviews(day, self.reviews, publish=publish),
            sentences.overdue_visits(day, self.visits, publish=publish),
        )


def _lists(
    loaded: Validated, facts: pl.DataFrame, day: dt.date, publish: bool, has_families: bool
) -> tuple[tuple[Table, ...], _Counts]:
    """The watchlist (15 months or more, and reaching two years within 12 weeks) and overdue
    reviews at the month end, as counts: the names stay in ``cpmetrics watchlist``."""
    from cpmetrics.lists import overdue, overdue_known, watchlist

    def families_in(table: pl.DataFrame) -> int | None:
        return table["family_id"].drop_nulls().n_unique() if has_families else None

    # Only the plans open on the day can be on a list; the report counts them, so the plan
    # numbers the lists also give (which need each child's whole history) are not needed.
    open_then = r.within(facts, Period(day, day, str(day)))
    long = watchlist(open_then, day, months=WATCH_MONTHS)
    soon = watchlist(
        open_then, day, months=None, reaching_within=dt.timedelta(weeks=REACHING_WEEKS)
    )
    # Overdue reviews and visits, where the extract has them (None: it has none).
    late = overdue(facts, day)
    known = overdue_known(facts, day)
    found = {
        what: late.filter(pl.col("what") == what) if known[what] == "known" else None
        for what in ("review", "visit")
    }
    reviews, visits = found["review"], found["visit"]
    counts = _Counts(
        long.height,
        families_in(long),
        soon.height,
        families_in(soon),
        None if reviews is None else reviews.height,
        None if visits is None else visits.height,
    )
    reviews_families = None if reviews is None else families_in(reviews)
    visits_families = None if visits is None else families_in(visits)
    by = day + dt.timedelta(weeks=REACHING_WEEKS)
    rows: list[tuple[str, int, int | None]] = [
        (f"On the current plan {WATCH_MONTHS} months or more", counts.watch, counts.watch_families),
        (
            f"Reaching 2 years on the plan by {day_text(by)} ({REACHING_WEEKS} weeks)",
            counts.reaching,
            counts.reaching_families,
        ),
    ]
    if counts.reviews is not None:
        rows.append(("Review conference overdue", counts.reviews, reviews_families))
    if counts.visits is not None:
        rows.append(("Visit overdue", counts.visits, visits_families))

    def cell(n: int | None) -> object:
        return MARK if withheld(n, publish) else n

    summary = pl.DataFrame(
        {
            "List": [name for name, _, _ in rows],
            "Children": _typed([cell(n) for _, n, _ in rows]),
            # (No column of blanks for an extract without family ids.)
            **({"Families": _typed([cell(f) for _, _, f in rows])} if has_families else {}),
        },
        strict=False,
    )
    tables = [
        Table(
            f"Lists for managers at {day_text(day)}",
            summary,
            sentences.watchlist(
                day,
                months=WATCH_MONTHS,
                children=counts.watch,
                families_count=counts.watch_families,
                publish=publish,
            )
            + " The names are in cpmetrics watchlist and cpmetrics overdue.",
        ),
        Table(
            f"Children on the current plan {WATCH_MONTHS} months or more, by time on it",
            _watch_bands(long, day, publish),
            f"Whole calendar months on the current plan at {day_text(day)}.",
        ),
    ]
    return tuple(tables), counts


def _watch_bands(long: pl.DataFrame, day: dt.date, publish: bool) -> pl.DataFrame:
    months_on = long["months_on_plan"]
    counts = [
        int(((months_on >= low) & (months_on <= (high if high is not None else 10**6))).sum())
        for _, low, high in WATCH_BANDS
    ]
    frame = pl.DataFrame(
        {
            "measure": "watchlist",
            "dimension": "months",
            "period_start": day,
            "group": [name for name, _, _ in WATCH_BANDS],
            "numerator": counts,
            "denominator": sum(counts),
        }
    )
    hidden = suppress_groups(frame)[SUPPRESSED].to_list() if publish else [False] * len(WATCH_BANDS)
    return pl.DataFrame(
        {
            "Time on the current plan": [*frame["group"], "Total"],
            "Children": _typed(
                [
                    *(MARK if h else n for n, h in zip(counts, hidden, strict=True)),
                    MARK if withheld(sum(counts), publish) else sum(counts),
                ]
            ),
        },
        strict=False,
    )


# --- Where the figures come from ------------------------------------------------------------


def _quality(
    request: CommandSettings,
    loaded: Validated,
    chosen: Period,
    heard: list[str],
    alarms: Iterable[str],
) -> Quality:
    report = loaded.report
    files = tuple(Path(f).name for f in (report.sources or (report.source,)))
    excluded = sorted(
        (
            (f"{RULES[code].title} ({code})" if code in RULES else code, n)
            for code, n in report.excluded_by_rule.items()
            if n
        ),
        key=lambda pair: (-pair[1], pair[0]),
    )
    _, rate_population = request.population.for_reference_date(chosen.end)
    # Notes as the run said them, without the lines the quality section already holds, and
    # with file names only: the paper may travel.
    skip = ("settings from ", f"{report.source}: ")
    notes = [n for n in heard if not n.startswith(skip)]
    # Reviews and visits files: what was read, used and left out of each.
    notes += [
        linked.summary().replace(linked.source, Path(linked.source).name)
        for linked in report.linked
    ]
    notes += [f"warning: {a}" for a in alarms]
    return Quality(
        files=files,
        rows_read=report.input_rows,
        rows_used=report.used_rows,
        excluded=tuple(excluded),
        population=(
            "every plan in the extract that passed the checks, a child counted once at each "
            f"date (by the current plan); the rate per 10,000: {rate_population}"
        ),
        extract_date=report.extract_date if report.extract_date_known else None,
        notes=tuple(_for_readers(_names_only(n, request)) for n in notes),
    )


# The run's stderr lines that a committee reads too, said for them rather than the analyst.
_READER_WORDS = (
    (re.compile(r"^optional columns found: (.*?)(?:; not found: (.*))?$"), "_columns"),
    (re.compile(r"^not computed: ([a-z0-9_, ]+) \("), "_not_computed"),
    (re.compile(r"^repeat signals disagree"), "_repeats"),
    (re.compile(r"^rate_per_10k uses "), "_rate"),
)


def _for_readers(note: str) -> str:
    """A stderr note in a committee paper's words; one not recognised stays as it is."""
    from cpmetrics.measures import BY_ID

    for pattern, kind in _READER_WORDS:
        found = pattern.match(note)
        if not found:
            continue
        if kind == "_columns":
            names = re.sub(r"([a-z_]+) \('[^']*'\)", r"\1", found.group(1)).replace("_", " ")
            lacking = (found.group(2) or "").replace("_", " ")
            return f"Columns used besides child, start and end: {names}." + (
                f" Not in the extract: {lacking}." if lacking else ""
            )
        if kind == "_not_computed":
            labels = [
                BY_ID[m.strip()].label for m in found.group(1).split(",") if m.strip() in BY_ID
            ]
            return (
                "Not computed, for want of the records they need (reviews, visits): "
                + "; ".join(labels)
                + "."
            )
        if kind == "_repeats":
            return "Over the months of this report: " + note
        return "The rate per 10,000 " + note.removeprefix("rate_per_10k ")
    return note


def _names_only(note: str, request: CommandSettings) -> str:
    paths = [
        *request.input,
        *request.reviews,
        *request.visits,
        *([request.settings.source] if request.settings.source else []),
    ]
    for path in sorted(paths, key=lambda p: -len(str(p))):
        note = note.replace(str(path), Path(path).name)
    return note


# --- One measure's trend, for a chart on its own -------------------------------------------


def measure_trend(
    request: CommandSettings,
    measure: str,
    whole: Period | PeriodChoice,
    *,
    publish: bool = False,
    strict: bool = False,
    notify: Notify = None,
) -> tuple[MeasureReport, list[str]]:
    """One measure month by month over ``whole`` (targets, comparators, publication mode as
    in the report), and the alarms."""
    from cpmetrics.measures import BY_ID, not_defined
    from cpmetrics.runner import load_checked

    if measure not in BY_ID:
        raise UsageError(f"no measure '{measure}'; measures: {', '.join(BY_ID)}")
    loaded = load_checked(request, strict=strict, notify=notify)
    trend, _, alarms = trend_of(request, loaded, whole, publish=publish, notify=notify)
    found = measure_reports(trend, comparison=request.comparison)
    chosen = next((m for m in found if m.measure == measure), None)
    if chosen is None:
        raise UsageError(not_defined(measure))
    return chosen, alarms
