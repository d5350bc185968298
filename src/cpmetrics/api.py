"""The library entry points: what the CLI does, for another Python program to call.

from cpmetrics.api import load_plans, compute_periods
from cpmetrics.periods import parse_month
loaded = load_plans("plans.csv")
result = compute_periods(loaded, [parse_month("2018-10")], population=75_000)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from cpmetrics.dates import DateOrder
from cpmetrics.engine import Options, Population, Result, compute
from cpmetrics.errors import InputError
from cpmetrics.io import EXTRACT_SUFFIXES, read_extract
from cpmetrics.periods import Period
from cpmetrics.validate import Validated, validate_extracts

if TYPE_CHECKING:
    import polars as pl


def load_plans(
    path: str | Path | Sequence[str | Path],
    *,
    extract_date: dt.date | None = None,
    columns: Mapping[str, str] | None = None,
    date_order: DateOrder | None = None,
    sheet: str | None = None,
    open_markers: Sequence[str] = (),
    reviews: str | Path | Sequence[str | Path] = (),
    visits: str | Path | Sequence[str | Path] = (),
    record_columns: Mapping[str, Mapping[str, str]] | None = None,
) -> Validated:
    """Read and validate an extract: clean plan rows plus the findings report.

    ``path``: a file, several files or a folder of them, read as one extract (a plan in more
    than one file is counted once, from the file with the latest extract date).
    ``extract_date``: when the extract was taken; by default the census reference date a CIN
    census file states, else today. ``date_order`` ('dmy' or 'mdy') settles numeric dates such
    as 03/04/2018 when the file's own dates cannot; ``sheet`` picks the worksheet of an Excel
    workbook. ``open_markers`` are read as blank besides NULL, N/A and the like; ISO dates
    among them mark an open plan's end date. ``reviews`` and ``visits``: files (or folders)
    of review conferences and visits, matched to the plans (validate/linked.py);
    ``record_columns``: their headings where not recognised ({'visits': {'date': 'Seen On'}}).
    """
    raws = [read_extract(p, sheet=sheet, columns=columns) for p in extract_files(path)]
    validated = validate_extracts(
        raws,
        extract_dates=[extract_date or raw.stated_date() or dt.date.today() for raw in raws],
        mapping=columns,
        date_order=date_order,
        open_markers=open_markers,
    )
    known = extract_date is not None or any(raw.stated_date() for raw in raws)
    validated = replace(validated, report=replace(validated.report, extract_date_known=known))
    from cpmetrics.validate.linked import add_linked

    for kind, given in (("reviews", reviews), ("visits", visits)):
        if isinstance(given, str | Path) or given:
            # (A workbook's sheet is found by its headings: --sheet names the plans' sheet.)
            records = [read_extract(p, records=kind) for p in extract_files(given)]
            validated = add_linked(
                validated,
                "reviews" if kind == "reviews" else "visits",
                records,
                extract_date=validated.report.extract_date or dt.date.today(),
                date_order=date_order,
                columns=(record_columns or {}).get(kind),
            )
    return validated


def extract_files(path: str | Path | Sequence[str | Path]) -> list[Path]:
    """The files to read: one file, several, or the extracts in a folder (by name)."""
    paths = [Path(path)] if isinstance(path, str | Path) else [Path(p) for p in path]
    if not paths:
        raise InputError("no input file given")
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                f
                for f in p.iterdir()
                if f.is_file()
                and f.suffix.lower() in EXTRACT_SUFFIXES
                and not f.name.startswith((".", "~$"))  # hidden files, Office lock files
                and not _our_output(f)  # last month's figures, written beside the extracts
            )
            if not found:
                raise InputError(
                    f"{p}: the folder holds no extract files ({', '.join(EXTRACT_SUFFIXES)})"
                )
            files += found
        else:
            files.append(p)
    return list(dict.fromkeys(files))  # a file named twice is read once


# The first line of what cpmetrics writes (compute/trend, validate): never an extract.
_OUR_HEADERS = (b"measure,label,period_start,", b"file,rule,severity,")


def _our_output(path: Path) -> bool:
    if path.suffix.lower() == ".xlsx":
        return _our_workbook(path)
    try:
        with path.open("rb") as handle:
            return handle.read(64).lstrip(b"\xef\xbb\xbf").startswith(_OUR_HEADERS)
    except OSError:
        return False


# The custom document property cpmetrics writes in its workbooks (render.xlsx.OWN_PROPERTY);
# Excel keeps it when the file is edited and saved again.
_OUR_PROPERTY = b'name="cpmetrics"'


def _our_workbook(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as book:
            return _OUR_PROPERTY in book.read("docProps/custom.xml")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


def compute_periods(
    plans: Validated | pl.DataFrame,
    periods: Sequence[Period],
    *,
    population: int | Population | None = None,
    options: Options | None = None,
) -> Result:
    """Every measure for every period, from what ``load_plans`` returned (or a frame of plans
    with at least child_id, start_date and end_date)."""
    if isinstance(plans, Validated):
        plans = plans.timeline
    if not isinstance(population, Population):
        population = Population(fixed=population)
    return compute(plans, periods, population=population, options=options)
