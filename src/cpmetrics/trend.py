"""The monthly performance table: every measure for consecutive periods, the change from the
previous period, the year to date, and the target with its RAG rating."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from cpmetrics.engine import Options, Population, compute_each
from cpmetrics.periods import Period, split, year_to_date
from cpmetrics.reference import COMPARATOR_COLUMNS
from cpmetrics.render.values import COUNT_UNITS
from cpmetrics.suppress import MARK, SUPPRESSED
from cpmetrics.targets import Target, rag

TREND_EXTRA_COLUMNS = {
    "period": pl.String,  # the period's label: 2018-10, 2018-Q3, 2018-19, YTD ...
    "period_type": pl.String,  # month, quarter, year or ytd
    "previous_value": pl.Float64,
    "change": pl.Float64,  # value - previous_value, in the measure's unit (% points for %)
    "target": pl.Float64,
    "rag": pl.String,
}


@dataclass(frozen=True)
class Trend:
    table: pl.DataFrame  # engine.RESULT_COLUMNS + TREND_EXTRA_COLUMNS, long format
    periods: tuple[Period, ...]
    ytd: Period | None
    notes: tuple[str, ...]


def build_trend(
    plans: pl.DataFrame,
    whole: Period,
    *,
    by: str = "month",
    population: Population | None = None,
    options: Options | None = None,
    targets: Mapping[str, Target] | None = None,
    with_ytd: bool = True,
) -> Trend:
    periods = split(whole, by)
    ytd = year_to_date(periods[-1]) if with_ytd and by != "year" else None
    groups = [periods] if ytd is None else [periods, [ytd]]
    results = compute_each(plans, groups, population=population, options=options)
    parts = [_label(results[0].table, periods, by)]
    notes = list(results[0].notes)
    if ytd is not None:
        # Its notes would repeat the months' (about the same data), so they are not kept.
        parts.append(_label(results[1].table, [ytd], "ytd"))
    table = pl.concat(parts)
    previous = (
        pl.when(pl.col("period_type") != "ytd")
        .then(pl.col("value").shift(1).over("measure", "period_type", order_by="period_start"))
        .otherwise(None)
    )
    table = table.with_columns(previous.alias("previous_value")).with_columns(
        (pl.col("value") - pl.col("previous_value")).round(1).alias("change")
    )
    goals = targets or {}
    table = table.with_columns(
        pl.col("measure")
        .replace_strict(
            {m: t.target for m, t in goals.items()}, default=None, return_dtype=pl.Float64
        )
        .alias("target"),
        pl.Series(
            "rag",
            [rag(v, goals.get(m)) for m, v in zip(table["measure"], table["value"], strict=True)],
            dtype=pl.String,
        ),
    )
    return Trend(table, tuple(periods), ytd, tuple(notes))


def _label(table: pl.DataFrame, periods: list[Period], kind: str) -> pl.DataFrame:
    labels = {p.end: p.label for p in periods}
    return table.with_columns(
        pl.col("period_end").replace_strict(labels, return_dtype=pl.String).alias("period"),
        pl.lit(kind).alias("period_type"),
    )


def wide(trend: Trend) -> pl.DataFrame:
    """Measures as rows, periods as columns (values), then the YTD, the target, the last
    period's RAG, and the comparators (for the last period) and the YTD's RAG."""
    table = trend.table
    if SUPPRESSED in table.columns:
        # Publication mode: the figures become text, with 'c' where they are suppressed.
        count = pl.col("unit").is_in(list(COUNT_UNITS))
        shown = (
            pl.when(count)
            .then(pl.col("value").cast(pl.Int64).cast(pl.String))
            .otherwise(pl.col("value").round(1).cast(pl.String))
        )
        # The rating too: green beside a hidden figure says which side of the target it is.
        table = table.with_columns(
            pl.when(pl.col(SUPPRESSED)).then(pl.lit(MARK)).otherwise(shown).alias("value"),
            pl.when(pl.col(SUPPRESSED) & pl.col("rag").is_not_null())
            .then(pl.lit(MARK))
            .otherwise(pl.col("rag"))
            .alias("rag"),
        )
    main = table.filter(pl.col("period_type") != "ytd")
    out = main.pivot(on="period", index=["measure", "label", "unit"], values="value")
    compare = [c for c in COMPARATOR_COLUMNS if c in main.columns]
    latest = main.filter(pl.col("period_end") == pl.col("period_end").max()).select(
        "measure", "target", "rag", *compare
    )
    if trend.ytd is not None:
        ytd = table.filter(pl.col("period_type") == "ytd").select(
            "measure", pl.col("value").alias("ytd"), pl.col("rag").alias("ytd_rag")
        )
        out = out.join(ytd.drop("ytd_rag"), on="measure", how="left", maintain_order="left")
        latest = latest.join(ytd.drop("ytd"), on="measure", how="left", maintain_order="left")
    # rag: the last period's rating; ytd_rag: the year to date's.
    out = out.join(latest, on="measure", how="left", maintain_order="left")
    ratings = [c for c in ("target", "rag", "ytd_rag") if c in out.columns]
    return out.select(pl.exclude(*ratings, *compare), *ratings, *compare)
