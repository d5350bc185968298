"""What a command does once its options are parsed: settings precedence, load, compute.

Kept apart from cli.py so that the orchestration is testable without typer, and apart from
api.py so that the library API stays free of command-line concerns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO, cast

import polars as pl

from cpmetrics import CONFIG_NAME
from cpmetrics import schema as s
from cpmetrics.api import load_plans
from cpmetrics.config import Settings, load_settings
from cpmetrics.dates import DateOrder
from cpmetrics.engine import Options, Population, RepeatRule, Result, compute
from cpmetrics.errors import DataError, UsageError
from cpmetrics.guard import (
    DEFAULT_MAX_EXCLUDED_PCT,
    column_alarms,
    exclusion_alarms,
    linked_alarms,
    missing_reviews_alarms,
)
from cpmetrics.periods import Period
from cpmetrics.reference import (
    Comparison,
    attach_comparators,
    compare_with,
    load_reference,
    neighbour_gaps,
)
from cpmetrics.render import Format
from cpmetrics.suppress import suppress, suppress_groups
from cpmetrics.trend import Trend, build_trend
from cpmetrics.validate import FINDING_COLUMNS, Validated, ValidationReport
from cpmetrics.visits import VisitInterval

Notify = Callable[[str], None] | None
PeriodChoice = Callable[[dt.date], Period]  # a period named 'latest', given the extract date
_REPEAT_RULES = ("either", "history", "count", "within")


@dataclass(frozen=True)
class CommandSettings:
    """Settings after precedence: command line > config file > defaults."""

    input: list[Path]  # one file, several or folders of them, read as one extract
    extract_date: dt.date | None  # None: the date a CIN census file states, else today
    population: Population
    options: Options
    settings: Settings
    comparison: Comparison | None = None
    date_order: DateOrder | None = None
    sheet: str | None = None
    max_excluded_pct: float = DEFAULT_MAX_EXCLUDED_PCT
    reviews: tuple[Path, ...] = ()  # review records beside the plans (files or folders)
    visits: tuple[Path, ...] = ()

    @classmethod
    def resolve(
        cls,
        *,
        input: Path | list[Path] | None,
        config: Path | None,
        extract_date: dt.date | None = None,
        population: int | None = None,
        repeat_rule: str | None = None,
        repeat_within: int | None = None,
        duration_days: bool | None = None,
        la: str | None = None,
        reference: list[Path] | None = None,
        date_order: str | None = None,
        sheet: str | None = None,
        max_excluded_pct: float | None = None,
        reviews: list[Path] | None = None,
        visits: list[Path] | None = None,
        visit_interval: str | None = None,
    ) -> CommandSettings:
        settings = load_settings(config)
        given = input or settings.input
        path = [given] if isinstance(given, Path) else list(given or [])
        if not path:
            raise UsageError(
                f"no input file: give one (cpmetrics compute --month 2018-10 plans.csv) "
                f"or set 'input' in {CONFIG_NAME}"
            )
        settings = _for_input(settings, path)
        rule = repeat_rule or settings.repeat_rule
        if rule not in _REPEAT_RULES:
            raise UsageError(f"--repeat-rule must be one of {', '.join(_REPEAT_RULES)}")
        if repeat_within is not None and rule != "within":
            raise UsageError("--repeat-within only applies with --repeat-rule within")
        comparison = _comparison(la or settings.la, reference or settings.reference, settings)
        # Precedence, command line before config: --population, --la (ONS), the config's
        # figures, the config's la (ONS).
        configured = settings.population is not None or bool(settings.population_by_year)
        ons = comparison.reference.population_by_mid_year(comparison.area) if comparison else {}
        if population is not None:
            pop = Population(fixed=population)
        elif ons and (la is not None or not configured):
            # DfE's practice: the ONS mid-year Y-1 estimate for the year ending March Y.
            assert comparison is not None
            pop = Population(by_mid_year=ons, source=f"ONS, {comparison.area.name}")
        elif configured:
            pop = Population(
                fixed=settings.population,
                by_mid_year=settings.population_by_year,
                source=f"from {settings.source}" if settings.source else "",
            )
        else:
            pop = Population()
        options = Options(
            repeat_rule=cast(RepeatRule, rule),
            repeat_within_months=repeat_within or settings.repeat_within_months,
            duration_days=settings.duration_days if duration_days is None else duration_days,
            transfer_in=tuple(settings.transfer_in),
            transfer_out=tuple(settings.transfer_out),
            visit_interval=VisitInterval.parse(visit_interval or settings.visit_interval),
        )
        return cls(
            input=path,
            extract_date=extract_date or settings.extract_date,
            population=pop,
            options=options,
            settings=settings,
            comparison=comparison,
            date_order=_date_order(date_order) or settings.date_order,
            sheet=sheet or settings.sheet,
            max_excluded_pct=settings.max_excluded_pct
            if max_excluded_pct is None
            else max_excluded_pct,
            reviews=_paths(reviews, settings.reviews),
            visits=_paths(visits, settings.visits),
        )


def _paths(given: list[Path] | None, configured: Path | list[Path] | None) -> tuple[Path, ...]:
    """Files from the command line, else from the config."""
    chosen = given or configured
    return tuple([chosen] if isinstance(chosen, Path) else chosen or [])


# Settings that describe one extract and its authority, rather than how to compute.
_ABOUT_THE_EXTRACT = (
    "extract_date",
    "population",
    "population_by_year",
    "la",
    "neighbours",
    "reviews",
    "visits",
)


def _for_input(settings: Settings, path: list[Path]) -> Settings:
    """A config that names its input describes that extract: its extract date, population and
    authority are not applied to another file named on the command line (the shipped config
    describes the synthetic sample, and its figures must not leak into a real extract)."""
    if settings.input is None or _same_files(settings.input, path):
        return settings
    ignored = [k for k in _ABOUT_THE_EXTRACT if getattr(settings, k)]
    if not ignored:
        return settings
    cleared = settings.model_copy(
        update={
            "extract_date": None,
            "population": None,
            "population_by_year": {},
            "la": None,
            "neighbours": [],
            "reviews": None,
            "visits": None,
            "ignored": tuple(ignored),
        }
    )
    return cleared


def _names(paths: Path | list[Path] | None) -> str:
    return " ".join(map(str, paths if isinstance(paths, list) else [paths]))


def _same_files(a: Path | list[Path], b: list[Path]) -> bool:
    first = [a] if isinstance(a, Path) else a
    return len(first) == len(b) and all(_same_file(x, y) for x, y in zip(first, b, strict=True))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


def _date_order(text: str | None) -> DateOrder | None:
    if text is None:
        return None
    wanted = text.strip().lower()
    if wanted not in ("dmy", "mdy"):
        raise UsageError("--dates must be dmy (day first, as in the UK) or mdy (month first)")
    return cast(DateOrder, wanted)


def _comparison(la: str | None, paths: list[Path], settings: Settings) -> Comparison | None:
    """The authority and its comparators, from the bundled DfE/ONS open data (read only here,
    when an authority is named) and any newer files given, which replace the bundled ones."""
    if la is None:
        if settings.neighbours:
            raise UsageError("statistical neighbours are set but not the authority: give --la")
        return None
    data = load_reference(paths)
    own = settings.neighbours
    # The config's neighbours belong to the config's authority, not to another given by --la
    # (that one gets the DfE model's neighbours).
    if own and settings.la is not None and data.find(settings.la) != data.find(la):
        own = []
    chosen_in = str(settings.source or CONFIG_NAME)
    return compare_with(data, la, own, chosen_in=chosen_in)


def load(request: CommandSettings) -> Validated:
    return load_plans(
        request.input,
        extract_date=request.extract_date,
        columns=request.settings.columns,
        date_order=request.date_order,
        sheet=request.sheet,
        open_markers=request.settings.open_markers,
        reviews=request.reviews,
        visits=request.visits,
        record_columns={
            "reviews": request.settings.reviews_columns,
            "visits": request.settings.visits_columns,
        },
    )


def load_checked(request: CommandSettings, *, strict: bool, notify: Notify) -> Validated:
    """Load and validate; stop with a data error when nothing can be computed."""
    # (A missing file is the only thing worth saying about it: no notes before that error.)
    if notify and request.settings.source is not None and all(p.exists() for p in request.input):
        when = f"; extract date {request.extract_date}" if request.extract_date else ""
        notify(f"settings from {request.settings.source}{when}")
        if request.settings.ignored:
            notify(
                f"{request.settings.source} describes {_names(request.settings.input)}, so its "
                f"{', '.join(request.settings.ignored)} are not used for "
                f"{_names(request.input)} "
                "(give them on the command line)"
            )
    loaded = load(request)
    report = loaded.report
    if notify:
        if request.extract_date is None and report.extract_date_known:
            several = len(report.plan_sources) > 1
            notify(
                f"extract date {report.extract_date}: the census ReferenceDate in the "
                + ("latest file" if several else "file")
            )
        notify(f"{report.source}: {report.summary()}")
        for note in report.optional_columns():
            notify(note)
    if strict and report.count_at("error"):
        raise DataError(
            f"{report.source}: {report.count_at('error')} error(s) and --strict is set; "
            f"see 'cpmetrics validate {report.source}'"
        )
    if report.input_rows == 0:
        raise DataError(f"{report.source}: the file holds no plans (no rows or plan elements)")
    if report.used_rows == 0:
        raise DataError(
            f"{report.source}: none of the {report.input_rows:,} rows can be used; "
            f"see 'cpmetrics validate {report.source}'"
        )
    return loaded


def input_alarms(request: CommandSettings, loaded: Validated) -> list[str]:
    """What makes the input look wrong enough that the exit code must say so."""
    return [
        *exclusion_alarms(
            loaded.report,
            request.max_excluded_pct,
            open_plans=loaded.timeline[s.END_DATE].null_count(),
        ),
        *column_alarms(loaded.report, request.options),
        *linked_alarms(loaded.report, request.max_excluded_pct),
        *missing_reviews_alarms(loaded.timeline, _known_extract_date(loaded)),
    ]


def _tell(notes: Iterable[str], notify: Notify) -> None:
    if notify:
        for note in notes:
            notify(note)


def resolve_period(period: Period | PeriodChoice, loaded: Validated, notify: Notify) -> Period:
    """A period given as 'latest', chosen once the extract date is known (for the report)."""
    return _resolve(period, loaded, notify)


def _resolve(period: Period | PeriodChoice, loaded: Validated, notify: Notify) -> Period:
    """A period given as 'latest' is chosen once the extract date is known."""
    if isinstance(period, Period):
        return period
    report = loaded.report
    if report.extract_date_known and report.extract_date:
        by, day = "the extract date", report.extract_date
    else:  # today's date says nothing about an extract that may be months old
        by, day = "the last date in the extract (no extract date given)", _data_dates(loaded)[1]
    chosen = period(day)
    _tell([f"latest: {chosen.label}, the last complete period by {by}, {day}"], notify)
    return chosen


def _data_dates(loaded: Validated) -> tuple[dt.date, dt.date]:
    """The first start and the last date among the plans used (start, end, and the dates of
    their reviews and visits)."""
    timeline = loaded.timeline
    dates = [pl.col(s.START_DATE).max(), pl.col(s.END_DATE).max()]
    if s.VISIT_LIST in timeline.columns:
        dates.append(pl.col(s.VISIT_LIST).explode().max())
    if s.LATEST_REVIEW in timeline.columns:
        dates.append(pl.col(s.LATEST_REVIEW).max())
    dates.append(pl.lit(loaded.plans[s.REVIEW_LIST].explode().max(), pl.Date))
    first, last = timeline.select(
        pl.col(s.START_DATE).min().alias("first"), pl.max_horizontal(dates).alias("last")
    ).row(0)
    return first, last


def _beyond_extract_date(loaded: Validated, periods: list[Period]) -> list[str]:
    """Periods ending after the extract was taken: their figures miss what happened later."""
    extract_date = loaded.report.extract_date
    late = [p.label for p in periods if extract_date and p.end > extract_date]
    if not late:
        return []
    return [
        f"warning: {_some(late)} {'ends' if len(late) == 1 else 'end'} after the extract "
        f"date {extract_date}: plans started or ended after that date are not in the "
        "extract, so these figures are incomplete"
    ]


def _outside_data(loaded: Validated, periods: list[Period]) -> list[str]:
    """Periods wholly after the last date the extract holds, or before its first plan: the
    figures are a stale snapshot or all zero, whatever the extract date says (with no config
    it is today), so the run must not pass as clean."""
    first, last = _data_dates(loaded)
    report = loaded.report
    if report.extract_date_known and report.extract_date and loaded.plans[s.END_DATE].null_count():
        # Open plans run to the extract date: the extract speaks for every day up to it.
        last = max(last, report.extract_date)
    alarms = []
    after = [p.label for p in periods if last and p.start > last]
    if after:
        alarms.append(
            f"{_some(after)} {'starts' if len(after) == 1 else 'start'} after the last date in "
            f"the extract ({last}): its figures are the last known position carried forward; "
            "is the extract older than the period?"
        )
    before = [p.label for p in periods if first and p.end < first]
    if before:
        alarms.append(
            f"{_some(before)} {'ends' if len(before) == 1 else 'end'} before the extract's "
            f"first plan starts ({first}): its figures cannot include earlier plans"
        )
    return alarms


def _some(labels: list[str]) -> str:
    return ", ".join(labels[:3]) + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")


def run_compute(
    request: CommandSettings,
    period: Period | PeriodChoice,
    *,
    strict: bool = False,
    publish: bool = False,
    notify: Notify = None,
) -> tuple[Result, str, list[str]]:
    """Load, check and compute one period; returns the result, a title for tables, and the
    alarms that make an unattended run exit 1 once the figures are written."""
    loaded = load_checked(request, strict=strict, notify=notify)
    period = _resolve(period, loaded, notify)
    result = compute(
        loaded.timeline, [period], population=request.population, options=request.options
    )
    _tell([*result.notes, *_beyond_extract_date(loaded, [period])], notify)
    title = f"Child protection plans, {period.label} ({period.start} to {period.end})"
    if request.comparison is not None:
        result = Result(attach_comparators(result.table, request.comparison), result.notes)
        gaps = neighbour_gaps(request.comparison, [period.end])
        _tell([*request.comparison.describe(), *gaps], notify)
        title += f", {request.comparison.area.name}"
    if publish:
        result = Result(suppress(result.table), result.notes)
        _tell(["publication mode: counts of 1 to 5 and figures from them are shown as c"], notify)
    return result, title, [*input_alarms(request, loaded), *_outside_data(loaded, [period])]


def run_trend(
    request: CommandSettings,
    whole: Period | PeriodChoice,
    *,
    by: str = "month",
    strict: bool = False,
    publish: bool = False,
    notify: Notify = None,
) -> tuple[Trend, str, list[str]]:
    """Load, check and compute every measure for each period in ``whole``, plus the YTD; and
    the alarms, as for ``run_compute``."""
    loaded = load_checked(request, strict=strict, notify=notify)
    return trend_of(request, loaded, whole, by=by, publish=publish, notify=notify)


def trend_of(
    request: CommandSettings,
    loaded: Validated,
    whole: Period | PeriodChoice,
    *,
    by: str = "month",
    publish: bool = False,
    notify: Notify = None,
) -> tuple[Trend, str, list[str]]:
    """``run_trend`` on an extract already loaded and checked (the report reads it once)."""
    whole = _resolve(whole, loaded, notify)
    trend = build_trend(
        loaded.timeline,
        whole,
        by=by,
        population=request.population,
        options=request.options,
        targets=request.settings.targets,
    )
    reshaped = []
    if (trend.periods[0].start, trend.periods[-1].end) != (whole.start, whole.end):
        reshaped.append(
            f"the trend covers whole periods: {trend.periods[0].start} to {trend.periods[-1].end}"
        )
    _tell(
        [
            *trend.notes,
            *reshaped,
            *_beyond_extract_date(loaded, list(trend.periods)),
        ],
        notify,
    )
    first, last = trend.periods[0], trend.periods[-1]
    title = f"Child protection plans, {first.label} to {last.label}"
    # Trend output always carries the comparator columns, so its CSV columns never change.
    trend = replace(trend, table=attach_comparators(trend.table, request.comparison))
    if request.comparison is not None:
        gaps = neighbour_gaps(request.comparison, trend.table["period_end"].to_list())
        _tell([*request.comparison.describe(), *gaps], notify)
        title += f", {request.comparison.area.name}"
    if publish:
        trend = replace(trend, table=suppress(trend.table))
        _tell(["publication mode: counts of 1 to 5 and figures from them are shown as c"], notify)
    alarms = [*input_alarms(request, loaded), *_outside_data(loaded, list(trend.periods))]
    return trend, title, alarms


def findings_table(report: ValidationReport) -> pl.DataFrame:
    """Every finding, with the file named on each (as CSV, JSON and a workbook have them)."""
    # The file's own heading beside the canonical name: analysts look for their column.
    headers = {canonical: header for header, canonical in report.columns.items()}
    plan_heading = pl.col("column").replace_strict(
        headers, default=pl.col("column"), return_dtype=pl.String
    )
    # A reviews or visits file's findings: that file's own headings.
    first = len(report.plan_sources)
    linked = {
        f"{i}:{canonical}": header
        for i, records in enumerate(report.linked, start=first)
        for header, canonical in records.columns.items()
    }
    heading = pl.format("{}:{}", pl.col("_file"), pl.col("column")).replace_strict(
        linked, default=plan_heading, return_dtype=pl.String
    )
    return report.findings.select(
        report.file_names().alias("file"), *FINDING_COLUMNS, heading.alias("header")
    )


def write_findings(report: ValidationReport, fmt: Format, stream: TextIO, *, limit: int) -> None:
    """Findings as CSV/JSON (all, with the file named on each) or a table for people."""
    findings = findings_table(report)
    if fmt is Format.csv:
        from cpmetrics.render.csv import write_csv

        write_csv(findings, stream)
    elif fmt is Format.json:
        import json

        json.dump(
            {
                "file": report.source,
                "input_rows": report.input_rows,
                "used_rows": report.used_rows,
                "excluded_rows": report.excluded_rows,
                "excluded_by_rule": report.excluded_by_rule,
                "findings_by_rule": report.counts_by_rule(),
                "findings": findings.to_dicts(),
            },
            stream,
            indent=2,
        )
        stream.write("\n")
    else:
        from cpmetrics.render.findings import write_findings_table

        write_findings_table(report, stream, limit=limit)


def load_facts(
    request: CommandSettings, *, strict: bool, notify: Notify
) -> tuple[Validated, pl.DataFrame]:
    """Load and check the extract, and work out each plan's facts (records.plan_facts)."""
    from cpmetrics.records import plan_facts

    loaded = load_checked(request, strict=strict, notify=notify)
    return loaded, plan_facts(loaded.plans, loaded.timeline, request.options)


