"""Excel reader: .xlsx workbooks, Ofsted's Annex A among them (also .xlsm, .xls, .ods).

Cells are read as text through fastexcel (calamine, in Rust):

* a number as Excel shows it in General format: '3', not '3.0'; '2.5';
* a date cell as ISO 'YYYY-MM-DD'; one with a time of day as 'YYYY-MM-DD HH:MM:SS';
* a date typed as a number in a General or text column ('43405') stays that text: the date
  parser reads Excel serial numbers;
* an empty cell, and an error cell such as #N/A, as null.

``line`` is the row number Excel shows. The header is the first row with anything in it, unless
that row is a title (one cell, or nothing that names a known column) and one of the next two
rows has known headings: Ofsted's template has a title in row 1 and its headings in row 2.
Empty rows are dropped and counted (``details["blank_lines"]``), as the CSV reader does.

Without a sheet named by the caller, the sheet is 'List 7' or 'List_7' (Annex A's child
protection list) if there is one, else the first with child id and plan start date headings,
else the only sheet with anything in it.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from cpmetrics.errors import DataError, InputError, UsageError
from cpmetrics.io import RawExtract, file_column_names
from cpmetrics.schema import CHILD_ID, LINE, START_DATE, match_columns, normalise_header

if TYPE_CHECKING:
    import fastexcel

# A date cell comes through fastexcel as 'YYYY-MM-DD HH:MM:SS'; at midnight it is just a date.
_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2}) 00:00:00(?:\.0+)?$"
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: .xls, or an encrypted .xlsx
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # the stream an encrypted .xlsx keeps
_HEADER_CANDIDATES = 3  # the first non-empty row and the two after it

# The workbook's declared size, checked before calamine sees it: calamine allocates what a sheet
# spans (first to last cell, empty cells included) and what sharedStrings.xml says it holds, and
# an allocation it cannot make aborts the whole process, with no message.
_MAX_CELLS = 50_000_000  # a sheet's grid: 25 times a 200,000-row, 10-column Annex A list
_MAX_UNCOMPRESSED = 4 << 30  # all the workbook's parts together, unpacked
_MAX_RATIO = 500  # real sheet XML packs 10-50:1 (deflate's best is 1032:1, for zeros)
_EXACT_SCAN = 16 << 20  # sheets up to this size unpacked are checked cell by cell
_CHUNK = 1 << 20
# Patterns that start with a literal ('r="', 'row '): Python's re scans for those at C speed.
# 'r="' followed by letters is a cell reference: no other sheet attribute name ends in r.
_REF_ROW = re.compile(rb'r="[A-Z]+([0-9]+)"')  # a cell reference's row...
_REF_COLUMN = re.compile(rb'r="([A-Z]+)[0-9]')  # ... and its column
_TWO_LETTERS = re.compile(rb'r="[A-Z]{2}[0-9]')  # a column from AA to ZZ (27 to 702)
_FAR_REF = re.compile(rb'r="(?:[A-Z]{3,}[0-9]+|[A-Z]+[0-9]{7,})"')  # beyond ZZ or row 999,999
_ROW = re.compile(rb'row [^>]*?r="([0-9]+)"')
_DIMENSION = re.compile(rb'<(?:[\w.-]+:)?dimension\s+ref="([A-Z]+)([0-9]+)(?::([A-Z]+)([0-9]+))?"')
_SST_COUNT = re.compile(rb'\s(count|uniqueCount)="([0-9]{1,20})"')


def read_excel(
    path: Path,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    records: str | None = None,
) -> RawExtract:
    """Read one sheet of a workbook: ``sheet`` if given, else the one detected (see above).

    ``columns`` is the config's mapping (canonical name -> heading): headings it names count as
    recognised when looking for the data sheet and its header row. ``records`` ('reviews' or
    'visits'): a records file, whose sheet is the one with such records' date heading."""
    source = str(path)
    if not path.exists():
        raise InputError(f"{source}: no such file")
    if path.is_dir():
        raise InputError(f"{source}: is a directory, not an extract file")
    reader = _open(path, source)
    names = list(reader.sheet_names)
    if not names:
        raise DataError(f"{source}: the workbook has no sheets")
    if sheet is not None:
        name = _named_sheet(sheet, names, source)
        grid = _grid(reader, name, source)
        if not _first_rows(grid, 1):
            raise DataError(f"{source}: sheet '{name}' is empty")
    else:
        name, grid = _detect_sheet(reader, names, source, columns, records)
    return _extract(grid, name, source, columns)


