"""Official open data from explore-education-statistics (EES): ONS population estimates of
children aged 0-17, DfE table D3 (second or subsequent plans) and table D5 (on a plan at
31 March by duration). Files are recognised by their columns, whatever they are called.

Published values 'c' (suppressed), 'x', 'z', ':' and blanks are missing, never 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from cpmetrics.errors import DataError, InputError, UsageError
from cpmetrics.periods import reporting_year_end

MISSING_MARKERS = ["c", "x", "z", ":", "u", "low", ""]
_KEY_COLUMNS = [
    "time_period",
    "geographic_level",
    "country_code",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
]
# Which file is which: a column only that table has, and the measure columns wanted from it.
_KINDS = {
    "population": ("population_estimate", ["population_estimate"]),
    "d3": ("CPP_subsequent", ["CPP_start", "CPP_subsequent", "CPP_subsequent_percent"]),
    "d5": ("CPP_At31", ["CPP_At31", "2_years_or_more", "2_years_or_more_percent"]),
}
ENGLAND = "E92000001"


@dataclass(frozen=True)
class Area:
    code: str  # new LA code, region code, or England's country code
    name: str
    level: str  # National, Regional or Local authority
    old_code: str | None = None
    region_code: str | None = None
    region_name: str | None = None


@dataclass(frozen=True)
class ReferenceData:
    """Tables keyed by (year, area code). Year is the EES time_period: the year ending 31 March
    for D3/D5, the mid-year for ONS estimates."""

    tables: dict[str, pl.DataFrame]
    sources: dict[str, str]

    def table(self, kind: str) -> pl.DataFrame | None:
        return self.tables.get(kind)

    def areas(self) -> list[Area]:
        seen: dict[str, Area] = {}
        for frame in self.tables.values():
            for row in (
                frame.select(
                    "code", "name", "geographic_level", "old_la_code", "region_code", "region_name"
                )
                .unique(maintain_order=True)
                .iter_rows()
            ):
                code, name, level, old, region, region_name = row
                seen.setdefault(code, Area(code, name, level, old, region, region_name))
        return list(seen.values())

    def find(self, text: str) -> Area:
        """An area by new code (E10000032), old 3-digit code (938) or name ('West Sussex')."""
        wanted = text.strip().lower()
        for area in self.areas():
            if wanted in (area.code.lower(), (area.old_code or "").lower(), area.name.lower()):
                return area
        close = [a.name for a in self.areas() if wanted and wanted in a.name.lower()]
        hint = f"; did you mean {', '.join(close[:5])}?" if close else ""
        raise UsageError(f"no local authority or region '{text}' in the reference data{hint}")

    def population_by_mid_year(self, area: Area) -> dict[int, int]:
        frame = self.table("population")
        if frame is None:
            return {}
        rows = frame.filter(pl.col("code") == area.code).drop_nulls("population_estimate")
        return {int(y): int(v) for y, v in rows.select("year", "population_estimate").iter_rows()}


def read_reference(paths: Iterable[Path]) -> ReferenceData:
    """Read EES CSVs (files, or folders of them), recognising each by its columns."""
    tables: dict[str, pl.DataFrame] = {}
    sources: dict[str, str] = {}
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.glob("*.csv"))
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such reference file or folder")
    for file in files:
        header = file.open(encoding="utf-8-sig", errors="replace").readline()
        names = [h.strip().strip('"') for h in header.split(",")]
        for kind, (marker, _) in _KINDS.items():
            if marker in names and kind not in tables:
                tables[kind] = _read_table(file, kind)
                sources[kind] = str(file)
    if not tables:
        raise InputError(
            "no EES population, D3 or D5 file found in " + ", ".join(str(p) for p in paths)
        )
    return ReferenceData(tables, sources)


def _read_table(path: Path, kind: str) -> pl.DataFrame:
    _, measures = _KINDS[kind]
    try:
        raw = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except pl.exceptions.PolarsError as exc:
        raise DataError(f"{path}: cannot read as CSV ({exc})") from None
    missing = [c for c in [*_KEY_COLUMNS, *measures] if c not in raw.columns]
    if missing:
        raise DataError(f"{path}: not an EES open-data file; missing {', '.join(missing)}")
    level = pl.col("geographic_level")
    code = (
        pl.when(level == "National")
        .then(pl.col("country_code"))
        .when(level == "Regional")
        .then(pl.col("region_code"))
        .otherwise(pl.col("new_la_code"))
    )
    name = (
        (
            pl.when(level == "National")
            .then(pl.col("country_name"))
            .when(level == "Regional")
            .then(pl.col("region_name"))
            .otherwise(pl.col("la_name"))
        )
        if "country_name" in raw.columns
        else pl.col("la_name")
    )
    return raw.select(
        pl.col("time_period").str.slice(0, 4).cast(pl.Int32, strict=False).alias("year"),
        "geographic_level",
        code.alias("code"),
        name.alias("name"),
        pl.col("old_la_code").replace("", None),
        pl.col("region_code").replace("", None),
        pl.col("region_name").replace("", None),
        *(
            pl.col(m)
            .str.strip_chars()
            .replace(MISSING_MARKERS, None)
            .cast(pl.Float64, strict=False)
            .alias(m)
            for m in measures
        ),
    ).filter(pl.col("year").is_not_null() & pl.col("code").is_not_null())


@dataclass(frozen=True)
class Comparators:
    """Published comparator values for one period, by measure id."""

    year: int | None  # the year ending 31 March that was used
    england: dict[str, float | None]
    region: dict[str, float | None]
    neighbours: dict[str, float | None]
    # How many neighbours published each measure (the mean is over those); of how many.
    neighbours_counted: dict[str, int] = field(default_factory=dict)
    neighbours_total: int = 0

    @property
    def label(self) -> str:
        return "" if self.year is None else f"{self.year - 1}-{self.year % 100:02d}"


def published_year(reference: ReferenceData, day: dt.date) -> int | None:
    """The latest year ending 31 March at or before ``day`` that D3 or D5 publish."""
    latest = reporting_year_end(day) - (0 if (day.month, day.day) == (3, 31) else 1)
    years = set()
    for kind in ("d3", "d5"):
        frame = reference.table(kind)
        if frame is not None:
            years |= set(frame["year"].unique().to_list())
    usable = [y for y in years if y <= latest]
    return max(usable) if usable else None


def _area_values(reference: ReferenceData, code: str, year: int) -> dict[str, float | None]:
    def pick(kind: str, column: str, at: int) -> float | None:
        frame = reference.table(kind)
        if frame is None:
            return None
        hit = frame.filter((pl.col("code") == code) & (pl.col("year") == at))[column]
        return None if hit.is_empty() or hit[0] is None else float(hit[0])

    on_plan = pick("d5", "CPP_At31", year)
    population = pick("population", "population_estimate", year - 1)
    rate = None if on_plan is None or not population else _round1(on_plan * 10_000 / population)
    return {
        "rate_per_10k": rate,
        "open_2y_plus_pct": pick("d5", "2_years_or_more_percent", year),
        "repeat_plan_pct": pick("d3", "CPP_subsequent_percent", year),
    }


def _round1(value: float) -> float:
    from decimal import ROUND_HALF_UP, Decimal

    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def comparators(
    reference: ReferenceData, area: Area | None, neighbours: Sequence[Area], day: dt.date
) -> Comparators:
    year = published_year(reference, day)
    if year is None:
        return Comparators(None, {}, {}, {})
    england = _area_values(reference, ENGLAND, year)
    region = (
        _area_values(reference, area.region_code, year)
        if area is not None and area.region_code
        else {}
    )
    mean: dict[str, float | None] = {}
    counted: dict[str, int] = {}
    if neighbours:
        values = [_area_values(reference, n.code, year) for n in neighbours]
        for measure in england:
            present = [x for v in values if (x := v[measure]) is not None]
            mean[measure] = _round1(sum(present) / len(present)) if present else None
            counted[measure] = len(present)
    return Comparators(year, england, region, mean, counted, len(neighbours))


def neighbour_gaps(comparison: Comparison, days: Iterable[dt.date]) -> list[str]:
    """Notes for the neighbours' means taken over fewer than all the neighbours (values
    suppressed or not published), once per measure and year."""
    notes = []
    seen: set[tuple[int | None, str]] = set()
    for day in sorted(set(days)):
        found = comparators(comparison.reference, comparison.area, comparison.neighbours, day)
        for measure, count in found.neighbours_counted.items():
            if count == found.neighbours_total or (found.year, measure) in seen:
                continue
            seen.add((found.year, measure))
            total = found.neighbours_total
            notes.append(
                f"no statistical neighbour publishes {measure} for {found.label}"
                if count == 0
                else f"the neighbours' {measure} for {found.label} is the mean of {count} of "
                f"{total} neighbours (the others are suppressed or not published)"
            )
    return notes


@dataclass(frozen=True)
class Comparison:
    """The authority, its statistical neighbours, and the published data to compare with."""

    reference: ReferenceData
    area: Area
    neighbours: tuple[Area, ...] = ()

    def describe(self) -> str:
        names = ", ".join(n.name for n in self.neighbours) or "none set"
        region = self.area.region_name or "-"
        return (
            f"comparators for {self.area.name}: England, {region}, "
            f"statistical neighbours ({names}); latest published year at or before each period"
        )


COMPARATOR_COLUMNS = {
    "comparator_year": pl.String,
    "england": pl.Float64,
    "region": pl.Float64,
    "neighbours": pl.Float64,
}


def attach_comparators(table: pl.DataFrame, comparison: Comparison | None) -> pl.DataFrame:
    """Add comparator columns to a long result table (empty where nothing is published)."""
    rows: list[tuple[str | None, float | None, float | None, float | None]] = []
    cache: dict[dt.date, Comparators] = {}
    for measure, end in table.select("measure", "period_end").iter_rows():
        if comparison is None:
            rows.append((None, None, None, None))
            continue
        if end not in cache:
            cache[end] = comparators(
                comparison.reference, comparison.area, comparison.neighbours, end
            )
        found = cache[end]
        values = (found.england.get(measure), found.region.get(measure))
        neighbours = found.neighbours.get(measure)
        has_any = any(v is not None for v in (*values, neighbours))
        rows.append((found.label if has_any else None, *values, neighbours))
    extra = pl.DataFrame(rows, schema=COMPARATOR_COLUMNS, orient="row")
    return pl.concat([table, extra], how="horizontal")
