"""The story's home region: the region a story is told from, which settles its namesakes.

A small-town paper's "Springfield", "Jackson" or "Paris" is the one of its own state far more often than the famous
one, and GeoNames' population priors know nothing of that. Three things tell where a story is at home:

- its dateline ("HOLLIDAY, Mo. —", "BEIRUT (AP) -"): the town it was filed from, and the state or country that
  qualifies it;
- its most-named area: the admin1 area that most of its places lie in, as first read;
- its outlet's country, where known: a country-code domain (".ca", ".co.uk", ".com.au") or an outlet an analyst
  listed in `data/gazetteer/home.yaml`.

`scoring.choose` then favours candidates in that region (the weights `home_*` of `scoring.yaml`), and a small place
there counts as having evidence of its own against a famous namesake elsewhere. What the text says still wins: a
qualifier ("Paris, France"), a named area or country outweighs it.
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, field_validator

from ..datafiles import read_data_model
from .candidates import Mention
from .gazetteer import DATA_DIR, GazEntry, Gazetteer
from .weights import ScoringWeights

HOME_FILE = DATA_DIR / "home.yaml"


class HomeRules(BaseModel):
    """The rules of `data/gazetteer/home.yaml` (explained there)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    dateline: re.Pattern[str]
    tld_countries: dict[str, str]
    generic_tlds: frozenset[str]
    outlets: dict[str, str]

    @field_validator("dateline", mode="before")
    @classmethod
    def _compile(cls, value: object) -> re.Pattern[str]:
        if not isinstance(value, str):
            raise ValueError("give a regular expression")
        try:
            pattern = re.compile(value)
        except re.error as e:
            raise ValueError(f"not a regular expression: {e}") from e
        if "name" not in pattern.groupindex:
            raise ValueError("the pattern needs a group (?P<name>...) for the dateline's town")
        return pattern

    @field_validator("tld_countries", "outlets", mode="after")
    @classmethod
    def _codes(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [code for code in value.values() if not re.fullmatch(r"[A-Z]{2}", code)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not an ISO 3166 alpha-2 code")
        return {key.lower(): code for key, code in value.items()}


@cache
def load_home_rules(path: str = "") -> HomeRules:
    """Read and validate the home-region rules (cached per path; empty for the packaged file).

    Raises:
        DataFileError: The file cannot be read, or an entry is missing or malformed (naming file, entry, field).
    """
    return read_data_model(Path(path) if path else HOME_FILE, HomeRules)


@dataclass(frozen=True)
class HomeRegion:
    """Where a story is at home: a country (alpha-2), an admin1 area (country, code) and the point of the town it
    was filed from; each empty when nothing says. `why` lists what said so, for debugging."""

    country: str = ""
    area: tuple[str, str] | None = None
    point: tuple[float, float] | None = None
    why: tuple[str, ...] = ()
    dateline: str = ""  # the dateline's own name, which its home does not settle (that would be circular)

    def __bool__(self) -> bool:
        return bool(self.country or self.area or self.point)


@dataclass(frozen=True)
class Dateline:
    """The dateline at the start of a text: its town's name and character span, and its qualifier's name."""

    name: str
    start: int
    end: int
    qualifier: str = ""


def find_dateline(text: str, rules: HomeRules | None = None) -> Dateline | None:
    """The dateline that opens a text ("SPRINGFIELD, Ill. (AP) -"), or None."""
    rules = rules or load_home_rules()
    match = rules.dateline.match(text)
    if match is None:
        return None
    qualifier = match.groupdict().get("qualifier") or ""
    return Dateline(match["name"].strip(), match.start("name"), match.end("name"), qualifier.strip())


def outlet_country(url: str, gazetteer: Gazetteer, rules: HomeRules | None = None) -> str:
    """The country of an outlet by its address ("https://www.cbc.ca/news/..." is CA), or "" when the address
    does not say (a generic domain not listed among `outlets`)."""
    rules = rules or load_home_rules()
    host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower().removeprefix("www.")
    if not host:
        return ""
    labels = host.split(".")
    for i in range(len(labels) - 1):  # "news.example.com" is listed as "example.com"
        listed = rules.outlets.get(".".join(labels[i:]))
        if listed:
            return listed
    tld = labels[-1]
    if len(tld) != 2 or tld in rules.generic_tlds:
        return ""
    code = rules.tld_countries.get(tld, tld.upper())
    known = gazetteer.country(code)
    return known.country if known is not None else ""


def home_region(
    mentions: Sequence[Mention],
    text: str,
    gazetteer: Gazetteer,
    w: ScoringWeights,
    *,
    url: str = "",
    rules: HomeRules | None = None,
) -> HomeRegion:
    """The story's home region from its dateline, its most-named area (by the mentions' first choices) and its
    outlet's address.

    Args:
        mentions: The document's mentions, each with its first choice (`choose` without proximity).
        text: The document's text.
        gazetteer: The gazetteer.
        w: The scoring weights (`home_area_least`, `home_area_share`).
        url: The outlet's address (or bare host name), if known.
        rules: The rules; default the packaged `home.yaml`.
    """
    rules = rules or load_home_rules()
    why: list[str] = []
    country = outlet_country(url, gazetteer, rules) if url else ""
    if country:
        why.append("outlet")
    area: tuple[str, str] | None = None
    point: tuple[float, float] | None = None
    dateline = find_dateline(text, rules)
    if dateline is not None:
        town, where = _dateline_place(dateline, mentions, gazetteer, country)
        if where is not None:
            area = (where.country, where.admin1_code) if where.kind != "country" and where.admin1_code else None
            country = where.country or country
        if town is not None:
            if town.latitude is not None and town.longitude is not None:
                point = (town.latitude, town.longitude)
            area = area or ((town.country, town.admin1_code) if town.admin1_code else None)
            country = town.country or country
        if town is not None or where is not None:
            why.append("dateline")
    if area is None:
        # The most-named area's country is already the document's focus: it adds no home country of its own.
        area = most_named_area(mentions, least=w.home_area_least, share=w.home_area_share, country=country)
        if area is not None:
            why.append("most-named area")
    return HomeRegion(country=country, area=area, point=point, why=tuple(why),
                      dateline=dateline.name if dateline is not None and not dateline.qualifier else "")  # fmt: skip


def most_named_area(
    mentions: Sequence[Mention], *, least: int, share: float, country: str = ""
) -> tuple[str, str] | None:
    """The admin1 area most of the document's names lie in (as first chosen), when it has at least `least` names
    and `share` of those that lie in any admin1 area (of `country`, when the outlet or dateline says which). A
    name counts once however often it is repeated, so that a name never makes its own first choice home."""
    chosen = {m.text: m.choice for m in mentions
              if m.choice is not None and m.role != "distance" and m.choice.admin1_code
              and m.choice.kind in ("place", "admin2", "admin1")
              and (not country or m.choice.country == country)}  # fmt: skip
    areas = Counter((c.country, c.admin1_code) for c in chosen.values())
    if not areas:
        return None
    (top, count), total = min(areas.items(), key=lambda item: (-item[1], item[0])), sum(areas.values())
    return top if count >= least and count >= share * total else None


def _dateline_place(
    dateline: Dateline, mentions: Sequence[Mention], gazetteer: Gazetteer, outlet: str
) -> tuple[GazEntry | None, GazEntry | None]:
    """The dateline's town (its mention's first choice, else the likeliest namesake in its qualifier's area or
    the outlet's country) and the state or country of its qualifier ("Ill."), each None when unknown."""
    where = None
    if dateline.qualifier:
        where = next((c for c in gazetteer.lookup(dateline.qualifier, fuzzy=False, limit=5, kinds=("admin1", "country"))
                      if c.match in ("exact", "alias")), None)  # fmt: skip
    mention = next((m for m in mentions if m.start < dateline.end and dateline.start < m.end), None)
    town = mention.choice if mention is not None else None
    if town is None or (where is not None and not _inside(town, where)):
        candidates = [c for c in gazetteer.lookup(dateline.name, fuzzy=False, limit=15)
                      if c.match in ("exact", "alias") and c.kind in ("place", "admin2")
                      and (_inside(c, where) if where is not None else not outlet or c.country == outlet)]  # fmt: skip
        town = max(candidates, key=lambda c: (c.prior, c.population), default=None)
    if town is not None and town.kind not in ("place", "admin2"):
        town = None
    return town, where


def _inside(entry: GazEntry, area: GazEntry) -> bool:
    if area.kind == "country":
        return entry.country == area.country
    return (entry.country, entry.admin1_code) == (area.country, area.admin1_code)


def home_bonus(c: GazEntry, home: HomeRegion, w: ScoringWeights, km: float) -> tuple[float, bool]:
    """A candidate's bonus for lying in the story's home region, and whether that makes it local (evidence of
    its own against a famous namesake elsewhere). `km`: its distance from the dateline's town (inf if unknown)."""
    bonus, local = 0.0, False
    if home.country and c.country == home.country and c.kind in ("place", "admin1", "admin2"):
        bonus += w.home_country
    if home.area is not None and (c.country, c.admin1_code) == home.area and c.kind in ("place", "admin1", "admin2"):
        bonus += w.home_area
        local = True
    if c.kind == "place" and km <= w.home_radius_km:
        bonus += w.home_near * (1 - km / w.home_radius_km)
        local = True
    return bonus, local
