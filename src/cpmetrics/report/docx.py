"""The committee paper as a Word document (.docx), from the report's outline.

Built-in styles only (Title, Heading 1/2, Table Grid, List Bullet), so an analyst can paste
the paper into the council's own template and it takes the template's look. The summary table
is a real Word table: on the portrait page when every month fits, else on a landscape page of
its own; when even that is too narrow, each figure's counts go on a second line of its cell
and the table keeps the latest months that fit (the charts show them all).

python-docx is imported inside the functions: `compute` never pays for it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cpmetrics.errors import UsageError
from cpmetrics.report.model import Report
from cpmetrics.report.outline import Block, Bullets, Chart, Grid, Heading, Para, outline
from cpmetrics.report.text import rag_text, split_figure

if TYPE_CHECKING:
    from docx.document import Document
    from docx.section import Section
    from docx.table import Table, _Cell

CHART_WIDTH_IN = 6.5  # the chart contract's default width: drawn at the size it is shown
PAGE_CM = (21.0, 29.7)  # A4
MARGIN_CM = 1.8  # portrait: the 6.5-inch charts fit between the margins
WIDE_MARGIN_CM = 1.27  # landscape, for the summary table: Word's 'Narrow' margins
TABLE_PT = 8  # the summary table; other tables 9 pt
LABEL_CM = 3.8  # the measure's name wraps within this
PAD_CM = 0.1  # each side of a cell (Word's default is 0.19)
MIN_MONTHS = 6
KEEP_ROWS = 20  # a table of up to this many rows is kept on one page
# RAG: the rating's word ('Red') on a fill with a text colour dark enough to read on it (Excel's
# good, neutral and bad styles), so the rating never rests on colour alone.
RAG_FILL = {
    rag_text("R"): ("FFC7CE", "9C0006"),
    rag_text("A"): ("FFEB9C", "9C5700"),
    rag_text("G"): ("C6EFCE", "006100"),
}
HEADER_FILL = "E7E6E6"


def write_docx(report: Report, path: Path) -> None:
    """Write the report to ``path`` as a Word document."""
    import docx
    from docx.shared import Inches

    from cpmetrics.report.charts import trend_chart

    document = docx.Document()
    _page(document.sections[0], landscape=False)
    _properties(document, report)
    heading: Heading | None = None  # the summary table's, written with it
    for block, following in _pairs(outline(report)):
        if isinstance(block, Heading) and isinstance(following, Grid) and following.month_columns:
            heading = block  # the table may need a page of its own, and its heading with it
        elif isinstance(block, Heading):
            document.add_heading(block.text, block.level)
        elif isinstance(block, Para):
            paragraph = document.add_paragraph()
            if block.lead:
                paragraph.add_run(block.lead).bold = True
            paragraph.add_run(block.text)
            # A measure's figures stay on the page with its chart, a table's words with it.
            keep = bool(block.lead) or isinstance(following, Grid)
            paragraph.paragraph_format.keep_with_next = keep
        elif isinstance(block, Bullets):
            for item in block.items:
                document.add_paragraph(item, style="List Bullet")
        elif isinstance(block, Grid) and block.month_columns:
            _summary(document, block, heading)
        elif isinstance(block, Grid):
            _table(document, block, point_size=9)
        elif isinstance(block, Chart):
            png = trend_chart(block.measure, fmt="png")
            picture = document.add_picture(io.BytesIO(png), width=Inches(CHART_WIDTH_IN))
            picture._inline.docPr.set("descr", block.alt)  # the image's text alternative
    try:
        document.save(str(path))
    except OSError as exc:
        raise UsageError(f"{path}: cannot write ({exc.strerror or exc})") from None


def _pairs(blocks: list[Block]) -> Iterator[tuple[Block, Block | None]]:
    """Each block with the one after it."""
    return zip(blocks, [*blocks[1:], None], strict=True)


def _page(section: Section, *, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    short, long = PAGE_CM
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width = Cm(long if landscape else short)
    section.page_height = Cm(short if landscape else long)
    margin = Cm(WIDE_MARGIN_CM if landscape else MARGIN_CM)
    section.left_margin = section.right_margin = margin
    section.top_margin = section.bottom_margin = margin


def _text_width(landscape: bool) -> float:
    if landscape:
        return PAGE_CM[1] - 2 * WIDE_MARGIN_CM
    return PAGE_CM[0] - 2 * MARGIN_CM


def _properties(document: Document, report: Report) -> None:
    """The file's own title and dates: the report's, not today's (the same report, the same
    properties)."""
    props = document.core_properties
    props.title = report.title
    props.subject = ", ".join(filter(None, [report.area, report.month]))
    props.author = props.last_modified_by = "cpmetrics"
    props.comments = ""
    made = dt.datetime.combine(report.generated, dt.time(), tzinfo=dt.UTC)
    props.created = props.modified = made
    props.revision = 1


@dataclass(frozen=True)
class _Layout:
    columns: tuple[int, ...]  # the grid's columns shown, in order
    widths: tuple[float, ...]  # cm, one per shown column
    landscape: bool
    two_lines: bool  # each figure's counts on a second line of its cell
    months_dropped: int


def summary_layout(grid: Grid) -> _Layout:
    """The widest layout that shows every month: portrait, then landscape, with each figure
    on one line ('3.4% (24 of 706)'). When even landscape is too narrow, the counts go on a
    second line of the cell ('3.4%' over '(24 of 706)'), which about halves the columns'
    width, and the table keeps the latest months that fit (at least six)."""
    months = list(grid.month_columns)
    others = [c for c in range(len(grid.header)) if c not in grid.month_columns]

    def shown(n: int) -> tuple[int, ...]:
        kept = set(months[len(months) - n :])
        return tuple(c for c in range(len(grid.header)) if c in kept or c in others)

    def layout(n: int, landscape: bool, two_lines: bool) -> _Layout:
        columns = shown(n)
        widths = tuple(
            LABEL_CM if c == 0 else _column_width(grid, c, two_lines=two_lines) for c in columns
        )
        return _Layout(columns, widths, landscape, two_lines, len(months) - n)

    def fits(chosen: _Layout) -> bool:
        return sum(chosen.widths) <= _text_width(chosen.landscape)

    for landscape in (False, True):
        chosen = layout(len(months), landscape, two_lines=False)
        if fits(chosen):
            return chosen
    for n in range(len(months), MIN_MONTHS, -1):
        chosen = layout(n, landscape=True, two_lines=True)
        if fits(chosen):
            return chosen
    return layout(min(MIN_MONTHS, len(months)), landscape=True, two_lines=True)


def _column_width(grid: Grid, column: int, *, two_lines: bool = False) -> float:
    """Wide enough for the widest cell (or line of it), and for the header's longest word
    (the header may wrap: 'Oct 2018 RAG'; it is bold)."""
    lines = [
        line for row in grid.rows for line in (_lines(row[column]) if two_lines else (row[column],))
    ]
    cells = [text_width_cm(line, TABLE_PT) for line in lines]
    words = [text_width_cm(w, TABLE_PT) * BOLD for w in grid.header[column].split()]
    return round(max([*cells, *words], default=0.0) + 2 * PAD_CM + 0.05, 2)


def _lines(figure: str) -> tuple[str, ...]:
    """'3.4% (24 of 706)' -> ('3.4%', '(24 of 706)'): the figure over its counts; anything
    else on one line."""
    return tuple(part for part in split_figure(figure) if part) or (figure,)


# Advance widths in ems of Arial (a common council template font), wider than Calibri (the
# default template's), so columns sized by them fit in either. Other characters are taken as
# average letters: enough to size columns, not to typeset.
_EM = {".": 0.278, ",": 0.278, " ": 0.278, "(": 0.333, ")": 0.333, "%": 0.889, "-": 0.333}
BOLD = 1.1


def text_width_cm(text: str, point_size: float) -> float:
    ems = sum(_EM.get(ch, 0.556 if ch.isdigit() else 0.7 if ch.isupper() else 0.5) for ch in text)
    return ems * point_size * 2.54 / 72


def _summary(document: Document, grid: Grid, heading: Heading | None) -> None:
    from docx.enum.section import WD_SECTION

    layout = summary_layout(grid)
    if layout.landscape:
        _page(document.add_section(WD_SECTION.NEW_PAGE), landscape=True)
    if heading is not None:
        document.add_heading(heading.text, heading.level)

    def cell(row: tuple[str, ...], c: int) -> str:
        # (not the measure's name, which may end in '(%)'; python-docx writes '\n' as a break)
        return "\n".join(_lines(row[c])) if layout.two_lines and c > 0 else row[c]

    shown = Grid(
        header=tuple(grid.header[c] for c in layout.columns),
        rows=tuple(tuple(cell(row, c) for c in layout.columns) for row in grid.rows),
        numeric=tuple(grid.numeric[c] for c in layout.columns),
        rag_columns=frozenset(i for i, c in enumerate(layout.columns) if c in grid.rag_columns),
    )
    _table(document, shown, point_size=TABLE_PT, widths=layout.widths)
    if layout.months_dropped:
        total = len(grid.month_columns)
        note = document.add_paragraph()
        note.add_run(
            f"The table shows the latest {total - layout.months_dropped} of {total} months; "
            "each measure's chart shows them all."
        ).italic = True
    if layout.landscape:
        _page(document.add_section(WD_SECTION.NEW_PAGE), landscape=False)


def _table(
    document: Document, grid: Grid, *, point_size: float, widths: Sequence[float] = ()
) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    table = document.add_table(rows=1 + len(grid.rows), cols=len(grid.header))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    if widths:
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)
    _cell_margins(table)
    _repeat_header(table)
    for r, (row, values) in enumerate(zip(table.rows, [grid.header, *grid.rows], strict=True)):
        for c, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            if widths:
                cell.width = Cm(widths[c])
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(text)
            run.font.size = Pt(point_size)
            if r == 0:
                run.bold = True
                _shade(cell, HEADER_FILL)
            elif c in grid.rag_columns and text in RAG_FILL:
                fill, colour = RAG_FILL[text]
                run.bold = True
                run.font.color.rgb = RGBColor.from_string(colour)
                _shade(cell, fill)
            if c in grid.rag_columns:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif grid.numeric[c]:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            # A short table is not split across pages (Word keeps each row with the next).
            if len(grid.rows) <= KEEP_ROWS and r < len(grid.rows):
                paragraph.paragraph_format.keep_with_next = True


def _shade(cell: _Cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd", {qn("w:val"): "clear", qn("w:color"): "auto"})
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(table: Table) -> None:
    """The header row again at the top of each page the table runs onto."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    header = OxmlElement("w:tblHeader", {qn("w:val"): "true"})
    table.rows[0]._tr.get_or_add_trPr().append(header)


def _cell_margins(table: Table) -> None:
    """Narrow left and right cell margins, so a year of months has room."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    twips = str(round(PAD_CM / 2.54 * 1440))
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margins.append(OxmlElement(f"w:{side}", {qn("w:w"): twips, qn("w:type"): "dxa"}))
    # Word refuses a file whose table properties are out of the schema's order: tblCellMar
    # goes before tblLook, the last one python-docx writes.
    properties = table._tbl.tblPr
    look = properties.find(qn("w:tblLook"))
    if look is None:
        properties.append(margins)
    else:
        look.addprevious(margins)
