"""Child keys: equal exactly when the ids are equal, whichever way the key is made."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpmetrics.keys import child_key


def _same_partition(ids: list[str | None]) -> None:
    keys = child_key(pl.Series("child_id", ids, dtype=pl.String)).to_list()
    assert len(keys) == len(ids)
    for i, (a, ka) in enumerate(zip(ids, keys, strict=True)):
        assert (ka is None) == (a is None)
        for b, kb in zip(ids[i + 1 :], keys[i + 1 :], strict=True):
            if a is not None and b is not None:
                assert (ka == kb) == (a == b), (a, b, ka, kb)


@pytest.mark.parametrize(
    "ids",
    [
        ["C000261", "C000262", "C000261", None],  # short ids: packed into 8 bytes
        ["C1234567", "C7654321", "C1234567"],  # one width of 8 bytes: packed with no length
        ["A\x00", "AB", "A\x00"],  # one width, a NUL in one
        ["A", "A\x00", "A\x00\x00", "", "AB"],  # padding bytes must not make ids meet
        ["C1234567", "C12345678901234", "C1234567"],  # up to 15 bytes: packed into 16
        ["C1234567890123456", "C1234567890123457", "C1234567890123456"],  # too long: ranked
        ["zoë", "zoe", "zoë", "Zoë"],  # multi-byte characters: ranked
        ["1", "01", "001", "1 "],  # text, not numbers: "01" is not "1"
        [None, None],
        [],
    ],
)
def test_equal_keys_exactly_for_equal_ids(ids: list[str | None]) -> None:
    _same_partition(ids)


def test_the_key_keeps_the_series_name() -> None:
    assert child_key(pl.Series("child_id", ["A"])).name == "child_id"


@settings(max_examples=300)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(max_size=4),  # short: packed, with NUL and multi-byte characters
            st.text(alphabet="AB\x00", max_size=17),  # around both packing limits
        ),
        max_size=30,
    )
)
def test_equal_keys_exactly_for_equal_ids_property(ids: list[str | None]) -> None:
    _same_partition(ids)
