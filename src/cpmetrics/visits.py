"""Visits to children on a plan: how long a visit keeps a child "seen in time".

No national definition (spec): councils use 10 working days, 4 weeks or the calendar month. One
idea serves them all: a visit on day v keeps the child in time until its *due date*, due(v), the
day by which the next visit must happen (v + 10 working days; v + 28 days; the last day of v's
month). The interval ending on R is then the days v with due(v) >= R, from W(R) = the first such
day, to R. On R, a child open on a plan is

- in the denominator when the whole interval lies within the plan: start <= W(R);
- in the numerator when it also had a visit in it: W(R) <= v <= R.

due() never decreases, so W() never does either, and each is worked out once per calendar day.
Working days leave out weekends and England and Wales bank holidays (the ``holidays`` package:
a maintained calendar, substitute days included; both nations share the same bank holidays).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

import polars as pl

from cpmetrics.errors import UsageError

if TYPE_CHECKING:
    import numpy as np

Unit = Literal["working days", "days", "month"]
DEFAULT_INTERVAL = "10 working days"
_SPELLINGS = re.compile(
    r"^\s*(?:(?P<n>\d+)\s*(?P<unit>working\s+days?|days?|weeks?)|(?:calendar\s+)?(?P<month>month))\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class VisitInterval:
    """How often a child on a plan must be seen: ``count`` of ``unit`` ('month': in the same
    calendar month)."""

    count: int
    unit: Unit

    @classmethod
    def parse(cls, text: str) -> VisitInterval:
        """'10 working days' (default), '20 working days', '4 weeks', '28 days', 'month'."""
        found = _SPELLINGS.match(text)
        if not found:
            raise UsageError(
                f"visit interval {text!r} not understood; write, for example, "
                "'10 working days', '4 weeks', '28 days' or 'month'"
            )
        if found["month"]:
            return cls(1, "month")
        count, unit = int(found["n"]), found["unit"].lower()
        working = unit.startswith("working")
        days = count * 7 if unit.startswith("week") else count
        if days < 1 or days > (60 if working else 92):
            raise UsageError(
                f"visit interval {text!r}: give up to 60 working days or 92 days (13 weeks)"
            )
        return cls(count, "working days") if working else cls(days, "days")

    def __str__(self) -> str:
        if self.unit == "month":
            return "the calendar month"
        return f"{self.count} {self.unit}"

    def due(self, days: pl.Series) -> pl.Series:
        """due(v) for each day in ``days`` (a Date series): when the next visit is due."""
        if self.unit == "month":
            return days.dt.month_end()
        if self.unit == "days":
            return days + dt.timedelta(days=self.count)
        import numpy as np  # here: compute must not pay numpy's import for every run

        values = days.to_numpy().astype("datetime64[D]")
        first, last = days.min(), days.max()
        assert isinstance(first, dt.date) and isinstance(last, dt.date)
        # 'backward': from a Saturday, the 1st working day after it is Monday, as from Friday.
        later = np.busday_offset(
            values,
            self.count,
            roll="backward",
            holidays=bank_holidays(first.year, last.year + 1 + self.count // 200),
        )
        return pl.Series(days.name, later, dtype=pl.Date)


@lru_cache(maxsize=8)
def bank_holidays(first_year: int, last_year: int) -> np.ndarray:
    """England and Wales bank holidays (substitute days included) from ``first_year`` to
    ``last_year``, as numpy days."""
    import holidays  # imported here: only the visits measure needs it
    import numpy as np

    years = range(max(first_year, 1900), min(last_year, 2899) + 1)
    found = holidays.country_holidays("GB", subdiv="ENG", years=years)
    return np.array(sorted(found), dtype="datetime64[D]")


@dataclass(frozen=True)
class Calendar:
    """due() and W() for every day from ``first`` to ``last``: looked up, not worked out per
    row (millions of visits fall on a few thousand days)."""

    first: dt.date
    days: pl.Series  # every day, first to last
    due: pl.Series  # due(day)
    window: pl.Series  # W(day): where the interval ending on that day begins

    @classmethod
    def spanning(cls, interval: VisitInterval, first: dt.date, last: dt.date) -> Calendar:
        # The interval ending on the first day begins up to 92 days (60 working days, with
        # holidays) before it; a plan started on the last day is due from up to as long after.
        begin = first - dt.timedelta(days=120)
        days = pl.date_range(begin, last + dt.timedelta(days=120), "1d", eager=True)
        due = interval.due(days)
        at = due.search_sorted(days, side="left")
        window = days.gather(at.clip(0, days.len() - 1))
        return cls(begin, days, due, window)

    def _index(self, dates: pl.Expr) -> pl.Expr:
        return (dates - pl.lit(self.first)).dt.total_days()

    def due_of(self, dates: pl.Expr) -> pl.Expr:
        return pl.lit(self.due).gather(self._index(dates))

    def window_of(self, dates: pl.Expr) -> pl.Expr:
        return pl.lit(self.window).gather(self._index(dates))

    def window_on(self, day: dt.date) -> dt.date:
        """W(day): the first day of the interval ending on ``day``."""
        found = self.window[(day - self.first).days]
        assert isinstance(found, dt.date)
        return found

    def due_from(self, starts: pl.Expr) -> pl.Expr:
        """The first R at which a plan started on ``starts`` is in the denominator: the first
        day whose interval begins on or after the start."""
        at = pl.lit(self.window).search_sorted(starts, side="left")
        return pl.lit(self.days).gather(at.clip(0, self.days.len() - 1))


def calendar_for(interval: VisitInterval, dates: list[pl.Series]) -> Calendar | None:
    """A calendar covering every date in ``dates`` (None: there are none)."""
    bounds = [d for series in dates for d in (series.min(), series.max()) if d is not None]
    found = [d for d in bounds if isinstance(d, dt.date)]
    if not found:
        return None
    return Calendar.spanning(interval, min(found), max(found))


_YES = ("yes", "y", "true", "t", "1")
_NO = ("no", "n", "false", "f", "0")


def yes_no(text: pl.Expr) -> pl.Expr:
    """'Yes'/'No' as exports write it (Y, N, True, 1, 0, any case; Annex A's list labels
    'a) Yes', 'b) No'; a case system's 'Seen alone', 'Not seen alone', 'No - sibling
    present') as a boolean; anything else (blank, 'Unknown') as null: not recorded."""
    word = text.str.strip_chars().str.to_lowercase().str.replace(r"^[a-z]\)\s*", "")
    # Case systems' own words: 'Seen alone', 'Not seen alone', 'No - sibling present'.
    unknown = word.str.contains(r"^not (?:recorded|known|applicable|asked|stated)\b")
    no = word.is_in(_NO) | (word.str.contains(r"^(?:no|not)\b") & ~unknown)
    yes = (
        word.is_in(_YES)
        | word.str.contains(r"^yes\b")
        | word.str.contains(r"^(?:child )?seen alone\b")
    )
    return pl.when(no).then(False).when(yes).then(True)
