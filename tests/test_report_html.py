"""The HTML report: one self-contained file, accessible tables and charts, autoescaped, with
the figures compute gives."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cpmetrics.cli import app
from cpmetrics.periods import parse_month
from cpmetrics.report.build import build_report
from cpmetrics.report.html import inline_svg, render_html, write_html
from cpmetrics.runner import CommandSettings
from report_helpers import measure, point, report

ROOT = Path(__file__).resolve().parents[1]


class Elements(HTMLParser):
    """Every start tag with its attributes, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parse(html: str) -> list[tuple[str, dict[str, str | None]]]:
    found = Elements()
    found.feed(html)
    return found.tags


@pytest.fixture(scope="module")
def sample_html() -> str:
    request = CommandSettings.resolve(input=None, config=ROOT / "cpmetrics.toml")
    return render_html(build_report(request, parse_month("2018-10")))


def test_nothing_is_fetched(sample_html: str) -> None:
    tags = parse(sample_html)
    assert not [t for t, _ in tags if t in ("script", "link", "iframe", "img", "object")]
    links = [a.get("href") or "" for _, a in tags if "href" in a]
    assert links and all(link.startswith("#") for link in links)
    assert not [a for _, a in tags if "src" in a]
    assert "@import" not in sample_html and "url(http" not in sample_html
    assert not re.search(r"https?://(?!www\.w3\.org/)", sample_html.split("</style>")[0])


def test_ids_are_unique_and_every_reference_is_found(sample_html: str) -> None:
    ids = [a["id"] for _, a in parse(sample_html) if a.get("id")]
    assert len(ids) == len(set(ids))
    referenced = re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', sample_html)
    assert {x or y for x, y in referenced} <= set(ids)


def test_every_measure_has_its_chart_with_a_text_alternative(sample_html: str) -> None:
    figures = re.findall(
        r'<figure class="chart" data-measure="([^"]+)">(.*?)</figure>', sample_html, re.S
    )
    assert len(figures) == 17  # the sample's measures (family ids, reviews and visits)
    for name, body in figures:
        svg = re.search(r"<svg[^>]*>", body)
        assert svg is not None and 'role="img"' in svg.group(0)
        labelled = re.search(r'aria-labelledby="([^"]+)"', svg.group(0))
        assert labelled is not None
        title_id, desc_id = labelled.group(1).split()
        assert re.search(rf'<title id="{title_id}">[^<]+</title>', body)
        assert re.search(rf'<desc id="{desc_id}">[^<]*month by month[^<]*</desc>', body)
        assert re.search(r"<figcaption>Chart: [^<]+</figcaption>", body), name


def test_tables_have_captions_and_scoped_headers(sample_html: str) -> None:
    tables = re.findall(r"<table[^>]*>(.*?)</table>", sample_html, re.S)
    assert len(tables) >= 6
    for table in tables:
        assert re.match(r"\s*<caption>[^<]+</caption>", table)
        head, _, body = table.partition("</thead>")
        assert all('scope="col"' in th for th in re.findall(r"<th\b[^>]*>", head))
        assert all('scope="row"' in th for th in re.findall(r"<th\b[^>]*>", body))


def test_rag_is_a_word_beside_the_colour(sample_html: str) -> None:
    badges = re.findall(r'<span class="rag rag-([RAG])">([^<]+)</span>', sample_html)
    assert badges and all(
        text == {"R": "Red", "A": "Amber", "G": "Green"}[letter] for letter, text in badges
    )


def test_printed_on_a4_with_breaks_before_sections(sample_html: str) -> None:
    assert "@page { size: A4;" in sample_html and "size: A4 landscape" in sample_html
    assert "break-before: page" in sample_html


