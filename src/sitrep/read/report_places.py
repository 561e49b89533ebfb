"""Where a report is placed: the document's main place and country, the places an event's place is listed with,
and the fields a place gives a report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from spacy.tokens import Doc, Span

from ..geo.resolve import ResolvedPlace
from ..models import Evidence, Place
from .article import is_furniture

WIDE_KINDS = frozenset({"country", "continent", "region"})  # places that name no point of an event


def inside(place: Place, span: Span) -> bool:
    return place.start is not None and span.start_char <= place.start < span.end_char


def conjoined_places(
    doc: Doc, place: Place, candidates: Sequence[Place], *, stretch_words: frozenset[str]
) -> list[Place]:
    """Other resolved places coordinated with the event's place ("on Hama province and Idlib")."""
    if place.start is None or place.end is None:
        return []
    span = doc.char_span(place.start, place.end, alignment_mode="expand")
    if span is None:
        return []
    # The place may hang off the coordinated noun: "Hama province and ...": Hama is a compound of "province".
    tokens = [span.root, *list(span.root.ancestors)[:2]]
    if any(t.lower_ in stretch_words for t in [*tokens, *(c for t in tokens for c in t.conjuncts)]):
        return []
    conjuncts = {c.i for t in tokens for c in t.conjuncts}
    # A coordination has its "and" or "or": "in Celaya, Guanajuato" is a town and its state, which the parser
    # may read as a list.
    if not any(c.dep_ == "cc" for i in conjuncts | {t.i for t in tokens} for c in doc[i].children):
        return []
    qualifiers = {name.casefold() for name in (place.admin1, place.admin2, place.admin3, place.country) if name}
    out = []
    for other in candidates:
        if other is place or other.latitude is None or other.start is None or other.end is None:
            continue
        if getattr(other, "role", "place") != "place" or other.name.casefold() in qualifiers:
            continue
        other_span = doc.char_span(other.start, other.end, alignment_mode="expand")
        if other_span is None or other.geonameid == place.geonameid:
            continue
        # "Hama province and the rebel-held bastion of Idlib": Idlib hangs off a conjunct, two steps up.
        heads = [other_span.root, *list(other_span.root.ancestors)[:3]]
        if any(t.i in conjuncts for t in heads):
            out.append(other)
    return out


def country_focus(places: Sequence[ResolvedPlace]) -> str | None:
    """The ISO2 country most of the document's resolved places are in."""
    counts = Counter(p.country_code for p in places if p.resolved and p.role == "place" and p.country_code)
    return counts.most_common(1)[0][0] if counts else None


def main_place(places: Sequence[ResolvedPlace]) -> ResolvedPlace | None:
    """The document's most often named place of events (the first, on a tie), a whole country only when it names
    nothing smaller: the fallback for sentences that name none, or only a country."""
    usable = [p for p in places if p.resolved and p.role == "place" and p.latitude is not None]
    usable = [p for p in usable if p.kind not in WIDE_KINDS] or usable
    if not usable:
        return None
    counts = Counter(p.geonameid or p.name for p in usable)
    best = max(counts.values())
    return next(p for p in usable if counts[p.geonameid or p.name] == best)


def within_country(place: Place, default: ResolvedPlace | None, sent: Span, *, main: bool = False) -> bool:
    """Whether the headline (the first sentence) or the main event's sentence names only a country ("strikes in
    Syria", "fighting in northern Syria") where the document names a smaller place in it: the event is there, not
    at the capital that codes the whole country. Another sentence's country may be the whole country ("losses in
    other regions across Syria")."""
    return (
        getattr(place, "kind", None) == "country"
        and default is not None
        and default.kind not in WIDE_KINDS
        and default.country_code == getattr(place, "country_code", None)
        and (main or sent.sent.start == next((s.start for s in sent.doc.sents if not is_furniture(s)), 0))
    )


def place_fields(place: Place | None) -> dict[str, object]:
    if place is None:
        return {}
    return {
        "location": place.name,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "geo_precision": place.geo_precision,
        "geonameid": place.geonameid,
        "country": place.country,
        "iso": place.iso,
        "admin1": place.admin1,
        "admin2": place.admin2,
        "admin3": place.admin3,
    }


def place_evidence(doc: Doc, place: Place | None) -> Evidence | None:
    """The mention that names a report's place (`field` "location"), so that a reader of the event, and `sitrep
    eval`, can see which words placed it; none for a place that no words of the document name."""
    if place is None or place.start is None or place.end is None or not 0 <= place.start < place.end <= len(doc.text):
        return None
    return Evidence(text=doc.text[place.start : place.end], start=place.start, end=place.end, field="location")
