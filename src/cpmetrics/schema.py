"""Canonical column names, the header aliases that map onto them, and category codes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

CHILD_ID = "child_id"
START_DATE = "start_date"
END_DATE = "end_date"
INITIAL_CATEGORY = "initial_category"
LATEST_CATEGORY = "latest_category"
DATE_OF_BIRTH = "date_of_birth"
FAMILY_ID = "family_id"
PREVIOUS_PLANS = "previous_plans"
REVIEW_DATES = "review_dates"  # the plan's review conference dates, ';'-separated
REVIEW_LIST = "review_list"  # the same, read as a list of dates (validation)
# Ofsted Annex A List 7 gives only the latest review and visit of each plan.
LATEST_REVIEW = "latest_review"  # date of the latest review conference
LATEST_VISIT = "latest_visit"  # date of the last statutory visit
LATEST_SEEN_ALONE = "latest_seen_alone"  # was the child seen alone at that visit
PLAN_ID = "plan_id"  # the case system's id of the plan: links reviews and visits to it
START_REASON = "start_reason"  # why the plan started (a transfer in from another authority...)
END_REASON = "end_reason"  # why it ended (a transfer out, child no longer at risk...)

REQUIRED = (CHILD_ID, START_DATE, END_DATE)
OPTIONAL = (
    INITIAL_CATEGORY,
    LATEST_CATEGORY,
    DATE_OF_BIRTH,
    FAMILY_ID,
    PREVIOUS_PLANS,
    REVIEW_DATES,
    START_REASON,
    END_REASON,
    LATEST_REVIEW,
    LATEST_VISIT,
    LATEST_SEEN_ALONE,
    PLAN_ID,
)
CANONICAL = REQUIRED + OPTIONAL
DATE_COLUMNS = (START_DATE, END_DATE, DATE_OF_BIRTH)
CATEGORY_COLUMNS = (INITIAL_CATEGORY, LATEST_CATEGORY)

# The physical line of a row in its file (header is line 1); every finding points at it.
LINE = "line"
# The child as a dense integer (same child, same number), for fast sorting and grouping.
CHILD_KEY = "_child"
FAMILY_KEY = "_family"  # the family id as a number, likewise (where the extract has one)
# A row's number across every file read (unique even where two plans share a line).
ROW = "_row"
# Per-plan facts worked out from optional columns: a plan's D6 deadline, and its transfers.
REVIEW_DEADLINE = "review_deadline"
TRANSFER_IN, TRANSFER_OUT = "transfer_in", "transfer_out"
# Visits (visits.py): the plan's visit dates, whether the child was seen alone at each (null:
# not recorded), and the first day the plan is due a visit (the visits measure's denominator).
VISIT_LIST, SEEN_ALONE_LIST, VISIT_FROM = "visit_list", "seen_alone_list", "visit_from"
# True where a plan's only known visit is its latest (Annex A): nothing is known before it.
VISITS_LATEST_ONLY = "visits_latest_only"
# Annex A: the day after which the plan's review is overdue (its latest review + 6 months).
NEXT_REVIEW_DUE = "next_review_due"
# Records of a second kind, besides the plans: the names of the command-line options.
VISITS, SEEN_ALONE = "visits", "seen_alone"
# A measure that needs an extract column is defined where the fact made from it has a value.
DEFINED_BY = {
    FAMILY_ID: FAMILY_KEY,
    REVIEW_DATES: REVIEW_DEADLINE,
    START_REASON: TRANSFER_IN,
    END_REASON: TRANSFER_OUT,
    LATEST_REVIEW: NEXT_REVIEW_DUE,
    VISITS: VISIT_FROM,
    SEEN_ALONE: SEEN_ALONE_LIST,
}


def defined(frame: pl.DataFrame, needs: str) -> bool:
    """Whether a frame of plans has what a measure ``needs`` (a column named in DEFINED_BY, as
    the fact made from it): present, and not blank on every plan."""
    key = DEFINED_BY.get(needs, needs)
    return key in frame.columns and frame[key].null_count() < frame.height


# Header spellings seen in real exports, compared in their compact form (see compact_header):
# CIN census element names, Ofsted Annex A List 7 headings, the Standard Safeguarding Dataset's
# cppl_ fields, and what case systems' reports call them.
_ALIASES: dict[str, tuple[str, ...]] = {
    CHILD_ID: (
        "child_id",
        "childid",
        "child",
        "la_child_id",
        "lachildid",
        "child_unique_id",
        "unique_child_id",
        "child_ref",
        "child_reference",
        "person_id",
        "personid",
        "person_ref",
        "cppl_person_id",
        "upn",
        "id",
    ),
    START_DATE: (
        "start_date",
        "startdate",
        "cpp_start_date",
        "cppstartdate",
        "plan_start_date",
        "plan_start",
        "cp_plan_start",
        "cp_plan_start_date",
        "date_cp_plan_started",
        "date_cp_plan_start",
        "cp_start_date",
        "cp_start",
        "cppl_cp_plan_start_date",
    ),
    END_DATE: (
        "end_date",
        "enddate",
        "cpp_end_date",
        "cppenddate",
        "plan_end_date",
        "plan_end",
        "cp_plan_end",
        "cp_plan_end_date",
        "cp_plan_ceased",
        "cp_plan_ceased_date",
        "date_cp_plan_ceased",
        "date_cp_plan_ended",
        "date_cp_plan_end",
        "cp_end_date",
        "cp_end",
        "cppl_cp_plan_end_date",
        "plan_ceased_date",
        "date_plan_ceased",
    ),
    INITIAL_CATEGORY: (
        "initial_category",
        "initialcategoryofabuse",
        "initial_category_of_abuse",
        "initial_abuse_category",
        "initial_cp_category",
        "cppl_cp_plan_initial_category",
        "category_of_abuse_initial",
    ),
    LATEST_CATEGORY: (
        "latest_category",
        "latestcategoryofabuse",
        "latest_category_of_abuse",
        "latest_abuse_category",
        "latest_cp_category",
        "current_category",
        "current_category_of_abuse",
        "cppl_cp_plan_latest_category",
        "category_of_abuse_latest",
        "category_of_abuse",
        "abuse_category",
        "cp_category",
        "category",
    ),
    DATE_OF_BIRTH: (
        "date_of_birth",
        "dob",
        "personbirthdate",
        "birth_date",
        "person_birth_date",
        "person_dob",
        "child_dob",
        "child_date_of_birth",
        "expected_date_of_birth",
        "personbirthdate_or_expected",
    ),
    FAMILY_ID: (
        "family_id",
        "familyid",
        "family",
        "family_identifier",
        "unique_family_id",
        "family_ref",
        "family_reference",
        "family_group_id",
        "household_id",
        "sibling_group",
        "sibling_group_id",
    ),
    REVIEW_DATES: ("review_dates", "cppreviewdate", "cpp_review_dates", "review_conference_dates"),
    LATEST_REVIEW: (
        "date_of_latest_review_conference",
        "latest_review_conference",
        "latest_review_date",
        "date_of_latest_review",
        "last_review_date",
        "date_of_last_review",
        "date_of_last_review_conference",
        "last_review_conference_date",
    ),
    LATEST_VISIT: (
        "date_of_the_last_statutory_visit",
        "last_statutory_visit",
        "date_of_last_visit",
        "last_visit_date",
        "latest_visit_date",
        "date_of_latest_visit",
        "last_cp_visit",
    ),
    LATEST_SEEN_ALONE: (
        "was_the_child_seen_alone",
        "child_seen_alone",
        "seen_alone",
        "seen_alone_at_last_visit",
    ),
    PLAN_ID: (
        "plan_id",
        "cp_plan_id",
        "cppl_cp_plan_id",
        "child_protection_plan_id",
        "cpp_id",
        "plan_ref",
        "plan_reference",
    ),
    START_REASON: (
        "start_reason",
        "reason_for_start",
        "plan_start_reason",
        "cp_plan_start_reason",
        "reason_plan_started",
        "cppl_cp_plan_start_reason",
    ),
    END_REASON: (
        "end_reason",
        "reason_for_end",
        "plan_end_reason",
        "cp_plan_end_reason",
        "reason_plan_ended",
        "reason_plan_ceased",
        "cp_plan_ceased_reason",
        "cppl_cp_plan_end_reason",
        "cppl_cp_plan_ended_reason",
    ),
    PREVIOUS_PLANS: (
        "previous_plans",
        "numberofpreviouscpp",
        "number_of_previous_cpp",
        "number_of_previous_child_protection_plans",
        "no_of_previous_cp_plans",
        "previous_cpp",
        "previous_cp_plans",
        "prior_cp_plans",
        "prev_cp_plans",
        "cppl_previous_plans",
    ),
}


def normalise_header(name: str) -> str:
    """'Child Protection Plan Start Date ' -> 'child_protection_plan_start_date'."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


