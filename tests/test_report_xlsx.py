"""The report workbook (report/xlsx.py), from a Report built by hand: 13 months, a suppressed
month, a zero denominator, a measure with no target; read back as an analyst opens it."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

from cpmetrics.errors import UsageError
from cpmetrics.report.model import (
    Comparator,
    MeasureReport,
    Point,
    Quality,
    Report,
    Table,
)
from cpmetrics.report.xlsx import write_xlsx

MONTHS = [dt.date(2017 + (9 + i) // 12, (9 + i) % 12 + 1, 1) for i in range(13)]  # Oct17-Oct18


def month_end(start: dt.date) -> dt.date:
    following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def point(start: dt.date, numerator: int | None, denominator: int | None = None) -> Point:
    """A month's figure: a percentage when there is a denominator, else a count."""
    if denominator is None:
        value = None if numerator is None else float(numerator)
    else:
        value = None if not denominator or numerator is None else 100 * numerator / denominator
    return Point(f"{start:%Y-%m}", start, month_end(start), value, numerator, denominator)


def hidden(start: dt.date) -> Point:
    """Publication mode: the model holds no figure for a suppressed point."""
    return Point(f"{start:%Y-%m}", start, month_end(start), None, None, None, suppressed=True)


YTD_START = dt.date(2018, 4, 1)
OCT_END = dt.date(2018, 10, 31)

# On a plan 2 years or more: 20 of 690 in Oct 2017 rising by one child a month to 32 of 702;
# October 2018 is 24 of 706 = 3.399...% (shown 3.4), as West Sussex might write it.
OPEN_2Y = MeasureReport(
    measure="open_2y_plus_pct",
    label="On a plan for 2 years or more (% of children on a plan)",
    unit="%",
    months=(
        *(point(m, 20 + i, 690 + i) for i, m in enumerate(MONTHS[:-1])),
        point(MONTHS[-1], 24, 706),
    ),
    ytd=Point("YTD 2018-19", YTD_START, OCT_END, 24 / 706 * 100, 24, 706),
    same_month_last_year=point(MONTHS[0], 20, 690),
    target=3.0,
    rag="R",
    ytd_rag="A",
    comparators=(
        Comparator("England", 2.1, "2017-18"),
        Comparator("Statistical neighbours", 2.6, "2017-18"),
    ),
    families=15,
    sentences=(
        "This has increased from 20 children to 24; 2.9% to 3.4%.",
        "The target is 3.0%: red.",
    ),
)
# Plans started: 30 + i a month, with February 2018 (3 plans) suppressed; no target.
STARTED = MeasureReport(
    measure="plans_started",
    label="Plans started",
    unit="plans",
    months=tuple(hidden(m) if i == 4 else point(m, 30 + i) for i, m in enumerate(MONTHS)),
    ytd=Point("YTD 2018-19", YTD_START, OCT_END, 229.0, 229, None),
    same_month_last_year=point(MONTHS[0], 30),
    target=None,
    rag=None,
    ytd_rag=None,
    sentences=("229 plans have started this year.",),
)
# Plans ended after 2 years: none ended in September 2018 (0 of 0, no figure); October's is
# suppressed, and the builder's 'G' beside it must not be shown.
CEASED = MeasureReport(
    measure="ceased_2y_plus_pct",
    label="Plans ended that had lasted 2 years or more (%)",
    unit="%",
    months=(
        *(point(m, 1, 20) for m in MONTHS[:11]),
        point(MONTHS[11], 0, 0),
        hidden(MONTHS[12]),
    ),
    ytd=Point("YTD 2018-19", YTD_START, OCT_END, 6 / 217 * 100, 6, 217),
    same_month_last_year=point(MONTHS[0], 1, 20),
    target=4.0,
    rag="G",
    ytd_rag="G",
    sentences=("The figure for October is suppressed.",),
)

