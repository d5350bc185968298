"""make bench: cpmetrics against DuckDB SQL, a pandas loop and the floor (import + read).

Generates extracts with the package's own generator (cached in bench/data/), runs every task in
a fresh process (so imports and peak memory count), checks that cpmetrics, DuckDB and pandas
give identical figures month by month, and prints seconds, ratios and peak memory.

    python bench/run.py                      # 5 thousand, 1 million and 10 million plans
    python bench/run.py --sizes 5000,1000000 --repeat 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
FIRST_DAY, LAST_DAY = dt.date(2010, 4, 1), dt.date(2020, 3, 31)
TREND = ("2010-04", "2020-03")  # ten years of months
MONTH = ("2018-10", "2018-10")


def extract(plans: int) -> Path:
    """The extract for this size, made once by the package's own generator."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"plans_{plans}.csv"
    if not path.exists():
        started = time.perf_counter()
        # In a child process, so that this one stays small: a forked task would otherwise
        # inherit its memory high-water mark.
        subprocess.run(
            [
                str(Path(sys.executable).parent / "cpmetrics"),
                "sample",
                "--seed",
                str(plans),
                "--plans",
                str(plans),
                "--from",
                FIRST_DAY.isoformat(),
                "--to",
                LAST_DAY.isoformat(),
                "--out",
                str(path),
            ],
            check=True,
        )
        print(f"  generated in {time.perf_counter() - started:.1f}s: {path}")
    return path


def run(task: str, path: Path, span: tuple[str, str], repeat: int) -> dict[str, object]:
    best: dict[str, object] = {}
    for _ in range(repeat):
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, str(HERE / "tasks.py"), task, str(path), *span],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        if out.returncode != 0:
            raise SystemExit(f"{task} failed on {path}:\n{out.stderr[-2000:]}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result["seconds"] = seconds
        if not best or seconds < float(best["seconds"]):  # type: ignore[arg-type]
            best = result
    return best


def command_seconds(argv: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,1000000,10000000")
    parser.add_argument("--repeat", type=int, default=3, help="best of N (1 for 10M plans)")
    parser.add_argument(
        "--skip-peers-over",
        type=int,
        default=10**9,
        help="do not run DuckDB/pandas above this many plans",
    )
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.platform()}"
    )
    versions = {}
    for name in ("polars", "duckdb", "pandas"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = "not installed"
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))

    # Start-up: the CLI on the bundled sample against `import polars` + reading the file.
    root = HERE.parent
    sample = root / "sample_data" / "cp_plans.csv"
    cli = command_seconds(
        [
            str(Path(sys.executable).parent / "cpmetrics"),
            "compute",
            "--month",
            "2018-10",
            str(sample),
            "-f",
            "csv",
            "-q",
            "--extract-date",
            "2019-12-31",
        ],
        5,
    )
    floor = command_seconds(
        [sys.executable, "-c", f"import polars as pl; pl.read_csv({str(sample)!r})"], 5
    )
    print(
        f"\nsample ({sample.name}): cpmetrics compute one month {cli:.3f}s, "
        f"import polars + read {floor:.3f}s, ratio {cli / floor:.2f} (target <= 1.5)"
    )

    for plans in (int(s) for s in args.sizes.split(",")):
        path = extract(plans)
        repeat = 1 if plans >= 5_000_000 else args.repeat
        print(f"\n{plans:,} plans ({path.stat().st_size / 1e6:.0f} MB), best of {repeat}:")
        results = {
            "floor": run("floor", path, TREND, repeat),
            "cpmetrics month": run("cpmetrics", path, MONTH, repeat),
            "cpmetrics trend": run("cpmetrics", path, TREND, repeat),
        }
        if plans <= args.skip_peers_over:
            results["duckdb trend"] = run("duckdb", path, TREND, repeat)
            results["pandas trend"] = run("pandas", path, TREND, repeat)
        base = float(results["cpmetrics trend"]["seconds"])  # type: ignore[arg-type]
        print(f"  {'task':18} {'seconds':>8} {'x cpmetrics trend':>18} {'peak MB':>8}")
        for name, r in results.items():
            seconds = float(r["seconds"])  # type: ignore[arg-type]
            print(f"  {name:18} {seconds:8.2f} {seconds / base:18.2f} {r['peak_mb']:8.0f}")
        reference = results["cpmetrics trend"]["figures"]
        for peer in ("duckdb trend", "pandas trend"):
            if peer in results:
                same = results[peer]["figures"] == reference
                print(f"  {peer} figures identical to cpmetrics: {'yes' if same else 'NO'}")
                if not same:
                    raise SystemExit(f"{peer} disagrees with cpmetrics on {path}")
        floor_s = float(results["floor"]["seconds"])  # type: ignore[arg-type]
        print(f"  trend / floor: {base / floor_s:.2f} (target <= 2)")
        if "duckdb trend" in results:
            duck = float(results["duckdb trend"]["seconds"])  # type: ignore[arg-type]
            pand = float(results["pandas trend"]["seconds"])  # type: ignore[arg-type]
            print(
                f"  duckdb / cpmetrics: {duck / base:.2f} (target >= 3); "
                f"pandas / cpmetrics: {pand / base:.2f} (target >= 10)"
            )


if __name__ == "__main__":
    main()
