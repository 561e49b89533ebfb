"""Which reports are one event: the clusters of fusion, found in time near-linear in the number of reports.

Clusters are the connected components of the "may be one event" relation (`_Linker.fits`). Only reports that share
a block (admin1 and a family of event types), a short window of days and, for placed reports, neighbouring cells of
a grid about `fusion_radius_km` wide are ever compared. Within that, reports that every comparison treats alike
(the same day, place, sub-type, target and sides: a `_Class`) are compared once, through one of them: a sentence a
page repeats 10,000 times, or 300 outlets telling one strike alike, cost one comparison, not 10,000² / 2. Only the
rule that one document telling of one event twice is one event looks at the document, and it is applied per
document shared by the two classes. Each class compares with at most `fusion_max_candidates` others (a warning says
when a place and day had more), so the worst case is bounded too.
"""

from __future__ import annotations

import bisect
import logging
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from ..distance import haversine_km
from ..errors import Warnings
from ..models import Report
from ..settings import Settings
from ..taxonomy import EXPLOSIONS, VIOLENCE_AGAINST_CIVILIANS
from .sides import ARMED_CLASH, TERRITORIAL_SUB_TYPES, Sides

logger = logging.getLogger(__name__)

KM_PER_DEGREE = 111.2
# What a comparison of two reports says: not one event; one event; one event only when both come from one document.
_APART, _LINKED, _SAME_DOCUMENT = 0, 1, 2
_NEEDS_SIDES = 3  # the days, types and places fit; the sides must too


def _kind(report: Report) -> str:
    return _kind_of(report.event_type, report.sub_event_type)


def _kind_of(event_type: str, sub_event_type: str) -> str:
    if sub_event_type in TERRITORIAL_SUB_TYPES:
        return "territory"
    if sub_event_type == ARMED_CLASH:
        return "battle"
    if event_type == EXPLOSIONS:
        return "strike"
    if event_type == VIOLENCE_AGAINST_CIVILIANS:
        return "attack"
    return "other"


def family(report: Report) -> str:
    """Types that may fuse share a family: the violent ones (and transfers of territory) are one."""
    return _family_of(report.event_type, report.sub_event_type)


def _family_of(event_type: str, sub_event_type: str) -> str:
    return "violence" if _kind_of(event_type, sub_event_type) != "other" else f"{event_type}/{sub_event_type}"


def fusion_block(*, admin1: str | None, country: str | None, event_type: str, sub_event_type: str) -> str:
    """The block of a report, or of an event fused from reports of one block: its admin1 (else its country) and its
    family of types. Reports of two blocks are never compared, so the events of a block are fused from its reports
    alone, whatever the other blocks hold (an API ingest fuses only the blocks of its document)."""
    return f"{(admin1 or country or '').casefold()}|{_family_of(event_type, sub_event_type)}"


def violent_block(block: str) -> bool:
    """Whether a block holds the violent family (battles, strikes, attacks, transfers of territory): the only one
    whose events can bear on control."""
    return block.endswith("|violence")


def report_block(report: Report) -> str:
    """`fusion_block` of a report."""
    return fusion_block(
        admin1=report.admin1,
        country=report.country,
        event_type=report.event_type,
        sub_event_type=report.sub_event_type,
    )


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


def _same_place(a: Report, b: Report) -> bool:
    """One gazetteer place, or one place without a GeoNames id (a learned or added place) at one point."""
    if a.geonameid is not None or b.geonameid is not None:
        return a.geonameid == b.geonameid
    return a.latitude is not None and (a.location, a.latitude, a.longitude) == (b.location, b.latitude, b.longitude)


@dataclass
class _Class:
    """Reports that every comparison treats alike: `rep`, the first of them, stands for all `members`."""

    rep: _Item
    where: int  # a number for everything but the sides (`_where_key`)
    who: int  # a number for the two sides
    members: list[_Item] = field(default_factory=list)
    # The first member from each document, for the rule that looks at documents (`_told_again`).
    documents: dict[str, int] = field(default_factory=dict)

    def add(self, item: _Item) -> None:
        self.members.append(item)
        self.documents.setdefault(item.report.document_id, item.index)


def _where_key(item: _Item) -> Hashable:
    """Everything `_Linker.relation` reads of a report but its sides and its document."""
    r = item.report
    return (
        item.day, item.day_stated, r.time_precision, r.event_type, r.sub_event_type, item.on_civilians,
        item.on_fighters, r.geo_precision, r.geonameid, r.location, r.latitude, r.longitude, r.admin1, r.admin2,
    )  # fmt: skip


# Classes by (day, cell), then by what their days, types and places are: the numbers of the classes (ascending) and
# the classes.
_Buckets = defaultdict[tuple[int | None, int, int], defaultdict[int, tuple[list[int], list[_Class]]]]