# Words that say nothing about which column a header is ("No of previous CP plans").
_FILLER = frozenset({"no", "of", "number", "num", "nr", "count", "the", "total", "a"})
# Spellings of "child protection (plan)" collapse to one, so each alias covers them all.
_CP = (
    (r"(^|_)child_protection_plans?(?=_|$)", r"\1cp_plan"),
    (r"(^|_)child_protection(?=_|$)", r"\1cp"),
    (r"(^|_)cpps?(?=_|$)", r"\1cp_plan"),
)


def compact_header(name: str) -> str:
    """The header's meaning words: 'No. of Previous Child Protection Plans' and
    'number_of_previous_cpp' are both 'previous_cp_plan'."""
    text = normalise_header(name)
    for pattern, replacement in _CP:
        text = re.sub(pattern, replacement, text)
    words = [
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")) else w
        for w in text.split("_")
        if w and w not in _FILLER
    ]
    return "_".join(words)


# Records of a second kind, each belonging to a plan: reviews and visits (a case system's or the
# Standard Safeguarding Dataset's ssd_cp_reviews / ssd_cp_visits). RECORD_DATE is the review
# conference's or the visit's date; SEEN: whether the child was seen at all.
RECORD_DATE, SEEN = "date", "seen"
_PERSON = ("cppr_person_id", "cppv_person_id", *_ALIASES[CHILD_ID])
_PLAN = ("cppr_cp_plan_id", "cppv_cp_plan_id", *_ALIASES[PLAN_ID])
RECORD_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "reviews": {
        CHILD_ID: _PERSON,
        PLAN_ID: _PLAN,
        RECORD_DATE: (
            "cppr_cp_review_date",
            "review_date",
            "cp_review_date",
            "date_of_cp_review",
            "rcpc_date",
            "date_of_review",
            "review_conference_date",
            "date_of_review_conference",
            "conference_date",
            "cppreviewdate",
            "date",
        ),
    },
    "visits": {
        CHILD_ID: _PERSON,
        PLAN_ID: _PLAN,
        RECORD_DATE: (
            "cppv_cp_visit_date",
            "visit_date",
            "cp_visit_date",
            "date_of_cp_visit",
            "visit_start_date",
            "date_of_visit",
            "date_visited",
            "statutory_visit_date",
            "date_of_statutory_visit",
            "date",
        ),
        SEEN: ("cppv_cp_visit_seen", "child_seen", "seen", "was_the_child_seen"),
        SEEN_ALONE: ("cppv_cp_visit_seen_alone", *_ALIASES[LATEST_SEEN_ALONE]),
    },
}


