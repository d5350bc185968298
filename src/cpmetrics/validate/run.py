"""Turn a raw extract into canonical, typed plan rows and findings, in vectorised passes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from cpmetrics import schema as s
from cpmetrics.dates import NUMERIC_DATE, DateOrder, numeric_order, parse_date
from cpmetrics.errors import DataError
from cpmetrics.history import HISTORY_COLUMNS, with_child_history
from cpmetrics.io import RawExtract
from cpmetrics.io.csv import EXTRA, MISSING
from cpmetrics.keys import child_key
from cpmetrics.markers import (
    BLANK_MARKERS,
    FAR_FUTURE,
    FIRST_YEAR,
    LAST_YEAR,
    spellings,
    split_local,
)
from cpmetrics.validate.report import FINDING_SCHEMA, ValidationReport, empty_findings
from cpmetrics.validate.rules import RULE_ORDER, RULES

_RAW = "_raw_"  # prefix for the text as read, kept for messages
# Added by the readers, not data: the line, ragged-row markers, the XML element path.
# Ours, across files: a row's number (unique even where two plans share a line), its file's
# place in the list, and that file's extract date.
ROW, SOURCE, EXTRACT_DATE = "_row", "_file", "_extract"
_READER_COLUMNS = (s.LINE, EXTRA, MISSING, "xml_path", ROW, SOURCE)
_PARSED_LATER = (*s.DATE_COLUMNS, s.PREVIOUS_PLANS)  # trimmed only if the fast parse fails


@dataclass(frozen=True)
class Validated:
    """Clean plan rows (canonical columns + ``line``) and the report on the whole extract.

    ``timeline`` holds the same plans sorted by child and start, each with its place among
    its child's plans: what the engine computes from. ``compute`` takes either frame; the
    timeline spares it sorting the plans again.
    """

    plans: pl.DataFrame
    report: ValidationReport
    timeline: pl.DataFrame


def validate_extract(
    raw: RawExtract,
    *,
    extract_date: dt.date,
    mapping: Mapping[str, str] | None = None,
    date_order: DateOrder | None = None,
    open_markers: Sequence[str] = (),
) -> Validated:
    """Check every row against the rules; rows failing an excluding rule leave ``plans``.

    ``open_markers``: text read as blank besides NULL, N/A and the like (spec), and ISO dates
    that mark an open plan's end date."""
    return validate_extracts(
        [raw],
        extract_dates=[extract_date],
        mapping=mapping,
        date_order=date_order,
        open_markers=open_markers,
    )