def run_breakdown(
    request: CommandSettings,
    period: Period | PeriodChoice,
    by: str,
    *,
    by_month: bool = False,
    strict: bool = False,
    publish: bool = False,
    notify: Notify = None,
) -> tuple[pl.DataFrame, str, list[str]]:
    """Breakdown of ``period`` by ``by`` (``by_month``: one block for each month in it, the
    first and last cut to the days given)."""
    from cpmetrics.breakdowns import DIMENSION_COLUMNS, breakdown, check_totals
    from cpmetrics.periods import months

    loaded, facts = load_facts(request, strict=strict, notify=notify)
    whole = _resolve(period, loaded, notify)
    blocks = (
        [
            Period(max(m.start, whole.start), min(m.end, whole.end), m.label)
            for m in months(whole, whole)
        ]
        if by_month
        else [whole]
    )
    missing = [c for c in DIMENSION_COLUMNS.get(by, ()) if c not in loaded.report.columns.values()]
    _tell(
        [f"the extract has no {c} column: every record is 'not recorded'" for c in missing],
        notify,
    )
    # The groups are held to the engine's figures, not to the records they came from.
    figures = compute(loaded.timeline, blocks, options=request.options).table
    tables = []
    for block in blocks:
        table = breakdown(facts, block, by, others=loaded.others, headings=loaded.report.columns)
        rows = figures.filter(pl.col("period_start") == block.start)
        expected = {
            m: (n, None if m == "rate_per_10k" else d)
            for m, n, d in rows.select("measure", "numerator", "denominator").iter_rows()
        }
        _tell([f"warning: {p}" for p in check_totals(table, expected)], notify)
        tables.append(table)
    title = f"Child protection plans by {by}, {whole.label}"
    alarms = [*input_alarms(request, loaded), *_outside_data(loaded, blocks)]
    table = pl.concat(tables)
    if publish:
        table = suppress_groups(table)
        _tell(["publication mode: counts of 1 to 5 and figures from them are shown as c"], notify)
    return table, title, alarms


