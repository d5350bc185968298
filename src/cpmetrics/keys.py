"""Children as numbers: the same id gives the same number, different ids different numbers.

Sorting and grouping by a number is much cheaper than by text. Ranking the ids (a dense
integer per child) sorts every string first; most ids are short (a letter and a few digits),
and for those the id's own bytes make the number, exactly and several times faster.
"""

from __future__ import annotations

import polars as pl

# Ids up to this many bytes are packed into an integer of 8 or 16 bytes. The last byte holds
# the id's length, so "A" and "A" followed by a NUL byte (padding) cannot meet.
_PACKED = ((7, pl.UInt64()), (15, pl.UInt128()))


def child_key(ids: pl.Series) -> pl.Series:
    """A number for each id (null for null), equal exactly when the ids are equal.

    The numbers are not dense and carry no order worth showing; only equality matters.
    """
    lengths = ids.str.len_bytes()
    shortest, longest = lengths.min(), lengths.max()
    assert isinstance(shortest, int | None) and isinstance(longest, int | None)
    packed: pl.Series | None = None  # stays None with no ids at all, or ids too long to pack
    if longest is not None and shortest == longest and longest <= 8:
        # Ids of one width (C0001234) need no length byte: no id can be another plus padding.
        packed = _pack(ids, 8, pl.UInt64(), with_length=False)
    elif longest is not None:
        packed = next((_pack(ids, w + 1, t, True) for w, t in _PACKED if longest <= w), None)
    # pad_end counts characters: an id with multi-byte characters comes out longer than the
    # width in bytes, and reinterpret makes it null; those ids are ranked instead.
    if packed is not None and packed.null_count() == ids.null_count():
        return packed.alias(ids.name)
    return ids.rank("dense").cast(pl.UInt64).alias(ids.name)


def _pack(ids: pl.Series, width: int, dtype: pl.DataType, with_length: bool) -> pl.Series:
    """Each id's bytes, padded with NULs to ``width``, read as one big-endian integer."""
    packed = (
        pl.first()
        .str.pad_end(width, "\x00")
        .cast(pl.Binary)
        .bin.reinterpret(dtype=dtype, endianness="big")
    )
    if with_length:  # the last byte is a NUL: it holds the length instead
        packed = packed + pl.first().str.len_bytes().cast(dtype)
    return pl.select(ids).select(packed).to_series()
