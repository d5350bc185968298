"""Turn a raw extract into canonical, typed plan rows and findings, in vectorised passes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from cpmetrics import schema as s
from cpmetrics.dates import parse_iso_date
from cpmetrics.errors import DataError
from cpmetrics.io import RawExtract
from cpmetrics.validate.report import FINDING_COLUMNS, ValidationReport, empty_findings
from cpmetrics.validate.rules import RULE_ORDER, RULES

_RAW = "_raw_"  # prefix for the text as read, kept for messages
_FAR_FUTURE = dt.date(9999, 12, 31)


@dataclass(frozen=True)
class Validated:
    """Clean plan rows (canonical columns + ``line``) and the report on the whole extract."""

    plans: pl.DataFrame
    report: ValidationReport


def validate_extract(
    raw: RawExtract,
    *,
    extract_date: dt.date,
    mapping: Mapping[str, str] | None = None,
) -> Validated:
    """Check every row against the rules; rows failing an excluding rule leave ``plans``."""
    header_map, clashes = s.match_columns(
        [c for c in raw.frame.columns if c not in (s.LINE, "_extra_fields")], mapping
    )
    missing = [c for c in s.REQUIRED if c not in header_map.values()]
    if missing:
        found = ", ".join(repr(c) for c in raw.frame.columns if c != s.LINE) or "none"
        raise DataError(
            f"{raw.source}: required column {', '.join(repr(m) for m in missing)} not found "
            f"(columns in the file: {found}); name the file's column in cpmetrics.toml "
            f'under [columns], e.g. {missing[0]} = "Your Header"'
        )
    frame = _canonical(raw.frame, header_map)
    findings = [_structural_findings(raw.frame, clashes)]
    row_findings = _row_findings(frame, extract_date, set(header_map.values()))
    findings.append(row_findings)
    excluding = [c for c, rule in RULES.items() if rule.excludes]
    excluded_lines = row_findings.filter(pl.col("rule").is_in(excluding))
    kept = frame.join(excluded_lines.select(s.LINE).unique(), on=s.LINE, how="anti")
    findings.append(_overlap_findings(kept))
    all_findings = pl.concat(findings).sort(
        s.LINE, pl.col("rule").replace_strict(RULE_ORDER, return_dtype=pl.Int32), nulls_last=False
    )
    primary = (
        excluded_lines.with_columns(
            pl.col("rule").replace_strict(RULE_ORDER, return_dtype=pl.Int32).alias("_order")
        )
        .sort("_order")
        .unique(s.LINE, keep="first")
        .group_by("rule", "_order")
        .len()
        .sort("_order")
    )
    plans = kept.select(s.LINE, *s.CANONICAL).sort(s.LINE)
    report = ValidationReport(
        source=raw.source,
        input_rows=raw.frame.height,
        used_rows=plans.height,
        findings=all_findings,
        excluded_by_rule=dict(
            zip(primary["rule"].to_list(), primary["len"].to_list(), strict=True)
        ),
        columns=header_map,
        ignored_columns=tuple(
            c
            for c in raw.frame.columns
            if c not in header_map and c not in (s.LINE, "_extra_fields")
        ),
    )
    return Validated(plans=plans, report=report)


def _canonical(frame: pl.DataFrame, header_map: Mapping[str, str]) -> pl.DataFrame:
    """Typed canonical columns, with the trimmed text of each kept as ``_raw_<name>``."""
    present = {canonical: header for header, canonical in header_map.items()}
    raw_cols = [
        (
            pl.col(present[c]).str.strip_chars().replace("", None)
            if c in present
            else pl.lit(None, pl.String)
        ).alias(_RAW + c)
        for c in s.CANONICAL
    ]
    other = [c for c in frame.columns if c not in (s.LINE, "_extra_fields")]
    blank = pl.all_horizontal(
        [pl.col(c).str.strip_chars().replace("", None).is_null() for c in other]
    )
    out = frame.select(pl.col(s.LINE), *raw_cols, blank.alias("_blank"))
    categories = {c: _category_lookup(out[_RAW + c]) for c in s.CATEGORY_COLUMNS}
    return out.with_columns(
        pl.col(_RAW + s.CHILD_ID).alias(s.CHILD_ID),
        *(parse_iso_date(pl.col(_RAW + c)).alias(c) for c in s.DATE_COLUMNS),
        *(
            pl.col(_RAW + c)
            .replace_strict(categories[c], default=None, return_dtype=pl.String)
            .alias(c)
            for c in s.CATEGORY_COLUMNS
        ),
        pl.col(_RAW + s.FAMILY_ID).alias(s.FAMILY_ID),
        pl.col(_RAW + s.PREVIOUS_PLANS)
        .str.extract(r"^(\d+)(?:\.0+)?$", 1)
        .cast(pl.Int64, strict=False)
        .alias(s.PREVIOUS_PLANS),
    )


def _category_lookup(values: pl.Series) -> dict[str, str | None]:
    return {v: s.normalise_category(v) for v in values.drop_nulls().unique().to_list()}


def _finding(rule: str, mask: pl.Expr, column: str | None, message: pl.Expr | str) -> pl.Expr:
    """A struct per row: the finding where ``mask`` holds, else null."""
    value = pl.col(_RAW + column) if column else pl.lit(None, pl.String)
    msg = pl.lit(message) if isinstance(message, str) else message
    return (
        pl.when(mask)
        .then(
            pl.struct(
                pl.lit(rule).alias("rule"),
                pl.lit(RULES[rule].severity).alias("severity"),
                pl.col(s.LINE).alias("line"),
                pl.lit(column, pl.String).alias("column"),
                value.alias("value"),
                msg.cast(pl.String).alias("message"),
            )
        )
        .otherwise(None)
    )


def _row_findings(frame: pl.DataFrame, extract_date: dt.date, present: set[str]) -> pl.DataFrame:
    blank = pl.col("_blank")
    live = ~blank
    start, end = pl.col(s.START_DATE), pl.col(s.END_DATE)
    raw = {c: pl.col(_RAW + c) for c in s.CANONICAL}
    unreadable = {c: raw[c].is_not_null() & pl.col(c).is_null() for c in s.DATE_COLUMNS}
    when = extract_date.isoformat()
    checks = [
        _finding("blank-row", blank, None, "blank row"),
        _finding("blank-id", live & raw[s.CHILD_ID].is_null(), s.CHILD_ID, "child id is blank"),
        _finding(
            "bad-date",
            live & unreadable[s.START_DATE],
            s.START_DATE,
            "start date is not a date in YYYY-MM-DD form",
        ),
        _finding(
            "bad-date",
            live & unreadable[s.END_DATE],
            s.END_DATE,
            "end date is not a date in YYYY-MM-DD form",
        ),
        _finding("8720", live & raw[s.START_DATE].is_null(), s.START_DATE, "start date is blank"),
        _finding(
            "8720",
            start > extract_date,
            s.START_DATE,
            f"start date is after the extract date {when}",
        ),
        _finding(
            "future-date",
            end > extract_date,
            s.END_DATE,
            f"end date is after the extract date {when}",
        ),
        _finding(
            "8925",
            end < start,
            s.END_DATE,
            pl.format("end date is before the start date {}", start),
        ),
        _finding("8840", end == start, s.END_DATE, "plan starts and ends on the same day"),
        _finding(
            "8730",
            raw[s.PREVIOUS_PLANS].is_not_null() & pl.col(s.PREVIOUS_PLANS).is_null(),
            s.PREVIOUS_PLANS,
            "previous-plans count is not a whole number of 0 or more",
        ),
        _finding(
            "bad-birth-date",
            live & unreadable[s.DATE_OF_BIRTH],
            s.DATE_OF_BIRTH,
            "date of birth is not a date in YYYY-MM-DD form",
        ),
    ]
    for rule, column in (("8905", s.INITIAL_CATEGORY), ("8910", s.LATEST_CATEGORY)):
        if column not in present:
            continue  # an extract without categories is fine; blank cells in one are not
        checks.append(
            _finding(
                rule,
                live & raw[column].is_not_null() & pl.col(column).is_null(),
                column,
                "category is not one of neglect, physical, sexual, emotional, multiple",
            )
        )
        checks.append(_finding(rule, live & raw[column].is_null(), column, "category is blank"))
    checks.append(_duplicate_check(frame))
    exploded = frame.select(pl.concat_list(checks).alias("f")).explode("f").drop_nulls("f")
    return exploded.unnest("f").cast(FINDING_COLUMNS)  # type: ignore[arg-type]


def _duplicate_check(frame: pl.DataFrame) -> pl.Expr:
    raw_cols = [_RAW + c for c in s.CANONICAL]
    dup = pl.struct(raw_cols).is_first_distinct().not_() & ~pl.col("_blank")
    earlier = pl.col(s.LINE).first().over(pl.struct(raw_cols))
    return _finding(
        "duplicate-row",
        dup,
        s.CHILD_ID,
        pl.format("same as line {}", earlier),
    )


def _overlap_findings(plans: pl.DataFrame) -> pl.DataFrame:
    """8935 (two open plans) and 8940 (overlapping plans), on the rows left after exclusions."""
    start, end = pl.col(s.START_DATE), pl.col(s.END_DATE).fill_null(_FAR_FUTURE)
    ordered = plans.sort(s.CHILD_ID, s.START_DATE, s.LINE)
    flagged = ordered.with_columns(
        end.cum_max().shift(1).over(s.CHILD_ID).alias("_prev_end"),
        start.shift(1).over(s.CHILD_ID).alias("_prev_start"),
        pl.col(s.END_DATE).is_null().sum().over(s.CHILD_ID).alias("_open"),
    )
    overlap = flagged.filter(start < pl.col("_prev_end")).select(
        pl.lit("8940").alias("rule"),
        pl.lit(RULES["8940"].severity).alias("severity"),
        pl.col(s.LINE).alias("line"),
        pl.lit(s.START_DATE).alias("column"),
        pl.col(_RAW + s.START_DATE).alias("value"),
        pl.lit("plan starts before an earlier plan of the same child has ended").alias("message"),
    )
    two_open = flagged.filter((pl.col("_open") > 1) & pl.col(s.END_DATE).is_null()).select(
        pl.lit("8935").alias("rule"),
        pl.lit(RULES["8935"].severity).alias("severity"),
        pl.col(s.LINE).alias("line"),
        pl.lit(s.END_DATE).alias("column"),
        pl.lit(None, pl.String).alias("value"),
        pl.format("child has {} open plans", pl.col("_open")).alias("message"),
    )
    return pl.concat([overlap, two_open]).cast(FINDING_COLUMNS)  # type: ignore[arg-type]


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
    out = pl.DataFrame(rows, schema=FINDING_COLUMNS) if rows else empty_findings()
    if "_extra_fields" in frame.columns:
        extra = frame.filter(pl.col("_extra_fields").is_not_null()).select(
            pl.lit("extra-fields").alias("rule"),
            pl.lit(RULES["extra-fields"].severity).alias("severity"),
            pl.col(s.LINE).alias("line"),
            pl.lit(None, pl.String).alias("column"),
            pl.col("_extra_fields").alias("value"),
            pl.lit("more fields than the header has; the extra ones are ignored").alias("message"),
        )
        out = pl.concat([out, extra.cast(FINDING_COLUMNS)])  # type: ignore[arg-type]
    return out
