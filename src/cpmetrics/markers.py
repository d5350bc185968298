"""What exports write for "nothing here": SQL's NULL, N/A, a dash, and sentinel end dates.

Case systems and SQL tools write an open plan's end date (and any field not recorded) in many
ways besides a blank cell. Read as blank, every one of them means the same as an empty cell;
read as text, a `NULL` end date would be an unreadable date and the plan would leave every
figure (spec: "Open plans as exports write them").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

# Compared after trimming, in any case: 'NULL', 'null', 'Null' are one marker.
BLANK_MARKERS = ("NULL", "N/A", "NA", "None", "-", "--", "#N/A", "(null)", "nil")
# An end date this far ahead is "never ended" (9999-12-31, 2999-12-31), not a date.
FAR_FUTURE = dt.date(2900, 1, 1)
# Dates outside these years are typing or export errors (year 0, 1066, 9998) and are not read.
FIRST_YEAR, LAST_YEAR = 1900, FAR_FUTURE.year - 1


def spellings(markers: Iterable[str]) -> list[str]:
    """Every casing of each marker that exports write, for a fast exact look-up."""
    out: set[str] = set()
    for marker in markers:
        text = marker.strip()
        if text:
            out |= {text, text.upper(), text.lower(), text.title(), text.capitalize()}
    return sorted(out)


def split_local(markers: Iterable[str]) -> tuple[list[str], list[dt.date]]:
    """A config's own markers: text read as blank anywhere, and ISO dates that mark an open
    plan's end date ('2099-12-31' matches however the file writes that date)."""
    texts: list[str] = []
    dates: list[dt.date] = []
    for marker in markers:
        try:
            dates.append(dt.date.fromisoformat(marker.strip()))
        except ValueError:
            texts.append(marker)
    return texts, dates
