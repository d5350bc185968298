"""A measure's trend as a chart: the monthly line, the target as a line, and the comparators
(England, the region, the statistical neighbours) as labelled reference lines.

SVG (for the HTML, with a <title> and <desc> text alternative) or PNG (for Word and
Markdown, 150 dpi). Suppressed months are gaps in the line, with no label that could reveal
them. The SVG is deterministic (fixed hash salt, no dates in its metadata) so tests and diffs
are stable. matplotlib is imported here only, when a chart is drawn.
"""

from __future__ import annotations

import io
import math
import re
from typing import Any, Literal
from xml.sax.saxutils import escape

from cpmetrics.report.model import MeasureReport, Point
from cpmetrics.report.text import MONTHS, month_text, short_month_text, value_text

PNG_DPI = 150
LINE = "#1f4e79"  # dark blue: the authority's own figures
TARGET = "#a14800"  # dark orange, dashed: told apart by its style as well as its colour
# England, the region, the neighbours: each its own colour and dash pattern.
_REFERENCE_STYLES = (
    ("#3a3a3a", (0, (1, 1.5))),
    ("#6a3d9a", (0, (5, 2))),
    ("#1b7837", (0, (7, 2, 1.5, 2))),
)
_MOST_TICKS = 13


def describe(measure: MeasureReport) -> str:
    """The chart in words, for readers who cannot see it: every month's figure ('not
    published' for a suppressed one), the target and the comparators."""
    unit = measure.unit
    first, last = measure.months[0], measure.months[-1]
    points = "; ".join(
        f"{short_month_text(p.period_start)} {_said(p, unit)}" for p in measure.months
    )
    parts = [
        f"{measure.label}, month by month from {month_text(first.period_start)} to "
        f"{month_text(last.period_start)}: {points}."
    ]
    if measure.target is not None:
        parts.append(f"Target: {value_text(measure.target, unit)}.")
    for c in measure.comparators:
        shown = "not published" if c.value is None else value_text(c.value, unit)
        parts.append(f"{c.name} ({c.year}): {shown}.")
    return " ".join(parts)


def _said(point: Point, unit: str) -> str:
    """A month's value in the chart's words: 'not published' for a suppressed one."""
    if point.suppressed:
        return "not published"
    return "no value" if point.value is None else value_text(point.value, unit)


def trend_chart(
    measure: MeasureReport,
    *,
    fmt: Literal["svg", "png"],
    width: float = 6.5,
    height: float = 2.6,
) -> bytes:
    """The chart of ``measure`` as SVG or PNG bytes (``width`` and ``height`` in inches)."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    unit = measure.unit
    settings: dict[str, Any] = {
        "svg.hashsalt": f"cpmetrics-{measure.measure}",  # stable ids, distinct per chart
        "svg.fonttype": "none",  # text as text: smaller, selectable, read by screen readers
        "font.family": "sans-serif",
        "font.size": 8.0,
    }
    with matplotlib.rc_context(settings):  # type: ignore[arg-type]
        figure = Figure(figsize=(width, height))
        axes = figure.add_subplot()
        xs = list(range(len(measure.months)))
        ys = [math.nan if p.value is None else p.value for p in measure.months]
        axes.plot(xs, ys, color=LINE, marker="o", markersize=3.5, linewidth=1.8, label="Monthly")
        heights = [y for y in ys if not math.isnan(y)]
        if measure.target is not None:
            axes.axhline(
                measure.target,
                color=TARGET,
                linestyle="--",
                linewidth=1.3,
                label=f"Target {value_text(measure.target, unit)}",
            )
            heights.append(measure.target)
        for c, (colour, dashes) in zip(measure.comparators, _REFERENCE_STYLES, strict=False):
            if c.value is None:
                continue
            axes.axhline(
                c.value,
                color=colour,
                linestyle=dashes,
                linewidth=1.2,
                label=f"{c.name}\n{c.year}: {value_text(c.value, unit)}",
            )
            heights.append(c.value)
        latest = measure.latest
        if latest.value is not None:  # the report month's figure, said on the chart
            axes.annotate(
                value_text(latest.value, unit),
                (xs[-1], latest.value),
                xytext=(0, 7),
                textcoords="offset points",
                ha="center",
                color=LINE,
                fontweight="bold",
            )
        if not any(p.value is not None for p in measure.months):
            axes.text(0.5, 0.5, "No published figures", transform=axes.transAxes, ha="center")
        top = max(heights, default=0.0)
        axes.set_ylim(0, top * 1.2 if top > 0 else 1)
        axes.set_xlim(-0.5, len(xs) - 0.5)
        if unit == "%":
            axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}%"))
        elif measure.is_count:
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        ticks = _ticks(len(xs))
        axes.set_xticks(ticks, _tick_labels(measure, ticks))
        axes.grid(axis="y", color="#dddddd", linewidth=0.6)
        axes.set_axisbelow(True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        # (A fixed place: matplotlib would otherwise measure every tick label to place it.)
        axes.set_title(measure.label, loc="left", fontsize=9, y=1.03)
        handles, _ = axes.get_legend_handles_labels()
        if len(handles) > 1:
            figure.subplots_adjust(left=0.08, right=0.75, top=0.87, bottom=0.19)
            figure.legend(
                loc="center left", bbox_to_anchor=(0.765, 0.5), frameon=False, fontsize=7.5
            )
        else:
            figure.subplots_adjust(left=0.08, right=0.98, top=0.87, bottom=0.19)
        out = io.BytesIO()
        if fmt == "svg":
            figure.savefig(out, format="svg", metadata={"Date": None, "Creator": "cpmetrics"})
            return _accessible(out.getvalue(), measure)
        figure.savefig(out, format="png", dpi=PNG_DPI, metadata={"Software": "cpmetrics"})
        return out.getvalue()


def _ticks(count: int) -> list[int]:
    """Every month when they fit; otherwise every k-th, counted back from the report month."""
    step = max(1, math.ceil(count / _MOST_TICKS))
    return sorted(range(count - 1, -1, -step))


def _tick_labels(measure: MeasureReport, ticks: list[int]) -> list[str]:
    """'Oct', with the year under the first tick and under the first tick of each year."""
    labels, year = [], None
    for index in ticks:
        day = measure.months[index].period_start
        name = MONTHS[day.month - 1][:3]
        labels.append(name if day.year == year else f"{name}\n{day.year}")
        year = day.year
    return labels


def _accessible(svg: bytes, measure: MeasureReport) -> bytes:
    """The SVG with its text alternative: a <title> and a <desc> that the <svg> element
    names (role img), so that screen readers read the chart's figures."""
    text = svg.decode("utf-8")
    ident = re.sub(r"[^A-Za-z0-9_-]", "-", measure.measure)
    title_id, desc_id = f"{ident}-title", f"{ident}-desc"
    opening = re.search(r"<svg\b[^>]*>", text)
    if opening is None:  # (matplotlib always writes one)
        return svg
    tag = opening.group(0)[:-1] + f' role="img" aria-labelledby="{title_id} {desc_id}">'
    alternative = (
        f'\n <title id="{title_id}">{escape(measure.label)}</title>'
        f'\n <desc id="{desc_id}">{escape(describe(measure))}</desc>'
    )
    return (text[: opening.start()] + tag + alternative + text[opening.end() :]).encode("utf-8")