def _known_extract_date(loaded: Validated) -> dt.date:
    """The extract date when given or stated; else the last date in the extract (today says
    nothing about an extract that may be months old)."""
    report = loaded.report
    if report.extract_date_known and report.extract_date:
        return report.extract_date
    return _data_dates(loaded)[1]


def run_watchlist(
    request: CommandSettings,
    on: dt.date | None,
    *,
    months: int | None,
    reaching_within: dt.timedelta | None,
    columns: list[str],
    strict: bool = False,
    notify: Notify = None,
) -> tuple[pl.DataFrame, str, list[str]]:
    """The children on a plan on ``on`` (default: the extract date) past ``months``, or
    reaching two years within ``reaching_within``."""
    from cpmetrics.lists import watchlist

    loaded, facts = load_facts(request, strict=strict, notify=notify)
    day = on or _known_extract_date(loaded)
    table = watchlist(
        facts,
        day,
        months=months,
        reaching_within=reaching_within,
        columns=columns,
        others=loaded.others,
        headings=loaded.report.columns,
    )
    what = (
        f"reaching 2 years by {day + reaching_within}"
        if reaching_within is not None
        else f"on a plan {months} months or more"
    )
    families = (
        f"in {table['family_id'].drop_nulls().n_unique():,} families"
        if "family_id" in loaded.report.columns.values()
        else "(the extract has no family ids)"
    )
    _tell([f"{table.height:,} children {what} on {day}, {families}"], notify)
    title = f"Children {what}, {day}"
    alarms = [*input_alarms(request, loaded), *_outside_data(loaded, [Period(day, day, str(day))])]
    return table, title, alarms


