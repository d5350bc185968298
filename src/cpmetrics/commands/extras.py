"""sample and measures: a synthetic extract, and the definitions."""

from pathlib import Path
from typing import Annotated

import typer

from cpmetrics.commands.common import (
    handle_errors,
    parse_date,
    say,
)
from cpmetrics.errors import UsageError


@handle_errors
def sample(
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Random seed (same seed, same file).")
    ] = 2018,
    plans: Annotated[
        int | None,
        typer.Option("--plans", min=1, help="About this many plans (default: one mid-sized LA)."),
    ] = None,
    first_day: Annotated[
        str, typer.Option("--from", help="First day the extract covers.")
    ] = "2012-04-01",
    last_day: Annotated[
        str, typer.Option("--to", help="The extract date (open plans have no end).")
    ] = "2019-12-31",
    reviews: Annotated[
        Path | None,
        typer.Option("--reviews", help="Also write review conferences of the plans (CSV)."),
    ] = None,
    visits: Annotated[
        Path | None,
        typer.Option("--visits", help="Also write visits to the children on a plan (CSV)."),
    ] = None,
) -> None:
    """Write a realistic synthetic plan extract (no real child's data), and if asked its
    review conferences and visits as a case system exports them.

    Example: cpmetrics sample --seed 2018 --out sample_data/cp_plans.csv
    """
    from cpmetrics.sample import generate, practice_records, scale_for

    start = parse_date(first_day, "--from")
    end = parse_date(last_day, "--to")
    assert start is not None and end is not None
    if end <= start:
        raise UsageError("--to must be after --from")
    scale = scale_for(plans, (end - start).days / 365.25) if plans else 1.0
    frame = generate(seed, first_day=start, extract_date=end, scale=scale)
    try:
        frame.write_csv(out)
    except OSError as exc:
        raise UsageError(f"{out}: cannot write ({exc.strerror or exc})") from None
    say(f"wrote {frame.height:,} plans for {frame['child_id'].n_unique():,} children to {out}")
    if reviews is None and visits is None:
        return
    review_rows, visit_rows = practice_records(frame, seed, extract_date=end)
    for path, rows, noun in ((reviews, review_rows, "reviews"), (visits, visit_rows, "visits")):
        if path is None:
            continue
        try:
            rows.write_csv(path)
        except OSError as exc:
            raise UsageError(f"{path}: cannot write ({exc.strerror or exc})") from None
        say(f"wrote {rows.height:,} {noun} to {path}")


@handle_errors
def measures() -> None:
    """List the measures, with their definitions and sources.

    Example: cpmetrics measures
    """
    from cpmetrics.measures import MEASURES

    for m in MEASURES:
        print(f"{m.id}  ({m.unit}, {m.kind})\n  {m.label}\n  numerator:   {m.numerator}")
        if m.denominator != "-":
            print(f"  denominator: {m.denominator}")
        print(f"  source:      {m.source}\n")
