"""The rules of number reading, from `data/numbers.yaml` (words, values, cues), and the `Fatalities` model
that fatality counting returns."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..datafiles import data_path, read_data_model
from ..models import Evidence

NUMBERS_FILE = "numbers.yaml"

QualifierKind = Literal["min", "approx", "max", "range_start"]


# ---------------------------------------------------------------------------------------------------------
# The data file
# ---------------------------------------------------------------------------------------------------------


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UnknownQuantifier(_Frozen):
    """A word that says "some number of" without the number; `significant` ones mean a significant attack."""

    significant: bool = False


class KindCues(_Frozen):
    """The words that say a number counts one kind of thing (killed, injured, displaced ...)."""

    object_verbs: frozenset[str] = frozenset()
    subject_verbs: frozenset[str] = frozenset()
    adjectives: frozenset[str] = frozenset()
    nouns: frozenset[str] = frozenset()
    counted_nouns: frozenset[str] = frozenset()
    unit: str | None = None


class SummaryCues(_Frozen):
    """Words of a coder's summary line: "Fatalities coded as 10 and spread across three locations"."""

    coded_verbs: frozenset[str]
    coded_nouns: frozenset[str]
    split_verbs: frozenset[str]
    split_units: frozenset[str]


class RunningTallyCues(_Frozen):
    """Words that make a death toll a running tally over many events ("bringing the death toll since March to
    500"), not the deaths of the event told."""

    nouns: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()
    phrases: tuple[str, ...] = ()
    period_words: frozenset[str] = frozenset()
    period_preps: frozenset[str] = frozenset()
    period_units: frozenset[str] = frozenset()


class RestatementCues(_Frozen):
    """Words of another claimant's figure for the statistic just told: "WFP put the number at about 370,000"."""

    verbs: frozenset[str] = frozenset()
    nouns: frozenset[str] = frozenset()
    prepositions: frozenset[str] = frozenset()


class NumberRules(_Frozen):
    """`data/numbers.yaml`, validated. Every word is lower case; verbs and nouns are lemmas."""

    number_words: dict[str, int]
    multipliers: dict[str, int]
    vague_quantities: dict[str, int]
    unknown_quantifiers: dict[str, UnknownQuantifier]
    qualifiers: dict[str, QualifierKind]
    range_joiners: frozenset[str]
    not_counts: frozenset[str]
    kinds: dict[str, KindCues]
    death_complements: frozenset[str]
    death_preposition_nouns: frozenset[str]
    not_death_verbs: frozenset[str] = frozenset()
    life_nouns: frozenset[str]
    life_verbs_subject: frozenset[str]
    life_verbs_object: frozenset[str]
    toll_nouns: frozenset[str]
    toll_verbs: frozenset[str]
    toll_object_verbs: frozenset[str] = frozenset()
    result_verbs: frozenset[str]
    negations: frozenset[str]
    collective_nouns: frozenset[str]
    invariant_nouns: frozenset[str] = frozenset()
    significant_nouns: frozenset[str]
    non_person_nouns: frozenset[str]
    months: frozenset[str]
    cause_prepositions: frozenset[str]
    cause_marks: frozenset[str]
    cause_verbs: frozenset[str]
    cause_subject_verbs: frozenset[str]
    cause_nouns: frozenset[str]
    attempt_verbs: frozenset[str]
    claim_verbs: frozenset[str]
    alternative_sources: tuple[str, ...] = ()
    disease_nouns: frozenset[str]
    separately_words: frozenset[str]
    significant_sub_event_types: frozenset[str] = frozenset()
    no_fatality_sub_event_types: frozenset[str] = frozenset()
    unknown_total_nouns: frozenset[str]
    running_tally: RunningTallyCues = Field(default_factory=lambda: RunningTallyCues())
    restatements: RestatementCues = Field(default_factory=lambda: RestatementCues())
    unknown_deaths: int = 3
    significant_deaths: int = 10
    max_count: int = 1_000_000
    summary: SummaryCues
    distance_units: dict[str, float]
    distance_prepositions: frozenset[str]
    distance_fillers: frozenset[str]
    place_suffixes: frozenset[str]

    total_nouns: frozenset[str] = Field(
        default=frozenset(), exclude=True, repr=False, description="Built on load: nouns that are counts of harm."
    )
    by_role: dict[str, dict[str, tuple[str, ...]]] = Field(
        default_factory=dict, exclude=True, repr=False, description="Built on load: word to kinds, per role."
    )
    cue_words: frozenset[str] = Field(
        default=frozenset(), exclude=True, repr=False, description="Built on load: every word a cue may hang on."
    )

    def model_post_init(self, context: object, /) -> None:
        # Cue lookup runs for every token of every sentence: a plain dict per role keeps it cheap.
        tables: dict[str, dict[str, tuple[str, ...]]] = {}
        for role in ("object_verbs", "subject_verbs", "adjectives", "nouns"):
            table: dict[str, tuple[str, ...]] = {}
            for name, cues in self.kinds.items():
                for word in getattr(cues, role):
                    table[word] = (*table.get(word, ()), name)
            tables[role] = table
        object.__setattr__(self, "by_role", tables)
        totals = {
            word
            for kind in ("killed", "injured", "casualties")
            if kind in self.kinds
            for word in self.kinds[kind].nouns
        }
        object.__setattr__(self, "total_nouns", frozenset(totals))
        # The words `_token_cues` looks a token up by (each word of a phrasal verb: "gun down"), and the words that
        # make a verb beside them a killing ("shot dead", "beaten to death").
        cue_words = {word for table in tables.values() for key in table for word in key.split()}
        cue_words |= self.life_verbs_subject | self.life_verbs_object | self.toll_nouns
        cue_words |= self.death_complements | self.death_preposition_nouns
        object.__setattr__(self, "cue_words", frozenset(cue_words))

    def cue_kinds(self, word: str, role: str) -> list[str]:
        """The kinds whose `role` list (object_verbs, subject_verbs, adjectives, nouns) holds `word`."""
        return list(self.by_role[role].get(word, ()))


@lru_cache(maxsize=8)
def load_number_rules(path: str | Path | None = None) -> NumberRules:
    """Read and validate the number rules (`data/numbers.yaml` by default).

    Args:
        path: Another YAML file with the same layout.

    Returns:
        The validated rules; cached per path, so call it freely.

    Raises:
        DataFileError: The file cannot be read or an entry is malformed.
    """
    file = Path(path) if path else data_path(NUMBERS_FILE)
    return read_data_model(file, NumberRules, prepare=lower_strings)


def lower_strings(value: Any) -> Any:
    """A YAML value with every string (keys and list items) lower-cased, so matching is on lower case."""
    if isinstance(value, dict):
        return {(k.lower() if isinstance(k, str) else k): lower_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [lower_strings(v) for v in value]
    if isinstance(value, str):
        return value.lower()
    return value


# ---------------------------------------------------------------------------------------------------------
# Public models
# ---------------------------------------------------------------------------------------------------------


class Fatalities(BaseModel):
    """Deaths a sentence (or a document) reports; `best` is ACLED's conservative figure."""

    low: int = 0
    best: int = 0
    high: int = 0
    evidence: list[Evidence] = Field(default_factory=list)
    stated: bool = Field(default=False, description="A number, or an explicit 'no one', was stated, not assumed.")
    unknown: bool = Field(default=False, description="Deaths were reported with no number; best is then 3 or 10.")
    summary: bool = Field(default=False, description="A coder's summary line ('Fatalities coded as N') decided it.")
