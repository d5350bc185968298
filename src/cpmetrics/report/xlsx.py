"""The monthly report as an Excel workbook, for the analyst who restyles it or takes figures
from it: every figure a number in a cell, every chart a native Excel chart on those cells.

Sheets, in order:
- Summary: measures as rows, months as columns, the year to date, target and RAG (as
  Haringey lays it out), the report month's and the YTD's numerator and denominator, the
  comparators; then the opening sentences and the watchlist and overdue counts.
- Measures: per measure its report-month figures, its sentences, its comparators and a line
  chart of its months with the target (and comparators) as further series.
- one sheet per breakdown and per list (Report.breakdowns, Report.lists).
- Data quality: files, rows read and used, exclusions by reason, population, notes.
- Data: every measure by month (value, numerator, denominator, target), numbers as numbers.
- Chart data: what the charts plot, with a suppressed or undefined figure left blank: Excel
  plots a text cell such as 'c' as 0, so the charts cannot read the Data sheet.

Suppressed figures are the text 'c' wherever a figure would be, and a gap in a chart; the
model already holds no number for them (model.py), and a rating beside one, or a standalone
count of 1 to 5 in publication mode, is written as 'c' here too (report.text's rules, as in
every format). Figures are numbers in cells, formatted by Excel; what is written as text (the
subtitle, the headings) is written by report.text. Ratings are letters (R, A, G), as compute
and trend give them, coloured by a conditional format.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cpmetrics.errors import UsageError
from cpmetrics.render.values import MARKERS, plain_value, published_row
from cpmetrics.render.xlsx import (
    MARK,
    Sheet,
    Styles,
    colour_ratings,
    new_workbook,
    print_setup,
    sheet_name,
    write_cell,
    write_sheet,
)
from cpmetrics.report.model import MeasureReport, Point, Report
from cpmetrics.report.model import Table as ReportTable
from cpmetrics.report.text import day_text, month_text, short_month_text, shown_rag, withheld

_CHART_ROWS = 16  # rows a chart takes (20 pixels each at Excel's default height)
_CHART_SIZE = {"width": 720, "height": 300}
_CHART_COLOURS = ("#1F4E79", "#7F7F7F", "#C55A11", "#548235", "#7030A0")  # value, target, ...


def write_xlsx(report: Report, path: Path) -> None:
    """Write ``report`` to ``path`` as an .xlsx workbook (built in memory, then written, so a
    failure leaves no half-written file)."""
    import io

    buffer = io.BytesIO()
    book = new_workbook(buffer, title=report.title, kind="report")
    styles = Styles(book)
    names: set[str] = set()
    # The charts refer to the chart data by sheet name and row; the sheet itself goes last.
    chart_sheet = sheet_name("Chart data", names)
    chart_rows, refs = _chart_data(report)
    _summary(report, book.add_worksheet(sheet_name("Summary", names)), styles)
    measures = book.add_worksheet(sheet_name("Measures", names))
    _measures(report, measures, book, styles, chart_sheet, refs)
    for table in (*report.breakdowns, *report.lists):
        _table(report, table, book, styles, sheet_name(table.title, names))
    if report.quality is not None:
        _quality(report, book.add_worksheet(sheet_name("Data quality", names)), styles)
    data = _data_sheet(report)
    write_sheet(book, styles, data, sheet_name("Data", names), title=report.title)
    _write_chart_data(report, chart_rows, book.add_worksheet(chart_sheet), styles)
    book.close()
    try:
        path.write_bytes(buffer.getvalue())
    except OSError as exc:
        raise UsageError(f"{path}: cannot write ({exc.strerror or exc})") from None


# --- what a cell shows --------------------------------------------------------------------


def _value(point: Point | None, unit: str) -> Any:
    """A point's value: a number, 'c' when suppressed, None when undefined or absent."""
    if point is None:
        return None
    if point.suppressed:
        return MARK
    return None if point.value is None else plain_value(point.value, unit)