def validate_extracts(
    raws: Sequence[RawExtract],
    *,
    extract_dates: Sequence[dt.date],
    mapping: Mapping[str, str] | None = None,
    date_order: DateOrder | None = None,
    open_markers: Sequence[str] = (),
) -> Validated:
    """Several files read as one extract (a council's census returns for several years, say).

    Each file is read on its own terms (its headings, its date order, its extract date); the
    rules then run over all of them, so that a child's plans in different files are one
    history. A plan in more than one file (same child, same start) is counted once, from the
    file with the latest extract date (the later position breaks a tie); a difference between
    the files is reported.
    """
    prepared = []
    offset = 0
    for index, (raw, extract_date) in enumerate(zip(raws, extract_dates, strict=True)):
        prepared.append(
            _prepare(raw, index, offset, extract_date, mapping, date_order, open_markers)
        )
        offset += raw.frame.height
    if len(prepared) == 1:
        frame = prepared[0].frame
    else:
        # Diagonal: a file with dates out of range has a _far_ column the others lack. One
        # chunk per column: polars' filters panic on some multi-chunk frames (seen in 2.1).
        frame = pl.concat([p.frame for p in prepared], how="diagonal").rechunk()
        # One child, one key, whichever file.
        frame = frame.with_columns(child_key(frame[s.CHILD_ID]).alias(s.CHILD_KEY))
    present = set().union(*(p.header_map.values() for p in prepared))
    ordered = _by_child(frame)
    excluding = [c for c, rule in RULES.items() if rule.excludes]
    early = pl.concat(
        [
            *(p.structural for p in prepared),
            _row_findings(frame, present),
            # Only where NUL bytes can be: a CSV reader saw some, or a binary format.
            _nul_findings(frame, present)
            if any(r.details.get("nul_bytes") or r.format in ("xlsx", "parquet") for r in raws)
            else empty_findings(),
        ]
    )
    unusable = early.filter(pl.col("rule").is_in(excluding))[ROW]
    if len(prepared) > 1:
        early = pl.concat([early, _repeated_findings(frame, unusable, raws)])
        unusable = early.filter(pl.col("rule").is_in(excluding))[ROW]
    # A row is a duplicate of an earlier usable row: one excluded already (a short row, say)
    # does not make the next row like it a duplicate.
    row_findings = pl.concat([early, _duplicate_findings(frame, ordered, unusable)])
    findings = [row_findings]
    excluded_rows = row_findings.filter(pl.col("rule").is_in(excluding))
    if excluded_rows.height:
        gone = excluded_rows.select(ROW).unique()
        kept = frame.join(gone, on=ROW, how="anti", maintain_order="left")
        ordered = ordered.join(gone, on=ROW, how="anti", maintain_order="left")
    else:
        kept = frame
    # Each plan's place among its child's plans: the overlap rules need it, and the engine
    # takes it from here rather than sorting again.
    history = with_child_history(ordered, presorted=True)
    findings.append(_overlap_findings(kept, history))
    all_findings = pl.concat(findings).sort(
        ROW, pl.col("rule").replace_strict(RULE_ORDER, return_dtype=pl.Int32), nulls_last=False
    )
    primary = (
        excluded_rows.with_columns(
            pl.col("rule").replace_strict(RULE_ORDER, return_dtype=pl.Int32).alias("_order")
        )
        .sort("_order")
        .unique(ROW, keep="first")
        .group_by("rule", "_order")
        .len()
        .sort("_order")
    )
    several = len(prepared) > 1
    plans = kept.select(s.LINE, *s.CANONICAL, *([SOURCE] if several else []))
    if several:
        names = {i: r.source for i, r in enumerate(raws)}
        plans = plans.with_columns(pl.col(SOURCE).replace_strict(names, return_dtype=pl.String))
    timeline = history.select(
        s.LINE, s.CHILD_KEY, s.START_DATE, s.END_DATE, s.PREVIOUS_PLANS, *HISTORY_COLUMNS
    )
    header_map: dict[str, str] = {}
    read_as_blank: dict[str, dict[str, int]] = {}
    for p in prepared:
        header_map |= {h: c for h, c in p.header_map.items() if c not in header_map.values()}
        for column, counts in p.read_as_blank.items():
            merged = read_as_blank.setdefault(column, {})
            for value, n in counts.items():
                merged[value] = merged.get(value, 0) + n
    report = ValidationReport(
        source=" ".join(r.source for r in raws),
        input_rows=frame.height,
        used_rows=plans.height,
        findings=all_findings,
        excluded_by_rule=dict(
            zip(primary["rule"].to_list(), primary["len"].to_list(), strict=True)
        ),
        columns=header_map,
        blank_lines=sum(int(r.details.get("blank_lines", 0)) for r in raws),
        ignored_columns=tuple(
            dict.fromkeys(
                c
                for r, p in zip(raws, prepared, strict=True)
                for c in r.frame.columns
                if c not in p.header_map and c not in _READER_COLUMNS
            )
        ),
        extract_date=max(extract_dates),
        read_as_blank=read_as_blank,
        sources=tuple(r.source for r in raws),
        unrecognised=tuple(pair for p in prepared for pair in p.unrecognised),
    )
    return Validated(plans=plans, report=report, timeline=timeline)


@dataclass(frozen=True)
class _Prepared:
    """One file's rows in canonical form, and what was found about the file as a whole."""

    frame: pl.DataFrame
    header_map: dict[str, str]
    structural: pl.DataFrame
    read_as_blank: dict[str, dict[str, int]]
    unrecognised: list[tuple[str, str]]


