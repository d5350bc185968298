"""The CSV reader: encodings, delimiters, and exact line numbers."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from cpmetrics.api import load_plans
from cpmetrics.errors import DataError, InputError
from cpmetrics.io import EXTRA, MISSING, file_column_names, read_extract
from cpmetrics.io import csv as csv_reader


def test_line_numbers_follow_the_file_even_with_quoted_line_breaks(
    write_csv: Callable[..., Path],
) -> None:
    text = 'child_id,start_date,end_date,note\nA,2018-01-01,,"two\nlines"\n\nB,2018-01-02,,x\n'
    raw = read_extract(write_csv(text))
    # A starts on line 2 (its note runs onto line 3), line 4 is empty, B is on line 5.
    assert raw.frame["line"].to_list() == [2, 5]
    assert raw.frame["child_id"].to_list() == ["A", "B"]
    assert raw.details["blank_lines"] == "1"


@pytest.mark.parametrize("start", ["\n\n", "\r\n\r\n", "\ufeff\n\n"])
def test_line_numbers_count_blank_lines_before_the_header(
    write_csv: Callable[..., Path], start: str
) -> None:
    """No quotes, so no record spans lines; but polars skips leading blank lines."""
    newline = "\r\n" if "\r" in start else "\n"
    text = start + newline.join(["child_id,start_date,end_date", "A,2018-01-01,", ",2018-01-02,"])
    raw = read_extract(write_csv(text + newline))
    assert raw.frame["line"].to_list() == [4, 5]
    assert raw.details["blank_lines"] == "2"  # skipped, and counted like any other


def test_a_nul_byte_in_a_small_file_is_a_damaged_value_not_a_binary_file(
    write_csv: Callable[..., Path],
) -> None:
    raw = read_extract(write_csv("child_id,start_date,end_date\nG\x00X,2018-01-01,\n"))
    assert raw.frame["child_id"].to_list() == ["G\x00X"]
    assert raw.details["nul_bytes"] == "yes"


def test_classic_mac_line_endings(write_csv: Callable[..., Path]) -> None:
    raw = read_extract(write_csv("child_id,start_date,end_date\rA,2018-01-01,\rB,2018-01-02,\r"))
    assert raw.frame["child_id"].to_list() == ["A", "B"]


def test_a_long_field_beside_a_quoted_line_break(write_csv: Callable[..., Path]) -> None:
    note = "x" * 200_000
    text = f'child_id,start_date,end_date,note\nA,2018-01-01,,"{note}"\nB,2018-01-02,,"a\nb"\n'
    raw = read_extract(write_csv(text))
    assert raw.frame["line"].to_list() == [2, 3]


@pytest.mark.parametrize(
    ("encoding", "prefix"), [("utf-8", ""), ("utf-8", "\ufeff"), ("cp1252", "")]
)
def test_encodings(write_csv: Callable[..., Path], encoding: str, prefix: str) -> None:
    raw = read_extract(
        write_csv(prefix + "child_id,start_date,end_date\nZoë£,2018-01-01,\n", encoding=encoding)
    )
    assert raw.frame.columns[1] == "child_id"
    assert raw.frame["child_id"].to_list() == ["Zoë£"]


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_delimiters(write_csv: Callable[..., Path], delimiter: str) -> None:
    text = delimiter.join(["child_id", "start_date", "end_date"]) + "\r\n"
    text += delimiter.join(["A", "2018-01-01", ""]) + "\r\n"
    raw = read_extract(write_csv(text))
    assert raw.frame.row(0, named=True) == {
        "line": 2,
        "child_id": "A",
        "start_date": "2018-01-01",
        "end_date": None,
    }


def test_ragged_rows_are_kept_and_marked(write_csv: Callable[..., Path]) -> None:
    raw = read_extract(write_csv("child_id,start_date,end_date\nA,2018-01-01,,extra\nB\n"))
    assert raw.frame["line"].to_list() == [2, 3]
    assert raw.frame["_extra_fields"].to_list() == ["extra", None]
    assert raw.frame["_missing_fields"].to_list() == [None, 2]
    assert raw.frame["start_date"].to_list() == ["2018-01-01", None]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"\n\n  \n", "empty"), (b"\x89PNG\r\n\x1a\n\x00\x00", "binary")],
)
def test_unusable_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        read_extract(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_extract(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="directory"):
        read_extract(tmp_path)


# --- headers that are the readers' own column names ---------------------------------------

_READER_NAMES = ["line", "_missing_fields", "_extra_fields", "xml_path"]


@pytest.mark.parametrize("name", _READER_NAMES)
@pytest.mark.parametrize("ragged", [False, True], ids=["fast", "careful"])
def test_a_header_named_like_a_reader_column_is_renamed(
    write_csv: Callable[..., Path], name: str, ragged: bool
) -> None:
    """The reader adds 'line' (and the ragged-row markers); the file's own column is kept
    as 'NAME (in file)' on both paths (a long row sends the file to the careful reader)."""
    row = "A,2018-01-01,,x" + (",extra" if ragged else "")
    raw = read_extract(write_csv(f"child_id,start_date,end_date,{name}\n{row}\n"))
    assert f"{name} (in file)" in raw.frame.columns
    assert raw.frame["line"].to_list() == [2]
    assert raw.frame[f"{name} (in file)"].to_list() == ["x"]
    loaded = load_plans(raw.source, extract_date=dt.date(2019, 12, 31))
    assert loaded.plans.height == 1


@pytest.mark.parametrize("ragged", [False, True], ids=["fast", "careful"])
def test_renamed_headers_never_clash_with_the_files_own(
    write_csv: Callable[..., Path], ragged: bool
) -> None:
    row = "A,2018-01-01,,1,2,3" + (",extra" if ragged else "")
    text = f"child_id,start_date,end_date,line,line (in file),line\n{row}\n"
    frame = read_extract(write_csv(text)).frame
    assert frame.columns[:7] == [
        "line",
        "child_id",
        "start_date",
        "end_date",
        "line (in file)",
        "line (in file)_duplicated_0",
        "line (in file)_duplicated_1",
    ]
    assert len(set(frame.columns)) == frame.width


def test_reader_names_are_the_same_in_every_format(tmp_path: Path) -> None:
    headers = ["child_id", " line ", "", "xml_path", "line (in file)", "x_duplicated_0", "x", "x"]
    assert file_column_names(headers) == [
        "child_id",
        "line (in file)",
        "column",
        "xml_path (in file)",
        "line (in file)_duplicated_0",
        "x_duplicated_0",
        "x",
        "x_duplicated_1",
    ]
    frame = pl.DataFrame({"line": ["1"], "line (in file)": ["2"], "xml_path": ["3"]})
    frame.write_parquet(tmp_path / "p.parquet")
    assert read_extract(tmp_path / "p.parquet").frame.columns == [
        "line",
        "line (in file)",
        "line (in file)_duplicated_0",
        "xml_path (in file)",
    ]


# --- the delimiter comes from the header line ---------------------------------------------


def test_the_delimiter_comes_from_the_header_not_a_line_near_the_end(
    write_csv: Callable[..., Path],
) -> None:
    """A file over 64 KiB: the header, not some line near the end, sets the delimiter."""
    rows = "".join(f"C{i},2018-01-01,,a;b;c;d;e\n" for i in range(4000))
    raw = read_extract(write_csv("child_id,start_date,end_date,note\n" + rows))
    assert raw.details["delimiter"] == "','"
    assert raw.frame["note"][0] == "a;b;c;d;e"
    assert raw.frame.height == 4000


def test_the_delimiter_after_more_than_64_kib_of_blank_lines(
    write_csv: Callable[..., Path],
) -> None:
    raw = read_extract(write_csv("\n" * 70_000 + "child_id;start_date;end_date\nA;2018-01-01;\n"))
    assert raw.details["delimiter"] == "';'"
    assert raw.frame["line"].to_list() == [70_002]
    assert raw.frame["child_id"].to_list() == ["A"]


@pytest.mark.parametrize("blank", ["   \n", "\t\t\n", " \t \r\n", "\n \n\t\n"])
def test_a_line_of_spaces_or_tabs_is_not_the_header(
    write_csv: Callable[..., Path], blank: str
) -> None:
    raw = read_extract(write_csv(blank + "child_id;start_date;end_date\nA;2018-01-01;\n"))
    assert raw.details["delimiter"] == "';'"
    assert raw.frame.columns[:4] == ["line", "child_id", "start_date", "end_date"]
    assert raw.frame["line"].to_list() == [blank.count("\n") + 2]


def test_a_file_of_whitespace_lines_is_empty(write_csv: Callable[..., Path]) -> None:
    with pytest.raises(DataError, match="the file is empty"):
        read_extract(write_csv(" \n\t\n  \r\n"))


# --- a bare carriage return is a line break on both paths -----------------------------------


def test_a_bare_cr_outside_quotes_ends_the_record(write_csv: Callable[..., Path]) -> None:
    raw = read_extract(write_csv("child_id,start_date,end_date\nA,2018-01-01,\rB,2018-01-02,\n"))
    assert raw.frame["child_id"].to_list() == ["A", "B"]
    assert raw.frame["line"].to_list() == [2, 3]


def test_a_bare_cr_inside_quotes_is_kept_and_counted_as_a_line(
    write_csv: Callable[..., Path],
) -> None:
    text = 'child_id,start_date,end_date,note\nA,2018-01-01,,"x\ry"\nB,2018-01-02,,z\n'
    raw = read_extract(write_csv(text))
    assert raw.frame["note"].to_list() == ["x\ry", "z"]
    assert raw.frame["line"].to_list() == [2, 4]  # as with a quoted LF


def _without_empty_markers(frame: pl.DataFrame) -> pl.DataFrame:
    markers = [
        c for c in (EXTRA, MISSING) if c in frame.columns and frame[c].null_count() == frame.height
    ]
    return frame.drop(markers)


def test_both_readers_give_the_same_rows_and_lines() -> None:
    """Whenever the fast reader is used, the careful one gives the same frame."""
    rng = random.Random(7)
    plain = ["A", "B", "2018-01-01", "", "x y", '"q,r"']
    breaks = ["\r", '"s\rt"', '"u\nv"', '"w\r\nz"', "a\rb"]  # inside or outside quotes
    fast = 0
    for _ in range(300):
        pieces = plain + (breaks if rng.random() < 0.5 else [])
        end = rng.choice(["\n", "\r\n", "\n", "\r\n", "\r"])  # one line end per file
        lines = ["child_id,start_date,end_date"]
        for _ in range(rng.randint(1, 5)):
            lines.append(",".join(rng.choice(pieces) for _ in range(3)))
        text = "".join(line + end for line in lines)
        got = csv_reader.parse_csv_bytes(text.encode(), "x.csv").frame
        if "\n" not in text:  # old Mac line ends: every CR is read as LF, on both paths
            text = text.replace("\r", "\n")
        careful, _ = csv_reader._careful_read(text, ",", "x.csv")
        assert _without_empty_markers(got).equals(_without_empty_markers(careful)), repr(text)
        fast += EXTRA not in got.columns
    assert fast > 20  # the fast reader was compared, not only the careful one


# --- UTF-16 and UTF-32 ---------------------------------------------------------------------

_TABBED = "child_id\tstart_date\tend_date\r\nA\t2018-01-01\t\r\nZoë\t02/03/2018\t2018-05-01\r\n"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
    ],
)
def test_unicode_text_with_a_byte_order_mark(
    write_csv: Callable[..., Path], bom: bytes, codec: str
) -> None:
    """Excel's "Unicode Text" save: UTF-16 LE with a BOM, tab-delimited, CRLF line ends."""
    utf8 = read_extract(write_csv(_TABBED, name="utf8.txt"))
    path = write_csv("", name=f"{codec}.txt")
    path.write_bytes(bom + _TABBED.encode(codec))
    wide = read_extract(path)
    assert wide.frame.equals(utf8.frame)
    assert wide.frame["child_id"].to_list() == ["A", "Zoë"]
    assert wide.details["encoding"] == codec
    assert wide.details["delimiter"] == repr("\t")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_named(
    write_csv: Callable[..., Path], codec: str
) -> None:
    path = write_csv("", name="nobom.txt")
    path.write_bytes(_TABBED.encode(codec))
    with pytest.raises(DataError, match="looks like UTF-16 text without a byte-order mark"):
        read_extract(path)