DURATION = pl.DataFrame(
    {
        "measure": ["children_on_plan"] * 3,
        "group": ["under 1 year", "1 to 2 years", "2 years or more"],
        "numerator": [600, 82, 4],
        "denominator": [706, 706, 706],
        "value": [600 / 706 * 100, 82 / 706 * 100, 4 / 706 * 100],
        "unit": ["%"] * 3,
        "suppressed": [False, False, True],
    }
)
TEAMS = pl.DataFrame({"team": ["=North", "South"], "children": [9, 14]})
# As the builder gives a table with a hidden cell: the column is text, figures and 'c' in it.
FAMILIES = pl.DataFrame(
    {
        "Children of the family on a plan": ["1", "2", "5+"],
        "Families": ["120", "c", "9"],
        "Families, %": ["90.2", "c", "6.8"],
    }
)


def report(*, suppressed: bool = True) -> Report:
    return Report(
        title="Child protection plans: October 2018",
        area="Haringey",
        month="2018-10",
        month_start=dt.date(2018, 10, 1),
        month_end=OCT_END,
        generated=dt.date(2018, 11, 5),
        suppressed=suppressed,
        measures=(OPEN_2Y, STARTED, CEASED),
        breakdowns=(
            Table("Children on a plan by duration", DURATION, "At 31 October 2018."),
            Table("Families by the number of their children on a plan", FAMILIES),
        ),
        lists=(Table("Watchlist by team", TEAMS),),
        watchlist_children=3,
        watchlist_families=2,
        overdue_reviews=12,
        overdue_visits=None,
        quality=Quality(
            files=("plans.csv",),
            rows_read=3094,
            rows_used=3090,
            excluded=(("end date before start date", 3), ("no start date", 1)),
            population="children on a plan in the extract",
            extract_date=dt.date(2019, 12, 31),
            notes=("population: ONS mid-2017 estimate, 76,400",),
        ),
        summary=("There were 706 children on a plan at the end of October.",),
    )


@pytest.fixture(scope="module")
def book_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "paper.xlsx"
    write_xlsx(report(), path)
    return path


@pytest.fixture(scope="module")
def book(book_path: Path) -> Any:
    return openpyxl.load_workbook(book_path)


def rows_by_first_cell(ws: Any, first_row: int) -> dict[str, list[Any]]:
    return {row[0].value: list(row) for row in ws.iter_rows(min_row=first_row) if row[0].value}


def test_the_sheets(book: Any) -> None:
    assert book.sheetnames == [
        "Summary",
        "Measures",
        "Children on a plan by duration",
        "Families by the number of…",  # 31 characters at most, cut at a word
        "Watchlist by team",
        "Data quality",
        "Data",
        "Chart data",
    ]
    assert book.properties.title == "Child protection plans: October 2018"


def test_summary_measures_by_month_with_ytd_target_and_rag(book: Any) -> None:
    ws = book["Summary"]
    assert ws["A1"].value == "Child protection plans: October 2018"
    assert ws["A2"].value.startswith("Haringey; Report month October 2018; made 5 November 2018")
    header = [c.value for c in ws[4]]
    assert header[:2] == ["Measure", "Unit"]
    assert header[2:15] == [dt.datetime(m.year, m.month, 1) for m in MONTHS]  # real dates
    assert ws["C4"].number_format == "mmm yy"
    assert header[15:] == [
        *("Year to date", "Target", "RAG", "YTD RAG", "Oct 2018 numerator", "Oct 2018 denominator"),
        *("YTD numerator", "YTD denominator", "England", "Statistical neighbours"),
        "Comparator year",
    ]
    assert ws.freeze_panes == "B5"
    rows = rows_by_first_cell(ws, 5)
    open_2y = rows[OPEN_2Y.label]
    assert open_2y[1].value == "%"
    assert [c.value for c in open_2y[2:4]] == [2.9, 3.0]  # 20 of 690, 21 of 691
    assert open_2y[14].value == 3.4 and open_2y[14].number_format == "0.0"  # 24 of 706
    assert [c.value for c in open_2y[15:]] == [
        3.4,
        3,
        "R",
        "A",
        24,
        706,
        24,
        706,
        2.1,
        2.6,
        "2017-18",
    ]
    assert open_2y[19].number_format == "0" and open_2y[16].number_format == "0.0"
    started = rows["Plans started"]
    assert [c.value for c in started[2:8]] == [30, 31, 32, 33, "c", 35]  # February hidden
    assert started[6].data_type == "s"
    assert {c.number_format for c in started[2:6]} == {"0"}
    assert [c.value for c in started[15:19]] == [229, None, None, None]  # no target, no RAG
    ceased = rows[CEASED.label]
    assert ceased[13].value is None  # September: 0 of 0, no figure
    assert [c.value for c in ceased[14:21]] == ["c", 2.8, 4, "c", "G", "c", "c"]


