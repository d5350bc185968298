"""The report workbook (report/xlsx.py), from the monthly report built by hand for every
writer's tests (report_fixtures: October 2018 in publication mode, 13 months, suppressed
months, a zero denominator, measures with and without a target, comparators one of them not
published), read back as an analyst opens it. The few cases only a workbook meets (figures
written as text beside a 'c', a table with the publication marker column, a cell that looks
like a formula, a rating beside a hidden figure) are added to that report where a test needs
them."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

import report_fixtures
from cpmetrics.errors import UsageError
from cpmetrics.report.model import MeasureReport, Report, Table
from cpmetrics.report.xlsx import write_xlsx
from report_fixtures import report

MONTHS = [dt.date(year, month, 1) for year, month in report_fixtures.MONTHS]  # Oct 17-Oct 18
(CHILDREN, RATE, OPEN_2Y, CEASED, REPEATS, FAMILIES_2Y) = report_fixtures.measures()


def written(path: Path, paper: Report | None = None) -> Any:
    write_xlsx(paper or report(), path)
    return openpyxl.load_workbook(path)


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
        "Children on a plan by…",  # 31 characters at most, cut at a word
        "Children on a plan by team",
        "Children reaching 2 years on…",
        "Data quality",
        "Data",
        "Chart data",
    ]
    assert book.properties.title == "Child protection plans: October 2018"


def test_summary_measures_by_month_with_ytd_target_and_rag(book: Any) -> None:
    ws = book["Summary"]
    assert ws["A1"].value == "Child protection plans: October 2018"
    assert ws["A2"].value.startswith(
        "Brighton & Hove; Report month October 2018; made 5 November 2018; published figures"
    )
    header = [c.value for c in ws[4]]
    assert header[:2] == ["Measure", "Unit"]
    assert header[2:15] == [dt.datetime(m.year, m.month, 1) for m in MONTHS]  # real dates
    assert ws["C4"].number_format == "mmm yy"
    assert header[15:] == [
        *("Year to date", "Target", "RAG", "YTD RAG"),
        *("Oct 2018 numerator", "Oct 2018 denominator", "YTD numerator", "YTD denominator"),
        *("England", "South East", "Statistical neighbours", "Comparator year"),
    ]
    assert ws.freeze_panes == "B5"
    rows = rows_by_first_cell(ws, 5)
    open_2y = rows[OPEN_2Y.label]
    assert open_2y[1].value == "%"
    # 2 of 302, 4 of 293, 4 of 311 hidden; 6 of 319 = 1.88%; 5 of 332 hidden; 8 of 324 = 2.47%
    assert [c.value for c in open_2y[2:8]] == ["c", "c", "c", 1.9, "c", 2.5]
    assert open_2y[14].value == 3.3 and open_2y[14].number_format == "0.0"  # 11 of 336
    assert [c.value for c in open_2y[15:]] == [
        *(3.3, 2, "R", "R", 11, 336, 11, 336),
        *(None, None, None, None),  # no comparators for this measure
    ]
    assert open_2y[19].number_format == "0" and open_2y[16].number_format == "0.0"
    children = rows[CHILDREN.label]
    assert [c.value for c in children[2:5]] == [302, 293, 311]
    assert {c.number_format for c in children[2:15]} == {"0"}
    # A count: no target, no RAG, no denominator.
    assert [c.value for c in children[15:23]] == [336, None, None, None, 336, None, 336, None]
    families = rows[FAMILIES_2Y.label]
    assert [c.value for c in families[2:9]] == ["c", "c", "c", "c", "c", "c", 6]  # 1 to 5
    assert families[2].data_type == "s"
    assert [families[14].value, families[19].value] == ["c", "c"]  # October: 4 families
    ceased = rows[CEASED.label]
    # October: no plan ended, 0 of 0: no figure and no rating; the year to date 6 of 175
    assert ceased[13].value == 0 and ceased[14].value is None
    assert [c.value for c in ceased[15:23]] == [3.4, 4, None, "G", 0, 0, 6, 175]
    rate = rows[RATE.label]
    assert [c.value for c in rate[19:]] == [336, 76_700, 336, 76_700, 45.3, 39.2, None, "2017-18"]


def test_rag_is_a_letter_with_a_conditional_colour(book: Any) -> None:
    ws = book["Summary"]
    ranges = {str(r.sqref): [rule.formula for rule in r.rules] for r in ws.conditional_formatting}
    assert ranges["R5:R10"] == [['"R"'], ['"A"'], ['"G"']]  # RAG
    assert ranges["S5:S10"] == [['"R"'], ['"A"'], ['"G"']]  # YTD RAG


def test_a_rating_beside_a_hidden_figure_is_c(tmp_path: Path) -> None:
    """The builder gives no rating beside a hidden figure; a report that has one (made by
    hand here) still shows none: green would say the 4 families are under the target."""
    rated = replace(FAMILIES_2Y, target=5.0, rag="G")
    book = written(tmp_path / "paper.xlsx", replace(report(), measures=(CHILDREN, rated)))
    summary = rows_by_first_cell(book["Summary"], 5)[rated.label]
    assert [c.value for c in summary[14:18]] == ["c", None, 5, "c"]
    cells = [[c.value for c in row] for row in book["Measures"].iter_rows()]
    at = next(i for i, row in enumerate(cells) if row[0] == rated.label)
    assert cells[at + 2][1:6] == ["c", "c", None, 5, "c"]


def test_summary_sentences_and_the_lists_counts(book: Any) -> None:
    ws = book["Summary"]
    column_a = [c.value for c in ws["A"]]
    assert all(sentence in column_a for sentence in report().summary)
    counts = {r[0].value: r[1].value for r in ws.iter_rows(min_row=11) if r[0].value}
    # Publication mode: 3 families on the watchlist and 4 overdue reviews are 'c'; 23 are not.
    assert counts["Children on the watchlist"] == 23
    assert counts["Families on the watchlist"] == "c"
    assert counts["Reviews overdue"] == "c"
    assert "Visits overdue" not in counts  # no visit records


def test_without_publication_mode_small_counts_are_shown(tmp_path: Path) -> None:
    book = written(tmp_path / "internal.xlsx", report(suppressed=False))
    counts = {r[0].value: r[1].value for r in book["Summary"].iter_rows(min_row=11)}
    assert counts["Families on the watchlist"] == 3
    assert counts["Reviews overdue"] == 4


def test_measures_sheet_figures_and_sentences(book: Any) -> None:
    ws = book["Measures"]
    cells = [[c.value for c in row] for row in ws.iter_rows()]

    def block(measure: MeasureReport) -> int:
        return next(i for i, row in enumerate(cells) if row[0] == measure.label)

    at = block(OPEN_2Y)
    assert cells[at + 1][:11] == [
        *("Month", "Value", "Numerator", "Denominator", "Target", "RAG", "Year to date"),
        *("YTD numerator", "YTD denominator", "YTD RAG", "Families"),
    ]
    assert cells[at + 2][:11] == [
        *(dt.datetime(2018, 10, 1), 3.3, 11, 336, 2, "R"),
        *(3.3, 11, 336, "R", None),  # the families column is another measure's
    ]
    assert cells[at + 4][0] == OPEN_2Y.sentences[0]
    children = block(CHILDREN)
    assert cells[children + 2][1:11] == [336, 336, None, None, None, 336, 336, None, None, 200]
    assert [cells[children + 4][0], cells[children + 5][0]] == list(CHILDREN.sentences)
    rate = block(RATE)
    comparators = cells.index(["Comparator", "Year", "Value", *[None] * 8], rate)
    assert [row[:3] for row in cells[comparators + 1 : comparators + 4]] == [
        ["England", "2017-18", 45.3],
        ["South East", "2017-18", 39.2],
        ["Statistical neighbours", "2017-18", None],
    ]
    ceased = block(CEASED)
    assert cells[ceased + 2][1:6] == [None, 0, 0, 4, None]  # 0 of 0: no figure, not rated
    families = block(FAMILIES_2Y)
    assert cells[families + 2][1:4] == ["c", "c", None]  # a count has no denominator


def test_data_every_measure_by_month_as_numbers(book: Any) -> None:
    ws = book["Data"]
    header = [c.value for c in ws[1]]
    assert header == [
        *("measure", "label", "unit", "period", "period_start", "period_end"),
        *("value", "numerator", "denominator", "target"),
    ]
    assert ws.max_row == 1 + 6 * 13 and ws.freeze_panes == "B2"
    rows = {
        (r["measure"].value, r["period"].value): r
        for r in (dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2))
    }
    october = rows[("open_2y_plus_pct", "2018-10")]
    assert october["period_start"].value == dt.datetime(2018, 10, 1)
    assert october["period_start"].number_format == "yyyy-mm-dd"
    figures = ("value", "numerator", "denominator", "target")
    assert [october[k].value for k in figures] == [3.3, 11, 336, 2]
    assert [rows[("ceased_2y_plus_pct", "2018-10")][k].value for k in figures[:3]] == [None, 0, 0]
    assert [rows[("open_2y_plus_pct", "2017-10")][k].value for k in figures[:3]] == ["c"] * 3
    families = rows[("families_open_2y_plus", "2018-10")]
    assert [families[k].value for k in figures[:3]] == ["c", "c", None]


def test_no_cell_holds_a_number_for_a_suppressed_figure(book: Any) -> None:
    """Where the model has a suppressed point, the Data sheet has 'c' and the Chart data a
    blank: Excel would plot the text 'c' as 0."""
    chart = book["Chart data"]
    header = [c.value for c in chart[1]]
    assert header == [
        *("measure", "month", "value", "target"),
        *("England", "South East", "Statistical neighbours"),
    ]
    plotted = {(r[0], r[1]): r for r in chart.iter_rows(min_row=2, values_only=True)}
    data = {
        (r[0], r[3]): r for r in book["Data"].iter_rows(min_row=2, values_only=True)
    }  # (measure, period)
    hidden = [(m.measure, p) for m in report().measures for p in m.months if p.suppressed]
    # 4 months of open_2y_plus_pct, 6 of ceased_2y_plus_pct, 6 of repeat_plan_pct (one hidden
    # with September under the year to date), 7 of families_open_2y_plus
    assert len(hidden) == 23
    for measure, point in hidden:
        start = dt.datetime.combine(point.period_start, dt.time())
        assert plotted[(measure, start)][2] is None, (measure, point.period)
        assert data[(measure, point.period)][6:8] == ("c", "c"), (measure, point.period)
    assert plotted[("ceased_2y_plus_pct", dt.datetime(2018, 10, 1))][2] is None  # 0 of 0
    assert plotted[("open_2y_plus_pct", dt.datetime(2018, 1, 1))][2] == 1.9  # 6 of 319
    assert plotted[("rate_per_10k", dt.datetime(2018, 10, 1))][2:] == (43.8, None, 45.3, 39.2, None)


def charts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {
            n: z.read(n).decode()
            for n in z.namelist()
            if re.fullmatch(r"xl/charts/chart\d+\.xml", n)
        }


def test_one_native_line_chart_per_measure_on_the_chart_data(book_path: Path) -> None:
    found = charts(book_path)
    assert len(found) == 6
    refs = {}
    for xml in found.values():
        assert "<c:lineChart>" in xml
        # Blank cells are gaps: XlsxWriter leaves out Excel's default, so nothing says zero
        assert "dispBlanksAs" not in xml
        assert 'showVal val="1"' not in xml  # no data labels: no number printed on a chart
        title = re.search(r"<a:t>([^<]*)</a:t>", xml)
        assert title is not None
        refs[title.group(1)] = re.findall(r"<c:f>([^<]*)</c:f>", xml)
    # No target, no comparators: one series, the measure's months (rows 2-14)
    assert refs[CHILDREN.label] == ["'Chart data'!$B$2:$B$14", "'Chart data'!$C$2:$C$14"]
    # No target; the comparators published (England, the South East) as further series
    assert refs[RATE.label] == [
        *("'Chart data'!$B$15:$B$27", "'Chart data'!$C$15:$C$27"),
        *("'Chart data'!$B$15:$B$27", "'Chart data'!$E$15:$E$27"),
        *("'Chart data'!$B$15:$B$27", "'Chart data'!$F$15:$F$27"),
    ]
    # The months, then the target beside them
    assert refs[OPEN_2Y.label] == [
        *("'Chart data'!$B$28:$B$40", "'Chart data'!$C$28:$C$40"),
        *("'Chart data'!$B$28:$B$40", "'Chart data'!$D$28:$D$40"),
    ]


def test_a_chart_has_a_gap_where_a_figure_is_hidden(book_path: Path) -> None:
    xml = next(x for x in charts(book_path).values() if f"<a:t>{OPEN_2Y.label}</a:t>" in x)
    values = xml.split("<c:val>")[1].split("</c:val>")[0]
    points = dict(re.findall(r'<c:pt idx="(\d+)"><c:v>([^<]*)</c:v>', values))
    assert '<c:ptCount val="13"/>' in values
    assert not {"0", "1", "2", "4"} & set(points)  # 2, 4, 4 and 5 children: suppressed
    assert points["3"] == "1.9" and points["12"] == "3.3"


def test_the_charts_sit_on_the_measures_sheet(book_path: Path) -> None:
    with zipfile.ZipFile(book_path) as z:
        drawing = z.read("xl/drawings/drawing1.xml").decode()
        rels = z.read("xl/worksheets/_rels/sheet2.xml.rels").decode()
    assert drawing.count("<c:chart ") == 6
    assert "drawing1.xml" in rels  # sheet2: Measures


def test_breakdowns_and_lists_one_sheet_each(book: Any) -> None:
    ws = book["Children on a plan by…"]
    assert ws["A1"].value == "Children on a plan by duration, 31 October 2018"
    assert ws["A2"].value == "How long each child on a plan had been on the current plan."
    assert [c.value for c in ws[4]] == ["duration", "children", "share_pct"]
    assert ws.freeze_panes == "A5"
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    assert rows[0] == ["3 months or less", 79, 23.5]
    assert ws["C5"].number_format == "0.0"
    # The builder's column of figures with a 'c' in it is text: its figures are numbers again
    teams = book["Children on a plan by team"]
    assert [[c.value for c in r] for r in teams.iter_rows(min_row=3)] == [
        ["Team", "Children"],
        ["North | East", 210],
        ["South_West *duty*", "c"],
        ["[Hospital] team", "c"],
    ]
    reaching = book["Children reaching 2 years on…"]
    assert [c.value for c in reaching[4]] == [dt.datetime(2018, 11, 14), 7]
    assert reaching["A4"].number_format == "yyyy-mm-dd"


# Tables only a workbook meets: a long table with the publication marker column (its hidden
# row's figures become 'c'), labels that look like figures beside figures written as text
# (one with a thousands separator, as report.text writes it), a name that looks like a formula.
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
FAMILIES = pl.DataFrame(
    {
        "Children of the family on a plan": ["1", "2", "5+"],
        "Families": ["1,120", "c", "9"],
        "Families, %": ["90.2", "c", "6.8"],
    }
)
TEAMS = pl.DataFrame({"team": ["=North", "South"], "children": [9, 14]})


@pytest.fixture(scope="module")
def tables_book(tmp_path_factory: pytest.TempPathFactory) -> Any:
    paper = replace(
        report(),
        breakdowns=(
            Table("Children on a plan by duration", DURATION, "At 31 October 2018."),
            Table("Families by the number of their children on a plan", FAMILIES),
        ),
        lists=(Table("Watchlist by team", TEAMS),),
    )
    return written(tmp_path_factory.mktemp("tables") / "paper.xlsx", paper)


def test_a_long_table_hides_its_suppressed_rows_figures(tables_book: Any) -> None:
    ws = tables_book["Children on a plan by duration"]
    assert ws["A2"].value == "At 31 October 2018."
    assert [c.value for c in ws[4]] == [
        *("measure", "group", "numerator", "denominator", "value", "unit"),
    ]  # no marker column
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    assert rows[0][2:5] == [600, 706, 85.0]
    assert rows[2][2:5] == ["c", "c", "c"]  # 4 children: suppressed (and its share)


def test_figures_that_came_as_text_beside_a_c_are_numbers(tables_book: Any) -> None:
    ws = tables_book["Families by the number of…"]
    assert list(ws.iter_rows(min_row=3, values_only=True)) == [
        ("Children of the family on a plan", "Families", "Families, %"),
        ("1", 1120, 90.2),  # the labels stay text: '5+' is not a figure
        ("2", "c", "c"),
        ("5+", 9, 6.8),
    ]
    assert ws["B4"].number_format == "0" and ws["C4"].number_format == "0.0"


def test_a_cell_that_looks_like_a_formula_stays_text(tables_book: Any) -> None:
    teams = tables_book["Watchlist by team"]
    assert [c.value for c in teams[3]] == ["team", "children"]
    assert teams["A4"].value == "=North" and teams["A4"].data_type == "s"


def test_data_quality(book: Any) -> None:
    ws = book["Data quality"]
    facts = {r[0].value: r[1] for r in ws.iter_rows(min_row=3) if r[0].value}
    assert facts["Plan rows read"].value == 3118 and facts["Plan rows used"].value == 3102
    assert facts["Extract date"].value == dt.datetime(2018, 11, 5)
    assert facts["Extract date"].number_format == "yyyy-mm-dd"
    assert facts["end date before start date"].value == 9
    assert "The rate uses the ONS mid-2017 estimate of children aged 0-17." in [
        c.value for c in ws["A"]
    ]


def test_a_folder_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot write"):
        write_xlsx(report(), tmp_path / "no" / "paper.xlsx")


def test_a_measure_without_months_is_named_and_has_no_chart(tmp_path: Path) -> None:
    empty = replace(CHILDREN, measure="transfers_in", label="Transfers in", months=(), ytd=None)
    path = tmp_path / "paper.xlsx"
    book = written(path, replace(report(), measures=(OPEN_2Y, empty)))
    assert len(charts(path)) == 1
    summary = rows_by_first_cell(book["Summary"], 5)
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
