"""Publication mode: small numbers become 'c' (the GSS convention DfE uses).

Counts of 1 to 5, and every value computed from them, are suppressed. Secondary suppression
stops a suppressed month being worked out from what is shown: a change from the previous
period is hidden when either period is suppressed, and when a year-to-date total is shown for
an additive count, a lone suppressed month in it takes the next smallest month with it.
"""

from __future__ import annotations

import polars as pl

SUPPRESSED = "suppressed"  # a boolean column; renderers print 'c' for the hidden figures
MARK = "c"
# The RAG rating too: green beside a hidden value says it is at or under the target.
HIDDEN_WITH_ROW = ("numerator", "denominator", "value", "rag")
HIDDEN_WITH_CHANGE = ("previous_value", "change")
# Flows whose months add up to the year to date: the plan counts, and the numerators and
# denominators of the percentages of plans started or ended. The children who started (or
# whose plan ended) nearly do (a child with two plans in the year counts in two months, once
# in the year), so the year minus the other months gives the hidden month, or a little less.
# Snapshots do not: one child, many months.
_ADDITIVE = (
    "plans_started",
    "plans_ended",
    "children_started",
    "children_ended",
    "repeat_plan_pct",
    "ceased_2y_plus_pct",
    "transfers_in",
    "transfers_out",
    "visits_seen_alone_pct",
)


def suppress(table: pl.DataFrame, *, threshold: int = 5) -> pl.DataFrame:
    """Mark the rows whose figures must not be published (counts 1 to ``threshold``)."""

    def small(column: str) -> pl.Expr:
        return pl.col(column).is_between(1, threshold).fill_null(False)

    marked = table.with_columns((small("numerator") | small("denominator")).alias(SUPPRESSED))
    if "period_type" not in marked.columns:
        return marked
    marked = _secondary(marked)
    previous = (
        pl.col(SUPPRESSED)
        .shift(1)
        .over("measure", "period_type", order_by="period_start")
        .fill_null(False)
    )
    return marked.with_columns(
        (pl.col(SUPPRESSED) | (previous & (pl.col("period_type") != "ytd"))).alias("_change_hidden")
    )


def _secondary(table: pl.DataFrame) -> pl.DataFrame:
    """A lone suppressed month under a shown YTD total would be the total minus the rest."""
    hide: set[tuple[str, object]] = set()
    for (measure,), rows in table.group_by("measure", maintain_order=True):
        if measure not in _ADDITIVE:
            continue
        ytd = rows.filter(pl.col("period_type") == "ytd")
        if ytd.is_empty() or bool(ytd[SUPPRESSED][0]):
            continue
        first = ytd["period_start"][0]
        months = rows.filter((pl.col("period_type") != "ytd") & (pl.col("period_start") >= first))
        if int(months[SUPPRESSED].sum()) == 1:
            # (Of months with the same numerator, the one with the smaller denominator.)
            shown = months.filter(~pl.col(SUPPRESSED)).sort("numerator", "denominator")
            if not shown.is_empty():
                hide.add((str(measure), shown["period_start"][0]))
    if not hide:
        return table
    # (The year to date starts on its first month's day: only the month is hidden.)
    extra = pl.Series(
        [
            (m, p) in hide and kind != "ytd"
            for m, p, kind in zip(
                table["measure"], table["period_start"], table["period_type"], strict=True
            )
        ]
    )
    return table.with_columns((pl.col(SUPPRESSED) | extra).alias(SUPPRESSED))


def suppress_groups(table: pl.DataFrame, *, threshold: int = 5) -> pl.DataFrame:
    """Publication mode for a breakdown: groups of 1 to ``threshold`` suppressed, and where a
    measure's groups would show all but one suppressed group beside their total, the next
    smallest group too (else the total minus the rest would give it away)."""
    marked = suppress(table, threshold=threshold)
    keys = ["measure", "dimension", "period_start", "group"]
    extra: set[tuple[object, ...]] = set()
    for _, rows in marked.group_by("measure", "dimension", "period_start", maintain_order=True):
        if int(rows[SUPPRESSED].sum()) != 1:
            continue
        shown = rows.filter(~pl.col(SUPPRESSED)).sort("numerator")
        if not shown.is_empty():
            extra.add(tuple(shown.select(keys).row(0)))
    if not extra:
        return marked
    flags = [tuple(r) in extra for r in marked.select(keys).iter_rows()]
    return marked.with_columns((pl.col(SUPPRESSED) | pl.Series(flags)).alias(SUPPRESSED))
