"""CSV reader: UTF-8 (with or without BOM) or Windows-1252, or UTF-16/32 with a BOM; comma, tab,
semicolon or pipe, as the header line shows.

Every record keeps the line of the file it starts on. A well-formed file goes through polars'
fast reader; anything irregular (quoted line breaks, ragged rows, blank lines) goes through the
csv module, which knows each record's line exactly and reports short and long rows.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import polars as pl

from cpmetrics.errors import DataError, InputError
from cpmetrics.io import EXTRA, MISSING, RawExtract, file_column_names
from cpmetrics.schema import LINE

_DELIMITERS = (",", "\t", ";", "|")
# PNG, ZIP (xlsx, docx), PDF, old Office (xls, doc), gzip: files saved with the wrong suffix.
_BINARY_MAGIC = (b"\x89PNG", b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0", b"\x1f\x8b")
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
__all__ = ["EXTRA", "MISSING", "parse_csv_bytes", "read_csv"]  # EXTRA, MISSING: for validation


def read_csv(path: Path) -> RawExtract:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return parse_csv_bytes(data, str(path))


def parse_csv_bytes(data: bytes, source: str) -> RawExtract:
    text_bytes, encoding = _to_utf8(data, source)
    if b"\n" not in text_bytes and b"\r" in text_bytes:
        text_bytes = text_bytes.replace(b"\r", b"\n")  # classic Mac line endings
    header_at, header = _header_line(text_bytes)
    if header is None:
        raise DataError(f"{source}: the file is empty")
    delimiter = max(_DELIMITERS, key=header.count)
    if header.count(delimiter) == 0:
        delimiter = ","
    frame = None
    # polars breaks lines at LF only, and reads the first line as the header: a file with a
    # bare CR (a line break too, see docs/input.md), or blank lines before its header, goes
    # to the careful reader, so that both readers give the same rows and lines for any file.
    if header_at == 0 and not _bare_cr(text_bytes):
        frame = _fast_read(text_bytes, delimiter)
    if frame is None or not _regular(text_bytes, delimiter, frame):
        frame, blank_lines = _careful_read(text_bytes.decode("utf-8", "replace"), delimiter, source)
    else:
        frame.columns = file_column_names(frame.columns)  # as the careful reader names them
        frame = frame.with_row_index(LINE, offset=2).with_columns(pl.col(LINE).cast(pl.Int64))
        blank_lines = 0
    details = {"encoding": encoding, "delimiter": repr(delimiter)}
    if b"\x00" in text_bytes:  # past the head: a damaged file, reported value by value
        details["nul_bytes"] = "yes"
    if blank_lines:
        details["blank_lines"] = str(blank_lines)
    return RawExtract(frame=frame, source=source, format="csv", details=details)


def _bare_cr(data: bytes) -> bool:
    """A CR not followed by LF somewhere (most files have no CR at all: one quick look)."""
    return b"\r" in data and data.count(b"\r") != data.count(b"\r\n")


def _header_line(data: bytes) -> tuple[int, str | None]:
    """Where the header line starts, and its text: the first line with more than whitespace.

    Line by line from the start, so that no blank lines before it (however long) and no line
    of spaces or tabs can stand in for it. (None: nothing but whitespace in the file.)
    """
    begin = 0
    while begin < len(data):
        end = data.find(b"\n", begin)
        line = data[begin : end if end >= 0 else None]
        if line.strip():
            return begin, line.decode("utf-8", "replace")
        if end < 0:
            break
        begin = end + 1
    return begin, None


def _to_utf8(data: bytes, source: str) -> tuple[bytes, str]:
    """The file as UTF-8, and the encoding it was in.

    UTF-8 (with or without its BOM) and Windows-1252 as most LA systems write them; UTF-16 and
    UTF-32 when a byte-order mark says so (Excel's "Unicode Text" is UTF-16 LE with a BOM).
    """
    for bom, codec in _WIDE_BOMS:  # UTF-32 LE first: its BOM starts with UTF-16 LE's
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, "replace").encode("utf-8"), codec
    head = data[:8192]
    # Binary files are full of NUL bytes; one or two in a text file are a damaged value,
    # reported where they are (nul-byte) rather than refusing the whole file.
    if head.startswith(_BINARY_MAGIC) or head.count(b"\x00") > max(2, len(head) // 1000):
        if _utf16_without_bom(head):
            raise DataError(
                f"{source}: looks like UTF-16 text without a byte-order mark; save it as UTF-8 CSV"
            )
        hint = ""
        if head.startswith(b"PK\x03\x04"):
            hint = " (a zip file: an Excel workbook? name it .xlsx)"
        elif head.startswith(b"\xd0\xcf\x11\xe0"):
            hint = " (an old Excel .xls workbook? name it .xls)"
        raise DataError(f"{source}: looks like a binary file, not a CSV extract{hint}")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:], "utf-8-sig"
    if data.isascii():  # the common case, and much faster to check than a full decode
        return data, "utf-8"
    try:
        data.decode("utf-8")
        return data, "utf-8"
    except UnicodeDecodeError:
        # Windows-1252 is what Excel's "CSV" and most LA case systems on Windows write.
        return data.decode("cp1252", errors="replace").encode("utf-8"), "windows-1252"


def _utf16_without_bom(head: bytes) -> bool:
    """Text such as 'c\0h\0i\0' (LE) or '\0c\0h\0i' (BE): NULs at most odd (or even) places
    and almost none at the others; a binary file has them all over."""
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    return half >= 2 and max(even, odd) >= 0.4 * half and min(even, odd) <= 0.05 * half


def _fast_read(data: bytes, delimiter: str) -> pl.DataFrame | None:
    try:
        return pl.read_csv(data, separator=delimiter, infer_schema=False)
    except pl.exceptions.PolarsError:
        return None


def _regular(data: bytes, delimiter: str, frame: pl.DataFrame) -> bool:
    """One record per line and every line with the header's number of fields.

    Polars pads short rows and keeps blank lines without saying so; counting line breaks and
    delimiters (fast byte counts) shows whether anything like that happened. Without a quote
    character no record can span lines, so polars' rows are the lines and need no count (files
    with blank lines before the header, which polars skips, never come here).
    """
    if b'"' in data:
        lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        if lines != frame.height + 1:
            return False
    else:
        lines = frame.height + 1
    if any(name.endswith(tuple(f"_duplicated_{i}" for i in range(10))) for name in frame.columns):
        return False  # let the careful reader name duplicate headers the way it reports them
    return data.count(delimiter.encode()) == (frame.width - 1) * lines


def _careful_read(text: str, delimiter: str, source: str) -> tuple[pl.DataFrame, int]:
    csv.field_size_limit(sys.maxsize)  # a long free-text note is data, not an error
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    blank_lines = -1  # the first pass through the loop reads nothing
    try:
        while not any(field.strip() for field in header):
            header = next(reader)  # leading blank lines are not the header
            blank_lines += 1
    except StopIteration:
        raise DataError(f"{source}: no header row") from None
    except csv.Error as exc:
        raise DataError(f"{source}, line {reader.line_num}: unreadable CSV ({exc})") from None
    header_line = reader.line_num
    names = file_column_names(header)
    width = len(names)
    columns: dict[str, list[str | None]] = {name: [] for name in names}
    lines: list[int] = []
    extra: list[str | None] = []
    missing: list[int | None] = []
    previous_end = header_line
    try:
        for record in reader:
            start = previous_end + 1  # the line the record starts on
            previous_end = reader.line_num
            if not record or (len(record) == 1 and not record[0].strip() and width > 1):
                blank_lines += 1  # an empty line is not a record
                continue
            lines.append(start)
            padded = [value if value != "" else None for value in record[:width]]
            short = width - len(padded)
            padded += [None] * short
            for name, value in zip(names, padded, strict=True):
                columns[name].append(value)
            extra.append(delimiter.join(record[width:]) if len(record) > width else None)
            missing.append(short or None)
    except csv.Error as exc:
        raise DataError(f"{source}, line {reader.line_num}: unreadable CSV ({exc})") from None
    frame = pl.DataFrame(columns, schema=dict.fromkeys(names, pl.String))
    frame = frame.with_columns(
        pl.Series(LINE, lines, dtype=pl.Int64),
        pl.Series(EXTRA, extra, dtype=pl.String),
        pl.Series(MISSING, missing, dtype=pl.Int64),
    )
    return frame.select(LINE, *names, EXTRA, MISSING), blank_lines
