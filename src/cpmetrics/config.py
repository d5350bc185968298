"""cpmetrics.toml: where the extract is, the population, and the measure options.

Precedence: command-line options > the config file > defaults. Paths in the file are relative
to the file itself, so a config works from any working directory.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cpmetrics import CONFIG_NAME
from cpmetrics.errors import ConfigError
from cpmetrics.targets import Target


class Settings(BaseModel):
    # Mutable defaults are given as values, which pydantic copies for each instance: a
    # default_factory=dict makes pydantic inspect dict's signature, which costs 40 ms of start-up
    # (it compiles the tokenizer's regular expressions).
    model_config = ConfigDict(extra="forbid")

    input: Path | list[Path] | None = Field(
        None, description="the plan extract to read when none is given: a file, a folder, or a list"
    )
    reviews: Path | list[Path] | None = Field(
        None, description="review conference records, beside the plans: a file, folder or list"
    )
    visits: Path | list[Path] | None = Field(
        None, description="visit records, beside the plans: a file, folder or list"
    )
    visit_interval: str = Field(
        "10 working days",
        description="how often a child on a plan must be seen: '10 working days', "
        "'20 working days', '4 weeks', 'month'",
    )
    population: int | None = Field(
        None, gt=0, le=1_000_000_000, description="children aged 0-17, one figure"
    )
    population_by_year: dict[int, int] = Field(
        {},
        description="ONS mid-year estimates of children aged 0-17, by mid-year",
    )
    extract_date: dt.date | None = Field(
        None, description="the date the extract was taken (default: today)"
    )
    date_order: Literal["dmy", "mdy"] | None = Field(
        None, description="numeric dates: day-first (dmy, UK) or month-first (mdy)"
    )
    sheet: str | None = Field(None, description="the worksheet to read from an Excel workbook")
    repeat_rule: Literal["either", "history", "count", "within"] = "either"
    repeat_within_months: int = Field(24, gt=0)
    duration_days: bool = False
    columns: dict[str, str] = Field({}, description="canonical column name -> header in the file")
    reviews_columns: dict[str, str] = Field(
        {}, description="a reviews file's headings: child_id, plan_id, date -> its heading"
    )
    visits_columns: dict[str, str] = Field(
        {},
        description="a visits file's headings: child_id, plan_id, date, seen, seen_alone -> "
        "its heading",
    )
    open_markers: list[str] = Field(
        [],
        description="values read as blank besides NULL, N/A, None, -; ISO dates among them "
        "mark an open plan's end date (e.g. '2099-12-31')",
    )
    transfer_in: list[str] = Field(
        [], description="start reasons that mean a transfer in (default: any naming a transfer)"
    )
    transfer_out: list[str] = Field(
        [], description="end reasons that mean a transfer out (default: any naming a transfer)"
    )
    max_excluded_pct: float = Field(
        5.0,
        ge=0,
        le=100,
        description="exit 1 when one rule excludes more than this % of the rows (0: off)",
    )
    la: str | None = Field(
        None, description="the authority: new code (E10000032), old code (938) or name"
    )
    neighbours: list[str] = Field([], description="statistical neighbours, by code or name")
    reference: list[Path] = Field([], description="EES open-data CSVs, or folders of them")
    targets: dict[str, Target] = Field(
        {}, description="measure id -> target, polarity and amber tolerance"
    )
    source: Path | None = Field(None, exclude=True)  # the file these settings came from
    ignored: tuple[str, ...] = Field((), exclude=True)  # keys not applied to this input

    @field_validator("population_by_year")
    @classmethod
    def _positive(cls, value: dict[int, int]) -> dict[int, int]:
        for year, count in value.items():
            if not 0 < count <= 1_000_000_000:
                raise ValueError(f"population for {year} must be from 1 to 1,000,000,000")
        return value

    @field_validator("visit_interval")
    @classmethod
    def _interval(cls, value: str) -> str:
        from cpmetrics.errors import UsageError
        from cpmetrics.visits import VisitInterval

        try:
            VisitInterval.parse(value)
        except UsageError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("targets")
    @classmethod
    def _known_measures(cls, value: dict[str, Target]) -> dict[str, Target]:
        from cpmetrics.measures import BY_ID

        _only_known(value, BY_ID, "measure")
        return value

    @field_validator("reviews_columns", "visits_columns")
    @classmethod
    def _known_record_columns(cls, value: dict[str, str]) -> dict[str, str]:
        _only_known(value, ("child_id", "plan_id", "date", "seen", "seen_alone"), "column")
        return value

    @field_validator("columns")
    @classmethod
    def _known_columns(cls, value: dict[str, str]) -> dict[str, str]:
        from cpmetrics.schema import CANONICAL

        _only_known(value, CANONICAL, "column")
        return value


def _only_known(keys: Iterable[str], allowed: Iterable[str], what: str) -> None:
    allowed = list(allowed)
    unknown = [k for k in keys if k not in allowed]
    if unknown:
        raise ValueError(
            f"unknown {what} {', '.join(unknown)}; expected one of {', '.join(allowed)}"
        )


def load_settings(path: Path | None = None, *, cwd: Path | None = None) -> Settings:
    """Read ``path``, or ``cpmetrics.toml`` in ``cwd`` if there is one, else defaults."""
    if path is None:
        candidate = cwd / CONFIG_NAME if cwd else Path(CONFIG_NAME)
        if not candidate.is_file():
            return Settings()
        path = candidate
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: " + "; ".join(_describe(e) for e in exc.errors())) from None
    for key in ("input", "reviews", "visits"):
        given = getattr(settings, key)
        if isinstance(given, Path):
            settings = settings.model_copy(update={key: path.parent / given})
        elif given is not None:
            settings = settings.model_copy(update={key: [path.parent / p for p in given]})
    if settings.reference:
        paths = [p if p.is_absolute() else path.parent / p for p in settings.reference]
        settings = settings.model_copy(update={"reference": paths})
    return settings.model_copy(update={"source": path})


def _describe(error: object) -> str:
    assert isinstance(error, dict)
    key = ".".join(str(part) for part in error.get("loc", ())) or "(top level)"
    if error.get("type") == "extra_forbidden":
        return f"unknown key '{key}'"
    return f"key '{key}': {error.get('msg', 'invalid value')}"
