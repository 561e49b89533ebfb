"""Geocoding's weights and thresholds, read from `data/gazetteer/scoring.yaml` (which `benchmarks/geo_tune.py`
writes) through a versioned strategy of `sitrep.registry.geo_scoring`, named by the setting `geocode_scoring`.

Scores are in orders of magnitude of population: one point is worth a town ten times bigger. The gazetteer is
not rebuilt when only these change: the file is not one of its build inputs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt

from ..datafiles import data_path, read_data_model
from ..registry import geo_scoring, resolve
from ..settings import Settings

SCORING_FILE = data_path("gazetteer/scoring.yaml")
DEFAULT_SCORING = "sitrep.geo_scoring.weights.v1"


class ScoringWeights(BaseModel):
    """The weights of candidate scoring (`scoring.py`), the part-of-town radius (`resolve.py`) and the event
    place's choice (`event_place.py`). Each is explained in the data file; every one is required."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    feature: dict[str, float]
    key_match: float
    fuzzy_match: float
    country_focus: float
    admin1_focus: float
    qualifier: float
    proximity: float
    containment: float
    region_word: float
    region: float
    town_word: float
    off_consensus: float
    conflict_prior: float
    admin1_prior: float
    named_area: float
    foreign_variant: float
    least_population: NonNegativeInt
    famous_partial: NonNegativeInt
    famous: float
    famous_gap: float
    unsupported_namesake: float
    contains_other: float
    key_beside_exact: float
    exact_population: NonNegativeInt
    learned_place: float
    learned_events: float
    outside_area: float
    part_radius_km: NonNegativeFloat
    home_country: float
    home_area: float
    home_near: float
    home_radius_km: PositiveFloat
    home_area_least: PositiveInt
    home_area_share: NonNegativeFloat


def load_weights(path: Path) -> ScoringWeights:
    """Read and validate a scoring file.

    Raises:
        DataFileError: The file cannot be read, or an entry is missing, unknown or of the wrong type (the error
            names the file, the entry and the field).
    """
    return read_data_model(path, ScoringWeights)


_VALUE_LINE = re.compile(r"^(?P<indent> *)(?P<name>\w+):(?P<value>[^#\n]*)(?P<rest>.*)$", re.M)


def dump_weights(weights: ScoringWeights, template: str) -> str:
    """The text of a scoring file: `template` (a scoring file's text) with its values replaced by `weights`', its
    comments and order kept, so that the tuning script writes back what people wrote.

    Raises:
        ValueError: The template lacks a weight, or has one the weights lack.
    """
    values: dict[str, float] = {}
    written: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        name, indent = match["name"], match["indent"]
        if not indent and name == "feature":
            written.add(name)
            return match[0]
        key = f"feature.{name}" if indent else name
        if key not in values:
            raise ValueError(f"the template's {key!r} is not a weight")
        written.add(key)
        gap = " " * (len(match["value"]) - len(match["value"].rstrip()))
        return f"{indent}{name}: {values[key]!r}{gap if match['rest'] else ''}{match['rest']}"

    for name in ScoringWeights.model_fields:
        if name != "feature":
            values[name] = getattr(weights, name)
    values.update({f"feature.{code}": bonus for code, bonus in weights.feature.items()})
    text = _VALUE_LINE.sub(replace, template)
    missing = sorted(set(values) - written)
    if missing:
        raise ValueError(f"the template lacks {', '.join(missing)}")
    return text


@geo_scoring.register(DEFAULT_SCORING)
@cache
def packaged_weights() -> ScoringWeights:
    """The packaged `data/gazetteer/scoring.yaml`."""
    return load_weights(SCORING_FILE)


def scoring_weights(settings: Settings | None = None) -> ScoringWeights:
    """The weights of the strategy that the setting `geocode_scoring` names (the packaged file by default)."""
    name = settings.geocode_scoring if settings is not None else DEFAULT_SCORING
    strategy: Callable[[], ScoringWeights] = resolve(geo_scoring, name, setting="geocode_scoring")
    return strategy()