def test_rag_is_a_letter_with_a_conditional_colour(book: Any) -> None:
    ws = book["Summary"]
    ranges = {str(r.sqref): [rule.formula for rule in r.rules] for r in ws.conditional_formatting}
    assert ranges["R5:R7"] == [['"R"'], ['"A"'], ['"G"']]  # RAG
    assert ranges["S5:S7"] == [['"R"'], ['"A"'], ['"G"']]  # YTD RAG


def test_summary_sentences_and_the_lists_counts(book: Any) -> None:
    ws = book["Summary"]
    column_a = [c.value for c in ws["A"]]
    assert "There were 706 children on a plan at the end of October." in column_a
    counts = {r[0].value: r[1].value for r in ws.iter_rows(min_row=9) if r[0].value}
    # Publication mode: 3 children and 2 families on the watchlist are 'c'; 12 reviews are not.
    assert counts["Children on the watchlist"] == "c"
    assert counts["Families on the watchlist"] == "c"
    assert counts["Reviews overdue"] == 12
    assert "Visits overdue" not in counts  # no visit records


def test_measures_sheet_figures_and_sentences(book: Any) -> None:
    ws = book["Measures"]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    at = next(i for i, row in enumerate(cells) if row[0] == OPEN_2Y.label)
    assert cells[at + 1][:11] == [
        *("Month", "Value", "Numerator", "Denominator", "Target", "RAG", "Year to date"),
        *("YTD numerator", "YTD denominator", "YTD RAG", "Families"),
    ]
    assert cells[at + 2][:11] == [
        dt.datetime(2018, 10, 1),
        3.4,
        24,
        706,
        3,
        "R",
        3.4,
        24,
        706,
        "A",
        15,
    ]
    assert [cells[at + 4][0], cells[at + 5][0]] == list(OPEN_2Y.sentences)
    assert cells[at + 7][:3] == ["Comparator", "Year", "Value"]
    assert cells[at + 8][:3] == ["England", "2017-18", 2.1]
    ceased = next(i for i, row in enumerate(cells) if row[0] == CEASED.label)
    assert cells[ceased + 2][1:6] == ["c", "c", "c", 4, "c"]


def test_data_every_measure_by_month_as_numbers(book: Any) -> None:
    ws = book["Data"]
    header = [c.value for c in ws[1]]
    assert header == [
        *("measure", "label", "unit", "period", "period_start", "period_end"),
        *("value", "numerator", "denominator", "target"),
    ]
    assert ws.max_row == 1 + 3 * 13 and ws.freeze_panes == "B2"
    rows = [dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2)]
    october = next(
        r
        for r in rows
        if r["measure"].value == "open_2y_plus_pct" and r["period"].value == "2018-10"
    )
    assert october["period_start"].value == dt.datetime(2018, 10, 1)
    assert october["period_start"].number_format == "yyyy-mm-dd"
    assert [october[k].value for k in ("value", "numerator", "denominator", "target")] == [
        3.4,
        24,
        706,
        3,
    ]
    september = next(
        r
        for r in rows
        if r["measure"].value == "ceased_2y_plus_pct" and r["period"].value == "2018-09"
    )
    assert [september[k].value for k in ("value", "numerator", "denominator")] == [None, 0, 0]
    february = next(
        r for r in rows if r["measure"].value == "plans_started" and r["period"].value == "2018-02"
    )
    assert [february[k].value for k in ("value", "numerator", "denominator")] == ["c", "c", None]


