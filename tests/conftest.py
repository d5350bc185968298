"""Fixtures shared by the tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

# No per-example deadline: a property test's speed says nothing of correctness, and a CI
# machine running other jobs would fail it at random (speed belongs in make bench).
settings.register_profile("cpmetrics", deadline=None)
settings.load_profile("cpmetrics")


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write text to a file in tmp_path, in the given encoding, and return its path."""

    def _write(text: str, name: str = "plans.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write
