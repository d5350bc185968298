"""One benchmark task per process, so each pays its own imports and its peak memory is its own.

    python bench/tasks.py TASK FILE FIRST_MONTH LAST_MONTH

Prints one JSON line: the figures (for the cross-check) and the peak resident memory.
Figures per month: children on a plan, of whom 2y+, plans started, children started, repeats,
plans ended, children ended, ended after 2y+.
"""

from __future__ import annotations

import json
import resource
import sys
from typing import Any

FIGURES = (
    "children_on_plan",
    "open_2y",
    "plans_started",
    "children_started",
    "repeats",
    "plans_ended",
    "children_ended",
    "ceased_2y",
)

# The cpmetrics measure whose numerator is each figure.
MEASURE_OF = {
    "children_on_plan": "children_on_plan",
    "open_2y": "open_2y_plus_pct",
    "plans_started": "plans_started",
    "children_started": "children_started",
    "repeats": "repeat_plan_pct",
    "plans_ended": "plans_ended",
    "children_ended": "children_ended",
    "ceased_2y": "ceased_2y_plus_pct",
}


def month_bounds(first: str, last: str) -> list[tuple[str, str]]:
    import calendar

    y, m = map(int, first.split("-"))
    ly, lm = map(int, last.split("-"))
    out = []
    while (y, m) <= (ly, lm):
        out.append((f"{y:04d}-{m:02d}-01", f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def floor(path: str, first: str, last: str) -> dict[str, Any]:
    import polars as pl

    frame = pl.read_csv(path)
    return {"rows": frame.height}


def cpmetrics_task(path: str, first: str, last: str) -> dict[str, Any]:
    import datetime as dt

    from cpmetrics.api import load_plans
    from cpmetrics.engine import compute
    from cpmetrics.periods import months, parse_month

    loaded = load_plans(path, extract_date=dt.date(2099, 1, 1))
    periods = months(parse_month(first), parse_month(last))
    table = compute(loaded.timeline, periods).table
    by_measure = {
        m: table.filter(table["measure"] == m)["numerator"].to_list() for m in MEASURE_OF.values()
    }
    return {
        "figures": [[by_measure[MEASURE_OF[f]][i] for f in FIGURES] for i in range(len(periods))]
    }


def duckdb_task(path: str, first: str, last: str) -> dict[str, Any]:
    import duckdb

    bounds = month_bounds(first, last)
    sql = f"""
    WITH plans AS (
        SELECT child_id, start_date::DATE AS s, end_date::DATE AS e,
               COALESCE(previous_plans, 0) AS previous
        FROM read_csv('{path}', header = true, all_varchar = false)
    ),
    prep AS (
        SELECT *, (s + INTERVAL 2 YEAR)::DATE AS two,
               (s > MIN(s) OVER (PARTITION BY child_id)) OR previous > 0 AS repeat
        FROM plans
    ),
    months AS (
        SELECT ms::DATE AS ms, (ms + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE AS me
        FROM range(DATE '{bounds[0][0]}', DATE '{bounds[-1][1]}' + 1, INTERVAL 1 MONTH) t(ms)
    ),
    snapshot AS (
        SELECT me, COUNT(DISTINCT child_id) AS on_plan,
               COUNT(DISTINCT child_id) FILTER (WHERE two <= me) AS open_2y
        FROM months JOIN prep ON s <= me AND (e IS NULL OR e > me) GROUP BY me
    ),
    started AS (
        SELECT me, COUNT(*) AS plans_started, COUNT(DISTINCT child_id) AS children_started,
               COUNT(*) FILTER (WHERE repeat) AS repeats
        FROM months JOIN prep ON s BETWEEN ms AND me GROUP BY me
    ),
    ended AS (
        SELECT me, COUNT(*) AS plans_ended, COUNT(DISTINCT child_id) AS children_ended,
               COUNT(*) FILTER (WHERE two <= e) AS ceased_2y
        FROM months JOIN prep ON e BETWEEN ms AND me GROUP BY me
    )
    SELECT COALESCE(on_plan, 0), COALESCE(open_2y, 0), COALESCE(plans_started, 0),
           COALESCE(children_started, 0), COALESCE(repeats, 0), COALESCE(plans_ended, 0),
           COALESCE(children_ended, 0), COALESCE(ceased_2y, 0)
    FROM months LEFT JOIN snapshot USING (me) LEFT JOIN started USING (me)
         LEFT JOIN ended USING (me)
    ORDER BY me
    """
    rows = duckdb.sql(sql).fetchall()
    return {"figures": [list(map(int, r)) for r in rows]}


def pandas_task(path: str, first: str, last: str) -> dict[str, Any]:
    import pandas as pd

    df = pd.read_csv(path, parse_dates=["start_date", "end_date"])
    s, e = df["start_date"], df["end_date"]
    two = s + pd.DateOffset(years=2)
    earliest = df.groupby("child_id")["start_date"].transform("min")
    repeat = (s > earliest) | (df["previous_plans"].fillna(0) > 0)
    out = []
    for ms, me in month_bounds(first, last):
        ms_, me_ = pd.Timestamp(ms), pd.Timestamp(me)
        open_ = (s <= me_) & (e.isna() | (e > me_))
        started = (s >= ms_) & (s <= me_)
        ended = (e >= ms_) & (e <= me_)
        out.append(
            [
                df.loc[open_, "child_id"].nunique(),
                df.loc[open_ & (two <= me_), "child_id"].nunique(),
                int(started.sum()),
                df.loc[started, "child_id"].nunique(),
                int((started & repeat).sum()),
                int(ended.sum()),
                df.loc[ended, "child_id"].nunique(),
                int((ended & (two <= e)).sum()),
            ]
        )
    return {"figures": out}


def peak_mb() -> float:
    """This process's peak resident memory. VmHWM starts afresh at exec; ru_maxrss does not
    (it keeps the high-water mark of the parent that forked us)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


TASKS = {"floor": floor, "cpmetrics": cpmetrics_task, "duckdb": duckdb_task, "pandas": pandas_task}

if __name__ == "__main__":
    task, path, first, last = sys.argv[1:5]
    result = TASKS[task](path, first, last)
    result["peak_mb"] = peak_mb()
    print(json.dumps(result))