def _open(path: Path, source: str) -> fastexcel.ExcelReader:
    import fastexcel

    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise InputError(f"{source}: cannot be read ({exc.strerror or exc})") from None
    if not head:
        raise DataError(f"{source}: the file is empty")
    if head == _OLE:
        data = path.read_bytes()
        if _ENCRYPTED in data:
            raise DataError(
                f"{source}: the workbook is password-protected; remove the password in Excel "
                "(File > Info > Protect Workbook) and save it again"
            )
        try:  # an old .xls workbook, whatever its name says
            return fastexcel.read_excel(data)
        except BaseException as exc:
            _reraise_unless_library_error(exc)
            raise DataError(
                f"{source}: an old-format or damaged Office file that cannot be read "
                f"({_reason(exc)}); open it in Excel and save it as .xlsx"
            ) from None
    if head.startswith(_ZIP):
        _check_declared_size(path, source)
    try:
        return fastexcel.read_excel(path)
    except BaseException as exc:
        _reraise_unless_library_error(exc)
        if not head.startswith(_ZIP):
            raise DataError(
                f"{source}: not an Excel workbook (an .xlsx file is a zip archive, this is not "
                "one); if it is a CSV file, give it a .csv name"
            ) from None
        raise DataError(f"{source}: not a readable Excel workbook ({_reason(exc)})") from None


def _check_declared_size(path: Path, source: str) -> None:
    """Refuse a workbook whose parts claim more than any extract needs (see _MAX_CELLS...).

    Reads the zip directory and streams the sheets, never holding a whole part. What Python's
    zipfile cannot read is left to fastexcel, which says what is wrong with it.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            total = sum(part.file_size for part in parts)
            if total > _MAX_UNCOMPRESSED:
                raise _too_big(source, f"its parts unpack to {total:,} bytes")
            for part in parts:
                ratio = part.file_size / max(part.compress_size, 1)
                if part.file_size > 64 * _CHUNK and ratio > _MAX_RATIO:
                    raise _too_big(
                        source, f"'{part.filename}' unpacks {ratio:,.0f} times (a zip bomb?)"
                    )
            for part in parts:
                name = part.filename.lower()
                if name.endswith("sharedstrings.xml"):
                    _check_shared_strings(archive, part, total, source)
                elif name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    _check_sheet(archive, part, source)
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ):
        return  # damaged or encrypted parts: fastexcel's own message is the better one


def _too_big(source: str, why: str) -> DataError:
    return DataError(
        f"{source}: the workbook claims to be far larger than any extract ({why}); it may be "
        "damaged: open it in Excel and save it again, or save the sheet as CSV"
    )


def _check_shared_strings(
    archive: zipfile.ZipFile, part: zipfile.ZipInfo, total: int, source: str
) -> None:
    """Every shared string takes at least a few bytes ('<si/>'), and every use of one a few
    bytes of some sheet: a count beyond that is not a real count."""
    with archive.open(part) as stream:
        head = stream.read(4096)
    tag = head[: head.find(b">", head.find(b"sst")) + 1]
    for attribute, value in _SST_COUNT.findall(tag):
        limit = (part.file_size if attribute == b"uniqueCount" else total) // 4 + 1000
        if int(value) > limit:
            raise _too_big(
                source,
                f"{part.filename} says it holds {int(value):,} strings ({attribute.decode()})",
            )


def _check_sheet(archive: zipfile.ZipFile, part: zipfile.ZipInfo, source: str) -> None:
    """The grid calamine would build for this sheet, from its <dimension> and its cells."""
    declared, grid = _sheet_extent(archive, part)
    for what, cells in (("its <dimension> declares", declared), ("its cells span", grid)):
        if cells > _MAX_CELLS:
            raise _too_big(source, f"{part.filename}: {what} {cells:,} cells")


def _sheet_extent(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> tuple[int, int]:
    """(cells the <dimension> declares, cells from the first to the last cell at most).

    A sheet small enough is checked cell by cell; a bigger one by its row numbers and the
    rare references beyond column ZZ or row 999,999, which bounds its grid nearly as well
    at a fraction of the cost.
    """
    exact = part.file_size <= _EXACT_SCAN
    declared = 0
    rows: list[int] = []
    columns: list[int] = []
    with archive.open(part) as stream:
        tail = b""
        first = True
        while chunk := stream.read(_CHUNK):
            # A reference split between two chunks is whole in tail + chunk.
            window = tail + chunk
            tail = window[-64:]
            if first:
                declared = _dimension_cells(window)
                first = False
            if exact:
                found = list(map(int, _REF_ROW.findall(window)))  # C loops: no Python per cell
                rows.extend((min(found), max(found)) if found else ())
                columns.extend(_column_number(c) for c in set(_REF_COLUMN.findall(window)))
            else:
                rows.extend(map(int, _ROW.findall(window)))
                for far in _FAR_REF.findall(window):  # rare: the exact place of each
                    letters = far[3:].rstrip(b'0123456789"')
                    columns.append(_column_number(letters))
                    rows.append(int(far[3 + len(letters) : -1]))
                columns.append(702 if _TWO_LETTERS.search(window) else 26)
            rows = [min(rows), max(rows)] if rows else []
            columns = [min(columns), max(columns)] if columns else []
    if not rows or not columns:
        return declared, 0
    if not exact:
        rows[0] = columns[0] = 1  # bounds, not the first cell
    return declared, (rows[1] - rows[0] + 1) * (columns[1] - columns[0] + 1)


def _dimension_cells(head: bytes) -> int:
    found = _DIMENSION.search(head)
    if not found:
        return 0
    first_col, first_row, last_col, last_row = found.groups()
    if last_col is None:
        return 1
    rows = abs(int(last_row) - int(first_row)) + 1
    return rows * (abs(_column_number(last_col) - _column_number(first_col)) + 1)


def _column_number(letters: bytes) -> int:
    """'A' is 1, 'Z' 26, 'AA' 27, 'XFD' 16,384."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _named_sheet(wanted: str, names: list[str], source: str) -> str:
    if wanted in names:
        return wanted
    loose = [name for name in names if normalise_header(name) == normalise_header(wanted)]
    if len(loose) == 1:  # 'list 7' for 'List_7'
        return loose[0]
    # A usage error: the option names what is not there.
    raise UsageError(f"{source}: no sheet '{wanted}' (sheets: {_list(names)})")