def test_the_month_on_the_page_is_computes_month(sample_html: str) -> None:
    result = CliRunner().invoke(
        app,
        [
            "compute",
            "--month",
            "2018-10",
            "--format",
            "json",
            "-q",
            "--config",
            str(ROOT / "cpmetrics.toml"),
        ],
    )
    assert result.exit_code == 0, result.stderr
    cells = {
        a["data-measure"]: a
        for tag, a in parse(sample_html)
        if tag == "td" and a.get("data-period") == "2018-10"
    }
    rows = json.loads(result.stdout)
    assert len(rows) == len(cells) == 17
    for row in rows:
        cell = cells[row["measure"]]
        assert float(cell["data-value"] or "nan") == row["value"]
        assert int(cell["data-numerator"] or -1) == row["numerator"]
        assert cell.get("data-denominator") == (
            None if row["denominator"] is None else str(row["denominator"])
        )


def test_words_are_escaped(tmp_path: Path) -> None:
    tricky = replace(
        measure("plans_started", point("2018-10", 35)), label='<b onclick="x()">Plans</b>'
    )
    path = tmp_path / "report.html"
    write_html(report(tricky), path)
    html = path.read_text(encoding="utf-8")
    assert "<b onclick" not in html and "&lt;b onclick=&#34;x()&#34;&gt;Plans&lt;/b&gt;" in html


def test_a_suppressed_figure_is_c_and_has_no_data() -> None:
    html = render_html(
        report(measure("plans_started", point("2018-10", None, suppressed=True)), publish=True)
    )
    cell = re.search(r'<td class="num latest"([^>]*)>c</td>', html)
    assert cell is not None and 'data-suppressed="true"' in cell.group(1)
    assert "data-value" not in cell.group(1) and "Publication version" in html


def test_figures_are_written_as_in_every_format() -> None:
    """report.text's forms: a percentage's counts under it in the table and beside it in the
    headline, in brackets; the rate with its counts in the headline but brief in the table
    (its children are the row above); ratings in words; a rating beside a hidden figure 'c'."""
    share = measure(
        "open_2y_plus_pct",
        point("2018-10", 24 * 100 / 706, 24, 706),
        ytd=None,
        target=3.0,
        rag="R",
    )
    rate = measure("rate_per_10k", point("2018-10", 336 * 10_000 / 76_700, 336, 76_700))
    hidden = measure(
        "repeat_plan_pct", point("2018-10", None, suppressed=True), target=22.0, rag="G"
    )
    html = render_html(report(share, rate, hidden, publish=True))
    cells = re.findall(r'<td class="num latest"[^>]*>(.*?)</td>', html)
    assert cells == ['3.4%<span class="counts">(24 of 706)</span>', "43.8", "c"]
    headlines = re.findall(
        r'<span class="figure"[^>]*>([^<]*)</span>\s*(?:<span class="count">([^<]*)</span>)?',
        html,
    )
    assert headlines == [("3.4%", "(24 of 706)"), ("43.8", "(336 of 76,700)"), ("c", "")]
    assert '<td class="num">3.0%</td>' in html and "<span>target 3.0%</span>" in html
    assert '<span class="rag rag-R">Red</span>' in html
    assert '<td><span class="rag rag-c">c</span></td>' in html  # not Green beside a hidden 'c'
    assert "Figures for October 2018 (1 to 31 October 2018)" in html


def test_inline_svg_makes_ids_its_own() -> None:
    svg = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg width="1pt" height="2pt" viewBox="0 0 1 2" '
        b'aria-labelledby="t d"><title id="t">x</title><desc id="d">y</desc>'
        b'<clipPath id="p1"/><g clip-path="url(#p1)"/><use xlink:href="#p1"/></svg>'
    )
    assert inline_svg(svg, prefix="c0") == (
        '<svg viewBox="0 0 1 2" aria-labelledby="c0-t c0-d"><title id="c0-t">x</title>'
        '<desc id="c0-d">y</desc><clipPath id="c0-p1"/><g clip-path="url(#c0-p1)"/>'
        '<use xlink:href="#c0-p1"/></svg>'
    )
