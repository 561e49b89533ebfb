"""A mention and its candidates: the gazetteer entries its name may be, and what the words around it say (a
qualifier, "near", "the outskirts of", "10 km from", a speaker)."""

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from spacy.tokens import Doc, Span, Token

from ..nlp import PLACE_SPANS, token_table
from .gazetteer import GazEntry, Gazetteer, plain_name
from .mentions import find_place_spans, trim_span
from .priors import LearnedPlace, with_learned
from .words import ContextWords, load_context_words, own_words, seat_of_actor, token_lemma

Role = Literal["place", "context", "distance", "actor"]
Relation = Literal["in", "near", "outskirts", "countryside", "region", "distance"]


# -- resolving ---------------------------------------------------------------------------------------------


@dataclass
class Mention:
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


def document_mentions(
    doc: Doc,
    gazetteer: Gazetteer,
    words: ContextWords,
    spans: Sequence[Span] | None,
    char_spans: Sequence[tuple[int, int]] | None,
    learned: Mapping[str, Sequence[tuple[LearnedPlace, str]]],
) -> list[Mention]:
    result: list[Mention] = []
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
        trimmed = trim_span(span, words) or span
        result.append(_mention(trimmed, trimmed.start_char, trimmed.end_char, trimmed.text, gazetteer, learned))
    return result


def _mention(
    span: Span,
    start: int,
    end: int,
    text: str,
    gazetteer: Gazetteer,
    learned: Mapping[str, Sequence[tuple[LearnedPlace, str]]],
) -> Mention:
    whole = text.strip()
    name = re.sub(r"(?i)^the\s+|['’]s$", "", whole)
    # "the Gulf" may be a name of its own, as "Gulf" alone is not.
    candidates = gazetteer.lookup(whole, limit=CANDIDATES, fuzzy=False, kinds=("region",)) if name != whole else []
    if candidates:
        name = whole
    elif name:
        candidates = gazetteer.lookup(name, limit=CANDIDATES, fuzzy=False, adjectives=True)
    seen: dict[tuple[str, float | None, float | None], int] = {}
    places = learned.get(gazetteer.key(name), ()) if name and learned else ()
    if places:
        candidates = with_learned(name, candidates, places, gazetteer, seen)
        return Mention(span, start, end, name, candidates, seen=seen)
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
        return Mention(span, start, end, name, candidates, partial=bool(candidates))
    return Mention(span, start, end, name, candidates)


_NAME_WORD = re.compile(r"[^\s/\-–]+")  # words of a name: "IBA-Karachi" and "Vienna/Fairfax" are two each
CANDIDATES = 15  # candidates looked up per name
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
        return [c for c in gazetteer.lookup(text, limit=CANDIDATES, fuzzy=False, adjectives=True)
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


def read_context(m: Mention, words: ContextWords) -> None:
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
    if seat_of_actor(span, words):
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
    elif _ends_with(left, words.towns_before):
        # "the towns of Rastan and Talbiseh": a list names the towns themselves; "the villages of Idlib", the area's.
        if NAMES_GO_ON.match(doc.text, span.end_char) is not None:
            m.town_word = True
        else:
            m.relation = "countryside"
    elif (_ends_with(left, words.countryside_before) or _starts_with(after, words.countryside_after)
          or (core_left and core_left[-1] in words.directions)):  # fmt: skip
        m.relation = "countryside"
    elif _ends_with(left, words.near_before) or (len(left) >= 2 and left[-1] == "of" and left[-2] in words.directions):
        m.relation = "near"


def _is_speaker(span: Span, right_tokens: Sequence[Token], words: ContextWords) -> bool:
    root = span.root
    if root.dep_ in ("nsubj", "nsubjpass") and token_lemma(root.head) in words.speech_verbs:
        return True
    # Without a parse: the name directly followed by a speech verb ("Damascus said").
    return not root.dep_ and bool(right_tokens) and token_lemma(right_tokens[0]) in words.speech_verbs


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


def link_qualifiers(mentions: list[Mention], doc: Doc) -> None:
    """Mark admin qualifiers: "Morek (Hama)", "Morek, Hama", "Morek in Hama province" -> Hama qualifies Morek."""
    words = load_context_words()
    glue = {"(", ",", "in", "of", "-", "–", "the", "rural"} | words.directions
    glue |= {w for phrase in (*words.countryside_before, *words.towns_before, *words.region_before) for w in phrase}
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
        listed = i in after_comma and LIST_GOES_ON.match(text, q.end) is not None
        between_words = text[m.end : q.start].lower().replace("(", " ( ").replace(",", " , ").split()
        # "Tuban district (Lahij)", "Jarablus city in the countryside of Aleppo", "Saraqab front in Idleb": the name's
        # own level, settlement or front word is no part of what links it to its qualifier.
        while between_words and between_words[0] in own_words(words):
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


LIST_GOES_ON = re.compile(r"\s*(?:,\s*)?(?:and|or|&)\b|\s*,\s*[A-Z]")
# More names to an "and" or "or" ("X and Y", "X, Y and Z"): a list of names, not a name and its qualifier
# ("villages of Nabha, Patiala (Punjab)").
NAMES_GO_ON = re.compile(r"(?:\s*,\s*[A-Z][\w'’.-]*(?:\s+[\w'’.-]+){0,3}?)*\s*,?\s*(?:and|or|&)\s+[A-Z]")
