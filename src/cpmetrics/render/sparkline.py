"""Sparklines: a measure's periods as one line of block characters, for the terminal table."""

from __future__ import annotations

import math
from collections.abc import Sequence

BLOCKS = "▁▂▃▄▅▆▇█"
GAP = "·"  # a period with no figure (suppressed, or no denominator): a visible hole
# A series that does not move sits in the middle: on the floor it would read as low.
FLAT = BLOCKS[3]


def sparkline(values: Sequence[float | None]) -> str:
    """One block per value, scaled from the series' own lowest (▁) to its highest (█), so
    each measure shows its shape whatever its size; None as a gap."""
    known = [v for v in values if v is not None and math.isfinite(v)]
    if not known:
        return GAP * len(values)
    low, high = min(known), max(known)
    top = len(BLOCKS) - 1

    def block(value: float | None) -> str:
        if value is None or not math.isfinite(value):
            return GAP
        if high == low:
            return FLAT
        return BLOCKS[round((value - low) / (high - low) * top)]

    return "".join(block(v) for v in values)


def can_print(stream_encoding: str | None) -> bool:
    """Whether the blocks survive the stream's encoding (a legacy code page would fail)."""
    try:
        (BLOCKS + GAP).encode(stream_encoding or "utf-8")
    except (LookupError, UnicodeEncodeError):
        return False
    return True
