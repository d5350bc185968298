"""Records of a second kind beside the plans: review conferences and visits, each from its own
file (a case system's report, the Standard Safeguarding Dataset's ssd_cp_reviews and
ssd_cp_visits), checked, matched to the plan it belongs to, and added to that plan.

A record belongs to a plan by plan id where both files have one; else by child id and date,
to the plan open on that date (of two, the later-started). Every row is used or left out under
a rule, with its file, line and column, and counted (``LinkedFile``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

import polars as pl

from cpmetrics import CONFIG_NAME
from cpmetrics import schema as s
from cpmetrics.dates import NUMERIC_DATE, DateOrder, numeric_order, parse_date
from cpmetrics.errors import DataError
from cpmetrics.io import READER_COLUMNS, RawExtract
from cpmetrics.markers import BLANK_MARKERS, spellings
from cpmetrics.reviews import deadlines
from cpmetrics.validate.findings import RAW, ROW, SOURCE, Check, findings_for
from cpmetrics.validate.report import LinkedFile, empty_findings
from cpmetrics.validate.rules import RULE_ORDER
from cpmetrics.validate.run import Validated
from cpmetrics.visits import yes_no

Kind = Literal["reviews", "visits"]
_NOUN = {"reviews": "review", "visits": "visit"}


@dataclass(frozen=True)
class _Records:
    """One file's rows, typed, numbered, and with the plan each belongs to (``_row`` of the
    plan, null where none)."""

    frame: pl.DataFrame  # _row, _file, line, child_id, plan_id, date, seen, seen_alone, _plan
    findings: pl.DataFrame
    summary: LinkedFile
    index: int  # the file's number among the files read (findings' _file)


def add_linked(
    validated: Validated,
    kind: Kind,
    raws: list[RawExtract],
    *,
    extract_date: dt.date,
    date_order: DateOrder | None = None,
    columns: Mapping[str, str] | None = None,
) -> Validated:
    """``validated`` with the reviews (or visits) in ``raws`` added to their plans: the
    plans' review dates and D6 deadlines, or their visit dates and whether the child was seen
    alone; the findings and counts in its report."""
    # Each plan with its child as a number: a visit is to a child, whichever plan it matched.
    plans = validated.plans.join(
        validated.timeline.select(s.ROW, s.CHILD_KEY), on=s.ROW, how="left"
    )
    report = validated.report
    first_source = len(report.sources or (report.source,))
    offset = report.input_rows + sum(f.rows for f in report.linked)
    checked = []
    for i, raw in enumerate(raws):
        records = _check(
            raw, kind, first_source + i, offset, plans, extract_date, date_order, columns
        )
        checked.append(records)
        offset += records.summary.rows
    # The same review or visit in two files is one, as in one file: found across them all.
    kept, duplicates = _once_each(pl.concat([r.frame for r in checked], how="diagonal"), kind)
    summaries = []
    for records in checked:
        of_file = pl.col(SOURCE) == records.index
        summaries.append(_summary(records, duplicates.filter(of_file), kept.filter(of_file).height))
    findings = pl.concat([*(r.findings for r in checked), duplicates]).sort(ROW)
    return _attach(validated, kind, kept, findings, summaries, [raw.source for raw in raws])


def _check(
    raw: RawExtract,
    kind: Kind,
    index: int,
    offset: int,
    plans: pl.DataFrame,
    extract_date: dt.date,
    date_order: DateOrder | None,
    mapping: Mapping[str, str] | None,
) -> _Records:
    noun = _NOUN[kind]
    headers = [c for c in raw.frame.columns if c not in READER_COLUMNS]
    found = s.match_record_columns(kind, headers, mapping)
    present = set(found.values())
    if s.RECORD_DATE not in present or not present & {s.CHILD_ID, s.PLAN_ID}:
        wanted = "a date column" if s.RECORD_DATE not in present else "a child id or plan id"
        raise DataError(
            f"{raw.source}: the {kind} file needs {wanted} (columns in the file: "
            f"{', '.join(repr(h) for h in headers[:12]) or 'none'}); headings such as "
            f"'{noun}_date', 'child_id', 'plan_id' or the SSD's "
            f"'{'cppr_cp_review_date' if kind == 'reviews' else 'cppv_cp_visit_date'}' are "
            f'recognised; or name yours in {CONFIG_NAME}: [{kind}_columns] date = "Your '
            'Heading", child_id = "..."'
        )
    by_name = {c: h for h, c in found.items()}
    blank = spellings(BLANK_MARKERS)

    def text(column: str) -> pl.Expr:
        if column not in by_name:
            return pl.lit(None, pl.String)
        value = pl.col(by_name[column]).str.strip_chars()
        return pl.when(value.is_in(blank) | (value == "")).then(None).otherwise(value)

    columns = [s.CHILD_ID, s.PLAN_ID, s.RECORD_DATE, s.SEEN, s.SEEN_ALONE]
    # Row numbers unique across files: this file's rows after the plans' and earlier files'.
    frame = raw.frame.select(
        (pl.int_range(pl.len(), dtype=pl.Int64) + offset).alias(ROW),
        pl.lit(index, pl.Int32).alias(SOURCE),
        pl.col(s.LINE),
        *(text(c).alias(RAW + c) for c in columns),
    )
    order = date_order or _order(frame[RAW + s.RECORD_DATE], raw.source)
    # Millions of visits on a few thousand days: each distinct value is read once.
    frame = frame.with_columns(
        pl.col(RAW + s.CHILD_ID).alias(s.CHILD_ID),
        pl.col(RAW + s.PLAN_ID).alias(s.PLAN_ID),
        _each_distinct(frame, RAW + s.RECORD_DATE, parse_date(pl.col("_t"), order), pl.Date).alias(
            s.RECORD_DATE
        ),
        _each_distinct(frame, RAW + s.SEEN, yes_no(pl.col("_t")), pl.Boolean).alias(s.SEEN),
        _each_distinct(frame, RAW + s.SEEN_ALONE, yes_no(pl.col("_t")), pl.Boolean).alias(
            s.SEEN_ALONE
        ),
    )
    date = pl.col(s.RECORD_DATE)
    blank_row = pl.all_horizontal(pl.col(RAW + c).is_null() for c in columns)
    # What is wrong with the row itself, before any plan is looked for.
    first: list[Check] = [
        (f"{noun}-blank-row", blank_row, None, "blank row"),
        (
            f"{noun}-bad-date",
            ~blank_row & date.is_null(),
            s.RECORD_DATE,
            pl.format("the {} date is missing or cannot be read", pl.lit(noun)),
        ),
        (
            f"{noun}-future",
            date > extract_date,
            s.RECORD_DATE,
            f"after the extract date {extract_date}",
        ),
        (
            f"{noun}-no-id",
            ~blank_row & pl.col(s.CHILD_ID).is_null() & pl.col(s.PLAN_ID).is_null(),
            None,
            "no child id and no plan id",
        ),
    ]
    early = findings_for(frame, first)
    usable = frame.join(early.select(ROW).unique(), on=ROW, how="anti")
    matched, match_findings = _match(usable, plans, kind)
    findings = pl.concat([early, match_findings])
    left_out = findings.select(ROW).unique()
    kept = matched.join(left_out, on=ROW, how="anti")
    unseen_findings = empty_findings()
    if kind == "visits" and s.SEEN in present:
        # A visit at which the child was not seen is not a visit for the measure (whatever
        # other records of that day say: each is read on its own, so row order changes nothing).
        unseen = kept.filter(pl.col(s.SEEN).eq_missing(False))
        unseen_findings = findings_for(
            frame.join(unseen.select(ROW), on=ROW, how="semi"),
            [("visit-not-seen", pl.lit(True), s.SEEN, "the child was not seen")],
        )
        kept = kept.filter(~pl.col(s.SEEN).eq_missing(False))
    bad_alone = pl.col(RAW + s.SEEN_ALONE).is_not_null() & pl.col(s.SEEN_ALONE).is_null()
    warnings = findings_for(
        kept.join(frame.select(ROW, SOURCE, RAW + s.SEEN_ALONE), on=ROW),
        [("bad-seen-alone", bad_alone, s.SEEN_ALONE, "not a yes or no (not recorded)")],
    )
    summary = LinkedFile(kind=kind, source=raw.source, rows=frame.height, used=0, left_out={})
    summary = replace(summary, columns=found)
    # The text as read goes with the kept rows, for the duplicates' findings.
    kept = kept.join(frame.select(ROW, RAW + s.RECORD_DATE), on=ROW, how="left", suffix="_")
    return _Records(kept, pl.concat([findings, unseen_findings, warnings]), summary, index)


def _once_each(kept: pl.DataFrame, kind: Kind) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The same review of a plan, or visit to a child, on the same day more than once (in one
    file or several) is one: the first row (in the order the files were given) is kept, seen
    alone if any record of it says so; the others are findings. (Key and day as one number:
    one integer column is far quicker to look at than two.)"""
    noun = _NOUN[kind]
    key = pl.col(s.CHILD_KEY if kind == "visits" else "_plan").cast(pl.Int64)
    same = key * (1 << 20) + pl.col(s.RECORD_DATE).cast(pl.Int32)
    kept = kept.sort(ROW).with_columns(same.alias("_same"))
    kept = kept.with_columns(pl.col(s.SEEN_ALONE).max().over("_same"))
    first = pl.col("_same").is_first_distinct()
    again = findings_for(
        kept.filter(~first),
        [(f"{noun}-duplicate", pl.lit(True), s.RECORD_DATE, f"the same {noun} again")],
    )
    return kept.filter(first).drop("_same"), again


