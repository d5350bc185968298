"""One file's rows in canonical form: headings matched, text trimmed, markers such as NULL read
as blank, dates and counts typed, categories coded, in vectorised passes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import polars as pl

from cpmetrics import schema as s
from cpmetrics.dates import NUMERIC_DATE, DateOrder, numeric_order, parse_date
from cpmetrics.errors import DataError
from cpmetrics.keys import child_key
from cpmetrics.markers import (
    BLANK_MARKERS,
    FAR_FUTURE,
    FIRST_YEAR,
    LAST_YEAR,
    spellings,
    split_local,
)
from cpmetrics.reviews import with_date_list, with_review_list
from cpmetrics.validate.findings import RAW, READER_COLUMNS
from cpmetrics.visits import yes_no

PARSED_LATER = (*s.DATE_COLUMNS, s.PREVIOUS_PLANS)  # trimmed only if the fast parse fails
LATEST_DATES = (s.LATEST_REVIEW, s.LATEST_VISIT)
BAD = "_bad_"  # prefix: how many values of a date-list column cannot be read


def canonical(
    frame: pl.DataFrame,
    header_map: Mapping[str, str],
    source: str = "",
    date_order: DateOrder | None = None,
    open_markers: Sequence[str] = (),
) -> tuple[pl.DataFrame, dict[str, dict[str, int]]]:
    """Typed canonical columns, with the trimmed text of each kept as ``_raw_<name>``, and
    the values read as blank (``NULL``, ``N/A``, sentinel end dates), counted by column.

    Parsing tries the common form first and falls back to the slower, more forgiving one only
    for columns that need it: most extracts are clean, and this is the hot path on big files.
    """
    present = {canonical: header for header, canonical in header_map.items()}
    # Trimming and blanking copy every string; checking first is cheaper, and most columns
    # need neither.
    # Dates and counts need no check: the fast parse rejects padded text, and the slow path
    # trims it.
    # Categories have a handful of distinct values: those are checked instead of every cell.
    # One select, so that polars works on the columns side by side.
    categories_present = [c for c in s.CATEGORY_COLUMNS if c in present]
    headers = [
        h for c, h in present.items() if c not in PARSED_LATER and c not in s.CATEGORY_COLUMNS
    ]
    local_texts, local_dates = split_local(open_markers)
    marks = spellings([*BLANK_MARKERS, *local_texts])
    scan = frame.select(
        # NULL, N/A...: looked for in the same pass (categories: among their distinct values).
        *(pl.col(h).is_in(marks).any().alias("\0" + h) for h in headers),
        *(
            (
                pl.col(h).str.starts_with(" ")
                | pl.col(h).str.ends_with(" ")
                | pl.col(h).str.starts_with("\t")
                | pl.col(h).str.ends_with("\t")
                | (pl.col(h).str.len_bytes() == 0)
            )
            .any()
            .alias(h)
            for h in headers
        ),
        *(pl.col(present[c]).drop_nulls().unique().implode().alias(c) for c in categories_present),
    ).row(0, named=True)
    padded: dict[str, bool] = {h: scan[h] for h in headers}
    distinct: dict[str, list[str]] = {c: scan[c] for c in categories_present}
    padded |= {present[c]: _trimmed(vs) != vs or "" in vs for c, vs in distinct.items()}

    def text(header: str) -> pl.Expr:
        if not padded.get(header, False):
            return pl.col(header)
        return pl.col(header).str.strip_chars().replace("", None)

    raw_cols = [
        (text(present[c]) if c in present else pl.lit(None, pl.String)).alias(RAW + c)
        for c in s.CANONICAL
    ]
    # Other columns only matter for telling a blank row; renamed so no name can clash.
    others = [c for c in frame.columns if c not in (*READER_COLUMNS, *header_map)]
    unmapped = [f"_other_{i}" for i in range(len(others))]
    out = frame.select(
        pl.col(s.LINE),
        *raw_cols,
        *(pl.col(c).alias(a) for c, a in zip(others, unmapped, strict=True)),
    )
    # Dates and counts are looked at below, once trimmed: a marker never passes their fast parse.
    maybe = [
        c
        for c in s.CANONICAL
        if c in present
        and c not in PARSED_LATER
        and (
            padded.get(present[c], False)  # trimming may reveal one
            or scan.get("\0" + present[c], False)
            or any(v in marks for v in distinct.get(c, []))
        )
    ]
    out, read_as_blank = _blank_markers(out, maybe, marks)
    # A NULL category is not a category to look up.
    distinct = {
        c: [v for v in vs if v.strip() not in read_as_blank.get(c, {})]
        for c, vs in distinct.items()
    }
    categories = {c: _category_lookup(distinct.get(c, [])) for c in s.CATEGORY_COLUMNS}
    out = out.select(
        pl.col(s.LINE),
        *(pl.col(RAW + c) for c in s.CANONICAL),
        *unmapped,
        pl.col(RAW + s.CHILD_ID).alias(s.CHILD_ID),
        # No cache: polars' per-value cache made parsing these columns slower, not faster.
        *(
            pl.col(RAW + c).str.to_date("%Y-%m-%d", strict=False, cache=False).alias(c)
            for c in s.DATE_COLUMNS
        ),
        *(_category(pl.col(RAW + c), categories[c]).alias(c) for c in s.CATEGORY_COLUMNS),
        pl.col(RAW + s.FAMILY_ID).alias(s.FAMILY_ID),
        pl.col(RAW + s.START_REASON).alias(s.START_REASON),
        pl.col(RAW + s.END_REASON).alias(s.END_REASON),
        pl.col(RAW + s.REVIEW_DATES).alias(s.REVIEW_DATES),
        pl.col(RAW + s.PLAN_ID).alias(s.PLAN_ID),
        yes_no(pl.col(RAW + s.LATEST_SEEN_ALONE)).alias(s.LATEST_SEEN_ALONE),
        # Unsigned first: "-1" is not a count of 0 or more, and becomes null (rule 8730).
        pl.col(RAW + s.PREVIOUS_PLANS)
        .cast(pl.UInt64, strict=False)
        .cast(pl.Int64, strict=False)  # beyond 2**63: no count either
        .alias(s.PREVIOUS_PLANS),
    )
    # The fast parse is trusted only for exact YYYY-MM-DD text: chrono's %Y also takes
    # "01-01-16" as 16 January of year 1.
    not_iso = {c: pl.col(RAW + c).str.len_bytes() != 10 for c in s.DATE_COLUMNS}
    unparsed = out.select(
        (pl.col(RAW + c).is_not_null() & (pl.col(c).is_null() | not_iso.get(c, pl.lit(False))))
        .any()
        .alias(c)
        for c in (*s.DATE_COLUMNS, s.PREVIOUS_PLANS)
    ).row(0, named=True)
    slow: list[pl.Expr] = []
    order: DateOrder | None = date_order
    trimmed = [c for c in PARSED_LATER if unparsed[c]]
    if trimmed:
        out = out.with_columns(pl.col(RAW + c).str.strip_chars().replace("", None) for c in trimmed)
        out, marked = _blank_markers(out, [c for c in trimmed if c in present], marks)
        read_as_blank |= marked
    if any(unparsed[c] for c in s.DATE_COLUMNS):
        order = date_order or _file_date_order(out, source)
        slow = [parse_date(pl.col(RAW + c), order).alias(c) for c in s.DATE_COLUMNS]
    if unparsed[s.PREVIOUS_PLANS]:
        # '2.0' is a whole number; '-1' and '1.5' are not (rule 8730).
        slow.append(
            pl.col(RAW + s.PREVIOUS_PLANS)
            .str.extract(r"^(\d+)(?:\.0+)?$", 1)
            .cast(pl.Int64, strict=False)
            .alias(s.PREVIOUS_PLANS)
        )
    if slow:
        out = out.with_columns(slow)
    out, sentinels = _sentinel_end_dates(out, local_dates)
    if sentinels:
        read_as_blank.setdefault(s.END_DATE, {}).update(sentinels)
    out = _outside_years(out)
    out = with_review_list(out, RAW + s.REVIEW_DATES, order)
    for column in LATEST_DATES:  # Annex A: one date each (the latest review, the last visit)
        out = with_date_list(out, RAW + column, order, column, BAD + column)
        out = out.with_columns(pl.col(column).list.first())
    blank = pl.all_horizontal(
        *(pl.col(RAW + c).is_null() for c in s.CANONICAL),
        *(pl.col(c).str.strip_chars().replace("", None).is_null() for c in unmapped),
    )
    # Children as numbers: sorting and grouping by them is much cheaper than by text. (A hash
    # is cheaper still to make but much slower to sort: measured, see git history.)
    out = out.with_columns(
        blank.alias("_blank"), child_key(out[s.CHILD_ID]).alias(s.CHILD_KEY)
    ).drop(unmapped)
    return out, read_as_blank


def _blank_markers(
    out: pl.DataFrame, columns: list[str], marks: list[str]
) -> tuple[pl.DataFrame, dict[str, dict[str, int]]]:
    """``NULL``, ``N/A``, ``-`` and the config's own markers (``marks``: every spelling) read
    as blank in these columns of trimmed text, counted by value."""
    found: dict[str, dict[str, int]] = {}
    for c in columns:
        counts = _value_counts(out, RAW + c, pl.col(RAW + c).is_in(marks))
        if not counts:
            continue
        found[c] = counts
        raw = pl.col(RAW + c)
        out = out.with_columns(pl.when(raw.is_in(marks)).then(None).otherwise(raw).alias(RAW + c))
    return out, found


def _value_counts(out: pl.DataFrame, column: str, where: pl.Expr) -> dict[str, int]:
    """How often each value of ``column`` occurs where ``where`` holds (one column filtered)."""
    counts = out.select(pl.col(column).filter(where)).group_by(column).len()
    return dict(zip(counts[column].to_list(), counts["len"].to_list(), strict=True))


def _sentinel_end_dates(
    out: pl.DataFrame, local: list[dt.date]
) -> tuple[pl.DataFrame, dict[str, int]]:
    """End dates that mean "not ended": 9999-12-31, 31/12/2999, or a date the config names."""
    end = pl.col(s.END_DATE)
    sentinel = (end >= FAR_FUTURE) | end.is_in(local)
    if not out.select(sentinel.any()).item():
        return out, {}
    counts = _value_counts(out, RAW + s.END_DATE, sentinel)
    out = out.with_columns(
        pl.when(sentinel).then(None).otherwise(pl.col(c)).alias(c)
        for c in (s.END_DATE, RAW + s.END_DATE)
    )
    return out, counts


def _outside_years(out: pl.DataFrame) -> pl.DataFrame:
    """Dates before 1900 or after 2899 are not read (year 0, 1066, 9998): a bad date, as
    reported, never a plan the calendar arithmetic cannot place. ``_far_<column>`` says why."""
    first, last = dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)
    bounds = out.select(
        ((pl.col(c).min() < first) | (pl.col(c).max() > last)).alias(c) for c in s.DATE_COLUMNS
    ).row(0, named=True)
    # Most files have none: only a column that does gets its _far_ flag.
    outside = {
        c: pl.col(c).is_not_null() & ~pl.col(c).is_between(first, last)
        for c in s.DATE_COLUMNS
        if bounds[c]
    }
    return out.with_columns(
        *(mask.alias("_far_" + c) for c, mask in outside.items()),
        *(pl.when(mask).then(None).otherwise(pl.col(c)).alias(c) for c, mask in outside.items()),
    )


def _file_date_order(frame: pl.DataFrame, source: str) -> DateOrder | None:
    """Day-first or month-first, as the file's own numeric dates show; an error if they can't."""
    try:
        order = numeric_order(frame[RAW + c] for c in s.DATE_COLUMNS)
    except DataError as exc:
        raise DataError(f"{source}: {exc}") from None
    if order is None and _numeric_share(frame) > 0.5:
        raise DataError(
            f"{source}: the dates are ambiguous: every date like 03/04/2018 in the file could be "
            "day-first or month-first; say which with --dates dmy (UK) or --dates mdy, "
            'or date_order = "dmy" in cpmetrics.toml'
        )
    # A few stray numeric dates in an ISO file stay unread (findings), not a file error.
    return order if order == "dmy" or order == "mdy" else None


def _numeric_share(frame: pl.DataFrame) -> float:
    """The share of the file's dates written as numeric day/month (03/04/2018)."""
    raw = [frame[RAW + c] for c in s.DATE_COLUMNS]
    written = sum(int(series.is_not_null().sum()) for series in raw)
    numeric = sum(int(series.str.contains(NUMERIC_DATE).sum()) for series in raw)
    return numeric / written if written else 0.0


def _trimmed(values: list[str]) -> list[str]:
    """Trimmed as the column is (polars' idea of whitespace, not Python's)."""
    return pl.Series(values, dtype=pl.String).str.strip_chars().to_list()


def _category_lookup(values: list[str]) -> dict[str, str | None]:
    """The code for each distinct value as it stands after trimming (blanks become null)."""
    return {v: s.normalise_category(v) for v in _trimmed(values) if v}


def _category(text: pl.Expr, lookup: dict[str, str | None]) -> pl.Expr:
    if all(code == value for value, code in lookup.items()):
        return text  # already codes (NEG, PHY...): nothing to replace
    return text.replace_strict(lookup, default=None, return_dtype=pl.String)
