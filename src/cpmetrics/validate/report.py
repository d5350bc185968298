"""What validation found: the findings table and the row accounting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from cpmetrics.validate.rules import RULE_ORDER, RULES

FINDING_COLUMNS = {
    "rule": pl.String,
    "severity": pl.String,
    "line": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "message": pl.String,
}


def empty_findings() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDING_COLUMNS)


@dataclass(frozen=True)
class ValidationReport:
    """Findings for one extract, and the count that must always hold:
    ``input_rows == used_rows + excluded_rows``."""

    source: str
    input_rows: int
    used_rows: int
    findings: pl.DataFrame
    excluded_by_rule: dict[str, int]  # each excluded row under its first (most basic) reason
    columns: dict[str, str] = field(default_factory=dict)  # header in file -> canonical name
    blank_lines: int = 0  # empty lines in the file: not records, so not rows
    ignored_columns: tuple[str, ...] = ()
    extract_date: dt.date | None = None  # the date end and start dates were checked against

    @property
    def excluded_rows(self) -> int:
        return self.input_rows - self.used_rows

    def counts_by_rule(self) -> dict[str, int]:
        """Number of findings per rule, in rule order."""
        counts = self.findings.group_by("rule").len()
        pairs = dict(zip(counts["rule"].to_list(), counts["len"].to_list(), strict=True))
        return {code: pairs[code] for code in sorted(pairs, key=RULE_ORDER.__getitem__)}

    def count_at(self, severity: str) -> int:
        return int((self.findings["severity"] == severity).sum())

    def kept_with_errors(self) -> dict[str, int]:
        """Findings at error level whose rows were kept (overlaps)."""
        return {
            code: n
            for code, n in self.counts_by_rule().items()
            if RULES[code].severity == "error" and not RULES[code].excludes
        }

    def summary(self) -> str:
        """One line for stderr: '3 of 1,204 rows excluded (8925 x2, 8840 x1); ...'."""
        parts = []
        if self.excluded_rows:
            why = ", ".join(f"{code} x{n}" for code, n in self.excluded_by_rule.items())
            parts.append(f"{self.excluded_rows:,} of {self.input_rows:,} rows excluded ({why})")
        else:
            parts.append(f"all {self.input_rows:,} row{'' if self.input_rows == 1 else 's'} used")
        kept = self.kept_with_errors()
        if kept:
            parts.append(
                "kept but flagged: " + ", ".join(f"{code} x{n}" for code, n in kept.items())
            )
        warnings = {
            code: n
            for code, n in self.counts_by_rule().items()
            if RULES[code].severity == "warning" and not RULES[code].excludes
        }
        if warnings:
            parts.append("warnings: " + ", ".join(f"{code} x{n}" for code, n in warnings.items()))
        if self.blank_lines:
            parts.append(f"{self.blank_lines} empty line(s) skipped")
        return "; ".join(parts)
