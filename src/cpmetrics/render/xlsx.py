"""Excel workbooks for the table commands: one sheet per table, numbers as numbers.

Each cell is written by its type, never guessed from text: counts as whole numbers (format
``0``), rates and percentages rounded to one decimal place as the CSV has them (format ``0.0``),
dates as dates (``yyyy-mm-dd``), suppressed figures as the text ``c``. Text goes in with
``write_string``, so a value from the extract such as ``=HYPERLINK(...)`` stays text and never
runs as a formula. Every sheet has its header in row 1, frozen, with an autofilter.

XlsxWriter is imported here only: the other commands never load it.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from cpmetrics.errors import UsageError
from cpmetrics.render.values import MARKERS, plain_value, published_row

if TYPE_CHECKING:
    import polars as pl

    from cpmetrics.trend import Trend
    from cpmetrics.validate import ValidationReport

# An Excel sheet holds 1,048,576 rows, the header included.
MAX_ROWS = 1_048_575
# Column widths, in characters: wide enough for a date, never wider than a screenful of text.
_MIN_WIDTH, _MAX_WIDTH = 6, 60
# Characters Excel refuses in a sheet name.
_NOT_IN_NAMES = str.maketrans({c: "-" for c in "[]:*?/\\"})
# Marks a workbook as cpmetrics' own output (a document custom property), so that a folder of
# extracts with last month's figures written beside them never reads them as an extract.
OWN_PROPERTY = "cpmetrics"
RAG_COLOURS = {  # fill, font: as the terminal table shows them
    "R": ("#C00000", "#FFFFFF"),
    "A": ("#FFC000", "#000000"),
    "G": ("#00B050", "#FFFFFF"),
}
RAG_COLUMNS = ("rag", "ytd_rag")
MARK = "c"  # cpmetrics.suppress.MARK (not imported from there: that module loads polars)


@dataclass(frozen=True)
class Sheet:
    """One table: a header row, then one row per dict (keys the columns; a missing key is an
    empty cell). ``unit`` rows carry their measure's unit, which rounds their floats."""

    name: str
    columns: tuple[str, ...]
    rows: Sequence[Mapping[str, Any]]
    freeze_columns: int = 0  # columns kept in view beside the frozen header
    widths: Mapping[str, int] = field(default_factory=dict)  # caps for long text columns


def table_sheet(name: str, table: pl.DataFrame, *, freeze_columns: int = 0) -> Sheet:
    """A long result, a breakdown or a list of records, as the CSV has its columns; in
    publication mode the hidden figures are 'c'."""
    columns = tuple(c for c in table.columns if c not in MARKERS)
    rows = [published_row(r) for r in table.iter_rows(named=True)]
    return Sheet(name, columns, rows, freeze_columns)


def trend_sheets(trend: Trend) -> list[Sheet]:
    """A trend: the monthly performance table as ``--wide`` has it (measures as rows, periods
    as columns, YTD, target and RAG), which is what goes in a paper; then the long data (the
    change from the previous period, each period's RAG and the comparators), which is what
    a pivot table or a chart wants."""
    import polars as pl

    from cpmetrics.suppress import SUPPRESSED
    from cpmetrics.trend import wide

    table = trend.table
    hidden: set[tuple[str, str]] = set()
    if SUPPRESSED in table.columns:
        flagged = table.filter(pl.col(SUPPRESSED))
        hidden = {
            (measure, "ytd" if kind == "ytd" else period)
            for measure, period, kind in flagged.select("measure", "period", "period_type").rows()
        }
        # The numbers, to lay out as --wide does; the hidden ones are put back as 'c' below.
        table = table.drop(*(c for c in MARKERS if c in table.columns))
    layout = wide(replace(trend, table=table))
    last = trend.periods[-1].label
    rows = []
    for row in layout.iter_rows(named=True):
        measure = row["measure"]
        for column in row:
            if (measure, column) in hidden and row[column] is not None:
                row[column] = MARK
        # The rating beside a hidden figure would say which side of the target it is.
        if (measure, last) in hidden and row.get("rag") is not None:
            row["rag"] = MARK
        if (measure, "ytd") in hidden and row.get("ytd_rag") is not None:
            row["ytd_rag"] = MARK
        rows.append(row)
    return [
        Sheet("Trend", tuple(layout.columns), rows, freeze_columns=2, widths={"label": 45}),
        table_sheet("Data", trend.table, freeze_columns=1),
    ]