def _prepare(
    raw: RawExtract,
    index: int,
    offset: int,
    extract_date: dt.date,
    mapping: Mapping[str, str] | None,
    date_order: DateOrder | None,
    open_markers: Sequence[str],
) -> _Prepared:
    """Match the headings, type the columns and number the rows (``_row``: unique across
    files, and within a file even where two plans share a line of a minified XML file)."""
    header_map, clashes = s.match_columns(
        [c for c in raw.frame.columns if c not in _READER_COLUMNS and not _duplicate_name(c)],
        mapping,
    )
    missing = [c for c in s.REQUIRED if c not in header_map.values()]
    if missing:
        _missing_columns(raw, header_map, missing, mapping)
    frame, read_as_blank = _canonical(raw.frame, header_map, raw.source, date_order, open_markers)
    numbering = [
        (pl.int_range(pl.len(), dtype=pl.Int64) + offset).alias(ROW),
        pl.lit(index, pl.Int32).alias(SOURCE),
    ]
    frame = frame.with_columns(*numbering, pl.lit(extract_date).alias(EXTRACT_DATE))
    structural = _structural_findings(raw.frame.with_columns(numbering), clashes)
    structural = structural.with_columns(pl.col(SOURCE).fill_null(index))
    unrecognised = s.near_misses(
        [c for c in raw.frame.columns if c not in header_map and c not in _READER_COLUMNS],
        [c for c in s.CANONICAL if c not in header_map.values()],
    )
    return _Prepared(frame, header_map, structural, read_as_blank, unrecognised)


def _missing_columns(
    raw: RawExtract,
    header_map: Mapping[str, str],
    missing: list[str],
    mapping: Mapping[str, str] | None,
) -> None:
    headers = [c for c in raw.frame.columns if c not in _READER_COLUMNS]
    found = _list_columns(headers)
    unmatched = s.unmatched_mapping(headers, mapping)
    likely = dict(
        (canonical, header)
        for header, canonical in reversed(
            s.near_misses([h for h in headers if h not in header_map], missing)
        )
    )
    examples = "; ".join(f'{c} = "{likely.get(c, "Your Header")}"' for c in missing)
    hint = (
        f"the config maps {', '.join(unmatched)}, which the file lacks"
        if unmatched
        else f"name the file's columns in cpmetrics.toml under [columns], e.g. {examples}"
    )
    noun = "column" if len(missing) == 1 else "columns"
    raise DataError(
        f"{raw.source}: required {noun} {', '.join(repr(m) for m in missing)} not found "
        f"(columns in the file: {found}); {hint}"
    )


def _repeated_findings(
    frame: pl.DataFrame, unusable: pl.Series, raws: Sequence[RawExtract]
) -> pl.DataFrame:
    """A plan (child and start) in more than one file is counted from the most recent file
    that has it: the others' rows are ``repeated-plan`` (excluded, expected), and where their
    end dates differ, ``files-disagree`` names both files and lines.

    A file's recency is the date it states (a census ReferenceDate), else the latest date in
    it, never the order given or the extract date given for all files (which says nothing
    about which file is newer). Of two equally recent copies, one with an end date beats an
    open one; then the later given.
    """
    usable = frame.filter(
        ~pl.col(ROW).is_in(unusable.implode()) & pl.col(s.START_DATE).is_not_null()
    )
    key = [s.CHILD_KEY, s.START_DATE]
    several = usable.filter(pl.col(SOURCE).n_unique().over(key) > 1)
    if several.is_empty():
        return empty_findings()
    latest = usable.group_by(SOURCE).agg(
        pl.max_horizontal(pl.col(s.START_DATE).max(), pl.col(s.END_DATE).max()).alias("_latest")
    )
    seen = dict(zip(latest[SOURCE].to_list(), latest["_latest"].to_list(), strict=True))
    recency = {i: raw.stated_date() or seen.get(i) for i, raw in enumerate(raws)}
    several = several.with_columns(
        pl.col(SOURCE).replace_strict(recency, return_dtype=pl.Date).alias("_recency"),
        pl.col(s.END_DATE).is_not_null().alias("_has_end"),
    )
    winners = (
        several.sort("_recency", "_has_end", SOURCE, nulls_last=False)
        .group_by(key)
        .agg(
            pl.col(SOURCE).last().alias("_kept_file"),
            pl.col(s.LINE).last().alias("_kept_line"),
            pl.col(_RAW + s.END_DATE).last().alias("_kept_end"),
            pl.col(s.END_DATE).last().alias("_kept_end_date"),
        )
    )
    names = {i: r.source for i, r in enumerate(raws)}
    losers = (
        several.join(winners, on=key)
        .filter(pl.col(SOURCE) != pl.col("_kept_file"))
        .with_columns(
            pl.col("_kept_file").replace_strict(names, return_dtype=pl.String).alias("_kept_name")
        )
    )
    # Dates as read, not as written: 2018-06-30 in one file and 30/06/2018 in another agree.
    differ = ~pl.col(s.END_DATE).eq_missing(pl.col("_kept_end_date"))
    return _findings_for(
        losers,
        [
            (
                "repeated-plan",
                pl.lit(True),
                s.START_DATE,
                pl.format(
                    "the same plan (child, start) is in {} line {}, the more recent file, and "
                    "is counted from there",
                    pl.col("_kept_name"),
                    pl.col("_kept_line"),
                ),
            ),
            (
                "files-disagree",
                differ,
                s.END_DATE,
                pl.format(
                    "end date here {}, in {} line {}: {} (the more recent file is used)",
                    pl.col(_RAW + s.END_DATE).fill_null("blank (open)"),
                    pl.col("_kept_name"),
                    pl.col("_kept_line"),
                    pl.col("_kept_end").fill_null("blank (open)"),
                ),
            ),
        ],
    )


