"""The command line: a thin layer over cpmetrics.api. Heavy modules load inside commands."""

import datetime as dt
import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO, TypeVar

import typer

from cpmetrics import __version__
from cpmetrics.errors import CpmetricsError, ExitCode, UsageError
from cpmetrics.render import Format

if TYPE_CHECKING:
    from cpmetrics.runner import CommandSettings

app = typer.Typer(
    name="cpmetrics",
    help="Child protection plan measures (DfE definitions) from case-level extracts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])


def say(message: str) -> None:
    """Messages for people go to stderr; stdout carries only the requested output."""
    print(f"cpmetrics: {message}", file=sys.stderr)


def handle_errors(command: F) -> F:
    """Turn cpmetrics errors into one line on stderr and the right exit code; no tracebacks."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except CpmetricsError as exc:
            say(f"error: {exc}")
            raise typer.Exit(int(exc.exit_code)) from None
        except BrokenPipeError:
            # The reader (head, less) went away: not an error of ours.
            sys.stderr.close()
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except MemoryError:
            say("error: out of memory reading or computing; try a smaller extract")
            raise typer.Exit(int(ExitCode.DATA)) from None
        except SystemExit:
            raise
        except BaseException as exc:
            # Exception, and as a last resort whatever else a library raises: a Rust panic
            # (pyo3's PanicException) derives from BaseException and must not end in a traceback.
            if os.environ.get("CPMETRICS_DEBUG"):
                raise
            first_line = (str(exc).strip().splitlines() or [""])[0]
            say(
                f"internal error: {type(exc).__name__}: {first_line}. This is a bug in "
                "cpmetrics; set CPMETRICS_DEBUG=1 to see the traceback."
            )
            raise typer.Exit(int(ExitCode.INTERNAL)) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        print(f"cpmetrics {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Child protection plan measures (DfE definitions) from case-level extracts."""


# Options shared by the commands that read an extract.
InputArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Plan extract: CSV, Excel, CIN census XML or Parquet; several files or a folder "
        "are read as one extract (a plan in more than one counted once). "
        "Default: 'input' in cpmetrics.toml.",
        show_default=False,
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="Config file (default: ./cpmetrics.toml if present)."),
]
ExtractDateOpt = Annotated[
    str | None,
    typer.Option(
        "--extract-date",
        help="Date the extract was taken, YYYY-MM-DD (default: config, else today). "
        "Dates after it are errors.",
    ),
]
FormatOpt = Annotated[
    Format | None,
    typer.Option("--format", "-f", help="Output format (default: table on a terminal, else csv)."),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file instead of stdout."),
]
DatesOpt = Annotated[
    str | None,
    typer.Option(
        "--dates",
        help="Numeric dates such as 03/04/2018 are dmy (day first, UK) or mdy. "
        "Default: detected from the file.",
    ),
]
SheetOpt = Annotated[
    str | None,
    typer.Option("--sheet", help="Worksheet of an Excel workbook (default: detected)."),
]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="Exit 1 (and print nothing) if any row has an error.")
]
SuppressOpt = Annotated[
    bool,
    typer.Option(
        "--suppress",
        help="Publication mode: counts of 1 to 5, and figures from them, shown as c.",
    ),
]
MaxExcludedOpt = Annotated[
    float | None,
    typer.Option(
        "--max-excluded",
        min=0,
        max=100,
        help="Exit 1 (figures still written) when one rule excludes more than this % of "
        "the rows; 0 turns the check off. Default: config, else 5.",
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No notes on stderr.")]


def _parse_date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option} '{text}' is not a date in YYYY-MM-DD form") from None


# What each output suffix gets; any other suffix is refused rather than given CSV it does not
# hold (a report.html or fy.xlsx full of CSV text only misleads). No suffix: CSV.
_SUFFIX_FORMATS = {".csv": Format.csv, ".json": Format.json, ".txt": Format.table, "": Format.csv}


def _request(
    input: list[Path] | None,
    config: Path | None,
    extract_date: str | None,
    dates: str | None,
    sheet: str | None,
    **measure_options: Any,
) -> "CommandSettings":
    """The options every reading command shares, resolved against the config."""
    from cpmetrics.runner import CommandSettings

    return CommandSettings.resolve(
        input=input,
        config=config,
        extract_date=_parse_date(extract_date, "--extract-date"),
        date_order=dates,
        sheet=sheet,
        **measure_options,
    )


def _choose_format(fmt: Format | None, output: Path | None) -> Format:
    if output is not None and str(output) != "-":
        suffix = output.suffix.lower()
        if suffix not in _SUFFIX_FORMATS:
            raise UsageError(
                f"--output {output}: cpmetrics does not write '{suffix}' files; it writes "
                ".csv, .json and .txt (a table) (for Excel, write .csv and open it there)"
            )
        wanted = _SUFFIX_FORMATS[suffix]
        if fmt is not None and suffix in ("", ".txt"):
            return fmt  # any text will do
        if fmt is not None and fmt is not wanted:
            raise UsageError(
                f"--format {fmt.value} does not match --output {output} ({suffix} is "
                f"{wanted.value}): give one or make them agree"
            )
        return wanted
    if fmt is not None:
        return fmt
    return Format.table if sys.stdout.isatty() else Format.csv


def _exit_on_alarms(alarms: list[str]) -> None:
    """The figures are written; the exit code tells an unattended run not to publish them."""
    for alarm in alarms:
        say(f"warning: {alarm}")
    if alarms:
        say("the figures above were written, but check the input before using them (exit 1)")
        raise typer.Exit(int(ExitCode.DATA))


@contextmanager
def _destination(output: Path | None) -> Iterator[TextIO]:
    if output is None or str(output) == "-":
        yield sys.stdout
        return
    try:
        handle = output.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise UsageError(f"{output}: cannot write ({exc.strerror or exc})") from None
    with handle:
        yield handle


# Period options, shared by compute and trend.
MonthOpt = Annotated[
    str | None,
    typer.Option(
        "--month",
        "-m",
        help="Calendar month, YYYY-MM (e.g. 2018-10), or latest: the last complete "
        "month by the extract date.",
    ),
]
QuarterOpt = Annotated[
    str | None,
    typer.Option("--quarter", help="Calendar quarter, e.g. 2018-Q3 (Jul-Sep), or latest."),
]
YearOpt = Annotated[
    str | None,
    typer.Option(
        "--year", help="Reporting (financial) year, e.g. 2018-19 (1 Apr - 31 Mar), or latest."
    ),
]
FromOpt = Annotated[
    str | None, typer.Option("--from", help="First day (YYYY-MM-DD) or month (YYYY-MM).")
]
ToOpt = Annotated[
    str | None, typer.Option("--to", help="Last day (YYYY-MM-DD) or month (YYYY-MM).")
]
PopulationOpt = Annotated[
    int | None,
    typer.Option(
        "--population",
        min=1,
        max=1_000_000_000,
        help="Children aged 0-17, for the rate per 10,000.",
    ),
]
RepeatRuleOpt = Annotated[
    str | None,
    typer.Option(
        "--repeat-rule",
        help="Second or subsequent plan by: either (default), history, count, within.",
    ),
]
RepeatWithinOpt = Annotated[
    int | None,
    typer.Option(
        "--repeat-within",
        min=1,
        help="Months after the previous plan's end for --repeat-rule within.",
    ),
]
LaOpt = Annotated[
    str | None,
    typer.Option(
        "--la",
        help="The authority (E10000032, 938 or a name): ONS population and comparators.",
    ),
]
ReferenceOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--reference",
        help="Newer EES open-data CSV, or a folder of them (repeatable): replaces the bundled "
        "table of the same kind.",
    ),
]
DurationOpt = Annotated[
    bool | None,
    typer.Option(
        "--duration-days/--duration-calendar",
        help="2 years as 730 days instead of calendar years.",
        show_default=False,
    ),
]


