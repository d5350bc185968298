"""The report as Markdown (CommonMark with GitHub's pipe tables), for pasting into other tools.

The same outline as the Word paper; each measure's chart is a PNG file in a folder beside the
text (report.md -> report_files/open_rate.png), linked relatively with its text alternative.
The output depends only on the report: the same report gives the same bytes.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from cpmetrics.errors import UsageError
from cpmetrics.report.model import Report
from cpmetrics.report.outline import Bullets, Chart, Grid, Heading, Para, outline


def charts_folder(path: Path) -> Path:
    """Where the charts of the report at ``path`` go: report.md -> report_files."""
    return path.with_name(f"{path.stem}_files")


def write_markdown(report: Report, path: Path) -> None:
    """Write the report to ``path`` as Markdown, its charts as PNG files beside it."""
    from cpmetrics.report.charts import trend_chart

    folder = charts_folder(path)
    lines: list[str] = []
    images: dict[Path, bytes] = {}
    for block in outline(report):
        if isinstance(block, Heading):
            lines.append(f"{'#' * (block.level + 1)} {escape(block.text)}")
        elif isinstance(block, Para):
            lead = f"**{escape(block.lead.strip())}** " if block.lead else ""
            lines.append(lead + escape(block.text))
        elif isinstance(block, Bullets):
            lines.append("\n".join(f"- {escape(item)}" for item in block.items))
        elif isinstance(block, Grid):
            lines.append(pipe_table(block))
        elif isinstance(block, Chart):
            file = folder / f"{block.name}.png"
            images[file] = trend_chart(block.measure, fmt="png")
            link = quote(f"{folder.name}/{file.name}")
            lines.append(f"![{escape(block.alt)}]({link})")
    text = "\n\n".join(lines) + "\n"
    try:
        if images:
            folder.mkdir(exist_ok=True)
        for file, png in images.items():
            file.write_bytes(png)
        path.write_text(text, encoding="utf-8", newline="\n")
    except OSError as exc:
        name = exc.filename or path
        raise UsageError(f"{name}: cannot write ({exc.strerror or exc})") from None


def pipe_table(grid: Grid) -> str:
    """A pipe table: figures right-aligned, ratings ('Red') centred."""
    rule = [
        ":---:" if c in grid.rag_columns else "---:" if grid.numeric[c] else "---"
        for c in range(len(grid.header))
    ]
    return "\n".join(
        "| " + " | ".join(cells) + " |"
        for cells in [
            [escape_cell(h) for h in grid.header],
            rule,
            *([escape_cell(t) for t in row] for row in grid.rows),
        ]
    )


# Characters that are Markdown anywhere in a line (emphasis, links, code, HTML, table cells,
# strikethrough, headings' closing #s); a backslash makes each literal.
_INLINE = re.compile(r"([\\`*_\[\]<>|~#])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")  # '&amp;' would become '&'
# What makes a line a block when it starts it: a list item ('- ', '+ ', '12. ', '3) ') or a
# rule ('---'). Not '25.7%' or '-0.4'.
_LINE_START = re.compile(r"^(?:[-+](?=\s|$|-)|[0-9]{1,9}(?=[.)](?:\s|$)))")


def escape_cell(text: str) -> str:
    """Text shown as itself in a table cell: one line, Markdown characters escaped."""
    flat = " ".join(text.split())
    return _ENTITY.sub(r"\\&", _INLINE.sub(r"\\\1", flat))


def escape(text: str) -> str:
    """Text shown as itself in a paragraph, heading or list item: also what would make it a
    list or heading if it started the line ('1. ', '- ')."""
    escaped = escape_cell(text)
    match = _LINE_START.match(escaped)
    if match is None:
        return escaped
    if escaped[0].isdigit():  # '2018. A year' -> '2018\. A year'
        return escaped[: match.end()] + "\\" + escaped[match.end() :]
    return "\\" + escaped
