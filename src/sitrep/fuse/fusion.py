"""Fusion: reports of one event, from many sentences and outlets, become one event with all their sources.

Two reports describe the same event when they are close in time (the same day; or, for reports of the same kind at the
same place, within `fusion_window_days` when the later report names no day), close in space (the same gazetteer place;
or, on the same day, a vaguer place within `fusion_radius_km` or in the same admin1 when one report names only a
region), of compatible types (a clash and the takeover it ends; a strike inside an ongoing battle; a strike on
civilians and an attack on civilians) and with compatible actors (the same side, in either order; a vague "rebels"
fits any armed group; within one document, the same sub-type at the same place on the same day is one event
whatever sides its sentences name).

Clusters are the connected components of that relation, so they do not depend on input order. Only reports that
share a block (admin1 and a family of event types) and a short window of days are ever compared, and within a
block a grid of cells about `fusion_radius_km` wide, so the cost stays near n log n. A region-only report joins a
cluster only when exactly one cluster fits it, so that "raids across Idlib province" does not chain the separate
strikes of that day into one event.

The event id hashes the event's date, place and type family, so it survives new reports joining the event,
re-ingest and another input order.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..datafiles import data_path, read_yaml_mapping
from ..distance import haversine_km
from ..errors import DataFileError, Errors
from ..memory import collector_paused
from ..models import Event, Figure, Report, Source
from ..read.actor_data import STATE_KINDS, actor_key, interaction
from ..read.actor_registry import ActorRegistry, load_actors
from ..registry import FatalityRule, fatality_rules, resolve
from ..settings import Settings

logger = logging.getLogger(__name__)

VOCABULARY_FILE = data_path("control.yaml")

BATTLES = "Battles"
EXPLOSIONS = "Explosions/Remote violence"
VIOLENCE_AGAINST_CIVILIANS = "Violence against civilians"
ARMED_CLASH = "Armed clash"
# Two of ACLED's territorial sub-types, by their codebook names: the winner is read differently in each.
NON_STATE_TAKEOVER = "Non-state actor overtakes territory"
GOVERNMENT_REGAINS = "Government regains territory"


def change_of_hands_sub_types(path: str | Path | None = None) -> tuple[str, ...]:
    """The sub-types in which a place changes hands, in their tie-break order: `territorial_sub_types` of
    `data/control.yaml` but its `base_sub_types` (the one list of territorial sub-types, which control reads too).

    Raises:
        DataFileError: The file or the section is malformed.
    """
    file = Path(path) if path else VOCABULARY_FILE
    section = read_vocabulary(file).get("control")
    if not isinstance(section, dict):
        reason = "a mapping expected"
        raise DataFileError(Errors.E011.format(path=file, entry="control", field="control", reason=reason))
    bases = set(string_list(file, section, "base_sub_types", entry="control"))
    return tuple(s for s in string_list(file, section, "territorial_sub_types", entry="control") if s not in bases)


KM_PER_DEGREE = 111.2
EARTH_RADIUS_KM = 6371.0


# ---- actors: which side each name is on ------------------------------------------------------------------------


def load_fusion_vocabulary(path: str | Path | None = None) -> list[str]:
    """The loose actor names (they fit any armed actor) from the `fusion` section of `data/control.yaml`.

    Raises:
        DataFileError: The file or the section is malformed.
    """
    file = Path(path) if path else VOCABULARY_FILE
    data = read_vocabulary(file)
    section = data.get("fusion")
    if not isinstance(section, dict):
        raise DataFileError(Errors.E011.format(path=file, entry="fusion", field="fusion", reason="a mapping expected"))
    return string_list(file, section, "loose_actors", entry="fusion")


def read_vocabulary(file: Path) -> dict[str, Any]:
    """The YAML mapping in a vocabulary file.

    Raises:
        DataFileError: Unreadable, not YAML, or not a mapping.
    """
    return read_yaml_mapping(file)


def string_list(file: Path, section: dict[str, Any], field: str, *, entry: str) -> list[str]:
    """A non-empty list of non-blank strings from a vocabulary section.

    Raises:
        DataFileError: Missing, empty, or holding something other than strings.
    """
    value = section.get(field)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise DataFileError(
            Errors.E011.format(path=file, entry=entry, field=field, reason="a non-empty list of strings expected")
        )
    return [v.strip() for v in value]


# ACLED: when one sentence reports a takeover and another only fighting at the same place and day, the
# takeover is the outcome and names the event; a battle absorbs the strikes inside it.
TERRITORIAL_SUB_TYPES = change_of_hands_sub_types()
SUB_TYPE_PRIORITY = {name: 3 for name in TERRITORIAL_SUB_TYPES} | {ARMED_CLASH: 2}


@dataclass(frozen=True)
class Side:
    """The side an actor fights on: `key` is its coalition or top parent (`*` for a loose name), `kind` its sort."""

    key: str
    kind: str

    @property
    def civilian(self) -> bool:
        return self.kind == "civilians"


class Sides:
    """Maps ACLED actor names to sides: members of a coalition and units of a force are one side."""

    def __init__(self, registry: ActorRegistry, *, loose: Iterable[str]) -> None:
        self.registry = registry
        self.loose = {actor_key(name) for name in loose}
        self.generic_kind = {actor_key(g.template): g.kind for g in registry.generic.values()}
        self.coalition: dict[str, str] = {}
        for name, entry in registry.entries.items():
            for member in entry.members:
                self.coalition.setdefault(member, name)
        self._cache: dict[str, Side] = {}

    def side(self, name: str | None) -> Side | None:
        """The side of an actor name; `None` for no actor."""
        if not name:
            return None
        found = self._cache.get(name)
        if found is None:
            found = self._cache[name] = self._side(name)
        return found

    def _side(self, name: str) -> Side:
        key = actor_key(name)
        canonical = self.registry.canonical_name(name)
        entry = self.registry.entries.get(canonical) if canonical else None
        kind = entry.kind if entry else self.generic_kind.get(key, "unknown")
        if kind == "civilians":
            return Side("civilians", kind)
        if key in self.loose:
            return Side("*", kind)
        if entry is None or canonical is None:
            return Side(key, kind)
        seen = {canonical}
        while entry.parent and entry.parent in self.registry.entries and entry.parent not in seen:
            canonical = entry.parent
            seen.add(canonical)
            entry = self.registry.entries[canonical]
        if entry.kind in STATE_KINDS and entry.country:
            return Side(f"state:{entry.country[0]}", kind)
        while canonical in self.coalition and self.coalition[canonical] not in seen:
            canonical = self.coalition[canonical]  # a faction of the SNA, which is part of a wider operation
            seen.add(canonical)
        return Side(canonical, kind)

    def members(self, name: str) -> list[str]:
        """The member groups of a coalition (empty for a single group)."""
        canonical = self.registry.canonical_name(name)
        entry = self.registry.entries.get(canonical) if canonical else None
        return list(entry.members) if entry else []

    def coalition_of(self, name: str) -> str | None:
        """The coalition a group belongs to, if any."""
        canonical = self.registry.canonical_name(name)
        return self.coalition.get(canonical) if canonical else None

    def fits(self, a: str | None, b: str | None) -> bool:
        """Whether two actor slots can name the same participant."""
        sa, sb = self.side(a), self.side(b)
        if sa is None or sb is None or sa.key == sb.key:
            return True
        if sa.key == "*" or sb.key == "*":
            return not (sa.civilian or sb.civilian)
        return False

    def specific(self, name: str | None) -> bool:
        """A named actor, not a loose description."""
        found = self.side(name)
        return found is not None and found.key != "*"

    def compatible(self, a: Report, b: Report) -> bool:
        """Whether two reports' actors can be the same pair, in either order (actor1/actor2 swapped is the same
        battle)."""
        straight = self.fits(a.actor1, b.actor1) and self.fits(a.actor2, b.actor2)
        return straight or (self.fits(a.actor1, b.actor2) and self.fits(a.actor2, b.actor1))


@lru_cache(maxsize=1)
def default_sides() -> Sides:
    """The packaged actor registry and loose names, loaded once."""
    return Sides(load_actors(), loose=load_fusion_vocabulary())


# ---- which reports may be one event ----------------------------------------------------------------------------


def _kind(report: Report) -> str:
    if report.sub_event_type in TERRITORIAL_SUB_TYPES:
        return "territory"
    if report.sub_event_type == ARMED_CLASH:
        return "battle"
    if report.event_type == EXPLOSIONS:
        return "strike"
    if report.event_type == VIOLENCE_AGAINST_CIVILIANS:
        return "attack"
    return "other"


def family(report: Report) -> str:
    """Types that may fuse share a family: the violent ones (and transfers of territory) are one."""
    if _kind(report) != "other":
        return "violence"
    return f"{report.event_type}/{report.sub_event_type}"


@dataclass
class _Item:
    """A report with what the comparisons need, computed once."""

    index: int
    report: Report
    day: int | None
    kind: str
    precise: bool
    on_civilians: bool
    on_fighters: bool = False
    day_stated: bool = False  # the text names the day ("on Friday"), rather than it being the publication date


def _item(index: int, r: Report, sides: Sides) -> _Item:
    side = sides.side(r.actor2)
    on_civilians = bool(side and side.civilian) or bool(r.civilian_targeting)
    on_fighters = side is not None and not on_civilians
    kind = _kind(r)
    placed = r.latitude is not None and r.longitude is not None and (r.geo_precision or 3) <= 2
    return _Item(
        index=index,
        report=r,
        day=r.event_date.toordinal() if r.event_date else None,
        kind=kind,
        # A strike that does not say whom it hit is vague too: linked first, it would chain the strikes on
        # civilians and those on fighters of one day and town into one event.
        precise=placed and (kind != "strike" or on_civilians or on_fighters),
        on_civilians=on_civilians,
        on_fighters=on_fighters,
        day_stated=r.time_precision == 1 and any(e.field == "event_date" for e in r.evidence),
    )


def _types_fit(a: _Item, b: _Item, *, same_day: bool) -> bool:
    if a.report.sub_event_type == b.report.sub_event_type:
        if a.kind == "other":
            return True  # whom a protest or an arrest targeted does not tell two of them apart
        # Strikes on a residential area and strikes on fighters' positions are two events, even on one town; a day
        # apart, a report that does not say whom it hit does not join them either.
        if not same_day:
            return (a.on_civilians, a.on_fighters) == (b.on_civilians, b.on_fighters)
        return not ((a.on_civilians and b.on_fighters) or (a.on_fighters and b.on_civilians))
    kinds = {a.kind, b.kind}
    if kinds == {"territory"}:
        return True
    if not same_day:
        return False  # repeated fighting before a takeover stays Armed clash, a separate event each day
    if kinds == {"battle", "territory"}:
        return True
    if kinds == {"battle", "strike"}:
        strike, battle = (a, b) if a.kind == "strike" else (b, a)
        if strike.on_civilians:
            return False  # a strike on civilians is its own event, not part of the battle
        # Strikes "on Hama province" are not known to be the ones at the battle in a town of it.
        return (strike.report.geo_precision or 3) <= (battle.report.geo_precision or 3)
    if kinds == {"strike", "attack"}:
        return a.on_civilians and b.on_civilians
    return False


def _places_fit(a: Report, b: Report, *, same_day: bool, radius_km: float) -> bool:
    if _same_place(a, b):
        return same_day or (a.geo_precision or 3) == (b.geo_precision or 3)
    if not same_day:
        return False
    if a.admin2 and b.admin2 and a.admin2 != b.admin2:
        return False
    if a.latitude is None or b.latitude is None or a.longitude is None or b.longitude is None:
        return (a.admin1 or "") == (b.admin1 or "")  # a region-only report, in the same block
    if (a.geo_precision or 3) == 1 and (b.geo_precision or 3) == 1:
        return False  # two named towns are two places
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude) <= radius_km


def _told_again(a: Report, b: Report, *, same_day: bool) -> bool:
    """One document telling of an event of one sub-type at one place on one day twice: the same event, whoever
    each sentence names as its sides ("rioters stormed the school ... the protesters locked the office")."""
    return same_day and a.document_id == b.document_id and a.sub_event_type == b.sub_event_type and _same_place(a, b)


def _same_place(a: Report, b: Report) -> bool:
    """One gazetteer place, or one place without a GeoNames id (a learned or added place) at one point."""
    if a.geonameid is not None or b.geonameid is not None:
        return a.geonameid == b.geonameid
    return a.latitude is not None and (a.location, a.latitude, a.longitude) == (b.location, b.latitude, b.longitude)


class _Fuser:
    def __init__(self, reports: Sequence[Report], *, settings: Settings, sides: Sides) -> None:
        self.settings = settings
        self.sides = sides
        self.window = max(0, settings.fusion_window_days)
        self.cell_deg = max(settings.fusion_radius_km, 1.0) / KM_PER_DEGREE
        self.items = [_item(i, r, sides) for i, r in enumerate(reports)]
        self.parent = list(range(len(self.items)))
        self.same_type_only = False
        # The sub-types each component holds per sentence: the extractor splits a sentence into two events on
        # purpose (the fighting and the takeover it ended in), so fusion must not join them again.
        self.sentence_types: dict[int, dict[tuple[str, int], set[str]]] = {
            i: {(r.document_id, r.sentence_start): {r.sub_event_type}} for i, r in enumerate(reports)
        }

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return
        a, b = self.sentence_types[ri], self.sentence_types[rj]
        if any(key in b and b[key] != types for key, types in a.items()):
            return  # it would put two events split from one sentence back into one
        keep, drop = min(ri, rj), max(ri, rj)
        self.parent[drop] = keep
        merged = self.sentence_types.pop(drop)
        for key, types in merged.items():
            self.sentence_types[keep].setdefault(key, set()).update(types)

    def fits(self, a: _Item, b: _Item) -> bool:
        if a.day is None or b.day is None:
            if a.day != b.day:
                return False
            same_day = True
        else:
            gap = abs(a.day - b.day)
            if gap > self.window or (gap and (a if a.day > b.day else b).day_stated):
                # The window is for a report that gives no day and may tell of the day before. A later day the
                # text names is another event: after the other report's named day, or after its publication.
                return False
            same_day = gap == 0 or (a.report.time_precision or 1) > 1 or (b.report.time_precision or 1) > 1
        if self.same_type_only and a.report.sub_event_type != b.report.sub_event_type:
            return False
        return (
            _types_fit(a, b, same_day=same_day)
            and _places_fit(a.report, b.report, same_day=same_day, radius_km=self.settings.fusion_radius_km)
            and (self.sides.compatible(a.report, b.report) or _told_again(a.report, b.report, same_day=same_day))
        )

    def cell(self, item: _Item) -> tuple[int, int]:
        r = item.report
        return math.floor((r.latitude or 0.0) / self.cell_deg), math.floor((r.longitude or 0.0) / self.cell_deg)

    def clusters(self) -> list[list[_Item]]:
        blocks: dict[tuple[str, str], list[_Item]] = defaultdict(list)
        for item in self.items:
            r = item.report
            blocks[((r.admin1 or r.country or "").casefold(), family(r))].append(item)
        # Reports of one sub-type link first, so that a takeover's reports are together before a clash split
        # from one of their sentences asks to join them (and is refused).
        for self.same_type_only in (True, False):
            for block in blocks.values():
                self._link_precise([it for it in block if it.precise])
        # Vague reports ("strikes on Hama province") last, once the precise clusters are whole, to join one that
        # they fit as a whole.
        for block in blocks.values():
            self._link_vague([it for it in block if not it.precise], [it for it in block if it.precise])
        components: dict[int, list[_Item]] = defaultdict(list)
        for item in self.items:
            components[self.find(item.index)].append(item)
        out: list[list[_Item]] = []
        for members in components.values():
            days = [m.day for m in members if m.day is not None]
            if days and max(days) - min(days) > self.window:
                # A chain longer than the window is several events: one a day (ACLED's events are atomic by day).
                out.extend(self._split_by_day(members))
            else:
                out.append(members)
        return out

    def _split_by_day(self, members: list[_Item]) -> list[list[_Item]]:
        """The day-by-day clusters of a chain: only reports of one day, linked directly, stay together."""
        by_day: dict[int | None, list[_Item]] = defaultdict(list)
        for m in members:
            by_day[m.day].append(m)
        out: list[list[_Item]] = []
        for day_members in by_day.values():
            local = {m.index: m.index for m in day_members}

            def root(i: int, local: dict[int, int] = local) -> int:
                while local[i] != i:
                    i = local[i]
                return i

            for n, a in enumerate(day_members):
                for b in day_members[n + 1 :]:
                    if a.day == b.day and self.fits(a, b):
                        ra, rb = root(a.index), root(b.index)
                        local[max(ra, rb)] = min(ra, rb)
            groups: dict[int, list[_Item]] = defaultdict(list)
            for m in day_members:
                groups[root(m.index)].append(m)
            out.extend(groups.values())
        return out

    def _link_precise(self, items: list[_Item]) -> None:
        grid: dict[tuple[int | None, int, int], list[_Item]] = defaultdict(list)
        for item in items:
            grid[(item.day, *self.cell(item))].append(item)
        for item in items:
            cy, cx = self.cell(item)
            lat = item.report.latitude or 0.0
            reach = min(180, math.ceil(1 / max(math.cos(math.radians(lat)), 0.05)))
            days: Iterable[int | None] = (
                [None] if item.day is None else range(item.day - self.window, item.day + self.window + 1)
            )
            for day in days:
                for dy in (-1, 0, 1):
                    for dx in range(-reach, reach + 1):
                        for other in grid.get((day, cy + dy, cx + dx), ()):
                            if other.index > item.index and self.fits(item, other):
                                self.union(item.index, other.index)

    def _link_vague(self, vague: list[_Item], precise: list[_Item]) -> None:
        by_day: dict[int | None, list[_Item]] = defaultdict(list)
        for item in precise:
            by_day[item.day].append(item)
        alone: list[_Item] = []
        for item in vague:
            days: Iterable[int | None] = (
                [None] if item.day is None else range(item.day - self.window, item.day + self.window + 1)
            )
            # A vague report joins the one cluster it fits as a whole: "strikes on Hama province" may join other
            # strikes in Hama, but not through them a battle in one town of it.
            fit_all: dict[int, bool] = {}
            for o in (o for d in days for o in by_day.get(d, ())):
                root, fits = self.find(o.index), self.fits(item, o)
                fit_all[root] = fit_all.get(root, True) and fits
            roots = {root for root, fits in fit_all.items() if fits}
            if len(roots) == 1:
                self.union(item.index, roots.pop())
            else:
                alone.append(item)
        vague_by_day: dict[int | None, list[_Item]] = defaultdict(list)
        for item in alone:
            vague_by_day[item.day].append(item)
        for item in alone:
            days = [None] if item.day is None else range(item.day - self.window, item.day + self.window + 1)
            for day in days:
                for other in vague_by_day.get(day, ()):
                    if other.index > item.index and self.fits(item, other):
                        self.union(item.index, other.index)


# ---- fusion ------------------------------------------------------------------------------------------------------


def fuse_reports(
    reports: Sequence[Report],
    *,
    settings: Settings,
    outlets: dict[str, str | None] | None = None,
    urls: dict[str, str | None] | None = None,
    sides: Sides | None = None,
) -> list[Event]:
    """Cluster reports into events and merge their fields, keeping every source and figure.

    Args:
        reports: Reports from any number of documents (a report id seen twice counts once).
        settings: Fusion radius and window.
        outlets: Outlet of each document id, for the event's sources.
        urls: URL of each document id.
        sides: The actor sides; defaults to the packaged actor registry.

    Returns:
        Events in the order of their first report, so that a document's main event stays first.
    """
    best: FatalityRule = resolve(fatality_rules, settings.fatality_rule, setting="fatality_rule")
    unique = list({r.report_id: r for r in reports}.values())
    if not unique:
        return []
    sides = sides or default_sides()
    with collector_paused():
        clusters = _Fuser(unique, settings=settings, sides=sides).clusters()
        merged = [
            (
                min(item.index for item in members),
                _merge([item.report for item in members], outlets or {}, urls or {}, sides, best=best),
            )
            for members in clusters
        ]
        _assign_ids(merged)
    return [event for _, event in sorted(merged, key=lambda pair: pair[0])]


def _assign_ids(merged: list[tuple[int, Event]]) -> None:
    """Ids from (date, place, family); clusters that share one are told apart by their smallest report id."""
    by_key: dict[str, list[Event]] = defaultdict(list)
    for _, event in merged:
        by_key[event.event_id].append(event)
    for key, events in by_key.items():
        events.sort(key=lambda e: min(e.report_ids))
        for number, event in enumerate(events):
            event.event_id = event_id_for((key,) if number == 0 else (key, str(number)))


def fusion_key(report: Report | Event) -> tuple[str, str, str]:
    """(date, place, type family): the part of an event that names it."""
    if report.geonameid is not None:
        place = f"g{report.geonameid}"
    else:
        place = (report.location or report.admin1 or report.country or "").casefold()
    date = report.event_date.isoformat() if report.event_date else ""
    kind = _kind(report) if isinstance(report, Report) else ""
    fam = "violence" if kind != "other" else f"{report.event_type}/{report.sub_event_type}"
    return date, place, fam


def event_id_for(key: tuple[str, ...]) -> str:
    """A stable id from a fusion key."""
    return hashlib.sha1("|".join(key).encode("utf-8")).hexdigest()[:16]


def _merge(
    members: list[Report],
    outlets: dict[str, str | None],
    urls: dict[str, str | None],
    sides: Sides,
    *,
    best: FatalityRule,
) -> Event:
    members = sorted(members, key=lambda r: r.report_id)
    sub_type = _sub_type(members)
    lead = max(
        (r for r in members if r.sub_event_type == sub_type),
        key=lambda r: (sides.specific(r.actor1) + sides.specific(r.actor2), _place_rank(r), r.confidence),
    )
    # A takeover's place is where the takeover was, not where the fighting around it was reported.
    candidates = [r for r in members if r.sub_event_type == sub_type] if sub_type in TERRITORIAL_SUB_TYPES else members
    placed = max(
        candidates, key=lambda r: (_place_rank(r), sum(m.geonameid == r.geonameid for m in members), r.report_id)
    )
    dated = [r for r in members if r.event_date is not None]
    when = min(dated, key=lambda r: (r.time_precision or 3, r.event_date)) if dated else lead
    base = lead.model_dump(include=set(Event.model_fields) & set(Report.model_fields))
    place_fields = ("iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
                    "geo_precision", "geonameid")  # fmt: skip
    base.update({name: getattr(placed, name) for name in place_fields})
    base.update(event_date=when.event_date, time_precision=when.time_precision)
    base.update(_actors(lead, members, sides))
    stated = [r for r in members if r.fatalities_high > 0 or r.fatalities > 0]
    sources: dict[str, Source] = {}
    claimants: list[str] = []
    for report in members:
        source = sources.setdefault(
            report.document_id,
            Source(
                document_id=report.document_id, outlet=outlets.get(report.document_id), url=urls.get(report.document_id)
            ),
        )
        for name in report.attributed_to:
            if name not in source.attributed_to:
                source.attributed_to.append(name)
            if name not in claimants:
                claimants.append(name)
    figures: list[Figure] = []
    for report in members:
        for figure in report.figures:
            if not any(_same_figure(figure, kept) for kept in figures):
                figures.append(figure)
    n_sources = len({outlets.get(d) or d for d in sources})
    fused = {
        "report_ids": [r.report_id for r in members],
        "sources": sorted(sources.values(), key=lambda s: s.document_id),
        "n_sources": n_sources,
        # The others stay as figures with their claimants, and in low/high.
        "fatalities": best([r.fatalities for r in stated if r.fatalities > 0]),
        "fatalities_low": min((r.fatalities_low for r in stated), default=0),
        "fatalities_high": max((r.fatalities_high for r in stated), default=0),
        "attributed_to": claimants,
        "figures": figures,
        "evidence": [span for report in members for span in report.evidence],
        "confidence": round(min(1.0, max(r.confidence for r in members) + 0.1 * (n_sources - 1)), 4),
        "modality": "reported" if any(r.modality == "reported" for r in members) else lead.modality,
        "civilian_targeting": next((r.civilian_targeting for r in members if r.civilian_targeting), None),
    }
    base.update(fused)
    event = Event.model_validate({**base, "event_id": ""})
    event.event_id = "|".join((*fusion_key(event)[:2], family(lead)))
    return event


def _sub_type(members: list[Report]) -> str:
    """The outcome names the event: a takeover beats a clash, a battle beats the strikes inside it; and the weapon
    names it among the rest (ACLED: a bomb or a strike that kills civilians is an explosion, not an attack)."""
    documents: dict[str, set[str]] = defaultdict(set)
    for report in members:
        documents[report.sub_event_type].add(report.document_id)
    explosive = {report.sub_event_type for report in members if report.event_type == EXPLOSIONS}

    def rank(name: str) -> tuple[int, bool, int, int]:
        order = TERRITORIAL_SUB_TYPES.index(name) if name in TERRITORIAL_SUB_TYPES else 0
        return SUB_TYPE_PRIORITY.get(name, 1), name in explosive, len(documents[name]), -order

    return max(sorted(documents), key=rank)


_Slot = tuple[str | None, str | None, int | None]


def _actors(lead: Report, members: list[Report], sides: Sides) -> dict[str, Any]:
    """The lead report's actors, with a vague or missing slot filled by a named actor another report gives."""
    slots: list[_Slot] = [
        (lead.actor1, lead.assoc_actor_1, lead.inter1),
        (lead.actor2, lead.assoc_actor_2, lead.inter2),
    ]
    kinds = {_kind(lead)} | ({"battle"} if _kind(lead) == "territory" else set())
    for report in members:
        if _kind(report) not in kinds:
            continue  # a strike's actors are not the takeover's
        pair: list[_Slot] = [
            (report.actor1, report.assoc_actor_1, report.inter1),
            (report.actor2, report.assoc_actor_2, report.inter2),
        ]
        if _swapped(lead, report, sides):
            pair.reverse()
        for number in (0, 1):
            mine, other, facing = slots[number][0], pair[number][0], slots[1 - number][0]
            if sides.specific(mine) or not sides.specific(other) or not sides.fits(mine, other):
                continue
            if not (sides.specific(facing) and sides.side(facing) == sides.side(other)):
                slots[number] = pair[number]
    (a1, s1, i1), (a2, s2, i2) = slots
    return {
        "actor1": a1,
        "assoc_actor_1": s1,
        "inter1": i1,
        "actor2": a2,
        "assoc_actor_2": s2,
        "inter2": i2,
        "interaction": interaction(i1, i2),
    }