@app.command()
@handle_errors
def compute(
    input: InputArg = None,
    month: MonthOpt = None,
    quarter: QuarterOpt = None,
    year: YearOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    ytd: Annotated[
        bool, typer.Option("--ytd", help="From 1 April to the end of the period given.")
    ] = False,
    rolling: Annotated[
        int | None,
        typer.Option("--rolling", min=1, help="This many months to the end of the period given."),
    ] = None,
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
    quiet: QuietOpt = False,
) -> None:
    """Compute the standard measures for one period (a month, quarter, year, YTD, ...).

    Snapshot measures use the period's last day; flow measures the whole period.

    Example: cpmetrics compute --month 2018-10 sample_data/cp_plans.csv --population 75000
    """
    from cpmetrics.periods import choose, wants_latest
    from cpmetrics.runner import run_compute

    period = functools.partial(
        choose,
        month_text=month,
        quarter=quarter,
        year=year,
        start=start,
        end=end,
        ytd=ytd,
        rolling_months=rolling,
    )
    # A usage error now, before reading the extract; 'latest' waits for the extract date.
    chosen_period = (
        (lambda day: period(extract_date=day))
        if wants_latest(month, quarter, year, end)
        else period()
    )
    request = _request(
        input,
        config,
        extract_date,
        dates,
        sheet,
        population=population,
        repeat_rule=repeat_rule,
        repeat_within=repeat_within,
        duration_days=duration_days,
        la=la,
        reference=reference,
        max_excluded_pct=max_excluded,
    )
    chosen = _choose_format(fmt, output)
    result, title, alarms = run_compute(
        request,
        chosen_period,
        strict=strict,
        publish=suppress,
        notify=None if quiet else say,
    )
    from cpmetrics.render import render

    with _destination(output) as stream:
        render(result.table, chosen, stream, title=title)
    _exit_on_alarms(alarms)


