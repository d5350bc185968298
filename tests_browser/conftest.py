"""The HTML report as a person opens it: in the system's Chromium (Debian's package, never a
browser downloaded by playwright), driven by playwright, from a file:// URL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from browser_helpers import ARGS, CHROMIUM, MONTH, Reports, cpmetrics


@pytest.fixture(scope="session")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Reports:
    folder = tmp_path_factory.mktemp("reports")
    plain, published = folder / "report.html", folder / "published.html"
    cpmetrics("report", "--month", MONTH, "--out", str(plain), "-q")
    cpmetrics("report", "--month", MONTH, "--out", str(published), "--suppress", "-q")
    figures = json.loads(cpmetrics("compute", "--month", MONTH, "--format", "json", "-q").stdout)
    return Reports(plain, published, figures)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()
