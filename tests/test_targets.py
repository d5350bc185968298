"""RAG ratings against a target, both polarities, edges included."""

from __future__ import annotations

import pytest

from cpmetrics.targets import Target, rag

LOW = Target(target=20.0, polarity="low", amber=2.0)
HIGH = Target(target=90.0, polarity="high", amber=5.0)


@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [
        (19.9, LOW, "G"),
        (20.0, LOW, "G"),  # on target is green
        (20.1, LOW, "A"),
        (22.0, LOW, "A"),  # at the edge of the tolerance: amber
        (22.1, LOW, "R"),
        (95.0, HIGH, "G"),
        (90.0, HIGH, "G"),
        (85.0, HIGH, "A"),
        (84.9, HIGH, "R"),
        (None, LOW, None),  # an empty percentage has no rating
        (50.0, None, None),
    ],
)
def test_rag(value: float | None, target: Target | None, expected: str | None) -> None:
    assert rag(value, target) == expected


def test_no_amber_band() -> None:
    assert rag(20.1, Target(target=20.0, polarity="low")) == "R"
