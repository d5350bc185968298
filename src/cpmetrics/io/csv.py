"""CSV reader: UTF-8 (with or without BOM) or Windows-1252; comma, tab or semicolon."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl

from cpmetrics.errors import DataError, InputError
from cpmetrics.io import RawExtract
from cpmetrics.schema import LINE

_DELIMITERS = (",", "\t", ";", "|")


def read_csv(path: Path) -> RawExtract:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return parse_csv_bytes(data, str(path))


def parse_csv_bytes(data: bytes, source: str) -> RawExtract:
    if b"\x00" in data[:8192]:
        raise DataError(f"{source}: looks like a binary file, not a CSV extract")
    text_bytes, encoding = _to_utf8(data)
    if not text_bytes.strip():
        raise DataError(f"{source}: the file is empty")
    first_line = text_bytes.split(b"\n", 1)[0].decode("utf-8")
    delimiter = max(_DELIMITERS, key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","
    frame = _fast_read(text_bytes, delimiter)
    if frame is None or not _lines_match(text_bytes, frame.height):
        # Quoted line breaks, ragged rows or odd blank lines: read with the csv module, which
        # knows each record's line number exactly. Slower, but such files are small.
        frame = _careful_read(text_bytes.decode("utf-8"), delimiter, source)
    else:
        frame = frame.with_row_index(LINE, offset=2).with_columns(pl.col(LINE).cast(pl.Int64))
    if frame.width <= 1 and frame.height == 0 and not first_line.strip():
        raise DataError(f"{source}: the first line is blank; expected a header row")
    names = {"csv": "csv", "encoding": encoding, "delimiter": repr(delimiter)}
    return RawExtract(frame=frame, source=source, format="csv", details=names)


def _to_utf8(data: bytes) -> tuple[bytes, str]:
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


def _fast_read(data: bytes, delimiter: str) -> pl.DataFrame | None:
    try:
        return pl.read_csv(
            data,
            separator=delimiter,
            infer_schema=False,
        )
    except pl.exceptions.PolarsError:
        return None


def _lines_match(data: bytes, rows: int) -> bool:
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return lines == rows + 1


def _careful_read(text: str, delimiter: str, source: str) -> pl.DataFrame:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise DataError(f"{source}: no header row ({exc})") from None
    names = _unique_names(header)
    width = len(names)
    columns: dict[str, list[str | None]] = {name: [] for name in names}
    lines: list[int] = []
    extra: list[str | None] = []
    previous_end = reader.line_num
    try:
        for record in reader:
            lines.append(previous_end + 1)  # the line the record starts on
            previous_end = reader.line_num
            padded = [value if value != "" else None for value in record[:width]]
            padded += [None] * (width - len(padded))
            for name, value in zip(names, padded, strict=True):
                columns[name].append(value)
            extra.append(delimiter.join(record[width:]) if len(record) > width else None)
    except csv.Error as exc:
        raise DataError(f"{source}, line {reader.line_num}: unreadable CSV ({exc})") from None
    frame = pl.DataFrame(columns, schema=dict.fromkeys(names, pl.String))
    frame = frame.with_columns(
        pl.Series(LINE, lines, dtype=pl.Int64),
        pl.Series("_extra_fields", extra, dtype=pl.String),
    )
    return frame.select(LINE, *names, "_extra_fields")


def _unique_names(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for raw in header:
        name = raw.strip() or "column"
        if name in seen:
            seen[name] += 1
            name = f"{name}_duplicated_{seen[name] - 1}"
        else:
            seen[name] = 1
        names.append(name)
    return names
