"""Several files read as one extract: a plan found in more than one is counted once."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from cpmetrics import schema as s
from cpmetrics.io import RawExtract
from cpmetrics.validate.findings import RAW, ROW, SOURCE, findings_for
from cpmetrics.validate.report import empty_findings


def repeated_findings(
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
            pl.col(RAW + s.END_DATE).last().alias("_kept_end"),
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
    return findings_for(
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
                    pl.col(RAW + s.END_DATE).fill_null("blank (open)"),
                    pl.col("_kept_name"),
                    pl.col("_kept_line"),
                    pl.col("_kept_end").fill_null("blank (open)"),
                ),
            ),
        ],
    )
