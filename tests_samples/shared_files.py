"""Where the shared files are: $CPMETRICS_SHARED (set by `make test-samples`), else ../shared
beside the clone."""

from __future__ import annotations

import os
from pathlib import Path

SHARED = Path(
    os.environ.get("CPMETRICS_SHARED") or Path(__file__).resolve().parents[2] / "shared"
).resolve()
REFERENCE = SHARED / "reference"
CIN_XML = SHARED / "samples" / "cin_xml"
ANNEX_A = SHARED / "samples" / "annex_a"
