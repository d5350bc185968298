"""The validation rules: CIN census numbers where one exists, short names for ours.

Codes are public: they appear in outputs and config, and are never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# "info": what is expected and handled, such as a plan in two census returns.
Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    excludes: bool  # True: the row is left out of every measure (and counted)
    title: str
    record: str = "plan"  # what the rule checks: a plan row, a review or a visit


_RULES = (
    Rule("blank-row", "warning", True, "Blank row"),
    Rule("missing-fields", "error", True, "Row has fewer fields than the header"),
    Rule("blank-id", "error", True, "Child id missing"),
    Rule("bad-date", "error", True, "Start or end date cannot be read"),
    Rule("8720", "error", True, "Start date missing, or after the extract date"),
    Rule("future-date", "error", True, "End date after the extract date"),
    Rule("8925", "error", True, "End date before start date"),
    Rule("8840", "error", True, "Plan starts and ends on the same day"),
    Rule("duplicate-row", "error", True, "Exact duplicate of an earlier row"),
    # Several files: the plan is counted from the latest file that has it.
    Rule("repeated-plan", "info", True, "The same plan is in a later file, counted from there"),
    Rule("files-disagree", "warning", False, "Two files hold the same plan with different ends"),
    # Overlaps are errors in the census, but no row is the wrong one to drop: both are kept and
    # the snapshot counts the child once (spec, "Plans vs children").
    Rule("8935", "error", False, "More than one open plan for a child"),
    Rule("8940", "error", False, "A child's plans overlap"),
    Rule("8730", "warning", False, "Previous-plans count negative or not a whole number (ignored)"),
    Rule("8905", "warning", False, "Initial category missing or not a known code"),
    Rule("8910", "warning", False, "Latest category missing or not a known code"),
    Rule("bad-birth-date", "warning", False, "Date of birth cannot be read (ignored)"),
    Rule("8841", "warning", False, "A review dated on or before its plan's start"),
    Rule("bad-review-date", "warning", False, "A review date cannot be read (left out)"),
    # Reviews and visits from their own files (validate/linked.py): a record left out is not a
    # plan left out, so none of these excludes a plan row.
    Rule("review-blank-row", "info", False, "Reviews file: blank row (left out)", "review"),
    Rule(
        "review-bad-date",
        "error",
        False,
        "A review's date is missing or unreadable (left out)",
        "review",
    ),
    Rule(
        "review-future",
        "error",
        False,
        "A review dated after the extract date (left out)",
        "review",
    ),
    Rule(
        "review-no-id", "error", False, "A review with no child id or plan id (left out)", "review"
    ),
    Rule("review-no-plan", "warning", False, "A review that matches no plan (left out)", "review"),
    Rule(
        "review-after-end", "warning", False, "A review after its plan ended (left out)", "review"
    ),
    Rule("review-duplicate", "info", False, "The same review twice (counted once)", "review"),
    Rule("visit-blank-row", "info", False, "Visits file: blank row (left out)", "visit"),
    Rule(
        "visit-bad-date",
        "error",
        False,
        "A visit's date is missing or unreadable (left out)",
        "visit",
    ),
    Rule(
        "visit-future", "error", False, "A visit dated after the extract date (left out)", "visit"
    ),
    Rule("visit-no-id", "error", False, "A visit with no child id or plan id (left out)", "visit"),
    Rule("visit-no-plan", "warning", False, "A visit that matches no plan (left out)", "visit"),
    Rule(
        "visit-outside-plan",
        "warning",
        False,
        "A visit outside its plan's dates (left out)",
        "visit",
    ),
    Rule("visit-duplicate", "info", False, "The same visit twice (counted once)", "visit"),
    Rule(
        "visit-not-seen",
        "info",
        False,
        "A visit at which the child was not seen (left out)",
        "visit",
    ),
    Rule("bad-seen-alone", "warning", False, "Seen alone not a yes or no (not recorded)", "visit"),
    Rule("bad-latest-date", "warning", False, "Latest review or visit date unreadable (ignored)"),
    Rule("extra-fields", "warning", False, "Row has more fields than the header (extra ignored)"),
    Rule("nul-byte", "warning", False, "A value holds a NUL byte (the file may be damaged)"),
    Rule("duplicate-column", "warning", False, "Two columns mean the same field (first used)"),
)
RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}
RULE_ORDER: dict[str, int] = {rule.code: i for i, rule in enumerate(_RULES)}