def _count(point: Point | None, which: str, measure: MeasureReport) -> Any:
    """A numerator or denominator; a count has no denominator, so none to hide."""
    if point is None or (which == "denominator" and measure.is_count):
        return None
    if point.suppressed:
        return MARK
    value: int | None = getattr(point, which)
    return value


def _rating(rating: str | None, point: Point | None) -> str | None:
    """The rating's letter; 'c' beside a hidden figure (it would tell which side of the
    target the figure is); no rating, an empty cell."""
    return shown_rag(rating, point) or None


def _published_count(report: Report, n: int | None) -> int | str | None:
    """A standalone count (the watchlist, overdue reviews) as a paper may show it."""
    return MARK if withheld(n, report.suppressed) else n


def _months(report: Report) -> list[dt.date]:
    """Every month any measure has, in order (normally the same for all)."""
    return sorted({p.period_start for m in report.measures for p in m.months})


def _comparator_names(report: Report) -> list[str]:
    return list(dict.fromkeys(c.name for m in report.measures for c in m.comparators))


def _subtitle(report: Report) -> str:
    parts = [report.area] if report.area else []
    parts.append(f"Report month {month_text(report.month_start)}")
    parts.append(f"made {day_text(report.generated)}")
    if report.suppressed:
        parts.append("published figures: counts of 1 to 5, and figures made from them, are c")
    return "; ".join(parts)


# --- Summary ------------------------------------------------------------------------------


def _summary(report: Report, ws: Any, styles: Styles) -> None:
    ws.write_string(0, 0, report.title, styles.title)
    ws.write_string(1, 0, _subtitle(report), styles.text)
    months = _months(report)
    compare = _comparator_names(report)
    top = 3
    headings: list[Any] = ["Measure", "Unit", *months, "Year to date", "Target", "RAG"]
    month = short_month_text(report.month_start)
    headings += ["YTD RAG", f"{month} numerator"]
    headings += [f"{month} denominator", "YTD numerator", "YTD denominator"]
    headings += [*compare, "Comparator year"] if compare else []
    _headings(ws, top, headings, styles, text_columns=2)
    ws.set_row(top, 30)  # two lines: 'Oct 2018' over 'numerator'
    first_month, after_months = 2, 2 + len(months)
    for r, measure in enumerate(report.measures, start=top + 1):
        unit = measure.unit
        by_month = {p.period_start: p for p in measure.months}
        latest = measure.months[-1] if measure.months else None
        cells: list[Any] = [measure.label, unit]
        cells += [_value(by_month.get(month), unit) for month in months]
        cells += [_value(measure.ytd, unit), _target(measure)]
        cells += [_rating(measure.rag, latest), _rating(measure.ytd_rag, measure.ytd)]
        cells += [_count(latest, "numerator", measure), _count(latest, "denominator", measure)]
        cells += [
            _count(measure.ytd, "numerator", measure),
            _count(measure.ytd, "denominator", measure),
        ]
        if compare:
            given = {c.name: c for c in measure.comparators}
            cells += [
                None if given.get(n) is None else _plain(given[n].value, unit) for n in compare
            ]
            cells.append(", ".join(dict.fromkeys(c.year for c in measure.comparators)) or None)
        _cells(ws, r, headings, cells, unit, styles)
    last = top + len(report.measures)
    colour_ratings(ws, styles, headings, top + 1, last, names=_RATINGS)
    ws.set_column(0, 0, max((len(m.label) for m in report.measures), default=20) + 2)
    ws.set_column(1, 1, 11)
    ws.set_column(first_month, after_months - 1, 8)
    ws.set_column(after_months, len(headings) - 1, 11)
    ws.freeze_panes(top + 1, 1)
    row = last + 2
    for sentence in report.summary:
        ws.write_string(row, 0, sentence)
        row += 1
    for label, n in _list_counts(report):
        ws.write_string(row + 1, 0, label, styles.bold)
        write_cell(ws, row + 1, 1, _published_count(report, n), "children", styles)
        row += 1
    print_setup(ws, report.title, header_rows=(top, top))


_RATINGS = ("RAG", "YTD RAG")


