"""Scoring a mention's candidates: population and feature priors, the document's country and area focus,
qualifiers, proximity to the other chosen places, and the famous-namesake rule."""

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from ..distance import haversine_km
from .candidates import CANDIDATES, Mention
from .gazetteer import GazEntry, Gazetteer, plain_name
from .home import HomeRegion, home_bonus
from .priors import load_admin1_prior
from .weights import ScoringWeights


def country_votes(mentions: Sequence[Mention], given: Sequence[str]) -> defaultdict[str, float]:
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


def _admin1_focus(mentions: Sequence[Mention]) -> defaultdict[tuple[str, str], float]:
    votes: defaultdict[tuple[str, str], float] = defaultdict(float)
    for m in mentions:
        areas = sorted({(c.country, c.admin1_code) for c in m.candidates if c.admin1_code})
        for area in areas:
            votes[area] += 1 / len(areas)
        top = m.candidates[0] if m.candidates else None
        if top is not None and top.kind == "admin1" and top.match in ("exact", "alias"):
            votes[(top.country, top.admin1_code)] += 1
    return votes


def _candidate_score(c: GazEntry, m: Mention, w: ScoringWeights) -> float:
    # cities500 lists towns of 500 people or more: a town without a population is of unknown size, not empty.
    population = max(c.population, w.least_population) if c.kind == "place" else c.population
    s = math.log10(population + 1) + w.feature.get(c.feature_code, 0.0)
    if c.match == "key":
        s += w.key_match
    elif c.match == "fuzzy":
        s += w.fuzzy_match - (1 - c.score / 0.7) * 10
    # A country holds its qualifying areas as much as its towns do ("Mexico" beside "Sonora"); an area is not
    # inside itself: "Colon (Colon)" is the town in the province of its name, not the province.
    if m.areas and (((c.country, c.admin1_code) in m.areas and (c.kind, c.ref) not in m.area_refs)
                    or (c.kind in ("country", "continent") and any(a[0] == c.country for a in m.areas))):  # fmt: skip
        s += w.qualifier
    if m.countries and c.country in m.countries:
        s += w.qualifier / 2
    if m.town_word and c.kind != "place":
        s += w.town_word
    if c.kind == "region":
        s += w.region
    if m.relation == "region" and c.kind == ("admin2" if m.subregion else "admin1"):
        s += w.region_word
    return s


def rural_area(m: Mention, gazetteer: Gazetteer) -> None:
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


def named_areas(mentions: Sequence[Mention]) -> frozenset[tuple[str, str]]:
    """The admin1 areas the document names outright ("Rakhine State")."""
    return frozenset((m.candidates[0].country, m.candidates[0].admin1_code) for m in mentions
                     if m.candidates and m.candidates[0].kind == "admin1"
                     and m.candidates[0].match in ("exact", "alias"))  # fmt: skip