def findings_sheets(findings: pl.DataFrame, report: ValidationReport) -> list[Sheet]:
    """validate: every finding, then the count by rule (as the terminal table has it)."""
    from cpmetrics.validate import RULES

    by_rule = [
        {
            "rule": code,
            "severity": RULES[code].severity,
            "rows_excluded": report.excluded_by_rule.get(code, 0) if RULES[code].excludes else None,
            "findings": n,
            "what_it_means": RULES[code].title,
        }
        for code, n in report.counts_by_rule().items()
    ]
    columns = ("rule", "severity", "rows_excluded", "findings", "what_it_means")
    return [table_sheet("Findings", findings), Sheet("Rules", columns, by_rule)]


def workbook_bytes(sheets: Iterable[Sheet], *, title: str = "") -> bytes:
    """The .xlsx file, in memory (so a failure half way leaves no half-written file)."""
    sheets = list(sheets)
    for sheet in sheets:
        if len(sheet.rows) > MAX_ROWS:
            raise UsageError(
                f"{len(sheet.rows):,} rows do not fit on an Excel sheet ({MAX_ROWS:,} at "
                "most): write CSV (--format csv) instead"
            )
    buffer = io.BytesIO()
    book = new_workbook(buffer, title=title)
    styles = Styles(book)
    names: set[str] = set()
    for sheet in sheets:
        write_sheet(book, styles, sheet, sheet_name(sheet.name, names), title=title)
    book.close()
    return buffer.getvalue()


