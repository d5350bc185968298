"""report and chart: the monthly paper, and one measure's trend chart on its own."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cpmetrics.commands.common import (
    ConfigOpt,
    DatesOpt,
    DurationOpt,
    ExtractDateOpt,
    InputArg,
    LaOpt,
    MaxExcludedOpt,
    PopulationOpt,
    QuietOpt,
    ReferenceOpt,
    RepeatRuleOpt,
    RepeatWithinOpt,
    ReviewsOpt,
    SheetOpt,
    StrictOpt,
    SuppressOpt,
    VisitIntervalOpt,
    VisitsOpt,
    exit_on_alarms,
    handle_errors,
    say,
    settings_from,
)
from cpmetrics.errors import UsageError

if TYPE_CHECKING:
    from cpmetrics.periods import Period
    from cpmetrics.report.model import Report
    from cpmetrics.runner import Notify

# The report's formats: suffix -> the writer's module and function (each writer module
# exposes one function; the module is imported only when its format is asked for).
WRITERS = {
    ".html": ("cpmetrics.report.html", "write_html"),
    ".docx": ("cpmetrics.report.docx", "write_docx"),
    ".xlsx": ("cpmetrics.report.xlsx", "write_xlsx"),
    ".md": ("cpmetrics.report.markdown", "write_markdown"),
}
CHART_FORMATS = {".svg": "svg", ".png": "png"}

OutOpt = Annotated[
    Path,
    typer.Option(
        "--out",
        "--output",
        "-o",
        help="The report file: .html, .docx, .xlsx or .md (the format follows the suffix).",
    ),
]
ReportMonthOpt = Annotated[
    str,
    typer.Option(
        "--month",
        "-m",
        help="The report month, YYYY-MM, or latest: the last complete month by the extract date.",
    ),
]
TrendFromOpt = Annotated[
    str | None,
    typer.Option(
        "--from", help="First month of the trend, YYYY-MM. Default: the same month a year before."
    ),
]


def writer_for(path: Path) -> Callable[[Report, Path], None]:
    """The writer for ``path``'s suffix; a clear usage error when there is none."""
    suffix = path.suffix.lower()
    if suffix not in WRITERS:
        raise UsageError(
            f"--out {path}: the report is written as {', '.join(WRITERS)} "
            f"(the format follows the suffix), not '{suffix or 'no suffix'}'"
        )
    module_name, function = WRITERS[suffix]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise UsageError(
                f"this cpmetrics cannot write {suffix} reports yet (no {module_name}); "
                "write .html, or update cpmetrics"
            ) from None
        raise UsageError(
            f"writing a {suffix} report needs the Python package '{exc.name}', which is not "
            "installed"
        ) from None
    writer = getattr(module, function, None)
    if not callable(writer):
        raise UsageError(f"this cpmetrics cannot write {suffix} reports yet ({function} missing)")
    return writer  # type: ignore[no-any-return]


def _month(text: str, option: str) -> Period:
    from cpmetrics.periods import parse_month

    try:
        return parse_month(text)
    except UsageError as exc:
        raise UsageError(f"{option}: {exc}") from None


@handle_errors
def report(
    month: ReportMonthOpt,
    out: OutOpt,
    input: InputArg = None,
    start: TrendFromOpt = None,
    population: PopulationOpt = None,
    config: ConfigOpt = None,
    extract_date: ExtractDateOpt = None,
    dates: DatesOpt = None,
    sheet: SheetOpt = None,
    repeat_rule: RepeatRuleOpt = None,
    repeat_within: RepeatWithinOpt = None,
    duration_days: DurationOpt = None,
    la: LaOpt = None,
    reference: ReferenceOpt = None,
    strict: StrictOpt = False,
    suppress: SuppressOpt = False,
    max_excluded: MaxExcludedOpt = None,
    reviews: ReviewsOpt = None,
    visits: VisitsOpt = None,
    visit_interval: VisitIntervalOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """The monthly report: a summary table (months, year to date, target, RAG), each measure
    with its chart and sentences, breakdowns, lists for managers and data quality.

    Example: cpmetrics report --month 2018-10 --out report.html (or .docx, .xlsx, .md)
    """
    from cpmetrics.commands.common import period_from
    from cpmetrics.report.build import build

    writer = writer_for(out)  # before the extract is read: a wrong suffix costs nothing
    chosen = period_from(month, None, None, None, None)
    first = _month(start, "--from") if start else None
    request = settings_from(locals())
    notify = None if quiet else say
    built = build(request, chosen, start=first, publish=suppress, strict=strict, notify=notify)
    _write(
        out,
        lambda path: writer(built.report, path),
        f"report for {built.report.month}",
        built.alarms,
        notify,
    )


@handle_errors
def chart(
    measure: Annotated[str, typer.Argument(help="A measure id (cpmetrics measures lists them).")],
    end: Annotated[str, typer.Option("--to", help="Last month (YYYY-MM), or latest.")],
    out: Annotated[
        Path, typer.Option("--out", "--output", "-o", help="The chart file: .svg or .png.")
    ],
    input: InputArg = None,
    start: TrendFromOpt = None,
    population: PopulationOpt = None,
    config: ConfigOpt = None,
    extract_date: ExtractDateOpt = None,
    dates: DatesOpt = None,
    sheet: SheetOpt = None,
    repeat_rule: RepeatRuleOpt = None,
    repeat_within: RepeatWithinOpt = None,
    duration_days: DurationOpt = None,
    la: LaOpt = None,
    reference: ReferenceOpt = None,
    strict: StrictOpt = False,
    suppress: SuppressOpt = False,
    max_excluded: MaxExcludedOpt = None,
    reviews: ReviewsOpt = None,
    visits: VisitsOpt = None,
    visit_interval: VisitIntervalOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """One measure's trend chart on its own, as in the report: the monthly line, the target
    and, with --la, England, the region and the statistical neighbours.

    Example: cpmetrics chart open_2y_plus_pct --from 2017-10 --to 2018-10 --out chart.svg
    """
    from cpmetrics.periods import latest, wants_latest
    from cpmetrics.report.build import measure_trend, report_span
    from cpmetrics.report.charts import trend_chart

    fmt = CHART_FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise UsageError(f"--out {out}: a chart is written as .svg or .png")
    first = _month(start, "--from") if start else None
    whole = (
        (lambda day: report_span(latest("month", day), first))
        if wants_latest(end)
        else report_span(_month(end, "--to"), first)
    )
    request = settings_from(locals())
    notify = None if quiet else say
    found, alarms = measure_trend(
        request, measure, whole, publish=suppress, strict=strict, notify=notify
    )
    picture = trend_chart(found, fmt="svg" if fmt == "svg" else "png")
    _write(out, lambda path: path.write_bytes(picture), f"chart of {measure}", alarms, notify)


def _write(
    out: Path,
    write: Callable[[Path], object],
    what: str,
    alarms: Iterable[str],
    notify: Notify,
) -> None:
    """The end of report and chart: write the file (a usage error naming it when it cannot
    be written), say so, then exit 1 with the run's warnings, if any: the file is written
    first, for the reader to check."""
    try:
        write(out)
    except OSError as exc:
        raise UsageError(f"{out}: cannot write ({exc.strerror or exc})") from None
    if notify:
        notify(f"{what} written to {out}")
    exit_on_alarms(list(alarms))
