"""Children as numbers: the same id gives the same number, different ids different numbers.

Sorting and grouping by a number is much cheaper than by text. Ranking the ids (a dense
integer per child) sorts every string first; most ids are short (a letter and a few digits),
and for those the id's own bytes make the number, exactly and several times faster.
"""

from __future__ import annotations

import polars as pl

# Ids up to this many bytes are packed into an integer of 8 or 16 bytes. The last byte holds
# the id's length, so "A" and "A" followed by a NUL byte (padding) cannot meet.
_PACKED = ((7, pl.UInt64), (15, pl.UInt128))


def child_key(ids: pl.Series) -> pl.Series:
    """A number for each id (null for null), equal exactly when the ids are equal.

    The numbers are not dense and carry no order worth showing; only equality matters.
    """
    longest = ids.str.len_bytes().max()
    assert longest is None or isinstance(longest, int)
    for width, dtype in _PACKED:
        if longest is not None and longest <= width:
            frame = pl.select(ids)
            packed = frame.select(
                pl.first()
                # pad_end counts characters: an id with multi-byte characters comes out longer
                # than width + 1 bytes, and reinterpret makes it null (checked below).
                .str.pad_end(width + 1, "\x00")
                .cast(pl.Binary)
                .bin.reinterpret(dtype=dtype, endianness="big")
                + pl.first().str.len_bytes().cast(dtype)
            ).to_series()
            if packed.null_count() == ids.null_count():
                return packed.alias(ids.name)
            break
    return ids.rank("dense").cast(pl.UInt64).alias(ids.name)
