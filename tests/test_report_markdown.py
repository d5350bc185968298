"""The Markdown report: read as text, and rendered by a CommonMark parser (markdown-it, which
rich already brings) to check that what a reader sees is what the report holds."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt

from cpmetrics.errors import UsageError
from cpmetrics.report.markdown import escape, write_markdown
from cpmetrics.report.model import Report
from report_fixtures import report, watch_charts

MONTHS = ["Oct 2017", "Nov 2017", "Dec 2017"] + [
    f"{m} 2018" for m in ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct"]
]


@pytest.fixture
def charts(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    return watch_charts(monkeypatch)


def written(tmp_path: Path, paper: Report | None = None, name: str = "report.md") -> str:
    path = tmp_path / name
    write_markdown(paper or report(), path)
    return path.read_text(encoding="utf-8")


class _Cells(HTMLParser):
    """The tables of rendered HTML as lists of rows of cell text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def rendered_tables(markdown: str) -> list[list[list[str]]]:
    parser = _Cells()
    parser.feed(MarkdownIt("commonmark").enable("table").render(markdown))
    return parser.tables


def test_summary_table_has_every_month_and_the_figures(
    tmp_path: Path, charts: dict[str, bytes]
) -> None:
    lines = written(tmp_path).splitlines()
    start = lines.index("## Measures by month") + 2
    header, rule, *rows = lines[start : start + 8]
    assert header == "| Measure | " + " | ".join(MONTHS) + (
        " | YTD | Target | Oct 2018 RAG | YTD RAG |"
    )
    assert rule == "| --- |" + " ---: |" * 15 + " :---: | :---: |"
    assert rows[0] == (
        "| Children on a child protection plan | 302 | 293 | 311 | 319 | 332 | 324 | 321 | 324 "
        "| 345 | 350 | 360 | 343 | 336 | 336 |  |  |  |"
    )
    # 302 x 10,000 / 76,400 = 39.53; 336 x 10,000 / 76,700 = 43.81
    assert rows[1].startswith("| Rate per 10,000 children aged 0-17 | 39.5 | 38.4 |")
    assert rows[1].endswith("| 43.8 | 43.8 |  |  |  |")
    # 2, 4 and 4 children of 302, 293, 311 are suppressed; 6 of 319 is 1.88% -> 1.9%
    assert rows[2].startswith(
        "| On a plan for 2 years or more (% of children on a plan) | c | c | c "
        "| 1.9% (6 of 319) | c | 2.5% (8 of 324) |"
    )
    assert rows[2].endswith("| 3.3% (11 of 336) | 3.3% (11 of 336) | 2.0% | Red | Red |")
    assert rows[3].endswith("| - (0 of 0) | 3.4% (6 of 175) | 4.0% |  | Green |")
    assert rows[4].endswith(
        "| 26.7% (8 of 30) | c | 25.7% (9 of 35) | 21.2% (7 of 33) | c | 25.7% (9 of 35) "
        "| 25.8% (59 of 229) | 22.0% | Red | Red |"
    )
    assert rows[5].endswith("| 6 | 7 | 7 | 8 | 7 | 7 | c |  |  |  |  |")


def test_tables_render_cell_for_cell(tmp_path: Path, charts: dict[str, bytes]) -> None:
    """Parsed back, the cells hold the text as given, '|', '_', '*' and '[' included."""
    summary, duration, teams, reaching, excluded = rendered_tables(written(tmp_path))
    assert summary[0][0] == "Measure" and len(summary) == 7
    assert all(len(row) == 18 for row in summary)
    assert summary[4][13:] == ["- (0 of 0)", "3.4% (6 of 175)", "4.0%", "", "Green"]
    assert duration[1] == ["3 months or less", "79", "23.5"]
    assert teams == [
        ["Team", "Children"],
        ["North | East", "210"],
        ["South_West *duty*", "c"],
        ["[Hospital] team", "c"],
    ]
    assert reaching[1] == ["14 Nov 2018", "7"]
    assert excluded[1] == ["end date before start date", "9"]


def test_headings_figures_and_sentences(tmp_path: Path, charts: dict[str, bytes]) -> None:
    text = written(tmp_path)
    headings = re.findall(r"^(#+) (.*)$", text, flags=re.MULTILINE)
    assert headings[:4] == [
        ("#", "Child protection plans: October 2018"),
        ("##", "Summary"),
        ("##", "Measures by month"),
        ("##", "Measures"),
    ]
    assert ("###", "Plans ended that had lasted 2 years or more (%)") in headings
    assert [h for level, h in headings if level == "##"][-3:] == [
        "Breakdowns",
        "Lists for managers",
        "Data quality",
    ]
    assert "\n\nBrighton & Hove, October 2018\n\n" in text
    assert "\n\n**October 2018:** 3.3% (11 of 336)\n\n" in text
    assert "\n\n**October 2018:** no figure (0 of 0)\n\n" in text
    assert "\n\n**October 2018:** 336 children, in 200 families\n\n" in text
    assert "\n\n**Year to date (1 April to 31 October 2018):** 25.8% (59 of 229)\n\n" in text
    assert (
        "\n\n**Target:** 22.0%; rating for October 2018: Red; for the year to date: Red.\n\n"
        in (text)
    )
    assert "- The rate fell from 44.7 to 43.8 per 10,000 children.\n" in text
    assert "\n- Children on the watchlist: 23, in c families\n- Overdue reviews: c\n" in text
    assert text.endswith("- The rate uses the ONS mid-2017 estimate of children aged 0-17.\n")


