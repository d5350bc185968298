"""Parquet reader: every column to text, in the conventions of the CSV and Excel readers.

A parquet file has no header line, so ``line`` is the row number, from 1 (the first row is 1,
not 2 as in a CSV or a sheet). Values become text as a spreadsheet would show them:

* a date as ISO 'YYYY-MM-DD'; a datetime at midnight too, else 'YYYY-MM-DD HH:MM:SS' (in its
  own time zone, if it has one);
* a whole number as '3' (never '3.0', whether stored as an integer, a float or a decimal);
  other floats as polars writes them ('2.5'); NaN as null;
* true/false as 'true'/'false'; a list or struct as JSON; bytes as UTF-8 text, or else hex;
* a null, and an empty string, as null.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from cpmetrics.errors import DataError, InputError
from cpmetrics.io import RawExtract, file_column_names
from cpmetrics.schema import LINE

_EXACT_INTEGERS = 2.0**53  # beyond this a float no longer holds every whole number exactly
# Dates are read from the year 1 to 9999 (as Python and spreadsheets know them): as days
# from 1970-01-01, polars' own count.
_FIRST_DAY = (dt.date.min - dt.date(1970, 1, 1)).days
_LAST_DAY = (dt.date.max - dt.date(1970, 1, 1)).days


def read_parquet(path: Path) -> RawExtract:
    source = str(path)
    if not path.exists():
        raise InputError(f"{source}: no such file")
    if path.is_dir():
        raise InputError(f"{source}: is a directory, not an extract file")
    try:
        with path.open("rb") as handle:
            empty = not handle.read(1)
    except OSError as exc:
        raise InputError(f"{source}: cannot be read ({exc.strerror or exc})") from None
    if empty:
        raise DataError(f"{source}: the file is empty")
    try:
        return _read(path, source)
    except BaseException as exc:
        if not _library_error(exc):
            raise
        raise DataError(f"{source}: not a readable parquet file ({_reason(exc)})") from None


def _read(path: Path, source: str) -> RawExtract:
    # One chunk per column: a file in several row groups otherwise reads as several chunks,
    # and some polars operations on such frames panic (seen in validation's row filters).
    table = pl.read_parquet(path).rechunk()
    if not table.width:
        raise DataError(f"{source}: the parquet file has no columns")
    names = file_column_names(table.columns)
    columns = [
        _text(table, name, dtype, source).alias(new)
        for (name, dtype), new in zip(table.schema.items(), names, strict=True)
    ]
    frame = pl.DataFrame(columns).rechunk().with_row_index(LINE, offset=1)
    frame = frame.with_columns(pl.col(LINE).cast(pl.Int64))
    return RawExtract(frame=frame, source=source, format="parquet")


def _library_error(exc: BaseException) -> bool:
    """What polars raises for a bad file, a Rust panic included (PanicException derives from
    BaseException, not Exception, so it would pass every ordinary handler)."""
    errors = pl.exceptions.PolarsError | pl.exceptions.PanicException | OSError | ValueError
    return isinstance(exc, errors)


def _text(table: pl.DataFrame, name: str, dtype: pl.DataType, source: str) -> pl.Series:
    try:
        return table.select(_as_text(pl.col(name), dtype)).to_series()
    except BaseException as exc:
        if not _library_error(exc):
            raise
        if dtype == pl.Binary and isinstance(exc, pl.exceptions.PolarsError):
            return table[name].bin.encode("hex")  # bytes that are not all UTF-8 text: hex
        raise DataError(
            f"{source}: column '{name}' ({dtype}) cannot be read as text ({_reason(exc)})"
        ) from None


def _as_text(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        return _date_text(column, dtype)
    if dtype.is_float():
        whole = column.is_finite() & (column == column.floor()) & (column.abs() < _EXACT_INTEGERS)
        text = (
            pl.when(column.is_nan())
            .then(None)
            .when(whole)
            .then(column.cast(pl.Int64, strict=False).cast(pl.String))
            .otherwise(column.cast(pl.String))
        )
    elif dtype.is_decimal():
        text = column.cast(pl.String).str.replace(r"\.0+$", "")
    elif isinstance(dtype, pl.Duration):
        text = column.dt.to_string("iso")
    elif isinstance(dtype, pl.List | pl.Array | pl.Struct):
        # JSON of {"v": value}, less the wrapper: the value's own JSON.
        encoded = pl.struct(column.alias("v")).struct.json_encode()
        text = pl.when(column.is_null()).then(None).otherwise(encoded.str.slice(5).str.head(-1))
    else:
        text = column.cast(pl.String)
    return text.replace("", None)


def _date_text(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A date, or a datetime (at midnight a date too), as text; one beyond the years 1 to 9999
    as 'date out of range (stored as N)', a value the validator reports as no date.

    polars panics formatting a date too far out for its calendar (a damaged or hostile file),
    and it works out both branches of a when/then: so such values are nulled before any date
    operation runs on them.
    """
    stored = column.to_physical()
    per_day = 1
    if isinstance(dtype, pl.Datetime):
        per_day = 86_400 * {"ms": 10**3, "us": 10**6, "ns": 10**9}[dtype.time_unit or "us"]
    first = max(_FIRST_DAY * per_day, -(2**63))  # nanoseconds cover only 1677 to 2262
    last = min((_LAST_DAY + 1) * per_day - 1, 2**63 - 1)
    in_range = stored.is_between(first, last)
    safe = pl.when(in_range).then(column)
    if dtype == pl.Date:
        text = safe.dt.strftime("%Y-%m-%d")
    else:
        text = (
            pl.when(safe.dt.time() == pl.lit(dt.time(0)))
            .then(safe.dt.strftime("%Y-%m-%d"))
            .otherwise(safe.dt.strftime("%Y-%m-%d %H:%M:%S"))
        )
    out_of_range = pl.format("date out of range (stored as {})", stored)
    return pl.when(in_range).then(text).when(column.is_not_null()).then(out_of_range)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__
