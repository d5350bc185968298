"""What drives a figure: the records behind each measure, grouped by duration band, category of
abuse, age, family size or any column of the extract.

Groups come from the same records as the counts (``records.at_period``), so that each record
falls in exactly one group (a missing value is the group "not recorded") and the groups of a
measure sum to its figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from cpmetrics import coverage
from cpmetrics import records as r
from cpmetrics import schema as s
from cpmetrics.engine import ratio
from cpmetrics.measures import BY_ID
from cpmetrics.periods import Period

NOT_RECORDED = "not recorded"
BREAKDOWN_COLUMNS = {
    "measure": pl.String,
    "label": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "dimension": pl.String,
    "group": pl.String,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
    "value": pl.Float64,
    "unit": pl.String,
}
DIMENSIONS = ("duration", "category", "age", "family")
# The extract columns a dimension groups by (without them, every record is "not recorded").
DIMENSION_COLUMNS = {
    "category": (s.INITIAL_CATEGORY, s.LATEST_CATEGORY),
    "age": (s.DATE_OF_BIRTH,),
    "family": (s.FAMILY_ID,),
}
# DfE D5 (children on a plan at 31 March) and D7 (plans ended in the year): duration bands.
DURATION_BANDS = (
    "3 months or less",
    "more than 3 months, up to and including 6 months",
    "more than 6 months, under 1 year",
    "1 year, under 2 years",
    "2 years or more",
)
CATEGORY_NAMES = {
    "NEG": "Neglect",
    "PHY": "Physical abuse",
    "SAB": "Sexual abuse",
    "EMO": "Emotional abuse",
    "MUL": "Multiple",
}
AGE_BANDS = ("unborn", "under 1", "1-4", "5-9", "10-15", "16 and over")
FAMILY_SIZES = ("1", "2", "3", "4", "5+")


def breakdown(
    facts: pl.DataFrame,
    period: Period,
    by: str,
    *,
    others: pl.DataFrame | None = None,
    headings: dict[str, str] | None = None,
) -> pl.DataFrame:
    """The long breakdown table of ``period`` by a dimension (``DIMENSIONS``) or a column:
    a canonical name, or a heading of the file (``headings``: heading -> canonical name) or
    of its other columns (``others``, by row)."""
    flagged = r.at_period(r.within(facts, period), period)
    parts: list[tuple[str, str, pl.Expr, Sequence[str]]]  # measure, dimension, group, order
    if by == "duration":
        parts = [
            ("children_on_plan", "duration", _band(pl.lit(period.end)), DURATION_BANDS),
            ("plans_ended", "duration", _band(pl.col(s.END_DATE)), DURATION_BANDS),
        ]
    elif by == "category":
        parts = [
            (measure, column, _category(column), tuple(CATEGORY_NAMES.values()))
            for measure in ("plans_started", "children_on_plan")
            for column in (s.INITIAL_CATEGORY, s.LATEST_CATEGORY)
        ]
    elif by == "age":
        parts = [
            ("children_on_plan", "age", age_band(pl.lit(period.end)), AGE_BANDS),
            ("plans_started", "age at start", age_band(pl.col(s.START_DATE)), AGE_BANDS),
        ]
    elif by == "family":
        flagged = flagged.with_columns(_family_size(flagged).alias("_size"))
        size = pl.col("_size")
        # The family measures only where there are family ids (absent, not 0, otherwise).
        families = flagged[s.FAMILY_ID].null_count() < flagged.height
        measures = ["children_on_plan", "open_2y_plus_pct"]
        measures += ["families_on_plan", "families_open_2y_plus"] if families else []
        parts = [(measure, "family size", size, FAMILY_SIZES) for measure in measures]
    else:
        flagged = r.with_column(flagged, by, others, headings or {}, alias="_by")
        # (By team or worker: the practice measures too, where the extract has them.)
        # (Not before their records begin, or are known: coverage.py.)
        since = coverage.known_from(facts)
        practice = [
            m
            for m in ("reviews_in_time_pct", "review_not_overdue_pct", "visits_in_time_pct")
            if s.defined(flagged, BY_ID[m].needs) and period.end >= since.get(m, period.end)
        ]
        parts = [
            (measure, by, pl.col("_by").fill_null(NOT_RECORDED), ())
            for measure in (
                "children_on_plan",
                "open_2y_plus_pct",
                "plans_started",
                "repeat_plan_pct",
                "plans_ended",
                *practice,
            )
        ]
    tables = [_grouped(flagged, period, *part) for part in parts]
    return pl.concat(tables) if tables else pl.DataFrame(schema=BREAKDOWN_COLUMNS)


def _grouped(
    flagged: pl.DataFrame,
    period: Period,
    measure: str,
    dimension: str,
    group: pl.Expr,
    order: Sequence[str],
) -> pl.DataFrame:
    """One measure by one dimension: a count's groups with their share of the total; a
    percentage's groups with their own numerator, denominator and percentage."""
    counted = r.MEASURE_RECORDS[measure]
    base = counted.denominator or counted.numerator
    rows = flagged.filter(pl.col(base)).select(
        group.fill_null(NOT_RECORDED).alias("group"), pl.col(counted.numerator).alias("_in")
    )
    sums = rows.group_by("group").agg(pl.col("_in").sum().alias("_n"), pl.len().alias("_d"))
    found = dict(
        zip(sums["group"].to_list(), zip(sums["_n"], sums["_d"], strict=True), strict=True)
    )
    groups = [*order, *sorted(g for g in found if g not in order and g != NOT_RECORDED)]
    groups.append(NOT_RECORDED)
    # Nothing at all to group by a column's values: the measure keeps one (empty) group.
    empty = not order and not found
    total = rows.height
    out = []
    for name in groups:
        n, d = found.get(name, (0, 0))
        if name == NOT_RECORDED and not d and not empty:
            continue  # every record has a value
        numerator, denominator = (n, d) if counted.denominator else (d, total)
        out.append(
            {
                "measure": measure,
                "label": BY_ID[measure].label,
                "period_start": period.start,
                "period_end": period.end,
                "dimension": dimension,
                "group": name,
                "numerator": numerator,
                "denominator": denominator,
                "value": ratio(numerator, denominator, 100),
                "unit": "%",
            }
        )
    return pl.DataFrame(out, schema=BREAKDOWN_COLUMNS)