def local_namesakes(
    mentions: Sequence[Mention],
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
        if len(m.candidates) < CANDIDATES or m.partial:
            continue
        wanted = {*m.areas, *areas}
        have = {(c.kind, c.ref) for c in m.candidates}
        for country in sorted({country for country, _ in wanted}):
            m.candidates += [c for c in gazetteer.lookup(m.text, country=country, limit=4 * CANDIDATES, fuzzy=False)
                             if (c.country, c.admin1_code) in wanted and (c.kind, c.ref) not in have]  # fmt: skip
        if lead and not any(c.country == lead for c in m.candidates):
            m.candidates += [c for c in gazetteer.lookup(m.text, country=lead, limit=3, fuzzy=False)
                             if c.match in ("exact", "alias") and (c.kind, c.ref) not in have]  # fmt: skip


def _named_districts(mentions: Sequence[Mention]) -> dict[str, dict[tuple[str, str, str], float]]:
    """The admin2 areas the document names ("Suffolk County"), by the name that names them: each (country,
    admin1 code, name) with the share of the name's admin2 candidates it takes. A name counts once however
    often it is repeated, so that a name never supports its own namesakes."""
    votes: dict[str, dict[tuple[str, str, str], float]] = {}
    for m in mentions:
        named = [c for c in m.candidates if c.kind == "admin2" and c.match in ("exact", "alias") and c.admin2]
        if named and m.text not in votes:
            votes[m.text] = {(c.country, c.admin1_code, c.admin2 or ""): 1 / len(named) for c in named}
    return votes


def named_countries(mentions: Sequence[Mention]) -> frozenset[str]:
    """The countries the document names outright ("Myanmar", "Kenyan" is not one)."""
    return frozenset(m.candidates[0].country for m in mentions if m.candidates and m.candidates[0].kind == "country"
                     and m.candidates[0].match in ("exact", "alias") and m.role != "distance")  # fmt: skip


def choose(
    mentions: list[Mention],
    focus: Mapping[str, float],
    gazetteer: Gazetteer,
    *,
    proximity: bool,
    named: frozenset[str] = frozenset(),
    areas: frozenset[tuple[str, str]] = frozenset(),
    home: HomeRegion | None = None,
    w: ScoringWeights,
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
        priors = [_candidate_score(c, m, w) for c in m.candidates]
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
            famous_elsewhere = any(prior >= w.famous and not m.seen.get((c.country, c.latitude, c.longitude))
                                   for c, prior in zip(m.candidates, priors, strict=True))  # fmt: skip
        # A spelling variant ("Samara") of a name that is some place's own ("Samarra"): the own name is meant.
        exact = any(c.match in ("exact", "alias") and c.kind == "place" and c.population >= w.exact_population
                    for c in m.candidates)  # fmt: skip
        # The home region settles namesakes unless the text says otherwise: a macro-region's name ("Middle East"),
        # a namesake in another country the document names outright ("Paris" beside "France"), or in another
        # admin1 area it names ("Richmond, Virginia" in a Kentucky story's list).
        local_home = home if home and plain_name(m.text) != plain_name(home.dateline) and not any(
            (c.kind in ("region", "continent") and c.match in ("exact", "alias"))
            or (c.country in named and c.country != home.country)
            or (c.kind in ("place", "admin2") and (c.country, c.admin1_code) in areas
                and (c.country, c.admin1_code) != home.area) for c in m.candidates) else None  # fmt: skip
        for c, prior in zip(m.candidates, priors, strict=True):
            s = prior
            if exact and c.match == "key":
                s += w.key_beside_exact
            area_votes = 0.0
            if c.admin1_code:
                area_votes = admin_focus.get((c.country, c.admin1_code), 0)
                s += w.admin1_focus * area_votes / admin_total
                # Namesakes within a country are likelier where conflict is, the news being about it; across
                # countries the country's own prior decides (event_place).
                if namesakes[c.country] > 1:
                    s += w.admin1_prior * area_prior.get((c.country, c.admin1_code), 0.0)
                # A town or county of a state the document names outright ("Red Oak ... Iowa"), or a town of a
                # county it names ("Southold ... Suffolk County"): namesakes elsewhere are other stories.
                # A name that is itself a state's ("Delaware") is that state, not a county of another one named.
                if not names_admin1:
                    if c.kind in ("place", "admin2") and (c.country, c.admin1_code) in areas:
                        s += w.named_area
                    if c.kind == "place" and c.admin2:
                        district = (c.country, c.admin1_code, c.admin2)
                        elsewhere = district_total.get(district, 0.0) - own_districts.get(district, 0.0)
                        s += w.named_area * min(1.0, elsewhere)
            near_km = math.inf
            if proximity:
                here = [a for a in others if a.name != c.name]
                if c.kind == "place" and c.latitude is not None:
                    near = [entry_km(c, a) for a in here]
                    if near:
                        near_km = min(near)
                        s += w.proximity * math.exp(-near_km / 100)
                elif c.kind in ("country", "admin1", "admin2") and any(area_contains(c, a) for a in here):
                    s += w.containment
            # The story's home region (its dateline, most-named area, outlet): the local namesake is meant.
            at_home = False
            if local_home:
                home_km = math.inf
                if local_home.point is not None and c.kind == "place" and c.latitude is not None and (
                        c.longitude is not None):  # fmt: skip
                    home_km = haversine_km(local_home.point[0], local_home.point[1], c.latitude, c.longitude)
                bonus, at_home = home_bonus(c, local_home, w, home_km)
                s += bonus
            country_weight = w.country_focus
            # A namesake orders of magnitude smaller than a famous place ("London", Ohio, against London) takes
            # the document's country focus in full only with evidence of its own: a qualifier, another place of
            # its admin1 area, a chosen place nearby, or the story's home region. A country named in passing is no
            # such evidence.
            if famous >= w.famous and famous - prior >= w.famous_gap:
                own_vote = 1 / len(own_areas) if (c.country, c.admin1_code) in own_areas else 0.0
                local = (bool(m.areas) and (c.country, c.admin1_code) in m.areas) or area_votes - own_vote > 0.5
                local = local or at_home
                if not local and near_km > 100:
                    country_weight *= w.unsupported_namesake
            share = _focus_of(c, focus)
            s += country_weight * share / total
            events = m.seen.get((c.country, c.latitude, c.longitude), 0) if m.seen else 0
            backed = support.get(c.country, 0.0)
            if events and backed >= top_support - 1e-9 and (backed > 0 or not famous_elsewhere):
                s += w.learned_place + w.learned_events * math.log10(events)
            # A spelling variant ("Maasai" for Marseille) of a place in a country no other mention names is a
            # coincidence of letters more often than a place; so is an area or town named inside a longer name
            # ("Vienna" of "Vienna/Fairfax Metro").
            if (c.match not in ("exact", "alias") and c.kind in ("place", "admin2")) or (
                    m.partial and c.kind in ("place", "admin1", "admin2")):  # fmt: skip
                if share - (own_country if c.country else 0.0) <= 0:
                    s += w.foreign_variant
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
                if ((c.match == "fuzzy" or (m.partial and c.population < w.famous_partial))
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


def same_area(place: GazEntry, area: GazEntry) -> bool:
    """Whether a place lies in the area a qualifier names (its admin1 area, or its country)."""
    if area.kind == "country":
        return place.country == area.country
    return (place.country, place.admin1_code) == (area.country, area.admin1_code)


def area_contains(area: GazEntry, place: GazEntry) -> bool:
    if area.kind == "country":
        return area.country == place.country
    if area.kind == "admin1":
        return (area.country, area.admin1_code) == (place.country, place.admin1_code)
    return area.country == place.country and area.admin2 is not None and area.admin2 == place.admin2


def entry_km(a: GazEntry, b: GazEntry) -> float:
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return math.inf
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)