def match_record_columns(
    kind: str, headers: Iterable[str], mapping: Mapping[str, str] | None = None
) -> dict[str, str]:
    """A reviews or visits file's headers -> the record's canonical names: the config's
    ``mapping`` (canonical -> heading) first, then the aliases (first match wins; 'Child ID'
    before 'ID')."""
    aliases = RECORD_ALIASES[kind]
    headers = list(headers)
    found: dict[str, str] = {h: c for c, h in (mapping or {}).items() if h in headers}
    for canonical, names in aliases.items():
        if canonical in found.values():
            continue
        wanted = [compact_header(n) for n in names]
        ranked = sorted(
            (wanted.index(compact_header(h)), h)
            for h in headers
            if compact_header(h) in wanted and h not in found
        )
        if ranked:
            found[ranked[0][1]] = canonical
    return found


ALIAS_TO_CANONICAL: dict[str, str] = {
    compact_header(alias): canonical for canonical, aliases in _ALIASES.items() for alias in aliases
}
# Words that make an unrecognised header worth a second look for a column not found: a word
# of each group must start one of the header's words ('Prev. CP plan tally', not 'Previous LA').
_LOOKS_LIKE: dict[str, tuple[tuple[str, ...], ...]] = {
    CHILD_ID: (("child", "person", "id", "ref", "upn"),),
    START_DATE: (("start", "began", "begin", "commenc"),),
    END_DATE: (("end", "ended", "ceased", "cease", "closed", "closure"),),
    INITIAL_CATEGORY: (("initial",),),
    LATEST_CATEGORY: (("latest", "categor", "abuse"),),
    DATE_OF_BIRTH: (("birth", "dob", "born"),),
    FAMILY_ID: (("family", "sibling", "household"),),
    PREVIOUS_PLANS: (("previous", "prior", "prev", "earlier"), ("plan", "cp", "cpp")),
}