def test_no_cell_holds_a_number_for_a_suppressed_figure(book: Any) -> None:
    """Where the model has a suppressed point, every sheet has 'c' or nothing."""
    chart = book["Chart data"]
    header = [c.value for c in chart[1]]
    assert header == ["measure", "month", "value", "target", "England", "Statistical neighbours"]
    by_key = {(r[0], r[1]): r for r in chart.iter_rows(min_row=2, values_only=True)}
    assert by_key[("plans_started", dt.datetime(2018, 2, 1))][2] is None
    assert by_key[("ceased_2y_plus_pct", dt.datetime(2018, 10, 1))][2] is None
    assert by_key[("ceased_2y_plus_pct", dt.datetime(2018, 9, 1))][2] is None  # 0 of 0
    assert by_key[("plans_started", dt.datetime(2018, 3, 1))][2] == 35
    assert by_key[("open_2y_plus_pct", dt.datetime(2018, 10, 1))][2:] == (3.4, 3, 2.1, 2.6)


def charts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {
            n: z.read(n).decode()
            for n in z.namelist()
            if re.fullmatch(r"xl/charts/chart\d+\.xml", n)
        }


def test_one_native_line_chart_per_measure_on_the_chart_data(book_path: Path) -> None:
    found = charts(book_path)
    assert len(found) == 3
    refs = {}
    for xml in found.values():
        assert "<c:lineChart>" in xml
        # Blank cells are gaps: XlsxWriter leaves out Excel's default, so nothing says zero
        assert "dispBlanksAs" not in xml
        assert 'showVal val="1"' not in xml  # no data labels: no number printed on a chart
        title = re.search(r"<a:t>([^<]*)</a:t>", xml)
        assert title is not None
        refs[title.group(1)] = re.findall(r"<c:f>([^<]*)</c:f>", xml)
    # The measure's months (rows 2-14), the target beside them, then the comparators
    assert refs[OPEN_2Y.label] == [
        "'Chart data'!$B$2:$B$14",
        "'Chart data'!$C$2:$C$14",
        "'Chart data'!$B$2:$B$14",
        "'Chart data'!$D$2:$D$14",
        "'Chart data'!$B$2:$B$14",
        "'Chart data'!$E$2:$E$14",
        "'Chart data'!$B$2:$B$14",
        "'Chart data'!$F$2:$F$14",
    ]
    # No target, no comparators: one series
    assert refs["Plans started"] == ["'Chart data'!$B$15:$B$27", "'Chart data'!$C$15:$C$27"]
    assert refs[CEASED.label][:4] == [
        "'Chart data'!$B$28:$B$40",
        "'Chart data'!$C$28:$C$40",
        "'Chart data'!$B$28:$B$40",
        "'Chart data'!$D$28:$D$40",
    ]


def test_a_chart_has_a_gap_where_a_figure_is_hidden(book_path: Path) -> None:
    xml = next(x for x in charts(book_path).values() if "<a:t>Plans started</a:t>" in x)
    values = xml.split("<c:val>")[1].split("</c:val>")[0]
    points = dict(re.findall(r'<c:pt idx="(\d+)"><c:v>([^<]*)</c:v>', values))
    assert '<c:ptCount val="13"/>' in values
    assert "4" not in points  # February 2018, suppressed
    assert points["0"] == "30" and points["12"] == "42"


def test_the_charts_sit_on_the_measures_sheet(book_path: Path) -> None:
    with zipfile.ZipFile(book_path) as z:
        drawing = z.read("xl/drawings/drawing1.xml").decode()
        rels = z.read("xl/worksheets/_rels/sheet2.xml.rels").decode()
    assert drawing.count("<c:chart ") == 3
    assert "drawing1.xml" in rels  # sheet2: Measures


def test_breakdowns_and_lists_one_sheet_each(book: Any) -> None:
    ws = book["Children on a plan by duration"]
    assert ws["A1"].value == "Children on a plan by duration"
    assert ws["A2"].value == "At 31 October 2018."
    assert [c.value for c in ws[4]] == [
        "measure",
        "group",
        "numerator",
        "denominator",
        "value",
        "unit",
    ]
    assert ws.freeze_panes == "A5"
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    assert rows[0][2:5] == [600, 706, 85.0]
    assert rows[2][2:5] == ["c", "c", "c"]  # 4 children: suppressed (and its share)
    teams = book["Watchlist by team"]
    assert [c.value for c in teams[3]] == ["team", "children"]
    assert teams["A4"].value == "=North" and teams["A4"].data_type == "s"  # text, not a formula


