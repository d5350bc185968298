"""The command line: a thin layer over the library. Each command lives in cpmetrics.commands
(its options and its one call into the library); heavy modules load inside the commands."""

import os
import sys
from contextlib import suppress
from typing import Annotated

import typer

from cpmetrics import __version__
from cpmetrics.commands.checks import validate
from cpmetrics.commands.common import handle_errors, say
from cpmetrics.commands.drivers import breakdown, explain, overdue, watchlist
from cpmetrics.commands.extras import measures, sample
from cpmetrics.commands.figures import compute, trend
from cpmetrics.commands.report import chart, report

app = typer.Typer(
    name="cpmetrics",
    help="Child protection plan measures (DfE definitions) from case-level extracts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
for command in (
    compute,
    trend,
    breakdown,
    watchlist,
    explain,
    overdue,
    report,
    chart,
    validate,
    sample,
    measures,
):
    app.command()(command)

__all__ = ["app", "handle_errors", "main", "say"]


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
