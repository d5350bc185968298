"""Checks against real files from other projects and the official open data as downloaded.

They live in ../shared beside the clone, not in the repository: these tests are not part of
`make test` (which needs nothing beside the clone) but of `make test-samples`, run by CI.
"""

from __future__ import annotations

import pytest

from shared_files import SHARED


def pytest_configure(config: pytest.Config) -> None:
    # Fail, not skip: a run that checked nothing must not look like a pass.
    if not SHARED.is_dir():
        pytest.exit(
            f"tests_samples needs the shared files in {SHARED} (reference/ and samples/) "
            "beside the clone; 'make test' needs nothing beside it",
            returncode=1,
        )
