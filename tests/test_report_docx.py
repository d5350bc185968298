"""The Word paper, read back with python-docx as an analyst's copy of Word would show it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import docx
import pytest
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from cpmetrics.errors import UsageError
from cpmetrics.report.docx import write_docx
from cpmetrics.report.model import MeasureReport, Point, Report
from report_fixtures import report, watch_charts

LABELS = [
    "Children on a child protection plan",
    "Rate per 10,000 children aged 0-17",
    "On a plan for 2 years or more (% of children on a plan)",
    "Plans ended that had lasted 2 years or more (%)",
    "Plans started that were a second or subsequent plan (%)",
    "Families with a child on a plan for 2 years or more",
]
MONTHS_2018 = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct")


@pytest.fixture
def charts(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    return watch_charts(monkeypatch)


def written(tmp_path: Path, paper: Report | None = None) -> Document:
    path = tmp_path / "report.docx"
    write_docx(paper or report(), path)
    return docx.Document(str(path))


def every_text(document: Document) -> str:
    """All the words a reader can see: paragraphs and every table cell."""
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def styled(document: Document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style is not None and p.style.name == style]


def rows(table: docx.table.Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_headings_in_built_in_styles(tmp_path: Path, charts: dict[str, bytes]) -> None:
    document = written(tmp_path)
    assert styled(document, "Title") == ["Child protection plans: October 2018"]
    assert styled(document, "Heading 1") == [
        "Summary",
        "Measures by month",
        "Measures",
        "Breakdowns",
        "Lists for managers",
        "Data quality",
    ]
    assert styled(document, "Heading 2") == [
        *LABELS,
        "Children on a plan by duration, 31 October 2018",
        "Children on a plan by team",
        "Children reaching 2 years on a plan in the next 12 weeks",
    ]
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[1:3] == [
        "Brighton & Hove, October 2018",
        "Figures for 1 to 31 October 2018, produced on 5 November 2018.",
    ]
    # the opening summary sentences follow their heading
    start = paragraphs.index("Summary")
    assert paragraphs[start + 1 : start + 3] == list(report().summary)
    assert all(t.style is not None and t.style.name == "Table Grid" for t in document.tables)


def two_lines(figure: str) -> str:
    """'3.3% (11 of 336)' as the cell holds it when the counts go under the percentage."""
    return figure.replace(" (", "\n(")


def test_summary_table_holds_the_figures(tmp_path: Path, charts: dict[str, bytes]) -> None:
    """Worked from the fixture's counts: 9 of 321 is 2.80% -> 2.8%; 17 of 37 is 45.95% ->
    45.9%; 59 of 229 is 25.76% -> 25.8%; the rate 321 x 10,000 / 76,700 = 41.85 -> 41.9.

    Thirteen months of 'nn.n% (nn of nnn)' (about 2.5 cm a column at 8 pt) do not fit a
    landscape A4 page (27.2 cm between Word's narrow margins), so each figure's counts go on a
    second line ('(59 of 229)', about 1.7 cm): then the measure's name (3.8 cm), the year to
    date, the target and the two ratings leave room for the latest twelve months."""
    table = written(tmp_path).tables[0]
    months = ["Nov 2017", "Dec 2017"] + [f"{m} 2018" for m in MONTHS_2018]
    children = ["293", "311", "319", "332", "324", "321", "324", "345", "350", "360", "343"]
    rates = ["38.4", "40.7", "41.8", "43.5", "42.4", "41.9", "42.2", "45.0", "45.6", "46.9"]
    expected = [
        ["Measure", *months, "YTD", "Target", "Oct 2018 RAG", "YTD RAG"],
        [LABELS[0], *children, "336", "336", "", "", ""],
        [LABELS[1], *rates, "44.7", "43.8", "43.8", "", "", ""],
        [
            LABELS[2],
            "c",  # 4 of 293
            "c",  # 4 of 311
            "1.9% (6 of 319)",
            "c",  # 5 of 332
            "2.5% (8 of 324)",
            "2.8% (9 of 321)",
            "3.1% (10 of 324)",
            "3.2% (11 of 345)",
            "3.4% (12 of 350)",
            "3.1% (11 of 360)",
            "3.2% (11 of 343)",
            "3.3% (11 of 336)",
            "3.3% (11 of 336)",
            "2.0%",
            "Red",
            "Red",
        ],
        [
            LABELS[3],
            "c",  # 2 of 26
            "0.0% (0 of 23)",
            "0.0% (0 of 23)",
            "c",  # 1 of 25
            "c",  # 1 of 38
            "0.0% (0 of 40)",
            "c",  # 4 of 27
            "c",  # 1 of 22
            "0.0% (0 of 30)",
            "c",  # 1 of 23
            "0.0% (0 of 33)",
            "- (0 of 0)",  # no plan ended: no percentage, and no rating
            "3.4% (6 of 175)",
            "4.0%",
            "",
            "Green",
        ],
        [
            LABELS[4],
            "c",  # 2 of 17
            "c",  # 5 of 41
            "c",  # 4 of 31
            "15.8% (6 of 38)",
            "30.0% (9 of 30)",
            "45.9% (17 of 37)",
            "26.7% (8 of 30)",
            "c",  # 6 of 43, hidden with September under the year to date
            "25.7% (9 of 35)",
            "21.2% (7 of 33)",
            "c",  # 3 of 16
            "25.7% (9 of 35)",
            "25.8% (59 of 229)",
            "22.0%",
            "Red",
            "Red",
        ],
        [LABELS[5], "c", "c", "c", "c", "c", "6", "7", "7", "8", "7", "7", "c", "", "", "", ""],
    ]
    assert rows(table) == [
        [cell if i == 0 else two_lines(cell) for i, cell in enumerate(row)] for row in expected
    ]


def test_summary_table_on_its_own_landscape_page(tmp_path: Path, charts: dict[str, bytes]) -> None:
    document = written(tmp_path)
    orientations = [s.orientation for s in document.sections]
    assert orientations == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    wide = document.sections[1]
    assert wide.page_width is not None and round(wide.page_width.cm, 1) == 29.7
    assert "The table shows the latest 12 of 13 months; each measure's chart shows them all." in [
        p.text for p in document.paragraphs
    ]
    # the header row repeats on each page the table runs onto
    header = document.tables[0].rows[0]._tr
    assert header.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None


def test_figures_stay_on_one_line_where_the_months_fit(
    tmp_path: Path, charts: dict[str, bytes]
) -> None:
    """Six months of percentages with their counts (about 2.5 cm each) are too wide for a
    portrait page (17.4 cm) but fit a landscape one on one line, all shown."""
    paper = report()
    six = tuple(dataclasses.replace(m, months=m.months[-6:]) for m in paper.measures)
    document = written(tmp_path, dataclasses.replace(paper, measures=six))
    assert [s.orientation for s in document.sections] == [
        WD_ORIENT.PORTRAIT,
        WD_ORIENT.LANDSCAPE,
        WD_ORIENT.PORTRAIT,
    ]
    table = rows(document.tables[0])
    assert table[0][1:8] == [f"{m} 2018" for m in ("May", "Jun", "Jul", "Aug", "Sep", "Oct")] + [
        "YTD"
    ]
    assert table[3][1:8] == [
        "3.1% (10 of 324)",
        "3.2% (11 of 345)",
        "3.4% (12 of 350)",
        "3.1% (11 of 360)",
        "3.2% (11 of 343)",
        "3.3% (11 of 336)",
        "3.3% (11 of 336)",
    ]
    assert not any(p.text.startswith("The table shows") for p in document.paragraphs)


def test_a_narrow_summary_table_stays_on_the_portrait_page(
    tmp_path: Path, charts: dict[str, bytes]
) -> None:
    """Counts only, six months: every month fits a portrait A4 page."""
    children = report().measures[0]
    short = dataclasses.replace(children, months=children.months[-6:], ytd=None)
    paper = dataclasses.replace(report(), measures=(short,))
    document = written(tmp_path, paper)
    assert [s.orientation for s in document.sections] == [WD_ORIENT.PORTRAIT]
    assert rows(document.tables[0]) == [
        ["Measure", "May 2018", "Jun 2018", "Jul 2018", "Aug 2018", "Sep 2018", "Oct 2018"],
        [LABELS[0], "324", "345", "350", "360", "343", "336"],
    ]


def test_rag_is_a_word_on_a_fill(tmp_path: Path, charts: dict[str, bytes]) -> None:
    """The rating in words, as every format writes it, on its colour: never colour alone."""
    table = written(tmp_path).tables[0]

    def fill(row: int, column: int) -> str | None:
        shading = table.rows[row].cells[column]._tc.tcPr.find(qn("w:shd"))
        return None if shading is None else shading.get(qn("w:fill"))

    assert table.rows[3].cells[-2].text == "Red" and fill(3, -2) == "FFC7CE"
    assert table.rows[4].cells[-1].text == "Green" and fill(4, -1) == "C6EFCE"
    assert table.rows[4].cells[-2].text == "" and fill(4, -2) is None


def test_each_measure_has_its_figures_chart_and_sentences(
    tmp_path: Path, charts: dict[str, bytes]
) -> None:
    document = written(tmp_path)
    paragraphs = [p.text for p in document.paragraphs]
    section = paragraphs[paragraphs.index(LABELS[2]) : paragraphs.index(LABELS[3])]
    assert [p for p in section if p] == [
        LABELS[2],
        "October 2018: 3.3% (11 of 336)",
        "October 2017: c",  # 2 of 302
        "Year to date (1 April to 31 October 2018): 3.3% (11 of 336)",
        "Target: 2.0%; rating for October 2018: Red; for the year to date: Red.",
        "3.3% of the children on a plan had been on it 2 years or more (11 of 336).",
    ]
    assert styled(document, "List Bullet")[:2] == list(report().measures[0].sentences)
    assert "October 2018: 336 children, in 200 families" in paragraphs
    assert "October 2018: 43.8 per 10,000 (336 of 76,700)" in paragraphs
    assert (
        "Comparators: England 2017-18: 45.3; South East 2017-18: 39.2; "
        "Statistical neighbours 2017-18: no figure."
    ) in paragraphs
    assert "October 2018: no figure (0 of 0)" in paragraphs
    assert "Target: 4.0%; rating for October 2018: none; for the year to date: Green." in (
        paragraphs
    )


def test_one_chart_image_per_measure_with_a_text_alternative(
    tmp_path: Path, charts: dict[str, bytes]
) -> None:
    document = written(tmp_path)
    shapes = list(document.inline_shapes)
    labels = {m.measure: m.label for m in report().measures}
    assert len(shapes) == len(LABELS) == len(charts) == len(set(charts.values()))
    for shape, (measure, png) in zip(shapes, charts.items(), strict=True):
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        assert document.part.related_parts[blip.embed].blob == png  # the chart as drawn
        assert shape.width is not None and round(shape.width.inches, 2) == 6.5
        assert shape._inline.docPr.get("descr").startswith(f"Trend chart: {labels[measure]}, ")
    # the chart in words: each month's figure, 'not published' for a suppressed one
    assert shapes[2]._inline.docPr.get("descr") == (
        f"Trend chart: {LABELS[2]}, month by month from October 2017 to October 2018: "
        "Oct 2017 not published; Nov 2017 not published; Dec 2017 not published; "
        "Jan 2018 1.9%; Feb 2018 not published; Mar 2018 2.5%; Apr 2018 2.8%; May 2018 3.1%; "
        "Jun 2018 3.2%; Jul 2018 3.4%; Aug 2018 3.1%; Sep 2018 3.2%; Oct 2018 3.3%. "
        "Target: 2.0%."
    )


def test_breakdowns_lists_and_quality_as_tables(tmp_path: Path, charts: dict[str, bytes]) -> None:
    document = written(tmp_path)
    duration, teams, reaching, excluded = (rows(t) for t in document.tables[1:])
    assert duration[0] == ["Duration", "Children", "Share pct"]
    assert duration[1] == ["3 months or less", "79", "23.5"]
    assert duration[-1] == ["2 years or more", "11", "3.3"]
    assert teams == [
        ["Team", "Children"],
        ["North | East", "210"],
        ["South_West *duty*", "c"],
        ["[Hospital] team", "c"],
    ]
    assert reaching == [["Reaches 2y on", "Children"], ["14 Nov 2018", "7"], ["2 Dec 2018", "9"]]
    assert excluded == [
        ["Reason", "Rows"],
        ["end date before start date", "9"],
        ["no start date", "7"],
    ]
    # a table's description stays on the page with it
    description = next(p for p in document.paragraphs if p.text.startswith("How long each"))
    assert description.paragraph_format.keep_with_next
    bullets = styled(document, "List Bullet")
    assert bullets[-8:] == [
        "Children on the watchlist: 23, in c families",  # 3 families
        "Overdue reviews: c",  # 4
        "Files read: cp_plans.csv",
        "Plan rows read: 3,118",
        "Plan rows used: 3,102",
        "Population: all plans in the extract",
        "Extract date: 5 November 2018",
        "The rate uses the ONS mid-2017 estimate of children aged 0-17.",
    ]


def test_no_suppressed_count_anywhere(tmp_path: Path, charts: dict[str, bytes]) -> None:
    """The counts the fixture hides (September's 3 of 16 repeat plans = 18.8%, June's 6 of 43 =
    14.0%, 4 families on a plan 2 years or more, 3 watchlist families, 4 overdue reviews), and
    the same with a point that wrongly kept its counts: none is in any paragraph or cell."""
    paper = report()
    families = paper.measures[5]
    leaky = Point("2018-10", dt.date(2018, 10, 1), dt.date(2018, 10, 31), 4.0, 4, None, True)
    paper = dataclasses.replace(
        paper,
        measures=(
            *paper.measures[:5],
            dataclasses.replace(families, months=(*families.months[:-1], leaky)),
        ),
    )
    text = every_text(written(tmp_path, paper))
    for hidden in ("3 of 16", "18.8", "6 of 43", "14.0", "4 families", "3 families"):
        assert hidden not in text
    assert "Overdue reviews: 4" not in text and "Overdue reviews: c" in text
    header, *_, families_row = rows(written(tmp_path, paper).tables[0])
    assert families_row[header.index("Oct 2018")] == "c"
    assert "October 2018: c" in text


def test_publication_note_only_when_suppressed(tmp_path: Path, charts: dict[str, bytes]) -> None:
    note = "Publication version: counts from 1 to 5"
    assert note in every_text(written(tmp_path))
    open_copy = dataclasses.replace(report(), suppressed=False)
    assert note not in every_text(written(tmp_path, open_copy))


def test_file_properties_are_the_reports(tmp_path: Path, charts: dict[str, bytes]) -> None:
    properties = written(tmp_path).core_properties
    assert properties.title == "Child protection plans: October 2018"
    assert properties.created == dt.datetime(2018, 11, 5, tzinfo=dt.UTC)
    assert properties.author == "cpmetrics"


def test_a_measure_with_no_months_says_so(tmp_path: Path, charts: dict[str, bytes]) -> None:
    empty = MeasureReport(
        "plans_started", "Plans started", "plans", (), None, None, None, None, None
    )
    paper = dataclasses.replace(report(), measures=(*report().measures, empty))
    paragraphs = [p.text for p in written(tmp_path, paper).paragraphs]
    assert paragraphs[paragraphs.index("Plans started") + 1] == "No figures for this measure."
    assert "plans_started" not in charts


def test_an_unwritable_path_is_a_usage_error(tmp_path: Path, charts: dict[str, bytes]) -> None:
    with pytest.raises(UsageError, match="cannot write"):
        write_docx(report(), tmp_path / "no such folder" / "report.docx")


def test_the_sample_papers_figures_are_computes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cpmetrics report --out x.docx` on the bundled sample (from the project folder, whose
    cpmetrics.toml gives the population): October 2018's column and the year to date hold the
    figures `cpmetrics trend --from 2018-10 --to 2018-10` gives (copied from its CSV)."""
    from typer.testing import CliRunner

    from cpmetrics.cli import app

    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    out = tmp_path / "october.docx"
    result = CliRunner().invoke(app, ["report", "--month", "2018-10", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    header, *table = rows(docx.Document(str(out)).tables[0])
    month, ytd = header.index("Oct 2018"), header.index("YTD")
    shown = {row[0]: (row[month], row[ytd]) for row in table}
    assert shown == {
        "Children on a child protection plan": ("336", "336"),
        "Rate per 10,000 children aged 0-17": ("43.8", "43.8"),
        "On a plan for 2 years or more (% of children on a plan)": (
            two_lines("3.3% (11 of 336)"),
            two_lines("3.3% (11 of 336)"),
        ),
        "Plans ended that had lasted 2 years or more (%)": (
            two_lines("0.0% (0 of 42)"),
            two_lines("2.8% (6 of 217)"),
        ),
        "Plans started that were a second or subsequent plan (%)": (
            two_lines("25.7% (9 of 35)"),
            two_lines("25.8% (59 of 229)"),
        ),
        "Plans started": ("35", "229"),
        "Plans ended": ("42", "217"),
        "Children who started a plan": ("35", "229"),
        "Children whose plan ended": ("42", "217"),
        "Plans open at any point in the period": ("378", "553"),
        "Children on a plan at any point in the period": ("378", "546"),
        "Children on a second or subsequent plan (%)": (
            two_lines("23.8% (80 of 336)"),
            two_lines("23.8% (80 of 336)"),
        ),
        "Families with a child on a plan": ("200", "200"),
        "Families with a child on a plan for 2 years or more": ("7", "7"),
        # The sample's reviews and visits (sample_data/cp_reviews.csv, cp_visits.csv).
        "Children on a plan 3 months or more reviewed within timescales (%)": (
            two_lines("80.2% (206 of 257)"),
            two_lines("80.2% (206 of 257)"),
        ),
        "Children on a plan seen within the visit interval (%)": (
            two_lines("93.8% (304 of 324)"),
            two_lines("93.8% (304 of 324)"),
        ),
        "Visits at which the child was seen alone (%)": (
            two_lines("68.0% (571 of 840)"),
            two_lines("66.5% (3,878 of 5,835)"),
        ),
    }


def test_a_report_with_nothing_in_it(tmp_path: Path, charts: dict[str, bytes]) -> None:
    """No measures, no tables, no quality section: the title and the month, nothing broken."""
    bare = Report(
        title="Child protection plans: October 2018",
        area=None,
        month="2018-10",
        month_start=dt.date(2018, 10, 1),
        month_end=dt.date(2018, 10, 31),
        generated=dt.date(2018, 11, 5),
        suppressed=False,
        measures=(),
    )
    document = written(tmp_path, bare)
    assert [p.text for p in document.paragraphs] == [
        "Child protection plans: October 2018",
        "October 2018",
        "Figures for 1 to 31 October 2018, produced on 5 November 2018.",
    ]
    assert document.tables == [] and charts == {}
