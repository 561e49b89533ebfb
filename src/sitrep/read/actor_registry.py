"""The actor registry: the canonical ACLED actors, their aliases, generic actors and countries, loaded from
`data/actors.yaml`, `data/actor_patterns.yaml` and `data/actor_countries.yaml`, and the resolution of a mention
(a name or a template with "{country}" or "{period}") to an `Actor`."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from ..datafiles import read_yaml_mapping
from ..errors import DataFileError, Errors, Warnings
from .actor_data import (
    _ISO2,
    ACTORS_FILE,
    COUNTRIES_FILE_NAME,
    DATA,
    PATTERNS_FILE_NAME,
    STATE_KINDS,
    Actor,
    ActorEntry,
    CommunalGroupEntry,
    CountryEntry,
    DescriptionEntry,
    GenericEntry,
    _geonames_countries,
    actor_key,
    country_name,
)

_PLACEHOLDER = re.compile(r"\{(country|the_country|period)\}")
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
