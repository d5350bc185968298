"""`cpmetrics --help` must stay fast: the CLI module does not import polars."""

from __future__ import annotations

import subprocess
import sys


def test_cli_import_does_not_load_heavy_modules() -> None:
    code = "import sys, cpmetrics.cli; print(sorted({'polars', 'numpy'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