def _headings(
    ws: Any, row: int, headings: Sequence[Any], styles: Styles, *, text_columns: int
) -> None:
    """A header row: over text left, over numbers right (as the figures sit), months as dates."""
    for col, heading in enumerate(headings):
        if isinstance(heading, dt.date):
            ws.write_datetime(row, col, heading, styles.header_month)
        else:
            style = styles.header if col < text_columns else styles.header_right
            ws.write_string(row, col, heading, style)


def _cells(
    ws: Any,
    row: int,
    headings: Sequence[Any],
    cells: Sequence[Any],
    unit: str,
    styles: Styles,
    *,
    start: int = 0,
) -> None:
    """A row of figures from column ``start``; ratings centred, as letters."""
    for col, (heading, value) in enumerate(zip(headings, cells, strict=True), start=start):
        if heading in _RATINGS and value is not None:
            ws.write_string(row, col, value, styles.rating)
        else:
            write_cell(ws, row, col, value, unit, styles)


def _target(measure: MeasureReport) -> Any:
    return _plain(measure.target, measure.unit)


def _plain(value: float | None, unit: str) -> Any:
    return None if value is None else plain_value(value, unit)


def _list_counts(report: Report) -> list[tuple[str, int | None]]:
    """The lists for managers, where the extract has the records for them."""
    counts = [
        ("Children on the watchlist", report.watchlist_children),
        ("Families on the watchlist", report.watchlist_families),
        ("Reviews overdue", report.overdue_reviews),
        ("Visits overdue", report.overdue_visits),
    ]
    return [(label, n) for label, n in counts if n is not None]


# --- Measures: figures, sentences and a chart each ----------------------------------------


def _measures(
    report: Report, ws: Any, book: Any, styles: Styles, sheet: str, refs: dict[str, ChartRef]
) -> None:
    ws.write_string(0, 0, report.title, styles.title)
    ws.write_string(1, 0, _subtitle(report), styles.text)
    families = any(m.families is not None for m in report.measures)
    headings = ["Month", "Value", "Numerator", "Denominator", "Target", "RAG"]
    headings += ["Year to date", "YTD numerator", "YTD denominator", "YTD RAG"]
    headings += ["Families"] if families else []
    row = 3
    breaks = []
    for n, measure in enumerate(report.measures):
        if n:
            breaks.append(row)  # on paper, a page a measure
        unit = measure.unit
        ws.write_string(row, 0, measure.label, styles.heading)
        if not measure.months:  # nothing to show but its name
            row += 3
            continue
        _headings(ws, row + 1, headings, styles, text_columns=1)
        latest = measure.latest
        cells: list[Any] = [latest.period_start, _value(latest, unit)]
        cells += [
            _count(latest, "numerator", measure),
            _count(latest, "denominator", measure),
            _target(measure),
        ]
        cells += [_rating(measure.rag, latest), _value(measure.ytd, unit)]
        cells += [
            _count(measure.ytd, "numerator", measure),
            _count(measure.ytd, "denominator", measure),
        ]
        cells += [_rating(measure.ytd_rag, measure.ytd)]
        if families:
            cells.append(_published_count(report, measure.families))
        ws.write_datetime(row + 2, 0, cells[0], styles.month)
        _cells(ws, row + 2, headings[1:], cells[1:], unit, styles, start=1)
        colour_ratings(ws, styles, headings, row + 2, row + 2, names=_RATINGS)
        row += 4
        # Sentences run on across the empty cells to their right (not wrapped: a wrapped
        # row grows when Excel opens the file, and would stretch the chart below it).
        for sentence in measure.sentences:
            ws.write_string(row, 0, sentence)
            row += 1
        if measure.comparators:
            row += 1
            for col, heading in enumerate(("Comparator", "Year", "Value")):
                ws.write_string(row, col, heading, styles.header)
            for comparator in measure.comparators:
                row += 1
                ws.write_string(row, 0, comparator.name)
                ws.write_string(row, 1, comparator.year)
                write_cell(ws, row, 2, _plain(comparator.value, unit), unit, styles)
            row += 1
        if measure.measure in refs:
            row += 1
            ws.insert_chart(row, 0, _chart(book, measure, sheet, refs[measure.measure]))
            row += _CHART_ROWS
        row += 2
    ws.set_column(0, 0, 22)
    ws.set_column(1, len(headings) - 1, 15)
    print_setup(ws, report.title, header_rows=None)
    ws.set_h_pagebreaks(breaks)


