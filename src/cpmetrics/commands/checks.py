"""validate: every problem in an extract, by file, line and column."""

from typing import Annotated

import typer

from cpmetrics.commands.common import (
    ConfigOpt,
    DatesOpt,
    ExtractDateOpt,
    FormatOpt,
    InputArg,
    OutputOpt,
    ReviewsOpt,
    SheetOpt,
    VisitsOpt,
    choose_format,
    destination,
    handle_errors,
    say,
    settings_from,
    write_workbook,
)
from cpmetrics.errors import ExitCode
from cpmetrics.render import Format


@handle_errors
def validate(
    input: InputArg = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    extract_date: ExtractDateOpt = None,
    dates: DatesOpt = None,
    sheet: SheetOpt = None,
    reviews: ReviewsOpt = None,
    visits: VisitsOpt = None,
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="Findings to show in a table (0: all).")
    ] = 50,
) -> None:
    """Check an extract against the validation rules; exit 1 if any row has an error.

    Example: cpmetrics validate sample_data/cp_plans.csv --format csv -o findings.csv
    """
    from cpmetrics.runner import load, write_findings

    request = settings_from(locals())
    chosen = choose_format(fmt, output)
    loaded = load(request)
    if chosen is Format.xlsx:
        # Every finding (--limit is for the terminal), then the count by rule.
        from cpmetrics.render.xlsx import findings_sheets
        from cpmetrics.runner import findings_table

        sheets = findings_sheets(findings_table(loaded.report), loaded.report)
        write_workbook(sheets, output, f"{loaded.report.source}: findings", [])
    else:
        with destination(output) as stream:
            write_findings(loaded.report, chosen, stream, limit=limit)
    say(f"{loaded.report.source}: {loaded.report.summary()}")
    if loaded.report.count_at("error"):
        raise typer.Exit(int(ExitCode.DATA))
