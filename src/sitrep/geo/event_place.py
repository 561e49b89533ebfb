"""The event's place: among a sentence's resolved places, where its event happened."""

import itertools
import logging
from collections import Counter
from collections.abc import Mapping, Sequence

from spacy.tokens import Span, Token

from ..models import Place
from ..nlp import ACTOR_SPANS, token_table
from .candidates import LIST_GOES_ON
from .priors import load_conflict_prior
from .weights import ScoringWeights, scoring_weights
from .words import ContextWords, load_context_words, token_lemma

logger = logging.getLogger(__name__)

# -- the event's place -------------------------------------------------------------------------------------


def event_place(
    sent: Span, places: Sequence[Place], *, trigger: Token | None = None, weights: ScoringWeights | None = None
) -> Place | None:
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
        weights: The scoring weights; default the packaged ones (`Extractor` passes those of its settings).

    Returns:
        The chosen place, or None when the sentence names no possible place of events.
    """
    w = weights or scoring_weights()
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
            score -= w.contains_other
        if not getattr(place, "resolved", place.latitude is not None):
            score -= 3.0
        country = _country_of(place)
        if country and top_votes >= 2:
            score -= w.off_consensus * (1 - votes[country] / top_votes)
        score += w.conflict_prior * prior.get(country, 0.0)
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
            scored.append((score - w.outside_area, coded))
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("event place of %r: %s", head.text, [(round(score, 2), p.name) for score, p in scored])
    return max(scored, key=lambda x: x[0])[1]


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
        if any(w in words.directions and after == "of" for w, after in itertools.pairwise(between)):
            return None  # "Muqdadiyah, northeast of Baghdad": a point to find it by, not the area it lies in
        end = other.end
        if not getattr(other, "resolved", False) or getattr(other, "role", "place") not in ("place", "context"):
            continue
        kind = getattr(other, "kind", None)
        # "San Cristobal, Bogota", "Villa Nueva (Mendoza)": a bigger place right after a comma or bracket says where
        # the town lies, unless it is one item of a list ("in Idlib, Hama and Aleppo").
        # "the Seray in Tripoli", with a Seray found elsewhere: a landmark of the town, not a village far away.
        seat = getattr(other, "feature_code", None) in _SEAT_CODES and (
            between[:1] in (["("], [","]) or between == ["in"]
        )
        if seat and LIST_GOES_ON.match(text, other.end):
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
    # "fired from X", "herders from X and Y": where they came from; judged on the name and its list, not on the
    # noun phrase that holds it ("from Chwele Market": the market is the place).
    named = root
    while named.dep_ == "conj":
        named = named.head
    origin = named.head.lower_ == "from"
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
        elif root.dep_ == "pobj" and root.head.lower_ == "of" and _object_of(root.head.head, head):
            root = root.head.head  # "shelled the settlements of X": X names what was shelled
        elif root.dep_ in ("compound", "nmod") and root.head.pos_ in ("NOUN", "PROPN") and root.head.dep_ == "pobj":
            # "the countryside of the Homs Governorate", "targeted Dhirwah area": the name is part of the noun.
            root = root.head
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
            # Under the event verb, but not in another clause ("demonstrated in X to protest the trouble in Y").
            score += 0.25 if _clause_between(prep, head) else 0.75
    elif root.dep_ in ("dobj", "nsubjpass") and root.head == head:
        score += 1.0  # "rebels seized Morek", "Morek was shelled"
    if root.dep_ and head != root and not (head in root.ancestors or head == root.head):
        score -= 0.5
    if origin:
        score -= 1.0
    if _names_an_actor(span):
        score -= 2.0
    # Inside the subject of a speech verb ("the Aleppo governor said"): the speaker's place.
    for anc in root.ancestors:
        if anc.dep_ in ("nsubj", "nsubjpass") and token_lemma(anc.head) in words.speech_verbs:
            score -= 2.0
            break
    return score


def _object_of(noun: Token, head: Token) -> bool:
    """Whether a common noun is the event verb's object ("shelled the settlements", "the village was razed")."""
    return noun.pos_ == "NOUN" and noun.dep_ in ("dobj", "nsubjpass") and noun.head == head


def _clause_between(token: Token, head: Token) -> bool:
    """Whether a verb of another clause stands between a token and the event verb above it."""
    return any(t.pos_ == "VERB" for t in itertools.takewhile(lambda t: t != head, token.ancestors))


def _names_an_actor(span: Span) -> bool:
    """Whether a place is part of an actor's name or says whose it is ("the Islamic State of Iraq and Al-Sham",
    "the Hama Military Council"): inside an actor mention, or the object of an "of" that hangs off one. Such a
    place is the actor's origin or seat, not where the event happened."""
    actors = span.doc.spans.get(ACTOR_SPANS, ())
    if not actors:
        return False
    # A mention that lies within the place's name ("Imam" in "Taybat al-Imam") leaves it a place.
    if any(a.start < span.end and span.start < a.end and (a.start < span.start or a.end > span.end) for a in actors):
        return True
    inside = {i for a in actors for i in range(a.start, a.end)}
    root = span.root
    while root.dep_ == "conj" and root.head.i not in inside:
        root = root.head
    # "the Islamic State of Iraq and Al-Sham": the parser may join the second place to the acting actor's head noun.
    if root.dep_ == "conj":
        return root.head.dep_ in ("nsubj", "nsubjpass", "dobj")
    return root.dep_ == "pobj" and root.head.lower_ == "of" and root.head.head.i in inside