def test_figures_that_came_as_text_beside_a_c_are_numbers(book: Any) -> None:
    rows = list(book["Families by the number of…"].iter_rows(min_row=3, values_only=True))
    assert rows == [
        ("Children of the family on a plan", "Families", "Families, %"),
        ("1", 120, 90.2),  # the labels stay text: '5+' is not a figure
        ("2", "c", "c"),
        ("5+", 9, 6.8),
    ]
    ws = book["Families by the number of…"]
    assert ws["B4"].number_format == "0" and ws["C4"].number_format == "0.0"


def test_data_quality(book: Any) -> None:
    ws = book["Data quality"]
    facts = {r[0].value: r[1] for r in ws.iter_rows(min_row=3) if r[0].value}
    assert facts["Rows read"].value == 3094 and facts["Rows used"].value == 3090
    assert facts["Extract date"].value == dt.datetime(2019, 12, 31)
    assert facts["Extract date"].number_format == "yyyy-mm-dd"
    assert facts["end date before start date"].value == 3
    assert "population: ONS mid-2017 estimate, 76,400" in [c.value for c in ws["A"]]


def test_without_publication_mode_small_counts_are_shown(tmp_path: Path) -> None:
    path = tmp_path / "internal.xlsx"
    write_xlsx(report(suppressed=False), path)
    counts = {
        r[0].value: r[1].value for r in openpyxl.load_workbook(path)["Summary"].iter_rows(min_row=9)
    }
    assert counts["Children on the watchlist"] == 3


def test_a_folder_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot write"):
        write_xlsx(report(), tmp_path / "no" / "paper.xlsx")


def test_a_measure_without_months_is_named_and_has_no_chart(tmp_path: Path) -> None:
    from dataclasses import replace

    empty = replace(STARTED, measure="transfers_in", label="Transfers in", months=(), ytd=None)
    path = tmp_path / "paper.xlsx"
    write_xlsx(replace(report(), measures=(OPEN_2Y, empty)), path)
    assert len(charts(path)) == 1
    summary = rows_by_first_cell(openpyxl.load_workbook(path)["Summary"], 5)
    assert [c.value for c in summary["Transfers in"][2:15]] == [None] * 13


ROOT = Path(__file__).resolve().parents[1]


def test_the_report_command_writes_the_workbook_with_trends_figures(tmp_path: Path) -> None:
    """cpmetrics report --out paper.xlsx on the sample: the summary's months and year to date
    are trend's figures, cell by cell; one chart a measure; in publication mode the workbook
    has 'c' wherever trend has it, and the figures published are the same."""
    import csv
    import io

    from typer.testing import CliRunner

    from cpmetrics.cli import app

    config = ["--config", str(ROOT / "cpmetrics.toml"), "-q"]
    for publish in ([], ["--suppress"]):
        path = tmp_path / "paper.xlsx"
        made = CliRunner().invoke(
            app, ["report", "--month", "2018-10", "--out", str(path), *publish, *config]
        )
        assert made.exit_code == 0, made.stderr
        trend = CliRunner().invoke(
            app, ["trend", "--from", "2017-10", "--to", "2018-10", "-f", "csv", *publish, *config]
        )
        expected: dict[tuple[str, str], str] = {}
        labels = {}
        for row in csv.DictReader(io.StringIO(trend.stdout)):
            key = "ytd" if row["period_type"] == "ytd" else row["period"]
            expected[(row["measure"], key)] = row["value"]
            labels[row["label"]] = row["measure"]
        ws = openpyxl.load_workbook(path)["Summary"]
        header = [c.value for c in ws[4]]
        shown = 0
        for row in ws.iter_rows(min_row=5, max_row=4 + len(labels)):
            measure = labels[row[0].value]
            for heading, cell in zip(header[2:16], row[2:16], strict=True):
                key = "ytd" if heading == "Year to date" else f"{heading:%Y-%m}"
                value = cell.value
                text = (
                    ""
                    if value is None
                    else value
                    if isinstance(value, str)
                    else (f"{value:.1f}" if cell.number_format == "0.0" else str(int(value)))
                )
                assert text == expected[(measure, key)], (measure, key)
                shown += 1
        assert shown == len(labels) * 14
        assert len(charts(path)) == len(labels)
