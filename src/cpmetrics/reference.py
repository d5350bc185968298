"""Official open data from explore-education-statistics (EES): ONS population estimates of
children aged 0-17, DfE table D3 (second or subsequent plans), table D5 (on a plan at
31 March by duration), and the DfE statistical neighbour model. Files are recognised by their
columns, whatever they are called.

The package ships one file of each kind (``cpmetrics/data``, Open Government Licence v3.0; its
SOURCES.md names each source), read only when an authority is named. A file of the same kind
given by the user (``--reference``) replaces the bundled one: EES files hold every year, so a
newer download is a superset, and one table never mixes two releases' revisions.

Published values 'c' (suppressed), 'x', 'z', ':' and blanks are missing, never 0.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from importlib.resources.abc import Traversable
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
# The measure columns wanted from each EES table.
_MEASURES = {
    "population": ["population_estimate"],
    "d3": ["CPP_start", "CPP_subsequent", "CPP_subsequent_percent"],
    "d5": ["CPP_At31", "2_years_or_more", "2_years_or_more_percent"],
}
# The files shipped in cpmetrics/data, one per kind (data/SOURCES.md names their sources).
BUNDLED = {
    "population": "ons_mid-year_population_estimates_2012_to_2024.csv",
    "d3": "d3_cpps_subsequent_plan_2013_to_2025.csv",
    "d5": "d5_cpps_at31march_by_duration_2013_to_2025.csv",
    "neighbours": "dfe_statistical_neighbours_2025.csv",
}
TITLES = {
    "population": "ONS mid-year estimates of children aged 0-17",
    "d3": "DfE children in need D3",
    "d5": "DfE children in need D5",
    "neighbours": "DfE statistical neighbour model",
}
LICENCE = "Open Government Licence v3.0"
ENGLAND = "E92000001"


def _kind_of(names: Collection[str]) -> str | None:
    """Which table a file holds, from its header; None for any other file."""
    if "SN_1" in names:
        return "neighbours"
    if "CPP_subsequent" in names:
        return "d3"
    if "CPP_At31" in names:
        return "d5"
    # The children-looked-after open data has a population_estimate too (behind its own rate,
    # and a year off ONS's mid-year): it is not a population table.
    if "population_estimate" in names and "children_count" not in names:
        return "population"
    return None


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
    for D3/D5, the mid-year for ONS estimates. The neighbour model has one row per authority
    and neighbour, by old codes."""

    tables: dict[str, pl.DataFrame]
    sources: dict[str, str]  # kind -> the file it came from (a bundled one: its name)
    bundled: frozenset[str] = frozenset()  # the kinds read from cpmetrics/data

    def table(self, kind: str) -> pl.DataFrame | None:
        return self.tables.get(kind)

    @cached_property
    def _areas(self) -> tuple[Area, ...]:
        # Computed once: finding ten neighbours would otherwise scan the tables ten times.
        seen: dict[str, Area] = {}
        for kind, frame in self.tables.items():
            if kind not in _MEASURES:
                continue
            for row in (
                frame.select(
                    "code", "name", "geographic_level", "old_la_code", "region_code", "region_name"
                )
                .unique(maintain_order=True)
                .iter_rows()
            ):
                code, name, level, old, region, region_name = row
                seen.setdefault(code, Area(code, name, level, old, region, region_name))
        return tuple(seen.values())

    def areas(self) -> list[Area]:
        return list(self._areas)

    def find(self, text: str) -> Area:
        """An area by new code (E10000032), old 3-digit code (938) or name ('West Sussex')."""
        wanted = text.strip().lower()
        for area in self._areas:
            if wanted in (area.code.lower(), (area.old_code or "").lower(), area.name.lower()):
                return area
        close = [a.name for a in self._areas if wanted and wanted in a.name.lower()]
        hint = f"; did you mean {', '.join(close[:5])}?" if close else ""
        raise UsageError(f"no local authority or region '{text}' in the reference data{hint}")

    def population_by_mid_year(self, area: Area) -> dict[int, int]:
        frame = self.table("population")
        if frame is None:
            return {}
        rows = frame.filter(pl.col("code") == area.code).drop_nulls("population_estimate")
        return {int(y): int(v) for y, v in rows.select("year", "population_estimate").iter_rows()}

    def model_neighbours(self, area: Area) -> list[tuple[str, str]]:
        """(old code, closeness) of the area's statistical neighbours in the model, in order."""
        frame = self.table("neighbours")
        if frame is None or area.old_code is None:
            return []
        rows = frame.filter(pl.col("old_la_code") == area.old_code).sort("rank")
        return list(rows.select("neighbour", "closeness").iter_rows())

    def years(self, kind: str) -> str:
        """The years an EES table covers, as people say them: '2012-13 to 2024-25' (years
        ending 31 March), 'mid-2012 to mid-2024' (ONS)."""
        frame = self.table(kind)
        if frame is None or kind not in _MEASURES or frame.is_empty():
            return ""
        first, last = int(frame["year"].min()), int(frame["year"].max())  # type: ignore[arg-type]
        label = (lambda y: f"mid-{y}") if kind == "population" else _year_label
        return label(first) if first == last else f"{label(first)} to {label(last)}"

    def describe_sources(self) -> list[str]:
        """Where the tables came from: the bundled ones together, then each given file."""
        tables = [k for k in self.tables if k in _MEASURES]
        bundled = [f"{TITLES[k]} {self.years(k)}" for k in tables if k in self.bundled]
        notes = [f"comparator data bundled with cpmetrics ({LICENCE}): " + "; ".join(bundled)]
        notes += [
            f"comparator data from {self.sources[k]}: {TITLES[k]} {self.years(k)}"
            for k in tables
            if k not in self.bundled
        ]
        return notes if bundled else notes[1:]

    def model_label(self) -> str:
        """The neighbour model, with its year (from the file name) and where it came from."""
        source = self.sources.get("neighbours", "")
        year = re.search(r"20\d\d", Path(source).name)
        title = TITLES["neighbours"] + (f" {year.group()}" if year else "")
        return f"{title}, bundled" if "neighbours" in self.bundled else f"{title}, {source}"


