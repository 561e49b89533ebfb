"""Place mentions to gazetteer entries, with admin areas, coordinates and an honest geo_precision.

Three steps, each a plain function over a spaCy `Doc`:

1. `find_place_spans` (and the `sitrep_place_ruler` component around it) writes candidate place mentions to
   `doc.spans[PLACE_SPANS]`: the parser's GPE/LOC/FAC entities plus gazetteer names the parser missed.
2. `resolve_places` picks a gazetteer entry for each mention, using the document's country focus, admin names
   in context ("Morek (Hama)"), nearby places and population/feature-class priors, and reads the words around
   it: "northern Hama countryside" (precision 2 at the area's main town), "near X" (2), "the outskirts of X"
   (1), "Hama province" (3, the capital), "10 km from Hama" (a distance, not an event point), "Damascus said"
   (an actor, not a place of events). Unknown places keep null coordinates and are marked unresolved.
3. `event_place` chooses, among a sentence's places, where the event happened: the object of an event
   preposition under the event verb, not where a speaker is.

`Geocoder` bundles the spaCy pipeline and the gazetteer for `sitrep geocode`.
"""

import csv
import itertools
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from ..datafiles import read_yaml_mapping
from ..distance import haversine_km
from ..errors import DataFileError, Errors
from ..models import Place
from ..nlp import PLACE_SPANS, span_text, token_table
from ..settings import Settings
from .gazetteer import DATA_DIR, GazEntry, Gazetteer, ascii_name, plain_name

logger = logging.getLogger(__name__)

PLACE_LABEL = "PLACE"
"""Label of the spans the place ruler writes to `doc.spans[PLACE_SPANS]`."""
NER_LABELS = frozenset({"GPE", "LOC", "FAC"})
_BLOCKING_LABELS = frozenset({"PERSON", "ORG", "NORP", "WORK_OF_ART", "EVENT", "PRODUCT", "LAW", "LANGUAGE"})

Role = Literal["place", "context", "distance", "actor"]
Relation = Literal["in", "near", "outskirts", "countryside", "region", "distance"]
CONTRACT_FIELDS = ("start", "end", "name", "geonameid", "latitude", "longitude", "admin1", "country", "geo_precision")


class ResolvedPlace(Place):
    """A place mention as resolved from its document: a `Place` plus how the text relates the event to it.

    `role`: "place" (a candidate place of events), "context" (an admin qualifier such as "(Hama)"),
    "distance" (the reference of "10 km from X": not an event point) or "actor" ("Damascus said").
    `relation`: what the words around it say ("in", "near", "outskirts", "countryside", "region",
    "distance"). `resolved` is False for names the gazetteer does not know (coordinates are then null).
    `iso` is the numeric ISO 3166 code (as ACLED uses it); `country_code` the alpha-2 code.
    """

    mention: str = ""
    role: Role = "place"
    relation: Relation = "in"
    distance_km: float | None = None
    resolved: bool = False
    inferred: bool = False
    score: float = 0.0
    kind: Literal["place", "admin1", "admin2", "country", "continent", "region"] | None = None
    feature_code: str | None = None
    country_code: str | None = None
    admin1_code: str | None = None


@dataclass(frozen=True)
class ContextWords:
    """The cue words of `data/gazetteer/context.yaml`, as tuples of lowercased words."""

    near_before: tuple[tuple[str, ...], ...]
    directions: frozenset[str]
    outskirts_before: tuple[tuple[str, ...], ...]
    outskirts_after: frozenset[str]
    countryside_before: tuple[tuple[str, ...], ...]
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
    seat_prepositions: frozenset[str] = field(default_factory=frozenset)


_PHRASE_FIELDS = ("near_before", "outskirts_before", "countryside_before", "countryside_after", "region_before",
                  "distance_links", "town_before", "part_before")  # fmt: skip
