"""A corpus of hostile and messy extracts, each run through the command line.

Every file is made in ``tmp_path`` and run through
``compute --month 2018-10 FILE --population 1000 -f csv`` and ``validate FILE -f csv``
(and ``validate FILE -f json`` for the row accounting). Whatever the file holds:

- no traceback, and an exit code of 0, 1 or 2 (3 is the internal-error code: a bug);
- a failure says why on stderr, and stdout then carries nothing (or only a findings table);
- for a file that can be read as an extract, every record is accounted for:
  ``input_rows == used_rows + excluded_rows``, each excluded row under a rule, and
  ``input_rows`` equal to the number of data records written (blank lines are not records).

Many cases are the same six plans in another dress (encoding, delimiter, line endings, quoting,
whitespace). Those must give exactly the figures of the clean file.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cpmetrics.cli import app
from helpers import FINDINGS_HEADER, RESULT_HEADER

MONTH = "2018-10"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

HEADER = ["child_id", "start_date", "end_date", "previous_plans"]
# The clean extract, worked by hand for October 2018 (R = 2018-10-31), population 1,000:
#   A 2016-09-01 .. open        open at R, 2y+ (2018-09-01 <= R)
#   B 2018-10-05 .. 2018-10-20  started and ended in October
#   B 2018-10-25 .. open        started in October, open at R, a repeat
#   C 2018-03-01 .. 2018-10-31  ended on R: ended in October, not open
#   D 2016-10-01 .. 2018-10-15  ended in October after 2 years (2018-10-01 <= end)
#   E 2018-11-02 .. open        after R: in no October figure
BASE = [
    ["A", "2016-09-01", "", "0"],
    ["B", "2018-10-05", "2018-10-20", "0"],
    ["B", "2018-10-25", "", "1"],
    ["C", "2018-03-01", "2018-10-31", "0"],
    ["D", "2016-10-01", "2018-10-15", "0"],
    ["E", "2018-11-02", "", "0"],
]
# measure -> (numerator, denominator, value)
EXPECTED = {
    "children_on_plan": ("2", "", "2"),  # A, B
    "rate_per_10k": ("2", "1000", "20.0"),  # 2 x 10,000 / 1,000
    "open_2y_plus_pct": ("1", "2", "50.0"),  # A of A, B
    "ceased_2y_plus_pct": ("1", "3", "33.3"),  # D of B(1st), C, D
    "repeat_plan_pct": ("1", "2", "50.0"),  # B(2nd) of B(1st), B(2nd)
    "plans_started": ("2", "", "2"),
    "plans_ended": ("3", "", "3"),
    "children_started": ("1", "", "1"),
    "children_ended": ("3", "", "3"),
    # Open at any point in October (start <= 31 Oct, no end or end >= 1 Oct): A, B x2, C, D.
    "plans_any_point": ("5", "", "5"),
    "children_any_point": ("4", "", "4"),  # A, B, C, D
    "open_repeat_pct": ("1", "2", "50.0"),  # B's current plan is its second; A's its first
}


def table(
    rows: list[list[str]],
    header: list[str] = HEADER,
    *,
    delimiter: str = ",",
    newline: str = "\n",
    quoting: int = csv.QUOTE_MINIMAL,
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline, quoting=quoting)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def utf8(text: str) -> bytes:
    return text.encode("utf-8")


def day_first(value: str) -> str:
    if not value:
        return value
    year, month, day = value.split("-")
    return f"{day}/{month}/{year}"


def random_bytes(size: int, *, allow_nul: bool, seed: int) -> bytes:
    rng = random.Random(seed)
    low = 0 if allow_nul else 1
    return bytes(rng.randint(low, 255) for _ in range(size))


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
XLSX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"[Content_Types].xml" + b"\x00" * 64

# Formula-injection payloads, as a child id and in date columns (each reaches a finding).
EVIL_ID = "=cmd|' /C calc'!A0"
EVIL_ROWS = [
    [EVIL_ID, "2018-10-01", "", "0"],  # line 2: a usable plan
    [EVIL_ID, "2018-10-01", "", "0"],  # line 3: duplicate-row, value = the child id
    ["@SUM(1+1)*cmd|' /C calc'!A0", "=1+1", "", "0"],  # line 4: bad-date, value '=1+1'
    ["+44", "-2+3", "2018-10-02", "0"],  # line 5: bad-date, value '-2+3'
    ["F", "2018-10-01", "2018-10-20", "@SUM(A1)"],  # line 6: 8730, value '@SUM(A1)'
]

NOTES_HEADER = [*HEADER, "notes"]
NOTES = [
    'first line\nsecond line, with a comma and "quotes"',
    "plain",
    "a\r\nwindows break inside",
    "",
    "x,y,z",
    "\n\nleading breaks",
]


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    records: int | None  # data records written; None: not readable as an extract
    compute_exit: int | frozenset[int]
    validate_exit: int | frozenset[int]
    same_as_base: bool = False  # the six BASE plans in another dress: the same figures
    suffix: str = ".csv"


def _lines_mid_and_end_blank() -> bytes:
    lines = table(BASE).splitlines(keepends=True)
    return utf8("".join([*lines[:3], "\n", *lines[3:5], "   \n", *lines[5:], "\n", "\n"]))


def _mixed_newlines() -> bytes:
    lines = table(BASE).splitlines()
    ends = ["\r\n", "\n", "\r\n", "\n", "\n", "\r\n", "\n"]
    return utf8("".join(line + end for line, end in zip(lines, ends, strict=True)))


def _whitespace() -> bytes:
    header = [f"  {h} " for h in HEADER]
    rows = [[f" {v}  " if v else "   " for v in row] for row in BASE]
    return utf8(table(rows, header))


def _cp1252() -> bytes:
    # E (outside October) becomes 'Zoë', with a '£5' category; a duplicate makes 'Zoë' a finding.
    header = [*HEADER, "latest_category"]
    rows = [[*row, "Neglect"] for row in BASE[:5]]
    rows += [["Zoë", "2018-11-02", "", "0", "£5"], ["Zoë", "2018-11-02", "", "0", "£5"]]
    return table(rows, header).encode("cp1252")


def _ragged_short() -> bytes:
    text = table(BASE)
    # line 8: end date and count missing (not empty: absent); line 9: only an id
    return utf8(text + "F,2018-10-01\nG\n")


def _ragged_long() -> bytes:
    lines = table(BASE).splitlines(keepends=True)
    lines[3] = lines[3].rstrip("\n") + ",=evil(),surplus\n"  # line 4 has two extra fields
    return utf8("".join(lines))


def _duplicate_header() -> bytes:
    # Two 'end_date' columns that disagree: the user must be told which one was used.
    return utf8(
        "child_id,start_date,end_date,end_date\n"
        "A,2016-09-01,,2017-01-01\n"
        "B,2018-10-05,2018-10-20,\n"
    )


def _embedded_newlines() -> bytes:
    rows = [[*row, note] for row, note in zip(BASE, NOTES, strict=True)]
    return utf8(table(rows, NOTES_HEADER))


def _huge_field(size: int, *, extra_newline: bool) -> bytes:
    rows = [[*row, ""] for row in BASE]
    rows[0][-1] = "x" * size  # one long free-text field on line 2
    if extra_newline:
        rows[1][-1] = "a note\nover two lines"
    return utf8(table(rows, NOTES_HEADER))


def _late_nul() -> bytes:
    # Starts through to November 2018: the extract covers the month computed (October).
    rows = [[f"K{i:04d}", f"2018-{1 + i % 11:02d}-01", "", "0"] for i in range(1000)]
    rows[900][0] = "K\x00900"
    return utf8(table(rows))


def _unparseable_dates() -> bytes:
    rows = [
        *BASE,
        ["G", "not a date", "", "0"],  # line 8
        ["H", "2018-10-40", "", "0"],  # line 9
        ["I", "2018-10-01", "31/13/2018", "0"],  # line 10: no 13th month
        ["J", "2018-02-29", "", "0"],  # line 11: no such day
        ["K", "20181301", "", "0"],  # line 12: compact year-first, but no 13th month
    ]
    return utf8(table(rows))


def _day_first() -> bytes:
    rows = [[r[0], day_first(r[1]), day_first(r[2]), r[3]] for r in BASE]
    return utf8(table(rows))


CASES = [
    Case("clean", utf8(table(BASE)), 6, 0, 0, same_as_base=True),
    Case("utf8_bom", b"\xef\xbb\xbf" + utf8(table(BASE)), 6, 0, 0, same_as_base=True),
    Case(
        "utf8_bom_crlf",
        b"\xef\xbb\xbf" + utf8(table(BASE, newline="\r\n")),
        6,
        0,
        0,
        same_as_base=True,
    ),
    Case("windows_1252", _cp1252(), 7, 0, 1, same_as_base=True),
    Case(
        "tab_delimited",
        utf8(table(BASE, delimiter="\t")),
        6,
        0,
        0,
        same_as_base=True,
        suffix=".tsv",
    ),
    Case("tab_delimited_csv_suffix", utf8(table(BASE, delimiter="\t")), 6, 0, 0, same_as_base=True),
    Case("semicolon_delimited", utf8(table(BASE, delimiter=";")), 6, 0, 0, same_as_base=True),
    Case(
        "pipe_delimited",
        utf8(table(BASE, delimiter="|")),
        6,
        0,
        0,
        same_as_base=True,
        suffix=".txt",
    ),
    Case("crlf", utf8(table(BASE, newline="\r\n")), 6, 0, 0, same_as_base=True),
    Case("cr_only_old_mac", utf8(table(BASE, newline="\r")), 6, 0, 0, same_as_base=True),
    Case("mixed_newlines", _mixed_newlines(), 6, 0, 0, same_as_base=True),
    Case("blank_lines_middle_and_end", _lines_mid_and_end_blank(), 6, 0, 0, same_as_base=True),
    Case("all_quoted", utf8(table(BASE, quoting=csv.QUOTE_ALL)), 6, 0, 0, same_as_base=True),
    Case("embedded_newlines_and_commas", _embedded_newlines(), 6, 0, 0, same_as_base=True),
    Case("ragged_too_few_fields", _ragged_short(), 8, frozenset({0}), frozenset({0, 1})),
    Case("ragged_too_many_fields", _ragged_long(), 6, 0, 0, same_as_base=True),
    Case("duplicate_header_names", _duplicate_header(), 2, 0, frozenset({0, 1})),
    Case("whitespace_around_values", _whitespace(), 6, 0, 0, same_as_base=True),
    Case("no_trailing_newline", utf8(table(BASE).rstrip("\n")), 6, 0, 0, same_as_base=True),
    Case(
        "trailing_delimiters",
        utf8("".join(line + ",\n" for line in table(BASE).splitlines())),
        6,
        0,
        0,
        same_as_base=True,
    ),
    Case(
        "census_style_headers",
        utf8(table(BASE, ["Child ID", "CPP Start Date", "CPP End Date", "NumberOfPreviousCPP"])),
        6,
        0,
        0,
        same_as_base=True,
    ),
    Case(
        "iso_datetimes",
        utf8(table([[r[0], r[1] + " 00:00:00", r[2] and r[2] + "T00:00:00", r[3]] for r in BASE])),
        6,
        0,
        0,
        same_as_base=True,
    ),
    Case("random_bytes", random_bytes(4096, allow_nul=True, seed=1), None, 1, 1),
    Case("random_bytes_no_nul", random_bytes(4096, allow_nul=False, seed=2), None, 1, 1),
    Case("png_header", PNG, None, 1, 1),
    Case("xlsx_saved_as_csv", XLSX, None, 1, 1),
    # Excel's "Unicode Text": UTF-16 with a byte-order mark is read; without one, refused.
    Case("utf16_le", b"\xff\xfe" + table(BASE).encode("utf-16-le"), 6, 0, 0, same_as_base=True),
    Case("utf16_be", b"\xfe\xff" + table(BASE).encode("utf-16-be"), 6, 0, 0, same_as_base=True),
    Case("utf16_le_no_bom", table(BASE).encode("utf-16-le"), None, 1, 1),
    Case(
        "nul_byte_early",  # one damaged value, not a binary file: a nul-byte warning
        utf8(table(BASE)).replace(b"B,2018-10-05", b"B\x00,2018-10-05"),
        6,
        0,
        0,
    ),
    Case("nul_byte_late", _late_nul(), 1000, 0, 0),
    Case("huge_field", _huge_field(2_000_000, extra_newline=False), 6, 0, 0, same_as_base=True),
    # A 200 KB note plus one multi-line note elsewhere (the careful reader's path).
    Case(
        "long_field_and_quoted_newline",
        _huge_field(200_000, extra_newline=True),
        6,
        0,
        0,
        same_as_base=True,
    ),
    Case("huge_single_line_many_columns", utf8("a," * 200_000), None, 1, 1),
    Case("huge_single_line_one_field", b"x" * 3_000_000, None, 1, 1),
    Case("only_header", utf8(table([])), 0, 1, 0),
    Case("only_header_no_newline", utf8(",".join(HEADER)), 0, 1, 0),
    Case("empty_file", b"", None, 1, 1),
    Case("whitespace_only", b"  \n\n\t\n", None, 1, 1),
    Case("single_column", utf8("child_id\nA\nB\n"), None, 1, 1),
    Case("no_header_row", utf8(table(BASE[1:], BASE[0])), None, 1, 1),
    Case("unparseable_dates", _unparseable_dates(), 11, 0, 1, same_as_base=True),
    Case("day_first_dates", _day_first(), 6, 0, 0, same_as_base=True),
    Case("formula_injection", utf8(table(EVIL_ROWS)), 5, 0, 1),
    Case(
        "unbalanced_quote",
        utf8('child_id,start_date,end_date\nA,"2016-09-01,,\nB,2018-10-05,2018-10-20\n'),
        None,
        1,
        1,
    ),
]


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(app, [str(a) for a in args])
    everything = result.stdout + result.stderr
    assert "Traceback" not in everything, everything[-3000:]
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r} would reach the user as a traceback")
    assert result.exit_code in (0, 1, 2), (
        f"exit {result.exit_code} (3 = internal error, a bug): {result.stderr[:2000]}"
    )
    if result.exit_code != 0:
        assert result.stderr.strip(), "a failure must say why on stderr"
    # A message is for people: one screenful, not the whole file echoed back.
    assert len(result.stderr) < 5_000, f"stderr is {len(result.stderr):,} characters long"
    return result


def exits(expected: int | frozenset[int]) -> frozenset[int]:
    return expected if isinstance(expected, frozenset) else frozenset({expected})


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def make(workdir: Path, case: Case) -> Path:
    path = workdir / f"{case.name}{case.suffix}"
    path.write_bytes(case.data)
    return path


def compute_csv(path: Path) -> Result:
    # Tiny files: one excluded row is a large share, which the unattended-run guard (tested on
    # its own) would turn into exit 1; these cases are about reading, so it is off.
    return run(
        "compute",
        "--month",
        MONTH,
        path,
        "--population",
        "1000",
        "-f",
        "csv",
        "--max-excluded",
        "0",
    )


def figures(stdout: str) -> dict[str, tuple[str, str, str]]:
    rows = list(csv.reader(io.StringIO(stdout)))
    assert rows[0] == RESULT_HEADER
    return {r[0]: (r[4], r[5], r[6]) for r in rows[1:]}


def findings_csv(stdout: str) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(stdout)))
    assert rows[0] == FINDINGS_HEADER
    return [dict(zip(FINDINGS_HEADER, r, strict=True)) for r in rows[1:]]


def validate_json(path: Path) -> dict[str, object]:
    result = run("validate", path, "-f", "json")
    assert result.stdout, result.stderr
    return json.loads(result.stdout)


IDS = [c.name for c in CASES]
READABLE = [c for c in CASES if c.records is not None]
SAME = [c for c in CASES if c.same_as_base]


# --- every case: no crash, the right exit code ---------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_compute_survives(workdir: Path, case: Case) -> None:
    result = compute_csv(make(workdir, case))
    assert result.exit_code in exits(case.compute_exit), result.stderr[:2000]
    if result.exit_code == 0:
        assert len(figures(result.stdout)) == len(EXPECTED)
        assert "cpmetrics:" not in result.stdout
    else:
        assert result.stdout == ""


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_validate_survives(workdir: Path, case: Case) -> None:
    result = run("validate", make(workdir, case), "-f", "csv")
    assert result.exit_code in exits(case.validate_exit), result.stderr[:2000]
    if case.records is not None:
        assert result.stdout, "a readable file gets a findings table, even an empty one"
    if result.stdout:
        findings_csv(result.stdout)  # well-formed, with the findings header
        assert "cpmetrics:" not in result.stdout


# --- readable cases: every record accounted for ---------------------------------------------


@pytest.mark.parametrize("case", READABLE, ids=[c.name for c in READABLE])
def test_row_accounting(workdir: Path, case: Case) -> None:
    report = validate_json(make(workdir, case))
    assert report["input_rows"] == report["used_rows"] + report["excluded_rows"]
    assert sum(report["excluded_by_rule"].values()) == report["excluded_rows"]
    assert report["input_rows"] == case.records, (
        f"wrote {case.records} records, read {report['input_rows']} "
        f"(findings: {report['findings_by_rule']})"
    )


@pytest.mark.parametrize("case", SAME, ids=[c.name for c in SAME])
def test_same_figures_as_clean_file(workdir: Path, case: Case) -> None:
    result = compute_csv(make(workdir, case))
    assert result.exit_code == 0, result.stderr[:2000]
    assert figures(result.stdout) == EXPECTED


# --- what particular files must produce -----------------------------------------------------


def test_windows_1252_values_decoded(workdir: Path) -> None:
    case = next(c for c in CASES if c.name == "windows_1252")
    report = validate_json(make(workdir, case))
    values = {(f["rule"], f["line"], f["value"]) for f in report["findings"]}
    assert ("duplicate-row", 8, "Zoë") in values
    assert ("8910", 7, "£5") in values
    assert ("8910", 8, "£5") in values


def test_formula_injection_neutralised_in_findings_csv(workdir: Path) -> None:
    path = make(workdir, next(c for c in CASES if c.name == "formula_injection"))
    result = run("validate", path, "-f", "csv")
    assert result.exit_code == 1
    findings = findings_csv(result.stdout)
    for finding in findings:
        for column, cell in finding.items():
            assert not cell.startswith(FORMULA_START), (column, cell)
    values = {f["value"] for f in findings}
    assert "'" + EVIL_ID in values  # the child id, from the duplicate-row finding
    assert "'=1+1" in values
    assert "'-2+3" in values
    assert "'@SUM(A1)" in values


def test_formula_injection_in_file_name(workdir: Path) -> None:
    path = workdir / "=HYPERLINK(1).csv"
    path.write_bytes(utf8(table([*BASE, ["F", "2018-10-10", "2018-10-01", "0"]])))
    result = run("validate", path.name, "-f", "csv")  # relative: the name starts the cell
    assert result.exit_code == 1
    for finding in findings_csv(result.stdout):
        assert finding["file"] == "'=HYPERLINK(1).csv"


def test_extra_fields_value_neutralised(workdir: Path) -> None:
    path = make(workdir, next(c for c in CASES if c.name == "ragged_too_many_fields"))
    result = run("validate", path, "-f", "csv")
    findings = findings_csv(result.stdout)
    extra = [f for f in findings if f["rule"] == "extra-fields"]
    assert [f["line"] for f in extra] == ["4"]
    assert not extra[0]["value"].startswith(FORMULA_START)


def test_ragged_short_rows_are_reported(workdir: Path) -> None:
    # 'F,2018-10-01' has no end-date field at all. It must not pass silently as an open plan.
    path = make(workdir, next(c for c in CASES if c.name == "ragged_too_few_fields"))
    report = validate_json(path)
    lines = {f["line"] for f in report["findings"]}
    assert 8 in lines, report["findings"]
    assert 9 in lines, report["findings"]


def test_duplicate_header_is_reported(workdir: Path) -> None:
    path = make(workdir, next(c for c in CASES if c.name == "duplicate_header_names"))
    report = validate_json(path)
    assert any(f["line"] == 1 for f in report["findings"]), (
        "two 'end_date' columns, one silently ignored"
    )


def test_line_numbers_after_embedded_newlines(workdir: Path) -> None:
    # Record 1 (A) spans lines 2-3, record 3 (B) spans lines 5-6, record 6 (E) lines 9-11.
    rows = [[*row, note] for row, note in zip(BASE, NOTES, strict=True)]
    rows.append(["F", "2018-10-10", "2018-10-01", "0", "bad"])  # 8925, on line 12
    path = workdir / "multi.csv"
    path.write_bytes(utf8(table(rows, NOTES_HEADER)))
    report = validate_json(path)
    assert report["input_rows"] == 7
    assert [(f["rule"], f["line"], f["column"]) for f in report["findings"]] == [
        ("8925", 12, "end_date")
    ]


def test_line_numbers_after_blank_lines(workdir: Path) -> None:
    # Blank lines 4 and 7; the bad row is on physical line 10.
    text = table(BASE).splitlines(keepends=True)
    text = [*text[:3], "\n", *text[3:5], "\n", *text[5:], "F,2018-10-10,2018-10-01,0\n"]
    path = workdir / "blank.csv"
    path.write_bytes(utf8("".join(text)))
    report = validate_json(path)
    bad = [f for f in report["findings"] if f["rule"] == "8925"]
    assert [(f["line"], f["column"]) for f in bad] == [(10, "end_date")]


def test_unparseable_dates_named_by_line_and_column(workdir: Path) -> None:
    path = make(workdir, next(c for c in CASES if c.name == "unparseable_dates"))
    result = run("validate", path, "-f", "csv")
    assert result.exit_code == 1
    got = {(f["rule"], f["line"], f["column"]) for f in findings_csv(result.stdout)}
    assert got == {
        ("bad-date", "8", "start_date"),
        ("bad-date", "9", "start_date"),
        ("bad-date", "10", "end_date"),
        ("bad-date", "11", "start_date"),
        ("bad-date", "12", "start_date"),
    }
    assert "5 of 11 rows excluded" in result.stderr


def test_day_first_dates_are_read_as_the_uk_writes_them(workdir: Path) -> None:
    path = make(workdir, next(c for c in CASES if c.name == "day_first_dates"))
    result = run("validate", path, "-f", "csv")
    assert result.exit_code == 0
    assert findings_csv(result.stdout) == []
    base = make(workdir, next(c for c in CASES if c.name == "clean"))
    assert compute_csv(path).stdout == compute_csv(base).stdout


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("empty_file", "empty"),
        ("whitespace_only", "empty"),
        ("png_header", "binary"),
        ("random_bytes", "binary"),
        ("single_column", "required column"),
        ("no_header_row", "required column"),
        ("only_header", "no rows"),
    ],
)
def test_failure_messages_say_what_is_wrong(workdir: Path, name: str, words: str) -> None:
    path = make(workdir, next(c for c in CASES if c.name == name))
    result = compute_csv(path)
    assert result.exit_code == 1
    assert words in result.stderr
    assert path.name in result.stderr


def test_unbalanced_quote_is_not_silent(workdir: Path) -> None:
    path = make(workdir, next(c for c in CASES if c.name == "unbalanced_quote"))
    result = run("validate", path, "-f", "csv")
    assert result.exit_code == 1
    assert findings_csv(result.stdout)


def test_a_late_nul_byte_is_a_warning_at_its_line_and_column(workdir: Path) -> None:
    path = make(workdir, next(c for c in CASES if c.name == "nul_byte_late"))
    result = run("validate", path, "-f", "csv")
    assert result.exit_code == 0
    found = [(f["rule"], f["line"], f["column"], f["value"]) for f in findings_csv(result.stdout)]
    assert found == [("nul-byte", "902", "child_id", "K\\x00900")]
    assert "all 1,000 rows used; warnings: nul-byte x1" in result.stderr
