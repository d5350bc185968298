"""The guard for unattended runs: input that looks wrong makes the exit code say so.

A month-end job publishes what it prints. When one rule excludes a large share of the rows, the
figures are still written (an analyst may want to see them) but the run exits 1, and stderr says
which rule, what the excluded values have in common, and what to do.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from cpmetrics import CONFIG_NAME
from cpmetrics import schema as s
from cpmetrics.engine import Options
from cpmetrics.schema import PREVIOUS_PLANS
from cpmetrics.validate import RULES, ValidationReport

DEFAULT_MAX_EXCLUDED_PCT = 5.0
_WHAT = {
    "end_date": "end dates",
    "start_date": "start dates",
    "child_id": "child ids",
}


# Warnings that change a figure although the row is kept: an unreadable previous-plans count
# is ignored, so the plan may not count as a repeat.
_FIGURE_WARNINGS = ("8730",)
# Excluded rows that were never plans: a line of empty fields changes no figure.
_NO_FIGURE = ("blank-row",)
# Rules that exclude a plan for its end date: had the date been read, most would be open plans.
_END_DATE_RULES = ("bad-date", "future-date")


def exclusion_alarms(report: ValidationReport, max_pct: float, open_plans: int) -> list[str]:
    """One message for each rule that excludes (or, for the previous-plans count, ignores)
    more than ``max_pct`` % of the rows; and for end dates that could not be used, more than
    ``max_pct`` % of the plans that would be open (``open_plans``: those used). 0: off."""
    # Shares of the distinct plans: a copy of a plan found again in a later file is not one.
    expected = {c: n for c, n in report.excluded_by_rule.items() if RULES[c].severity == "info"}
    rows = report.input_rows - sum(expected.values())
    if max_pct <= 0 or rows <= 0:
        return []
    counts = {
        code: n
        for code, n in report.excluded_by_rule.items()
        if code not in expected and code not in _NO_FIGURE
    }
    counts |= {code: n for code, n in report.counts_by_rule().items() if code in _FIGURE_WARNINGS}
    alarms = []
    for code, count in counts.items():
        share = 100 * count / rows
        verb = "excludes" if RULES[code].excludes else "affects"
        what = f"rule {code} ({RULES[code].title.lower()}) {verb} {count:,}"
        if share > max_pct:
            alarms.append(
                f"{what} of {rows:,} rows ({share:.1f}%, more than the "
                f"{max_pct:g}% allowed): {_advice(report, code, count)}"
            )
            continue
        ends = _end_date_findings(report, code)
        # A few hundred open plans among years of history: a handful of their end dates
        # misread is a small share of the rows but a large share of the snapshot.
        if ends and 100 * ends / (open_plans + ends) > max_pct:
            alarms.append(
                f"{what} rows for their end date: {100 * ends / (open_plans + ends):.1f}% of "
                f"the plans that would otherwise be open (more than the {max_pct:g}% allowed): "
                f"{_advice(report, code, ends)}"
            )
    return alarms


def _end_date_findings(report: ValidationReport, code: str) -> int:
    if code not in _END_DATE_RULES:
        return 0
    found = report.findings.filter((pl.col("rule") == code) & (pl.col("column") == "end_date"))
    return found.height


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


def linked_alarms(report: ValidationReport, max_pct: float) -> list[str]:
    """A reviews or visits file most of whose rows match no plan (or cannot be read) gives a
    figure from the few that do: wrong ids or the wrong file, not a real rate."""
    if max_pct <= 0:
        return []
    out = []
    for linked in report.linked:
        # Repeats, blank rows and visits where the child was not seen are expected.
        lost = {c: n for c, n in linked.left_out.items() if RULES[c].severity != "info"}
        rows = linked.rows - sum(n for c, n in linked.left_out.items() if c not in lost)
        # A seen-alone value not understood changes the seen-alone figure as surely.
        repeats = " (repeats aside)" if rows < linked.rows else ""
        for code, n in {**lost, **linked.flagged}.items():
            if rows and 100 * n / rows > max_pct:
                verb = "flagged" if code in linked.flagged else "left out"
                out.append(
                    f"{linked.source}: {n:,} of {rows:,} {linked.kind[:-1]} rows{repeats} "
                    f"{verb} by {code} ({100 * n / rows:.0f}%, more than {max_pct:g}%): "
                    f"{RULES[code].title.lower()}; check the file with 'cpmetrics validate', "
                    f"or raise max_excluded_pct in {CONFIG_NAME}"
                )
    return out


def missing_reviews_alarms(timeline: pl.DataFrame, on: dt.date) -> list[str]:
    """Most children due their reviews with no review recorded at all: a partial reviews file
    (or the wrong one) gives a D6 figure near 0 that is no figure at all."""
    if s.REVIEW_DEADLINE not in timeline.columns or "_reviews" not in timeline.columns:
        return []
    start, end = pl.col(s.START_DATE), pl.col(s.END_DATE)
    due = timeline.filter((start <= pl.lit(on).dt.offset_by("-3mo")) & (end.is_null() | (end > on)))
    none = int((due["_reviews"].fill_null(0) == 0).sum())
    if due.height < 10 or none * 2 <= due.height:
        return []
    return [
        f"{none:,} of the {due.height:,} plans open on {on} and due their reviews have no "
        "review recorded at all: reviews_in_time_pct cannot be right; is the reviews file "
        "complete, and are its ids the plans' ids?"
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
