"""Targets and RAG ratings (red, amber, green) for a measure's value."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Polarity = Literal["low", "high"]


class Target(BaseModel):
    """A measure's target: which direction is good, and how far off still counts as amber."""

    model_config = ConfigDict(extra="forbid")

    target: float
    polarity: Polarity = Field(description="'low' if a lower value is good, 'high' if higher is")
    amber: float = Field(
        0.0, ge=0, description="tolerance beyond the target, in the measure's units"
    )


def rag(value: float | None, target: Target | None) -> str | None:
    """'G' on or better than target, 'A' within the amber tolerance beyond it, else 'R'.

    No value (an empty percentage) or no target gives no rating.
    """
    if value is None or target is None:
        return None
    shortfall = value - target.target if target.polarity == "low" else target.target - value
    shortfall = round(shortfall, 6)  # 20.1 - 20.0 is 0.1000000000000014 in binary floats
    if shortfall <= 0:
        return "G"
    return "A" if shortfall <= target.amber else "R"