def _detect_sheet(
    reader: fastexcel.ExcelReader,
    names: list[str],
    source: str,
    columns: Mapping[str, str] | None = None,
    records: str | None = None,
) -> tuple[str, pl.DataFrame]:
    for name in names:
        if records is not None:
            break  # (Annex A's List 7 holds plans, not a reviews or visits file)
        normal = normalise_header(name)
        if normal in ("list_7", "list7") or normal.startswith("list_7_"):
            grid = _grid(reader, name, source)
            if not _first_rows(grid, 1):
                raise DataError(f"{source}: sheet '{name}' (Annex A child protection) is empty")
            return name, grid
    filled: list[tuple[str, pl.DataFrame, bool]] = []  # (name, grid, visible)
    for name in names:
        grid, visible = _grid_and_visibility(reader, name, source)
        rows = _first_rows(grid, _HEADER_CANDIDATES)
        if not rows:
            continue
        if records is not None:
            if any(_has_record_date(cells, records) for _, cells in rows):
                return name, grid
            filled.append((name, grid, visible))
            continue
        found = _recognised(rows[_header_choice(rows, columns)][1], columns)
        if {CHILD_ID, START_DATE} <= found:
            return name, grid
        filled.append((name, grid, visible))
    if not filled:
        raise DataError(f"{source}: the workbook is empty (sheets: {_list(names)})")
    if len(filled) > 1:
        filled = [entry for entry in filled if entry[2]] or filled  # hidden ones hold lookups
    if len(filled) == 1:
        return filled[0][0], filled[0][1]
    wanted = (
        f"a {records[:-1]} date heading" if records else "child id and plan start date headings"
    )
    raise DataError(
        f"{source}: no sheet has {wanted} (sheets: {_list(names)}); "
        + (
            "name the sheet to read (--sheet)"
            if records is None
            else "keep one sheet, or save it as CSV"
        )
    )


def _grid_and_visibility(
    reader: fastexcel.ExcelReader, name: str, source: str
) -> tuple[pl.DataFrame, bool]:
    sheet = _load(reader, name, source)
    return _to_polars(sheet, name, source), sheet.visible == "visible"


def _grid(reader: fastexcel.ExcelReader, name: str, source: str) -> pl.DataFrame:
    return _to_polars(_load(reader, name, source), name, source)


def _load(reader: fastexcel.ExcelReader, name: str, source: str) -> fastexcel.ExcelSheet:
    """The whole sheet as text, from row 1 (header_row=None with skip_rows=0 keeps leading
    empty rows, so a row's index is its row number less one)."""
    try:
        return reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
    except BaseException as exc:
        _reraise_unless_library_error(exc)
        raise DataError(f"{source}: sheet '{name}' cannot be read ({_reason(exc)})") from None


