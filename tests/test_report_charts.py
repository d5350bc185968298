"""The trend chart: its text alternative, the target and comparators, gaps for suppressed
months, and bytes that do not change from run to run."""

from __future__ import annotations

import re
import struct

from cpmetrics.report.charts import describe, trend_chart
from cpmetrics.report.model import Comparator
from report_helpers import measure, point

LINE_PATH = re.compile(r'<path d="([^"]*)"[^>]*stroke: #1f4e79[^>]*>')


def texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_the_svg_says_in_words_what_it_shows() -> None:
    m = measure(
        "repeat_plan_pct",
        point("2018-08", 21.2, 7, 33),
        point("2018-09", None, suppressed=True),
        point("2018-10", 25.7, 9, 35),
        target=22.0,
        comparators=(Comparator("England", 20.2, "2017-18"), Comparator("London", None, "2017-18")),
    )
    assert describe(m) == (
        "Plans started that were a second or subsequent plan (%), month by month from August "
        "2018 to October 2018: Aug 2018 21.2%; Sep 2018 not published; Oct 2018 25.7%. Target: "
        "22.0%. England (2017-18): 20.2%. London (2017-18): not published."
    )
    svg = trend_chart(m, fmt="svg").decode()
    assert svg.startswith("<?xml")
    assert "<svg " in svg and 'role="img"' in svg
    assert 'aria-labelledby="repeat_plan_pct-title repeat_plan_pct-desc"' in svg
    assert (
        '<title id="repeat_plan_pct-title">Plans started that were a second or subsequent plan '
        "(%)</title>" in svg
    )
    assert f'<desc id="repeat_plan_pct-desc">{describe(m)}</desc>' in svg
    # The target and England as labelled lines; the latest figure said on the chart.
    shown = texts(svg)
    assert "Target 22.0%" in shown and "England" in shown and "2017-18: 20.2%" in shown
    assert shown.count("25.7%") == 1 and "21.2%" not in shown


def test_a_suppressed_month_is_a_gap_with_no_label() -> None:
    m = measure(
        "plans_started",
        point("2018-08", 12),
        point("2018-09", None, suppressed=True),
        point("2018-10", 35),
    )
    svg = trend_chart(m, fmt="svg").decode()
    (line,) = LINE_PATH.findall(svg)
    # Two points and no segment between them: the line is broken at September.
    assert line.count("M") == 2 and "L" not in line
    labels = [t for t in texts(svg) if t not in ("Aug", "2018", "Sep", "Oct", "Plans started")]
    # Only the axis scale (multiples of 5) and October's 35.
    assert all(int(t) % 5 == 0 for t in labels) and labels[-1] == "35"
    hidden = measure("plans_started", point("2018-10", None, suppressed=True))
    assert "No published figures" in texts(trend_chart(hidden, fmt="svg").decode())


def test_the_same_chart_twice_is_the_same_bytes_and_no_date() -> None:
    m = measure("children_on_plan", point("2018-09", 343), point("2018-10", 336))
    first, second = trend_chart(m, fmt="svg"), trend_chart(m, fmt="svg")
    assert first == second and b"dc:date" not in first
    assert trend_chart(m, fmt="png") == trend_chart(m, fmt="png")
    # Each measure's ids are its own (the hash salt), so charts can share a page.
    other = measure("plans_started", point("2018-09", 343), point("2018-10", 336))
    ids = set(re.findall(rb'id="(p[0-9a-f]{10})"', first))
    assert ids and not ids & set(
        re.findall(rb'id="(p[0-9a-f]{10})"', trend_chart(other, fmt="svg"))
    )


def test_png_at_150_dpi_of_the_size_asked() -> None:
    m = measure("children_on_plan", point("2018-09", 343), point("2018-10", 336))
    png = trend_chart(m, fmt="png", width=4.0, height=2.0)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (600, 300)