def _year_label(year_ending: int) -> str:
    return f"{year_ending - 1}-{year_ending % 100:02d}"


def read_reference(paths: Iterable[Path]) -> ReferenceData:
    """Read EES CSVs (files, or folders of them), recognising each by its columns."""
    paths = list(paths)
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.glob("*.csv"))
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such reference file or folder")
    tables: dict[str, pl.DataFrame] = {}
    sources: dict[str, str] = {}
    for file in files:
        kind = _kind_of(_header(file))
        if kind is not None and kind not in tables:  # the first file of a kind is used
            tables[kind] = _read_table(file, kind)
            sources[kind] = str(file)
    if not tables:
        raise InputError(
            "no EES population, D3, D5 or statistical neighbour file found in "
            + ", ".join(str(p) for p in paths)
        )
    return ReferenceData(tables, sources)


def load_reference(paths: Sequence[Path] = ()) -> ReferenceData:
    """The given files, and the bundled table of every kind they do not supply."""
    given = read_reference(paths) if paths else ReferenceData({}, {})
    tables, sources = dict(given.tables), dict(given.sources)
    bundled = set()
    for kind, name in BUNDLED.items():
        if kind not in tables:
            tables[kind] = _read_table(resources.files("cpmetrics").joinpath("data", name), kind)
            sources[kind] = name
            bundled.add(kind)
    return ReferenceData(tables, sources, frozenset(bundled))


# A file on disk or one inside the installed package (importlib.resources).
Source = Path | Traversable


def _header(source: Source) -> list[str]:
    with source.open("rb") as stream:
        line = stream.readline().decode("utf-8-sig", errors="replace")
    return [h.strip().strip('"') for h in line.split(",")]


def _read_table(source: Source, kind: str) -> pl.DataFrame:
    try:
        raw = pl.read_csv(source.read_bytes(), infer_schema=False, encoding="utf8-lossy")
    except pl.exceptions.PolarsError as exc:
        raise DataError(f"{source}: cannot read as CSV ({exc})") from None
    if kind == "neighbours":
        return _neighbour_table(raw, source)
    measures = _MEASURES[kind]
    missing = [c for c in [*_KEY_COLUMNS, *measures] if c not in raw.columns]
    if missing:
        raise DataError(f"{source}: not an EES open-data file; missing {', '.join(missing)}")
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


