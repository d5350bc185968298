"""Mutation campaign: small valid files in every format, damaged at random, through the real CLI.

Whatever the damage, the command ends with 0, 1 or 2 (never 3, the internal-error code), with
no traceback; the readers raise nothing but cpmetrics errors; and when compute runs, its summary
accounts for every row. A seeded loop keeps the run short and repeatable.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import random
import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

import cpmetrics.cli as cli
from cpmetrics.cli import app
from cpmetrics.errors import CpmetricsError
from cpmetrics.io import read_extract

ROWS = [
    ("A", "2016-09-01", "", "0"),
    ("B", "2018-10-05", "2018-10-20", "0"),
    ("B", "2018-10-25", "", "1"),
    ("C", "2018-03-01", "2018-10-31", "0"),
]
HEADER = ("child_id", "start_date", "end_date", "previous_plans")
WEIRD = [
    "\uff12\uff10\uff11\uff18",  # full-width digits
    "\u0662\u0660\u0661\u0668",  # Arabic-Indic digits
    "9" * 40,
    "-1e308",
    "\x00",
    "\r",
    "\r\n",
    '"',
    "=1+1",
    "line",
    "_missing_fields",
    "xml_path",
    "\ufeff",
    "\u200b",
    ";",
    "\t",
]


def csv_bytes() -> bytes:
    return "\n".join(",".join(r) for r in [HEADER, *ROWS]).encode() + b"\n"


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def parquet_bytes() -> bytes:
    frame = pl.DataFrame(
        {
            "child_id": [r[0] for r in ROWS],
            "start_date": [dt.date.fromisoformat(r[1]) for r in ROWS],
            "end_date": [dt.date.fromisoformat(r[2]) if r[2] else None for r in ROWS],
            "previous_plans": [int(r[3]) for r in ROWS],
        }
    )
    out = io.BytesIO()
    frame.write_parquet(out, row_group_size=2)
    return out.getvalue()


def xml_bytes() -> bytes:
    plans = "".join(
        f"<Child><ChildIdentifiers><LAchildID>{c}</LAchildID></ChildIdentifiers><CINdetails>"
        f"<ChildProtectionPlans><CPPstartDate>{s}</CPPstartDate>"
        + (f"<CPPendDate>{e}</CPPendDate>" if e else "")
        + f"<NumberOfPreviousCPP>{n}</NumberOfPreviousCPP></ChildProtectionPlans>"
        "</CINdetails></Child>\n"
        for c, s, e, n in ROWS
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Message><Header><CollectionDetails>'
        "<ReferenceDate>2019-03-31</ReferenceDate></CollectionDetails></Header>\n"
        f"<Children>\n{plans}</Children></Message>\n"
    ).encode()


# --- mutations -----------------------------------------------------------------------------


def flip(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :]


def delete(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + data[at + rng.randint(1, 8) :]


def insert(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.choice(WEIRD).encode() + data[at:]


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data))]


def duplicate_line(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    at = rng.randrange(len(lines))
    return b"\n".join([*lines[: at + 1], lines[at], *lines[at + 1 :]])


def swap_digits(data: bytes, rng: random.Random) -> bytes:
    """A date's digit made a huge number, a Unicode digit, or a far cell reference."""
    spots = [m.start() for m in re.finditer(rb"[0-9]", data)]
    if not spots:
        return data
    at = rng.choice(spots)
    new = rng.choice(["\uff19", "\u0669", "99999999999", "0000", "1048576", "XFD"]).encode()
    return data[:at] + new + data[at + 1 :]


def declaration(data: bytes, rng: random.Random) -> bytes:
    encoding = rng.choice(["bogus", "Shift_JIS", "UTF-16", "UTF-32", "rot13", "cp037", "utf-7"])
    return re.sub(rb'encoding="[^"]*"', f'encoding="{encoding}"'.encode(), data, count=1)


def swap_headers(data: bytes, rng: random.Random) -> bytes:
    first, _, rest = data.partition(b"\n")
    names = first.split(b",")
    rng.shuffle(names)
    if rng.random() < 0.5:
        names[rng.randrange(len(names))] = rng.choice([b"line", b"_extra_fields", b"xml_path"])
    return b",".join(names) + b"\n" + rest


