"""CIN census XML reader: one row per child protection plan, every value as text.

The file is streamed through expat in chunks, so a census of any size is read in constant memory
apart from the rows themselves. Each plan keeps the line of its ``<ChildProtectionPlans>`` start
tag. Element names are matched on their local part, so a default namespace (or a prefixed one)
is tolerated.

DTDs are refused outright: a ``<!DOCTYPE``, an entity declaration or an external entity reference
stops the read with a DataError. No census file needs them, and refusing them blocks entity
expansion bombs ("billion laughs") and external entity (XXE) reads.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.parsers import expat

import polars as pl

from cpmetrics import schema as s
from cpmetrics.errors import DataError, InputError
from cpmetrics.io import XML_PATH, RawExtract

REVIEW_DATES = "review_dates"  # the plan's CPPreviewDate values, joined with ';'

_CHUNK = 1 << 20
_DECLARED_ENCODING = re.compile(r"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([^"'>]{0,60})""")
_NOT_ALLOWED = "DTDs and entities are not allowed"

_PLAN_COLUMNS = (
    s.START_DATE,
    s.END_DATE,
    s.INITIAL_CATEGORY,
    s.LATEST_CATEGORY,
    s.PREVIOUS_PLANS,
)
COLUMNS = (
    s.CHILD_ID,
    *_PLAN_COLUMNS,
    s.DATE_OF_BIRTH,
    REVIEW_DATES,
    XML_PATH,
)
SCHEMA: dict[str, type[pl.DataType]] = {s.LINE: pl.Int64, **dict.fromkeys(COLUMNS, pl.String)}

# Where the reader is in the document. Each open element gets a state from its parent's state and
# its local name; an element not listed here is skipped with everything inside it.
_TOP = 1  # before the root element
_MESSAGE = 2
_HEADER = 3
_COLLECTION = 4
_SOURCE = 5
_CHILDREN = 6
_CHILD = 7
_IDENTIFIERS = 8
_CIN = 9
_PLAN = 10
_REVIEWS = 11
_FIELD = 12  # a leaf whose text is kept
_REVIEW = 13  # a CPPreviewDate

_TRANSITIONS: dict[int, dict[str, int]] = {
    _TOP: {"Message": _MESSAGE},
    _MESSAGE: {"Header": _HEADER, "Children": _CHILDREN},
    _HEADER: {"CollectionDetails": _COLLECTION, "Source": _SOURCE},
    _COLLECTION: {"Year": _FIELD, "ReferenceDate": _FIELD},
    _SOURCE: {"LEA": _FIELD},
    _CHILDREN: {"Child": _CHILD},
    _CHILD: {"ChildIdentifiers": _IDENTIFIERS, "CINdetails": _CIN},
    _IDENTIFIERS: {
        "LAchildID": _FIELD,
        "PersonBirthDate": _FIELD,
        "ExpectedPersonBirthDate": _FIELD,
    },
    _CIN: {"ChildProtectionPlans": _PLAN},
    _PLAN: {
        "CPPstartDate": _FIELD,
        "CPPendDate": _FIELD,
        "InitialCategoryOfAbuse": _FIELD,
        "LatestCategoryOfAbuse": _FIELD,
        "NumberOfPreviousCPP": _FIELD,
        "Reviews": _REVIEWS,
    },
    _REVIEWS: {"CPPreviewDate": _REVIEW},
    _FIELD: {},
    _REVIEW: {},
}
# (parent state, element) -> the key its text is kept under
_FIELD_KEYS: dict[tuple[int, str], str] = {
    (_COLLECTION, "Year"): "collection_year",
    (_COLLECTION, "ReferenceDate"): "reference_date",
    (_SOURCE, "LEA"): "lea",
    (_IDENTIFIERS, "LAchildID"): s.CHILD_ID,
    (_IDENTIFIERS, "PersonBirthDate"): "birth",
    (_IDENTIFIERS, "ExpectedPersonBirthDate"): "expected_birth",
    (_PLAN, "CPPstartDate"): s.START_DATE,
    (_PLAN, "CPPendDate"): s.END_DATE,
    (_PLAN, "InitialCategoryOfAbuse"): s.INITIAL_CATEGORY,
    (_PLAN, "LatestCategoryOfAbuse"): s.LATEST_CATEGORY,
    (_PLAN, "NumberOfPreviousCPP"): s.PREVIOUS_PLANS,
}


