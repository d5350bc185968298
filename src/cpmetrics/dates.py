"""Date parsing for extract columns (as polars expressions)."""

from __future__ import annotations

import polars as pl

ISO_DATE = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"


def parse_iso_date(text: pl.Expr) -> pl.Expr:
    """ISO dates ('2018-10-31'), allowing a midnight time part as databases export it.

    Anything else gives null; the caller turns a null from a non-blank value into a finding.
    """
    return (
        pl.when(text.str.contains(ISO_DATE))
        .then(text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False))
        .otherwise(None)
    )
