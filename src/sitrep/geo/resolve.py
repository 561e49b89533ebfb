"""`resolve_places`: each mention of a document to a gazetteer entry, with its admin areas, coordinates and an honest
geo_precision; unknown names keep null coordinates."""

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any, Literal

from spacy.tokens import Doc, Span

from ..models import Place
from ..nlp import PLACE_SPANS
from ..settings import Settings
from .candidates import Mention, Relation, Role, document_mentions, link_qualifiers, read_context
from .gazetteer import Gazetteer, ascii_name, feature_class, plain_name
from .home import home_region
from .mentions import demonym_countries
from .priors import learned_index, load_conflict_prior
from .scoring import (
    area_contains,
    choose,
    country_votes,
    entry_km,
    local_namesakes,
    named_areas,
    named_countries,
    rural_area,
    same_area,
)
from .state_city import state_or_city
from .weights import ScoringWeights, scoring_weights
from .words import load_context_words


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
    feature_class: str | None = None
    country_code: str | None = None
    admin1_code: str | None = None


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
    weights: ScoringWeights | None = None,
    url: str = "",
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
        weights: The scoring weights; default those of the setting `geocode_scoring` (for tuning).
        url: The outlet's address, if known: its country-code domain tells the story's home country.

    Returns:
        One `ResolvedPlace` per mention in document order; unknown names have `resolved=False` and null
        coordinates (unless inferred). The span ids in `doc.spans[PLACE_SPANS]` are set to the chosen entries'
        ids.
    """
    settings = settings or Settings()
    w = weights or scoring_weights(settings)
    words = load_context_words()
    point = region_point or settings.geocode_region_point
    cutoff = settings.geocode_fuzzy_cutoff
    focus_setting = [c.strip().upper() for c in settings.geocode_countries.split(",")
                     if c.strip()]  # fmt: skip
    mentions = document_mentions(doc, gazetteer, words, spans, char_spans, learned_index(gazetteer, learned_places))
    if not mentions:
        return []
    for m in mentions:
        read_context(m, words)
        rural_area(m, gazetteer)
        # "Maan town", "the town of X": a settlement, not a country or a region of the name (but "a U.S. city" is in
        # the country).
        if m.town_word and any(c.kind == "place" and c.match in ("exact", "alias") for c in m.candidates):
            m.candidates = [c for c in m.candidates if c.kind not in ("country", "continent", "region")]
    link_qualifiers(mentions, doc)
    focus = country_votes(mentions, focus_setting)
    for country, n in demonym_countries(doc, gazetteer).items():
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
    named = named_countries(mentions)
    areas = named_areas(mentions)
    local_namesakes(mentions, gazetteer, areas, focus)
    choose(mentions, focus, gazetteer, proximity=False, named=named, areas=areas, w=w)
    choose(mentions, focus, gazetteer, proximity=True, named=named, areas=areas, w=w)
    # The story's home region (its dateline, outlet and most-named area, as read so far) settles namesakes.
    home = home_region(mentions, doc.text, gazetteer, w, url=url)
    if home:
        choose(mentions, focus, gazetteer, proximity=True, named=named, areas=areas, home=home, w=w)
    state_or_city(mentions, doc, words)
    _settle_qualifiers(mentions)
    places = []
    for i, m in enumerate(mentions):
        area = mentions[m.fallback] if m.fallback is not None else None
        town = mentions[m.town] if m.town is not None else None
        host = _host_town(mentions, i, w.part_radius_km)
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


def _settle_qualifiers(mentions: Sequence[Mention]) -> None:
    """A qualifier reads as the area that holds the place it qualifies: "Tigre (Buenos Aires)" names the province,
    not the capital city of the same name in another admin1 area."""
    for q in mentions:
        if q.qualifier_of is None or q.role != "context" or q.choice is None:
            continue
        place = mentions[q.qualifier_of].choice
        if place is None or place.kind not in ("place", "admin2") or area_contains(q.choice, place):
            continue
        if q.choice.kind == "place" and (q.choice.country, q.choice.admin1_code) == (place.country, place.admin1_code):
            continue
        area = next((c for c in q.candidates if c.kind in ("admin1", "admin2") and c.match in ("exact", "alias", "key")
                     and area_contains(c, place)), None)  # fmt: skip
        if area is not None:
            q.choice = area


def _falls_back(m: Mention, area: Mention, mentions: Sequence[Mention]) -> bool:
    """Whether a place the text puts in an area ("Ghaydah in Kirkuk province") is coded to that area: when it is
    unknown or known only outside the area, unless the area is a stray match abroad, of a country no other mention
    names while the town's is named and sees more conflict ("Kolofata town (Mayo-Sava, Extreme-Nord)" names no
    Irish county Mayo)."""
    place, where = m.choice, area.choice
    if where is None:
        return False
    if place is None:
        return True
    if same_area(place, where):
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


def _fallback_place(m: Mention, area: Mention, gazetteer: Gazetteer) -> ResolvedPlace:
    """An unknown place inside a known area ("Ghaydah in Kirkuk province"): the area's main town, precision 2."""
    coded = _to_place(area, gazetteer, "capital")
    return coded.model_copy(update={
        "name": m.text, "mention": m.text, "start": m.start, "end": m.end, "geonameid": None, "geo_precision": 2,
        "role": m.role, "relation": m.relation if m.relation != "in" else "near", "distance_km": m.distance_km,
        "score": round(m.score, 3) if m.score > -math.inf else 0.0,
    })  # fmt: skip


