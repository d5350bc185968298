"""The guard for unattended runs: input that looks wrong makes the exit code say so.

A month-end job publishes what it prints. When one rule excludes a large share of the rows, the
figures are still written (an analyst may want to see them) but the run exits 1, and stderr says
which rule, what the excluded values have in common, and what to do.
"""

from __future__ import annotations

import polars as pl

from cpmetrics import CONFIG_NAME
from cpmetrics.engine import Options
from cpmetrics.schema import PREVIOUS_PLANS
from cpmetrics.validate import RULES, ValidationReport

DEFAULT_MAX_EXCLUDED_PCT = 5.0
_WHAT = {
    "end_date": "end dates",
    "start_date": "start dates",
    "child_id": "child ids",
}


def exclusion_alarms(report: ValidationReport, max_pct: float) -> list[str]:
    """One message for each rule that excludes more than ``max_pct`` % of the rows (0: off)."""
    if max_pct <= 0 or report.input_rows == 0:
        return []
    alarms = []
    for code, count in report.excluded_by_rule.items():
        if RULES[code].severity == "info":
            continue  # expected: a plan in several census returns is counted once
        share = 100 * count / report.input_rows
        if share <= max_pct:
            continue
        alarms.append(
            f"rule {code} ({RULES[code].title.lower()}) excludes {count:,} of "
            f"{report.input_rows:,} rows ({share:.1f}%, more than the {max_pct:g}% allowed): "
            f"{_advice(report, code, count)}"
        )
    return alarms


def column_alarms(report: ValidationReport, options: Options) -> list[str]:
    """A heading that looks like the previous-plans count but is not recognised changes the
    repeat figures silently (22.9% instead of 25.7%): the run must not pass as clean."""
    if options.repeat_rule == "history":
        return []  # the count is not used
    return [
        f"'{header}' looks like the previous-plans count, which the repeat measures use, but "
        f'is not recognised: add previous_plans = "{header}" under [columns] in {CONFIG_NAME}, '
        "or use --repeat-rule history"
        for header, canonical in report.near_misses()
        if canonical == PREVIOUS_PLANS
    ]


def _advice(report: ValidationReport, code: str, count: int) -> str:
    """What the excluded values share, and what to do about it."""
    check = f"check the extract with 'cpmetrics validate {report.source}'"
    tuning = f"or raise max_excluded_pct in {CONFIG_NAME} (0 turns this check off)"
    common = _most_common_value(report.findings, code)
    if common is not None:
        column, value, n = common
        if n * 2 >= count:  # one value behind most of them: probably a marker or a mapping
            what = _WHAT.get(column, f"{column} values")
            if column == "end_date" and code in ("bad-date", "future-date"):
                return (
                    f"{n:,} {what} read '{value}': if that marks an open plan, add it to "
                    f'open_markers in {CONFIG_NAME} (open_markers = ["{value}"]); else {check}'
                )
            return f"{n:,} {what} read '{value}'; {check}, {tuning}"
    return f"{check}, {tuning}"


def _most_common_value(findings: pl.DataFrame, code: str) -> tuple[str, str, int] | None:
    hits = findings.filter((pl.col("rule") == code) & pl.col("value").is_not_null())
    if hits.is_empty():
        return None
    top = hits.group_by("column", "value").len().sort("len", descending=True).row(0)
    return str(top[0]), str(top[1]), int(top[2])
