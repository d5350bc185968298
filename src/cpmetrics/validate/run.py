"""Turn raw extracts into canonical, typed plan rows and findings: the order of the work.

The rules live beside this module: ``canonical`` types one file's rows, ``plan_rules`` checks
them, ``several_files`` reconciles files, ``findings`` is what they share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from cpmetrics import schema as s
from cpmetrics.dates import DateOrder
from cpmetrics.errors import DataError
from cpmetrics.history import HISTORY_COLUMNS, with_child_history
from cpmetrics.io import RawExtract
from cpmetrics.keys import child_key
from cpmetrics.reviews import deadlines
from cpmetrics.validate.canonical import canonical
from cpmetrics.validate.findings import EXTRACT_DATE, READER_COLUMNS, ROW, SOURCE
from cpmetrics.validate.plan_rules import (
    duplicate_findings,
    duplicate_name,
    nul_findings,
    overlap_findings,
    row_findings,
    structural_findings,
)
from cpmetrics.validate.report import ValidationReport, empty_findings
from cpmetrics.validate.rules import RULE_ORDER, RULES
from cpmetrics.validate.several_files import repeated_findings


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
    # The extract's other columns (team, worker...) under their own headings, by ``_row``:
    # joined to the plans only when a breakdown or a list asks for one.
    others: pl.DataFrame | None = None


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
    if s.FAMILY_ID in present:  # families as numbers, for the family measures
        frame = frame.with_columns(child_key(frame[s.FAMILY_ID]).alias(s.FAMILY_KEY))
    ordered = _by_child(frame)
    excluding = [c for c, rule in RULES.items() if rule.excludes]
    early = pl.concat(
        [
            *(p.structural for p in prepared),
            row_findings(frame, present),
            # Only where NUL bytes can be: a CSV reader saw some, or a binary format.
            nul_findings(frame, present)
            if any(r.details.get("nul_bytes") or r.format in ("xlsx", "parquet") for r in raws)
            else empty_findings(),
        ]
    )
    unusable = early.filter(pl.col("rule").is_in(excluding))[ROW]
    if len(prepared) > 1:
        early = pl.concat([early, repeated_findings(frame, unusable, raws)])
        unusable = early.filter(pl.col("rule").is_in(excluding))[ROW]
    # A row is a duplicate of an earlier usable row: one excluded already (a short row, say)
    # does not make the next row like it a duplicate.
    found_rows = pl.concat([early, duplicate_findings(frame, ordered, unusable)])
    findings = [found_rows]
    excluded_rows = found_rows.filter(pl.col("rule").is_in(excluding))
    if excluded_rows.height:
        gone = excluded_rows.select(ROW).unique()
        kept = frame.join(gone, on=ROW, how="anti", maintain_order="left")
        ordered = ordered.join(gone, on=ROW, how="anti", maintain_order="left")
    else:
        kept = frame
    # Each plan's place among its child's plans: the overlap rules need it, and the engine
    # takes it from here rather than sorting again.
    history = with_child_history(ordered, presorted=True)
    findings.append(overlap_findings(kept, history))
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
    # Annex A's latest review or visit after the extract date is a typo (reported,
    # bad-latest-date): it is ignored, as it would blank the measure for every period.
    kept = kept.with_columns(
        pl.when(pl.col(c) <= pl.col(EXTRACT_DATE)).then(pl.col(c)).alias(c)
        for c in (s.LATEST_REVIEW, s.LATEST_VISIT)
    )
    plans = kept.select(ROW, s.LINE, *s.CANONICAL, s.REVIEW_LIST, *([SOURCE] if several else []))
    if several:
        names = {i: r.source for i, r in enumerate(raws)}
        plans = plans.with_columns(pl.col(SOURCE).replace_strict(names, return_dtype=pl.String))
    timeline = history.select(
        ROW,
        s.LINE,
        s.CHILD_KEY,
        s.START_DATE,
        s.END_DATE,
        s.PREVIOUS_PLANS,
        *HISTORY_COLUMNS,
        *([s.FAMILY_KEY] if s.FAMILY_KEY in history.columns else []),
    )
    reasons = [c for c in (s.START_REASON, s.END_REASON) if c in present]
    if reasons:  # for the transfers measures
        timeline = timeline.join(
            kept.select(ROW, *reasons), on=ROW, how="left", maintain_order="left"
        )
    if s.REVIEW_DATES in present and kept[s.REVIEW_LIST].list.len().sum():
        # Review records given: each plan's D6 deadline (reviews.py), for the engine.
        reviews = deadlines(kept.select(ROW, s.START_DATE, s.REVIEW_LIST))
        timeline = timeline.join(reviews, on=ROW, how="left", maintain_order="left")
    timeline = _with_latest(timeline, kept, present)
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
                if c not in p.header_map and c not in READER_COLUMNS
            )
        ),
        extract_date=max(extract_dates),
        read_as_blank=read_as_blank,
        sources=tuple(r.source for r in raws),
        unrecognised=tuple(pair for p in prepared for pair in p.unrecognised),
    )
    others = pl.concat([p.others for p in prepared], how="diagonal")
    return Validated(plans=plans, report=report, timeline=timeline, others=others)


def _with_latest(timeline: pl.DataFrame, kept: pl.DataFrame, present: set[str]) -> pl.DataFrame:
    """Ofsted Annex A's latest review and last visit of each plan, for the engine: the review
    date as it stands, the visit as a visit list of one (marked as the latest only)."""
    if s.LATEST_REVIEW in present and kept[s.LATEST_REVIEW].drop_nulls().len():
        # A latest review on or before the start (8841) is not a review of the plan.
        review = pl.col(s.LATEST_REVIEW)
        timeline = timeline.join(
            kept.select(
                ROW, pl.when(review > pl.col(s.START_DATE)).then(review).alias(s.LATEST_REVIEW)
            ),
            on=ROW,
            how="left",
            maintain_order="left",
        )
    if s.LATEST_VISIT in present and kept[s.LATEST_VISIT].drop_nulls().len():
        visit = pl.col(s.LATEST_VISIT)
        seen = visit.is_not_null()
        timeline = timeline.join(
            kept.select(
                ROW,
                pl.when(seen)
                .then(pl.concat_list(visit))
                .otherwise(pl.lit([], pl.List(pl.Date)))
                .alias(s.VISIT_LIST),
                pl.when(seen)
                .then(pl.concat_list(pl.col(s.LATEST_SEEN_ALONE)))
                .otherwise(pl.lit([], pl.List(pl.Boolean)))
                .alias(s.SEEN_ALONE_LIST),
                pl.lit(True).alias(s.VISITS_LATEST_ONLY),
            ),
            on=ROW,
            how="left",
            maintain_order="left",
        )
    return timeline


@dataclass(frozen=True)
class _Prepared:
    """One file's rows in canonical form, and what was found about the file as a whole."""

    frame: pl.DataFrame
    header_map: dict[str, str]
    structural: pl.DataFrame
    read_as_blank: dict[str, dict[str, int]]
    unrecognised: list[tuple[str, str]]
    others: pl.DataFrame


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
        [c for c in raw.frame.columns if c not in READER_COLUMNS and not duplicate_name(c)],
        mapping,
    )
    missing = [c for c in s.REQUIRED if c not in header_map.values()]
    if missing:
        _missing_columns(raw, header_map, missing, mapping)
    frame, read_as_blank = canonical(raw.frame, header_map, raw.source, date_order, open_markers)
    numbering = [
        (pl.int_range(pl.len(), dtype=pl.Int64) + offset).alias(ROW),
        pl.lit(index, pl.Int32).alias(SOURCE),
    ]
    frame = frame.with_columns(*numbering, pl.lit(extract_date).alias(EXTRACT_DATE))
    structural = structural_findings(raw.frame.with_columns(numbering), clashes)
    structural = structural.with_columns(pl.col(SOURCE).fill_null(index))
    unmapped = [
        c
        for c in raw.frame.columns
        if c not in header_map and c not in READER_COLUMNS and not duplicate_name(c)
    ]
    unrecognised = s.near_misses(unmapped, [c for c in s.CANONICAL if c not in header_map.values()])
    others = raw.frame.select(numbering[0], *unmapped)  # as read: trimmed when used
    return _Prepared(frame, header_map, structural, read_as_blank, unrecognised, others)


def _missing_columns(
    raw: RawExtract,
    header_map: Mapping[str, str],
    missing: list[str],
    mapping: Mapping[str, str] | None,
) -> None:
    headers = [c for c in raw.frame.columns if c not in READER_COLUMNS]
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


def _by_child(frame: pl.DataFrame) -> pl.DataFrame:
    """Line, child, start, end and previous plans, sorted by child, start and line; children
    numbered 0, 1...

    One sort serves the duplicate check, the overlap rules and the engine: sorting is the
    costly part on big files. Stable single-column sorts (start, then child) give the same
    order as one sort on three columns, in half the time; and extracts usually list plans by
    start date, or by child and start, so that the sort by child alone is often enough.
    """
    # Rows come numbered in file order (``_row``): the stable sorts below rely on it.
    family = [s.FAMILY_KEY] if s.FAMILY_KEY in frame.columns else []
    slim = frame.select(
        ROW, s.LINE, s.CHILD_KEY, s.START_DATE, s.END_DATE, s.PREVIOUS_PLANS, *family
    )
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