def run_explain(
    request: CommandSettings,
    measure: str,
    period: Period | PeriodChoice,
    *,
    strict: bool = False,
    notify: Notify = None,
) -> tuple[pl.DataFrame, str, list[str]]:
    """The records behind ``measure`` in ``period``, with the figure they make."""
    from cpmetrics.lists import explain
    from cpmetrics.records import MEASURE_RECORDS

    loaded, facts = load_facts(request, strict=strict, notify=notify)
    chosen = _resolve(period, loaded, notify)
    table = explain(facts, measure, chosen, repeat_rule=request.options.repeat_rule)
    numerator = int(table["in_numerator"].sum())
    has_denominator = MEASURE_RECORDS[measure].denominator is not None
    figure = f"{numerator:,} of {table.height:,}" if has_denominator else f"{numerator:,}"
    _tell([f"{measure}, {chosen.label}: {figure} ({table.height:,} records)"], notify)
    alarms = [*input_alarms(request, loaded), *_outside_data(loaded, [chosen])]
    return table, f"{measure}, {chosen.label}", alarms


def run_overdue(
    request: CommandSettings,
    on: dt.date | None,
    *,
    within: dt.timedelta | None,
    strict: bool = False,
    notify: Notify = None,
) -> tuple[pl.DataFrame, str, list[str]]:
    """Children whose next review or visit is overdue on ``on`` (default: the extract date),
    or falls due within ``within`` of it."""
    from cpmetrics.lists import overdue, overdue_known

    loaded, facts = load_facts(request, strict=strict, notify=notify)
    day = on or _known_extract_date(loaded)
    known = overdue_known(facts, day)
    if set(known.values()) == {"absent"}:
        raise DataError(
            f"{loaded.report.source}: no reviews or visits (a CIN census return's "
            "CPPreviewDate, a review_dates column, Annex A's latest review or visit, or "
            "--reviews / --visits files): nothing to say is overdue"
        )
    table = overdue(facts, day, within=within)
    late = table.filter(pl.col("days_overdue") > 0)
    counts = [
        f"{int((late['what'] == what).sum()):,} {what}s overdue"
        if state == "known"
        else f"{what}s not listed (their records begin, or are known only, after {day})"
        for what, state in known.items()
        if state != "absent"
    ]
    soon = f", {table.height - late.height:,} more due by {day + within}" if within else ""
    _tell([f"on {day}: {', '.join(counts)}{soon}"], notify)
    alarms = [*input_alarms(request, loaded), *_outside_data(loaded, [Period(day, day, str(day))])]
    return table, f"Reviews and visits overdue on {day}", alarms
