"""The words around a place name that say how the text relates to it (`data/gazetteer/context.yaml`)."""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from spacy.tokens import Span, Token

from ..datafiles import read_yaml_mapping
from ..errors import DataFileError, Errors
from .gazetteer import DATA_DIR


@dataclass(frozen=True)
class ContextWords:
    """The cue words of `data/gazetteer/context.yaml`, as tuples of lowercased words."""

    near_before: tuple[tuple[str, ...], ...]
    directions: frozenset[str]
    outskirts_before: tuple[tuple[str, ...], ...]
    outskirts_after: frozenset[str]
    countryside_before: tuple[tuple[str, ...], ...]
    towns_before: tuple[tuple[str, ...], ...]
    countryside_after: tuple[tuple[str, ...], ...]
    region_before: tuple[tuple[str, ...], ...]
    region_after: frozenset[str]
    subregion_words: frozenset[str]
    distance_units: dict[str, float]
    distance_links: tuple[tuple[str, ...], ...]
    speech_verbs: frozenset[str]
    actor_nouns: frozenset[str]
    actor_suffixes: frozenset[str]
    not_places: frozenset[str]
    town_before: tuple[tuple[str, ...], ...]
    town_after: frozenset[str]
    part_before: tuple[tuple[str, ...], ...]
    part_after: frozenset[str]
    event_prepositions: frozenset[str]
    place_prepositions: frozenset[str] = field(default_factory=frozenset)
    resident_words: frozenset[str] = field(default_factory=frozenset)
    facility_words: frozenset[str] = field(default_factory=frozenset)
    name_links: frozenset[str] = field(default_factory=frozenset)
    trim_words: frozenset[str] = field(default_factory=frozenset)
    site_words: frozenset[str] = field(default_factory=frozenset)
    weapon_nouns: frozenset[str] = field(default_factory=frozenset)
    seat_prepositions: frozenset[str] = field(default_factory=frozenset)
    state_after: tuple[tuple[str, ...], ...] = ()


_PHRASE_FIELDS = ("near_before", "outskirts_before", "countryside_before", "towns_before", "countryside_after",
                  "region_before", "distance_links", "town_before", "part_before", "state_after")  # fmt: skip
_WORD_FIELDS = ("directions", "outskirts_after", "region_after", "subregion_words", "speech_verbs", "actor_nouns",
                "actor_suffixes", "not_places", "town_after", "event_prepositions", "place_prepositions",
                "resident_words", "facility_words", "name_links", "site_words", "seat_prepositions", "weapon_nouns",
                "part_after")  # fmt: skip


@cache
def load_context_words(path: str = "") -> ContextWords:
    """Load and validate the cue words of `context.yaml` (cached per path).

    Args:
        path: The YAML file; empty for the packaged `data/gazetteer/context.yaml`.

    Returns:
        The cue words.

    Raises:
        DataFileError: The file cannot be read or an entry is malformed.
    """
    file = Path(path) if path else DATA_DIR / "context.yaml"
    data = read_yaml_mapping(file)
    values: dict[str, Any] = {}
    for name in (*_PHRASE_FIELDS, *_WORD_FIELDS):
        items = data.get(name)
        if not isinstance(items, list) or not items:
            raise DataFileError(Errors.E011.format(path=file, entry=name, field=name,
                                                   reason="give a non-empty list of words or phrases"))  # fmt: skip
        for item in items:
            if not isinstance(item, str) or not item.strip():
                raise DataFileError(Errors.E011.format(path=file, entry=item, field=name,
                                                       reason="not a word (quote yes/no/on/off in YAML)"))  # fmt: skip
        if name in _PHRASE_FIELDS:
            values[name] = tuple(sorted({tuple(i.lower().split()) for i in items}, key=len, reverse=True))
        else:
            values[name] = frozenset(i.lower() for i in items)
    units = data.get("distance_units")
    if not isinstance(units, dict) or not all(isinstance(v, int | float) for v in units.values()):
        raise DataFileError(Errors.E011.format(path=file, entry="distance_units", field="distance_units",
                                               reason="give a mapping of unit to kilometres"))  # fmt: skip
    values["distance_units"] = {str(k).lower(): float(v) for k, v in units.items()}
    trim = set(values["directions"]) | values["region_after"] | values["town_after"] | {"rural", "the"}
    trim |= {w for phrase in values["countryside_after"] for w in phrase} | values["outskirts_after"]
    values["trim_words"] = frozenset(trim)
    return ContextWords(**values)


@cache
def word_union(*word_sets: frozenset[str]) -> frozenset[str]:
    """The words of several cue lists together, joined once rather than for every name."""
    return frozenset().union(*word_sets)


_IRREGULAR = {"said": "say", "says": "say", "told": "tell", "sent": "send", "sought": "seek"}


def token_lemma(token: Token) -> str:
    if (token.lemma_ and token.lemma_ != token.text) or token.pos_:
        return token.lemma_.lower()
    text = token.lower_
    if text in _IRREGULAR:
        return _IRREGULAR[text]
    for suffix in ("ied", "ed", "es", "s", "d"):
        if text.endswith(suffix) and len(text) > len(suffix) + 2:
            stem = text[: -len(suffix)]
            return stem + "y" if suffix == "ied" else stem
    return text


def own_words(words: ContextWords) -> frozenset[str]:
    """Words after a name that belong to it ("X district", "X city", "X front", "X outskirts")."""
    return word_union(
        words.region_after, words.town_after, words.outskirts_after, _phrase_words(words.countryside_after)
    )


@cache
def _phrase_words(phrases: tuple[tuple[str, ...], ...]) -> frozenset[str]:
    return frozenset(w for phrase in phrases for w in phrase)


def seat_of_actor(span: Span, words: ContextWords) -> bool:
    """Whether a place name is an organisation's seat or backer ("Britain-based", "Damascus-backed"): an actor's
    attribute, no place of its events."""
    doc = span.doc
    return span.end + 1 < len(doc) and doc[span.end].text in ("-", "–") and (
        doc[span.end + 1].lower_ in words.actor_suffixes)  # fmt: skip