def new_workbook(target: Any, *, title: str, kind: str = "table") -> Any:
    """A workbook that never turns text into formulas, numbers or links."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        target,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": True,
            "default_date_format": "yyyy-mm-dd",
        },
    )
    book.set_properties({"title": title, "author": "cpmetrics", "comments": "Made by cpmetrics"})
    book.set_custom_property(OWN_PROPERTY, kind)
    return book


class Styles:
    """The number formats and styles, made once per workbook (Excel keeps a table of them)."""

    def __init__(self, book: Any) -> None:
        self.count = book.add_format({"num_format": "0"})
        self.decimal = book.add_format({"num_format": "0.0"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.month = book.add_format({"num_format": "mmm yyyy", "align": "left"})
        self.text = book.add_format({})
        self.mark = book.add_format({"align": "right"})  # 'c' where a number would be
        self.rating = book.add_format({"align": "center", "bold": True})
        self.header = book.add_format({"bold": True, "bottom": 1, "valign": "top"})
        self.header_right = book.add_format(
            {"bold": True, "bottom": 1, "valign": "top", "align": "right", "text_wrap": True}
        )
        self.header_month = book.add_format(
            {"bold": True, "bottom": 1, "num_format": "mmm yy", "align": "right"}
        )
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.heading = book.add_format({"bold": True, "font_size": 12})
        self.bold = book.add_format({"bold": True})
        self.rag = {
            rating: book.add_format({"bg_color": fill, "font_color": font, "bold": True})
            for rating, (fill, font) in RAG_COLOURS.items()
        }


def sheet_name(wanted: str, taken: set[str]) -> str:
    """A name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook; a
    long title cut at a word, with an ellipsis."""
    base = wanted.translate(_NOT_IN_NAMES).strip("'") or "Sheet"
    name, n = _cut(base, 31), 1
    while name.lower() in taken:
        n += 1
        suffix = f" ({n})"
        name = _cut(base, 31 - len(suffix)) + suffix
    taken.add(name.lower())
    return name


def _cut(text: str, length: int) -> str:
    if len(text) <= length:
        return text
    head = text[: length - 1]
    space = head.rfind(" ")
    return (head[:space] if space > length // 2 else head).rstrip(" ,;-") + "…"


def write_sheet(
    book: Any,
    styles: Styles,
    sheet: Sheet,
    name: str,
    *,
    title: str = "",
    above: Sequence[str] = (),
) -> Any:
    """The table from cell A1 down (or below the lines ``above``, the first as a title, and a
    blank row): header, rows, widths, frozen header, filter, print setup."""
    ws = book.add_worksheet(name)
    for r, line in enumerate(above):
        ws.write_string(r, 0, line, styles.title if r == 0 else styles.text)
    top = len(above) + 1 if above else 0
    widths = [len(c) for c in sheet.columns]
    for col, heading in enumerate(sheet.columns):
        ws.write_string(top, col, heading, styles.header)
    for r, row in enumerate(sheet.rows, start=top + 1):
        unit = str(row.get("unit") or "")
        for col, column in enumerate(sheet.columns):
            shown = write_cell(ws, r, col, row.get(column), unit, styles)
            widths[col] = max(widths[col], shown)
    last_row = top + len(sheet.rows)
    for col, column in enumerate(sheet.columns):
        cap = sheet.widths.get(column, _MAX_WIDTH)
        ws.set_column(col, col, min(cap, max(_MIN_WIDTH, widths[col])) + 2)
    if sheet.columns:
        ws.freeze_panes(top + 1, sheet.freeze_columns)
        ws.autofilter(top, 0, last_row, len(sheet.columns) - 1)
        colour_ratings(ws, styles, sheet.columns, top + 1, last_row)
    print_setup(ws, title, header_rows=(top, top))
    return ws


def colour_ratings(
    ws: Any,
    styles: Styles,
    columns: Sequence[str],
    first: int,
    last: int,
    *,
    names: Sequence[str] = RAG_COLUMNS,
) -> None:
    """RAG cells keep their letter (colour is never the only sign) and gain its colour, as a
    conditional format, so it follows the cell if the analyst edits it."""
    for col, column in enumerate(columns):
        if column in names and last >= first:
            for rating, style in styles.rag.items():
                ws.conditional_format(
                    first,
                    col,
                    last,
                    col,
                    {"type": "cell", "criteria": "==", "value": f'"{rating}"', "format": style},
                )


def print_setup(ws: Any, title: str, *, header_rows: tuple[int, int] | None) -> None:
    """On paper: A4 landscape, one page wide, the header repeated, the title at the top."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    if header_rows is not None:
        ws.repeat_rows(*header_rows)
    if title:
        ws.set_header("&L" + title.replace("&", "&&"))
    ws.set_footer("&RPage &P of &N")


def write_cell(ws: Any, row: int, col: int, value: Any, unit: str, styles: Styles) -> int:
    """One cell by the value's type; the width of what it shows, in characters."""
    if value is None:
        return 0
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
        return 5
    if isinstance(value, float):
        if not math.isfinite(value):
            ws.write_string(row, col, str(value))
            return len(str(value))
        value = plain_value(value, unit)
    if isinstance(value, int):
        ws.write_number(row, col, value, styles.count)
        return len(str(value))
    if isinstance(value, float):
        ws.write_number(row, col, value, styles.decimal)
        return len(f"{value:.1f}")
    if isinstance(value, dt.datetime):
        ws.write_datetime(row, col, value, styles.datetime)
        return 16
    if isinstance(value, dt.date) and value.year >= 1900:  # Excel has no earlier dates
        ws.write_datetime(row, col, value, styles.date)
        return 10
    text = str(value)
    # The suppression mark stands where a number would, so it sits where the number would.
    ws.write_string(row, col, text, styles.mark if text == MARK else None)
    return max((len(line) for line in text.splitlines()), default=0)
