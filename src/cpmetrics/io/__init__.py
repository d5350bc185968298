"""Reading extracts: each reader returns every row as text, with its line number in the file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cpmetrics.errors import InputError
from cpmetrics.schema import LINE

if TYPE_CHECKING:
    import polars as pl


EXTRA = "_extra_fields"  # text beyond the header's last column, for the extra-fields rule
MISSING = "_missing_fields"  # how many fields a short row lacks, for the missing-fields rule
XML_PATH = "xml_path"  # where a CIN census plan is, e.g. Message/Children/Child[3]/...
# Columns the readers add and validation reads as such: a file's own column of that name
# must not be taken for one (or clash with it), so it is renamed 'line (in file)'.
READER_COLUMNS = (LINE, EXTRA, MISSING, XML_PATH)


@dataclass(frozen=True)
class RawExtract:
    """An extract as read: all columns text, plus ``line`` (the row's line in the file)."""

    frame: pl.DataFrame
    source: str
    format: str
    details: dict[str, str] = field(default_factory=dict)  # encoding, delimiter, ...

    def stated_date(self) -> dt.date | None:
        """The date the file says it describes: a CIN census file's ReferenceDate."""
        try:
            return dt.date.fromisoformat(self.details.get("reference_date", ""))
        except ValueError:
            return None


def read_extract(
    path: str | Path,
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    records: str | None = None,
) -> RawExtract:
    """Read a plan extract (``records``: a 'reviews' or 'visits' file), choosing the reader
    by the file's suffix.

    ``sheet`` names the worksheet of an Excel workbook (default: detected, with the headings
    that ``columns``, the config's mapping, names).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not an extract file")
    suffix = path.suffix.lower()
    if suffix == ".xml" or (suffix not in _EXCEL and _starts_like_xml(path)):
        from cpmetrics.io.cin_xml import read_cin_xml

        return read_cin_xml(path)
    if suffix in _EXCEL:
        from cpmetrics.io.excel import read_excel

        return read_excel(path, sheet=sheet, columns=columns, records=records)
    if suffix in (".parquet", ".pq"):
        from cpmetrics.io.parquet import read_parquet

        return read_parquet(path)
    if suffix in (".csv", ".txt", ".tsv", ""):
        from cpmetrics.io.csv import read_csv

        return read_csv(path)
    raise InputError(
        f"{path}: cannot read '{suffix}' files; cpmetrics reads CSV (.csv, .tsv, .txt), "
        "Excel (.xlsx), Parquet and the CIN census XML"
    )


_EXCEL = (".xlsx", ".xlsm", ".xls", ".ods")
# What a folder of extracts is read for.
EXTRACT_SUFFIXES = (".csv", ".tsv", ".txt", *_EXCEL, ".parquet", ".pq", ".xml")


def _starts_like_xml(path: Path) -> bool:
    """A CIN census file saved without its .xml suffix."""
    try:
        with path.open("rb") as handle:
            head = handle.read(256).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return False
    return head.startswith((b"<?xml", b"<Message"))


def file_column_names(headers: Iterable[str]) -> list[str]:
    """A file's headers as column names: trimmed, an empty one called 'column', a reader's own
    name made 'NAME (in file)', and repeats made unique as polars does ('end_date',
    'end_date_duplicated_0'; validation reports those as duplicate columns).

    Every reader names its columns with this, so the same headers give the same names whatever
    the format, and no name can clash with a reader column or another header.
    """
    used: set[str] = set()
    repeats: dict[str, int] = {}
    names = []
    for header in headers:
        name = header.strip() or "column"
        if name in READER_COLUMNS:
            name = f"{name} (in file)"
        unique = name
        while unique in used:  # a loop: the file may itself have 'x_duplicated_0' already
            count = repeats.get(name, 0)
            repeats[name] = count + 1
            unique = f"{name}_duplicated_{count}"
        used.add(unique)
        names.append(unique)
    return names
