"""The parquet reader: every column as text, ``line`` as the 1-based row number."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from cpmetrics.errors import DataError, InputError
from cpmetrics.io.parquet import read_parquet
from cpmetrics.validate import validate_extract


def write(tmp_path: Path, frame: pl.DataFrame, name: str = "plans.parquet") -> Path:
    path = tmp_path / name
    frame.write_parquet(path)
    return path


def test_round_trip_with_dates_numbers_and_nulls(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "child_id": ["A", "B", ""],
            "start_date": [dt.date(2018, 10, 31), dt.date(2019, 1, 2), None],
            "end_date": pl.Series(
                [dt.datetime(2019, 3, 1), None, dt.datetime(2019, 3, 1, 9, 15)],
                dtype=pl.Datetime("us"),
            ),
            "previous_plans": [0, None, 12],
            "score": [3.0, 2.5, float("nan")],
            "open": [True, False, None],
        }
    )
    raw = read_parquet(write(tmp_path, frame))
    assert raw.format == "parquet"
    assert raw.source == str(tmp_path / "plans.parquet")
    assert raw.frame.columns == ["line", *frame.columns]
    assert raw.frame.schema["line"] == pl.Int64
    assert all(dtype == pl.String for name, dtype in raw.frame.schema.items() if name != "line")
    assert raw.frame.rows() == [
        (1, "A", "2018-10-31", "2019-03-01", "0", "3", "true"),
        (2, "B", "2019-01-02", None, None, "2.5", "false"),
        (3, None, None, "2019-03-01 09:15:00", "12", None, None),
    ]


def test_other_column_types(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "amount": pl.Series([Decimal("3.00"), Decimal("2.50")], dtype=pl.Decimal(10, 2)),
            "category": pl.Series(["NEG", None], dtype=pl.Categorical),
            "when": pl.Series(
                [dt.datetime(2020, 1, 1), dt.datetime(2020, 6, 1, 5)], dtype=pl.Datetime("ms")
            ).dt.replace_time_zone("Europe/London"),
            "codes": [[1, 2], None],
            "raw": pl.Series([b"abc", None], dtype=pl.Binary),
            "nothing": pl.Series([None, None], dtype=pl.Null),
            "small": pl.Series([7, 8], dtype=pl.UInt8),
            "f32": pl.Series([4.0, 0.5], dtype=pl.Float32),
        }
    )
    raw = read_parquet(write(tmp_path, frame))
    assert raw.frame.rows() == [
        (1, "3", "NEG", "2020-01-01", "[1,2]", "abc", None, "7", "4"),
        (2, "2.50", None, "2020-06-01 05:00:00", None, None, None, "8", "0.5"),
    ]


def test_bytes_that_are_not_text_come_out_as_hex(tmp_path: Path) -> None:
    frame = pl.DataFrame({"raw": pl.Series([b"\xff\xfe", None], dtype=pl.Binary)})
    assert read_parquet(write(tmp_path, frame)).frame["raw"].to_list() == ["fffe", None]


def test_a_column_called_line_does_not_clash(tmp_path: Path) -> None:
    raw = read_parquet(write(tmp_path, pl.DataFrame({"line": [10, 20], "x": ["a", "b"]})))
    assert raw.frame.rows() == [(1, "10", "a"), (2, "20", "b")]
    assert raw.frame.columns == ["line", "line (in file)", "x"]


def test_no_rows_is_an_empty_frame_with_the_columns(tmp_path: Path) -> None:
    frame = pl.DataFrame(schema={"child_id": pl.String, "start_date": pl.Date})
    raw = read_parquet(write(tmp_path, frame))
    assert raw.frame.height == 0
    assert raw.frame.schema == pl.Schema(
        {"line": pl.Int64, "child_id": pl.String, "start_date": pl.String}
    )


def test_parquet_extract_validates(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "Child Unique ID": [1001, 1002, 1003],
            "Child Protection Plan Start Date": [
                dt.date(2020, 1, 1),
                dt.date(2020, 2, 1),
                dt.date(2021, 5, 1),
            ],
            "Child Protection Plan End Date": [dt.date(2020, 6, 1), None, None],
        }
    )
    validated = validate_extract(
        read_parquet(write(tmp_path, frame)), extract_date=dt.date(2026, 1, 1)
    )
    assert validated.report.used_rows == 3
    assert validated.plans["child_id"].to_list() == ["1001", "1002", "1003"]
    assert validated.plans["end_date"].to_list() == [dt.date(2020, 6, 1), None, None]


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "the file is empty"),
        (b"child_id,start_date\nA,2020-01-01\n", "not a readable parquet file"),
        (b"PAR1" + bytes(100), "not a readable parquet file"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "bad.parquet"
    path.write_bytes(content)
    with pytest.raises(DataError, match=match) as caught:
        read_parquet(path)
    assert str(caught.value).startswith(str(path))
    assert "\n" not in str(caught.value)


def test_truncated_file(tmp_path: Path) -> None:
    good = write(tmp_path, pl.DataFrame({"a": list(range(1000))}), "good.parquet")
    path = tmp_path / "cut.parquet"
    path.write_bytes(good.read_bytes()[:-20])
    with pytest.raises(DataError, match=r"cut\.parquet: not a readable parquet file"):
        read_parquet(path)


def test_no_columns(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no columns"):
        read_parquet(write(tmp_path, pl.DataFrame()))


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_parquet(tmp_path / "absent.parquet")
    with pytest.raises(InputError, match="is a directory"):
        read_parquet(tmp_path)


# --- values and layouts that made polars panic (PanicException is not an Exception) ---------


@pytest.mark.parametrize(
    ("stored", "dtype"),
    [
        ([2**31 - 1, -(2**31), 3_000_000], pl.Date),
        ([2**63 - 1, -(2**63) + 1], pl.Datetime("ms")),
        ([2**63 - 1, -(2**62)], pl.Datetime("us")),
        ([2**63 - 1], pl.Datetime("ms", "Europe/London")),
    ],
    ids=["date", "datetime-ms", "datetime-us", "datetime-tz"],
)
def test_a_date_far_out_of_range_is_text_the_validator_rejects(
    tmp_path: Path, stored: list[int], dtype: pl.DataType
) -> None:
    physical = pl.Int32 if dtype == pl.Date else pl.Int64
    start = pl.Series(stored, dtype=physical).cast(dtype)
    frame = pl.DataFrame({"child_id": [f"C{i}" for i in range(len(stored))], "start_date": start})
    frame = frame.with_columns(end_date=pl.lit(None, pl.Date))
    raw = read_parquet(write(tmp_path, frame))
    assert raw.frame["start_date"].to_list() == [
        f"date out of range (stored as {n})" for n in stored
    ]
    validated = validate_extract(raw, extract_date=dt.date(2026, 1, 1))
    assert validated.report.findings["rule"].to_list() == ["bad-date"] * len(stored)


def test_dates_at_the_ends_of_the_range_are_still_dates(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "d": [dt.date(1, 1, 1), dt.date(9999, 12, 31)],
            "t": [dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59)],
        }
    )
    raw = read_parquet(write(tmp_path, frame))
    assert raw.frame["d"].to_list() == ["0001-01-01", "9999-12-31"]
    assert raw.frame["t"].to_list() == ["0001-01-01", "9999-12-31 23:59:59"]


@pytest.mark.parametrize("seed", range(6))
def test_row_groups_with_plans_ending_before_they_start(tmp_path: Path, seed: int) -> None:
    """Several row groups read as several chunks; validation's filters once panicked on them."""
    rng = random.Random(seed)
    starts = [dt.date(2016, 1, 1) + dt.timedelta(days=rng.randint(0, 1400)) for _ in range(40)]
    ends = [s + dt.timedelta(days=rng.randint(-400, 900)) for s in starts]
    frame = pl.DataFrame(
        {"child_id": [f"C{rng.randint(0, 5)}" for _ in starts], "start_date": starts}
    ).with_columns(end_date=pl.Series(ends))
    path = tmp_path / "groups.parquet"
    frame.write_parquet(path, row_group_size=rng.randint(2, 7))
    raw = read_parquet(path)
    assert raw.frame.n_chunks("all") == [1] * raw.frame.width
    validated = validate_extract(raw, extract_date=dt.date(2026, 1, 1))
    report = validated.report
    assert report.used_rows + report.excluded_rows == 40
    assert (validated.report.findings["rule"] == "8925").any() == any(
        e < s for s, e in zip(starts, ends, strict=True)
    )


def test_a_polars_panic_while_reading_is_a_data_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, pl.DataFrame({"a": [1]}))

    def panic(*_args: object, **_kwargs: object) -> pl.DataFrame:
        raise pl.exceptions.PanicException("assertion failed: i < self.len()")

    monkeypatch.setattr(pl, "read_parquet", panic)
    with pytest.raises(
        DataError, match=r"not a readable parquet file \(assertion failed"
    ) as caught:
        read_parquet(path)
    assert str(caught.value).startswith(f"{path}: ")
