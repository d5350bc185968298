"""The Excel reader: sheet choice, header row, row numbers, cell text, and bad workbooks."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl  # test-only: writes the small workbooks below
import polars as pl
import pytest

from cpmetrics.errors import DataError, InputError, UsageError
from cpmetrics.io import excel
from cpmetrics.io.excel import read_excel
from cpmetrics.validate import validate_extract

Rows = Sequence[Sequence[object]]
PLAN_HEADINGS = [
    "Child Unique ID",
    "Child Protection Plan Start Date",
    "Child Protection Plan End Date",
]


def workbook(path: Path, sheets: dict[str, Rows]) -> Path:
    """Write sheets of rows (an empty row is an empty sheet row; None an empty cell)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(row=number, column=column, value=value)
    book.save(path)
    return path


def assert_text_frame(frame: pl.DataFrame) -> None:
    assert frame.columns[0] == "line"
    assert frame.schema["line"] == pl.Int64
    assert all(dtype == pl.String for name, dtype in frame.schema.items() if name != "line")


# --- a workbook laid out like liia-tools' Annex A sample ---------------------------------
# (tests_samples/ reads the real one): sheets 'List 1'..'List 11' with headings in row 1, an id
# stored as a number, dates as date cells, categories spelled out and a fractional age.

LIST_7_HEADINGS = [
    "Child Unique ID",
    "Date of Birth",
    "Age",
    "Child Protection Plan Start Date",
    "Initial Category of Abuse",
    "Child Protection Plan End Date",
    "Number of Previous Child Protection Plans",
]


def annex_a_like(path: Path) -> Path:
    lists: dict[str, Rows] = {f"List {n}": [["Child Unique ID", "Age"]] for n in range(1, 12)}
    lists["List 1"] = [["Child Unique ID", "Date of Contact"], [9212044, dt.datetime(2020, 9, 16)]]
    lists["List 7"] = [
        LIST_7_HEADINGS,
        [10721552, dt.datetime(2021, 1, 4), 0.19, dt.datetime(2020, 11, 23), "Physical abuse",
         dt.datetime(2021, 2, 16), 0],
        [5358472, dt.datetime(2015, 5, 29), 5.8, dt.datetime(2021, 2, 8), "Neglect", None, 1],
    ]  # fmt: skip
    return workbook(path, lists)


def test_annex_a_layout_reads_list_7(tmp_path: Path) -> None:
    raw = read_excel(annex_a_like(tmp_path / "Annex_A.xlsx"))
    assert raw.details == {"sheet": "List 7", "header_row": "1"}
    assert_text_frame(raw.frame)
    assert raw.frame.rows() == [
        (2, "10721552", "2021-01-04", "0.19", "2020-11-23", "Physical abuse", "2021-02-16", "0"),
        (3, "5358472", "2015-05-29", "5.8", "2021-02-08", "Neglect", None, "1"),
    ]


def test_annex_a_layout_validates_and_other_list_by_name(tmp_path: Path) -> None:
    path = annex_a_like(tmp_path / "Annex_A.xlsx")
    validated = validate_extract(read_excel(path), extract_date=dt.date(2026, 1, 1))
    assert (validated.report.input_rows, validated.report.used_rows) == (2, 2)
    assert validated.plans["end_date"].null_count() == 1
    other = read_excel(path, sheet="List 1")
    assert other.details["sheet"] == "List 1"
    assert other.frame.rows() == [(2, "9212044", "2020-09-16")]


# --- sheet choice ------------------------------------------------------------------------


def test_ofsted_template_layout_title_row_then_headings(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "annex_a.xlsx",
        {
            "Guidance": [["How to fill in this template"], ["Lists are on the other sheets"]],
            "List_1": [["List 1: Contacts"], ["Child Unique ID", "Date of Contact"], ["A", 1]],
            "List_7": [
                ["List 7: Child Protection"],
                [*PLAN_HEADINGS, "Number of Previous Child Protection Plans"],
                ["C1", dt.date(2020, 1, 5), None, 0],
                ["C2", dt.datetime(2019, 3, 4), dt.datetime(2020, 2, 1), 2],
            ],
        },
    )
    raw = read_excel(path)
    assert raw.details == {"sheet": "List_7", "header_row": "2"}
    previous = "Number of Previous Child Protection Plans"
    assert raw.frame.columns == ["line", *PLAN_HEADINGS, previous]
    assert raw.frame.rows() == [
        (3, "C1", "2020-01-05", None, "0"),
        (4, "C2", "2019-03-04", "2020-02-01", "2"),
    ]


