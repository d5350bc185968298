"""breakdown, watchlist and explain: what drives a figure, and the children behind it."""

import datetime as dt
import re
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
    MaxExcludedOpt,
    MonthOpt,
    OutputOpt,
    QuarterOpt,
    QuietOpt,
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
    parse_date,
    period_from,
    say,
    settings_from,
    write_out,
)
from cpmetrics.errors import UsageError


@handle_errors
def breakdown(
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="duration, category, age, family, or a column of the extract (team, worker...).",
        ),
    ],
    input: InputArg = None,
    month: MonthOpt = None,
    quarter: QuarterOpt = None,
    year: YearOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    ytd: YtdOpt = False,
    rolling: RollingOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    extract_date: ExtractDateOpt = None,
    dates: DatesOpt = None,
    sheet: SheetOpt = None,
    repeat_rule: RepeatRuleOpt = None,
    repeat_within: RepeatWithinOpt = None,
    duration_days: DurationOpt = None,
    strict: StrictOpt = False,
    suppress: SuppressOpt = False,
    max_excluded: MaxExcludedOpt = None,
    reviews: ReviewsOpt = None,
    visits: VisitsOpt = None,
    visit_interval: VisitIntervalOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """The measures by duration band, category of abuse, age, family size or any column:
    each record in one group, the groups summing to the figure. --from/--to: each month.

    Example: cpmetrics breakdown --month 2018-10 --by duration
    """
    from cpmetrics.runner import run_breakdown

    period = period_from(month, quarter, year, start, end, ytd, rolling)
    request = settings_from(locals())
    chosen = choose_format(fmt, output)
    notify = None if quiet else say
    table, title, alarms = run_breakdown(
        request,
        period,
        by,
        by_month=bool(start or end),
        strict=strict,
        publish=suppress,
        notify=notify,
    )
    write_out(table, chosen, output, title, alarms, sheet="Breakdown")


@handle_errors
def watchlist(
    input: InputArg = None,
    on: Annotated[
        str | None,
        typer.Option("--date", help="The day, YYYY-MM-DD (default: the extract date)."),
    ] = None,
    months: Annotated[
        int | None,
        typer.Option(
            "--months", min=0, help="On the current plan at least this many months (default 15)."
        ),
    ] = None,
    reaching: Annotated[
        str | None,
        typer.Option("--reaching", help="2y: those whose plan reaches two years soon (--within)."),
    ] = None,
    within: Annotated[
        str | None,
        typer.Option("--within", help="With --reaching: 12w (weeks) or 90d (days); default 12w."),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option("--columns", help="Other columns of the extract to add (team,worker)."),
    ] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    extract_date: ExtractDateOpt = None,
    dates: DatesOpt = None,
    sheet: SheetOpt = None,
    repeat_rule: RepeatRuleOpt = None,
    repeat_within: RepeatWithinOpt = None,
    duration_days: DurationOpt = None,
    strict: StrictOpt = False,
    max_excluded: MaxExcludedOpt = None,
    reviews: ReviewsOpt = None,
    visits: VisitsOpt = None,
    visit_interval: VisitIntervalOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Children on a plan whose current plan has lasted N months (default 15), longest first,
    each family together; or, with --reaching 2y --within 12w, those reaching two years soon.

    Example: cpmetrics watchlist --date 2018-10-31 --months 15 (--columns team,worker: your columns)
    """
    from cpmetrics.runner import run_watchlist

    if reaching is not None and reaching.strip().lower() not in ("2y", "2 years", "24m"):
        raise UsageError("--reaching takes 2y (two years on the plan)")
    if reaching is not None and months is not None:
        raise UsageError("give --months or --reaching 2y, not both")
    if within is not None and reaching is None:
        raise UsageError("--within goes with --reaching 2y")
    request = settings_from(locals())
    chosen = choose_format(fmt, output)
    table, title, alarms = run_watchlist(
        request,
        parse_date(on, "--date"),
        months=None if reaching else (15 if months is None else months),
        reaching_within=_span(within or "12w") if reaching else None,
        columns=[c.strip() for c in (columns or "").split(",") if c.strip()],
        strict=strict,
        notify=None if quiet else say,
    )
    write_out(table, chosen, output, title, alarms, sheet="Watchlist")


def _span(text: str) -> dt.timedelta:
    """'12w' (weeks) or '90d' (days)."""
    found = re.fullmatch(r"\s*([0-9]{1,4})\s*([wd])\s*", text.lower())
    if not found:
        raise UsageError(f"--within '{text}': give weeks or days, such as 12w or 90d")
    n = int(found.group(1))
    return dt.timedelta(weeks=n) if found.group(2) == "w" else dt.timedelta(days=n)


@handle_errors
def explain(
    measure: Annotated[str, typer.Argument(help="A measure id (cpmetrics measures lists them).")],
    input: InputArg = None,
    month: MonthOpt = None,
    quarter: QuarterOpt = None,
    year: YearOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    ytd: YtdOpt = False,
    rolling: RollingOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    extract_date: ExtractDateOpt = None,
    dates: DatesOpt = None,
    sheet: SheetOpt = None,
    repeat_rule: RepeatRuleOpt = None,
    repeat_within: RepeatWithinOpt = None,
    duration_days: DurationOpt = None,
    strict: StrictOpt = False,
    max_excluded: MaxExcludedOpt = None,
    reviews: ReviewsOpt = None,
    visits: VisitsOpt = None,
    visit_interval: VisitIntervalOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """The plan records behind one measure: every record of its denominator (or its count),
    whether it is in the numerator, and why, in words.

    Example: cpmetrics explain open_2y_plus_pct --month 2018-10
    """
    from cpmetrics.runner import run_explain

    period = period_from(month, quarter, year, start, end, ytd, rolling)
    request = settings_from(locals())
    chosen = choose_format(fmt, output)
    notify = None if quiet else say
    table, title, alarms = run_explain(request, measure, period, strict=strict, notify=notify)
    write_out(table, chosen, output, title, alarms, sheet="Explain")


@handle_errors
def overdue(
    input: InputArg = None,
    on: Annotated[
        str | None,
        typer.Option("--date", help="The day, YYYY-MM-DD (default: the extract date)."),
    ] = None,
    within: Annotated[
        str | None,
        typer.Option("--within", help="Also those falling due within 2w (weeks) or 14d (days)."),
    ] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    extract_date: ExtractDateOpt = None,
    dates: DatesOpt = None,
    sheet: SheetOpt = None,
    strict: StrictOpt = False,
    max_excluded: MaxExcludedOpt = None,
    reviews: ReviewsOpt = None,
    visits: VisitsOpt = None,
    visit_interval: VisitIntervalOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Children on a plan whose next review conference is overdue on a day (3 months after
    the start, then 6 after the last review), or falls due soon; most overdue first.

    Example: cpmetrics overdue census_2019.xml --date 2019-03-31 --within 2w
    """
    from cpmetrics.runner import run_overdue

    request = settings_from(locals())
    chosen = choose_format(fmt, output)
    table, title, alarms = run_overdue(
        request,
        parse_date(on, "--date"),
        within=_span(within) if within is not None else None,
        strict=strict,
        notify=None if quiet else say,
    )
    write_out(table, chosen, output, title, alarms, sheet="Overdue")
