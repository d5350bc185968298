"""The official open data as analysts download it (../shared/reference), given with
--reference, against the copies bundled in the package."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cpmetrics.cli import app
from cpmetrics.reference import BUNDLED, comparators, read_reference
from shared_files import REFERENCE


@pytest.mark.parametrize("name", BUNDLED.values())
def test_the_bundled_files_are_the_shared_ones(name: str) -> None:
    bundled = resources.files("cpmetrics").joinpath("data", name).read_bytes()
    assert bundled == (REFERENCE / name).read_bytes()


def test_the_folder_is_recognised_file_by_file() -> None:
    data = read_reference([REFERENCE])
    # The CLA file sorts first and has a population_estimate, but is not the ONS table.
    assert {kind: Path(path).name for kind, path in data.sources.items()} == BUNDLED
    # SOURCES.txt: West Sussex (E10000032, old code 938) row 2024 -> 181943.
    assert data.population_by_mid_year(data.find("938"))[2024] == 181_943
    found = comparators(data, None, [], dt.date(2020, 3, 31))
    assert found.england["rate_per_10k"] == 43.7


def test_the_folder_given_on_the_command_line(tmp_path: Path) -> None:
    plans = tmp_path / "plans.csv"
    plans.write_text("child_id,start_date,end_date\nA,2019-05-01,\n")
    args = ["compute", str(plans), "--month", "2020-03", "--la", "West Sussex", "-f", "json"]
    args += ["--extract-date", "2020-03-31"]  # the open plan runs to it: the month is covered
    given = CliRunner().invoke(app, [*args, "--reference", str(REFERENCE)])
    bundled = CliRunner().invoke(app, args)
    assert given.exit_code == bundled.exit_code == 0, given.stderr
    assert json.loads(given.stdout) == json.loads(bundled.stdout)
    assert f"comparator data from {REFERENCE}" in given.stderr
    assert "statistical neighbour model 2025, " + str(REFERENCE) in given.stderr
