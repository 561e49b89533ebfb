"""Names as people write them, resolved against the actor registry and the gazetteer: what the filters of
`sitrep events` and `GET /api/events` (`store/filter_terms.py`) and the alert rules (`run/alerting.py`) need."""

from __future__ import annotations

import re
import threading
from functools import cached_property
from typing import TYPE_CHECKING

from ..settings import Settings
from ..store.filter_terms import KnownName

if TYPE_CHECKING:
    from ..geo.gazetteer import GazEntry, Gazetteer
    from ..read.actors import ActorRegistry

_PARENS = re.compile(r"\s*\([^)]*\)")


class NameResolver:
    """The registry and the gazetteer, each loaded on first use and shared by every request of an API (callers
    hold `lock` around a lookup: the gazetteer's caches are not thread-safe)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings
        self.lock = threading.Lock()

    @cached_property
    def registry(self) -> ActorRegistry:
        from ..read.actors import load_actors

        return load_actors()

    @cached_property
    def gazetteer(self) -> Gazetteer:
        from ..geo.gazetteer import Gazetteer

        return Gazetteer.open(settings=self.settings)

    def actor_names(self, text: str) -> tuple[str, ...]:
        """The text, and the registry name of the actor it names without a period suffix such as "(2000-)", so
        that it matches the name of any period."""
        words = " ".join(text.split())
        names = [words]
        # Acronyms are stored in capitals: "hts" means HTS.
        for candidate in dict.fromkeys((words, words.upper() if " " not in words else words)):
            actor = self.registry.resolve(candidate)
            if actor is not None:
                names.append(_PARENS.sub("", actor.name).strip() or actor.name)
                break
        return tuple(dict.fromkeys(n for n in names if n))

    def areas(self, text: str) -> list[KnownName]:
        """The admin1 areas a name means: exact names, aliases and spelling variants, never a fuzzy guess."""
        return [_known(e) for e in self.gazetteer.lookup(text, kinds=("admin1",), fuzzy=False, limit=10)]

    def places(self, text: str) -> list[KnownName]:
        """The places and areas a name means, best first: exact names, aliases and spelling variants."""
        hits = self.gazetteer.lookup(text, kinds=("place", "admin2", "admin1"), fuzzy=False, limit=10)
        return [_known(e) for e in hits]

    def key(self, text: str) -> str:
        """The gazetteer's spelling key of a name ("Tall Rifaat" and "Tal Rifat" share one)."""
        return self.gazetteer.key(text)

    def suggestion(self, text: str, kinds: tuple[str, ...]) -> str | None:
        """The nearest known name, for a "did you mean" (a fuzzy lookup, used only to help with an error)."""
        hits = self.gazetteer.lookup(text, kinds=kinds, limit=1)  # type: ignore[arg-type]
        return hits[0].name if hits else None


def _known(entry: GazEntry) -> KnownName:
    return KnownName(
        name=entry.name,
        country=entry.country,
        kind=entry.kind,
        latitude=entry.latitude,
        longitude=entry.longitude,
    )


__all__ = ["NameResolver"]
