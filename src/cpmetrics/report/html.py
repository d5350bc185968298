"""The report as one self-contained HTML file: inline CSS and SVG, nothing fetched (no fonts,
no scripts), readable on screen and printed on A4.

The layout is the Jinja2 template ``templates/report.html.j2`` (autoescaped); this module
only hands it the model, the charts and report.text's ways of writing figures, dates and
ratings (the same as every other format's).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from cpmetrics import __version__
from cpmetrics.report import text
from cpmetrics.report.model import Point, Report

TEMPLATE = "report.html.j2"


def write_html(report: Report, path: Path) -> None:
    """Write ``report`` to ``path`` as HTML (UTF-8)."""
    path.write_text(render_html(report), encoding="utf-8")


def render_html(report: Report) -> str:
    from jinja2 import Environment, StrictUndefined
    from markupsafe import Markup

    from cpmetrics.report.charts import describe, trend_chart

    source = resources.files("cpmetrics.report").joinpath("templates", TEMPLATE)
    environment = Environment(
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # The template writes every figure, date and rating with report.text ('text.day_text').
    environment.globals.update(text=text, data=point_data, anchor=anchor)
    template = environment.from_string(source.read_text(encoding="utf-8"))
    charts = [
        Markup(inline_svg(trend_chart(m, fmt="svg"), prefix=f"chart-{i}"))
        for i, m in enumerate(report.measures)
    ]
    descriptions = [describe(m) for m in report.measures]
    ytd_label = next((m.ytd.period for m in report.measures if m.ytd), "Year to date")
    return template.render(
        report=report,
        charts=charts,
        descriptions=descriptions,
        ytd_label=ytd_label,
        version=__version__,
    )


def inline_svg(svg: bytes, *, prefix: str) -> str:
    """An SVG file as an element inside HTML: without its XML declaration and doctype, sized
    by the page, and its ids made unique to it (every chart's ids start alike)."""
    text = svg.decode("utf-8")
    text = text[text.index("<svg") :]
    text = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', text)
    text = re.sub(
        r'aria-labelledby="([^"]+)"',
        lambda m: 'aria-labelledby="' + " ".join(f"{prefix}-{i}" for i in m[1].split()) + '"',
        text,
    )
    # The page sets the size (CSS); the viewBox keeps the shape.
    return re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r"<svg\1", text, count=1)


def point_data(point: Point, measure: str) -> dict[str, str]:
    """data- attributes for a figure, for tools (and tests) that read the page: only what is
    published (a suppressed point has no figures to give)."""
    out = {"data-measure": measure, "data-period": point.period}
    if point.suppressed:
        out["data-suppressed"] = "true"
        return out
    for name, value in (
        ("value", point.value),
        ("numerator", point.numerator),
        ("denominator", point.denominator),
    ):
        if value is not None:
            out[f"data-{name}"] = repr(value) if isinstance(value, float) else str(value)
    return out


def anchor(text: str) -> str:
    return "m-" + re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