def test_detects_the_plan_sheet_among_several(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "export.xlsx",
        {
            "Notes": [["Extract of CP plans, run 1 Jan 2026"], ["See the Plans sheet"]],
            "Lookups": [["Code", "Category"], ["NEG", "Neglect"]],
            "Plans": [
                ["Child protection plans"],
                [],
                ["LA Child ID", "CPP Start Date", "CPP End Date"],
                ["A", "2020-01-01", None],
            ],
        },
    )
    raw = read_excel(path)
    assert raw.details == {"sheet": "Plans", "header_row": "3"}
    assert raw.frame.rows() == [(4, "A", "2020-01-01", None)]


def test_a_single_sheet_is_read_even_with_unknown_headings(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "one.xlsx", {"Data": [["Ref", "Began", "Ended"], ["A", "2020-01-01", None]]}
    )
    raw = read_excel(path)
    assert raw.details == {"sheet": "Data", "header_row": "1"}
    assert raw.frame.columns == ["line", "Ref", "Began", "Ended"]


def test_empty_sheets_do_not_count_against_the_only_one(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "three.xlsx",
        {"Sheet1": [["Ref", "Began"], ["A", "2020-01-01"]], "Sheet2": [], "Sheet3": []},
    )
    assert read_excel(path).details["sheet"] == "Sheet1"


def test_no_recognisable_sheet_among_several_is_an_error(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "many.xlsx",
        {"Alpha": [["Ref", "Began"], ["A", "x"]], "Beta": [["Ref", "Ended"], ["B", "y"]]},
    )
    with pytest.raises(DataError, match=r"many\.xlsx: no sheet .*'Alpha', 'Beta'.*--sheet"):
        read_excel(path)


def test_sheet_by_name(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "named.xlsx",
        {
            "List_7": [PLAN_HEADINGS, ["A", "2020-01-01", None]],
            "Other": [PLAN_HEADINGS, ["B", "2021-01-01", None], ["C", "2021-02-01", None]],
        },
    )
    assert read_excel(path, sheet="Other").frame["Child Unique ID"].to_list() == ["B", "C"]
    # Case, spaces and underscores aside, the name still finds its sheet.
    assert read_excel(path, sheet="list 7").details["sheet"] == "List_7"
    with pytest.raises(UsageError, match=r"named\.xlsx: no sheet 'List 8' \(sheets: 'List_7', "):
        read_excel(path, sheet="List 8")


def test_named_sheet_that_is_empty(tmp_path: Path) -> None:
    path = workbook(tmp_path / "e.xlsx", {"Plans": [PLAN_HEADINGS], "Blank": []})
    with pytest.raises(DataError, match=r"e\.xlsx: sheet 'Blank' is empty"):
        read_excel(path, sheet="Blank")


# --- rows, line numbers and cell text ----------------------------------------------------


def test_blank_rows_are_dropped_counted_and_lines_stay_true(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "gaps.xlsx",
        {
            "Plans": [
                [],
                [],
                PLAN_HEADINGS,  # row 3: rows 1 and 2 are empty, not blank data lines
                ["A", "2020-01-01", None],
                [],
                ["   ", None, " "],  # only spaces: blank
                ["B", "2020-02-01", None],
                [],
            ]
        },
    )
    raw = read_excel(path)
    assert raw.details == {"sheet": "Plans", "header_row": "3", "blank_lines": "2"}
    assert raw.frame["line"].to_list() == [4, 7]
    assert raw.frame["Child Unique ID"].to_list() == ["A", "B"]


def test_cell_values_as_text(tmp_path: Path) -> None:
    headings = ["id", "whole", "fraction", "date", "midnight", "timed", "serial_text", "serial"]
    values = [
        "A",
        3,
        2.5,
        dt.date(2018, 10, 31),
        dt.datetime(2018, 10, 31, 0, 0),
        dt.datetime(2018, 10, 31, 13, 30),
        "43405",  # a serial number typed into a text cell stays as written
        43405,  # and so does one stored as a plain number
    ]
    path = workbook(tmp_path / "cells.xlsx", {"Plans": [headings, values, ["B", 3.0, -1.0]]})
    frame = read_excel(path).frame
    assert_text_frame(frame)
    assert frame.row(0, named=True) == {
        "line": 2,
        "id": "A",
        "whole": "3",
        "fraction": "2.5",
        "date": "2018-10-31",
        "midnight": "2018-10-31",
        "timed": "2018-10-31 13:30:00",
        "serial_text": "43405",
        "serial": "43405",
    }
    assert frame.row(1) == (3, "B", "3", "-1", None, None, None, None, None)


