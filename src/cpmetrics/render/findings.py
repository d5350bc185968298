"""Validation findings as a table for people."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cpmetrics.validate import RULES, ValidationReport


def write_findings_table(report: ValidationReport, stream: TextIO, *, limit: int) -> None:
    console = Console(file=stream, width=max(100, Console(file=stream).width), highlight=False)
    counts = Table(title=f"{escape(report.source)}: findings by rule", title_justify="left")
    for name in ("Rule", "Severity", "Rows excluded", "Findings", "What it means"):
        counts.add_column(
            name, justify="right" if name in ("Rows excluded", "Findings") else "left"
        )
    for code, n in report.counts_by_rule().items():
        rule = RULES[code]
        counts.add_row(
            code,
            rule.severity,
            str(report.excluded_by_rule.get(code, 0)) if rule.excludes else "-",
            f"{n:,}",
            rule.title,
        )
    shown = report.findings if limit == 0 else report.findings.head(limit)
    if shown.is_empty():
        console.print(f"{escape(report.source)}: no findings.")
        return
    console.print(counts)
    detail = Table(title="Findings", title_justify="left")
    several = len(report.sources) > 1
    for name in ("File", "Line", "Column", "Rule", "Value", "Message")[0 if several else 1 :]:
        detail.add_column(name)
    shown = shown.with_columns(report.file_names().alias("_name"))
    for row in shown.iter_rows(named=True):
        detail.add_row(
            *([escape(row["_name"])] if several else []),
            str(row["line"]),
            row["column"] or "",
            row["rule"],
            escape(row["value"] or ""),
            escape(row["message"]),
        )
    console.print(detail)
    if shown.height < report.findings.height:
        console.print(
            f"... {report.findings.height - shown.height:,} more; use --limit 0 or --format csv"
        )