def _chart(book: Any, measure: MeasureReport, sheet: str, ref: ChartRef) -> Any:
    """A line chart of the months on the Chart data cells; the target and each comparator a
    further (dashed, flat) series, so the analyst can restyle or remove them."""
    chart = book.add_chart({"type": "line"})
    first, last, series = ref
    for n, (name, col) in enumerate(series):
        colour = _CHART_COLOURS[n % len(_CHART_COLOURS)]
        own = n == 0
        chart.add_series(
            {
                "name": name,
                "categories": [sheet, first, 1, last, 1],
                "values": [sheet, first, col, last, col],
                "line": {"color": colour, "width": 2.25}
                if own
                else {"color": colour, "width": 1.5, "dash_type": "dash"},
                "marker": {"type": "circle", "size": 5, "fill": {"color": colour}}
                if own
                else {"type": "none"},
            }
        )
    chart.set_title({"name": measure.label, "name_font": {"size": 11, "bold": True}})
    gridlines = {"visible": True, "line": {"color": "#D9D9D9"}}
    number = "0" if measure.is_count else "0.0"
    chart.set_y_axis({"num_format": number, "min": 0, "major_gridlines": gridlines})
    chart.set_x_axis(
        {
            "date_axis": True,
            "num_format": "mmm yy",
            "base_unit": "months",
            "major_unit": 1,
            "major_unit_type": "months",
        }
    )
    chart.show_blanks_as("gap")  # a suppressed or undefined month: a gap, never 0
    chart.set_legend({"position": "bottom"} if len(series) > 1 else {"none": True})
    chart.set_size(_CHART_SIZE)
    return chart


# --- Chart data ----------------------------------------------------------------------------

# A chart's cells: its first and last row on the Chart data sheet, and its series as
# (name, column), the measure's own first.
ChartRef = tuple[int, int, list[tuple[str, int]]]


def _chart_data(report: Report) -> tuple[list[list[Any]], dict[str, ChartRef]]:
    """Each measure's months in a block of rows (measure, month, value, target, comparators),
    a suppressed or undefined value left blank; and each chart's ranges in them."""
    compare = _comparator_names(report)
    rows: list[list[Any]] = [["measure", "month", "value", "target", *compare]]
    refs: dict[str, ChartRef] = {}
    for measure in report.measures:
        if not measure.months:
            continue
        given = {c.name: c.value for c in measure.comparators}
        first = len(rows)
        for point in measure.months:
            value = None if point.suppressed else point.value
            rows.append(
                [measure.measure, point.period_start, value, measure.target]
                + [given.get(name) for name in compare]
            )
        series = [(measure.label, 2)]
        if measure.target is not None:
            series.append(("Target", 3))
        series += [(n, c) for c, n in enumerate(compare, start=4) if given.get(n) is not None]
        refs[measure.measure] = (first, len(rows) - 1, series)
    return rows, refs


def _write_chart_data(report: Report, rows: list[list[Any]], ws: Any, styles: Styles) -> None:
    units = {m.measure: m.unit for m in report.measures}
    for col, heading in enumerate(rows[0]):
        ws.write_string(0, col, heading, styles.header)
    ws.write_comment(
        0,
        2,
        "Blank where the figure is suppressed (c) or has no denominator: a chart plots a text "
        "cell as 0. The Data sheet has every figure.",
        {"x_scale": 2},
    )
    for r, row in enumerate(rows[1:], start=1):
        for col, value in enumerate(row):
            write_cell(ws, r, col, value, units[row[0]], styles)
    ws.set_column(0, 0, max((len(m) for m in units), default=10) + 2)
    ws.set_column(1, len(rows[0]) - 1, 12)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(rows) - 1, len(rows[0]) - 1)


