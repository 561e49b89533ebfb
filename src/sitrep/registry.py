"""Named strategies that a setting can swap, in catalogue registries.

A strategy is registered under a versioned name, `sitrep.<kind>.<name>.v<N>`, and a setting names the one to use
(`fatality_rule = "sitrep.fatalities.lowest_stated.v1"`). A change of behaviour is registered as a new version; the
old one stays until no configuration refers to it, so a saved `sitrep.toml` keeps meaning what it meant.

Other packages can add their own through the `sitrep_fatality_rules` entry-point group, or in code:

    from sitrep.registry import fatality_rules

    @fatality_rules.register("mylab.fatalities.highest_stated.v1")
    def highest_stated(stated: Sequence[int]) -> int:
        return max(stated, default=0)
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import catalogue

from .errors import Errors, InputError

FatalityRule = Callable[[Sequence[int]], int]
"""Picks a fused event's best fatality figure from its reports' stated (positive) figures."""

fatality_rules = catalogue.create("sitrep", "fatality_rules", entry_points=True)

geo_scoring = catalogue.create("sitrep", "geo_scoring", entry_points=True)
"""Geocoding's scoring weights: each strategy is a function of no arguments that returns the weights
(`sitrep.geo.weights.ScoringWeights`); `sitrep.geo_scoring.weights.v1` reads `data/gazetteer/scoring.yaml`.
Registered by `sitrep.geo.weights`, which stages below geo/ do not import."""


@fatality_rules.register("sitrep.fatalities.lowest_stated.v1")
def lowest_stated(stated: Sequence[int]) -> int:
    """ACLED's rule: of conflicting reports, the most conservative figure is the event's."""
    return min(stated, default=0)


@fatality_rules.register("sitrep.fatalities.median_stated.v1")
def median_stated(stated: Sequence[int]) -> int:
    """The middle of the stated figures (the lower middle for an even count), for analysts who distrust outliers."""
    return int(statistics.median_low(stated)) if stated else 0


def resolve(registry: catalogue.Registry, name: str, *, setting: str) -> Any:
    """The function registered as `name`, or a clear error listing the names that exist.

    Args:
        registry: One of this module's registries.
        name: The registered name, e.g. "sitrep.fatalities.lowest_stated.v1".
        setting: The setting that named it, for the error message.
    """
    try:
        return _get(registry, name)
    except catalogue.RegistryError as e:
        known = ", ".join(sorted(registry.get_all()))
        raise InputError(Errors.E028.format(setting=setting, name=name, known=known)) from e


@lru_cache(maxsize=64)
def _get(registry: catalogue.Registry, name: str) -> Any:
    # catalogue reads the installed packages' entry points on every get: once per name is enough.
    return registry.get(name)