def test_headers_only_sheet_is_an_empty_frame(tmp_path: Path) -> None:
    path = workbook(tmp_path / "none.xlsx", {"List_7": [["List 7"], PLAN_HEADINGS]})
    raw = read_excel(path)
    assert raw.frame.height == 0
    assert raw.frame.columns == ["line", *PLAN_HEADINGS]
    assert_text_frame(raw.frame)
    assert raw.details["header_row"] == "2"


def test_header_names_as_written(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "names.xlsx",
        {
            "Plans": [
                ["Child Unique ID ", "start_date", "start_date", None, "line", None],
                ["A", "2020-01-01", "2020-01-02", "note", "7", None],
            ]
        },
    )
    frame = read_excel(path).frame
    # Outer spaces go (as in the CSV reader), repeats are marked for the duplicate-column rule,
    # a column with data but no heading is 'column', an empty one is dropped, and a file
    # column called 'line' does not clash with the row number.
    assert frame.columns == [
        "line",
        "Child Unique ID",
        "start_date",
        "start_date_duplicated_0",
        "column",
        "line (in file)",
    ]
    assert frame.row(0) == (2, "A", "2020-01-01", "2020-01-02", "note", "7")


def test_a_one_cell_title_over_unknown_headings(tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", {"Data": [["My report"], ["Ref", "Began"], ["A", "x"]]})
    raw = read_excel(path)
    assert raw.details["header_row"] == "2"
    assert raw.frame.rows() == [(3, "A", "x")]


# --- files that are not usable workbooks -------------------------------------------------


def _one_line_error(path: Path, match: str) -> None:
    with pytest.raises(DataError, match=match) as caught:
        read_excel(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert "\n" not in message


def test_csv_renamed_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "plans.xlsx"
    path.write_text("child_id,start_date,end_date\nA,2018-01-01,\n")
    _one_line_error(path, "not an Excel workbook.*CSV")


def test_truncated_workbook(tmp_path: Path) -> None:
    good = workbook(tmp_path / "good.xlsx", {"Plans": [PLAN_HEADINGS, ["A", "2020-01-01"]]})
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good.read_bytes()[:600])
    _one_line_error(path, "not a readable Excel workbook")


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    path = tmp_path / "archive.xlsx"
    path.write_bytes(buffer.getvalue())
    _one_line_error(path, "not a readable Excel workbook")


def test_damaged_sheet_inside_a_workbook(tmp_path: Path) -> None:
    good = workbook(tmp_path / "good.xlsx", {"Plans": [PLAN_HEADINGS, ["A", "2020-01-01"]]})
    path = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            target.writestr(item, data)
    _one_line_error(path, "sheet 'Plans' cannot be read")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "zero.xlsx"
    path.write_bytes(b"")
    _one_line_error(path, "the file is empty")


def test_empty_workbook(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    openpyxl.Workbook().save(path)
    _one_line_error(path, r"the workbook is empty \(sheets: 'Sheet'\)")


def test_empty_list_7(tmp_path: Path) -> None:
    path = workbook(tmp_path / "a.xlsx", {"List_1": [["Child Unique ID"], ["A"]], "List_7": []})
    _one_line_error(path, "sheet 'List_7' .* is empty")


def test_password_protected_workbook(tmp_path: Path) -> None:
    # An encrypted .xlsx is an OLE compound file holding an 'EncryptedPackage' stream.
    path = tmp_path / "locked.xlsx"
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    path.write_bytes(header + "EncryptedPackage".encode("utf-16-le") + bytes(1024))
    _one_line_error(path, "password-protected")


def test_other_ole_file(tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048))
    _one_line_error(path, "old-format or damaged Office file")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_excel(tmp_path / "absent.xlsx")
    with pytest.raises(InputError, match="is a directory"):
        read_excel(tmp_path)


# --- workbooks that claim to be huge (calamine would abort the process allocating them) -----

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_ML = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def handmade(path: Path, sheet_data: str, dimension: str = "A1:C2", sst: str = "") -> Path:
    """A minimal .xlsx written part by part, so that any part can say what it likes."""
    strings = ["child_id", "start_date", "end_date", "A", "2018-01-01"]
    sst = sst or 'count="5" uniqueCount="5"'
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{_TYPES}">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_ML}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_ML}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_ML}.sharedStrings+xml"/>'
        "</Types>",
        "_rels/.rels": f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        '<sheet name="Plans" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PKG}">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{_MAIN}"><dimension ref="{dimension}"/>'
        f"<sheetData>{sheet_data}</sheetData></worksheet>",
        "xl/sharedStrings.xml": f'<sst xmlns="{_MAIN}" {sst}>{items}</sst>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + text)
    return path


_HEADER_ROW = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    '<c r="C1" t="s"><v>2</v></c></row>'
)
_PLAN_ROW = '<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c></row>'