# --- Data, tables, quality -----------------------------------------------------------------


def _data_sheet(report: Report) -> Sheet:
    columns = (
        *("measure", "label", "unit", "period", "period_start", "period_end"),
        *("value", "numerator", "denominator", "target"),
    )
    rows = []
    for measure in report.measures:
        for point in measure.months:
            rows.append(
                {
                    "measure": measure.measure,
                    "label": measure.label,
                    "unit": measure.unit,
                    "period": point.period,
                    "period_start": point.period_start,
                    "period_end": point.period_end,
                    "value": _value(point, measure.unit),
                    "numerator": _count(point, "numerator", measure),
                    "denominator": _count(point, "denominator", measure),
                    "target": measure.target,
                }
            )
    return Sheet("Data", columns, rows, freeze_columns=1, widths={"label": 45})


def _table(report: Report, table: ReportTable, book: Any, styles: Styles, name: str) -> None:
    """A breakdown or a list: its title and description above it, then the table."""
    frame = table.table
    rows = [published_row(r) for r in frame.iter_rows(named=True)]
    columns = tuple(c for c in frame.columns if c not in MARKERS)
    for column in _figures_as_text(rows, columns):
        for row in rows:
            row[column] = _number(row[column])
    above = [table.title, table.description] if table.description else [table.title]
    write_sheet(book, styles, Sheet(name, columns, rows), name, title=report.title, above=above)


# A figure written as text (report.text's cell_text): a whole number, or one with decimals,
# thousands separated by commas ('1,234.5').
_FIGURE = re.compile(r"-?[0-9]{1,3}(,[0-9]{3})*(\.[0-9]+)?|-?[0-9]+(\.[0-9]+)?")


def _figures_as_text(rows: list[dict[str, Any]], columns: Sequence[str]) -> list[str]:
    """Columns of figures that came as text because one of them is 'c' (a column of a data
    frame has one type): every value a figure or 'c', at least one a figure. A column of
    labels ('1', '2', '5+') has a value that is neither, and stays text."""
    found = []
    for column in columns:
        values = [row[column] for row in rows if row[column] is not None]
        if (
            values
            and all(isinstance(v, str) and (v == MARK or _FIGURE.fullmatch(v)) for v in values)
            and any(v != MARK for v in values)
        ):
            found.append(column)
    return found


def _number(text: str | None) -> int | float | str | None:
    if text is None or text == MARK:
        return text
    plain = text.replace(",", "")
    return float(plain) if "." in plain else int(plain)


def _quality(report: Report, ws: Any, styles: Styles) -> None:
    quality = report.quality
    assert quality is not None
    ws.write_string(0, 0, "Data quality", styles.title)
    facts: list[tuple[str, Any]] = [
        ("Files", ", ".join(quality.files)),
        ("Plan rows read", quality.rows_read),
        ("Plan rows used", quality.rows_used),
        ("Population", quality.population),
        ("Extract date", quality.extract_date),
    ]
    row = 2
    for label, value in facts:
        ws.write_string(row, 0, label, styles.bold)
        write_cell(ws, row, 1, value, "", styles)
        row += 1
    if quality.excluded:
        row += 1
        ws.write_string(row, 0, "Excluded: why", styles.header)
        ws.write_string(row, 1, "Rows", styles.header)
        for reason, n in quality.excluded:
            row += 1
            ws.write_string(row, 0, reason)
            write_cell(ws, row, 1, n, "", styles)
        row += 1
    if quality.notes:
        row += 1
        ws.write_string(row, 0, "Notes", styles.header)
        for note in quality.notes:
            row += 1
            ws.write_string(row, 0, note)
    widest = max([len(label) for label, _ in facts] + [len(r) for r, _ in quality.excluded])
    ws.set_column(0, 0, min(widest, 70) + 2)
    ws.set_column(1, 1, 14)
    print_setup(ws, report.title, header_rows=None)