def _summary(records: _Records, again: pl.DataFrame, used: int) -> LinkedFile:
    """A file's counts: rows, used, left out by rule, and flagged (used with a warning)."""
    found = pl.concat([records.findings, again])
    flagged = found.filter(pl.col("rule") == "bad-seen-alone")
    left = found.filter(pl.col("rule") != "bad-seen-alone").group_by("rule").len()
    flags = flagged.group_by("rule").len()
    return replace(
        records.summary,
        used=used,
        left_out=dict(
            sorted(
                ((str(r), int(n)) for r, n in zip(left["rule"], left["len"], strict=True)),
                key=lambda p: RULE_ORDER[p[0]],
            )
        ),
        flagged={str(r): int(n) for r, n in zip(flags["rule"], flags["len"], strict=True)},
    )


def _each_distinct(
    frame: pl.DataFrame, column: str, read: pl.Expr, dtype: pl.DataType | type[pl.DataType]
) -> pl.Expr:
    """``read`` (an expression of the text ``_t``) of each distinct value of ``column``,
    looked up for every row."""
    texts = frame.select(pl.col(column).drop_nulls().unique().alias("_t"))
    found = texts.select("_t", read.alias("_v"))
    return pl.col(column).replace_strict(found["_t"], found["_v"], default=None, return_dtype=dtype)