def _band(until: pl.Expr) -> pl.Expr:
    """The D5/D7 band of a plan's duration from its start to ``until`` (calendar months, as
    for 2 years: start + k months <= date; the 2-year point is the engine's)."""
    start = pl.col(s.START_DATE)
    return (
        pl.when(until <= start.dt.offset_by("3mo"))
        .then(pl.lit(DURATION_BANDS[0]))
        .when(until <= start.dt.offset_by("6mo"))
        .then(pl.lit(DURATION_BANDS[1]))
        .when(until < start.dt.offset_by("1y"))
        .then(pl.lit(DURATION_BANDS[2]))
        .when(until < pl.col("two_years"))
        .then(pl.lit(DURATION_BANDS[3]))
        .otherwise(pl.lit(DURATION_BANDS[4]))
    )


def _category(column: str) -> pl.Expr:
    return pl.col(column).replace_strict(CATEGORY_NAMES, default=None, return_dtype=pl.String)


def _years(on: pl.Expr) -> pl.Expr:
    """Whole years from the date of birth to ``on`` (a 29 February birthday comes on 1 March
    in other years)."""
    born = pl.col(s.DATE_OF_BIRTH)
    before_birthday = (on.dt.month() < born.dt.month()) | (
        (on.dt.month() == born.dt.month()) & (on.dt.day() < born.dt.day())
    )
    return on.dt.year() - born.dt.year() - before_birthday.cast(pl.Int32)


def age_in_years(on: pl.Expr) -> pl.Expr:
    """The age on a day as text: 'unborn' (born after it), else whole years ('0', '7')."""
    born = pl.col(s.DATE_OF_BIRTH)
    return pl.when(born > on).then(pl.lit("unborn")).otherwise(_years(on).cast(pl.String))


def age_band(on: pl.Expr) -> pl.Expr:
    """The age band on a day: unborn (born after it), then whole years of age."""
    born = pl.col(s.DATE_OF_BIRTH)
    years = _years(on)
    return (
        pl.when(born.is_null())
        .then(pl.lit(None, pl.String))
        .when(born > on)
        .then(pl.lit("unborn"))
        .when(years < 1)
        .then(pl.lit("under 1"))
        .when(years <= 4)
        .then(pl.lit("1-4"))
        .when(years <= 9)
        .then(pl.lit("5-9"))
        .when(years <= 15)
        .then(pl.lit("10-15"))
        .otherwise(pl.lit("16 and over"))
    )


def _family_size(flagged: pl.DataFrame) -> pl.Expr:
    """The number of the family's children on a plan at R (5 or more as '5+')."""
    current = flagged.filter(pl.col(r.CURRENT) & pl.col(s.FAMILY_ID).is_not_null())
    sizes = current.group_by(s.FAMILY_ID).len()
    lookup = {f: ("5+" if n >= 5 else str(n)) for f, n in sizes.iter_rows()}
    return pl.col(s.FAMILY_ID).replace_strict(lookup, default=None, return_dtype=pl.String)


def check_totals(table: pl.DataFrame, figures: dict[str, tuple[int, int | None]]) -> list[str]:
    """Where a measure's groups do not sum to its figure (they always should): what differs."""
    problems = []
    for (measure, dimension), rows in table.group_by("measure", "dimension", maintain_order=True):
        if str(measure) not in figures:
            problems.append(f"{measure} by {dimension}: the measure has no figure")
            continue
        counted = r.MEASURE_RECORDS[str(measure)]
        numerator, denominator = figures[str(measure)]
        got: tuple[int, int | None] = (int(rows["numerator"].sum()), None)
        want: tuple[int, int | None] = (numerator, None)
        if counted.denominator:
            got, want = (got[0], int(rows["denominator"].sum())), (numerator, denominator)
        if got != want:
            problems.append(f"{measure} by {dimension}: groups sum to {got}, the figure is {want}")
    return problems
