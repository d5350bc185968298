"""What every command shares: messages on stderr, errors as exit codes, the options that read
an extract or choose a period, and where the output goes."""

import datetime as dt
import functools
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO, TypeVar

import typer

from cpmetrics.errors import CpmetricsError, ExitCode, UsageError
from cpmetrics.render import Format

if TYPE_CHECKING:
    import polars as pl

    from cpmetrics.periods import Period
    from cpmetrics.render.xlsx import Sheet
    from cpmetrics.runner import CommandSettings

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
        except OSError as exc:
            # A file that cannot be read or written, or output that cannot be written (a full
            # disk, /dev/full): a message, not a traceback.
            what = f"{exc.filename}" if exc.filename else "cannot write the output"
            say(f"error: {what}: {exc.strerror or exc}")
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
    typer.Option(
        "--format",
        "-f",
        help="Output format (default: table on a terminal, else csv). xlsx: an Excel "
        "workbook, to -o FILE.xlsx or a redirect, never to a terminal.",
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file instead of stdout; the format follows the suffix "
        "(.csv, .json, .xlsx, .txt).",
    ),
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
ReviewsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--reviews",
        help="Review conference records beside the plans (any format; repeat for more "
        "files): child or plan id and date, as the SSD's ssd_cp_reviews. Default: config.",
        show_default=False,
    ),
]
VisitsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--visits",
        help="Visit records beside the plans: child or plan id, date, and whether the child "
        "was seen (alone), as the SSD's ssd_cp_visits. Default: config.",
        show_default=False,
    ),
]
VisitIntervalOpt = Annotated[
    str | None,
    typer.Option(
        "--visit-interval",
        help="How often a child on a plan must be seen: '10 working days' (default), "
        "'20 working days', '4 weeks', 'month'.",
        show_default=False,
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No notes on stderr.")]


def parse_date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option} '{text}' is not a date in YYYY-MM-DD form") from None
    if not 1900 <= day.year <= 2899:  # as for the dates of an extract (docs/input.md)
        raise UsageError(f"{option} {day}: give a date from 1900 to 2899")
    return day


# What each output suffix gets; any other suffix is refused rather than given CSV it does not
# hold (a report.html full of CSV text only misleads). No suffix: CSV.
SUFFIX_FORMATS = {
    ".csv": Format.csv,
    ".json": Format.json,
    ".xlsx": Format.xlsx,
    ".txt": Format.table,
    "": Format.csv,
}


def settings_for(
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
        extract_date=parse_date(extract_date, "--extract-date"),
        date_order=dates,
        sheet=sheet,
        **measure_options,
    )


# A command's parameter -> the setting it gives (CommandSettings.resolve's keyword).
_MEASURE_OPTIONS = {
    "population": "population",
    "repeat_rule": "repeat_rule",
    "repeat_within": "repeat_within",
    "duration_days": "duration_days",
    "la": "la",
    "reference": "reference",
    "max_excluded": "max_excluded_pct",
    "reviews": "reviews",
    "visits": "visits",
    "visit_interval": "visit_interval",
}


def settings_from(options: Mapping[str, Any]) -> "CommandSettings":
    """``settings_for`` from a command's parameters by name (its ``locals()`` before it does
    anything else): each command takes a different subset of the shared options, and this
    passes on those it has, so the list is written once rather than in every command."""
    measure = {to: options[name] for name, to in _MEASURE_OPTIONS.items() if name in options}
    return settings_for(
        options.get("input"),
        options.get("config"),
        options.get("extract_date"),
        options.get("dates"),
        options.get("sheet"),
        **measure,
    )


def choose_format(fmt: Format | None, output: Path | None) -> Format:
    if output is not None and str(output) != "-":
        suffix = output.suffix.lower()
        if suffix not in SUFFIX_FORMATS:
            raise UsageError(
                f"--output {output}: cpmetrics does not write '{suffix}' files; it writes "
                ".csv, .json, .xlsx and .txt (a table)"
            )
        wanted = SUFFIX_FORMATS[suffix]
        if fmt is not None and (suffix == "" or (suffix == ".txt" and fmt is not Format.xlsx)):
            return fmt  # any text will do (and a file with no suffix takes what is asked)
        if fmt is not None and fmt is not wanted:
            raise UsageError(
                f"--format {fmt.value} does not match --output {output} ({suffix} is "
                f"{wanted.value}): give one or make them agree"
            )
        return wanted
    if fmt is Format.xlsx and sys.stdout.isatty():
        # A workbook is binary: on a terminal it is garbage, and can upset the terminal.
        raise UsageError(
            "--format xlsx writes a binary file: give -o FILE.xlsx (or redirect to a file)"
        )
    if fmt is not None:
        return fmt
    return Format.table if sys.stdout.isatty() else Format.csv


def write_out(
    table: "pl.DataFrame",
    fmt: Format,
    output: Path | None,
    title: str,
    alarms: list[str],
    *,
    sheet: str = "Figures",
) -> None:
    """The one way a command ends: the table where it was asked for, then the alarms (exit 1
    once the figures are written). ``sheet``: the table's sheet in a workbook."""
    if fmt is Format.xlsx:
        from cpmetrics.render.xlsx import table_sheet

        write_workbook([table_sheet(sheet, table)], output, title, alarms)
        return
    from cpmetrics.render import render

    with destination(output) as stream:
        render(table, fmt, stream, title=title)
    exit_on_alarms(alarms)


def write_workbook(
    sheets: "Sequence[Sheet]", output: Path | None, title: str, alarms: list[str]
) -> None:
    """As ``write_out``, for an .xlsx workbook of one or more sheets (to a file, or to stdout
    when it is not a terminal: ``choose_format`` refused that)."""
    from cpmetrics.render.xlsx import workbook_bytes

    data = workbook_bytes(sheets, title=title)
    if output is None or str(output) == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise UsageError(f"{output}: cannot write ({exc.strerror or exc})") from None
    exit_on_alarms(alarms)


def exit_on_alarms(alarms: list[str]) -> None:
    """The figures are written; the exit code tells an unattended run not to publish them."""
    for alarm in alarms:
        say(f"warning: {alarm}")
    if alarms:
        say("the figures above were written, but check the input before using them (exit 1)")
        raise typer.Exit(int(ExitCode.DATA))


@contextmanager
def destination(output: Path | None) -> Iterator[TextIO]:
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


YtdOpt = Annotated[bool, typer.Option("--ytd", help="From 1 April to the end of the period given.")]
RollingOpt = Annotated[
    int | None,
    typer.Option("--rolling", min=1, help="This many months to the end of the period given."),
]


def period_from(
    month: str | None,
    quarter: str | None,
    year: str | None,
    start: str | None,
    end: str | None,
    ytd: bool = False,
    rolling: int | None = None,
) -> "Period | Callable[[dt.date], Period]":
    """The period the options name: checked now, before the extract is read; a period named
    'latest' is a function of the extract date, known once it is read."""
    from cpmetrics.periods import choose, wants_latest

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
    if wants_latest(month, quarter, year, end):
        return lambda day: period(extract_date=day)
    return period()
