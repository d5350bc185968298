"""`cpmetrics --help` must stay fast: the CLI module does not import polars."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "cp_plans.csv"


def test_cli_import_does_not_load_heavy_modules() -> None:
    heavy = "{'polars', 'numpy', 'xlsxwriter'}"
    code = f"import sys, cpmetrics.cli; print(sorted({heavy} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_command_has_help_with_an_example() -> None:
    from cpmetrics.cli import app

    commands = {c.name or c.callback.__name__: c for c in app.registered_commands}  # type: ignore[union-attr]
    assert set(commands) >= {
        "compute",
        "trend",
        "breakdown",
        "watchlist",
        "explain",
        "overdue",
        "validate",
        "sample",
        "measures",
    }
    for command in commands.values():
        doc = command.callback.__doc__ or ""  # type: ignore[union-attr]
        assert doc.strip() and "Example: cpmetrics" in doc


# The console script leaves with os._exit once its output is flushed (no interpreter teardown):
# nothing written may be lost, and the exit codes must survive.
def _run(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "cpmetrics", *args],
        capture_output=True,
        text=True,
        check=False,
        **kwargs,
    )


def test_fast_exit_keeps_all_output_and_code(tmp_path: Path) -> None:
    sample = str(SAMPLE)
    out = _run("trend", "--from", "2013-01", "--to", "2018-12", sample, "-f", "csv", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    # a header, 72 months of 14 measures (the sample has family ids), then each one's YTD
    assert len(lines) == 1 + 72 * 14 + 14 and lines[-1].startswith("families_open_2y_plus,")
    assert "rows used" in out.stderr

    written = tmp_path / "out.csv"
    out = _run("compute", "--month", "2018-10", sample, "-o", str(written), cwd=tmp_path)
    assert out.returncode == 0 and len(written.read_text().splitlines()) == 1 + 14


def test_fast_exit_keeps_error_codes(tmp_path: Path) -> None:
    usage = _run("compute", "--month", "2018-13", str(SAMPLE), cwd=tmp_path)
    assert usage.returncode == 2 and "2018-13" in usage.stderr and usage.stdout == ""
    missing = _run("compute", "--month", "2018-10", str(tmp_path / "none.csv"), cwd=tmp_path)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("child_id,start_date,end_date\nC1,2018-01-01,2017-01-01\n")
    data = _run("validate", str(bad), cwd=tmp_path)
    assert data.returncode == 1 and "8925" in data.stdout


def test_a_reader_that_stops_early_is_not_an_error(tmp_path: Path) -> None:
    command = ["trend", "--from", "2012-01", "--to", "2019-12", "-f", "csv", str(SAMPLE)]
    process = subprocess.Popen(
        [sys.executable, "-m", "cpmetrics", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()  # like `| head -1`
    stderr = process.stderr.read().decode()
    assert process.wait() == 0
    assert "Traceback" not in stderr and "Exception" not in stderr


def test_a_missing_file_is_the_only_message(tmp_path: Path) -> None:
    """From the project folder (its cpmetrics.toml describes the sample): no note about the
    config before the error about the file."""
    out = _run("compute", "--month", "2018-10", str(tmp_path / "none.csv"), cwd=SAMPLE.parents[1])
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        f"cpmetrics: error: {tmp_path / 'none.csv'}: no such file"
    ]


def test_the_readmes_examples_run_on_the_bundled_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each example of the README's usage block that needs no file of the reader's own runs
    as written, from the project folder (its cpmetrics.toml names the sample)."""
    import re
    import shlex

    from typer.testing import CliRunner

    from cpmetrics.cli import app

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Usage", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    examples = [
        line.split("#", 1)[0].strip()
        for line in block.splitlines()
        if line.startswith("cpmetrics ")
    ]
    own_files = re.compile(r"\.(csv|xml|json)\b|>|-o ")
    runnable = [e for e in examples if not own_files.search(e) and " sample " not in e]
    assert len(runnable) >= 6
    monkeypatch.chdir(root)
    for example in runnable:
        args = shlex.split(example)[1:]
        result = CliRunner().invoke(app, [*args, "-q"] if args[0] != "measures" else args)
        assert result.exit_code == 0, (example, result.stderr[-500:])


def test_compute_loads_no_library_it_does_not_use(tmp_path: Path) -> None:
    """A month's figures need polars, not numpy (visits' working days), holidays, matplotlib,
    jinja2, docx or xlsxwriter: each costs tens of milliseconds on every unattended run."""
    # (The app itself, not main(), which leaves with os._exit once the output is flushed.)
    code = (
        "import sys; from cpmetrics.cli import app\n"
        f"sys.argv = ['cpmetrics', 'compute', '--month', '2018-10', '-q', '-f', 'csv', "
        f"'--population', '76700', {str(SAMPLE)!r}]\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "unused = {'numpy', 'holidays', 'matplotlib', 'jinja2', 'docx', 'xlsxwriter'}\n"
        "print(sorted(unused & {m.split('.')[0] for m in sys.modules}), file=sys.stderr)"
    )
    # (Run away from the project's cpmetrics.toml, whose visits file rightly needs numpy.)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert out.stderr.strip().splitlines()[-1] == "[]"