_WORD_FIELDS = ("directions", "outskirts_after", "region_after", "subregion_words", "speech_verbs", "actor_nouns",
                "actor_suffixes", "not_places", "town_after", "event_prepositions", "place_prepositions",
                "resident_words", "facility_words", "name_links", "site_words", "seat_prepositions",
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


# -- finding mentions --------------------------------------------------------------------------------------


def find_place_spans(
    doc: Doc,
    *,
    gazetteer: Gazetteer,
    focus_countries: Sequence[str] = (),
    min_population: int = 100_000,
    max_words: int = 5,
    words: ContextWords | None = None,
    learned_places: str = "",
) -> list[Span]:
    """Candidate place mentions in a document: the parser's GPE/LOC/FAC entities, gazetteer names, the names of
    places learned from coded events, and names the text puts in an area ("Ruramba (Kayokwe, Mwaro)").

    A name found only in the gazetteer must be capitalised, not a common word (`not_places`), not inside a
    longer person or organisation name, and mean a country, an admin1 area, a place of at least
    `min_population` people, or any place of a focus country (given, or named by the document's other
    mentions). Entities are trimmed of cue words ("the northern Hama countryside" -> "Hama").

    Args:
        doc: A parsed document (a blank pipeline works; then only gazetteer names are found).
        gazetteer: The gazetteer.
        focus_countries: ISO codes whose small places are always looked for.
        min_population: The least population of a gazetteer-only place outside the focus countries.
        max_words: The longest name, in tokens.
        words: Cue words; default `context.yaml`.
        learned_places: A CSV of places learned from coded events (`load_learned_places`); empty for the packaged
            `acled_places.csv`. Their names are found like the gazetteer's, in the document's countries or where
            the words put a place ("in X").

    Returns:
        Non-overlapping spans labelled `PLACE`, in document order.
    """
    words = words or load_context_words()
    spans: list[Span] = []
    blocked: list[Span] = []
    for ent in doc.ents:
        if ent.label_ in NER_LABELS:
            # "Nis, Serbia" and "Dandora (Nairobi)" are two names each.
            for whole in _name_parts(ent, words):
                part = _facility_place(whole, words) or whole
                # A lone common word left of an entity ("Zone" of "North Zone") is not a place name, nor is a
                # people's name ("Somali youth"), unless an area word follows ("Somali region").
                if len(part) == 1 and not _area_word_after(part, words) and (
                        part[0].lower_ in words.not_places or _is_demonym(part, gazetteer)):  # fmt: skip
                    continue
                spans.append(_extend_name(part, words))
        elif ent.label_ == "NORP":
            blocked.append(ent)
        elif ent.label_ in _BLOCKING_LABELS:
            # Each part of "the Royal Court Hotel on Haile Selassie Road, Mombasa" blocks only itself; a part that
            # stands where a place does ("in Dandora", "Keroka residents", "Nyeri Hospital") is a place name.
            for part in _name_parts(ent, words):
                part, seat = _seat_split(part, words)
                for piece in (part, seat) if seat is not None else (part,):
                    located = _located_name(piece, words, gazetteer)
                    if located is None:
                        blocked.append(piece)
                    else:
                        spans.append(located)
    learned = _learned_index(gazetteer, learned_places)
    found = _gazetteer_spans(doc, gazetteer, words, max_words, learned)
    qualified = _qualified_spans(doc, gazetteer, words, max_words, learned)
    spans.extend(qualified)
    covered = {i for span in (*found, *spans) for i in range(span.start, span.end)}
    # An organisation or person name blocks the place names inside it ("Hayat Tahrir al-Sham"), unless the
    # parser's entity is only place names and punctuation ("Asuncion (Asuncion" tagged as a title).
    # A nationality or group word ("Maasai", "Kikuyu") is never a place, even when a village shares its name.
    blocked = [b for b in blocked if b.label_ == "NORP" or any(_capitalised(t) and t.i not in covered for t in b)]
    focus = set(focus_countries)
    entries: dict[tuple[int, int], list[GazEntry]] = {}
    for span in found:
        entries[(span.start, span.end)] = gazetteer.lookup(span_text(span), limit=10, fuzzy=False)
    # The document's own focus: countries of its confident mentions (entities, countries, big places,
    # demonyms), and countries that two or more gazetteer names share.
    votes = _demonym_countries(doc, gazetteer)
    for span in spans:
        top = gazetteer.lookup(span_text(span), limit=1, fuzzy=False)
        if top and top[0].country:
            votes[top[0].country] += 1
    shared: Counter[str] = Counter()
    named: set[str] = set()
    for (start, end), hits in entries.items():
        if hits and (hits[0].kind != "place" or hits[0].population >= min_population):
            votes[hits[0].country] += 1
        # A name repeated is one name: "Al ... Al" must not make a country look shared.
        key = gazetteer.key(span_text(doc[start:end]))
        if key in named:
            continue
        named.add(key)
        for country in sorted({h.country for h in hits if h.country}):
            shared[country] += 1
    focus |= {c for c, _ in votes.most_common(3)} | {c for c, n in shared.items() if n >= 2}
    for span in found:
        hits = entries[(span.start, span.end)]
        if any(_inside(span, b) for b in blocked):
            continue
        # A place ACLED codes events at (`acled_places.csv`) that cities500 lacks counts in the document's
        # countries, or where the words put a place ("shelled the village of X", "in X").
        places = learned.get(gazetteer.key(span_text(span)), ()) if learned else ()
        if not hits:
            if places and (any(p.country in focus for p, _ in places) or _placed(doc, span.start, span.end, words)):
                spans.append(span)
            continue
        if not _area_word_after(span, words) and _is_demonym(span, gazetteer):
            continue
        # A loose spelling match ("Garre" for Gare, "Maasai" for Marseille) counts only in the document's
        # countries; a name after "in", "at", "near" is a place wherever it lies ("a protest in Sarande"), unless
        # it is an acronym ("in MACA prison").
        after_preposition = not span_text(span).isupper() and _placed(doc, span.start, span.end, words)
        if any(h.country in focus or (h.match != "key" and (after_preposition or h.kind != "place"
                                                             or h.population >= min_population))
               for h in hits) or any(p.country in focus for p, _ in places):  # fmt: skip
            spans.append(span)
    result = [Span(doc, s.start, s.end, label=PLACE_LABEL) for s in filter_spans(spans)]
    return sorted(result, key=lambda s: s.start)


def _demonym_countries(doc: Doc, gazetteer: Gazetteer) -> Counter[str]:
    """Countries the parser's nationality words name ("Iraqi forces", "Paraguayan"), one vote each."""
    votes: Counter[str] = Counter()
    for ent in doc.ents:
        if ent.label_ == "NORP":
            hits = gazetteer.lookup(span_text(ent), kinds=("country",), adjectives=True, fuzzy=False, limit=1)
            if hits:
                votes[hits[0].country] += 1
    return votes


def _placed(doc: Doc, start: int, end: int, words: ContextWords) -> bool:
    """Whether the words around a name put it where something is: a place preposition before it ("in X",
    "at the X"; compass words and "the" skipped), people who live there ("residents of X", "X villagers"), or
    an area or settlement word after it ("X area", "X village")."""
    lower = token_table(doc).lower
    i = start - 1
    while i >= 0 and (lower[i] == "the" or lower[i] in words.directions):
        i -= 1
    if i >= 0 and lower[i] in words.place_prepositions:
        return True
    if i >= 1 and lower[i] == "of" and lower[i - 1] in words.resident_words:
        return True
    # "Keroka residents", "Sololo area", "Mugumoini village"
    return end < len(doc) and lower[end] in _union(words.resident_words, words.region_after, words.town_after)


@cache
def _union(*word_sets: frozenset[str]) -> frozenset[str]:
    """The words of several cue lists together, joined once rather than for every name."""
    return frozenset().union(*word_sets)


def _facility_place(span: Span, words: ContextWords) -> Span | None:
    """The place name of a facility's name: "Nyeri Hospital", "Gatundu Market", "Chemelil Sugar Company",
    "University of Nairobi" -> the town; None when the name is no facility's."""
    doc = span.doc
    start, end = span.start, span.end
    if end - start >= 2 and doc[end - 1].lower_ in words.facility_words:
        while end > start and doc[end - 1].lower_ in words.facility_words:
            end -= 1
    elif end - start >= 3 and doc[start].lower_ in words.facility_words and doc[start + 1].lower_ == "of":
        start += 2
    else:
        return None
    core = doc[start:end]
    if not len(core) or not all(_capitalised(t) or (t.is_punct and t.text in "-'’") for t in core):
        return None
    return core


def _located_name(part: Span, words: ContextWords, gazetteer: Gazetteer) -> Span | None:
    """The place an organisation or person entity names where a place stands ("in Dandora", "residents of
    Nyalenda", "Keroka residents", "Nyeri Hospital", "Sololo area"), if it is a known place or all proper
    words; else None."""
    core = _facility_place(part, words)
    if core is None:
        if not _placed(part.doc, part.start, part.end, words):
            return None
        core = part
    if span_text(core).isupper():
        return None  # an acronym ("the NYS scandal", "IEBC offices")
    if len(core) > 1 and gazetteer.has_place_key(gazetteer.key(span_text(core))):
        return core  # "in Homa Bay": a known name, though "Bay" alone is a common word
    if any(t.lower_ in words.not_places or not (_capitalised(t) or t.is_punct or t.like_num) for t in core):
        return None
    return core


_SEPARATORS = frozenset({",", "(", ")", "[", "]", ";", "/", ":"})


def _seat_split(part: Span, words: ContextWords) -> tuple[Span, Span | None]:
    """An organisation's name and the proper name after its last seat preposition ("the Ministry of Health in
    Kyiv"), which the parser tags as one entity; the whole part and None when there is no such tail."""
    doc = part.doc
    for i in range(part.end - 2, part.start, -1):
        if doc[i].lower_ in words.seat_prepositions:
            tail = doc[i + 1 : part.end]
            if all(_capitalised(t) or t.is_punct for t in tail):
                return doc[part.start : i], tail
            break
    return part, None


def _extend_name(span: Span, words: ContextWords) -> Span:
    """A parser's place entity stretched over the rest of its proper name: "Khwaja" of "Khwaja Baha Wuddin
    district", "Huanzantlan" of "Huanzantlan del Rio" (a name the gazetteer lacks stays whole and unresolved
    rather than half of it matching elsewhere)."""
    doc = span.doc
    stop = _union(words.not_places, words.trim_words, words.actor_nouns, words.facility_words, words.resident_words)
    end = span.end

    def name_word(i: int) -> bool:
        token = doc[i]
        return (_capitalised(token) and token.is_alpha and token.lower_ not in stop and not token.is_sent_start
                and token.ent_iob_ != "B")  # fmt: skip

    while end < len(doc):
        if name_word(end):
            end += 1
        elif doc[end].lower_ in words.name_links and end + 1 < len(doc) and name_word(end + 1):
            end += 2
        else:
            break
    return doc[span.start : end]


def _name_parts(ent: Span, words: ContextWords) -> list[Span]:
    """An entity's parts between separating punctuation ("Nis, Serbia" -> "Nis", "Serbia"), each trimmed of
    cue words."""
    doc = ent.doc
    texts = token_table(doc).words
    parts: list[Span] = []
    start = ent.start
    for i in range(ent.start, ent.end + 1):
        if i < ent.end and texts[i] not in _SEPARATORS:
            continue
        part = _trim(doc[start:i], words) if i > start else None
        start = i + 1
        if part is not None:
            parts.append(part)
    return parts


def _area_word_after(span: Span, words: ContextWords) -> bool:
    doc = span.doc
    return span.end < len(doc) and doc[span.end].lower_ in words.region_after


def _is_demonym(span: Span, gazetteer: Gazetteer) -> bool:
    """Whether a name is only a people's or a country's adjective ("Somali", "Kenyan"), not a name of its own."""
    text = span_text(span)
    if not gazetteer.lookup(text, kinds=("country",), adjectives=True, fuzzy=False, limit=1):
        return False
    return not gazetteer.lookup(text, kinds=("country",), fuzzy=False, limit=1)


def _inside(span: Span, outer: Span) -> bool:
    return outer.start <= span.start and span.end <= outer.end and (outer.end - outer.start) > (span.end - span.start)


def _trim(span: Span, words: ContextWords) -> Span | None:
    start, end = span.start, span.end
    doc = span.doc
    lower = token_table(doc).lower
    while start < end and (lower[start] in words.trim_words or doc[start].is_punct):
        if start + 1 < end and _compass_name_word(doc[start], words):
            break
        start += 1
    while end > start and (lower[end - 1] in words.trim_words or doc[end - 1].is_punct
                           or lower[end - 1] in ("'s", "’s")):  # fmt: skip
        end -= 1
    return doc[start:end] if end > start else None


def _compass_name_word(token: Token, words: ContextWords) -> bool:
    """A capitalised compass noun inside a sentence ("West Pokot", "North Horr"): part of the name, unlike
    "northern Hama" or a sentence's first word."""
    text = token.text
    return (text[:1].isupper() and not token.is_sent_start and token.lower_ in words.directions
            and not token.lower_.endswith("ern"))  # fmt: skip


def _gazetteer_spans(
    doc: Doc, gazetteer: Gazetteer, words: ContextWords, max_words: int, learned: Mapping[str, Any] | None = None
) -> list[Span]:
    """Capitalised runs of words whose matching key names a gazetteer place or a learned place (`learned`, keyed
    like `_learned_index`), longest first, not inside a longer proper name."""
    spans: list[Span] = []
    learned = learned or {}
    articles = gazetteer.rules.articles
    # Every capitalised run is tried at up to `max_words` lengths: read the words from the token table.
    table = token_table(doc)
    texts, lower, idx, sent_start = table.words, table.lower, table.idx, table.sent_start
    capitalised = [_capitalised_text(text) for text in texts]
    i = 0
    n = len(doc)
    while i < n:
        starts_article = lower[i] in articles and i + 2 < n and texts[i + 1] == "-"
        if not (capitalised[i] or starts_article):
            i += 1
            continue
        # A common word ("North", "New") may begin a longer name ("North Sinai"), never be one.
        shortest = i + 2 if lower[i] in words.not_places else i + 1
        match = None
        for j in range(min(n, i + max_words), shortest - 1, -1):
            if not capitalised[j - 1] or lower[j - 1] in words.not_places:
                continue
            text = table.text[idx[i] : idx[j - 1] + len(texts[j - 1])]
            # The gazetteer first: most capitalised runs are no place, and the checks below cost more.
            if "\n" in text:
                continue
            key = gazetteer.key(text)
            if key not in learned and not gazetteer.has_place_key(key):
                continue
            if any(sent_start[k] for k in range(i + 1, j)):
                continue
            # A sentence's first word tagged as a verb or adjective is no name, unless people live there
            # ("Lamu residents protested").
            common = _is_common_word(doc[i]) and not _placed(doc, i, j, words)
            if j - i == 1 and (common or len(texts[i]) < 3 or lower[i] in articles):
                continue
            if _inside_longer_name(doc, i, j, words, spans, articles=articles):
                continue
            match = doc[i:j]
            break
        if match is not None:
            spans.append(match)
            i = match.end
        else:
            i += 1
    return spans


def _qualified_spans(
    doc: Doc, gazetteer: Gazetteer, words: ContextWords, max_words: int, learned: Mapping[str, Any]
) -> list[Span]:
    """Names the text puts in their areas, "Ruramba (Kayokwe, Mwaro)", "the Qaniyah front (Mahliyah, Marib)":
    a proper name right before brackets that hold only names, one of them a known place or area, is a place
    whatever the gazetteer says (the resolver falls back to the bracketed area when it does not know it)."""
    table = token_table(doc)
    texts, lower = table.words, table.lower
    if "(" not in texts:
        return []
    cue = _union(words.town_after, words.region_after, words.site_words,
                 frozenset(w for phrase in words.countryside_after for w in phrase))  # fmt: skip
    stop = _union(words.not_places, words.actor_nouns)
    links = _union(words.name_links, gazetteer.rules.articles)
    spans: list[Span] = []
    n = len(doc)
    for k, word in enumerate(texts):
        if word != "(" or k == 0:
            continue
        close = next((m for m in range(k + 1, min(n, k + 12)) if texts[m] in (")", "(")), None)
        if close is None or texts[close] != ")" or close == k + 1:
            continue
        if not _known_qualifier(doc, k + 1, close, gazetteer, cue, learned):
            continue
        end = k
        while end > 0 and k - end < 2 and lower[end - 1] in cue and texts[end - 1].islower():
            end -= 1
        start = end
        while start > 0 and end - start < max_words + 3:
            i = start - 1
            if lower[i] in stop or (doc[i].is_sent_start and _is_common_word(doc[i])):
                break
            if _capitalised_text(texts[i]):
                start = i
            elif i > 0 and texts[i] in ("-", "‑") and not doc[i - 1].whitespace_ and not doc[i].whitespace_:
                start = i  # "Af-Urur", "Nawa-e Barakzayi"
            elif i > 0 and lower[i] in links and texts[i].islower() and (
                    _capitalised_text(texts[i - 1]) or texts[i - 1] == "-"):  # fmt: skip
                start = i  # "Jabal al Kirsh", "Keran wa Menjan"
            else:
                break
        while start < end and not _capitalised_text(texts[start]):
            start += 1
        if start < end and not span_text(doc[start:end]).isupper():
            spans.append(doc[start:end])
    return spans


def _known_qualifier(
    doc: Doc, start: int, end: int, gazetteer: Gazetteer, cue: frozenset[str], learned: Mapping[str, Any]
) -> bool:
    """Whether tokens `start:end` (inside brackets) are only names separated by commas, one of them a known place
    or area once its level words ("LGA", "district") are dropped: "(Kayokwe, Mwaro)", "(Bungudu LGA, Zamfara)"."""
    texts = token_table(doc).words
    known = False
    part: list[str] = []
    for i in range(start, end + 1):
        if i < end and texts[i] != ",":
            word = texts[i]
            if word[:1].isupper() or word in ("-", "&", "'", "’"):
                part.append(word)
            elif word.lower() not in cue and word.lower() not in gazetteer.rules.articles:
                return False
            continue
        names = [w for w in part if not (w.isupper() and len(w) <= 3 and w.isalpha())] or part
        if not names:
            return False
        if not known:
            key = gazetteer.key(" ".join(names))
            known = key in learned or gazetteer.has_place_key(key)
        part = []
    return known


def _inside_longer_name(
    doc: Doc, start: int, end: int, words: ContextWords, found: Sequence[Span], *, articles: Iterable[str] = ()
) -> bool:
    """Whether capitalised words the gazetteer does not know wrap the name: a part of a longer proper name
    ("Boko Haram", "Mayi Mayi", "Tin Elebag"), not a place of its own; or the name goes on with a hyphen
    ("Qala-i-Barqi") or an article ("Jabal al-Zawiya")."""
    if end + 2 < len(doc):
        after, following = doc[end], doc[end + 1]
        # "Qala-i-Barqi": a lowercase link between hyphens ("Damascus-based" is an actor, found elsewhere).
        if after.text == "-" and not doc[end - 1].whitespace_ and following.is_lower and doc[end + 2].text == "-":
            return True
        if after.lower_ in articles and following.text == "-":
            return True

    def name_word(i: int) -> bool:
        if i < 0 or i >= len(doc) or not _capitalised(doc[i]):
            return False
        if i < start and doc[i].is_sent_start and doc[i].pos_ != "PROPN":
            return False  # capitalised only because it starts the sentence
        return doc[i].lower_ not in words.trim_words and doc[i].lower_ not in words.not_places

    before = start - 1
    if found and found[-1].end == start:
        before = -1  # the word before is a known place ("Idlib, Hama")
    # "Huanzantlan del Rio": a small linking word between capitalised words.
    if before >= 1 and doc[before].lower_ in words.name_links and name_word(before - 1):
        return True
    if end + 1 < len(doc) and doc[end].lower_ in words.name_links and name_word(end + 1):
        return True
    return name_word(before) or (end < len(doc) and doc[end].is_sent_start is not True and name_word(end))


def _capitalised(token: Token) -> bool:
    return _capitalised_text(token.text)


def _capitalised_text(text: str) -> bool:
    return (len(text) > 1 and text[0].isupper() and not text.isupper()) or (text.isupper() and len(text) > 3)


_NAME_POS = frozenset({"PROPN", "NOUN", "X", ""})


def _is_common_word(token: Token) -> bool:
    # Capitalised only because it starts a sentence, and tagged as a verb, adjective ... ("Reading the ...").
    return bool(token.is_sent_start) and token.pos_ not in _NAME_POS


class PlaceRuler:
    """spaCy component: writes candidate place mentions to `doc.spans[PLACE_SPANS]` (see `find_place_spans`).

    The gazetteer opens on first use (building it if needed); set `ruler.gazetteer` to share one already open.
    """

    def __init__(
        self,
        nlp: Language,
        name: str = "sitrep_place_ruler",
        *,
        gazetteer_path: str = "",
        focus_countries: Sequence[str] = (),
        min_population: int = 100_000,
        max_words: int = 5,
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.gazetteer_path = gazetteer_path
        self.focus_countries = tuple(focus_countries)
        self.min_population = min_population
        self.max_words = max_words
        self._gazetteer: Gazetteer | None = None

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = Gazetteer.open(self.gazetteer_path or None)
        return self._gazetteer

    @gazetteer.setter
    def gazetteer(self, value: Gazetteer) -> None:
        self._gazetteer = value

    def __call__(self, doc: Doc) -> Doc:
        error_handler = self.get_error_handler()
        try:
            doc.spans[PLACE_SPANS] = find_place_spans(
                doc,
                gazetteer=self.gazetteer,
                focus_countries=self.focus_countries,
                min_population=self.min_population,
                max_words=self.max_words,
            )
        except Exception as e:
            error_handler(self.name, self, [doc], e)
        return doc

    def get_error_handler(self) -> Any:
        from spacy.util import raise_error

        return getattr(self, "_error_handler", raise_error)

    def set_error_handler(self, error_handler: Any) -> None:
        self._error_handler = error_handler


@Language.factory(
    "sitrep_place_ruler",
    assigns=["doc.spans"],
    default_config={"gazetteer_path": "", "focus_countries": [], "min_population": 100_000, "max_words": 5},
)
def make_place_ruler(
    nlp: Language,
    name: str,
    gazetteer_path: str,
    focus_countries: list[str],
    min_population: int,
    max_words: int,
) -> PlaceRuler:
    """Build the `sitrep_place_ruler` component (see `PlaceRuler`)."""
    return PlaceRuler(nlp, name, gazetteer_path=gazetteer_path, focus_countries=focus_countries,
                      min_population=min_population, max_words=max_words)  # fmt: skip


# -- resolving ---------------------------------------------------------------------------------------------


@dataclass
class _Mention:
    span: Span
    start: int
    end: int
    text: str
    candidates: list[GazEntry]
    relation: Relation = "in"
    role: Role = "place"
    distance_km: float | None = None
    town_word: bool = False
    part_of_town: bool = False  # "X neighborhood", "Colonia X": in a town its sentence names (see _host_town)
    subregion: bool = False
    qualifier_of: int | None = None
    fallback: int | None = None  # index of the qualifying mention whose area codes this unknown place
    town: int | None = None  # index of the town the text puts this unknown place in ("X University in Y")
    areas: list[tuple[str, str]] = field(default_factory=list)  # (country, admin1 code) of its qualifiers
    area_refs: set[tuple[str, str]] = field(default_factory=set)  # (kind, ref) of the qualifiers' areas
    countries: list[str] = field(default_factory=list)  # countries named by its qualifiers
    choice: GazEntry | None = None
    score: float = 0.0
    partial: bool = False  # the candidates are of a place named inside it ("Dubai" of "Dubai World Cup")
    seen: dict[tuple[str, float | None, float | None], int] = field(default_factory=dict)  # learned places' events


def resolve_places(
    doc: Doc,
    *,
    gazetteer: Gazetteer,
    settings: Settings | None = None,
    spans: Sequence[Span] | None = None,
    char_spans: Sequence[tuple[int, int]] | None = None,
    region_point: Literal["capital", "centroid"] | None = None,
    infer_unknown: bool = False,
    learned_places: str = "",
) -> list[ResolvedPlace]:
    """Resolve a document's place mentions to gazetteer entries with coordinates and geo_precision.

    Args:
        doc: The document, ideally parsed (dependency labels help find actors and event prepositions).
        gazetteer: The gazetteer.
        settings: Thresholds (`geocode_fuzzy_cutoff`, `geocode_region_point`, `geocode_countries`).
        spans: The mentions to resolve; default `doc.spans[PLACE_SPANS]`, or found with `find_place_spans`.
        char_spans: Mentions as (start, end) character offsets, resolved exactly (overrides `spans`).
        region_point: Where an area-only mention is put: "capital" (its main town, ACLED's rule) or
            "centroid" (the mean of its places, or the country's point); default from settings.
        infer_unknown: For mentions known to be places (given ones): a name the gazetteer does not know takes
            the point of the nearest town named in its sentence, else of the town (else the admin area) the
            document names most, marked `inferred=True`, `resolved=False` and geo_precision 3. Never a
            country's point.
        learned_places: A CSV of places learned from coded events (`load_learned_places`); empty for the packaged
            `data/gazetteer/acled_places.csv`. A name among them also means the learned place, which a name of
            the document's less named countries does not outweigh.

    Returns:
        One `ResolvedPlace` per mention in document order; unknown names have `resolved=False` and null
        coordinates (unless inferred). The span ids in `doc.spans[PLACE_SPANS]` are set to the chosen entries'
        ids.
    """
    settings = settings or Settings()
    words = load_context_words()
    point = region_point or _setting(settings, "geocode_region_point", "capital")
    cutoff = float(_setting(settings, "geocode_fuzzy_cutoff", 88.0))
    focus_setting = [c.strip().upper() for c in str(_setting(settings, "geocode_countries", "")).split(",")
                     if c.strip()]  # fmt: skip
    mentions = _mentions(doc, gazetteer, words, spans, char_spans, _learned_index(gazetteer, learned_places))
    if not mentions:
        return []
    for m in mentions:
        _read_context(m, words)
        _rural_area(m, gazetteer)
        # "Maan town", "the town of X": a settlement, not a country or a region of the name (but "a U.S. city" is in
        # the country).
        if m.town_word and any(c.kind == "place" and c.match in ("exact", "alias") for c in m.candidates):
            m.candidates = [c for c in m.candidates if c.kind not in ("country", "continent", "region")]
    _link_qualifiers(mentions, doc)
    focus = _country_focus(mentions, focus_setting)
    for country, n in _demonym_countries(doc, gazetteer).items():
        focus[country] += n
    # Unknown names get a fuzzy second chance within the document's countries; not a long or institutional
    # name ("Third Presbyterian Church"), whose near spellings are other names, not it.
    common = words.not_places
    for m in mentions:
        plain = plain_name(m.text).split()
        if not m.candidates and len(plain) <= 3 and not any(w in common for w in plain):
            for iso in sorted(focus, key=lambda country: (-focus[country], country))[:2]:
                m.candidates = gazetteer.lookup(m.text, country=iso, fuzzy=True, fuzzy_cutoff=cutoff, limit=5)
                if m.candidates:
                    break
    named = _named_countries(mentions)
    areas = _named_areas(mentions)
    _local_namesakes(mentions, gazetteer, areas, focus)
    _choose(mentions, focus, gazetteer, proximity=False, named=named, areas=areas)
    _choose(mentions, focus, gazetteer, proximity=True, named=named, areas=areas)
    _settle_qualifiers(mentions)
    places = []
    for i, m in enumerate(mentions):
        area = mentions[m.fallback] if m.fallback is not None else None
        town = mentions[m.town] if m.town is not None else None
        host = _host_town(mentions, i)
        if host is not None:
            places.append(_town_place(m, host, gazetteer, precision=1))  # ACLED codes a town's part at the town
        elif town is not None and town.choice is not None and town.choice.kind == "place" and (
                m.choice is None or m.partial):  # fmt: skip
            places.append(_town_place(m, town, gazetteer))
        elif area is not None and _falls_back(m, area, mentions):
            places.append(_fallback_place(m, area, gazetteer))
        else:
            places.append(_to_place(m, gazetteer, point))
    if infer_unknown:
        places = _infer_unknown(places, doc)
    if spans is None and char_spans is None and PLACE_SPANS in doc.spans:
        group = list(doc.spans[PLACE_SPANS])
        if len(group) == len(places):
            doc.spans[PLACE_SPANS] = [
                Span(doc, span.start, span.end, label=span.label_,
                     span_id=str(place.geonameid) if place.geonameid is not None else "")
                for span, place in zip(group, places, strict=True)
            ]  # fmt: skip
    return places


def _settle_qualifiers(mentions: Sequence[_Mention]) -> None:
    """A qualifier reads as the area that holds the place it qualifies: "Tigre (Buenos Aires)" names the province,
    not the capital city of the same name in another admin1 area."""
    for q in mentions:
        if q.qualifier_of is None or q.role != "context" or q.choice is None:
            continue
        place = mentions[q.qualifier_of].choice
        if place is None or place.kind not in ("place", "admin2") or _contains(q.choice, place):
            continue
        if q.choice.kind == "place" and (q.choice.country, q.choice.admin1_code) == (place.country, place.admin1_code):
            continue
        area = next((c for c in q.candidates if c.kind in ("admin1", "admin2") and c.match in ("exact", "alias", "key")
                     and _contains(c, place)), None)  # fmt: skip
        if area is not None:
            q.choice = area


def _falls_back(m: _Mention, area: _Mention, mentions: Sequence[_Mention]) -> bool:
    """Whether a place the text puts in an area ("Ghaydah in Kirkuk province") is coded to that area: when it is
    unknown or known only outside the area, unless the area is a stray match abroad, of a country no other mention
    names while the town's is named and sees more conflict ("Kolofata town (Mayo-Sava, Extreme-Nord)" names no
    Irish county Mayo)."""
    place, where = m.choice, area.choice
    if where is None:
        return False
    if place is None:
        return True
    if _same_area(place, where):
        return False
    if place.country == where.country:
        return True
    others = Counter(x.choice.country for x in mentions if x is not m and x is not area and x.choice is not None)
    prior = load_conflict_prior()
    stray = others[place.country] > others[where.country] and prior.get(place.country, 0.0) > prior.get(
        where.country, 0.0)  # fmt: skip
    return not stray


def _infer_unknown(places: list[ResolvedPlace], doc: Doc) -> list[ResolvedPlace]:
    """Unknown places put where the text is: at the nearest town named in the same sentence, else the town the
    document names most (else its most named admin area), marked `inferred`. A story about a city names its
    streets, venues and neighbourhoods, which no gazetteer of towns lists; a country's point would be no better
    than none, so a document that names only countries leaves them unknown."""
    known = [p for p in places if p.resolved and p.latitude is not None and p.role != "distance"
             and p.kind in ("place", "admin1", "admin2")]  # fmt: skip
    if not known or all(p.resolved for p in places):
        return places

    # The document's focus: towns before areas, then the most named, then the first named (`min` keeps the first).
    def spot(p: ResolvedPlace) -> tuple[bool, float | None, float | None]:
        return p.kind != "place", p.latitude, p.longitude

    counts = Counter(spot(p) for p in known)
    focus = min(known, key=lambda p: (p.kind != "place", -counts[spot(p)]))
    sentences = doc.has_annotation("SENT_START")
    out = []
    for p in places:
        if p.resolved or p.latitude is not None or p.start is None:
            out.append(p)
            continue
        here = focus
        span = doc.char_span(p.start, p.end or p.start, alignment_mode="expand") if sentences else None
        if span is not None and len(span):
            sent = span.sent
            towns = [q for q in known if q.kind == "place" and sent.start_char <= (q.start or 0) < sent.end_char]
            if towns:
                here = min(towns, key=lambda q: abs((q.start or 0) - (p.start or 0)))
        out.append(here.model_copy(update={
            "name": p.name, "mention": p.mention, "start": p.start, "end": p.end, "geonameid": None,
            "geo_precision": 3, "role": p.role, "relation": p.relation, "distance_km": p.distance_km,
            "resolved": False, "inferred": True, "score": 0.0}))  # fmt: skip
    return out


def _setting(settings: Settings, name: str, default: Any) -> Any:
    return getattr(settings, name, default)


@dataclass(frozen=True)
class LearnedPlace:
    """A place of `acled_places.csv`: a name ACLED codes events at, with its admin1 code, admin2 and point, and the
    gazetteer place it is (`geonameid`), if any."""

    name: str
    country: str
    admin1_code: str
    admin2: str
    latitude: float
    longitude: float
    geonameid: int | None
    seen: int


_LEARNED_COLUMNS = ("country", "name", "admin1", "admin2", "latitude", "longitude", "geonameid", "seen")


@cache
def load_learned_places(path: str = "") -> tuple[LearnedPlace, ...]:
    """Load `acled_places.csv`: the places of ACLED's training rows (`benchmarks/geo_learn_acled_places.py`).

    Args:
        path: The CSV file; empty for the packaged `data/gazetteer/acled_places.csv` (absent: no places).

    Returns:
        The places, in file order.

    Raises:
        DataFileError: A line is malformed (the message names it).
    """
    file = Path(path) if path else DATA_DIR / "acled_places.csv"
    if not file.exists():
        return ()
    lines = [line for line in file.read_text(encoding="utf-8").splitlines() if line.strip() and line[0] != "#"]
    reader = csv.reader(lines)
    header = next(reader, [])
    if tuple(header) != _LEARNED_COLUMNS:
        raise DataFileError(Errors.E012.format(path=file, reason="give the columns " + ",".join(_LEARNED_COLUMNS)))
    places = []
    for number, row in enumerate(reader, 2):
        try:
            cc, name, admin1, admin2, lat, lon, geonameid, seen = row
            place = LearnedPlace(name=name.strip(), country=cc.strip().upper(), admin1_code=admin1.strip(),
                                 admin2=admin2.strip(), latitude=float(lat), longitude=float(lon),
                                 geonameid=int(geonameid) if geonameid.strip() else None, seen=int(seen))  # fmt: skip
        except ValueError as e:
            reason = f"give {len(_LEARNED_COLUMNS)} fields ({e})"
            error = Errors.E011.format(path=file, entry=f"line {number}", field="row", reason=reason)
            raise DataFileError(error) from e
        if len(place.country) != 2 or not place.name or not place.admin1_code or place.seen < 1 or not (
                -90 <= place.latitude <= 90 and -180 <= place.longitude <= 180):  # fmt: skip
            raise DataFileError(Errors.E011.format(path=file, entry=f"line {number}", field="row",
                                                   reason="give a country code, a name, an admin1 code, a point in "
                                                          "range and a count of 1 or more"))  # fmt: skip
        places.append(place)
    return tuple(places)


@lru_cache(maxsize=8)
def _learned_index(gazetteer: Gazetteer, path: str = "") -> dict[str, tuple[tuple[LearnedPlace, str], ...]]:
    """The learned places of a file, each with its plain name, by the gazetteer's matching key of their names
    (built once per gazetteer and file)."""
    index: defaultdict[str, list[tuple[LearnedPlace, str]]] = defaultdict(list)
    for place in load_learned_places(path):
        key = gazetteer.key(place.name)
        if key:
            index[key].append((place, plain_name(place.name)))
    return {key: tuple(places) for key, places in index.items()}


@lru_cache(maxsize=8192)
def _learned_entry(gazetteer: Gazetteer, place: LearnedPlace, *, exact: bool) -> GazEntry:
    """A learned place as a gazetteer entry, matched by its exact name or a spelling variant: the gazetteer's own
    place when it is one (in ACLED's admin1 area), else a place of its own without a GeoNames id."""
    match: dict[str, Any] = {"match": "exact" if exact else "key", "score": 1.0 if exact else 0.85}
    base = gazetteer.get(place.geonameid) if place.geonameid is not None else None
    if base is not None and base.kind == "place":
        area = gazetteer.admin1_by_code(place.country, place.admin1_code)
        return replace(base, admin1_code=place.admin1_code, admin1=area.name if area else base.admin1, **match)
    area = gazetteer.admin1_by_code(place.country, place.admin1_code)
    country = gazetteer.country(place.country)
    return GazEntry(geonameid=None, name=place.name, latitude=place.latitude, longitude=place.longitude,
                    country=place.country, country_name=country.name if country else "",
                    admin1_code=place.admin1_code, admin1=area.name if area else None, admin2=place.admin2 or None,
                    matched=plain_name(place.name), **match)  # fmt: skip


def _with_learned(
    name: str,
    candidates: list[GazEntry],
    learned: Sequence[tuple[LearnedPlace, str]],
    gazetteer: Gazetteer,
    seen: dict[tuple[str, float | None, float | None], int],
) -> list[GazEntry]:
    """The candidates with the learned places of the name: a gazetteer place that is one of them takes ACLED's
    admin1 area (GeoNames puts Thika in Nairobi); the others join as places of their own. `seen` gets the events
    of each, by (country, latitude, longitude)."""
    out = list(candidates)
    plain = plain_name(name)
    for place, place_plain in learned:
        entry = _learned_entry(gazetteer, place, exact=place_plain == plain)
        index = next((i for i, c in enumerate(out) if c.kind == "place" and c.geonameid is not None
                      and c.geonameid == entry.geonameid), None)  # fmt: skip
        if index is None:
            out.append(entry)
        elif out[index].admin1_code != entry.admin1_code:
            out[index] = replace(out[index], admin1_code=entry.admin1_code, admin1=entry.admin1)
        spot = (entry.country, entry.latitude, entry.longitude)
        seen[spot] = seen.get(spot, 0) + place.seen
    return out


def _mentions(
    doc: Doc,
    gazetteer: Gazetteer,
    words: ContextWords,
    spans: Sequence[Span] | None,
    char_spans: Sequence[tuple[int, int]] | None,
    learned: Mapping[str, Sequence[tuple[LearnedPlace, str]]],
) -> list[_Mention]:
    result: list[_Mention] = []
    if char_spans is not None:
        doc_text = doc.text
        for start, end in char_spans:
            span = doc.char_span(start, end, alignment_mode="expand")
            text = doc_text[start:end]
            if span is None or not text.strip():
                span = doc[0:0]
            result.append(_mention(span, start, end, text, gazetteer, learned))
        return result
    if spans is None:
        spans = doc.spans[PLACE_SPANS] if PLACE_SPANS in doc.spans else find_place_spans(doc, gazetteer=gazetteer)
    for span in spans:
        trimmed = _trim(span, words) or span
        result.append(_mention(trimmed, trimmed.start_char, trimmed.end_char, trimmed.text, gazetteer, learned))
    return result


def _mention(
    span: Span,
    start: int,
    end: int,
    text: str,
    gazetteer: Gazetteer,
    learned: Mapping[str, Sequence[tuple[LearnedPlace, str]]],
) -> _Mention:
    whole = text.strip()
    name = re.sub(r"(?i)^the\s+|['’]s$", "", whole)
    # "the Gulf" may be a name of its own, as "Gulf" alone is not.
    candidates = gazetteer.lookup(whole, limit=_CANDIDATES, fuzzy=False, kinds=("region",)) if name != whole else []
    if candidates:
        name = whole
    elif name:
        candidates = gazetteer.lookup(name, limit=_CANDIDATES, fuzzy=False, adjectives=True)
    seen: dict[tuple[str, float | None, float | None], int] = {}
    places = learned.get(gazetteer.key(name), ()) if name and learned else ()
    if places:
        candidates = _with_learned(name, candidates, places, gazetteer, seen)
        return _Mention(span, start, end, name, candidates, seen=seen)
    if not candidates and name:
        # "Sokoto State", "Western US", "South Venezuela": the area without its level or compass word.
        plain = plain_name(name).split()
        directions = load_context_words().directions
        for words, least in (([w for w in plain if w not in gazetteer.rules.admin_words], 10**9),
                             (plain[1:] if plain and plain[0] in directions else [], 100_000)):  # fmt: skip
            if words and len(words) < len(plain):
                candidates = [c for c in gazetteer.lookup(" ".join(words), limit=15, fuzzy=False, adjectives=True)
                              if c.kind != "place" or c.population >= least]  # fmt: skip
                if candidates:
                    break
    if not candidates and name:
        candidates = _contained_place(name, gazetteer)
        return _Mention(span, start, end, name, candidates, partial=bool(candidates))
    return _Mention(span, start, end, name, candidates)


_NAME_WORD = re.compile(r"[^\s/\-–]+")  # words of a name: "IBA-Karachi" and "Vienna/Fairfax" are two each
_CANDIDATES = 15  # candidates looked up per name
_MAJOR_KINDS = frozenset({"country", "admin1", "region", "continent"})


def _contained_place(name: str, gazetteer: Gazetteer) -> list[GazEntry]:
    """The candidates of the longest known place name inside an unknown name: "Dubai World Cup" -> Dubai,
    "Arizona State University" -> Arizona, "Mexican Senate" -> Mexico, "University of California" -> California.

    Words are split at spaces, slashes and hyphens. Only capitalised runs of words count, not all of them common
    words (`not_places`: "World", "University"), and the rest of the name must hold one ("Cedar Flat" is a place
    of its own, not Cedar County); only exact names, aliases and adjectives (no spelling keys) of areas or towns of
    some size, so a stray word never passes for a place. Two places joined by a hyphen ("Dhaka-Aricha highway")
    give none.
    """
    common = load_context_words().not_places

    def known(text: str, institution: bool) -> list[GazEntry]:
        return [c for c in gazetteer.lookup(text, limit=_CANDIDATES, fuzzy=False, adjectives=True)
                if c.match in ("exact", "alias") and (c.kind != "place" or c.population >= 5000)
                and (institution or c.kind in _MAJOR_KINDS or c.population >= 100_000)]  # fmt: skip

    # "Dhaka-Mymensingh highway", "the Isiolo-Meru border": two places joined name a road or a border between
    # them, at neither. Each side is the whole run of capitalised words up to the hyphen ("Montreal-Pierre
    # Elliott Trudeau Airport" joins Montreal to no place).
    tokens = name.split()
    for k, word in enumerate(tokens):
        ends = re.split(r"[-–]", word)
        if len(ends) != 2:
            continue
        before = list(itertools.takewhile(lambda w: w[:1].isupper(), reversed(tokens[:k])))[::-1]
        after = list(itertools.takewhile(lambda w: w[:1].isupper(), tokens[k + 1 :]))
        sides = (" ".join((*before, ends[0])), " ".join((ends[1], *after)))
        if all(side[:1].isupper() and len(side) >= 3 and known(side, True) for side in sides):
            return []
    words = _NAME_WORD.findall(name)
    for size in range(len(words) - 1, 0, -1):
        for i in range(len(words) - size + 1):
            part = words[i : i + size]
            # A name of several words may hold common ones ("New York" of "New York Auto Show"), not only them.
            if not all(w[:1].isupper() for w in part) or all(plain_name(w) in common for w in part):
                continue
            rest = plain_name(" ".join((*words[:i], *words[i + size :]))).split()
            institution = any(w in common for w in rest)
            text = " ".join(part)
            if len(plain_name(text).replace(" ", "")) < 3:  # "No." of "No. 2 Detention Centre" is no place
                continue
            hits = known(text, institution)
            if hits:
                return hits
    return []


def _ends_with(tokens: Sequence[str], phrases: tuple[tuple[str, ...], ...]) -> int:
    """The length of the first of the phrases that the tokens end with, or 0."""
    if not tokens:
        return 0
    for phrase in _by_last_word(phrases).get(tokens[-1], ()):
        if len(phrase) <= len(tokens) and tuple(tokens[len(tokens) - len(phrase) :]) == phrase:
            return len(phrase)
    return 0


@lru_cache(maxsize=64)
def _by_last_word(phrases: tuple[tuple[str, ...], ...]) -> dict[str, list[tuple[str, ...]]]:
    """The phrases under their last word, in their order: most context words match no phrase at all."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        if phrase:
            out.setdefault(phrase[-1], []).append(phrase)
    return out


def _starts_with(tokens: Sequence[str], phrases: Iterable[tuple[str, ...]]) -> int:
    for phrase in phrases:
        if tuple(tokens[: len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _read_context(m: _Mention, words: ContextWords) -> None:
    """Set the mention's relation, role and distance from the words around it."""
    span = m.span
    if len(span) == 0:
        return
    doc = span.doc
    sent = span.sent if doc.has_annotation("SENT_START") else doc[:]
    left = [t.lower_ for t in doc[max(sent.start, span.start - 6) : span.start]]
    right_tokens = list(doc[span.end : min(sent.end, span.end + 5)])
    right = [t.lower_ for t in right_tokens]
    possessive = bool(right) and right[0] in ("'s", "’s", "'")
    after = right[1:] if possessive else right
    # Actors: "Damascus-based", "Aleppo's governor", "the Damascus government", "Ankara said".
    if len(right) >= 2 and right[0] in ("-", "–") and right[1] in words.actor_suffixes:
        m.role = "actor"
        return
    # "Lafey police station", "Dadaab refugee camp": a facility of the place, not an actor.
    facility = len(after) > 1 and after[1] in words.facility_words
    directed = len(after) > 1 and after[0] in words.directions | {"foreign"} and after[1] in words.actor_nouns
    if after and not facility and (after[0] in words.actor_nouns or directed):
        m.role = "actor"
        return
    if _is_speaker(span, right_tokens, words):
        m.role = "actor"
        return
    # "10 km from X", "within 10 km of X", "5 miles north of X".
    distance = _distance_before(doc, span, sent, words)
    if distance is not False:
        m.role, m.relation, m.distance_km = "distance", "distance", distance
        return
    core_left = left[:-1] if left and left[-1] == "the" else left
    if _ends_with(left, words.town_before) or (after and after[0] in words.town_after):
        m.town_word = True
    # "in X neighborhood", "in fraccionamiento X", or the word inside the name itself ("Colonia San Francisco").
    first = tuple(m.text.lower().split()[:1])
    if _ends_with(left, words.part_before) or (after and after[0] in words.part_after) or first in words.part_before:
        m.part_of_town = True
    if _ends_with(left, words.outskirts_before) or (after and after[0] in words.outskirts_after):
        m.relation = "outskirts"
    elif _ends_with(left, words.region_before) or (after and after[0] in words.region_after):
        m.relation = "region"
        word = after[0] if after and after[0] in words.region_after else ""
        phrase_len = _ends_with(left, words.region_before)
        if phrase_len:
            word = left[len(left) - phrase_len :][-2] if phrase_len >= 2 else left[-1]
        m.subregion = word in words.subregion_words
        if left and left[-1] in words.directions:  # "northern Hama province": part of the area
            m.relation = "countryside"
    elif (_ends_with(left, words.countryside_before) or _starts_with(after, words.countryside_after)
          or (core_left and core_left[-1] in words.directions)):  # fmt: skip
        m.relation = "countryside"
    elif _ends_with(left, words.near_before) or (len(left) >= 2 and left[-1] == "of" and left[-2] in words.directions):
        m.relation = "near"


def _is_speaker(span: Span, right_tokens: Sequence[Token], words: ContextWords) -> bool:
    root = span.root
    if root.dep_ in ("nsubj", "nsubjpass") and _lemma(root.head) in words.speech_verbs:
        return True
    # Without a parse: the name directly followed by a speech verb ("Damascus said").
    return not root.dep_ and bool(right_tokens) and _lemma(right_tokens[0]) in words.speech_verbs


_IRREGULAR = {"said": "say", "says": "say", "told": "tell", "sent": "send", "sought": "seek"}


def _lemma(token: Token) -> str:
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


_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")


def _distance_before(doc: Doc, span: Span, sent: Span, words: ContextWords) -> float | Literal[False] | None:
    """The distance in km of "N km (direction) from|of X" before the span; None if unnumbered; False if none."""
    i = span.start
    left = [t.lower_ for t in doc[max(sent.start, i - 8) : i]]
    k = len(left)
    link = _ends_with(left, words.distance_links)
    if not link:
        return False
    k -= link
    if k and left[k - 1] in words.directions:
        k -= 1
    if k and left[k - 1] in ("-", "away"):
        k -= 1
    if not k:
        return False
    unit = left[k - 1]
    number_text = ""
    factor = words.distance_units.get(unit)
    if factor is None:  # "10km" as one token
        glued = re.match(r"^(\d+(?:[.,]\d+)?)([a-z]+)$", unit)
        if not glued or glued.group(2) not in words.distance_units:
            return False
        number_text, factor = glued.group(1), words.distance_units[glued.group(2)]
    elif k >= 2:
        number_text = left[k - 2]
    if not _NUMBER.match(number_text.replace(",", "")):
        return None
    return float(number_text.replace(",", "")) * factor


def _link_qualifiers(mentions: list[_Mention], doc: Doc) -> None:
    """Mark admin qualifiers: "Morek (Hama)", "Morek, Hama", "Morek in Hama province" -> Hama qualifies Morek."""
    words = load_context_words()
    glue = {"(", ",", "in", "of", "-", "–", "the", "rural"} | words.directions
    glue |= {w for phrase in (*words.countryside_before, *words.region_before) for w in phrase}
    text = token_table(doc).text
    # Given mentions may come in any order: a qualifier is the next mention in the text, after the name.
    order = sorted(range(len(mentions)), key=lambda k: (mentions[k].start, mentions[k].end))
    # Items of a list ("Los Angeles, Miami, West Palm Beach, New York and Detroit"): a name after a comma that
    # another name follows is no qualifier of the name before it.
    after_comma = {k for j, k in itertools.pairwise(order) if text[mentions[j].end : mentions[k].start].strip() == ","}
    # Last pair first, so that a chain passes its areas down: "Ar Rubat area of Tuban district (Lahij)" puts
    # Ar Rubat in Lahij too.
    for i, next_i in reversed(list(itertools.pairwise(order))):
        m, q = mentions[i], mentions[next_i]
        # A qualifier known only by a part of its name ("Mayo" of "Mayo-Sava") puts nothing anywhere.
        if q.start < m.end or q.partial:
            continue
        listed = i in after_comma and _LIST_GOES_ON.match(text, q.end) is not None
        between_words = text[m.end : q.start].lower().replace("(", " ( ").replace(",", " , ").split()
        # "Tuban district (Lahij)", "Jarablus city in the countryside of Aleppo", "Saraqab front in Idleb": the name's
        # own level, settlement or front word is no part of what links it to its qualifier.
        while between_words and between_words[0] in _own_words(words):
            between_words = between_words[1:]
        if len(between_words) > 5 or not all(w in glue for w in between_words):
            continue
        between = " ".join(between_words)
        # "Loyola University in Los Angeles", "Federal University of Technology, Owerri": a name the gazetteer
        # does not know (or knows only a part of) in a town the text names is in that town.
        top = q.candidates[0] if q.candidates else None
        if ((not m.candidates or m.partial) and top is not None and top.kind == "place" and not listed
                and between in ("in", ",", "(", "in the")):  # fmt: skip
            m.town = next_i
        areas = [(c.country, c.admin1_code) for c in q.candidates if c.kind in ("admin1", "admin2") or
                 (c.kind == "place" and c.feature_code in ("PPLA", "PPLC"))]  # fmt: skip
        countries = [c.country for c in q.candidates if c.kind == "country"]
        if q.areas or q.countries:  # the qualifier's own qualifiers hold the name too
            areas = [*q.areas, *areas]
            countries = [*q.countries, *countries]
        inside = any((c.country, c.admin1_code) in areas or c.country in countries for c in m.candidates
                     if c.kind in ("place", "admin2"))  # fmt: skip
        area_word = bool(q.candidates) and q.candidates[0].kind in ("admin1", "admin2", "country")
        strong = between.startswith("(") or q.relation in ("region", "countryside") or area_word
        q_countries = {c.country for c in q.candidates}
        # "Ghaydah in Kirkuk province" with no Ghaydah known there: the place is somewhere in Kirkuk.
        unknown_here = bool(q_countries) and all(c.kind == "place" and c.country not in q_countries
                                                 for c in m.candidates)  # fmt: skip
        strong = strong and (between.startswith("(") or q.relation == "region" or not m.candidates)
        # "Lozove, Donetsk" when the only Lozove known lies in another province: somewhere in Donetsk.
        # "Ar Rubat area of Tuban district (Lahij)": a qualifier placed by its own qualifier places the name too.
        # A list ("Los Angeles, Miami, West Palm Beach") is no chain: the qualifier must be an area by its words;
        # and a city ("Copenhagen, Hamburg") is known well enough not to be put somewhere in the next name.
        chained = bool(q.areas) and (q.relation == "region" or between in ("in", "of"))
        elsewhere = (((top is not None and top.kind in ("admin1", "admin2")) or chained) and not listed
                     and between in (",", "(", "in", "of") and bool(m.candidates)
                     and all(c.kind in ("place", "admin2") and c.population < 10**6 for c in m.candidates))  # fmt: skip
        if not inside and not (strong and unknown_here) and not elsewhere:
            continue
        m.areas.extend(areas)
        m.countries.extend(countries)
        m.area_refs |= {(c.kind, c.ref) for c in q.candidates if c.kind in ("admin1", "admin2")}
        # An unknown name beside a country is not coded to the capital: only an admin area gives a fallback.
        if not inside and top is not None and top.kind in ("admin1", "admin2"):
            m.fallback = next_i
        elif not inside and q.fallback is not None:
            m.fallback = q.fallback
        if between.startswith("(") or between.startswith(",") or q.relation in ("region", "countryside"):
            q.qualifier_of = i
            if q.role == "place":
                q.role = "context"


def _own_words(words: ContextWords) -> frozenset[str]:
    """Words after a name that belong to it ("X district", "X city", "X front", "X outskirts")."""
    return _union(words.region_after, words.town_after, words.outskirts_after, _phrase_words(words.countryside_after))


@cache
def _phrase_words(phrases: tuple[tuple[str, ...], ...]) -> frozenset[str]:
    return frozenset(w for phrase in phrases for w in phrase)


@dataclass(frozen=True)
class _Weights:
    """Scores are in orders of magnitude of population: one point is worth a town ten times bigger."""

    feature: tuple[tuple[str, float], ...] = (
        ("CONT", 2.0), ("PCLI", 4.0), ("PPLC", 2.5), ("ADM1", 1.0), ("PPLA", 1.0), ("PPLA2", 0.5), ("ADM2", 0.0),
    )  # fmt: skip
    key_match: float = -0.5  # a spelling variant, not the exact name
    fuzzy_match: float = -1.5  # plus -0.1 per point of rapidfuzz ratio below 100
    country_focus: float = 9.0  # times the country's share of the document's mentions
    admin1_focus: float = 3.0  # times the admin1 area's share
    qualifier: float = 4.0  # "Morek (Hama)": inside the named area
    proximity: float = 1.5  # times exp(-km / 100) to the nearest other chosen place
    containment: float = 1.0  # an area that holds another chosen place
    region_word: float = 2.0  # "X province" and an area of that level
    region: float = 9.0  # a macro-region or physical feature ("Middle East", "Pacific"): as a town of a million
    town_word: float = -2.0  # "X city" and an area
    off_consensus: float = 3.0  # event place: times the share of votes its country lacks against the top one
    conflict_prior: float = 2.0  # event place: times its country's conflict prior (0-1, conflict_prior.csv)
    admin1_prior: float = 2.0  # times its admin1 area's conflict prior within its country (conflict_admin1.csv)
    named_area: float = 2.0  # in an admin1 area the document names outright; times the share for a named admin2
    foreign_variant: float = -1.5  # a spelling variant or fuzzy match of a place in a country nothing else names
    least_population: int = 500  # a town's population when GeoNames gives none
    famous_partial: int = 100_000  # a town this big named inside a longer name may lie outside the named areas
    famous: float = 6.0  # a candidate this strong (a town of a million, a capital of 30,000) is famous
    famous_gap: float = 2.5  # a namesake this many points below a famous place needs evidence of its own
    unsupported_namesake: float = 0.5  # times its country focus without such evidence
    contains_other: float = 1.5  # event place: a country or an area that holds another place of the sentence
    key_beside_exact: float = -2.0  # a spelling variant when another place has the name itself
    exact_population: int = 10_000  # ... and at least this many people
    learned_place: float = 3.0  # a place ACLED codes events at (acled_places.csv): conflict news is about those
    learned_events: float = 0.5  # times log10 of its training events
    outside_area: float = 0.5  # event place: a town outside the area the text puts it in gives way to the area
    part_radius_km: float = 30.0  # a part of a town lies this near its town (see _host_town)


WEIGHTS = _Weights()
_FEATURE = dict(WEIGHTS.feature)


def _country_focus(mentions: Sequence[_Mention], given: Sequence[str]) -> defaultdict[str, float]:
    """How strongly the document is about each country: its named countries and its places' countries."""
    votes: defaultdict[str, float] = defaultdict(float)
    for c in given:
        votes[c] += 2
    for m in mentions:
        if not m.candidates:
            continue
        top = m.candidates[0]
        if top.kind == "country" and top.match in ("exact", "alias"):
            votes[top.country] += 2
        # A region across borders ("Middle East") votes for no country: "" stands for the world at large.
        countries = sorted({c.country for c in m.candidates if c.country or c.kind == "region"})
        for country in countries:  # sorted: float sums and ties in order
            votes[country] += 1 / len(countries)
    return votes


def _admin1_focus(mentions: Sequence[_Mention]) -> defaultdict[tuple[str, str], float]:
    votes: defaultdict[tuple[str, str], float] = defaultdict(float)
    for m in mentions:
        areas = sorted({(c.country, c.admin1_code) for c in m.candidates if c.admin1_code})
        for area in areas:
            votes[area] += 1 / len(areas)
        top = m.candidates[0] if m.candidates else None
        if top is not None and top.kind == "admin1" and top.match in ("exact", "alias"):
            votes[(top.country, top.admin1_code)] += 1
    return votes


def _candidate_score(c: GazEntry, m: _Mention) -> float:
    # cities500 lists towns of 500 people or more: a town without a population is of unknown size, not empty.
    population = max(c.population, WEIGHTS.least_population) if c.kind == "place" else c.population
    s = math.log10(population + 1) + _FEATURE.get(c.feature_code, 0.0)
    if c.match == "key":
        s += WEIGHTS.key_match
    elif c.match == "fuzzy":
        s += WEIGHTS.fuzzy_match - (1 - c.score / 0.7) * 10
    # A country holds its qualifying areas as much as its towns do ("Mexico" beside "Sonora"); an area is not
    # inside itself: "Colon (Colon)" is the town in the province of its name, not the province.
    if m.areas and (((c.country, c.admin1_code) in m.areas and (c.kind, c.ref) not in m.area_refs)
                    or (c.kind in ("country", "continent") and any(a[0] == c.country for a in m.areas))):  # fmt: skip
        s += WEIGHTS.qualifier
    if m.countries and c.country in m.countries:
        s += WEIGHTS.qualifier / 2
    if m.town_word and c.kind != "place":
        s += WEIGHTS.town_word
    if c.kind == "region":
        s += WEIGHTS.region
    if m.relation == "region" and c.kind == ("admin2" if m.subregion else "admin1"):
        s += WEIGHTS.region_word
    return s


@cache
def load_admin1_prior(path: str = "") -> dict[tuple[str, str], float]:
    """Load `conflict_admin1.csv`: conflict events per admin1 area, scaled to 0-1 within each country as
    log(1 + events) / log(1 + the country's most).

    Args:
        path: The CSV file; empty for the packaged `data/gazetteer/conflict_admin1.csv` (absent: no prior).

    Returns:
        (ISO alpha-2 code, admin1 code) to prior.

    Raises:
        DataFileError: A line is malformed.
    """
    counts = _event_counts(Path(path) if path else DATA_DIR / "conflict_admin1.csv", keys=("an admin1 code",))
    most: defaultdict[str, int] = defaultdict(int)
    for (country, _), n in counts.items():
        most[country] = max(most[country], n)
    return {
        (area[0], area[1]): math.log10(1 + n) / (math.log10(1 + most[area[0]]) or 1.0) for area, n in counts.items()
    }


def _event_counts(file: Path, *, keys: tuple[str, ...] = ()) -> dict[tuple[str, ...], int]:
    """The counts of a conflict-prior CSV (a header, then an ISO alpha-2 code, the `keys` columns and a count a
    line; `#` lines are comments), by (country, *keys); no file gives none.

    Raises:
        DataFileError: A line is malformed (the message names it).
    """
    if not file.exists():
        return {}
    counts: dict[tuple[str, ...], int] = {}
    lines = [line for line in file.read_text(encoding="utf-8").splitlines() if line.strip() and line[0] != "#"]
    for number, line in enumerate(lines[1:], 2):
        parts = [part.strip() for part in line.split(",")]
        if len(parts) != 2 + len(keys) or len(parts[0]) != 2 or not all(parts[1:-1]) or not parts[-1].isdigit():
            reason = "give " + ", ".join(("an ISO alpha-2 code", *keys)) + " and a count"
            raise DataFileError(Errors.E011.format(path=file, entry=f"line {number}", field="events", reason=reason))
        counts[(parts[0].upper(), *parts[1:-1])] = int(parts[-1])
    return counts


def _rural_area(m: _Mention, gazetteer: Gazetteer) -> None:
    """ "Rural Damascus", "Damascus Countryside": an area named with its countryside word is that area, not the
    countryside of the town (the word itself was read as the mention's relation)."""
    span = m.span
    if m.relation != "countryside" or len(span) == 0:
        return
    doc = span.doc
    for text in (f"{doc[span.start - 1].text} {m.text}" if span.start > 0 else "",
                 f"{m.text} {doc[span.end].text}" if span.end < len(doc) else ""):  # fmt: skip
        if not text or not all(w[:1].isupper() for w in text.split()):
            continue
        hits = [c for c in gazetteer.lookup(text, kinds=("admin1", "admin2"), fuzzy=False, limit=5)
                if c.match in ("exact", "alias")]  # fmt: skip
        if hits:
            m.candidates, m.relation = hits, "region"
            return


def _named_areas(mentions: Sequence[_Mention]) -> frozenset[tuple[str, str]]:
    """The admin1 areas the document names outright ("Rakhine State")."""
    return frozenset((m.candidates[0].country, m.candidates[0].admin1_code) for m in mentions
                     if m.candidates and m.candidates[0].kind == "admin1"
                     and m.candidates[0].match in ("exact", "alias"))  # fmt: skip


def _local_namesakes(
    mentions: Sequence[_Mention],
    gazetteer: Gazetteer,
    areas: frozenset[tuple[str, str]],
    focus: Mapping[str, float],
) -> None:
    """Add the namesakes that lie in the areas the text names, when a common name's candidates were cut short
    ("Paris, Missouri": a village the world's bigger Parises push out of the first fifteen); and those of the
    country the document is most about, when none of the name's candidates is there ("Newport" in a story of
    Irish towns: the Irish Newport is a village that the world's bigger Newports push out)."""
    lead = max(sorted(focus), key=lambda country: focus[country], default="")
    for m in mentions:
        if len(m.candidates) < _CANDIDATES or m.partial:
            continue
        wanted = {*m.areas, *areas}
        have = {(c.kind, c.ref) for c in m.candidates}
        for country in sorted({country for country, _ in wanted}):
            m.candidates += [c for c in gazetteer.lookup(m.text, country=country, limit=4 * _CANDIDATES, fuzzy=False)
                             if (c.country, c.admin1_code) in wanted and (c.kind, c.ref) not in have]  # fmt: skip
        if lead and not any(c.country == lead for c in m.candidates):
            m.candidates += [c for c in gazetteer.lookup(m.text, country=lead, limit=3, fuzzy=False)
                             if c.match in ("exact", "alias") and (c.kind, c.ref) not in have]  # fmt: skip


def _named_districts(mentions: Sequence[_Mention]) -> dict[str, dict[tuple[str, str, str], float]]:
    """The admin2 areas the document names ("Suffolk County"), by the name that names them: each (country,
    admin1 code, name) with the share of the name's admin2 candidates it takes. A name counts once however
    often it is repeated, so that a name never supports its own namesakes."""
    votes: dict[str, dict[tuple[str, str, str], float]] = {}
    for m in mentions:
        named = [c for c in m.candidates if c.kind == "admin2" and c.match in ("exact", "alias") and c.admin2]
        if named and m.text not in votes:
            votes[m.text] = {(c.country, c.admin1_code, c.admin2 or ""): 1 / len(named) for c in named}
    return votes


def _named_countries(mentions: Sequence[_Mention]) -> frozenset[str]:
    """The countries the document names outright ("Myanmar", "Kenyan" is not one)."""
    return frozenset(m.candidates[0].country for m in mentions if m.candidates and m.candidates[0].kind == "country"
                     and m.candidates[0].match in ("exact", "alias") and m.role != "distance")  # fmt: skip


def _choose(
    mentions: list[_Mention],
    focus: Mapping[str, float],
    gazetteer: Gazetteer,
    *,
    proximity: bool,
    named: frozenset[str] = frozenset(),
    areas: frozenset[tuple[str, str]] = frozenset(),
) -> None:
    total = sum(focus.values()) or 1.0
    admin_focus = _admin1_focus(mentions)
    districts = _named_districts(mentions)
    district_total: defaultdict[tuple[str, str, str], float] = defaultdict(float)
    for votes in districts.values():
        for district, vote in votes.items():
            district_total[district] += vote
    admin_total = sum(admin_focus.values()) or 1.0
    located = named | {country for country, _ in areas}  # the countries the document names, or names areas of
    repeats = Counter(m.text for m in mentions if m.candidates)
    # One anchor per place, with the mentions that chose it: a place named a hundred times is measured once.
    anchor_mentions: dict[tuple[str, float, float], tuple[GazEntry, set[int]]] = {}
    for i, m in enumerate(mentions):
        c = m.choice
        if c is not None and c.kind == "place" and c.latitude is not None and c.longitude is not None:
            anchor_mentions.setdefault((c.name, c.latitude, c.longitude), (c, set()))[1].add(i)
    anchors = list(anchor_mentions.values())
    area_prior = load_admin1_prior()
    for i, m in enumerate(mentions):
        best, best_score = None, -math.inf
        priors = [_candidate_score(c, m) for c in m.candidates]
        famous = max(priors, default=0.0)
        own_areas = {(c.country, c.admin1_code) for c in m.candidates if c.admin1_code}
        namesakes = Counter(country for country, _ in own_areas)
        others = [a for a, chosen_by in anchors if chosen_by != {i}] if proximity else []
        names_admin1 = any(c.kind == "admin1" and c.match in ("exact", "alias") for c in m.candidates)
        own_districts = districts.get(m.text, {})
        # The votes the name gives each of its countries, however often it is repeated.
        own_country = repeats[m.text] / (len({c.country for c in m.candidates if c.country}) or 1)
        # How much the rest of the document speaks for each of the name's countries: a place ACLED codes events at
        # is likelier than its namesakes, but not against a country the document is about ("Los Angeles" in Chile).
        support: dict[str, float] = {}
        top_support, famous_elsewhere = 0.0, False
        if m.seen:
            support = {c.country: focus.get(c.country, 0.0) - own_country for c in m.candidates if c.country}
            top_support = max(support.values(), default=0.0)
            # A famous place ("Los Angeles") is meant before a small namesake ACLED knows, unless the document says
            # otherwise.
            famous_elsewhere = any(prior >= WEIGHTS.famous and not m.seen.get((c.country, c.latitude, c.longitude))
                                   for c, prior in zip(m.candidates, priors, strict=True))  # fmt: skip
        # A spelling variant ("Samara") of a name that is some place's own ("Samarra"): the own name is meant.
        exact = any(c.match in ("exact", "alias") and c.kind == "place" and c.population >= WEIGHTS.exact_population
                    for c in m.candidates)  # fmt: skip
        for c, prior in zip(m.candidates, priors, strict=True):
            s = prior
            if exact and c.match == "key":
                s += WEIGHTS.key_beside_exact
            area_votes = 0.0
            if c.admin1_code:
                area_votes = admin_focus.get((c.country, c.admin1_code), 0)
                s += WEIGHTS.admin1_focus * area_votes / admin_total
                # Namesakes within a country are likelier where conflict is, the news being about it; across
                # countries the country's own prior decides (event_place).
                if namesakes[c.country] > 1:
                    s += WEIGHTS.admin1_prior * area_prior.get((c.country, c.admin1_code), 0.0)
                # A town or county of a state the document names outright ("Red Oak ... Iowa"), or a town of a
                # county it names ("Southold ... Suffolk County"): namesakes elsewhere are other stories.
                # A name that is itself a state's ("Delaware") is that state, not a county of another one named.
                if not names_admin1:
                    if c.kind in ("place", "admin2") and (c.country, c.admin1_code) in areas:
                        s += WEIGHTS.named_area
                    if c.kind == "place" and c.admin2:
                        district = (c.country, c.admin1_code, c.admin2)
                        elsewhere = district_total.get(district, 0.0) - own_districts.get(district, 0.0)
                        s += WEIGHTS.named_area * min(1.0, elsewhere)
            near_km = math.inf
            if proximity:
                here = [a for a in others if a.name != c.name]
                if c.kind == "place" and c.latitude is not None:
                    near = [_km(c, a) for a in here]
                    if near:
                        near_km = min(near)
                        s += WEIGHTS.proximity * math.exp(-near_km / 100)
                elif c.kind in ("country", "admin1", "admin2") and any(_contains(c, a) for a in here):
                    s += WEIGHTS.containment
            country_weight = WEIGHTS.country_focus
            # A namesake orders of magnitude smaller than a famous place ("London", Ohio, against London) takes
            # the document's country focus in full only with evidence of its own: a qualifier, another place of
            # its admin1 area, or a chosen place nearby. A country named in passing is no such evidence.
            if famous >= WEIGHTS.famous and famous - prior >= WEIGHTS.famous_gap:
                own_vote = 1 / len(own_areas) if (c.country, c.admin1_code) in own_areas else 0.0
                local = (bool(m.areas) and (c.country, c.admin1_code) in m.areas) or area_votes - own_vote > 0.5
                if not local and near_km > 100:
                    country_weight *= WEIGHTS.unsupported_namesake
            share = _focus_of(c, focus)
            s += country_weight * share / total
            events = m.seen.get((c.country, c.latitude, c.longitude), 0) if m.seen else 0
            backed = support.get(c.country, 0.0)
            if events and backed >= top_support - 1e-9 and (backed > 0 or not famous_elsewhere):
                s += WEIGHTS.learned_place + WEIGHTS.learned_events * math.log10(events)
            # A spelling variant ("Maasai" for Marseille) of a place in a country no other mention names is a
            # coincidence of letters more often than a place; so is an area or town named inside a longer name
            # ("Vienna" of "Vienna/Fairfax Metro").
            if (c.match not in ("exact", "alias") and c.kind in ("place", "admin2")) or (
                    m.partial and c.kind in ("place", "admin1", "admin2")):  # fmt: skip
                if share - (own_country if c.country else 0.0) <= 0:
                    s += WEIGHTS.foreign_variant
                    # Words run together or split apart ("Maasai" for "Ma Sai", Marseille) with nothing else of
                    # that country in the document: a coincidence of letters.
                    if c.match == "key" and len(plain_name(c.matched).split()) != len(plain_name(m.text).split()):
                        continue
                # In a document that names its countries (or their areas), a variant spelling of a town in another
                # one is no reading of the name: better unresolved than put in the wrong country.
                if located and c.country not in located and not m.areas and near_km > 100:
                    continue
                # A near spelling ("Minbya" for Mee Pya), or a town named inside a longer name ("Pearl" of "Pearl
                # Harbor"), outside the areas the document names in its country.
                if ((c.match == "fuzzy" or (m.partial and c.population < WEIGHTS.famous_partial))
                        and (c.country, c.admin1_code) not in areas
                        and any(country == c.country for country, _ in areas)):  # fmt: skip
                    continue
            if s > best_score:
                best, best_score = c, s
        m.choice, m.score = best, best_score
        # An area named like its own main town ("Idlib", "Kabul") is the town, unless region words say so; a
        # village that merely carries the area's name among its alternate names ("Minneota" for Minnesota) is not
        # its main town. A district is named after its town, however small GeoNames makes it ("in Ma'arrat al-Numan").
        if best is not None and best.kind in ("admin1", "admin2") and (
                m.relation != "region" or (m.subregion and best.kind == "admin2")):  # fmt: skip
            town = next((c for c in m.candidates if c.kind == "place" and c.country == best.country
                         and c.admin1_code == best.admin1_code and c.score >= 0.85
                         and (c.geonameid == best.seat or c.population * 10 >= best.population
                              or best.kind == "admin2")), None)  # fmt: skip
            if town is not None:
                m.choice = town


def _focus_of(c: GazEntry, focus: Mapping[str, float]) -> float:
    """The document's focus on an entry's country; a region across borders takes its most named country."""
    if c.country or not c.countries:
        return focus.get(c.country, 0.0)
    return max(focus.get(country, 0.0) for country in ("", *c.countries))


def _same_area(place: GazEntry, area: GazEntry) -> bool:
    """Whether a place lies in the area a qualifier names (its admin1 area, or its country)."""
    if area.kind == "country":
        return place.country == area.country
    return (place.country, place.admin1_code) == (area.country, area.admin1_code)


def _contains(area: GazEntry, place: GazEntry) -> bool:
    if area.kind == "country":
        return area.country == place.country
    if area.kind == "admin1":
        return (area.country, area.admin1_code) == (place.country, place.admin1_code)
    return area.country == place.country and area.admin2 is not None and area.admin2 == place.admin2


def _fallback_place(m: _Mention, area: _Mention, gazetteer: Gazetteer) -> ResolvedPlace:
    """An unknown place inside a known area ("Ghaydah in Kirkuk province"): the area's main town, precision 2."""
    coded = _to_place(area, gazetteer, "capital")
    return coded.model_copy(update={
        "name": m.text, "mention": m.text, "start": m.start, "end": m.end, "geonameid": None, "geo_precision": 2,
        "role": m.role, "relation": m.relation if m.relation != "in" else "near", "distance_km": m.distance_km,
        "score": round(m.score, 3) if m.score > -math.inf else 0.0,
    })  # fmt: skip


def _host_town(mentions: Sequence[_Mention], i: int) -> _Mention | None:
    """The town a part of a town lies in ("in Aracaju, Sergipe ... in Santa Maria neighborhood"), when the part's
    own reading is unknown or lies farther than `part_radius_km` from that town: the town its sentence puts it in
    ("X neighbourhood in Y"), or else the last town the sentence names before it, with its area if one has."""
    m = mentions[i]
    if not m.part_of_town:
        return None
    towns = [h for h in mentions if h.role == "place" and not h.part_of_town and h.choice is not None
             and h.choice.kind == "place" and h.span.sent == m.span.sent]  # fmt: skip
    text = m.span.doc.text

    def said_in(h: _Mention) -> bool:  # "the Ashrafieh neighbourhood in Afrin city": a town right after it
        between = text[m.end : h.start].split()
        return h.start > m.end and len(between) <= 3 and between[-1:] in (["in"], ["of"])

    host = next((h for h in towns if said_in(h)), None)
    # Or the town before it, one the text qualifies with its area ("in Niteroi, Rio de Janeiro, ... in Vila
    # Ipiranga, in Fonseca neighborhood") over a bare name after that, which may itself be a part of the town.
    before = [h for h in towns if h.end <= m.start]
    host = host or next((h for h in reversed(before) if h.areas), before[-1] if before else None)
    if (
        host is None
        or host.choice is None
        or (m.choice is not None and _km(m.choice, host.choice) <= WEIGHTS.part_radius_km)
    ):
        return None
    return host


def _town_place(m: _Mention, town: _Mention, gazetteer: Gazetteer, *, precision: int = 2) -> ResolvedPlace:
    """An unknown place in a town the text names ("Tishreen Hall in Hama", "Utawala (Nairobi)"): coded to that
    town, under its name, at geo_precision 2 (ACLED's rule for a place the gazetteer lacks)."""
    coded = _to_place(town, gazetteer, "capital")
    return coded.model_copy(update={
        "mention": m.text, "start": m.start, "end": m.end, "geo_precision": precision, "role": m.role,
        "relation": m.relation if m.relation != "in" else "near", "distance_km": m.distance_km,
    })  # fmt: skip


def _km(a: GazEntry, b: GazEntry) -> float:
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return math.inf
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)


def _to_place(m: _Mention, gazetteer: Gazetteer, point: str) -> ResolvedPlace:
    base: dict[str, Any] = {"start": m.start, "end": m.end, "mention": m.text, "role": m.role,
                            "relation": m.relation, "distance_km": m.distance_km}  # fmt: skip
    entry = m.choice
    if entry is None:
        return ResolvedPlace(name=m.text, resolved=False, **base)
    coded = entry
    precision = {"in": 1, "outskirts": 1, "near": 2, "countryside": 2, "region": 3, "distance": 1}[m.relation]
    if entry.kind != "place":
        if entry.kind == "admin2" or (entry.kind == "admin1" and m.relation in ("countryside", "near")):
            precision = 2  # a district, or part of a province: coded to its main town
        else:
            precision = 3
        seat = gazetteer.seat(entry) if entry.kind != "continent" else None
        if point == "capital" and seat is not None:
            coded = seat
    elif m.relation == "region":
        precision = 2 if m.subregion else 3
    name = m.text if coded is entry or any(c.geonameid == coded.geonameid for c in m.candidates) else ""
    admin1 = gazetteer.admin1_of(coded)
    country = gazetteer.country(coded.country) if coded.country else None
    return ResolvedPlace(
        name=name or ascii_name(coded.name),
        geonameid=coded.geonameid if coded.kind not in ("admin1", "admin2") else None,
        latitude=coded.latitude,
        longitude=coded.longitude,
        country=coded.country_name or None,
        iso=gazetteer.numeric_iso(coded.country) if coded.country else None,
        admin1=admin1.admin1 if admin1 is not None else None,
        admin2=coded.admin2 if coded.kind in ("place", "admin2") else None,
        admin3=coded.admin3 if coded.kind == "place" else None,
        geo_precision=precision,
        resolved=True,
        score=round(m.score, 3),
        kind=entry.kind,
        feature_code=entry.feature_code,
        country_code=country.country if country is not None else (coded.country or None),
        admin1_code=coded.admin1_code or None,
        **base,
    )


# -- the event's place -------------------------------------------------------------------------------------


def event_place(sent: Span, places: Sequence[Place], *, trigger: Token | None = None) -> Place | None:
    """Pick where a sentence's event happened among its resolved places.

    The best place is the object of an event preposition ("in/near/on/at X") governed by the event verb
    (`trigger`, default the sentence's root), preferring towns over areas and countries. Places that are
    distances ("10 km from X"), actors ("Damascus said", "a Damascus-based official") or admin qualifiers
    ("(Hama)") are not chosen; an unresolved name is chosen only when nothing resolved fits. A town that the
    text puts in an area ("X village in Y district", "X (Y)", "X, Y") but that the gazetteer lacks or finds
    elsewhere gives way to that area, coded at geo_precision 2 or 3.

    Args:
        sent: The sentence span.
        places: Resolved places of the document (those outside the sentence are ignored).
        trigger: The event's trigger token, if known.

    Returns:
        The chosen place, or None when the sentence names no possible place of events.
    """
    doc = sent.doc
    inside = [p for p in places if p.start is not None and sent.start_char <= p.start < sent.end_char]
    candidates = [p for p in inside if getattr(p, "role", "place") == "place"]
    if not candidates:
        return None
    head = trigger if trigger is not None else sent.root
    words = load_context_words()
    # The document's consensus country: a lone village abroad ("Haram" in Norway beside Borno and Biu) is a
    # stray name match, not the event's place.
    prior = load_conflict_prior()
    votes: Counter[str] = Counter()
    for _mention, country in sorted({(getattr(p, "mention", "") or p.name, _country_of(p)) for p in places}):
        votes[country] += 1 if country else 0
    top_votes = max(votes.values(), default=0)
    scored = []
    for order, place in enumerate(candidates):
        assert place.start is not None and place.end is not None  # filtered above
        span = doc.char_span(place.start, place.end, alignment_mode="expand")
        score = 0.0
        if span is not None and len(span):
            score += _syntax_score(span, head, words)
        precision = place.geo_precision or 3
        score += 0.5 * (3 - precision)
        if getattr(place, "kind", None) == "country":
            score -= 2.0
        # "in western Yemen (At Tuhayat, Al Hudaydah)": the area is where the named town lies, not a rival.
        if any(_within(other, place) for other in candidates if other is not place):
            score -= WEIGHTS.contains_other
        if not getattr(place, "resolved", place.latitude is not None):
            score -= 3.0
        country = _country_of(place)
        if country and top_votes >= 2:
            score -= WEIGHTS.off_consensus * (1 - votes[country] / top_votes)
        score += WEIGHTS.conflict_prior * prior.get(country, 0.0)
        score -= 0.01 * order
        # A town the gazetteer puts outside the area the text names: the event is in that area.
        area = _outside_its_area(place, inside, token_table(doc).text, words, votes)
        if area is None:
            scored.append((score, place))
        else:
            # Somewhere in that area: at a town of the sentence inside it ("Wadi area of Vadodara city (Vadodara,
            # Gujarat)"), else not at its main town; at best geo_precision 2.
            inner = next((o for o in candidates if o is not place and _within(o, area)), area)
            coded = inner.model_copy(update={"geo_precision": max(2, inner.geo_precision or 2)})
            scored.append((score - WEIGHTS.outside_area, coded))
    return max(scored, key=lambda x: x[0])[1]


@cache
def load_conflict_prior(path: str = "") -> dict[str, float]:
    """Load `conflict_prior.csv`: conflict events per country, scaled to 0-1 as log(1 + events) / log(1 + most).

    Args:
        path: The CSV file; empty for the packaged `data/gazetteer/conflict_prior.csv` (absent: no prior).

    Returns:
        ISO alpha-2 code to prior.

    Raises:
        DataFileError: A line is malformed.
    """
    counts = _event_counts(Path(path) if path else DATA_DIR / "conflict_prior.csv")
    top = math.log10(1 + max(counts.values(), default=0)) or 1.0
    return {country: math.log10(1 + n) / top for (country,), n in counts.items()}


def _outside_its_area(
    place: Place, inside: Sequence[Place], text: str, words: ContextWords, votes: Mapping[str, int]
) -> Place | None:
    """The area the text puts a town in, when the town is not there or unknown: "Kaloleni village in Laisamis
    sub county" with the Kaloleni found elsewhere, "Raya area of Balambala sub-county, Garissa county" with Raya
    found abroad, "Ayn Zarah (Tripoli)" with Ayn Zarah unknown. A village name is often shared or missing; its
    stated area seldom errs, unless the area itself is a stray match abroad (`votes`: the document's mentions
    per country). Returns that area, or None."""
    resolved = getattr(place, "resolved", False)
    if (resolved and getattr(place, "kind", None) != "place") or place.end is None:
        return None
    glue = _area_glue(words)
    ordered = sorted((p for p in inside if p.start is not None and p.end is not None), key=lambda p: p.start or 0)
    end = place.end
    for other in ordered:
        assert other.start is not None and other.end is not None  # filtered above
        if other.start < end:
            continue
        between = text[end : other.start].lower().replace("(", " ( ").replace(",", " , ").split()
        if len(between) > 6 or not all(w in glue for w in between):
            return None
        end = other.end
        if not getattr(other, "resolved", False) or getattr(other, "role", "place") not in ("place", "context"):
            continue
        kind = getattr(other, "kind", None)
        # "San Cristobal, Bogota", "Villa Nueva (Mendoza)": a bigger place right after a comma or bracket says where
        # the town lies, unless it is one item of a list ("in Idlib, Hama and Aleppo").
        seat = getattr(other, "feature_code", None) in _SEAT_CODES and between[:1] in (["("], [","])
        if seat and _LIST_GOES_ON.match(text, other.end):
            continue
        qualifier = kind in ("admin1", "admin2") or getattr(other, "relation", "in") == "region" or seat
        if not resolved and (qualifier or getattr(other, "role", "place") == "context"):
            return other  # a village the gazetteer lacks, in a known area ("Mtongwe (Mombasa)")
        if qualifier:
            if _country_of(other) != _country_of(place):
                more, same = (votes.get(_country_of(x), 0) for x in (other, place))
                outside = more > same or (more == same and kind != "country")
            else:
                outside = getattr(other, "admin1_code", None) != getattr(place, "admin1_code", None)
            return other if outside else None
    return None


_SEAT_CODES = frozenset({"PPLC", "PPLA", "PPLA2"})
_LIST_GOES_ON = re.compile(r"\s*(?:,\s*)?(?:and|or|&)\b|\s*,\s*[A-Z]")


def _area_glue(words: ContextWords) -> frozenset[str]:
    """Words that may stand between a place and the area it is said to lie in ("X village in Y sub-county")."""
    glue = {"(", ",", "in", "of", "-", "–", "the", "sub"} | set(words.directions) | words.region_after
    glue |= words.town_after | {w for phrase in (*words.countryside_after, *words.region_before) for w in phrase}
    return frozenset(glue)


def _within(place: Place, area: Place) -> bool:
    """Whether a resolved town or smaller area lies inside a resolved country or admin area."""
    kind, area_kind = getattr(place, "kind", None), getattr(area, "kind", None)
    if area_kind not in ("country", "admin1", "admin2") or kind in (None, "country", "continent", area_kind):
        return False
    if not getattr(place, "resolved", False) or _country_of(place) != _country_of(area):
        return False
    if area_kind == "country":
        return True
    if kind == "admin1" or (area_kind == "admin2" and kind != "place"):
        return False
    same_admin1 = getattr(place, "admin1_code", None) == getattr(area, "admin1_code", None)
    return same_admin1 and (area_kind == "admin1" or (place.admin2 is not None and place.admin2 == area.admin2))


def _country_of(place: Place) -> str:
    return str(getattr(place, "country_code", None) or place.country or "")


def _syntax_score(span: Span, head: Token, words: ContextWords) -> float:
    root = span.root
    doc = span.doc
    score = 0.0
    prep = None
    cue_nouns = words.outskirts_after | words.region_after | words.town_after
    cue_nouns |= {w for phrase in words.countryside_after for w in phrase}
    cue_nouns |= {w for phrase in (*words.near_before, *words.outskirts_before) for w in phrase}
    for _ in range(4):
        # "the outskirts of X", "the countryside of X", "X and Y": judge the phrase that holds the name.
        if root.dep_ == "pobj" and root.head.lower_ == "of" and root.head.head.lower_ in cue_nouns:
            root = root.head.head
        elif root.dep_ == "conj" and root.head.pos_ == "PROPN":
            root = root.head
        else:
            break
    if root.dep_ == "pobj" and root.head.lower_ in words.event_prepositions:
        prep = root.head
    elif root.dep_ in ("compound", "amod", "nmod") and root.head.dep_ == "pobj":
        # "the Hama countryside" under "in": the name modifies the object.
        obj = root.head
        if obj.head.lower_ in words.event_prepositions:
            prep = obj.head
    elif not root.dep_:
        before = doc[span.start - 1] if span.start > 0 else None
        if before is not None and before.lower_ in words.event_prepositions:
            score += 1.5
    if prep is not None:
        score += 1.5
        if prep.head == head or prep.head.head == head:
            score += 1.5
        elif head in prep.ancestors:
            score += 0.75
    elif root.dep_ in ("dobj", "nsubjpass") and root.head == head:
        score += 1.0  # "rebels seized Morek", "Morek was shelled"
    if root.dep_ and head != root and not (head in root.ancestors or head == root.head):
        score -= 0.5
    if root.head.lower_ == "from":
        score -= 1.0
    # Inside the subject of a speech verb ("the Aleppo governor said"): the speaker's place.
    for anc in root.ancestors:
        if anc.dep_ in ("nsubj", "nsubjpass") and _lemma(anc.head) in words.speech_verbs:
            score -= 2.0
            break
    return score


# -- the geocode command -----------------------------------------------------------------------------------


class Geocoder:
    """Holds the spaCy pipeline and the gazetteer for `sitrep geocode`: text (and optional mentions) in,
    resolved places out."""

    def __init__(
        self,
        *,
        nlp: Language | None = None,
        gazetteer: Gazetteer | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.gazetteer = gazetteer or Gazetteer.open(settings=self.settings)
        if nlp is None:
            from ..nlp import load_language

            nlp = load_language(self.settings.spacy_model)
        if "sitrep_place_ruler" not in nlp.pipe_names:
            focus = [c.strip() for c in str(_setting(self.settings, "geocode_countries", "")).split(",") if c.strip()]
            nlp.add_pipe("sitrep_place_ruler", config={"focus_countries": focus})
        ruler = nlp.get_pipe("sitrep_place_ruler")
        if isinstance(ruler, PlaceRuler):
            ruler.gazetteer = self.gazetteer
        self.nlp = nlp

    def geocode(
        self, text: str, mentions: Sequence[Mapping[str, int]] | None = None, *, infer_unknown: bool | None = None
    ) -> list[ResolvedPlace]:
        """Resolve the places of a text.

        Args:
            text: The document.
            mentions: Spans to resolve exactly, as `{"start", "end"}` character offsets; without them the places
                are found in the text.

        Returns:
            One place per mention, in text order; unknown names with null coordinates.
        """
        if mentions is not None:
            with self.nlp.select_pipes(disable=["sitrep_place_ruler"]):
                doc = self.nlp(text)
            offsets = [(int(m["start"]), int(m["end"])) for m in mentions]
            if infer_unknown is None:
                infer_unknown = self._infers()
            return resolve_places(doc, gazetteer=self.gazetteer, settings=self.settings, char_spans=offsets,
                                  infer_unknown=infer_unknown)  # fmt: skip
        doc = self.nlp(text)
        return resolve_places(doc, gazetteer=self.gazetteer, settings=self.settings)

    def _infers(self) -> bool:
        return bool(_setting(self.settings, "geocode_infer_unknown", False))

    def geocode_record(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """One `sitrep geocode --format jsonl` line: `{"id","text","mentions"?}` in, `{"input_id","places"}` out.

        With `geocode_infer_unknown` and given mentions, each place also carries `"inferred"` (true when its point
        comes from the document's context, not from its name)."""
        mentions = record.get("mentions")
        inferring = mentions is not None and self._infers()
        places = self.geocode(str(record.get("text") or ""), mentions, infer_unknown=inferring)
        records = [place_record(p) | ({"inferred": p.inferred} if inferring else {}) for p in places]
        return {"input_id": record.get("id"), "places": records}


def place_record(place: Place) -> dict[str, Any]:
    """The `sitrep geocode` contract fields of a place (DESIGN.md): start, end, name, geonameid, latitude,
    longitude, admin1, country, geo_precision."""
    data = place.model_dump()
    return {k: data.get(k) for k in CONTRACT_FIELDS}


def places_by_sentence(doc: Doc, places: Sequence[Place]) -> dict[int, list[Place]]:
    """Group places by the start token of their sentence (a helper for callers that walk sentences)."""
    groups: dict[int, list[Place]] = defaultdict(list)
    for place in places:
        if place.start is None:
            continue
        span = doc.char_span(place.start, place.end or place.start, alignment_mode="expand")
        if span is not None and len(span):
            groups[span.sent.start].append(place)
    return dict(groups)