def _order(dates: pl.Series, source: str) -> DateOrder | None:
    """Day-first or month-first, as the file's own dates show; an error if they cannot say
    (as for plans: guessing would misplace every visit by months)."""
    try:
        order = numeric_order([dates])
    except DataError as exc:
        raise DataError(f"{source}: {exc}") from None
    if order == "dmy" or order == "mdy":
        return order
    written = dates.drop_nulls()
    if written.len() and written.str.contains(NUMERIC_DATE).mean() > 0.5:  # type: ignore[operator]
        raise DataError(
            f"{source}: the dates are ambiguous: every date like 03/04/2018 in the file could be "
            "day-first or month-first; say which with --dates dmy (UK) or --dates mdy, "
            'or date_order = "dmy" in cpmetrics.toml'
        )
    return None


def _match(records: pl.DataFrame, plans: pl.DataFrame, kind: Kind) -> tuple[pl.DataFrame, ...]:
    """Each record's plan (``_plan``: the plan's ``_row``), and findings for those with none
    (or dated outside it; a review on or before its plan's start: 8841).

    By plan id where the plans have ids and the record's is one plan's; an id that two plans
    share says nothing, so those go by child and date, as records without an id do: the plan
    open that day, the later-started. A review goes to every plan of the child started that
    same day (which one is current is the engine's rule, not the rows' order); a visit, to
    the child, to one of them."""
    noun = _NOUN[kind]
    slim = plans.select(
        pl.col(s.ROW).alias("_plan"), s.CHILD_ID, s.CHILD_KEY, s.PLAN_ID, s.START_DATE, s.END_DATE
    )
    date, start, end = pl.col(s.RECORD_DATE), pl.col(s.START_DATE), pl.col(s.END_DATE)
    inside = (start <= date) & (end.is_null() | (date <= end))
    counts = slim.drop_nulls(s.PLAN_ID).group_by(s.PLAN_ID).len()
    once = counts.filter(pl.col("len") == 1)[s.PLAN_ID].implode()
    has_id = pl.col(s.PLAN_ID).is_not_null()
    unknown_id = has_id & ~pl.col(s.PLAN_ID).is_in(counts[s.PLAN_ID].implode())
    plans_have_ids = pl.lit(counts.height > 0)
    by_id = has_id & (pl.col(s.PLAN_ID).is_in(once) | (unknown_id & plans_have_ids))
    ids = records.filter(by_id).join(slim.drop(s.CHILD_ID, s.CHILD_KEY), on=s.PLAN_ID, how="left")
    ids = ids.join(slim.select("_plan", s.CHILD_KEY), on="_plan", how="left")
    candidates = (
        records.filter(~by_id)
        .join(slim.drop(s.PLAN_ID), on=s.CHILD_ID, how="left")
        .with_columns(inside.fill_null(False).alias("_in"))
    )
    best = candidates.filter(pl.col("_in")).filter(
        pl.col(s.START_DATE) == pl.col(s.START_DATE).max().over(ROW)
    )
    if kind == "visits":
        best = best.sort(ROW, "_plan").unique(ROW, keep="first")
    none_open = (
        records.filter(~by_id)
        .join(best.select(ROW).unique(), on=ROW, how="anti")
        .join(candidates.select(ROW, s.START_DATE, s.END_DATE).unique(ROW), on=ROW, how="left")
    )
    by_date = pl.concat([best.drop("_in"), none_open], how="diagonal_relaxed")
    matched = pl.concat([ids, by_date], how="diagonal_relaxed").sort(ROW)
    unmatched = pl.col("_plan").is_null()
    checks: list[Check] = [
        (f"{noun}-no-plan", unmatched & by_id, s.PLAN_ID, "no plan has this plan id"),
        (
            f"{noun}-no-plan",
            unmatched & ~by_id,
            s.RECORD_DATE,
            pl.when(pl.col(s.PLAN_ID).is_not_null())
            .then(
                pl.format(
                    "plan id {} belongs to more than one plan, and by child and date: no plan "
                    "of the child is open on {}",
                    pl.col(s.PLAN_ID),
                    date,
                )
            )
            .otherwise(pl.format("the child has no plan open on {}", date)),
        ),
        (
            "review-after-end",
            pl.col("_plan").is_not_null() & (date > end) & pl.lit(kind == "reviews"),
            s.RECORD_DATE,
            pl.format("after its plan ended on {}", end),
        ),
        (
            "8841" if kind == "reviews" else "visit-outside-plan",
            pl.col("_plan").is_not_null() & ((date <= start) if kind == "reviews" else ~inside),
            s.RECORD_DATE,
            pl.format("on or before its plan's start {}", start)
            if kind == "reviews"
            else pl.format(
                "dated outside its plan ({} to {})", start, end.cast(pl.String).fill_null("open")
            ),
        ),
    ]
    return matched, findings_for(matched, checks)