def _by_child(frame: pl.DataFrame) -> pl.DataFrame:
    """Line, child, start, end and previous plans, sorted by child, start and line; children
    numbered 0, 1...

    One sort serves the duplicate check, the overlap rules and the engine: sorting is the
    costly part on big files. Stable single-column sorts (start, then child) give the same
    order as one sort on three columns, in half the time; and extracts usually list plans by
    start date, or by child and start, so that the sort by child alone is often enough.
    """
    # Rows come numbered in file order (``_row``): the stable sorts below rely on it.
    slim = frame.select(ROW, s.LINE, s.CHILD_KEY, s.START_DATE, s.END_DATE, s.PREVIOUS_PLANS)
    ordered = slim.sort(s.CHILD_KEY, nulls_last=True, maintain_order=True)
    key, start = pl.col(s.CHILD_KEY), pl.col(s.START_DATE)
    out_of_order = ordered.select(
        (key.eq_missing(key.shift()) & (start < start.shift())).any()
        | start.is_null().any()  # blank starts go last; the sort by start puts them there
    ).item()
    if out_of_order:
        ordered = slim.sort(s.START_DATE, nulls_last=True, maintain_order=True).sort(
            s.CHILD_KEY, nulls_last=True, maintain_order=True
        )
    return ordered.with_columns(key.rle_id())


def _list_columns(columns: list[str], most: int = 12) -> str:
    """The file's headers for a message: a few, each shortened, never megabytes of them."""
    shown = [repr(c if len(c) <= 40 else c[:37] + "...") for c in columns[:most]]
    more = f" and {len(columns) - most:,} more" if len(columns) > most else ""
    return (", ".join(shown) or "none") + more