def re_encode(data: bytes, rng: random.Random) -> bytes:
    codec = rng.choice(["utf-16-le", "utf-16-be", "utf-32-le"])
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-32-le": b"\xff\xfe\x00\x00"}
    text = data.decode("utf-8", "replace").replace("\n", "\r\n")
    return (bom[codec] if rng.random() < 0.7 else b"") + text.encode(codec)


def bare_crs(data: bytes, rng: random.Random) -> bytes:
    return data.replace(b"\n", b"\r", rng.randint(1, 3))


Mutation = Callable[[bytes, random.Random], bytes]
BYTES: list[Mutation] = [flip, delete, insert, truncate, duplicate_line, swap_digits]
TEXT: list[Mutation] = [*BYTES, swap_headers, re_encode, bare_crs]


def mutate_zip(data: bytes, rng: random.Random) -> bytes:
    """Mutate one part of the workbook (the zip stays readable), or the zip's bytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            parts = {name: source.read(name) for name in source.namelist()}
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        parts = {}  # an earlier mutation broke the zip itself
    inner = [name for name in parts if name.startswith("xl/")]
    if not inner or rng.random() < 0.3:
        return rng.choice(BYTES)(data, rng)
    target = rng.choice(inner)
    parts[target] = rng.choice([*BYTES, declaration])(parts[target], rng)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in parts.items():
            archive.writestr(name, part)
    return out.getvalue()


FORMATS: dict[str, tuple[Callable[[], bytes], Callable[[bytes, random.Random], bytes]]] = {
    "csv": (csv_bytes, lambda d, r: r.choice(TEXT)(d, r)),
    "xlsx": (xlsx_bytes, mutate_zip),
    "parquet": (parquet_bytes, lambda d, r: r.choice(BYTES)(d, r)),
    "xml": (xml_bytes, lambda d, r: r.choice([*BYTES, declaration, bare_crs])(d, r)),
}
# Per format (four formats, two commands each): a few seconds in all. Set CPMETRICS_MUTATIONS
# to run a longer campaign by hand.
EXAMPLES = int(os.environ.get("CPMETRICS_MUTATIONS", "30"))


def check_cli(path: Path) -> None:
    runner = CliRunner()
    compute = ["compute", "--month", "2018-10", "--extract-date", "2019-12-31", str(path)]
    for args in (compute, ["validate", str(path)]):
        result = runner.invoke(app, args)
        everything = result.stdout + result.stderr
        assert result.exit_code in (0, 1, 2), (args, result.exit_code, everything[-2000:])
        assert "Traceback" not in everything, everything[-2000:]
        assert "internal error" not in everything, everything[-2000:]
        if result.exception is not None:
            assert isinstance(result.exception, SystemExit), repr(result.exception)
        if args is compute and result.exit_code in (0, 1) and "error:" not in result.stderr:
            # It ran: the summary accounts for every row read.
            summary = r"all [0-9,]+ rows? used|[0-9,]+ of [0-9,]+ rows? excluded"
            assert re.search(summary, result.stderr), result.stderr


def check_reader(path: Path) -> None:
    with contextlib.suppress(CpmetricsError):  # a refusal with a message is a right answer
        read_extract(path)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_mutated_files_never_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.chdir(tmp_path)  # no cpmetrics.toml but the test's own (none)
    make, mutate = FORMATS[fmt]
    original = make()
    rng = random.Random(f"cpmetrics-{fmt}")
    path = tmp_path / f"plans.{fmt}"
    path.write_bytes(original)
    check_cli(path)  # the unmutated file first: it must work
    for _ in range(EXAMPLES):
        data = original
        for _ in range(rng.randint(1, 3)):
            data = mutate(data, rng) or data
        path.write_bytes(data)
        check_reader(path)
        check_cli(path)


def test_any_base_exception_is_an_internal_error_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Rust panic (pyo3's PanicException) derives from BaseException, not Exception."""

    def panic(*_args: object, **_kwargs: object) -> None:
        raise pl.exceptions.PanicException("assertion failed: i < self.len()\nmore detail")

    import cpmetrics.runner

    monkeypatch.setattr(cpmetrics.runner, "run_compute", panic)
    path = tmp_path / "plans.csv"
    path.write_bytes(csv_bytes())
    result = CliRunner().invoke(app, ["compute", "--month", "2018-10", str(path)])
    assert result.exit_code == 3
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.count("\n") == 1
    assert "internal error: PanicException: assertion failed: i < self.len()." in result.stderr
    assert cli.handle_errors  # the wrapper every command goes through
