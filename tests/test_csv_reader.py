"""The CSV reader: encodings, delimiters, and exact line numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from cpmetrics.api import load_plans
from cpmetrics.errors import DataError, InputError
from cpmetrics.io import file_column_names, read_extract


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
