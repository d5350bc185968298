"""A realistic, deterministic synthetic extract of one authority (or of a whole nation).

The shapes aim at the DfE sanity anchors (spec): about 2% of open plans past 2 years, 3-5% of
ended plans past 2 years, 20-25% of starts a second or subsequent plan, a median plan of 8-10
months, about half for neglect, siblings starting on the same day, unborn children.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from cpmetrics.dates import months_after

EPOCH = dt.date(1970, 1, 1)
CATEGORIES = np.array(["NEG", "EMO", "PHY", "SAB", "MUL"])
CATEGORY_SHARE = np.array([0.47, 0.36, 0.07, 0.04, 0.06])
FAMILY_SIZE_SHARE = np.array([0.55, 0.25, 0.12, 0.05, 0.03])  # 1..5 children
# Families starting a plan per day for a mid-sized authority (~330 children on a plan).
FAMILIES_PER_DAY = 0.47
RETURN_PROBABILITY = 0.2  # a family back on a plan after its plan ended
BURN_IN_YEARS = 3  # simulate before the extract opens, so it starts with plans already open
PLANS_PER_YEAR_AT_SCALE_1 = 400


def _days(day: dt.date) -> int:
    return (day - EPOCH).days


def generate(
    seed: int = 2018,
    *,
    first_day: dt.date = dt.date(2012, 4, 1),
    extract_date: dt.date = dt.date(2019, 12, 31),
    scale: float = 1.0,
) -> pl.DataFrame:
    """One row per plan open at any time from ``first_day`` to ``extract_date``.

    ``scale`` multiplies the number of families (1.0: a mid-sized authority; ~150: England).
    """
    rng = np.random.default_rng(seed)
    sim_start = _days(first_day) - 365 * BURN_IN_YEARS
    sim_end = _days(extract_date)
    n_families = rng.poisson(FAMILIES_PER_DAY * scale * (sim_end - sim_start))
    family_size = rng.choice(np.arange(1, 6), size=n_families, p=FAMILY_SIZE_SHARE)

    # Episodes: a family's first plan, then returns after a gap, while the die says so.
    episode_family = [np.arange(n_families)]
    episode_start = [np.sort(rng.integers(sim_start, sim_end + 1, size=n_families))]
    episode_number = [np.zeros(n_families, dtype=np.int64)]
    episode_length = [_plan_lengths(rng, n_families)]
    while True:
        back = rng.random(episode_family[-1].size) < RETURN_PROBABILITY
        if not back.any():
            break
        gap = 30 + rng.exponential(400, size=int(back.sum())).astype(np.int64)
        starts = episode_start[-1][back] + episode_length[-1][back] + gap
        keep = starts <= sim_end
        episode_family.append(episode_family[-1][back][keep])
        episode_start.append(starts[keep])
        episode_number.append(episode_number[-1][back][keep] + 1)
        episode_length.append(_plan_lengths(rng, int(keep.sum())))
    fam = np.concatenate(episode_family)
    start = np.concatenate(episode_start)
    number = np.concatenate(episode_number)
    length = np.concatenate(episode_length)
    n_episodes = fam.size
    initial = rng.choice(CATEGORIES, size=n_episodes, p=CATEGORY_SHARE)
    changed = rng.random(n_episodes) < 0.12
    latest = np.where(changed, rng.choice(CATEGORIES, size=n_episodes, p=CATEGORY_SHARE), initial)

    # One plan per child of the family in each episode; siblings start on the same day.
    size = family_size[fam]
    row_episode = np.repeat(np.arange(n_episodes), size)
    child_in_family = np.arange(row_episode.size) - np.repeat(np.cumsum(size) - size, size)
    child_offset = np.concatenate([[0], np.cumsum(family_size)[:-1]])
    child = child_offset[fam[row_episode]] + child_in_family
    plan_start = start[row_episode]
    own_length = rng.random(row_episode.size) < 0.15
    # A sibling's plan may end earlier than the family's, never later (the family's next
    # episode starts after the family's plan ends, so no child has overlapping plans).
    plan_length = np.where(
        own_length,
        np.minimum(_plan_lengths(rng, row_episode.size), length[row_episode]),
        length[row_episode],
    )
    plan_end = plan_start + plan_length

    # Birth dates fixed per child from the family's first plan: ~7% unborn at that plan's start.
    n_children = int(family_size.sum())
    first = number[row_episode] == 0
    first_start = np.zeros(n_children, dtype=np.int64)
    first_start[child[first]] = plan_start[first]
    age_years = rng.choice(
        np.array([-1, 0, 2, 7, 12, 16]),
        size=first_start.size,
        p=np.array([0.07, 0.12, 0.26, 0.28, 0.23, 0.04]),
    )
    age_days = np.where(
        age_years < 0,
        -rng.integers(14, 200, size=first_start.size),
        (age_years + rng.random(first_start.size) * np.where(age_years == 0, 1, 2.5)) * 365.25,
    ).astype(np.int64)
    birth = first_start - age_days
    # Some children were on plans before any record here: the census count knows, history not.
    prior = rng.random(first_start.size) < 0.05
    previous = number[row_episode] + prior[child]
    previous_known = rng.random(row_episode.size) >= 0.04  # a few blank counts, as in real files

    window_start = _days(first_day)
    keep = plan_end >= window_start
    frame = pl.DataFrame(
        {
            "child_id": child[keep],
            "family_id": fam[row_episode][keep],
            "date_of_birth": birth[child][keep],
            "start_date": plan_start[keep],
            "end_date": np.where(plan_end[keep] > sim_end, -1, plan_end[keep]),
            "initial_category": initial[row_episode][keep],
            "latest_category": latest[row_episode][keep],
            "previous_plans": np.where(previous_known[keep], previous[keep], -1),
        }
    )
    width_child = max(6, len(str(int(child.max()) if child.size else 0)))
    width_family = max(5, len(str(n_families)))
    return (
        frame.with_columns(
            pl.format("C{}", pl.col("child_id").cast(pl.String).str.zfill(width_child)),
            pl.format("F{}", pl.col("family_id").cast(pl.String).str.zfill(width_family)),
            *(pl.col(c).cast(pl.Int32).cast(pl.Date) for c in ("date_of_birth", "start_date")),
            pl.when(pl.col("end_date") >= 0).then(pl.col("end_date")).cast(pl.Int32).cast(pl.Date),
            pl.when(pl.col("previous_plans") >= 0).then(pl.col("previous_plans")),
        )
        .select(
            "child_id",
            "family_id",
            "date_of_birth",
            "start_date",
            "end_date",
            "initial_category",
            "latest_category",
            "previous_plans",
        )
        .sort("start_date", "family_id", "child_id")
    )


def _plan_lengths(rng: np.random.Generator, n: int) -> np.ndarray:
    """Plan lengths in days: a few short plans, the rest lognormal around 9 months."""
    short = rng.random(n) < 0.12
    long = np.exp(rng.normal(np.log(315), 0.5, size=n))
    return np.where(short, rng.integers(20, 91, size=n), np.maximum(long, 20)).astype(np.int64)


def scale_for(plans: int, years: float) -> float:
    """The ``scale`` that gives about ``plans`` plans over ``years`` years."""
    return max(plans / (PLANS_PER_YEAR_AT_SCALE_1 * years), 0.01)


def practice_records(
    plans: pl.DataFrame, seed: int = 2018, *, extract_date: dt.date = dt.date(2019, 12, 31)
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Review conferences and visits for the plans (``generate``'s), as a case system would
    export them (child id and date; no plan id): mostly in time, some late, some missed, a few
    visits where the child was not seen, seen alone recorded at most visits.

    Reviews: the first about 3 months after the start, then about every 6; visits: about every
    10 working days (a gap of 7 to 13 days), now and then 2 to 4 weeks."""
    rng = np.random.default_rng(seed + 1)
    reviews: list[tuple[str, dt.date]] = []
    visits: list[tuple[str, dt.date, str, str]] = []
    dates = plans.select(
        pl.col("child_id").cast(pl.String),
        *(pl.col(c).cast(pl.String).str.to_date() for c in ("start_date", "end_date")),
    )
    for child, first, end in dates.iter_rows():
        last = end or extract_date
        # Reviews: early by 0-20 days, or (1 in 12) late by 1-30 days.
        due = months_after(first, 3)
        while due <= last:
            shift = int(rng.integers(1, 31)) if rng.random() < 1 / 12 else -int(rng.integers(0, 21))
            held = due + dt.timedelta(days=shift)
            if first < held <= min(last, extract_date):
                reviews.append((child, held))
            due = months_after(held, 6)
        day = first + dt.timedelta(days=int(rng.integers(0, 6)))
        while day < last:
            seen = "N" if rng.random() < 0.03 else "Y"
            alone = rng.choice(["Y", "N", ""], p=[0.6, 0.3, 0.1]) if seen == "Y" else ""
            visits.append((child, day, seen, str(alone)))
            late = rng.random() < 0.08
            day += dt.timedelta(days=int(rng.integers(15, 29) if late else rng.integers(7, 14)))
    review_frame = pl.DataFrame(
        reviews, schema={"child_id": pl.String, "review_date": pl.Date}, orient="row"
    )
    visit_frame = pl.DataFrame(
        visits,
        schema={
            "child_id": pl.String,
            "visit_date": pl.Date,
            "child_seen": pl.String,
            "seen_alone": pl.String,
        },
        orient="row",
    )
    return review_frame.sort("review_date", "child_id"), visit_frame.sort("visit_date", "child_id")