def _attach(
    validated: Validated,
    kind: Kind,
    kept: pl.DataFrame,
    findings: pl.DataFrame,
    summaries: list[LinkedFile],
    sources: list[str],
) -> Validated:
    """The records' dates added to their plans, the report told. Files with no rows at all
    (a header only) give no records: the measure stays absent; records given but none usable
    make it 0 of N (docs/measures.md)."""
    per_plan = (
        kept.sort("_plan", s.RECORD_DATE)
        .group_by("_plan", maintain_order=True)
        .agg(pl.col(s.RECORD_DATE).alias("_dates"), pl.col(s.SEEN_ALONE).alias("_alone"))
        .rename({"_plan": s.ROW})
    )
    plans, timeline = validated.plans, validated.timeline
    given = any(f.rows for f in summaries)
    if kind == "reviews" and given:
        plans = _merge_list(plans, per_plan, s.REVIEW_LIST)
        found = deadlines(plans.select(s.ROW, s.START_DATE, s.REVIEW_LIST))
        timeline = timeline.drop(found.columns[1:], strict=False).join(
            found, on=s.ROW, how="left", maintain_order="left"
        )
    elif kind == "visits" and given:
        visits = per_plan.rename({"_dates": s.VISIT_LIST, "_alone": s.SEEN_ALONE_LIST})
        if s.VISIT_LIST in timeline.columns:  # Annex A's latest visit beside the file
            timeline = _merge_visits(timeline, visits)
        else:
            timeline = timeline.join(visits, on=s.ROW, how="left", maintain_order="left")
        timeline = timeline.with_columns(
            pl.col(s.VISIT_LIST).fill_null(pl.lit([], pl.List(pl.Date))),
            pl.col(s.SEEN_ALONE_LIST).fill_null(pl.lit([], pl.List(pl.Boolean))),
            pl.lit(False).alias(s.VISITS_LATEST_ONLY),
        )
    report = validated.report
    report = replace(
        report,
        findings=pl.concat([report.findings, findings.select(report.findings.columns)]),
        sources=(*(report.sources or (report.source,)), *sources),
        linked=(*report.linked, *summaries),
    )
    return replace(validated, plans=plans, timeline=timeline, report=report)