def _neighbour_table(raw: pl.DataFrame, source: Source) -> pl.DataFrame:
    """The DfE model's wide layout (old_la_code, then SN_1..SN_10 as old codes, each with its
    closeness in SN_1P..SN_10P) as one row per authority and neighbour."""
    ranks = sorted(int(c[3:]) for c in raw.columns if re.fullmatch(r"SN_\d+", c))
    if "old_la_code" not in raw.columns or not ranks:
        raise DataError(f"{source}: not a statistical neighbour file; need old_la_code, SN_1")
    clean = pl.col("old_la_code").str.strip_chars()
    parts = [
        raw.select(
            clean,
            pl.lit(rank, pl.Int32).alias("rank"),
            pl.col(f"SN_{rank}").str.strip_chars().alias("neighbour"),
            # Some cells carry a trailing space ("Close "); people read "close".
            (
                pl.col(f"SN_{rank}P").str.strip_chars().str.to_lowercase()
                if f"SN_{rank}P" in raw.columns
                else pl.lit("", pl.String)
            ).alias("closeness"),
        )
        for rank in ranks
    ]
    long = pl.concat(parts)
    return long.filter(pl.col("neighbour").is_not_null() & (pl.col("neighbour") != ""))


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
    closeness: tuple[str, ...] = ()  # per neighbour, from the model ("" when set by hand)
    neighbours_from: str = ""  # where the list came from, for the note
    unmatched: tuple[str, ...] = ()  # model neighbours (old codes) with no data: left out

    def describe(self) -> list[str]:
        """Notes for stderr: who is compared with whom, and where every figure came from."""
        closeness = self.closeness or ("",) * len(self.neighbours)
        named = [
            f"{n.name} ({close})" if close else n.name
            for n, close in zip(self.neighbours, closeness, strict=True)
        ]
        if named:
            neighbours = (
                f"{len(named)} statistical neighbours ({self.neighbours_from}): {', '.join(named)}"
            )
        else:
            neighbours = f"no statistical neighbours ({self.neighbours_from or 'none set'})"
        region = self.area.region_name or "-"
        notes = [
            f"comparators for {self.area.name}: England, {region} and {neighbours}; "
            "latest published year at or before each period"
        ]
        if self.unmatched:
            notes.append(
                f"neighbours {', '.join(self.unmatched)} in the model are in no DfE table: left out"
            )
        notes += self.reference.describe_sources()
        notes.append(
            "the comparators' rate per 10,000 is recomputed, not DfE's published figure: "
            "children on a plan at 31 March Y (D5) x 10,000 / the ONS mid-(Y-1) estimate "
            "named above (DfE's rule, as for your own rate); DfE published its rate with the "
            "estimates of the day, since revised, so the two can differ"
        )
        return notes


def compare_with(
    reference: ReferenceData, la: str, neighbours: Sequence[str] = (), *, chosen_in: str = ""
) -> Comparison:
    """The authority and its neighbours: those given (by code or name, ``chosen_in`` says
    where), else the ten of the DfE statistical neighbour model."""
    area = reference.find(la)
    if neighbours:
        chosen = tuple(reference.find(n) for n in neighbours)
        return Comparison(reference, area, chosen, neighbours_from=f"set in {chosen_in}")
    by_old_code = {a.old_code: a for a in reference.areas() if a.old_code}
    model = reference.model_neighbours(area)
    found = [(by_old_code[code], close) for code, close in model if code in by_old_code]
    return Comparison(
        reference,
        area,
        tuple(a for a, _ in found),
        tuple(close for _, close in found),
        neighbours_from=reference.model_label(),
        unmatched=tuple(code for code, _ in model if code not in by_old_code),
    )


COMPARATOR_COLUMNS = {
    "comparator_year": pl.String,
    "england": pl.Float64,
    "region": pl.Float64,
    "neighbours": pl.Float64,
    "comparator_note": pl.String,
}


def comparator_note(measure: str, year: int) -> str | None:
    """How a comparator was obtained, where it is not a published figure."""
    if measure == "rate_per_10k":
        return f"recomputed: D5 count / ONS mid-{year - 1} estimate"
    return None


def attach_comparators(table: pl.DataFrame, comparison: Comparison | None) -> pl.DataFrame:
    """Add comparator columns to a long result table (empty where nothing is published)."""
    Row = tuple[str | None, float | None, float | None, float | None, str | None]
    rows: list[Row] = []
    cache: dict[dt.date, Comparators] = {}
    for measure, end in table.select("measure", "period_end").iter_rows():
        if comparison is None:
            rows.append((None, None, None, None, None))
            continue
        if end not in cache:
            cache[end] = comparators(
                comparison.reference, comparison.area, comparison.neighbours, end
            )
        found = cache[end]
        values = (found.england.get(measure), found.region.get(measure))
        neighbours = found.neighbours.get(measure)
        if found.year is None or all(v is None for v in (*values, neighbours)):
            rows.append((None, *values, neighbours, None))
        else:
            note = comparator_note(measure, found.year)
            rows.append((found.label, *values, neighbours, note))
    extra = pl.DataFrame(rows, schema=COMPARATOR_COLUMNS, orient="row")
    return pl.concat([table, extra], how="horizontal")
