"""compute and trend: the measures for a period, and month by month."""

from typing import Annotated

import typer

from cpmetrics.commands.common import (
    ConfigOpt,
    DatesOpt,
    DurationOpt,
    ExtractDateOpt,
    FormatOpt,
    FromOpt,
    InputArg,
    LaOpt,
    MaxExcludedOpt,
    MonthOpt,
    OutputOpt,
    PopulationOpt,
    QuarterOpt,
    QuietOpt,
    ReferenceOpt,
    RepeatRuleOpt,
    RepeatWithinOpt,
    ReviewsOpt,
    RollingOpt,
    SheetOpt,
    StrictOpt,
    SuppressOpt,
    ToOpt,
    VisitIntervalOpt,
    VisitsOpt,
    YearOpt,
    YtdOpt,
    choose_format,
    handle_errors,
    period_from,
    say,
    settings_from,
    write_out,
    write_workbook,
)
from cpmetrics.errors import UsageError
from cpmetrics.render import Format


@handle_errors
def compute(
    input: InputArg = None,
    month: MonthOpt = None,
    quarter: QuarterOpt = None,
    year: YearOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    ytd: YtdOpt = False,
    rolling: RollingOpt = None,
    population: PopulationOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
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
    """Compute the standard measures for one period (a month, quarter, year, YTD, ...).

    Snapshot measures use the period's last day; flow measures the whole period.

    Example: cpmetrics compute --month 2018-10 sample_data/cp_plans.csv --population 75000
    """
    from cpmetrics.runner import run_compute

    chosen_period = period_from(month, quarter, year, start, end, ytd, rolling)
    request = settings_from(locals())
    chosen = choose_format(fmt, output)
    result, title, alarms = run_compute(
        request,
        chosen_period,
        strict=strict,
        publish=suppress,
        notify=None if quiet else say,
    )

    write_out(result.table, chosen, output, title, alarms, sheet="Figures")


@handle_errors
def trend(
    end: Annotated[str, typer.Option("--to", help="Last month (YYYY-MM) or day, or latest.")],
    start: Annotated[
        str | None,
        typer.Option("--from", help="First month (YYYY-MM) or day. Default: 12 months to --to."),
    ] = None,
    input: InputArg = None,
    by: Annotated[str, typer.Option("--by", help="Columns by month, quarter or year.")] = "month",
    wide: Annotated[
        bool,
        typer.Option(
            "--wide",
            help="CSV/JSON with periods as columns (one row a measure); "
            "a workbook has both layouts.",
        ),
    ] = False,
    population: PopulationOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
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
    """Every measure for every month (or quarter, year) in a range, with the change from the
    previous period, the year to date, and the target and RAG where the config sets them.

    Example: cpmetrics trend --from 2018-04 --to 2018-10
    """
    from cpmetrics.periods import trend_range, wants_latest
    from cpmetrics.runner import run_trend

    # A usage error now, before reading the extract; 'latest' waits for the extract date.
    whole = (
        (lambda day: trend_range(start, end, extract_date=day))
        if wants_latest(end)
        else trend_range(start, end)
    )
    request = settings_from(locals())
    chosen = choose_format(fmt, output)
    if wide and chosen is Format.table:
        raise UsageError("--wide is for --format csv or json; the table is already wide")
    result, title, alarms = run_trend(
        request,
        whole,
        by=by,
        strict=strict,
        publish=suppress,
        notify=None if quiet else say,
    )
    if chosen is Format.xlsx:
        # Both layouts, whatever --wide says: the table for the paper, the data for pivots.
        from cpmetrics.render.xlsx import trend_sheets

        write_workbook(trend_sheets(result), output, title, alarms)
        return
    from cpmetrics.trend import wide as widen

    table = widen(result) if wide else result.table
    write_out(table, chosen, output, title, alarms)