@app.command()
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
        bool, typer.Option("--wide", help="CSV/JSON with periods as columns (one row a measure).")
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
    request = _request(
        input,
        config,
        extract_date,
        dates,
        sheet,
        population=population,
        repeat_rule=repeat_rule,
        repeat_within=repeat_within,
        duration_days=duration_days,
        la=la,
        reference=reference,
        max_excluded_pct=max_excluded,
    )
    chosen = _choose_format(fmt, output)
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
    from cpmetrics.render import render
    from cpmetrics.trend import wide as widen

    table = widen(result) if wide else result.table
    with _destination(output) as stream:
        render(table, chosen, stream, title=title)
    _exit_on_alarms(alarms)


@app.command()
@handle_errors
def validate(
    input: InputArg = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    extract_date: ExtractDateOpt = None,
    dates: DatesOpt = None,
    sheet: SheetOpt = None,
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="Findings to show in a table (0: all).")
    ] = 50,
) -> None:
    """Check an extract against the validation rules; exit 1 if any row has an error.

    Example: cpmetrics validate sample_data/cp_plans.csv --format csv -o findings.csv
    """
    from cpmetrics.runner import load, write_findings

    request = _request(input, config, extract_date, dates, sheet)
    loaded = load(request)
    chosen = _choose_format(fmt, output)
    with _destination(output) as stream:
        write_findings(loaded.report, chosen, stream, limit=limit)
    say(f"{loaded.report.source}: {loaded.report.summary()}")
    if loaded.report.count_at("error"):
        raise typer.Exit(int(ExitCode.DATA))


@app.command()
@handle_errors
def sample(
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Random seed (same seed, same file).")
    ] = 2018,
    plans: Annotated[
        int | None,
        typer.Option("--plans", min=1, help="About this many plans (default: one mid-sized LA)."),
    ] = None,
    first_day: Annotated[
        str, typer.Option("--from", help="First day the extract covers.")
    ] = "2012-04-01",
    last_day: Annotated[
        str, typer.Option("--to", help="The extract date (open plans have no end).")
    ] = "2019-12-31",
) -> None:
    """Write a realistic synthetic plan extract (no real child's data).

    Example: cpmetrics sample --seed 2018 --out sample_data/cp_plans.csv
    """
    from cpmetrics.sample import generate, scale_for

    start = _parse_date(first_day, "--from")
    end = _parse_date(last_day, "--to")
    assert start is not None and end is not None
    if end <= start:
        raise UsageError("--to must be after --from")
    scale = scale_for(plans, (end - start).days / 365.25) if plans else 1.0
    frame = generate(seed, first_day=start, extract_date=end, scale=scale)
    try:
        frame.write_csv(out)
    except OSError as exc:
        raise UsageError(f"{out}: cannot write ({exc.strerror or exc})") from None
    say(f"wrote {frame.height:,} plans for {frame['child_id'].n_unique():,} children to {out}")


@app.command()
@handle_errors
def measures() -> None:
    """List the measures, with their definitions and sources.

    Example: cpmetrics measures
    """
    from cpmetrics.measures import MEASURES

    for m in MEASURES:
        print(f"{m.id}  ({m.unit}, {m.kind})\n  {m.label}\n  numerator:   {m.numerator}")
        if m.denominator != "-":
            print(f"  denominator: {m.denominator}")
        print(f"  source:      {m.source}\n")


def main() -> None:
    """The console script: run the command, flush, and leave at once.

    Tearing the interpreter down (every module, polars' thread pool) takes about 0.15 s,
    longer than a month's figures on a typical extract; a cron job pays it on every call.
    Once stdout and stderr are flushed there is nothing left to clean up: files are written
    and closed inside the commands.
    """
    try:
        app()
        code = 0
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    for stream in (sys.stdout, sys.stderr):
        # The reader (head, less) may have gone, or the stream be closed: nothing to do then.
        with suppress(BrokenPipeError, ValueError):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
