"""`cpmetrics --help` must stay fast: the CLI module does not import polars."""

from __future__ import annotations

import subprocess
import sys


def test_cli_import_does_not_load_heavy_modules() -> None:
    code = "import sys, cpmetrics.cli; print(sorted({'polars', 'numpy'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_command_has_help_with_an_example() -> None:
    from cpmetrics.cli import app

    commands = {c.name or c.callback.__name__: c for c in app.registered_commands}  # type: ignore[union-attr]
    assert set(commands) >= {"compute", "trend", "validate", "sample", "measures"}
    for command in commands.values():
        doc = command.callback.__doc__ or ""  # type: ignore[union-attr]
        assert doc.strip() and "Example: cpmetrics" in doc
