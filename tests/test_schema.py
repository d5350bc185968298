"""Header aliases and category normalisation."""

from __future__ import annotations

import pytest

from cpmetrics.schema import match_columns, normalise_category


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("NEG", "NEG"),
        ("neg", "NEG"),
        ("Neglect", "NEG"),
        ("a) Neglect", "NEG"),
        ("1. Neglect", "NEG"),
        ("Physical abuse", "PHY"),
        ("PHYSAB", "PHY"),
        ("b) Physical", "PHY"),
        ("Sexual abuse", "SAB"),
        ("SAB", "SAB"),
        ("Emotional abuse", "EMO"),
        ("emo", "EMO"),
        ("Multiple", "MUL"),
        ("Multiple (neglect and physical)", "MUL"),
        ("MUL", "MUL"),
        (" neglect ", "NEG"),
        ("", None),
        ("unknown", None),
        ("Domestic abuse", None),
    ],
)
def test_normalise_category(text: str, code: str | None) -> None:
    assert normalise_category(text) == code


def test_first_of_two_alias_headers_is_used() -> None:
    found, clashes = match_columns(["child_id", "LAchildID", "StartDate", "CPPendDate"])
    assert found == {"child_id": "child_id", "StartDate": "start_date", "CPPendDate": "end_date"}
    assert clashes == [("child_id", "child_id", "LAchildID")]


def test_config_mapping_wins_over_aliases() -> None:
    found, _ = match_columns(["id", "person"], {"child_id": "person"})
    assert found == {"person": "child_id"}


def test_the_exact_name_beats_a_loose_alias() -> None:
    found, clashes = match_columns(["id", "child_id", "start_date", "end_date"])
    assert found["child_id"] == "child_id" and "id" not in found
    assert clashes == [("child_id", "child_id", "id")]


def test_a_mapping_to_a_missing_header_falls_back_to_the_standard_name() -> None:
    found, _ = match_columns(["child_id", "start_date"], {"child_id": "Person Ref"})
    assert found["child_id"] == "child_id"
