"""Messy but valid files give exactly the measures of the clean file they encode."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpmetrics.api import load_plans
from cpmetrics.engine import Population, compute
from cpmetrics.periods import months, parse_month

PERIODS = months(parse_month("2017-01"), parse_month("2018-12"))
EXTRACT_DATE = dt.date(2019, 6, 30)
CANONICAL = ("child_id", "start_date", "end_date", "previous_plans")
HEADERS = {
    "child_id": ["child_id", "LAchildID", "Child Unique ID", " Child ID "],
    "start_date": ["start_date", "CPPstartDate", "Child Protection Plan Start Date"],
    "end_date": ["end_date", "CPPendDate", "Child Protection Plan End Date"],
    "previous_plans": [
        "previous_plans",
        "NumberOfPreviousCPP",
        "Number of Previous Child Protection Plans",
    ],
}
DATE_STYLES = {
    "iso": lambda d: d.isoformat(),
    "uk": lambda d: d.strftime("%d/%m/%Y"),
    "uk_short": lambda d: d.strftime("%d-%m-%y"),
    "named": lambda d: d.strftime("%d-%b-%Y"),
    "serial": lambda d: str((d - dt.date(1899, 12, 30)).days),
}

plan = st.tuples(
    st.sampled_from(["A1", "B2", "C3", "D4", "E5", "F6", "Zoë"]),
    st.dates(dt.date(2016, 1, 1), dt.date(2018, 12, 31)),
    st.one_of(st.none(), st.integers(1, 900)),
    st.one_of(st.none(), st.integers(0, 3)),
)


def clean_plans(raw: list[tuple[str, dt.date, int | None, int | None]]) -> list[tuple]:
    out = []
    for child, start, length, previous in raw:
        end = start + dt.timedelta(days=length) if length else None
        if end is not None and end > EXTRACT_DATE:
            end = None
        out.append((child, start, end, previous))
    # A day of 13 or more keeps day-first files unambiguous, as most real extracts are.
    out.append(("Z9", dt.date(2016, 1, 13), dt.date(2016, 5, 20), 0))
    return out


def figures(path: Path, **kwargs: object) -> list[tuple]:
    loaded = load_plans(path, extract_date=EXTRACT_DATE, **kwargs)  # type: ignore[arg-type]
    table = compute(loaded.timeline, PERIODS, population=Population(fixed=1000)).table
    return table.select("measure", "period_end", "numerator", "denominator", "value").rows()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.lists(plan, min_size=1, max_size=25),
    style=st.sampled_from(sorted(DATE_STYLES)),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    pad=st.booleans(),
    blank_lines=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_messy_equals_clean(
    tmp_path_factory,  # type: ignore[no-untyped-def]
    raw: list[tuple[str, dt.date, int | None, int | None]],
    style: str,
    delimiter: str,
    encoding: str,
    newline: str,
    pad: bool,
    blank_lines: bool,
    seed: int,
) -> None:
    rows = clean_plans(raw)
    folder = tmp_path_factory.mktemp("messy")
    clean = folder / "clean.csv"
    clean.write_text(
        ",".join(CANONICAL)
        + "\n"
        + "".join(
            f"{c},{s.isoformat()},{e.isoformat() if e else ''},{'' if p is None else p}\n"
            for c, s, e, p in rows
        ),
        encoding="utf-8",
    )
    rng = random.Random(seed)
    order = list(CANONICAL)
    rng.shuffle(order)
    fmt = DATE_STYLES[style]
    lines = [delimiter.join(rng.choice(HEADERS[c]) for c in order) + delimiter + "Notes"]
    for c, s, e, p in rows:
        values = {
            "child_id": c,
            "start_date": fmt(s),
            "end_date": fmt(e) if e else "",
            "previous_plans": "" if p is None else str(p),
        }
        cells = [f" {values[k]} " if pad and values[k] else values[k] for k in order]
        lines.append(delimiter.join(cells) + delimiter + "free text")
        if blank_lines and rng.random() < 0.2:
            lines.append("")
    messy = folder / "messy.csv"
    messy.write_bytes(newline.join(lines).encode(encoding) + newline.encode())
    order_hint = {"date_order": "dmy"} if style == "uk_short" else {}
    assert figures(messy, **order_hint) == figures(clean)
