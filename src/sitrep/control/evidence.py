"""What one event says about who holds its place: a side gained it, fighting contests it, or a side struck it.

Only territorial sub-types (`territorial_sub_types` in `data/control.yaml`) gain a place. The winner is actor1 of a
takeover; in a non-state takeover whose actor1 is state forces, or a transfer in which the state forces withdrew,
it is actor2. Only armed kinds hold (`holder_kinds`): protesters never do. A member of a coalition holds as the
coalition; a coalition of its own (the SNA, with its factions) holds as itself even when it is part of a wider
operation.

Who says so decides the status: a takeover reported only by the winner's own voices (its statements, its media:
`claimant_sides`, else the actor registry) is claimed; any other source (a monitor, a wire in its own voice, the
losing side's admission) makes it assessed, and is listed in `assessed_by`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from ..fuse.sides import GOVERNMENT_REGAINS, NON_STATE_TAKEOVER, Sides
from ..models import ControlStatus, Event
from ..read.actor_data import STATE_KINDS
from .vocabulary import ControlVocabulary

STATE_PREFIX = "state:"
LOOSE = "*"
_COUNTRY_SUFFIX = re.compile(r"\(([^()]+)\)\s*$")

MarkKind = Literal["gain", "fight", "strike"]


@dataclass
class Mark:
    """One event's bearing on its place: `gain` (a side took it), `fight` (fighting there) or `strike` (a side
    struck it, so does not hold it)."""

    kind: MarkKind
    event: Event
    side: str = ""
    actor: str = ""
    status: ControlStatus = "assessed"
    loser: str = ""
    parties: frozenset[str] = frozenset()
    assessed_by: list[str] = field(default_factory=list)
    claimed_by: list[str] = field(default_factory=list)
    reported_actor: str | None = None


def event_text(event: Event) -> str:
    """The evidence sentences and notes of an event, joined (not the spans that state one field: a place's own
    name there is no plain mention of it as what was taken)."""
    parts = [span.text for span in event.evidence if span.field is None]
    if event.notes:
        parts.append(event.notes)
    return " ".join(parts)


# Characters around a mention that hold the few words the rules look at: reading the whole text on each side
# of each mention was quadratic in an event of thousands of reports (minutes of a control rebuild).
_WINDOW = 200


def _mentions(text: str, name: str) -> Iterator[tuple[list[str], list[str]]]:
    """Each mention of a place name in a text: (the last words before it, the first words after it), lower-cased."""
    for match in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text, re.IGNORECASE):
        before = re.findall(r"[\w'-]+", text[max(0, match.start() - _WINDOW) : match.start()].casefold())
        after = re.findall(r"[\w'-]+", text[match.end() : match.end() + _WINDOW].casefold())
        yield before, after


def _phrase_in(words: list[str], phrases: tuple[str, ...]) -> bool:
    window = " " + " ".join(words) + " "
    return any(f" {phrase.casefold()} " in window for phrase in phrases)


def names_the_town(event: Event, vocabulary: ControlVocabulary, name: str | None = None) -> bool:
    """Whether the text names the event's town (or the town `name`) plainly, as what was taken, at least once: not
    as a landmark ("towards X", "within 10 km of X") nor as the name of its countryside ("the X countryside")."""
    name = name or event.location
    if not name:
        return False
    for before, after in _mentions(event_text(event), name):
        # "in Daraa and Sweida provinces": the area word may close a short list of names.
        area = _phrase_in(after[:1], vocabulary.area_after) or (
            after[:1] == ["and"] and _phrase_in(after[1:4], vocabulary.area_after)
        )
        if not _phrase_in(before[-6:], vocabulary.near_before) and not area:
            return True
    return False


def _contested(event: Event, text: str, vocabulary: ControlVocabulary) -> bool:
    """Whether the text says the takeover is partial or fighting goes on at the event's place."""
    if vocabulary.contest.search(text):
        return True
    mentions = _mentions(text, event.location) if event.location else iter(())
    return any(_phrase_in(before[-5:], vocabulary.contest_before) for before, _ in mentions)


def holder(name: str, sides: Sides) -> tuple[str, str]:
    """(side key, the name shown) of an actor that holds a place: a coalition member holds as its coalition, a
    coalition with members of its own as itself, anyone else under its own name."""
    side = sides.side(name)
    if side is None or side.key == LOOSE or side.key.startswith(STATE_PREFIX):
        return (side.key if side and side.key != LOOSE else name), name
    canonical = sides.registry.canonical_name(name) or name
    entries, seen = sides.registry.entries, {canonical}
    while canonical in entries and (parent := entries[canonical].parent) and parent in entries and parent not in seen:
        canonical = parent  # a unit holds as its force (the YPG as the SDF)
        seen.add(canonical)
    if sides.members(canonical):
        return side.key, canonical
    return side.key, sides.coalition_of(canonical) or canonical


