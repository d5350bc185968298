"""The HTML report in a real headless browser: it loads with nothing fetched and no errors,
its figures are compute's, every chart is there with words for it, the publication version
shows no count from 1 to 5, and it prints on A4. A screenshot of the first screen is written
to artefacts/report.png."""

from __future__ import annotations

import re
from typing import Any

from browser_helpers import ARTEFACTS, MONTH, Reports, open_page

COUNT_UNITS = ("children", "plans", "families")


def shown(row: dict[str, Any]) -> tuple[str, str]:
    """compute's figure as the summary table should show it: the value, and the counts of a %
    in brackets (the rate's children are the row above, so it has none there)."""
    value, unit = row["value"], row["unit"]
    if unit in COUNT_UNITS:
        return f"{int(value):,}", ""
    if unit == "%":
        return f"{value:.1f}%", f"({row['numerator']:,} of {row['denominator']:,})"
    return f"{value:,.1f}", ""


def test_it_loads_with_nothing_fetched_and_no_errors(browser: Any, reports: Reports) -> None:
    opened = open_page(browser, reports.plain)
    page = opened.page
    assert opened.requests == [reports.plain.as_uri()]
    assert opened.console_errors == [] and opened.page_errors == []
    assert page.title() == "Child protection plans: October 2018"
    assert page.locator("h1").inner_text() == "Child protection plans: October 2018"
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "report.png"))
    assert (ARTEFACTS / "report.png").stat().st_size > 10_000
    page.close()


def test_the_figures_on_the_page_are_computes(browser: Any, reports: Reports) -> None:
    page = open_page(browser, reports.plain).page
    assert len(reports.figures) == 17  # the sample: family ids, reviews and visits
    for row in reports.figures:
        measure = row["measure"]
        cell = page.locator(f'td[data-measure="{measure}"][data-period="{MONTH}"]')
        value, counts = shown(row)
        text = cell.inner_text().split("\n")
        assert text == ([value, counts] if counts else [value]), measure
        assert float(cell.get_attribute("data-value")) == row["value"]
        headline = page.locator(f'.headline .figure[data-measure="{measure}"]')
        assert headline.inner_text() == value, measure
    page.close()


def test_every_measure_has_its_chart_with_words_for_it(browser: Any, reports: Reports) -> None:
    page = open_page(browser, reports.plain).page
    measures = [r["measure"] for r in reports.figures]
    charts = page.locator("figure.chart")
    assert charts.count() == len(measures)
    for measure in measures:
        chart = page.locator(f'figure.chart[data-measure="{measure}"]')
        svg = chart.locator("svg")
        box = svg.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100, measure
        assert svg.get_attribute("role") == "img"
        title_id, desc_id = (svg.get_attribute("aria-labelledby") or "").split()
        assert page.locator(f"#{title_id}").text_content()
        assert "month by month" in (page.locator(f"#{desc_id}").text_content() or "")
        assert chart.locator("figcaption").inner_text().startswith("Chart: ")
        # The line is drawn: the chart's own figure for the month is on it.
        value = shown(next(r for r in reports.figures if r["measure"] == measure))[0]
        assert value.replace(",", "") in svg.locator("text").all_text_contents()
    page.close()


SMALL_COUNT = [
    re.compile(r"\b[1-5] (?:child|children|plan|plans|family|families)\b"),  # '3 children'
    re.compile(r"(?<![\d.,])[1-5] of \d"),  # '3 of 16'
    re.compile(r"\bof [1-5](?![\d.,])"),  # '16 of 3'
    re.compile(r"\bto [1-5][,.](?!\d)"),  # 'from 8 children to 3,'
]


def test_the_published_version_shows_no_count_from_1_to_5(browser: Any, reports: Reports) -> None:
    page = open_page(browser, reports.published).page
    assert "Publication version" in page.locator("#publication").inner_text()
    # Table cells: a bare whole number is a count (shares and percentages have a decimal).
    cells = page.locator("td").all_inner_texts()
    assert "c" in cells
    bare = [c for c in cells if re.fullmatch(r"[1-5]", c.split("\n")[0].strip())]
    assert bare == []
    counts = page.locator(".counts, .count").all_inner_texts()
    assert counts and not [c for c in counts if any(p.search(c) for p in SMALL_COUNT[1:3])]
    # Sentences and notes: no small count said in words.
    # (The rule itself, 'counts of 1 to 5', is said and is not a count.)
    words = [
        w.replace("counts of 1 to 5", "") for w in page.locator("main p, main li").all_inner_texts()
    ]
    assert len(words) > 80
    found = [w for w in words if any(p.search(w) for p in SMALL_COUNT)]
    assert found == []
    # And none in the figures a tool would read.
    for element in page.locator("[data-numerator], [data-denominator]").all():
        for name in ("data-numerator", "data-denominator"):
            figure = element.get_attribute(name)
            assert figure is None or not 1 <= int(figure) <= 5
    page.close()


def test_it_prints_on_a4(browser: Any, reports: Reports) -> None:
    page = open_page(browser, reports.plain).page
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    page.close()
    assert pdf[:5] == b"%PDF-"
    ARTEFACTS.mkdir(exist_ok=True)
    (ARTEFACTS / "report.pdf").write_bytes(pdf)
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    sizes = {(round(float(w)), round(float(h))) for w, h in boxes}
    # A4 (595 x 842 points), and the summary table's page in landscape.
    assert len(boxes) >= 6 and sizes == {(595, 842), (842, 595)}, sizes