def read_cin_xml(path: Path) -> RawExtract:
    """Read a CIN census XML file: one row per ChildProtectionPlans block."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not an extract file")
    source = str(path)
    try:
        with path.open("rb") as handle:
            reader = _Reader(source)
            first = True
            while chunk := handle.read(_CHUNK):
                if first:
                    _check_start(chunk, source)
                    first = False
                reader.feed(chunk)
            reader.finish()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return RawExtract(
        frame=reader.frame(), source=source, format="cin-xml", details=reader.details()
    )


def _check_start(chunk: bytes, source: str) -> None:
    if b"\x00" in chunk[:8192] and not chunk.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(f"{source}: looks like a binary file, not CIN census XML")


def _declared_encoding(head: bytes) -> str:
    """The encoding named in the XML declaration at the start of the file, if any."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head[:1024].decode("utf-16", "replace")
    else:
        text = head[:512].decode("latin-1")
    found = _DECLARED_ENCODING.match(text.lstrip("\ufeff\u00ef\u00bb\u00bf"))
    return found.group(1).strip() if found else ""


class _Reader:
    """expat handlers that collect the plans of each child, and the bookkeeping for messages."""

    def __init__(self, source: str) -> None:
        self.source = source
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.buffer_size = 1 << 16
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.XmlDeclHandler = self._declaration
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._entity
        parser.UnparsedEntityDeclHandler = self._unparsed_entity
        parser.ExternalEntityRefHandler = self._external_entity
        self.parser = parser
        self.states: list[int] = [_TOP]
        self.names: list[str] = []
        self.skip = 0  # depth inside an element of no interest (0: not inside one)
        self.text: list[str] = []  # the text of the field being read
        self.field = ""  # ... and the key it is kept under
        self.encoding = "utf-8"
        self.declared = ""  # the encoding the XML declaration names, for messages
        self.seen_content = False
        self.root_seen = False
        self.header: dict[str, str] = {}
        self.children = 0
        self.cin_details = 0
        # the child being read
        self.child: dict[str, str] = {}
        self.child_plans: list[tuple[int, dict[str, str]]] = []  # (line, values)
        self.cin_index = 0
        self.plan_index = 0
        # the plan being read
        self.plan: dict[str, str] = {}
        self.plan_line = 0
        self.reviews: list[str] = []
        # finished rows, column by column
        self.lines: list[int] = []
        self.columns: dict[str, list[str | None]] = {c: [] for c in COLUMNS}

    # -- feeding -------------------------------------------------------------------------------

    def feed(self, chunk: bytes) -> None:
        if not self.seen_content and chunk.strip(b" \t\r\n\xef\xbb\xbf"):
            self.seen_content = True
            self.declared = _declared_encoding(chunk)
        try:
            self._parse(chunk, False)
        except expat.ExpatError as exc:
            raise self._malformed(exc) from None

    def _parse(self, data: bytes, final: bool) -> None:
        """expat, with an encoding it cannot use made a DataError.

        For an encoding other than UTF-8, UTF-16, ISO-8859-1 and ASCII, pyexpat asks Python's
        codecs for a one-byte-per-character table: an unknown name raises LookupError, and a
        multi-byte one (Shift_JIS, UTF-32) or a codec that is no text encoding raises ValueError
        (UnicodeError among them) from inside Parse.
        """
        try:
            self.parser.Parse(data, final)
        except LookupError:
            raise self._bad_encoding("an encoding Python does not know") from None
        except ValueError:
            raise self._bad_encoding(
                "only UTF-8, UTF-16 and one-byte encodings such as Windows-1252 can be read"
            ) from None

    def _bad_encoding(self, why: str) -> DataError:
        named = f"'{self.declared}'" if self.declared else "an encoding"
        return DataError(
            f"{self.source}: the XML declaration names {named}, which cannot be read ({why}); "
            "save the file as UTF-8"
        )

    def finish(self) -> None:
        if not self.seen_content:
            raise DataError(f"{self.source}: the file is empty")
        try:
            self._parse(b"", True)
        except expat.ExpatError as exc:
            if self.names:
                raise DataError(
                    f"{self.source}: XML ends early at line {exc.lineno} "
                    f"(unclosed element <{self.names[-1]}>)"
                ) from None
            if not self.root_seen:
                raise DataError(
                    f"{self.source}: no XML element found (line {exc.lineno}); "
                    "not a CIN census XML file"
                ) from None
            raise self._malformed(exc) from None

    def _malformed(self, exc: expat.ExpatError) -> DataError:
        reason = expat.errors.messages[exc.code] if exc.code else str(exc)
        if reason == expat.errors.XML_ERROR_INCORRECT_ENCODING:  # UTF-16 named, UTF-8 written
            return DataError(
                f"{self.source}: the XML declaration names "
                f"'{self.declared or 'an encoding'}' but the file is not written in it; "
                "correct the declaration, or save the file as UTF-8"
            )
        if reason == expat.errors.XML_ERROR_UNKNOWN_ENCODING:  # EBCDIC (cp037), ...
            return self._bad_encoding("not one the XML reader knows")
        return DataError(
            f"{self.source}: malformed XML at line {exc.lineno}, column {exc.offset + 1} ({reason})"
        )

    # -- results -------------------------------------------------------------------------------

    def frame(self) -> pl.DataFrame:
        data: dict[str, list[int] | list[str | None]] = {s.LINE: self.lines, **self.columns}
        return pl.DataFrame(data, schema=SCHEMA)

    def details(self) -> dict[str, str]:
        out = {
            "encoding": self.encoding,
            "children": str(self.children),
            "cin_details": str(self.cin_details),
        }
        out.update(self.header)
        return out

    # -- expat handlers ------------------------------------------------------------------------

    def _start(self, name: str, _attributes: dict[str, str]) -> None:
        self.names.append(name)
        if self.skip:  # inside an element of no interest: the cheapest path, taken most often
            self.skip += 1
            return
        parent = self.states[-1]
        table = _TRANSITIONS[parent]
        state = table.get(name)
        if state is None and ":" in name:
            state = table.get(name.rpartition(":")[2])
        if parent == _TOP:
            if state is None:
                raise DataError(
                    f"{self.source}: the root element is <{name}> at line "
                    f"{self.parser.CurrentLineNumber}, not <Message>; not a CIN census XML file"
                )
            self.root_seen = True
        if state is None:
            self.skip = 1
            return
        self.states.append(state)
        if state == _FIELD:
            self.field = _FIELD_KEYS[(parent, name.rpartition(":")[2])]
            self._collect_text()
        elif state == _REVIEW:
            self._collect_text()
        elif state == _PLAN:
            self.plan_index += 1
            self.plan = {}
            self.reviews = []
            self.plan_line = self.parser.CurrentLineNumber
        elif state == _CIN:
            self.cin_index += 1
            self.cin_details += 1
            self.plan_index = 0
        elif state == _CHILD:
            self.children += 1
            self.child = {}
            self.child_plans = []
            self.cin_index = 0

    def _collect_text(self) -> None:
        """Keep the text of this element; text elsewhere never reaches Python at all."""
        self.text = []
        self.parser.CharacterDataHandler = self.text.append

    def _end(self, _name: str) -> None:
        self.names.pop()
        if self.skip:
            self.skip -= 1
            return
        state = self.states.pop()
        if state in (_FIELD, _REVIEW):
            self.parser.CharacterDataHandler = None
            value = "".join(self.text).strip()
            if not value:
                return  # an empty element is a missing value
            if state == _REVIEW:
                self.reviews.append(value)
                return
            parent = self.states[-1]
            if parent == _PLAN:
                target = self.plan
            elif parent == _IDENTIFIERS:
                target = self.child
            else:
                target = self.header
            target.setdefault(self.field, value)  # the first of repeated elements wins
        elif state == _PLAN:
            plan = self.plan
            if self.reviews:
                plan[REVIEW_DATES] = ";".join(self.reviews)
            plan[XML_PATH] = (
                f"Message/Children/Child[{self.children}]/CINdetails[{self.cin_index}]"
                f"/ChildProtectionPlans[{self.plan_index}]"
            )
            self.child_plans.append((self.plan_line, plan))
        elif state == _CHILD:
            self._emit_child()

    def _emit_child(self) -> None:
        """Each plan of the child becomes a row; the child's identifiers may come in any order."""
        child = self.child
        child_id = child.get(s.CHILD_ID)
        birth = child.get("birth") or child.get("expected_birth")
        columns = self.columns
        for line, plan in self.child_plans:
            self.lines.append(line)
            columns[s.CHILD_ID].append(child_id)
            for column in _PLAN_COLUMNS:
                columns[column].append(plan.get(column))
            columns[s.DATE_OF_BIRTH].append(birth)
            columns[REVIEW_DATES].append(plan.get(REVIEW_DATES))
            columns[XML_PATH].append(plan[XML_PATH])
        self.child_plans = []

    def _declaration(self, _version: str | None, encoding: str | None, _standalone: int) -> None:
        if encoding:
            self.encoding = encoding.lower()

    def _refuse(self, what: str) -> DataError:
        return DataError(
            f"{self.source}: {what} at line {self.parser.CurrentLineNumber}; {_NOT_ALLOWED}"
        )

    def _doctype(
        self, name: str, _system_id: str | None, _public_id: str | None, _internal: int
    ) -> None:
        raise self._refuse(f"a DOCTYPE declaration (<!DOCTYPE {name}>)")

    def _entity(
        self,
        name: str,
        _is_parameter: int,
        _value: str | None,
        _base: str | None,
        _system_id: str | None,
        _public_id: str | None,
        _notation: str | None,
    ) -> None:
        raise self._refuse(f"an entity declaration ('{name}')")

    def _unparsed_entity(
        self,
        name: str,
        _base: str | None,
        _system_id: str | None,
        _public_id: str | None,
        _notation: str | None,
    ) -> None:
        raise self._refuse(f"an entity declaration ('{name}')")

    def _external_entity(
        self, _context: str, _base: str | None, system_id: str | None, _public_id: str | None
    ) -> int:
        raise self._refuse(f"an external entity reference ('{system_id}')")