class _Linker:
    """The union-find over a list of reports, and the comparisons that feed it."""

    def __init__(self, reports: Sequence[Report], *, settings: Settings, sides: Sides) -> None:
        self.settings = settings
        self.sides = sides
        self.window = max(0, settings.fusion_window_days)
        self.cell_deg = max(settings.fusion_radius_km, 1.0) / KM_PER_DEGREE
        self.cap = max(1, settings.fusion_max_candidates)
        self.capped = 0  # classes that met the cap, for one warning
        self.items = [_item(i, r, sides) for i, r in enumerate(reports)]
        self.parent = list(range(len(self.items)))
        self.same_type_only = False
        self._numbers: dict[Hashable, int] = {}
        self._where_memo: dict[tuple[int, int, bool], int] = {}
        self._who_memo: dict[tuple[int, int], bool] = {}
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
        small, large = self.sentence_types[ri], self.sentence_types[rj]
        if len(small) > len(large):
            small, large = large, small  # look the smaller up in the larger: a union costs its smaller side
        if any(key in large and large[key] != types for key, types in small.items()):
            return  # it would put two events split from one sentence back into one
        for key, types in small.items():
            large.setdefault(key, set()).update(types)
        keep, drop = min(ri, rj), max(ri, rj)
        self.parent[drop] = keep
        del self.sentence_types[drop]
        self.sentence_types[keep] = large

    def where(self, a: _Class, b: _Class) -> int:
        """What the days, types and places of two classes say (`_where_relation`), remembered: a place and day has
        far fewer kinds of these than classes."""
        key = (a.where, b.where, self.same_type_only)
        found = self._where_memo.get(key)
        if found is None:
            found = self._where_memo[key] = self._where_relation(a.rep, b.rep)
        return found

    def relation(self, a: _Class, b: _Class, where: int) -> int:
        """Whether the reports of two classes may be one event (`_LINKED`), may be only when one document tells
        both (`_SAME_DOCUMENT`), or may not (`_APART`), given what their days, types and places say."""
        if where == _APART:
            return _APART
        who = self._who_memo.get((a.who, b.who))
        if who is None:
            who = self._who_memo[(a.who, b.who)] = self.sides.compatible(a.rep.report, b.rep.report)
        if who:
            return _LINKED
        return _SAME_DOCUMENT if where == _SAME_DOCUMENT else _APART

    def _where_relation(self, a: _Item, b: _Item) -> int:
        """`_APART` when the days, types or places do not fit; else `_LINKED`, or `_SAME_DOCUMENT` when one
        document would tell of the same event twice should the sides not fit."""
        if a.day is None or b.day is None:
            if a.day != b.day:
                return _APART
            same_day = True
        else:
            gap = abs(a.day - b.day)
            if gap > self.window or (gap and (a if a.day > b.day else b).day_stated):
                # The window is for a report that gives no day and may tell of the day before. A later day the
                # text names is another event: after the other report's named day, or after its publication.
                return _APART
            same_day = gap == 0 or (a.report.time_precision or 1) > 1 or (b.report.time_precision or 1) > 1
        if self.same_type_only and a.report.sub_event_type != b.report.sub_event_type:
            return _APART
        if not (
            _types_fit(a, b, same_day=same_day)
            and _places_fit(a.report, b.report, same_day=same_day, radius_km=self.settings.fusion_radius_km)
        ):
            return _APART
        # One document telling of an event of one sub-type at one place on one day twice is one event, whoever
        # each sentence names as its sides ("rioters stormed the school ... the protesters locked the office").
        if same_day and a.report.sub_event_type == b.report.sub_event_type and _same_place(a.report, b.report):
            return _SAME_DOCUMENT
        return _NEEDS_SIDES

    def cell(self, item: _Item) -> tuple[int, int]:
        r = item.report
        return math.floor((r.latitude or 0.0) / self.cell_deg), math.floor((r.longitude or 0.0) / self.cell_deg)

    def classes(self, items: Iterable[_Item]) -> list[_Class]:
        """Items grouped into classes, in the order of their first member."""
        found: dict[Hashable, _Class] = {}
        for item in items:
            r = item.report
            # Small numbers for the keys: tuples do not keep their hash, and the memos look them up often.
            where = self._numbers.setdefault(_where_key(item), len(self._numbers))
            who = self._numbers.setdefault((self.sides.side(r.actor1), self.sides.side(r.actor2)), len(self._numbers))
            group = found.get((where, who))
            if group is None:
                group = found[(where, who)] = _Class(rep=item, where=where, who=who)
            group.add(item)
        return list(found.values())

    def days(self, item: _Item, window: int) -> Iterable[int | None]:
        return [None] if item.day is None else range(item.day - window, item.day + window + 1)

    def link_classes(
        self,
        classes: list[_Class],
        union: Callable[[int, int], None],
        find: Callable[[int], int],
        *,
        window: int,
        grid: bool,
    ) -> None:
        """Union every two classes that may be one event: all members when their representatives are linked, the
        members of each shared document when only one document may tell both. Classes are bucketed by day, cell
        and what their days, types and places are, so that a bucket that cannot fit is passed over at once; two
        classes already in one cluster are not compared again."""
        buckets: _Buckets = defaultdict(lambda: defaultdict(lambda: ([], [])))
        for number, group in enumerate(classes):
            numbers, members = buckets[(group.rep.day, *(self.cell(group.rep) if grid else (0, 0)))][group.where]
            numbers.append(number)
            members.append(group)
        for number, group in enumerate(classes):
            rep = group.rep
            for member in group.members[1:]:
                union(rep.index, member.index)
            budget = self.cap
            mine = find(rep.index)
            for numbers, others in self._neighbours(rep, buckets, window=window, grid=grid):
                where = self.where(group, others[0])
                budget -= 1
                if where == _APART:
                    continue
                for other in others[bisect.bisect_right(numbers, number) :]:
                    if budget <= 0:
                        break
                    budget -= 1
                    if mine == find(other.rep.index):
                        continue
                    found = self.relation(group, other, where)
                    if found == _LINKED:
                        union(rep.index, other.rep.index)
                    elif found == _SAME_DOCUMENT:
                        budget -= self._link_documents(group, other, union)
                    else:
                        continue
                    mine = find(rep.index)
                if budget <= 0:
                    self.capped += 1
                    break

    def _neighbours(
        self, rep: _Item, buckets: _Buckets, *, window: int, grid: bool
    ) -> Iterator[tuple[list[int], list[_Class]]]:
        """The groups of classes alike in days, types and places in the window of days around a class and, on the
        grid, in the cells near it (more cells east and west nearer the poles, where a degree of longitude is
        shorter)."""
        cy, cx = self.cell(rep) if grid else (0, 0)
        reach = 0
        if grid:
            reach = min(180, math.ceil(1 / max(math.cos(math.radians(rep.report.latitude or 0.0)), 0.05)))
        for day in self.days(rep, window):
            for dy in (-1, 0, 1) if grid else (0,):
                for dx in range(-reach, reach + 1):
                    bucket = buckets.get((day, cy + dy, cx + dx))
                    if bucket:
                        yield from bucket.values()

    @staticmethod
    def _link_documents(a: _Class, b: _Class, union: Callable[[int, int], None]) -> int:
        """Union the members of two classes that come from one document; returns how many documents it looked at."""
        small, large = (a, b) if len(a.documents) <= len(b.documents) else (b, a)
        for document, index in small.documents.items():
            other = large.documents.get(document)
            if other is not None:
                union(index, other)
        return len(small.documents)

    def clusters(self) -> list[list[_Item]]:
        blocks: dict[str, list[_Item]] = defaultdict(list)
        for item in self.items:
            blocks[report_block(item.report)].append(item)
        precise = {key: self.classes(it for it in block if it.precise) for key, block in blocks.items()}
        # Reports of one sub-type link first, so that a takeover's reports are together before a clash split
        # from one of their sentences asks to join them (and is refused).
        for self.same_type_only in (True, False):
            for key in blocks:
                self.link_classes(precise[key], self.union, self.find, window=self.window, grid=True)
        # Vague reports ("strikes on Hama province") last, once the precise clusters are whole, to join one that
        # they fit as a whole.
        for key, block in blocks.items():
            self._link_vague(self.classes(it for it in block if not it.precise), precise[key])
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
        if self.capped:
            logger.warning(Warnings.W004.format(count=self.capped, cap=self.cap))
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
                    local[i] = local[local[i]]
                    i = local[i]
                return i

            def join(i: int, j: int, root: Callable[[int], int] = root, local: dict[int, int] = local) -> None:
                ri, rj = root(i), root(j)
                local[max(ri, rj)] = min(ri, rj)

            self.link_classes(self.classes(day_members), join, root, window=0, grid=False)
            groups: dict[int, list[_Item]] = defaultdict(list)
            for m in day_members:
                groups[root(m.index)].append(m)
            out.extend(groups.values())
        return out

    def _link_vague(self, vague: list[_Class], precise: list[_Class]) -> None:
        """Each vague report joins the one cluster it fits as a whole; the rest link among themselves."""
        # The precise clusters are whole now: which of them each precise class falls in, and from which documents;
        # by day, then by what their days, types and places are.
        by_day: dict[int | None, dict[int, list[tuple[_Class, dict[int, set[str]]]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for group in precise:
            roots: dict[int, set[str]] = defaultdict(set)
            for member in group.members:
                roots[self.find(member.index)].add(member.report.document_id)
            by_day[group.rep.day][group.where].append((group, roots))
        alone: list[_Item] = []
        for group in vague:
            # "Strikes on Hama province" may join other strikes in Hama, but not through them a battle in one
            # town of it: a cluster fits when every report of it in the window does.
            fit_all: dict[int, bool] = {}
            only_from: dict[int, set[str]] = defaultdict(set)  # fits only a report of the same document
            budget = self.cap
            for day in self.days(group.rep, self.window):
                for alike in by_day.get(day, {}).values():
                    where = self.where(group, alike[0][0])
                    budget -= 1 if where == _APART else len(alike)
                    for other, roots in alike:
                        found = self.relation(group, other, where)
                        for root, documents in roots.items():
                            fit_all[root] = fit_all.get(root, True) and found != _APART
                            if found == _SAME_DOCUMENT:
                                only_from[root] |= documents
            if budget < 0:
                self.capped += 1  # too many to check that it fits one cluster as a whole: it stays apart
                alone.extend(group.members)
                continue
            for item in group.members:
                document = item.report.document_id
                fitting = [
                    root
                    for root, fits in fit_all.items()
                    if fits and (root not in only_from or only_from[root] == {document})
                ]
                if len(fitting) == 1:
                    self.union(item.index, fitting[0])
                else:
                    alone.append(item)
        self.link_classes(self.classes(alone), self.union, self.find, window=self.window, grid=False)


def cluster_reports(reports: Sequence[Report], *, settings: Settings, sides: Sides) -> list[list[int]]:
    """The clusters of reports that tell of one event, as lists of indices into `reports`."""
    return [[item.index for item in members] for members in _Linker(reports, settings=settings, sides=sides).clusters()]


def neighbourhood(
    reports: Sequence[Report], seeds: Collection[str], *, settings: Settings, sides: Sides
) -> list[Report]:
    """The reports that fusion may put, through any chain, in one event with a report of `seeds`, and those that
    share a day and place with one (their events' ids are numbered together): a whole part of the reports, whose
    fusion alone gives the same events as the fusion of them all. An API ingest fuses only this part of its block.

    Two reports are related here when `_Linker` could link them, ignoring what it learns as it goes (which sentence
    split which events, which clusters are whole): their days, types and places fit and their sides do, or they
    may be one event told twice by one document. A region-only report's choice of the one cluster it fits looks
    only at clusters it is related to, so the part closed under the relation holds every cluster of a seed whole
    and every cluster that could compete for its reports. Only the candidate cap (`fusion_max_candidates`, met by a
    place and day with thousands of kinds of reports) counts comparisons outside the part too.
    """
    linker = _Linker(reports, settings=settings, sides=sides)
    window = linker.window
    classes = linker.classes(linker.items)
    by_day: dict[tuple[str, int | None], list[_Class]] = defaultdict(list)
    by_key: dict[tuple[str, int | None, str], list[_Class]] = defaultdict(list)
    for group in classes:
        key = (report_block(group.rep.report), group.rep.day)
        by_day[key].append(group)
        by_key[(*key, _place_name(group.rep.report))].append(group)
    taken = {id(group) for group in classes if any(m.report.report_id in seeds for m in group.members)}
    todo = [group for group in classes if id(group) in taken]
    while todo:
        group = todo.pop()
        block, day = report_block(group.rep.report), group.rep.day
        related = list(by_key[(block, day, _place_name(group.rep.report))])
        for other_day in [None] if day is None else range(day - window, day + window + 1):
            for other in by_day.get((block, other_day), ()):
                if id(other) not in taken and _may_link(linker, group, other):
                    related.append(other)
        for other in related:
            if id(other) not in taken:
                taken.add(id(other))
                todo.append(other)
    return [item.report for group in classes if id(group) in taken for item in group.members]


def _may_link(linker: _Linker, a: _Class, b: _Class) -> bool:
    """Whether `_Linker.link_classes` or `_link_vague` could join members of two classes."""
    found = linker.relation(a, b, linker.where(a, b))
    return found == _LINKED or (found == _SAME_DOCUMENT and not a.documents.keys().isdisjoint(b.documents))


def _place_name(report: Report) -> str:
    """The place part of the id of an event at this report's place (`fusion.fusion_key`)."""
    if report.geonameid is not None:
        return f"g{report.geonameid}"
    return (report.location or report.admin1 or report.country or "").casefold()