def _canonical(
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
        h for c, h in present.items() if c not in _PARSED_LATER and c not in s.CATEGORY_COLUMNS
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
        (text(present[c]) if c in present else pl.lit(None, pl.String)).alias(_RAW + c)
        for c in s.CANONICAL
    ]
    # Other columns only matter for telling a blank row; renamed so no name can clash.
    others = [c for c in frame.columns if c not in (*_READER_COLUMNS, *header_map)]
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
        and c not in _PARSED_LATER
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
        *(pl.col(_RAW + c) for c in s.CANONICAL),
        *unmapped,
        pl.col(_RAW + s.CHILD_ID).alias(s.CHILD_ID),
        # No cache: polars' per-value cache made parsing these columns slower, not faster.
        *(
            pl.col(_RAW + c).str.to_date("%Y-%m-%d", strict=False, cache=False).alias(c)
            for c in s.DATE_COLUMNS
        ),
        *(_category(pl.col(_RAW + c), categories[c]).alias(c) for c in s.CATEGORY_COLUMNS),
        pl.col(_RAW + s.FAMILY_ID).alias(s.FAMILY_ID),
        pl.col(_RAW + s.REVIEW_DATES).alias(s.REVIEW_DATES),
        # Unsigned first: "-1" is not a count of 0 or more, and becomes null (rule 8730).
        pl.col(_RAW + s.PREVIOUS_PLANS)
        .cast(pl.UInt64, strict=False)
        .cast(pl.Int64, strict=False)  # beyond 2**63: no count either
        .alias(s.PREVIOUS_PLANS),
    )
    # The fast parse is trusted only for exact YYYY-MM-DD text: chrono's %Y also takes
    # "01-01-16" as 16 January of year 1.
    not_iso = {c: pl.col(_RAW + c).str.len_bytes() != 10 for c in s.DATE_COLUMNS}
    unparsed = out.select(
        (pl.col(_RAW + c).is_not_null() & (pl.col(c).is_null() | not_iso.get(c, pl.lit(False))))
        .any()
        .alias(c)
        for c in (*s.DATE_COLUMNS, s.PREVIOUS_PLANS)
    ).row(0, named=True)
    slow: list[pl.Expr] = []
    trimmed = [c for c in _PARSED_LATER if unparsed[c]]
    if trimmed:
        out = out.with_columns(
            pl.col(_RAW + c).str.strip_chars().replace("", None) for c in trimmed
        )
        out, marked = _blank_markers(out, [c for c in trimmed if c in present], marks)
        read_as_blank |= marked
    if any(unparsed[c] for c in s.DATE_COLUMNS):
        order = date_order or _file_date_order(out, source)
        slow = [parse_date(pl.col(_RAW + c), order).alias(c) for c in s.DATE_COLUMNS]
    if unparsed[s.PREVIOUS_PLANS]:
        # '2.0' is a whole number; '-1' and '1.5' are not (rule 8730).
        slow.append(
            pl.col(_RAW + s.PREVIOUS_PLANS)
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
    blank = pl.all_horizontal(
        *(pl.col(_RAW + c).is_null() for c in s.CANONICAL),
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
        counts = _value_counts(out, _RAW + c, pl.col(_RAW + c).is_in(marks))
        if not counts:
            continue
        found[c] = counts
        raw = pl.col(_RAW + c)
        out = out.with_columns(pl.when(raw.is_in(marks)).then(None).otherwise(raw).alias(_RAW + c))
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
    counts = _value_counts(out, _RAW + s.END_DATE, sentinel)
    out = out.with_columns(
        pl.when(sentinel).then(None).otherwise(pl.col(c)).alias(c)
        for c in (s.END_DATE, _RAW + s.END_DATE)
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
        order = numeric_order(frame[_RAW + c] for c in s.DATE_COLUMNS)
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
    raw = [frame[_RAW + c] for c in s.DATE_COLUMNS]
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


Check = tuple[str, pl.Expr, str | None, pl.Expr | str]  # rule, mask, column, message


def _findings_for(frame: pl.DataFrame, checks: list[Check]) -> pl.DataFrame:
    """Evaluate every mask in one pass; build findings only from the rows that fail."""
    masks = frame.select(
        mask.fill_null(False).alias(f"_{i}") for i, (_, mask, _, _) in enumerate(checks)
    )
    hits = masks.sum().row(0)
    parts = [empty_findings()]
    for i, (rule, _, column, message) in enumerate(checks):
        if not hits[i]:
            continue
        failing = frame.filter(masks[f"_{i}"])
        value = pl.col(_RAW + column) if column else pl.lit(None, pl.String)
        parts.append(
            failing.select(
                pl.col(ROW),
                pl.col(SOURCE),
                pl.lit(rule).alias("rule"),
                pl.lit(RULES[rule].severity).alias("severity"),
                pl.col(s.LINE).alias("line"),
                pl.lit(column, pl.String).alias("column"),
                value.alias("value"),
                (pl.lit(message) if isinstance(message, str) else message)
                .cast(pl.String)
                .alias("message"),
            ).cast(FINDING_SCHEMA)  # type: ignore[arg-type]
        )
    return pl.concat(parts)


def _row_findings(frame: pl.DataFrame, present: set[str]) -> pl.DataFrame:
    blank = pl.col("_blank")
    live = ~blank
    start, end = pl.col(s.START_DATE), pl.col(s.END_DATE)
    raw = {c: pl.col(_RAW + c) for c in s.CANONICAL}
    unreadable = {c: raw[c].is_not_null() & pl.col(c).is_null() for c in s.DATE_COLUMNS}
    extract_date = pl.col(EXTRACT_DATE)
    checks: list[Check] = [
        ("blank-row", blank, None, "blank row"),
        ("blank-id", live & raw[s.CHILD_ID].is_null(), s.CHILD_ID, "child id is blank"),
        (
            "bad-date",
            live & unreadable[s.START_DATE],
            s.START_DATE,
            _date_problem(s.START_DATE, "start date", frame.columns),
        ),
        (
            "bad-date",
            live & unreadable[s.END_DATE],
            s.END_DATE,
            _date_problem(s.END_DATE, "end date", frame.columns),
        ),
        ("8720", live & raw[s.START_DATE].is_null(), s.START_DATE, "start date is blank"),
        (
            "8720",
            start > extract_date,
            s.START_DATE,
            pl.format("start date is after the extract date {}", extract_date),
        ),
        (
            "future-date",
            end > extract_date,
            s.END_DATE,
            pl.format("end date is after the extract date {}", extract_date),
        ),
        ("8925", end < start, s.END_DATE, pl.format("end date is before the start date {}", start)),
        ("8840", end == start, s.END_DATE, "plan starts and ends on the same day"),
        (
            "8730",
            raw[s.PREVIOUS_PLANS].is_not_null() & pl.col(s.PREVIOUS_PLANS).is_null(),
            s.PREVIOUS_PLANS,
            "previous-plans count is not a whole number of 0 or more",
        ),
        (
            "bad-birth-date",
            live & unreadable[s.DATE_OF_BIRTH],
            s.DATE_OF_BIRTH,
            "date of birth is not a date (such as 2018-10-31 or 31/10/2018)",
        ),
    ]
    if s.REVIEW_DATES in present:
        reviews = (
            raw[s.REVIEW_DATES]
            .str.split(";")
            .list.eval(parse_date(pl.element().str.strip_chars(), "dmy"))
            .list.min()
        )
        checks.append(
            (
                "8841",
                reviews <= start,
                s.REVIEW_DATES,
                pl.format("a review is dated on or before the plan's start {}", start),
            )
        )
    for rule, column in (("8905", s.INITIAL_CATEGORY), ("8910", s.LATEST_CATEGORY)):
        if column not in present:
            continue  # an extract without categories is fine; blank cells in one are not
        checks.append(
            (
                rule,
                live & raw[column].is_not_null() & pl.col(column).is_null(),
                column,
                "category is not one of neglect, physical, sexual, emotional, multiple",
            )
        )
        checks.append((rule, live & raw[column].is_null(), column, "category is blank"))
    return _findings_for(frame, checks)


def _nul_findings(frame: pl.DataFrame, present: set[str]) -> pl.DataFrame:
    checks: list[Check] = [
        (
            "nul-byte",
            pl.col(_RAW + c).str.contains("\x00", literal=True),
            c,
            "the value holds a NUL byte (shown as \\x00): the file may be damaged; "
            "the value is used as written",
        )
        for c in s.CANONICAL
        if c in present
    ]
    found = _findings_for(frame, checks)
    return found.with_columns(pl.col("value").str.replace_all("\x00", "\\x00", literal=True))


def _date_problem(column: str, what: str, columns: list[str]) -> pl.Expr:
    """Why a date could not be read: not a date at all, or day and month in doubt."""
    parts = pl.col(_RAW + column).str.extract_groups(NUMERIC_DATE)
    either_way = (parts.struct["1"].cast(pl.Int32, strict=False) <= 12) & (
        parts.struct["2"].cast(pl.Int32, strict=False) <= 12
    )
    far = pl.col("_far_" + column) if "_far_" + column in columns else pl.lit(False)
    return (
        pl.when(far)
        .then(pl.lit(f"{what} is outside the years {FIRST_YEAR} to {LAST_YEAR}"))
        .when(either_way.fill_null(False))
        .then(
            pl.lit(
                f"{what} could be day-first or month-first and the file does not say which; "
                "give --dates dmy or --dates mdy"
            )
        )
        .otherwise(pl.lit(f"{what} is not a date (such as 2018-10-31 or 31/10/2018)"))
    )


def _duplicate_findings(
    frame: pl.DataFrame, ordered: pl.DataFrame, unusable: pl.Series
) -> pl.DataFrame:
    """Exact duplicates of an earlier usable row (``unusable``: lines excluded already).
    Candidates are neighbours in ``ordered`` (sorted by child, start and line) with the same
    child and start; only those are compared in full."""
    same = pl.col(s.CHILD_KEY).eq_missing(pl.col(s.CHILD_KEY).shift(1)) & pl.col(
        s.START_DATE
    ).eq_missing(pl.col(s.START_DATE).shift(1))
    pairs = ordered.select(ROW, same.fill_null(False).alias("_same"))
    rows = pairs.filter(pl.col("_same") | pl.col("_same").shift(-1).fill_null(False))[ROW]
    if rows.is_empty():
        return empty_findings()
    candidates = frame.filter(
        pl.col(ROW).is_in(rows.implode())
        & ~pl.col("_blank")
        & ~pl.col(ROW).is_in(unusable.implode())
    )
    if candidates.is_empty():
        return empty_findings()
    raw_cols = [_RAW + c for c in s.CANONICAL]
    key = pl.struct(raw_cols)
    marked = candidates.sort(ROW).with_columns(
        (~key.is_first_distinct()).alias("_dup"), pl.col(s.LINE).first().over(key).alias("_first")
    )
    return _findings_for(
        marked,
        [
            (
                "duplicate-row",
                pl.col("_dup"),
                s.CHILD_ID,
                pl.format("same as line {}", pl.col("_first")),
            )
        ],
    )


def _overlap_findings(plans: pl.DataFrame, ordered: pl.DataFrame) -> pl.DataFrame:
    """8935 (two open plans) and 8940 (overlapping plans), on the rows left after exclusions.

    The ordering work runs on a slim frame; only flagged rows are looked up in full.
    """
    overlapping = ordered.filter(pl.col(s.START_DATE) < pl.col("_earlier_end"))[ROW]
    open_plans = ordered.filter(pl.col(s.END_DATE).is_null())
    two_open = open_plans.filter(pl.col(s.CHILD_KEY).is_duplicated()).with_columns(
        pl.len().over(s.CHILD_KEY).alias("_open")
    )
    if overlapping.is_empty() and two_open.is_empty():
        return empty_findings()
    flagged = plans.filter(pl.col(ROW).is_in(pl.concat([overlapping, two_open[ROW]]).implode()))
    flagged = flagged.join(two_open.select(ROW, "_open"), on=ROW, how="left")
    return pl.concat(
        [
            _findings_for(
                flagged,
                [
                    (
                        "8940",
                        pl.col(ROW).is_in(overlapping.implode()),
                        s.START_DATE,
                        "plan starts before an earlier plan of the same child has ended",
                    ),
                    (
                        "8935",
                        pl.col("_open").is_not_null() & pl.col(s.END_DATE).is_null(),
                        s.END_DATE,
                        pl.format("child has {} open plans", pl.col("_open")),
                    ),
                ],
            ),
        ]
    )


def _duplicate_name(column: str) -> bool:
    return re.search(r"_duplicated_\d+$", column) is not None


def _structural_findings(frame: pl.DataFrame, clashes: list[tuple[str, str, str]]) -> pl.DataFrame:
    rows = [
        {
            "rule": "duplicate-column",
            "severity": RULES["duplicate-column"].severity,
            "line": 1,
            "column": other,
            "value": other,
            "message": f"'{other}' also means {canonical}; '{kept}' is used",
        }
        for canonical, kept, other in clashes
    ]
    rows += [
        {
            "rule": "duplicate-column",
            "severity": RULES["duplicate-column"].severity,
            "line": 1,
            "column": re.sub(r"_duplicated_\d+$", "", column),
            "value": re.sub(r"_duplicated_\d+$", "", column),
            "message": "the header names this column more than once; the first is used",
        }
        for column in frame.columns
        if _duplicate_name(column)
    ]
    out = pl.DataFrame(rows, schema=FINDING_SCHEMA) if rows else empty_findings()
    parts = [out]
    if EXTRA in frame.columns:
        parts.append(
            _findings_for(
                frame.with_columns(pl.col(EXTRA).alias(_RAW + EXTRA)),
                [
                    (
                        "extra-fields",
                        pl.col(EXTRA).is_not_null(),
                        EXTRA,
                        "more fields than the header has; the extra ones are ignored",
                    )
                ],
            ).with_columns(pl.lit(None, pl.String).alias("column"))
        )
    if MISSING in frame.columns:
        headers = [c for c in frame.columns if c not in _READER_COLUMNS]
        width = len(headers)
        # The fields a short row lacks are the header's last ones: name them (a few at most).
        lacking = {
            k: ", ".join(headers[-k:][:3]) + (f" and {k - 3} more" if k > 3 else "")
            for k in range(1, width + 1)
        }
        parts.append(
            _findings_for(
                frame.with_columns(pl.lit(None, pl.String).alias(_RAW + MISSING)),
                [
                    (
                        "missing-fields",
                        pl.col(MISSING).is_not_null(),
                        None,
                        pl.format(
                            "row has {} of the header's {} fields (no {}); a missing field is "
                            "not a blank",
                            pl.lit(width) - pl.col(MISSING),
                            pl.lit(width),
                            pl.col(MISSING).replace_strict(
                                lacking, default="", return_dtype=pl.String
                            ),
                        ),
                    )
                ],
            )
        )
    return pl.concat(parts)