def _host_town(mentions: Sequence[Mention], i: int, radius_km: float) -> Mention | None:
    """The town a part of a town lies in ("in Aracaju, Sergipe ... in Santa Maria neighborhood"), when the part's
    own reading is unknown or lies farther than `part_radius_km` from that town: the town its sentence puts it in
    ("X neighbourhood in Y"), or else the last town the sentence names before it, with its area if one has."""
    m = mentions[i]
    if not m.part_of_town:
        return None
    towns = [h for h in mentions if h.role == "place" and not h.part_of_town and h.choice is not None
             and h.choice.kind == "place" and h.span.sent == m.span.sent]  # fmt: skip
    text = m.span.doc.text

    def said_in(h: Mention) -> bool:  # "the Ashrafieh neighbourhood in Afrin city": a town right after it
        between = text[m.end : h.start].split()
        return h.start > m.end and len(between) <= 3 and between[-1:] in (["in"], ["of"])

    host = next((h for h in towns if said_in(h)), None)
    # Or the town before it, one the text qualifies with its area ("in Niteroi, Rio de Janeiro, ... in Vila
    # Ipiranga, in Fonseca neighborhood") over a bare name after that, which may itself be a part of the town.
    before = [h for h in towns if h.end <= m.start]
    host = host or next((h for h in reversed(before) if h.areas), before[-1] if before else None)
    if host is None or host.choice is None or (m.choice is not None and entry_km(m.choice, host.choice) <= radius_km):
        return None
    return host


def _town_place(m: Mention, town: Mention, gazetteer: Gazetteer, *, precision: int = 2) -> ResolvedPlace:
    """An unknown place in a town the text names ("Tishreen Hall in Hama", "Utawala (Nairobi)"): coded to that
    town, under its name, at geo_precision 2 (ACLED's rule for a place the gazetteer lacks)."""
    coded = _to_place(town, gazetteer, "capital")
    return coded.model_copy(update={
        "mention": m.text, "start": m.start, "end": m.end, "geo_precision": precision, "role": m.role,
        "relation": m.relation if m.relation != "in" else "near", "distance_km": m.distance_km,
    })  # fmt: skip


def _to_place(m: Mention, gazetteer: Gazetteer, point: str) -> ResolvedPlace:
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
        geonameid=coded.geonameid,
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
        feature_class=feature_class(entry.feature_code),
        country_code=country.country if country is not None else (coded.country or None),
        admin1_code=coded.admin1_code or None,
        **base,
    )
