"""Plain-text forms of figures, shared by every renderer."""

from __future__ import annotations

from typing import Any

COUNT_UNITS = ("children", "plans")
# A cell starting with one of these could run as a formula when opened in a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def plain_value(value: float | None, unit: str) -> int | float | None:
    """Counts as whole numbers, rates and percentages to 1 decimal place."""
    if value is None:
        return None
    return int(value) if unit in COUNT_UNITS else round(value, 1)


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def spreadsheet_safe(value: str) -> str:
    """Prefix a quote so that a value such as '=cmd()' stays text in Excel."""
    return "'" + value if value.startswith(_FORMULA_START) else value