def near_misses(headers: Iterable[str], missing: Iterable[str]) -> list[tuple[str, str]]:
    """(header, canonical) for unrecognised headers that look like a column not found."""
    out = []
    wanted = [c for c in missing if c in _LOOKS_LIKE]
    for header in headers:
        words = normalise_header(header).split("_")
        for canonical in wanted:
            groups = _LOOKS_LIKE[canonical]
            if all(any(w.startswith(k) for w in words for k in group) for group in groups):
                out.append((header, canonical))
                break
    return out


def match_columns(
    headers: Iterable[str], mapping: Mapping[str, str] | None = None
) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Map file headers to canonical names.

    Precedence for each canonical column: the config's mapping (canonical -> header) when that
    header is in the file, then a header that is the canonical name itself, then the first
    alias. Returns (header -> canonical, clashes), where a clash is (canonical, kept header,
    other header): two headers that both mean the same column.
    """
    headers = list(headers)
    present = set(headers)
    explicit = {h: c for c, h in (mapping or {}).items() if h in present}

    def rank(header: str) -> tuple[int, int]:
        if header in explicit:
            return (0, 0)
        exact = normalise_header(header) in CANONICAL
        return (1 if exact else 2, headers.index(header))

    found: dict[str, str] = {}
    by_canonical: dict[str, str] = {}
    clashes: list[tuple[str, str, str]] = []
    for header in sorted(headers, key=rank):
        canonical = explicit.get(header) or ALIAS_TO_CANONICAL.get(compact_header(header))
        if canonical is None:
            continue
        if canonical in by_canonical:
            clashes.append((canonical, by_canonical[canonical], header))
            continue
        by_canonical[canonical] = header
        found[header] = canonical
    return found, clashes


def unmatched_mapping(headers: Iterable[str], mapping: Mapping[str, str] | None) -> list[str]:
    """Config mappings naming a header the file does not have ('child_id -> Person Ref')."""
    present = set(headers)
    return [f"{c} -> '{h}'" for c, h in (mapping or {}).items() if h not in present]


CATEGORY_CODES = ("NEG", "PHY", "SAB", "EMO", "MUL")
# Key words, checked in this order on the normalised text; "multiple" first so that
# "Multiple (neglect and physical)" is MUL, not NEG.
_CATEGORY_WORDS = (
    ("MUL", ("multiple", "mixed", "mul", "more_than_one")),
    ("NEG", ("neglect", "neg")),
    ("PHY", ("physical", "phy", "physab", "pha")),
    ("SAB", ("sexual", "sab", "sxa", "csa")),
    ("EMO", ("emotional", "emo", "ema")),
)


def normalise_category(value: str | None) -> str | None:
    """Map a free-text category ('a) Neglect', 'Physical abuse', 'PHYSAB') to its code.

    Returns None for a blank value or one that cannot be mapped; callers report the latter.
    """
    if value is None:
        return None
    text = normalise_header(value)
    # Drop list markers such as "a_", "1_", "b_" left from "a) Neglect" or "1. Neglect".
    text = re.sub(r"^(?:[a-e]|[0-9]+)_", "", text)
    if not text:
        return None
    if text.upper() in CATEGORY_CODES:
        return text.upper()
    words = text.split("_")
    for code, keys in _CATEGORY_WORDS:
        for key in keys:
            if key == text or key in words or (len(key) > 4 and text.startswith(key)):
                return code
    return None
