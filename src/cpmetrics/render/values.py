"""Plain forms of figures, shared by every renderer."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

COUNT_UNITS = ("children", "plans", "families")
MARKERS = ("suppressed", "_change_hidden")  # publication-mode flags, never printed
# A cell starting with one of these could run as a formula when opened in a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The only such cells left alone: plain decimal numbers ('-0.4', a change). Not float()'s
# idea of a number, which also takes '-inf', '+nan', '-Infinity' and '-1_000'.
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def plain_value(value: float | str | None, unit: str) -> int | float | str | None:
    """Counts as whole numbers, rates and percentages to 1 decimal place ('c' stays 'c')."""
    if value is None or isinstance(value, str):
        return value
    return int(value) if unit in COUNT_UNITS else round(value, 1)


def cell(value: Any, unit: str, *, for_csv: bool = False) -> Any:
    """One output cell: floats by the row's unit, dates as ISO text; CSV cells as safe text."""
    if isinstance(value, float):
        value = plain_value(value, unit)
    elif isinstance(value, dt.date):
        value = value.isoformat()
    if not for_csv:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"  # as JSON writes them
    if not isinstance(value, str):
        value = f"{value:.1f}" if isinstance(value, float) else str(value)
    return spreadsheet_safe(value)  # numbers too: a float may be '-inf'


def published_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row with its suppressed figures replaced by 'c' (publication mode), without the
    marker columns."""
    from cpmetrics.suppress import HIDDEN_WITH_CHANGE, HIDDEN_WITH_ROW, MARK, SUPPRESSED

    hidden = row.pop(SUPPRESSED, False)
    change_hidden = row.pop("_change_hidden", hidden)
    # (An empty cell stays empty: a measure with no denominator has none to hide.)
    for key in HIDDEN_WITH_ROW:
        if hidden and row.get(key) is not None:
            row[key] = MARK
    for key in HIDDEN_WITH_CHANGE:
        if change_hidden and row.get(key) is not None:
            row[key] = MARK
    return row


def spreadsheet_safe(value: str) -> str:
    """Prefix a quote so that a value such as '=cmd()' stays text in Excel.

    Plain negative numbers ('-0.4', a change) are numbers, not formulas, and are left alone.
    """
    if not value.startswith(_FORMULA_START) or _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value
