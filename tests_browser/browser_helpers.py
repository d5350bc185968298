"""What the browser tests share: the command, the Chromium arguments, opening a page with
every request but the file itself refused."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARTEFACTS = ROOT / "artefacts"
MONTH = "2018-10"
# Headless, and nothing that would reach out on its own: no updates, sync or first-run pages.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def cpmetrics(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed command, from the project folder (its cpmetrics.toml names the sample)."""
    done = subprocess.run(
        [sys.executable, "-m", "cpmetrics", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


@dataclass(frozen=True)
class Reports:
    plain: Path
    published: Path
    figures: list[dict[str, Any]]  # compute --format json for the month


@dataclass
class Opened:
    page: Any
    console_errors: list[str]
    page_errors: list[str]
    requests: list[str]  # every URL the page asked for (only the file itself is let through)


def open_page(browser: Any, path: Path, *, width: int = 1280) -> Opened:
    page = browser.new_page(viewport={"width": width, "height": 1000})
    opened = Opened(page, [], [], [])
    page.on(
        "console",
        lambda m: opened.console_errors.append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: opened.page_errors.append(str(e)))
    url = path.as_uri()

    def only_the_file(route: Any) -> None:
        opened.requests.append(route.request.url)
        if route.request.url == url:
            route.continue_()
        else:
            route.abort()

    page.route("**/*", only_the_file)
    page.goto(url, wait_until="load")
    return opened
