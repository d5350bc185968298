"""The library entry points: what the CLI does, for another Python program to call.

from cpmetrics.api import load_plans, compute_periods
from cpmetrics.periods import parse_month
loaded = load_plans("plans.csv")
result = compute_periods(loaded, [parse_month("2018-10")], population=75_000)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cpmetrics.dates import DateOrder
from cpmetrics.engine import Options, Population, Result, compute
from cpmetrics.io import RawExtract, read_extract
from cpmetrics.periods import Period
from cpmetrics.validate import Validated, validate_extract

if TYPE_CHECKING:
    import polars as pl


def load_plans(
    path: str | Path,
    *,
    extract_date: dt.date | None = None,
    columns: Mapping[str, str] | None = None,
    date_order: DateOrder | None = None,
    sheet: str | None = None,
    open_markers: Sequence[str] = (),
) -> Validated:
    """Read and validate an extract: clean plan rows plus the findings report.

    ``extract_date``: when the extract was taken; by default the census reference date a CIN
    census file states, else today. ``date_order`` ('dmy' or 'mdy') settles numeric dates such
    as 03/04/2018 when the file's own dates cannot; ``sheet`` picks the worksheet of an Excel
    workbook. ``open_markers`` are read as blank besides NULL, N/A and the like; ISO dates
    among them mark an open plan's end date.
    """
    raw = read_extract(path, sheet=sheet, columns=columns)
    return validate_extract(
        raw,
        extract_date=extract_date or stated_extract_date(raw) or dt.date.today(),
        mapping=columns,
        date_order=date_order,
        open_markers=open_markers,
    )


def stated_extract_date(raw: RawExtract) -> dt.date | None:
    """The date the file says it describes: a CIN census file's ReferenceDate."""
    try:
        return dt.date.fromisoformat(raw.details.get("reference_date", ""))
    except ValueError:
        return None


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
