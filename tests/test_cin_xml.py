"""The CIN census XML reader: files shaped like the public samples (the samples themselves are
checked in tests_samples/), structure, line numbers, hostile files, validation."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from cpmetrics.api import load_plans
from cpmetrics.cli import app
from cpmetrics.errors import DataError, InputError
from cpmetrics.io import cin_xml
from cpmetrics.io.cin_xml import read_cin_xml
from cpmetrics.validate import validate_extract

COLUMNS = [
    "line",
    "child_id",
    "start_date",
    "end_date",
    "initial_category",
    "latest_category",
    "previous_plans",
    "date_of_birth",
    "review_dates",
    "xml_path",
]
EXTRACT_DATE = dt.date(2026, 1, 1)


def plan_path(child: int, cin: int, plan: int) -> str:
    return f"Message/Children/Child[{child}]/CINdetails[{cin}]/ChildProtectionPlans[{plan}]"


def plan_lines(text: str) -> list[int]:
    """The 1-based lines holding a <ChildProtectionPlans> start tag (one per line here)."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if "ChildProtectionPlans>" in line and "</" not in line.split("ChildProtectionPlans>")[0]
    ]


def write(tmp_path: Path, content: str | bytes, name: str = "cin.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


# -- files shaped like the public samples ------------------------------------------------------

# As in data-to-insight's CIN_Census_2024 and CIN2rows samples: a census header, a stray text
# node inside <ChildIdentifiers>, a <Sex> element (2024-25 on), one plan block twice; and a
# child with no plan, its ReferralNFA written as true (as in fake_CIN_data).
PLAN_BLOCK = """        <ChildProtectionPlans>
          <CPPstartDate>2022-02-17</CPPstartDate>
          <CPPendDate>2023-03-14</CPPendDate>
          <InitialCategoryOfAbuse>PHY</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>PHY</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>10</NumberOfPreviousCPP>
          <Reviews><CPPreviewDate>2023-02-15</CPPreviewDate></Reviews>
        </ChildProtectionPlans>
"""
CENSUS_LIKE = (
    """<Message>
  <Header>
    <CollectionDetails><Collection>CIN</Collection><Year>2023</Year>
      <ReferenceDate>2024-03-31</ReferenceDate></CollectionDetails>
    <Source><LEA>201</LEA></Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers>
        <LAchildID>DfEX0000001</LAchildID>
        <UPNunknown>UN3</UPNunknown>PersonBirthDate
        <PersonBirthDate>2015-03-27</PersonBirthDate>
        <Sex>M</Sex>
      </ChildIdentifiers>
      <CINdetails>
        <ReferralNFA>0</ReferralNFA>
"""
    + PLAN_BLOCK * 2
    + """      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers><LAchildID>DfEX0000002</LAchildID></ChildIdentifiers>
      <CINdetails><ReferralNFA>true</ReferralNFA></CINdetails>
    </Child>
  </Children>
</Message>
"""
)


def test_a_census_like_file(tmp_path: Path) -> None:
    raw = read_cin_xml(write(tmp_path, CENSUS_LIKE))
    assert raw.frame.columns == COLUMNS
    assert all(raw.frame.schema[c] == pl.String for c in COLUMNS[1:])
    assert raw.frame["line"].to_list() == plan_lines(CENSUS_LIKE) == [17, 25]
    first, second = raw.frame.drop("line", "xml_path").rows(named=True)
    assert first == second  # one block twice: two rows, flagged by the validator below
    # The stray text "PersonBirthDate" is ignored; the element's date is read.
    assert first == {
        "child_id": "DfEX0000001",
        "start_date": "2022-02-17",
        "end_date": "2023-03-14",
        "initial_category": "PHY",
        "latest_category": "PHY",
        "previous_plans": "10",
        "date_of_birth": "2015-03-27",
        "review_dates": "2023-02-15",
    }
    assert {k: raw.details[k] for k in ("children", "cin_details", "reference_date", "lea")} == {
        "children": "2",
        "cin_details": "2",
        "reference_date": "2024-03-31",
        "lea": "201",
    }


def test_a_census_like_file_through_the_validator(tmp_path: Path) -> None:
    validated = load_plans(write(tmp_path, CENSUS_LIKE))
    assert validated.report.extract_date == dt.date(2024, 3, 31)  # the census ReferenceDate
    assert validated.plans["line"].to_list() == [17]
    findings = validated.report.findings
    assert findings.select("rule", "line", "message").rows() == [
        ("duplicate-row", 25, "same as line 17")
    ]


def test_a_file_without_plans_gives_an_empty_frame_not_an_error(tmp_path: Path) -> None:
    text = CENSUS_LIKE.replace(PLAN_BLOCK, "")
    raw = read_cin_xml(write(tmp_path, text))
    assert raw.frame.is_empty()
    assert raw.frame.schema == pl.Schema(cin_xml.SCHEMA)
    assert raw.details["children"] == "2"


# -- structure ----------------------------------------------------------------------------------

HAND = """<?xml version="1.0" encoding="UTF-8"?>
<Message{ns}>
  <Header><CollectionDetails><Collection>CIN</Collection><Year>2025</Year></CollectionDetails></Header>
  <Children>
    <Child>
      <ChildIdentifiers>
        <LAchildID> A1 </LAchildID>
        <PersonBirthDate></PersonBirthDate>
        <ExpectedPersonBirthDate>2010-05-06</ExpectedPersonBirthDate>
      </ChildIdentifiers>
      <CINdetails>
        <CINreferralDate>2019-01-01</CINreferralDate>
        <ChildProtectionPlans>
          <CPPstartDate>2019-02-01</CPPstartDate>
          <CPPendDate>2019-08-01</CPPendDate>
          <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>EMO</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>0</NumberOfPreviousCPP>
          <Reviews>
            <CPPreviewDate>2019-03-01</CPPreviewDate>
            <CPPreviewDate>2019-06-01</CPPreviewDate>
          </Reviews>
        </ChildProtectionPlans>
      </CINdetails>
      <CINdetails>
        <CINreferralDate>2020-01-01</CINreferralDate>
        <ChildProtectionPlans>
          <CPPstartDate>2020-02-01</CPPstartDate>
          <CPPendDate>2020-09-01</CPPendDate>
          <InitialCategoryOfAbuse>PHY</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>PHY</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>1</NumberOfPreviousCPP>
        </ChildProtectionPlans>
        <ChildProtectionPlans>
          <CPPstartDate>2021-02-01</CPPstartDate>
          <CPPendDate/>
          <InitialCategoryOfAbuse>MUL</InitialCategoryOfAbuse>
          <Reviews><CPPreviewDate>2021-03-01</CPPreviewDate></Reviews>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
    <Child>
      <CINdetails>
        <ChildProtectionPlans>
          <CPPstartDate>2018-01-01</CPPstartDate>
        </ChildProtectionPlans>
      </CINdetails>
      <ChildIdentifiers><LAchildID>B2</LAchildID></ChildIdentifiers>
    </Child>
  </Children>
</Message>
"""


def test_plans_under_several_cin_details_of_one_child(tmp_path: Path) -> None:
    text = HAND.format(ns="")
    frame = read_cin_xml(write(tmp_path, text)).frame
    assert frame.drop("line").rows() == [
        (
            "A1",
            "2019-02-01",
            "2019-08-01",
            "NEG",
            "EMO",
            "0",
            "2010-05-06",
            "2019-03-01;2019-06-01",
            plan_path(1, 1, 1),
        ),
        (
            "A1",
            "2020-02-01",
            "2020-09-01",
            "PHY",
            "PHY",
            "1",
            "2010-05-06",
            None,
            plan_path(1, 2, 1),
        ),
        (
            "A1",
            "2021-02-01",
            None,
            "MUL",
            None,
            None,
            "2010-05-06",
            "2021-03-01",
            plan_path(1, 2, 2),
        ),
        # The identifiers come after the plans here: the child's plans still get its id.
        ("B2", "2018-01-01", None, None, None, None, None, None, plan_path(2, 1, 1)),
    ]


def test_line_numbers_point_at_the_plan_start_tags(tmp_path: Path) -> None:
    text = HAND.format(ns="")
    frame = read_cin_xml(write(tmp_path, text)).frame
    assert frame["line"].to_list() == plan_lines(text) == [13, 27, 34, 44]


def test_line_numbers_with_crlf_and_plans_sharing_a_line(tmp_path: Path) -> None:
    text = HAND.format(ns="").replace("\n", "\r\n")
    assert read_cin_xml(write(tmp_path, text)).frame["line"].to_list() == [13, 27, 34, 44]
    one_line = (
        "<Message>\n<Children><Child><CINdetails>"
        "<ChildProtectionPlans/><ChildProtectionPlans/></CINdetails>\n"
        "<CINdetails>\n\n<ChildProtectionPlans/></CINdetails></Child></Children></Message>"
    )
    frame = read_cin_xml(write(tmp_path, one_line, "one.xml")).frame
    assert frame["line"].to_list() == [2, 2, 5]


@pytest.mark.parametrize(
    "ns", [' xmlns="http://www.dcsf.gov.uk/cin"', ' xmlns:c="urn:x"'], ids=["default", "unused"]
)
def test_a_namespace_is_tolerated(tmp_path: Path, ns: str) -> None:
    plain = read_cin_xml(write(tmp_path, HAND.format(ns=""), "plain.xml")).frame
    spaced = read_cin_xml(write(tmp_path, HAND.format(ns=ns), "ns.xml")).frame
    assert spaced.equals(plain)


def test_a_prefixed_namespace_is_matched_by_local_names(tmp_path: Path) -> None:
    text = (
        '<c:Message xmlns:c="urn:cin"><c:Children><c:Child>'
        "<c:ChildIdentifiers><c:LAchildID>P</c:LAchildID></c:ChildIdentifiers>"
        "<c:CINdetails><c:ChildProtectionPlans><c:CPPstartDate>2020-01-01</c:CPPstartDate>"
        "</c:ChildProtectionPlans></c:CINdetails></c:Child></c:Children></c:Message>"
    )
    frame = read_cin_xml(write(tmp_path, text)).frame
    assert frame.select("child_id", "start_date", "xml_path").rows() == [
        ("P", "2020-01-01", plan_path(1, 1, 1))
    ]


def test_plans_elsewhere_in_the_tree_are_not_plans(tmp_path: Path) -> None:
    text = (
        "<Message><Header><ChildProtectionPlans/></Header><Children><Child>"
        "<ChildProtectionPlans><CPPstartDate>2020-01-01</CPPstartDate></ChildProtectionPlans>"
        "<CINdetails><Other><ChildProtectionPlans/></Other></CINdetails>"
        "</Child></Children></Message>"
    )
    raw = read_cin_xml(write(tmp_path, text))
    assert raw.frame.is_empty()
    assert raw.details["children"] == "1"


def test_encodings_declared_in_the_file(tmp_path: Path) -> None:
    body = (
        "<Message><Children><Child><ChildIdentifiers><LAchildID>Zoë£</LAchildID>"
        "</ChildIdentifiers><CINdetails><ChildProtectionPlans/></CINdetails></Child>"
        "</Children></Message>"
    )
    for encoding in ("windows-1252", "utf-16", "utf-8"):
        declared = f'<?xml version="1.0" encoding="{encoding}"?>\n' + body
        raw = read_cin_xml(write(tmp_path, declared.encode(encoding), f"{encoding}.xml"))
        assert raw.frame["child_id"].to_list() == ["Zoë£"], encoding
        assert raw.frame["line"].to_list() == [2]
        assert raw.details["encoding"] == encoding
    bom = write(tmp_path, b"\xef\xbb\xbf" + body.encode(), "bom.xml")
    assert read_cin_xml(bom).frame["child_id"].to_list() == ["Zoë£"]


_PLAN_BODY = (
    "<Message><Children><Child><ChildIdentifiers><LAchildID>A</LAchildID></ChildIdentifiers>"
    "<CINdetails><ChildProtectionPlans><CPPstartDate>2018-01-01</CPPstartDate>"
    "</ChildProtectionPlans></CINdetails></Child></Children></Message>"
)


@pytest.mark.parametrize(
    ("declared", "encode", "message"),
    [
        ("bogus", "utf-8", "names 'bogus', which cannot be read (an encoding Python does not"),
        ("Shift_JIS", "utf-8", "names 'Shift_JIS', which cannot be read (only UTF-8, UTF-16"),
        ("EUC-JP", "utf-8", "names 'EUC-JP', which cannot be read"),
        ("UTF-32", "utf-8", "names 'UTF-32', which cannot be read"),
        ("utf-7", "utf-8", "names 'utf-7', which cannot be read"),
        ("rot13", "utf-8", "names 'rot13', which cannot be read"),  # a codec, not a text one
        ("idna", "utf-8", "names 'idna', which cannot be read"),
        ("punycode", "utf-8", "names 'punycode', which cannot be read"),
        ("cp037", "utf-8", "names 'cp037', which cannot be read"),  # EBCDIC
        ("UTF-16", "utf-8", "names 'UTF-16' but the file is not written in it"),
        ("Shift_JIS", "utf-16", "names 'Shift_JIS', which cannot be read"),  # a BOM, then this
    ],
)
def test_an_encoding_the_reader_cannot_use_is_a_data_error(
    tmp_path: Path, declared: str, encode: str, message: str
) -> None:
    """pyexpat raises LookupError or ValueError from inside Parse for these: not expat errors."""
    text = f'<?xml version="1.0" encoding="{declared}"?>\n{_PLAN_BODY}'
    path = write(tmp_path, text.encode(encode))
    with pytest.raises(DataError) as caught:
        read_cin_xml(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "save the file as UTF-8" in str(caught.value)


def test_tiny_chunks_give_the_same_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Streaming: elements, text and multi-byte characters cut across chunk boundaries."""
    text = HAND.format(ns="").replace("A1", "Zoë£")
    path = write(tmp_path, text)
    whole = read_cin_xml(path).frame
    monkeypatch.setattr(cin_xml, "_CHUNK", 7)
    assert read_cin_xml(path).frame.equals(whole)
    assert whole["child_id"][0] == "Zoë£"


def test_a_large_file_is_streamed_quickly(tmp_path: Path) -> None:
    plan = (
        "<ChildProtectionPlans>\n<CPPstartDate>2020-01-01</CPPstartDate>\n"
        "<CPPendDate>2020-06-01</CPPendDate>\n<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>\n"
        "<LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>\n"
        "<NumberOfPreviousCPP>0</NumberOfPreviousCPP>\n"
        "<Reviews><CPPreviewDate>2020-02-01</CPPreviewDate></Reviews>\n"
        "</ChildProtectionPlans>\n"
    )  # 8 lines
    child = (
        "<Child>\n<ChildIdentifiers><LAchildID>C{i}</LAchildID>"
        "<PersonBirthDate>2012-01-01</PersonBirthDate></ChildIdentifiers>\n"
        "<CINdetails><ReferralNFA>0</ReferralNFA>\n" + plan * 2 + "</CINdetails>\n</Child>\n"
    )  # 21 lines, the plans on its 4th and 12th
    children = 25_000
    path = tmp_path / "big.xml"
    with path.open("w") as out:
        out.write("<Message>\n<Children>\n")
        for i in range(children):
            out.write(child.format(i=i))
        out.write("</Children>\n</Message>\n")
    started = time.perf_counter()
    frame = read_cin_xml(path).frame
    elapsed = time.perf_counter() - started
    assert frame.height == 2 * children
    assert frame["line"][:4].to_list() == [6, 14, 27, 35]
    assert frame["line"][-1] == 3 + 21 * (children - 1) + 3 + 8
    assert frame["child_id"][-1] == f"C{children - 1}"
    assert elapsed < 20, f"{elapsed:.1f}s for {2 * children:,} plans"  # ~1-2 s on a laptop


# -- files that cannot be read ------------------------------------------------------------------

BOMB = """<?xml version="1.0"?>
<!DOCTYPE Message [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&lol9;</LAchildID></ChildIdentifiers>
<CINdetails><ChildProtectionPlans/></CINdetails></Child></Children></Message>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE Message [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&x;</LAchildID></ChildIdentifiers>
<CINdetails><ChildProtectionPlans/></CINdetails></Child></Children></Message>
"""
TRUNCATED = (
    "<Message>\n  <Children>\n    <Child>\n      <CINdetails>\n"
    "        <ChildProtectionPlans>\n          <CPPstartDate>2020-01-01</CPPstartDate>\n"
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (TRUNCATED, "XML ends early at line 7 (unclosed element <ChildProtectionPlans>)"),
        (TRUNCATED + "          <CPPendDate>2020-0", "XML ends early at line 7"),
        (TRUNCATED + "          <CPPend", "XML ends early at line 7 (unclosed element"),
        (
            "<Message>\n<Children>\n<Child></Chlid>\n</Children>\n</Message>\n",
            "malformed XML at line 3, column 10 (mismatched tag)",
        ),
        ("<Message>\n<Children a=1/>\n</Message>", "malformed XML at line 2"),
        ("<Message>&x;</Message>", "malformed XML at line 1, column 10 (undefined entity)"),
        ("<Message/>\n<Message/>\n", "malformed XML at line 2, column 1 (junk after document"),
        ("child_id,start_date,end_date\nA,2020-01-01,\n", "malformed XML at line 1, column 1"),
        (BOMB, "DOCTYPE declaration (<!DOCTYPE Message>) at line 2; DTDs and entities are not"),
        (XXE, "line 2; DTDs and entities are not allowed"),
        ('<!DOCTYPE Message SYSTEM "http://example.invalid/cin.dtd">\n<Message/>', "not allowed"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "looks like a binary file"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "looks like a binary file"),
        (bytes(range(1, 256)), "malformed XML at line 1, column 1 (not well-formed"),
        (b"", "the file is empty"),
        (b"  \r\n\n\t ", "the file is empty"),
        (b"\xef\xbb\xbf", "the file is empty"),
        ('<?xml version="1.0"?>\n<!-- nothing -->\n', "no XML element found"),
        (
            '<?xml version="1.0"?>\n\n<Root><Children/></Root>',
            "the root element is <Root> at line 3, not <Message>",
        ),
        ("<message><Children/></message>", "the root element is <message> at line 1"),
    ],
    ids=[
        "truncated",
        "truncated-in-text",
        "truncated-in-tag",
        "mismatched-tag",
        "bad-attribute",
        "undefined-entity",
        "two-roots",
        "csv",
        "entity-bomb",
        "external-entity",
        "external-dtd",
        "png",
        "xlsx",
        "junk",
        "empty",
        "whitespace",
        "bom-only",
        "no-element",
        "wrong-root",
        "lower-case-root",
    ],
)
def test_unusable_files(tmp_path: Path, content: str | bytes, message: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(DataError) as caught:
        read_cin_xml(path)
    text = str(caught.value)
    assert message in text
    assert text.startswith(f"{path}: ")
    assert "\n" not in text
    assert "root:" not in text  # nothing of /etc/passwd ever gets read


def test_an_entity_bomb_is_refused_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, BOMB.replace("lol9;</", "lol9;&lol9;&lol9;</"))
    started = time.perf_counter()
    with pytest.raises(DataError, match="DTDs and entities are not allowed"):
        read_cin_xml(path)
    assert time.perf_counter() - started < 1


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_cin_xml(tmp_path / "absent.xml")
    with pytest.raises(InputError, match="is a directory"):
        read_cin_xml(tmp_path)


# -- through the validator ----------------------------------------------------------------------


def test_hand_written_file_through_the_validator(tmp_path: Path) -> None:
    validated = validate_extract(
        read_cin_xml(write(tmp_path, HAND.format(ns=""))), extract_date=EXTRACT_DATE
    )
    plans = validated.plans
    assert plans["line"].to_list() == [13, 27, 34, 44]
    assert plans["start_date"].to_list() == [
        dt.date(2019, 2, 1),
        dt.date(2020, 2, 1),
        dt.date(2021, 2, 1),
        dt.date(2018, 1, 1),
    ]
    assert plans["date_of_birth"][0] == dt.date(2010, 5, 6)
    assert plans["previous_plans"].to_list() == [0, 1, None, None]
    # The open plan's blank latest category is a warning, not an exclusion.
    assert validated.report.counts_by_rule() == {"8905": 1, "8910": 2}


CENSUS_2020_HEADER = "<Year>2020</Year><ReferenceDate>2020-03-31</ReferenceDate>"


def test_the_census_reference_date_is_the_default_extract_date(tmp_path: Path) -> None:
    """A census describes the position at its ReferenceDate: a plan ending after it is
    flagged (future-date) unless an extract date is given."""
    census = HAND.format(ns="").replace("<Year>2025</Year>", CENSUS_2020_HEADER)
    path = write(tmp_path, census)
    loaded = load_plans(path)
    assert loaded.report.extract_date == dt.date(2020, 3, 31)
    future = loaded.report.findings.filter(pl.col("rule") == "future-date")
    assert future["value"].to_list() == ["2020-09-01"]  # the plan started 2020-02-01
    assert load_plans(path, extract_date=EXTRACT_DATE).report.extract_date == EXTRACT_DATE
    # No ReferenceDate (or an unreadable one): today.
    no_date = write(tmp_path, HAND.format(ns=""), name="no_date.xml")
    assert load_plans(no_date).report.extract_date == dt.date.today()


def test_the_command_says_where_the_extract_date_came_from(tmp_path: Path) -> None:
    census = HAND.format(ns="").replace("<Year>2025</Year>", CENSUS_2020_HEADER)
    path = write(tmp_path, census)
    result = CliRunner().invoke(
        app, ["compute", "--month", "2020-03", str(path), "-f", "csv", "--max-excluded", "0"]
    )
    assert result.exit_code == 0, result.output
    assert "extract date 2020-03-31: the census ReferenceDate in the file" in result.stderr
