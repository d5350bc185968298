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

from cpmetrics.api import load_plans
from cpmetrics.config import CONFIG_NAME, Settings, load_settings
from cpmetrics.dates import DateOrder
from cpmetrics.engine import Options, Population, RepeatRule, Result, compute
from cpmetrics.errors import DataError, UsageError
from cpmetrics.periods import Period
from cpmetrics.reference import (
    Comparison,
    attach_comparators,
    compare_with,
    load_reference,
    neighbour_gaps,
)
from cpmetrics.render import Format
from cpmetrics.suppress import suppress
from cpmetrics.trend import Trend, build_trend
from cpmetrics.validate import FINDING_COLUMNS, Validated, ValidationReport

Notify = Callable[[str], None] | None
_REPEAT_RULES = ("either", "history", "count", "within")


@dataclass(frozen=True)
class CommandSettings:
    """Settings after precedence: command line > config file > defaults."""

    input: Path
    extract_date: dt.date | None  # None: the date a CIN census file states, else today
    population: Population
    options: Options
    settings: Settings
    comparison: Comparison | None = None
    date_order: DateOrder | None = None
    sheet: str | None = None

    @classmethod
    def resolve(
        cls,
        *,
        input: Path | None,
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
    ) -> CommandSettings:
        settings = load_settings(config)
        path = input or settings.input
        if path is None:
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
        )


# Settings that describe one extract and its authority, rather than how to compute.
_ABOUT_THE_EXTRACT = ("extract_date", "population", "population_by_year", "la", "neighbours")


def _for_input(settings: Settings, path: Path) -> Settings:
    """A config that names its input describes that extract: its extract date, population and
    authority are not applied to another file named on the command line (the shipped config
    describes the synthetic sample, and its figures must not leak into a real extract)."""
    if settings.input is None or _same_file(settings.input, path):
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
            "ignored": tuple(ignored),
        }
    )
    return cleared


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
    )


def load_checked(request: CommandSettings, *, strict: bool, notify: Notify) -> Validated:
    """Load and validate; stop with a data error when nothing can be computed."""
    # (A missing file is the only thing worth saying about it: no notes before that error.)
    if notify and request.settings.source is not None and request.input.exists():
        when = f"; extract date {request.extract_date}" if request.extract_date else ""
        notify(f"settings from {request.settings.source}{when}")
        if request.settings.ignored:
            notify(
                f"{request.settings.source} describes {request.settings.input}, so its "
                f"{', '.join(request.settings.ignored)} are not used for {request.input} "
                "(give them on the command line)"
            )
    loaded = load(request)
    report = loaded.report
    if notify:
        if request.extract_date is None and report.extract_date != dt.date.today():
            notify(f"extract date {report.extract_date}: the census ReferenceDate in the file")
        notify(f"{report.source}: {report.summary()}")
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


def _tell(notes: Iterable[str], notify: Notify) -> None:
    if notify:
        for note in notes:
            notify(note)


def _beyond_extract(extract_date: dt.date | None, periods: list[Period]) -> list[str]:
    """Periods ending after the extract was taken: their figures miss what happened later."""
    late = [p.label for p in periods if extract_date and p.end > extract_date]
    if not late:
        return []
    shown = ", ".join(late[:3]) + (f" and {len(late) - 3} more" if len(late) > 3 else "")
    return [
        f"warning: {shown} {'ends' if len(late) == 1 else 'end'} after the extract date "
        f"{extract_date}: plans started "
        "or ended after that date are not in the extract, so these figures are incomplete"
    ]


def run_compute(
    request: CommandSettings,
    period: Period,
    *,
    strict: bool = False,
    publish: bool = False,
    notify: Notify = None,
) -> tuple[Result, str]:
    """Load, check and compute one period; returns the result and a title for tables."""
    loaded = load_checked(request, strict=strict, notify=notify)
    result = compute(
        loaded.timeline, [period], population=request.population, options=request.options
    )
    _tell([*result.notes, *_beyond_extract(loaded.report.extract_date, [period])], notify)
    title = f"Child protection plans, {period.label} ({period.start} to {period.end})"
    if request.comparison is not None:
        result = Result(attach_comparators(result.table, request.comparison), result.notes)
        gaps = neighbour_gaps(request.comparison, [period.end])
        _tell([*request.comparison.describe(), *gaps], notify)
        title += f", {request.comparison.area.name}"
    if publish:
        result = Result(suppress(result.table), result.notes)
        _tell(["publication mode: counts of 1 to 5 and figures from them are shown as c"], notify)
    return result, title


def run_trend(
    request: CommandSettings,
    whole: Period,
    *,
    by: str = "month",
    strict: bool = False,
    publish: bool = False,
    notify: Notify = None,
) -> tuple[Trend, str]:
    """Load, check and compute every measure for each period in ``whole``, plus the YTD."""
    loaded = load_checked(request, strict=strict, notify=notify)
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
            *_beyond_extract(loaded.report.extract_date, list(trend.periods)),
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
    return trend, title


def write_findings(report: ValidationReport, fmt: Format, stream: TextIO, *, limit: int) -> None:
    """Findings as CSV/JSON (all, with the file named on each) or a table for people."""
    # The file's own heading beside the canonical name: analysts look for their column.
    headers = {canonical: header for header, canonical in report.columns.items()}
    findings = report.findings.select(
        pl.lit(report.source).alias("file"),
        *FINDING_COLUMNS,
        pl.col("column")
        .replace_strict(headers, default=pl.col("column"), return_dtype=pl.String)
        .alias("header"),
    )
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
