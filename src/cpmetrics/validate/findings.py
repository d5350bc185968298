"""The shared machinery of the rules: the columns every row carries (its number, its file,
its text as written) and the one way findings are made from a rule's mask."""

from __future__ import annotations

import polars as pl

from cpmetrics import schema as s
from cpmetrics.io.csv import EXTRA, MISSING
from cpmetrics.validate.report import FINDING_SCHEMA, empty_findings
from cpmetrics.validate.rules import RULES

RAW = "_raw_"  # prefix for the text as read, kept for messages
# Ours, across files: a row's number (unique even where two plans share a line), its file's
# place in the list, and that file's extract date.
ROW, SOURCE, EXTRACT_DATE = s.ROW, "_file", "_extract"
# Added by the readers, not data (the line, ragged-row markers, the XML element path), and ours.
READER_COLUMNS = (s.LINE, EXTRA, MISSING, "xml_path", ROW, SOURCE)


Check = tuple[str, pl.Expr, str | None, pl.Expr | str]  # rule, mask, column, message


def findings_for(frame: pl.DataFrame, checks: list[Check]) -> pl.DataFrame:
    """Evaluate every mask in one pass; build findings only from the rows that fail."""
    masks = frame.select(
        mask.fill_null(False).alias(f"_{i}") for i, (_, mask, _, _) in enumerate(checks)
    )
    hits = masks.sum().row(0)
    parts = [empty_findings()]
    for i, (rule, _, column, message) in enumerate(checks):
        if not hits[i]:
            continue
        # (One chunk: polars 2.1 panics on string operations over a filtered, chunked frame.)
        failing = frame.filter(masks[f"_{i}"]).rechunk()
        value = pl.col(RAW + column) if column else pl.lit(None, pl.String)
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
