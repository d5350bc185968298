"""What validation found: the findings table and the row accounting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from cpmetrics import CONFIG_NAME
from cpmetrics import schema as s
from cpmetrics.validate.rules import RULE_ORDER, RULES

FINDING_COLUMNS = {
    "rule": pl.String,
    "severity": pl.String,
    "line": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "message": pl.String,
}


# Which row of which file (a number and a place in the list of files): not shown, but what
# tells two rows on one line, or in two files, apart.
FINDING_SCHEMA = {"_row": pl.Int64, "_file": pl.Int32, **FINDING_COLUMNS}


def empty_findings() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDING_SCHEMA)


_NAMED_WHEN_FOUND = (
    s.REVIEW_DATES,
    s.START_REASON,
    s.END_REASON,
    s.LATEST_REVIEW,
    s.LATEST_VISIT,
    s.LATEST_SEEN_ALONE,
    s.PLAN_ID,
)


@dataclass(frozen=True)
class LinkedFile:
    """A reviews or visits file: its rows, those used, and those left out by rule."""

    kind: str  # 'reviews' or 'visits'
    source: str
    rows: int
    used: int
    left_out: dict[str, int]  # each row under the rule that left it out
    columns: dict[str, str] = field(default_factory=dict)  # header -> canonical
    flagged: dict[str, int] = field(default_factory=dict)  # rows used, with a warning

    def summary(self) -> str:
        """'visits.csv: 1,204 visits read, 1,180 used, 24 left out (visit-no-plan x20, ...)'."""
        noun = self.kind[:-1]
        left = self.rows - self.used
        why = ", ".join(f"{code} x{n}" for code, n in self.left_out.items())
        warned = ", ".join(f"{code} x{n}" for code, n in self.flagged.items())
        return (
            f"{self.source}: {self.rows:,} {noun} rows read, {self.used:,} used"
            + (f", {left:,} left out ({why})" if left else "")
            + (f"; warnings: {warned}" if warned else "")
        )


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
    extract_date_known: bool = True  # False: nobody said, so it is today's date
    # NULL, N/A, 9999-12-31...: column -> value as written -> how many were read as blank.
    read_as_blank: dict[str, dict[str, int]] = field(default_factory=dict)
    sources: tuple[str, ...] = ()  # the files read, in the order given (findings' _file)
    # (heading, canonical): headings that look like a column their file lacks.
    unrecognised: tuple[tuple[str, str], ...] = ()
    linked: tuple[LinkedFile, ...] = ()  # reviews and visits files, beside the plans

    @property
    def plan_sources(self) -> tuple[str, ...]:
        """The plan files read (``sources`` goes on with the reviews and visits files)."""
        return self.sources[: len(self.sources) - len(self.linked)]

    def file_names(self) -> pl.Expr:
        """Each finding's file, by name."""
        names = dict(enumerate(self.sources or (self.source,)))
        return pl.col("_file").replace_strict(names, default=self.source, return_dtype=pl.String)

    @property
    def excluded_rows(self) -> int:
        return self.input_rows - self.used_rows

    def counts_by_rule(self, *, plans_only: bool = False) -> dict[str, int]:
        """Number of findings per rule, in rule order (``plans_only``: in the plan files, not
        the reviews and visits files beside them)."""
        found = self.findings
        if plans_only and self.linked:
            found = found.filter(pl.col("_file") < len(self.plan_sources))
        counts = found.group_by("rule").len()
        pairs = dict(zip(counts["rule"].to_list(), counts["len"].to_list(), strict=True))
        return {code: pairs[code] for code in sorted(pairs, key=RULE_ORDER.__getitem__)}

    def count_at(self, severity: str) -> int:
        return int((self.findings["severity"] == severity).sum())

    def kept_with_errors(self) -> dict[str, int]:
        """Findings at error level whose rows were kept (overlaps)."""
        return {
            code: n
            for code, n in self.counts_by_rule(plans_only=True).items()
            if RULES[code].severity == "error"
            and not RULES[code].excludes
            and RULES[code].record == "plan"
        }

    def optional_columns(self) -> list[str]:
        """Which optional columns were found (under the file's heading) and which were not;
        and, for headings that look like one of those not found, the line that would map it."""
        found = {canonical: header for header, canonical in self.columns.items()}
        # Always said: the columns the headline measures and breakdowns use. The others (review
        # dates, start and end reasons) are named when found.
        wanted = [c for c in s.OPTIONAL if c not in _NAMED_WHEN_FOUND]
        present = [f"{c} ('{found[c]}')" for c in s.OPTIONAL if c in found]
        absent = [c for c in wanted if c not in found]
        notes = [
            "optional columns found: "
            + (", ".join(present) or "none")
            + (f"; not found: {', '.join(absent)}" if absent else "")
        ]
        if s.PREVIOUS_PLANS not in found:
            notes.append("no previous-plans column: repeats from the extract's own history only")
        notes += [
            f"'{header}' looks like {canonical} but is not recognised; to use it, add to "
            f'{CONFIG_NAME} under [columns]: {canonical} = "{header}"'
            for header, canonical in self.near_misses()
        ]
        return notes

    def near_misses(self) -> list[tuple[str, str]]:
        """(heading, canonical) for unrecognised headings that look like a column their file
        lacks (with several files, a column one file has does not excuse another)."""
        return list(dict.fromkeys(self.unrecognised))

    def describe_read_as_blank(self) -> str:
        """'read as open: end_date 'NULL' x325; read as not recorded: family_id 'NULL' x3,094'."""

        def values(column: str) -> str:
            # Most frequent first, then by value: the same words on every run.
            pairs = sorted(self.read_as_blank[column].items(), key=lambda p: (-p[1], p[0]))
            shown = ", ".join(f"'{v}' x{n:,}" for v, n in pairs[:3])
            return shown + (f" and {len(pairs) - 3} more" if len(pairs) > 3 else "")

        parts = []
        if "end_date" in self.read_as_blank:
            total = sum(self.read_as_blank["end_date"].values())
            noun = "end date" if total == 1 else "end dates"
            parts.append(f"{total:,} {noun} read as open ({values('end_date')})")
        others = [c for c in self.read_as_blank if c != "end_date"]
        if others:
            parts.append("read as blank: " + ", ".join(f"{c} ({values(c)})" for c in others))
        return "; ".join(parts)

    def summary(self) -> str:
        """One line for stderr: '3 of 1,204 rows excluded (8925 x2, 8840 x1); ...'."""
        parts = []
        expected = {c: n for c, n in self.excluded_by_rule.items() if RULES[c].severity == "info"}
        repeated = sum(expected.values())
        if len(self.plan_sources) > 1:
            parts.append(
                f"{len(self.plan_sources)} files, {self.input_rows:,} rows"
                + (f", of which {repeated:,} repeat a plan of a later file" if repeated else "")
            )
        if self.excluded_rows > repeated:
            why = ", ".join(
                f"{code} x{n}" for code, n in self.excluded_by_rule.items() if code not in expected
            )
            parts.append(
                f"{self.excluded_rows - repeated:,} of {self.input_rows:,} rows excluded ({why})"
            )
        elif repeated:
            parts.append(f"all {self.input_rows - repeated:,} plans used")
        else:
            parts.append(f"all {self.input_rows:,} row{'' if self.input_rows == 1 else 's'} used")
        kept = self.kept_with_errors()
        if kept:
            parts.append(
                "kept but flagged: " + ", ".join(f"{code} x{n}" for code, n in kept.items())
            )
        warnings = {
            code: n
            for code, n in self.counts_by_rule(plans_only=True).items()
            if RULES[code].severity == "warning"
            and not RULES[code].excludes
            and RULES[code].record == "plan"
        }
        if warnings:
            parts.append("warnings: " + ", ".join(f"{code} x{n}" for code, n in warnings.items()))
        if self.read_as_blank:
            parts.append(self.describe_read_as_blank())
        if self.blank_lines:
            parts.append(f"{self.blank_lines} empty line(s) skipped")
        parts += [linked.summary() for linked in self.linked]
        return "; ".join(parts)
