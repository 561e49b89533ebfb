"""A name that is both an admin1 area and its namesake town ("New York", "Washington", "Quebec"): the town by
default, as scoring chooses, but the area when the text speaks of the area (CLIFF's and Mordecai's rule)."""

import re
from collections.abc import Sequence

from spacy.tokens import Doc

from .candidates import Mention
from .gazetteer import GazEntry
from .words import ContextWords

# Only a list's glue between two names: "California or Washington", "Ontario, Quebec and Alberta".
_LIST_GLUE = re.compile(r"^\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|&\s*)$")


def _namesake_area(m: Mention) -> GazEntry | None:
    """The admin1 area of the chosen town's own name in the town's country (not always the town's own area:
    Washington, D.C. is not in Washington State)."""
    town = m.choice
    if town is None or town.kind != "place":
        return None
    return next((c for c in m.candidates if c.kind == "admin1" and c.match in ("exact", "alias")
                 and c.country == town.country), None)  # fmt: skip


def _area_words_follow(m: Mention, doc: Doc, words: ContextWords) -> bool:
    """ "Quebec Health Minister", "the New York legislature": an office or body only the area has."""
    span = m.span
    after = [t.lower_ for t in doc[span.end : span.end + 3]] if len(span) else []
    if after[:1] and after[0] in ("'s", "’s"):
        after = after[1:]
    return any(tuple(after[: len(phrase)]) == phrase for phrase in words.state_after)


def _listed_with_area(mentions: Sequence[Mention], i: int, text: str) -> bool:
    """ "states such as California or Washington": listed beside an admin1 area of the same country (mentions
    may come in any order, so the neighbours are found by their offsets)."""
    m = mentions[i]
    for other in mentions:
        area = other.choice
        if other is m or area is None or area.kind != "admin1" or m.choice is None or area.country != m.choice.country:
            continue
        if other.end <= m.start:
            between = text[other.end : m.start]
        elif m.end <= other.start:
            between = text[m.end : other.start]
        else:
            continue
        if _LIST_GLUE.match(between):
            return True
    return False


def state_or_city(mentions: Sequence[Mention], doc: Doc, words: ContextWords) -> None:
    """Turn a chosen town into its namesake admin1 area where the text speaks of the area.

    Args:
        mentions: The document's mentions, in order, after scoring chose among their candidates.
        doc: The document.
        words: The context cue words (`state_after`).
    """
    text = doc.text
    flips = [(m, area) for i, m in enumerate(mentions)
             if (area := _namesake_area(m)) is not None
             and (_area_words_follow(m, doc, words) or _listed_with_area(mentions, i, text))]  # fmt: skip
    for m, area in flips:  # decided on the choices before any flip, so a list of two namesakes stays as it was
        m.choice = area