def _merge_list(plans: pl.DataFrame, per_plan: pl.DataFrame, column: str) -> pl.DataFrame:
    """A plan's own dates (a review_dates column) and the file's, once each."""
    joined = plans.join(per_plan.select(s.ROW, "_dates"), on=s.ROW, how="left")
    both = pl.concat_list(
        pl.col(column).fill_null(pl.lit([], pl.List(pl.Date))),
        pl.col("_dates").fill_null(pl.lit([], pl.List(pl.Date))),
    )
    return joined.with_columns(both.list.unique().list.sort().alias(column)).drop("_dates")


def _merge_visits(timeline: pl.DataFrame, visits: pl.DataFrame) -> pl.DataFrame:
    """Visits from two sources: each date once (the file's record first)."""
    old = timeline.select(
        s.ROW, pl.col(s.VISIT_LIST).alias("_v"), pl.col(s.SEEN_ALONE_LIST).alias("_a")
    ).explode("_v", "_a")
    new = visits.explode(s.VISIT_LIST, s.SEEN_ALONE_LIST).rename(
        {s.VISIT_LIST: "_v", s.SEEN_ALONE_LIST: "_a"}
    )
    every = (
        pl.concat([new, old])
        .drop_nulls("_v")
        .unique([s.ROW, "_v"], keep="first", maintain_order=True)
        .sort(s.ROW, "_v")
        .group_by(s.ROW, maintain_order=True)
        .agg(pl.col("_v").alias(s.VISIT_LIST), pl.col("_a").alias(s.SEEN_ALONE_LIST))
    )
    return timeline.drop(s.VISIT_LIST, s.SEEN_ALONE_LIST).join(
        every, on=s.ROW, how="left", maintain_order="left"
    )