def _swapped(lead: Report, report: Report, sides: Sides) -> bool:
    """Whether a report names the lead's actors in the other order. A loose name fits either slot, so slots are
    scored: the same name beats an empty slot, which beats a loose fit."""

    def score(a: str | None, b: str | None) -> float:
        if a and b and actor_key(a) == actor_key(b):
            return 3.0
        if not a or not b:
            return 1.0
        return 0.5 if sides.fits(a, b) else -10.0

    straight = score(lead.actor1, report.actor1) + score(lead.actor2, report.actor2)
    swapped = score(lead.actor1, report.actor2) + score(lead.actor2, report.actor1)
    return swapped > straight


def _place_rank(report: Report) -> int:
    """Higher for more precise places: a town beats a region, a region beats nothing."""
    if report.latitude is None:
        return 0
    return 4 - (report.geo_precision or 3)


def _same_figure(a: Figure, b: Figure) -> bool:
    keys = ("kind", "value", "low", "high", "unit", "place", "claimant")
    return all(getattr(a, k) == getattr(b, k) for k in keys)


__all__ = [
    "Side",
    "Sides",
    "default_sides",
    "event_id_for",
    "family",
    "fuse_reports",
    "fusion_key",
    "haversine_km",
    "load_fusion_vocabulary",
]