def _to_polars(sheet: fastexcel.ExcelSheet, name: str, source: str) -> pl.DataFrame:
    try:
        grid = sheet.to_polars()
    except BaseException as exc:
        _reraise_unless_library_error(exc)
        raise DataError(f"{source}: sheet '{name}' cannot be read ({_reason(exc)})") from None
    if not grid.width:
        return grid
    return grid.select(
        pl.col(column)
        .cast(pl.String)
        .str.replace(_MIDNIGHT, "${1}")
        .replace("", None)  # an empty text cell is an empty cell
        for column in grid.columns
    )


def _blank(grid: pl.DataFrame) -> pl.Series:
    """True for a row with nothing but empty or whitespace cells."""
    return grid.select(
        pl.all_horizontal(
            pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in grid.columns
        ).alias("blank")
    ).to_series()


def _first_rows(grid: pl.DataFrame, count: int) -> list[tuple[int, list[str | None]]]:
    """(index, cells) of the first ``count`` rows with anything in them."""
    if not grid.width:
        return []
    filled = (~_blank(grid)).arg_true().head(count).to_list()
    return [(index, list(grid.row(index))) for index in filled]


def _has_record_date(cells: list[str | None], records: str) -> bool:
    """A row of headings with a reviews (visits) file's date heading among them."""
    from cpmetrics.schema import RECORD_DATE, match_record_columns

    headings = [c for c in cells if isinstance(c, str)]
    return RECORD_DATE in match_record_columns(records, headings).values()


def _recognised(cells: list[str | None], columns: Mapping[str, str] | None = None) -> set[str]:
    found, _ = match_columns((cell.strip() for cell in cells if cell and cell.strip()), columns)
    return set(found.values())


def _header_choice(
    rows: list[tuple[int, list[str | None]]], columns: Mapping[str, str] | None = None
) -> int:
    """Which of the first non-empty rows is the header (an index into ``rows``)."""
    counts = [sum(1 for cell in cells if cell and cell.strip()) for _, cells in rows]
    if counts[0] > 1 and _recognised(rows[0][1], columns):
        return 0
    for choice in range(1, len(rows)):  # row 1 looks like a title
        if counts[choice] > 1 and _recognised(rows[choice][1], columns):
            return choice
    if counts[0] == 1 and len(rows) > 1 and counts[1] > 1:
        return 1  # a one-cell title over headings the config may name
    return 0


def _extract(
    grid: pl.DataFrame, name: str, source: str, columns: Mapping[str, str] | None = None
) -> RawExtract:
    rows = _first_rows(grid, _HEADER_CANDIDATES)
    header_index, header_cells = rows[_header_choice(rows, columns)]
    body = grid.slice(header_index + 1)
    blank = _blank(body) if body.height else pl.Series("blank", [], pl.Boolean)
    filled = (~blank).arg_true()
    end = int(filled[-1]) + 1 if filled.len() else 0  # formatted empty rows at the end
    body, blank = body.head(end), blank.head(end)
    blank_lines = int(blank.sum())
    body = body.with_row_index(LINE, offset=header_index + 2).filter(~blank)
    kept = [
        (column, cell)
        for column, cell in zip(grid.columns, header_cells, strict=True)
        if (cell and cell.strip()) or body[column].is_not_null().any()
    ]
    names = file_column_names(cell or "" for _, cell in kept)
    frame = body.select(
        pl.col(LINE).cast(pl.Int64),
        *(pl.col(column).alias(new) for (column, _), new in zip(kept, names, strict=True)),
    )
    details = {"sheet": name, "header_row": str(header_index + 1)}
    if blank_lines:
        details["blank_lines"] = str(blank_lines)
    return RawExtract(frame=frame, source=source, format="xlsx", details=details)


def _reraise_unless_library_error(exc: BaseException) -> None:
    """Let through what the reader library raises for a bad file, including a Rust panic
    (pyo3's PanicException, which is not an Exception); re-raise anything else."""
    import fastexcel

    if isinstance(exc, fastexcel.FastExcelError) or type(exc).__name__ == "PanicException":
        return
    raise exc


def _reason(exc: BaseException) -> str:
    """The library's message on one line, without its 'calamine error:' prefix or context."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.removeprefix("calamine error: ").strip()


def _list(names: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)
