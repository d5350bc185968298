"""From when the reviews and visits records can be counted: the one rule the engine, the
per-plan records, the lists and the report share (docs/measures.md).

- Annex A's latest review (or last visit) of each plan: from the latest such date in the
  extract. Before it, a child's review (visit) then is unknown: their latest came after.
- A visits file: from its first visit. Before it, a month looks unvisited only because the
  records had not begun.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from cpmetrics import schema as s

REVIEW_NOT_OVERDUE, VISITS_IN_TIME = "review_not_overdue_pct", "visits_in_time_pct"


def known_from(plans: pl.DataFrame) -> dict[str, dt.date]:
    """Each such measure and the first reference date it can be counted at (``plans``: the
    engine's prepared plans, or the per-plan records)."""
    out: dict[str, dt.date] = {}
    if s.LATEST_REVIEW in plans.columns:
        # (A latest review on or before its plan's start is not one: rule 8841.)
        review = pl.col(s.LATEST_REVIEW)
        latest = plans.select(review.filter(review > pl.col(s.START_DATE)).max()).item()
        if isinstance(latest, dt.date):
            out[REVIEW_NOT_OVERDUE] = latest
    if s.VISIT_LIST not in plans.columns:
        return out
    only = plans.get_column(s.VISITS_LATEST_ONLY, default=None)
    if only is not None and only.any():
        day = plans.filter(only.fill_null(False))[s.VISIT_LIST].explode().max()
    else:
        day = plans[s.VISIT_LIST].explode().min()
    if isinstance(day, dt.date):
        out[VISITS_IN_TIME] = day
    return out


def latest_only(plans: pl.DataFrame) -> bool:
    """Whether the visits are Annex A's last visit of each plan only."""
    only = plans.get_column(s.VISITS_LATEST_ONLY, default=None)
    return only is not None and bool(only.any())