def test_charts_are_png_files_beside_it_linked_relatively(
    tmp_path: Path, charts: dict[str, bytes]
) -> None:
    text = written(tmp_path)
    links = re.findall(r"!\[([^\]]*)\]\(([^)]*)\)", text)
    assert len(links) == 6 == len(charts)
    for (alt, link), (measure, png) in zip(links, charts.items(), strict=True):
        assert link == f"report_files/{measure}.png"
        file = tmp_path / unquote(link)
        assert file.read_bytes() == png and png.startswith(b"\x89PNG\r\n\x1a\n")
        assert alt.startswith("Trend chart: ") and "month by month from October 2017" in alt
    assert sorted(p.name for p in (tmp_path / "report_files").iterdir()) == sorted(
        f"{m}.png" for m in charts
    )


def test_a_name_with_spaces_gets_a_link_that_works(
    tmp_path: Path, charts: dict[str, bytes]
) -> None:
    text = written(tmp_path, name="October report.md")
    assert "](October%20report_files/rate_per_10k.png)" in text
    assert (tmp_path / "October report_files" / "rate_per_10k.png").is_file()


def test_the_same_report_gives_the_same_bytes(tmp_path: Path) -> None:
    """Text and charts alike (the charts drawn twice, not watched)."""
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
    first, second = written(tmp_path / "a"), written(tmp_path / "b")
    assert first == second
    for png in (tmp_path / "a" / "report_files").iterdir():
        assert png.read_bytes() == (tmp_path / "b" / "report_files" / png.name).read_bytes()
    assert "\r" not in first and not any(line.endswith(" ") for line in first.splitlines())


def test_no_suppressed_count_anywhere(tmp_path: Path, charts: dict[str, bytes]) -> None:
    text = written(tmp_path)
    for hidden in ("3 of 16", "18.8", "6 of 43", "14.0", "4 families", "3 families"):
        assert hidden not in text
    assert "Publication version: counts from 1 to 5" in text


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("25.7% of plans", "25.7% of plans"),  # not a list
        ("-0.4 points", "-0.4 points"),
        ("1. A list?", "1\\. A list?"),
        ("2018) A list?", "2018\\) A list?"),
        ("- a bullet?", "\\- a bullet?"),
        ("+ a bullet?", "\\+ a bullet?"),
        ("---", "\\---"),
        ("# a heading?", "\\# a heading?"),
        ("> a quote?", "\\> a quote?"),
        ("a <b>tag</b> & &amp; entity", "a \\<b\\>tag\\</b\\> & \\&amp; entity"),
        ("*x* _y_ `z` [l](u) ~s~ a|b \\", "\\*x\\* \\_y\\_ \\`z\\` \\[l\\](u) \\~s\\~ a\\|b \\\\"),
        ("two\nlines", "two lines"),
    ],
)
def test_escaping(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped


def test_escaped_text_reads_as_written() -> None:
    """What a reader sees after rendering is the text itself, whatever Markdown it holds."""
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    for raw in ("1. A list?", "- a bullet?", "*x* _y_ `z` [l](u) ~s~", "a <b>tag</b> &amp;", "---"):
        html = md.render(escape(raw))
        assert html.startswith("<p>"), html
        plain = html.removeprefix("<p>").removesuffix("</p>\n")
        assert plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == raw


def test_an_area_with_markdown_in_its_name(tmp_path: Path, charts: dict[str, bytes]) -> None:
    paper = dataclasses.replace(report(), area="*Borough* [of] #1", summary=("1. First point.",))
    text = written(tmp_path, paper)
    assert "\n\n\\*Borough\\* \\[of\\] \\#1, October 2018\n\n" in text
    assert "\n\n1\\. First point.\n\n" in text


def test_an_unwritable_path_is_a_usage_error(tmp_path: Path, charts: dict[str, bytes]) -> None:
    with pytest.raises(UsageError, match="cannot write"):
        write_markdown(report(), tmp_path / "no such folder" / "report.md")


def test_the_sample_paper_in_publication_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cpmetrics report --out x.md --suppress` on the bundled sample: compute's October 2018
    figures (from `cpmetrics trend`), 'c' where a count is 1 to 5, one chart per measure."""
    from typer.testing import CliRunner

    from cpmetrics.cli import app

    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    out = tmp_path / "october.md"
    args = ["report", "--month", "2018-10", "--out", str(out), "--suppress", "-q"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    summary = rendered_tables(text)[0]
    rows = {row[0]: row for row in summary}
    assert rows["Plans started that were a second or subsequent plan (%)"][-5:] == [
        "25.7% (9 of 35)",
        "25.8% (59 of 229)",
        "22.0%",
        "Red",
        "Red",
    ]
    # 2 children of 302 on a plan 2 years or more in October 2017, 4 of 293 in November
    assert rows["On a plan for 2 years or more (% of children on a plan)"][1:3] == ["c", "c"]
    assert not re.search(r"\b[1-5] of [0-9]", text)
    assert len(list((tmp_path / "october_files").glob("*.png"))) == len(summary) - 1 == 17


def test_a_report_with_nothing_in_it(tmp_path: Path, charts: dict[str, bytes]) -> None:
    bare = dataclasses.replace(
        report(),
        area=None,
        suppressed=False,
        measures=(),
        breakdowns=(),
        lists=(),
        watchlist_children=None,
        watchlist_families=None,
        overdue_reviews=None,
        quality=None,
        summary=(),
    )
    assert written(tmp_path, bare) == (
        "# Child protection plans: October 2018\n\nOctober 2018\n\n"
        "Figures for 1 to 31 October 2018, produced on 5 November 2018.\n"
    )
    assert not (tmp_path / "report_files").exists()