def test_a_handmade_workbook_reads(tmp_path: Path) -> None:
    raw = read_excel(handmade(tmp_path / "ok.xlsx", _HEADER_ROW + _PLAN_ROW))
    assert raw.frame.rows() == [(2, "A", "2018-01-01", None)]


@pytest.mark.parametrize(
    ("sheet_data", "dimension", "sst", "match"),
    [
        (
            _HEADER_ROW + '<row r="2"><c r="XFD1048576" t="s"><v>3</v></c></row>',
            "A1:C2",
            "",
            "its cells span 17,179,869,184 cells",
        ),
        (
            _HEADER_ROW + '<row r="2"><c r="A99999999999" t="s"><v>3</v></c></row>',
            "A1:C2",
            "",
            "its cells span",
        ),
        (
            _HEADER_ROW + _PLAN_ROW,
            "A1:XFD1048576",
            "",
            "its <dimension> declares 17,179,869,184 cells",
        ),
        (
            _HEADER_ROW + _PLAN_ROW,
            "A1:C2",
            'count="5" uniqueCount="4294967295"',
            "4,294,967,295 strings .uniqueCount",
        ),
        (
            _HEADER_ROW + _PLAN_ROW,
            "A1:C2",
            'count="4294967295" uniqueCount="5"',
            "4,294,967,295 strings .count",
        ),
    ],
    ids=["far-cell", "row-beyond-excel", "dimension", "unique-count", "count"],
)
def test_a_workbook_claiming_a_huge_size_is_refused(
    tmp_path: Path, sheet_data: str, dimension: str, sst: str, match: str
) -> None:
    path = handmade(tmp_path / "huge.xlsx", sheet_data, dimension, sst)
    with pytest.raises(DataError, match=match) as caught:
        read_excel(path)
    assert str(caught.value).startswith(f"{path}: the workbook claims to be far larger")


def test_openpyxl_cells_at_both_corners_are_refused(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = "child_id"
    book.active["XFD1048576"] = "x"
    book.save(tmp_path / "corners.xlsx")
    with pytest.raises(DataError, match="far larger than any extract"):
        read_excel(tmp_path / "corners.xlsx")


def test_one_far_cell_alone_is_cheap_and_read(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active["XFD1048576"] = "x"
    book.save(tmp_path / "far.xlsx")
    assert read_excel(tmp_path / "far.xlsx").frame.columns == ["line", "x"]


def test_a_workbook_unpacking_beyond_the_cap_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = handmade(tmp_path / "ok.xlsx", _HEADER_ROW + _PLAN_ROW)
    monkeypatch.setattr(excel, "_MAX_UNCOMPRESSED", 1000)
    with pytest.raises(DataError, match="its parts unpack to"):
        read_excel(path)


def test_a_200000_row_annex_a_list_passes_the_size_check(tmp_path: Path) -> None:
    """Annex A List 7 has about 14 columns; 200,000 plans is more than any authority has.
    (Its sheet is over the cell-by-cell limit: checked by its bounds.)"""
    template = '<row r="%d">' + "".join(f'<c r="{chr(65 + i)}%d"><v>1</v></c>' for i in range(14))
    rows = "".join(template % ((r,) * 15) + "</row>" for r in range(1, 200_002))
    path = handmade(tmp_path / "annex_a.xlsx", rows, "A1:N200001")
    excel._check_declared_size(path, str(path))  # no error
    with zipfile.ZipFile(path) as archive:
        part = archive.getinfo("xl/worksheets/sheet1.xml")
        assert part.file_size > excel._EXACT_SCAN
        assert excel._sheet_extent(archive, part) == (14 * 200_001, 26 * 200_001)