def home_countries(name: str, sides: Sides) -> set[str]:
    """The ISO alpha-2 codes an actor belongs to: its registry entry's (or its parent's), else the country its
    name carries ("Unidentified Armed Group (Syria)"); empty when unknown."""
    registry = sides.registry
    canonical = registry.canonical_name(name)
    seen: set[str] = set()
    while canonical and canonical in registry.entries and canonical not in seen:
        seen.add(canonical)
        entry = registry.entries[canonical]
        if entry.country:
            return set(entry.country)
        canonical = entry.parent
    suffix = _COUNTRY_SUFFIX.search(name)
    code = registry.country_code(suffix.group(1)) if suffix else None
    return {code} if code else set()


def voice_side(claimant: str, sides: Sides, vocabulary: ControlVocabulary) -> str | None:
    """The side a claimant speaks for (state media for its state's forces, a group for itself), or `None` for an
    independent source."""
    actor = vocabulary.claimant_sides.get(claimant)
    if actor is None and sides.registry.canonical_name(claimant) is None:
        return None
    found = sides.side(actor or claimant)
    return found.key if found is not None and found.key != LOOSE else None


def _voices(event: Event) -> list[str]:
    """Every voice that reports an event: each report's claimants, or its outlet when it claims in its own voice."""
    voices: list[str] = []
    for source in event.sources:
        for voice in source.attributed_to or ([source.outlet] if source.outlet else []):
            if voice not in voices:
                voices.append(voice)
    if not event.sources:
        voices = list(dict.fromkeys(event.attributed_to))
    return voices


def _status(
    event: Event, winner: str, sides: Sides, vocabulary: ControlVocabulary
) -> tuple[ControlStatus, list[str], list[str]]:
    assessed_by: list[str] = []
    claimed_by: list[str] = []
    for voice in _voices(event):
        (claimed_by if voice_side(voice, sides, vocabulary) == winner else assessed_by).append(voice)
    if assessed_by:
        return "assessed", assessed_by, claimed_by
    if claimed_by or event.modality == "claimed":
        return "claimed", [], claimed_by
    return "assessed", [], []


def read_mark(event: Event, sides: Sides, vocabulary: ControlVocabulary) -> Mark | None:
    """What an event says about who holds its place, or `None` when it says nothing.

    Args:
        event: A fused event.
        sides: Actor sides.
        vocabulary: The control vocabulary.

    Returns:
        A `gain`, `fight` or `strike` mark.
    """
    sub_type = event.sub_event_type
    if sub_type in vocabulary.fighting_sub_types:
        if not names_the_town(event, vocabulary):
            return None  # fighting "in the northern Hama countryside" is not fighting in Hama
        parties = frozenset(s.key for s in (sides.side(event.actor1), sides.side(event.actor2)) if s is not None)
        return Mark("fight", event, parties=parties)
    if sub_type in vocabulary.strike_sub_types:
        striker = sides.side(event.actor1)
        if striker is None or striker.key == LOOSE or striker.civilian:
            return None
        return Mark("strike", event, side=striker.key)
    if sub_type not in vocabulary.territorial_sub_types:
        return None
    text = event_text(event)
    winner, loser = event.actor1, event.actor2
    first, second = sides.side(event.actor1), sides.side(event.actor2)
    first_state = first is not None and first.kind in STATE_KINDS
    second_state = second is not None and second.kind in STATE_KINDS
    if sub_type == NON_STATE_TAKEOVER and first_state and not second_state:
        winner, loser = loser, winner  # the sub-type says a non-state actor took it: the state forces lost it
    elif sub_type != GOVERNMENT_REGAINS and first_state and not second_state and vocabulary.loss.search(text):
        winner, loser = loser, winner  # the state forces withdrew: the other side gained it
    winner_side = sides.side(winner)
    if winner is None or winner_side is None or winner_side.kind not in vocabulary.holder_kinds:
        return None
    key, actor = holder(winner, sides)
    status, assessed_by, claimed_by = _status(event, key, sides, vocabulary)
    if _contested(event, text, vocabulary):
        status = "contested"
    loser_side = sides.side(loser)
    return Mark(
        "gain",
        event,
        side=key,
        actor=actor,
        status=status,
        loser=loser_side.key if loser_side is not None else "",
        assessed_by=assessed_by,
        claimed_by=claimed_by,
    )


__all__ = [
    "LOOSE",
    "STATE_PREFIX",
    "Mark",
    "event_text",
    "holder",
    "home_countries",
    "names_the_town",
    "read_mark",
    "voice_side",
]
