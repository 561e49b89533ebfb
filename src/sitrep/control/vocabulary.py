"""The control vocabulary (`data/control.yaml`, section `control`): which sub-types change, contest or bear on who
holds a place, which actor kinds can hold one, who speaks for which side, and the words that say a side withdrew or
that fighting goes on."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import DataFileError, Errors
from ..fuse.sides import VOCABULARY_FILE, read_vocabulary, string_list


@dataclass(frozen=True)
class ControlVocabulary:
    """Sub-types, kinds, claimant sides and word patterns of territorial control."""

    territorial_sub_types: frozenset[str]
    transfer_sub_types: frozenset[str]
    base_sub_types: frozenset[str]
    fighting_sub_types: frozenset[str]
    strike_sub_types: frozenset[str]
    holder_kinds: frozenset[str]
    claimant_sides: dict[str, str]
    loss: re.Pattern[str]
    contest: re.Pattern[str]
    contest_before: tuple[str, ...]
    near_before: tuple[str, ...]
    area_after: tuple[str, ...]


def _words(words: Sequence[str]) -> re.Pattern[str]:
    alternatives = sorted((re.escape(w).replace(r"\ ", r"\s+") for w in words), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


def load_control_vocabulary(path: str | Path | None = None) -> ControlVocabulary:
    """Load the `control` section of `data/control.yaml`.

    Args:
        path: Another vocabulary file.

    Returns:
        The compiled vocabulary.

    Raises:
        DataFileError: A missing section, a malformed list or mapping.
    """
    file = Path(path) if path else VOCABULARY_FILE
    section = read_vocabulary(file).get("control")
    if not isinstance(section, dict):
        raise DataFileError(
            Errors.E011.format(path=file, entry="control", field="control", reason="a mapping expected")
        )

    def words(field: str) -> list[str]:
        return string_list(file, section, field, entry="control")

    sides = section.get("claimant_sides", {})
    if not isinstance(sides, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in sides.items()):
        raise DataFileError(
            Errors.E011.format(
                path=file, entry="control", field="claimant_sides", reason="a mapping of claimant to actor expected"
            )
        )
    territorial = frozenset(words("territorial_sub_types"))
    for field in ("transfer_sub_types", "base_sub_types"):
        stray = set(words(field)) - territorial
        if stray:
            raise DataFileError(
                Errors.E011.format(
                    path=file, entry="control", field=field, reason=f"not in territorial_sub_types: {sorted(stray)}"
                )
            )
    return ControlVocabulary(
        territorial_sub_types=territorial,
        transfer_sub_types=frozenset(words("transfer_sub_types")),
        base_sub_types=frozenset(words("base_sub_types")),
        fighting_sub_types=frozenset(words("fighting_sub_types")),
        strike_sub_types=frozenset(words("strike_sub_types")),
        holder_kinds=frozenset(words("holder_kinds")),
        claimant_sides=dict(sides),
        loss=_words(words("loss_words")),
        contest=_words(words("contest_words")),
        contest_before=tuple(words("contest_words_before_place")),
        near_before=tuple(words("near_words_before_place")),
        area_after=tuple(words("area_words_after_place")),
    )


@lru_cache(maxsize=1)
def default_vocabulary() -> ControlVocabulary:
    """The packaged control vocabulary, loaded once."""
    return load_control_vocabulary()


__all__ = ["ControlVocabulary", "default_vocabulary", "load_control_vocabulary"]
