"""The rules for plan records (CIN census numbers where one exists): rows, duplicates,
overlaps and the file's structure."""

from __future__ import annotations

import re

import polars as pl

from cpmetrics import schema as s
from cpmetrics.dates import NUMERIC_DATE
from cpmetrics.io.csv import EXTRA, MISSING
from cpmetrics.markers import (
    FIRST_YEAR,
    LAST_YEAR,
)
from cpmetrics.validate.findings import EXTRACT_DATE, RAW, READER_COLUMNS, ROW, Check, findings_for
from cpmetrics.validate.report import FINDING_SCHEMA, empty_findings
from cpmetrics.validate.rules import RULES


def row_findings(frame: pl.DataFrame, present: set[str]) -> pl.DataFrame:
    blank = pl.col("_blank")
    live = ~blank
    start, end = pl.col(s.START_DATE), pl.col(s.END_DATE)
    raw = {c: pl.col(RAW + c) for c in s.CANONICAL}
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
        checks.append(
            (
                "8841",
                pl.col(s.REVIEW_LIST).list.min() <= start,
                s.REVIEW_DATES,
                pl.format("a review is dated on or before the plan's start {}", start),
            )
        )
        checks.append(
            (
                "bad-review-date",
                pl.col("_bad_reviews") > 0,
                s.REVIEW_DATES,
                pl.format(
                    "{} of the review dates cannot be read (such as 2018-10-31 or 31/10/2018); "
                    "they are left out",
                    pl.col("_bad_reviews"),
                ),
            )
        )
    if s.LATEST_REVIEW in present:
        checks.append(
            (
                "8841",
                pl.col(s.LATEST_REVIEW) <= start,
                s.LATEST_REVIEW,
                pl.format("the latest review is dated on or before the plan's start {}", start),
            )
        )
    for column in (s.LATEST_REVIEW, s.LATEST_VISIT):
        if column in present:
            checks.append(
                (
                    "bad-latest-date",
                    pl.col("_bad_" + column) > 0,
                    column,
                    "not a date (such as 2018-10-31 or 31/10/2018); ignored",
                )
            )
            checks.append(
                (
                    "bad-latest-date",
                    pl.col(column) > extract_date,
                    column,
                    pl.format("after the extract date {}; ignored", extract_date),
                )
            )
    if s.LATEST_SEEN_ALONE in present:
        checks.append(
            (
                "bad-seen-alone",
                raw[s.LATEST_SEEN_ALONE].is_not_null() & pl.col(s.LATEST_SEEN_ALONE).is_null(),
                s.LATEST_SEEN_ALONE,
                "not a yes or no; read as not recorded",
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
    return findings_for(frame, checks)


def nul_findings(frame: pl.DataFrame, present: set[str]) -> pl.DataFrame:
    checks: list[Check] = [
        (
            "nul-byte",
            pl.col(RAW + c).str.contains("\x00", literal=True),
            c,
            "the value holds a NUL byte (shown as \\x00): the file may be damaged; "
            "the value is used as written",
        )
        for c in s.CANONICAL
        if c in present
    ]
    found = findings_for(frame, checks)
    return found.with_columns(pl.col("value").str.replace_all("\x00", "\\x00", literal=True))


def _date_problem(column: str, what: str, columns: list[str]) -> pl.Expr:
    """Why a date could not be read: not a date at all, or day and month in doubt."""
    parts = pl.col(RAW + column).str.extract_groups(NUMERIC_DATE)
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


def duplicate_findings(
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
    raw_cols = [RAW + c for c in s.CANONICAL]
    key = pl.struct(raw_cols)
    marked = candidates.sort(ROW).with_columns(
        (~key.is_first_distinct()).alias("_dup"), pl.col(s.LINE).first().over(key).alias("_first")
    )
    return findings_for(
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


def overlap_findings(plans: pl.DataFrame, ordered: pl.DataFrame) -> pl.DataFrame:
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
            findings_for(
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


def duplicate_name(column: str) -> bool:
    return re.search(r"_duplicated_\d+$", column) is not None


def structural_findings(frame: pl.DataFrame, clashes: list[tuple[str, str, str]]) -> pl.DataFrame:
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
        if duplicate_name(column)
    ]
    out = pl.DataFrame(rows, schema=FINDING_SCHEMA) if rows else empty_findings()
    parts = [out]
    if EXTRA in frame.columns:
        parts.append(
            findings_for(
                frame.with_columns(pl.col(EXTRA).alias(RAW + EXTRA)),
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
        headers = [c for c in frame.columns if c not in READER_COLUMNS]
        width = len(headers)
        # The fields a short row lacks are the header's last ones: name them (a few at most).
        lacking = {
            k: ", ".join(headers[-k:][:3]) + (f" and {k - 3} more" if k > 3 else "")
            for k in range(1, width + 1)
        }
        parts.append(
            findings_for(
                frame.with_columns(pl.lit(None, pl.String).alias(RAW + MISSING)),
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
