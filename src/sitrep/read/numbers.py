"""Fatalities and other figures from a sentence, with ACLED's conservative counting rules.

The parse does the work. A number counts deaths when its noun phrase is what a killing word is about
("2 civilians were killed", "killing three", "5 dead", "the bodies of two men"); phrases joined by "and" add up
("two soldiers and a civilian" is 3); a victim with no number counts 1 when singular ("a man was shot dead")
and is an unknown number when plural ("civilians were killed": 3, or 10 for a significant attack). Injuries are
not deaths, and "killed and wounded 7" is no death count at all. The same machinery finds the other figures
(injured, displaced, arrested, towns captured, aircraft, distances). Words, values and cues live in
`data/numbers.yaml`.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from spacy.tokens import Doc, Span, Token

from ..datafiles import data_path, entry_error, phrase_pattern, read_yaml_mapping
from ..models import Evidence, Figure
from ..nlp import CACHE_PREFIX, PLACE_SPANS, span_text, token_table
from .attribution import find_attribution

logger = logging.getLogger(__name__)

NUMBERS_FILE = "numbers.yaml"
_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")
_DASH_RANGE = re.compile(r"^(\d+)[–—-](\d+)$")
_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")
_NOUNISH = frozenset({"NOUN", "PROPN", "PRON", "NUM"})
_OBJECTS = frozenset({"dobj", "obj", "attr", "oprd"})
_NOMINAL_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "attr", "appos", "ROOT", "npadvmod"})
_RELATIVES = frozenset({"who", "that", "which", "whom"})
_SINGULAR_PRONOUNS = frozenset({"he", "she", "him", "her", "himself", "herself", "i", "me"})
_VICTIM_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "obj"})
# Kinds that count people: their cues are skipped when they tell background (a cause, an attempt, a disease).
_PEOPLE_KINDS = frozenset({"killed", "injured", "casualties", "displaced", "arrested", "abducted"})
# Dependencies that end a clause: a cause word above them belongs to another clause.
_CLAUSE_DEPS = frozenset({"ROOT", "conj", "advcl", "ccomp", "parataxis", "relcl"})
_ALTERNATIVE = {"killed": "injured", "injured": "killed"}
_JOINERS = frozenset({",", "/", "and", "or", "&", "-"})

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
    raw = read_yaml_mapping(file)
    try:
        return NumberRules.model_validate(lower_strings(raw))
    except ValidationError as e:
        raise entry_error(file, e) from e


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


# ---------------------------------------------------------------------------------------------------------
# Quantities: the numbers of a sentence
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Quantity:
    start: int
    end: int
    best: float
    low: float
    high: float | None


def _number_at(doc: Doc, i: int, end: int, rules: NumberRules) -> tuple[float, int] | None:
    """The value of the number that starts at token `i`, and the index after it; None if there is none."""
    tok = doc[i]
    if _DIGITS.match(tok.text):
        value = float(tok.text.replace(",", ""))
        j = i + 1
        if j < end and doc[j].lower_ in rules.multipliers:
            value *= rules.multipliers[doc[j].lower_]
            j += 1
        return value, j
    lower = tok.lower_
    if lower in rules.multipliers:
        # "a dozen", "a hundred", "a couple of"; a bare "hundred" is not a count.
        if not (i > 0 and doc[i - 1].lower_ in {"a", "an", "one"}):
            return None
    elif lower not in rules.number_words:
        return None
    total = 0.0
    current = 0.0
    j = i
    while j < end:
        word = doc[j].lower_
        if word in rules.number_words and (j == i or current == 0 or current % 100 == 0 or current % 10 == 0):
            if j > i and 0 < current < 10:
                break
            current += rules.number_words[word]
        elif word in rules.multipliers:
            current = max(current, 1.0) * rules.multipliers[word]
            if rules.multipliers[word] >= 1000:
                total += current
                current = 0.0
        elif word in {"-", "and"} and j > i and j + 1 < end and doc[j + 1].lower_ in rules.number_words:
            if word == "and" and (current + total) < 100:
                break
            j += 1
            continue
        else:
            break
        j += 1
    return total + current, j


def _is_count(doc: Doc, start: int, end: int, rules: NumberRules) -> bool:
    """False for dates, times, ages, money and measures: numbers that count no people or things."""
    first = doc[start]
    if first.ent_type_ in {"DATE", "TIME", "PERCENT", "MONEY", "ORDINAL"} and not _counts_noun(doc, end, rules):
        return False
    if _YEAR.match(first.text):
        return False
    if (start > 0 and doc[start - 1].lower_.rstrip(".") in rules.months) or (
        end < len(doc) and doc[end].lower_.rstrip(".") in rules.months
    ):
        return False
    nxt = end
    while nxt < len(doc) and doc[nxt].text in {"-", "–"}:
        nxt += 1
    if nxt < len(doc):
        after = doc[nxt]
        if after.lower_ in rules.not_counts or after.lemma_.lower() in rules.not_counts:
            return False
    return not (start > 0 and doc[start - 1].lower_ in {"no.", "#", "aged", "age", "number"})


def _counts_noun(doc: Doc, end: int, rules: NumberRules) -> bool:
    # NER sometimes folds "2 civilians" after a date into the date, or takes "between 10 and 15" for one:
    # a counted noun after the number (and any range) wins.
    k = end
    while k < len(doc) and (doc[k].like_num or doc[k].lower_ in rules.range_joiners or doc[k].lower_ == "and"):
        k += 1
    return k < len(doc) and doc[k].pos_ == "NOUN" and doc[k].lemma_.lower() not in rules.not_counts


def _qualifier(doc: Doc, start: int, lower_bound: int, rules: NumberRules) -> tuple[QualifierKind | None, int]:
    """The qualifier right before token `start` ("at least", "up to") and the index where it begins."""
    for length in (3, 2, 1):
        begin = start - length
        if begin < lower_bound:
            continue
        phrase = " ".join(t.lower_ for t in doc[begin:start])
        if phrase in rules.qualifiers:
            return rules.qualifiers[phrase], begin
    return None, start


def _quantities(sent: Span, rules: NumberRules) -> dict[int, _Quantity]:
    """Every count in the sentence, keyed by each token index it covers."""
    doc = sent.doc
    table = token_table(doc)
    found: dict[int, _Quantity] = {}
    i = sent.start
    while i < sent.end:
        lower = table.lower[i]
        # Only a digit, a number word or a vague quantity ("dozens") begins a count.
        if not (table.words[i][:1].isdigit() or lower in rules.number_words or lower in rules.multipliers
                or lower in rules.vague_quantities):  # fmt: skip
            i += 1
            continue
        tok = doc[i]
        if tok.lower_ in rules.vague_quantities and tok.pos_ in {"NOUN", "NUM"}:
            value = float(rules.vague_quantities[tok.lower_])
            found[i] = _Quantity(i, i + 1, value, value, value)
            i += 1
            continue
        dash_range = _DASH_RANGE.match(tok.text)
        if dash_range:
            first, last = float(dash_range.group(1)), float(dash_range.group(2))
            if last > first and _is_count(doc, i, i + 1, rules):
                kind, begin = _qualifier(doc, i, sent.start, rules)
                qty = _Quantity(begin, i + 1, first, 0.0 if kind == "max" else first, last)
                for k in range(begin, i + 1):
                    found[k] = qty
            i += 1
            continue
        parsed = _number_at(doc, i, sent.end, rules)
        if parsed is None:
            i += 1
            continue
        value, j = parsed
        if not _is_count(doc, i, j, rules):
            i = j
            continue
        kind, begin = _qualifier(doc, i, sent.start, rules)
        low, best, high = value, value, value
        end = j
        # A range: "10-15", "10 to 15", "between 10 and 15", "10 or 15".
        joiner = doc[end].lower_ if end < sent.end else ""
        if end + 1 < sent.end and (joiner in rules.range_joiners or (kind == "range_start" and joiner == "and")):
            second = _number_at(doc, end + 1, sent.end, rules)
            if second is not None and second[0] > value:
                high = second[0]
                end = second[1]
        qty = _Quantity(
            begin,
            end,
            best=best,
            low=0.0 if kind == "max" else low,
            high=None if kind == "min" and high == value else high,
        )
        for k in range(begin, end):
            found[k] = qty
        i = end
    return found


# ---------------------------------------------------------------------------------------------------------
# Cues: the words that say what happened to whom
# ---------------------------------------------------------------------------------------------------------


@dataclass
class _Cue:
    kind: str
    token: Token
    victims: list[Token]
    borrowed_from: Token | None = None


def _is_passive(verb: Token) -> bool:
    if any(c.dep_ in {"auxpass", "nsubjpass"} for c in verb.children):
        return True
    return verb.tag_ == "VBN" and not any(c.dep_ in {"dobj", "obj", "nsubj"} for c in verb.children)


def _verb_key(verb: Token) -> str:
    """The verb's lemma, with its particle when it has one ("gun down")."""
    lemma = verb.lemma_.lower()
    for child in verb.children:
        if child.dep_ == "prt":
            return f"{lemma} {child.lower_}"
    return lemma


def _death_phrase(verb: Token, rules: NumberRules) -> bool:
    """A verb that a word beside it makes a killing: "shot dead", "beaten to death", "fatally stabbed"."""
    if verb.lemma_.lower() in rules.not_death_verbs:
        return False
    for child in verb.children:
        if child.lower_ in rules.death_complements and child.dep_ != "amod" and not _prefixed_non(child):
            return True
        # "beaten to death", but not "led to the death of a bystander" (the noun counts that one).
        if (
            child.dep_ == "prep"
            and child.lower_ == "to"
            and any(g.lemma_.lower() in rules.death_preposition_nouns and not _has_of(g) for g in child.children)
        ):
            return True
    return False


def _prefixed_non(tok: Token) -> bool:
    # "non-fatally shot"
    doc = tok.doc
    return tok.i >= 2 and doc[tok.i - 1].text == "-" and doc[tok.i - 2].lower_ == "non"


def _has_of(noun: Token) -> bool:
    return any(c.dep_ == "prep" and c.lower_ == "of" for c in noun.children)


def _args(verb: Token, deps: Iterable[str]) -> list[Token]:
    wanted = set(deps)
    return [c for c in verb.children if c.dep_ in wanted]


def _verb_victims(
    verb: Token, *, as_object: bool, result_verbs: frozenset[str] = frozenset()
) -> tuple[list[Token], Token | None]:
    """The noun phrases a verb's event happened to, and the joined verb they were borrowed from, if any."""
    passive = _is_passive(verb)
    if as_object:
        own = (_args(verb, ["nsubjpass"]) or _args(verb, ["nsubj"])) if passive else _args(verb, ["dobj", "obj"])
        if not own and not passive:
            # A shared object: "killed or wounded 30 soldiers" hangs the object on the second verb.
            for child in verb.children:
                objs = _args(child, ["dobj", "obj"]) if child.dep_ == "conj" and child.pos_ == "VERB" else []
                if objs:
                    return objs, child
        if not own and verb.tag_ in {"VBN", "VBD"} and not _args(verb, ["dobj", "obj"]):
            # Headline style: "Five killed in a clash", "3 killed by police".
            subjects = _args(verb, ["nsubj"])
            # A participle with a subject and no object is a reduced passive: "and ten others injured".
            if subjects and (
                _args(verb, ["agent"])
                or verb.tag_ == "VBN"
                or all(_is_number_word(s) for s in subjects)
                or (_headline_passive(verb) and verb.lemma_.lower() not in result_verbs)
            ):
                own = subjects
            # "3 killed." with the number parsed as a loose dependent.
            own = own or [c for c in verb.lefts if c.dep_ in {"meta", "dep", "npadvmod"} and _is_number_word(c)]
    else:
        own = _args(verb, ["nsubj", "nsubjpass"])
    if len(own) > 1 and not all(any(c.dep_ == "nummod" for c in o.children) for o in own):
        # Two subjects is a misparse ("in Mato Grosso, a man was killed"): the nearer one is the subject,
        # unless each has its number ("3 policemen, 2 militiamen, and 1 soldier were killed").
        own = [min(own, key=lambda o: abs(verb.i - o.i))]
    if own:
        return own, None
    head = verb.head
    if verb.dep_ == "conj" and verb.i > 0:
        # "and several others wounded": a noun right before the verb is its own subject, not the head's.
        prev = verb.doc[verb.i - 1]
        if prev.pos_ in _NOUNISH and prev.i not in {a.i for a in head.children if a.dep_ in _VICTIM_DEPS}:
            return [prev], None
        if _counted_apart(verb):
            return [], None  # "two were killed and several wounded": other people, not the first verb's
    if verb.dep_ in {"acl", "relcl", "amod"} and head.pos_ in _NOUNISH | {"ADJ"}:
        if as_object and (verb.tag_ == "VBG" or (verb.dep_ == "relcl" and not passive)):
            return [], None
        if verb.dep_ == "acl":
            # "5 soldiers and 3 militants killed": the participle hangs on the last of the joined phrases.
            while (
                head.dep_ == "conj"
                and head.head.pos_ in _NOUNISH
                and not any(c.dep_ in {"acl", "relcl"} for c in head.head.children)
            ):
                head = head.head
        return [head], None
    if verb.dep_ == "conj" and head.pos_ in {"VERB", "AUX", "ADJ"}:
        if as_object and not passive:
            return _args(head, ["dobj", "obj"]), head
        return _args(head, ["nsubjpass", "nsubj"]), head
    if verb.dep_ in {"xcomp", "oprd", "ccomp"} and head.pos_ in {"VERB", "AUX"}:
        return _args(head, ["dobj", "obj"]) or _args(head, ["nsubjpass", "nsubj"]), None
    if verb.dep_ == "advcl" and head.lemma_.lower() in result_verbs:
        # "left the son of a business owner shot dead".
        return _args(head, ["dobj", "obj"]), None
    # A shared object: "killed and wounded 3 policemen" hangs the object on the second verb.
    for child in verb.children:
        if child.dep_ == "conj" and child.pos_ == "VERB":
            objs = _args(child, ["dobj", "obj"])
            if objs:
                return objs, child
    return [], None


def _headline_passive(verb: Token) -> bool:
    """ "Three teachers killed, one injured", "Woman killed on her farm by unknown group": a killing verb in the
    past with a subject and no object is a headline's passive. Not in a relative clause ("the gang that
    attacked and killed") and not with a clause of its own for an object ("police killed what they said")."""
    return verb.tag_ == "VBD" and verb.dep_ != "relcl" and not _args(verb, ["ccomp", "xcomp", "dative"])


def _is_number_word(tok: Token) -> bool:
    return tok.like_num or tok.pos_ == "NUM"


def _adjective_victims(adj: Token, rules: NumberRules) -> tuple[list[Token], Token | None]:
    """What "dead", "injured" or "displaced" describes."""
    if adj.dep_ == "amod" and adj.head.pos_ in _NOUNISH:
        head = adj.head
        if head.dep_ == "attr" and head.lemma_.lower() in rules.non_person_nouns:
            # "Two policemen were shot dead" misparsed with "shot" as a noun: the subject is the victim.
            return _args(head.head, ["nsubj", "nsubjpass"]), None
        return [head], None
    if adj.dep_ in _NOMINAL_DEPS or any(
        c.dep_ == "nummod" or (c.dep_ in {"amod", "det"} and c.lower_ in rules.unknown_quantifiers)
        for c in adj.children
    ):
        # Used as a noun: "5 dead", "left 5 dead", "left many dead", "the injured".
        return [adj], None
    head = adj.head
    if adj.dep_ in {"acomp", "oprd", "xcomp", "ccomp", "advmod", "attr", "dep"} and head.pos_ in {"VERB", "AUX"}:
        if head.lemma_.lower() in rules.result_verbs:
            # "the blast left two people dead": the object, never the subject (the blast).
            return _args(head, ["dobj", "obj"]), None
        return _args(head, ["dobj", "obj"]) or _args(head, ["nsubjpass", "nsubj"]), None
    if adj.dep_ == "conj" and head.pos_ in {"ADJ", "VERB"}:
        victims, _ = _adjective_victims(head, rules) if head.pos_ == "ADJ" else _verb_victims(head, as_object=True)
        return victims, head
    return [], None


def _noun_victims(noun: Token, rules: NumberRules) -> list[Token]:
    """What "fatalities", "the bodies of" or "the killing of" count: the "of" phrase, the number it stands at
    ("fatalities range from 2 to 4"), or the noun itself."""
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            objs = [g for g in child.children if g.dep_ == "pobj" and g.lemma_.lower() not in rules.life_nouns]
            if objs:
                return objs
    if not any(c.like_num or c.dep_ == "nummod" for c in noun.children):
        stands_at = _toll_victims(noun, rules)
        if stands_at:
            return stands_at
    return [noun]


def _toll_victims(toll: Token, rules: NumberRules) -> list[Token]:
    """The number a death toll stands at: "the death toll rose to 20", "the toll is 20"."""
    out = [c for c in toll.children if c.like_num]
    verb = toll.head
    if toll.dep_ in {"nsubj", "nsubjpass"} and verb.lemma_.lower() in rules.toll_verbs:
        for child in verb.children:
            if child.dep_ in {"attr", "dobj", "acomp", "npadvmod"} and child.like_num:
                out.append(child)
            if child.dep_ == "prep" and child.lower_ in {"to", "at", "from"}:
                out.extend(g for g in child.children if g.dep_ == "pobj")
    elif toll.dep_ in {"dobj", "obj"} and verb.lemma_.lower() in rules.toll_object_verbs:
        # "bringing the death toll to 20"
        for child in verb.children:
            if child.dep_ == "prep" and child.lower_ == "to":
                out.extend(g for g in child.children if g.dep_ == "pobj" and g.like_num)
    return out


def _token_cues(tok: Token, rules: NumberRules) -> list[_Cue]:
    lemma = tok.lemma_.lower()
    lower = tok.lower_
    found: list[_Cue] = []
    if tok.pos_ in {"VERB", "AUX"} or tok.tag_ in {"VBN", "VBD", "VBG"}:
        key = _verb_key(tok)
        obj_kinds = rules.cue_kinds(key, "object_verbs") or rules.cue_kinds(lemma, "object_verbs")
        subj_kinds = rules.cue_kinds(lemma, "subject_verbs")
        if "killed" not in obj_kinds and _death_phrase(tok, rules):
            obj_kinds = ["killed", *[k for k in obj_kinds if k != "injured"]]
        if lemma in rules.life_verbs_subject and any(
            c.dep_ in _OBJECTS and c.lemma_.lower() in rules.life_nouns for c in tok.children
        ):
            subj_kinds = [*subj_kinds, "killed"]
        for kind in obj_kinds:
            victims, borrowed = _verb_victims(tok, as_object=True, result_verbs=rules.result_verbs)
            found.append(_Cue(kind, tok, victims, borrowed))
        for kind in subj_kinds:
            if kind not in obj_kinds:
                victims, borrowed = _verb_victims(tok, as_object=False)
                found.append(_Cue(kind, tok, victims, borrowed))
        if lemma in rules.life_verbs_object:
            for child in tok.children:
                if child.dep_ in _OBJECTS and child.lemma_.lower() in rules.life_nouns:
                    found.append(_Cue("killed", tok, _noun_victims(child, rules)))
        if found:
            return found
    if tok.pos_ in {"ADJ", "VERB", "NOUN"}:
        kinds = rules.cue_kinds(lower, "adjectives") or rules.cue_kinds(lemma, "adjectives")
        if kinds and not (tok.pos_ == "NOUN" and tok.dep_ not in _NOMINAL_DEPS | {"conj"}):
            victims, borrowed = _adjective_victims(tok, rules)
            return [_Cue(kind, tok, victims, borrowed) for kind in kinds]
    if tok.pos_ in {"NOUN", "PROPN"} and tok.dep_ != "compound":
        if (
            lemma in rules.death_preposition_nouns
            and tok.head.lower_ == "to"
            and tok.head.head.pos_ == "VERB"
            and not _has_of(tok)
        ):
            return []
        if lemma in rules.toll_nouns:
            if any(c.dep_ == "compound" and c.lemma_.lower() in rules.kinds["killed"].nouns for c in tok.children):
                return [_Cue("killed", tok, _toll_victims(tok, rules))]
            return []
        found = [
            _Cue(kind, tok, _noun_victims(tok, rules) if kind in _PEOPLE_KINDS else [tok])
            for kind in rules.cue_kinds(lemma, "nouns")
        ]
    return found


def _cues(sent: Span, rules: NumberRules) -> list[_Cue]:
    """Every word of the sentence that says something happened to someone, with whom it happened to."""
    doc = sent.doc
    candidates = _cue_candidates(doc, rules)
    cues: list[_Cue] = []
    for i in range(sent.start, sent.end):
        if i in candidates:
            cues.extend(_token_cues(doc[i], rules))
    return cues


_CANDIDATES_KEY = f"{CACHE_PREFIX}numbers.cue_candidates"


def _cue_candidates(doc: Doc, rules: NumberRules) -> frozenset[int]:
    """The tokens that may be cues, read once per document: those whose own word is a cue word, and the heads of
    the words that make a verb a killing ("shot dead", "beaten to death"). `_token_cues` finds nothing in any
    other token, and most tokens are other tokens."""
    cached = doc.user_data.get(_CANDIDATES_KEY)
    if cached is not None and cached[0] is rules:
        return cached[1]
    table = token_table(doc)
    words, head, lower = rules.cue_words, table.head, table.lower
    found: set[int] = set()
    for i, (word, lemma) in enumerate(zip(lower, table.lemma, strict=True)):
        if word in words or lemma in words:
            found.add(i)
        if word in rules.death_complements:
            found.add(head[i])
        if lemma in rules.death_preposition_nouns and lower[head[i]] == "to":
            found.add(head[head[i]])
    candidates = frozenset(found)
    doc.user_data[_CANDIDATES_KEY] = (rules, candidates)
    return candidates


def _background(cue: Token, rules: NumberRules, published: dt.date | None = None) -> bool:
    """True when the cue is not part of the event: a cause ("protested over the killing of"), an attempt
    ("tried to kill"), a disease ("died from coronavirus"), an older event ("killed in 1977", "a man who had
    killed his father"), or a count coded elsewhere ("(coded separately)")."""
    doc = cue.doc
    after = doc[cue.i + 1 : min(cue.i + 6, cue.sent.end)]
    for k, tok in enumerate(after):
        if tok.lemma_.lower() in rules.disease_nouns and any(t.lower_ in {"of", "from", "to"} for t in after[:k]):
            return True
    if any(t.lower_ in rules.separately_words for t in after):
        return True
    if published is not None and _older_year(cue, published):
        return True
    if cue.dep_ == "relcl" and any(c.lower_ == "had" and c.dep_ in {"aux", "auxpass"} for c in cue.children):
        return True
    # "a student killed by police", "the dead man": the phrase starts at the noun the cue describes.
    tok = cue.head if cue.dep_ in {"acl", "amod"} and cue.head.pos_ in _NOUNISH else cue
    in_clause = True
    for step in range(10):
        if any(c.dep_ == "mark" and c.lower_ in rules.cause_marks for c in tok.children):
            return True
        if tok.dep_ == "ROOT" or tok.head.i == tok.i:
            return False
        head = tok.head
        head_lemma = head.lemma_.lower()
        if in_clause:
            if tok.dep_ in {"pobj", "pcomp"} and head.lower_ in rules.cause_prepositions and step < 3:
                return True
            if tok.dep_ in {"dobj", "obj", "pobj", "xcomp", "prep"} and head_lemma in rules.cause_verbs:
                return True
            if tok.dep_ in {"nsubj", "nsubjpass"} and head_lemma in rules.cause_subject_verbs:
                return True
            if tok.dep_ == "pobj" and head.dep_ == "agent" and head.head.lemma_.lower() in rules.cause_subject_verbs:
                return True
            if tok.dep_ in {"xcomp", "dobj"} and head_lemma in rules.attempt_verbs:
                return True
            if tok.dep_ == "prep" and head.pos_ == "NOUN" and head_lemma in rules.cause_nouns:
                return True
        if tok.dep_ in _CLAUSE_DEPS or tok.dep_ == "acl":
            # Above a clause boundary only a subordinating "after"/"since" of a coordinated clause still makes
            # it background ("after it hit and killed one"); an adverbial clause is an event of its own.
            if tok.dep_ not in {"conj", "acl"} and not in_clause:
                return False
            if tok.dep_ != "conj":
                in_clause = False
        tok = head
    return False


def _older_year(cue: Token, published: dt.date) -> bool:
    """A year before the publication year in the cue's own phrase: "killed in the city in 2014"."""
    verb = cue
    while verb.dep_ not in _CLAUSE_DEPS and verb.head.i != verb.i and verb.pos_ not in {"VERB", "AUX"}:
        verb = verb.head
    # The phrase lies between its edges: walk it only when some word there is an earlier year (few are).
    words = token_table(cue.doc).words[verb.left_edge.i : verb.right_edge.i + 1]
    if not any(_YEAR.match(word) and int(word) < published.year for word in words):
        return False
    for tok in verb.subtree:
        if _YEAR.match(tok.text) and int(tok.text) < published.year and tok.ent_type_ in {"DATE", ""}:
            return True
    return False


# ---------------------------------------------------------------------------------------------------------
# Groups: who, how many, under which kind
# ---------------------------------------------------------------------------------------------------------


@dataclass
class _Group:
    kind: str
    noun: Token
    cue: Token
    best: float | None
    low: float | None
    high: float | None
    explicit: bool
    negated: bool = False
    ambiguous: bool = False
    significant: bool = False
    total: bool = False
    tokens: list[int] = field(default_factory=list)


def _resolve_relative(tok: Token) -> Token:
    # "people who were killed": the victims are the people, not "who".
    if tok.lower_ in _RELATIVES and tok.head.dep_ == "relcl":
        return tok.head.head
    return tok


def _expand(victims: Sequence[Token], other_kind_tokens: set[int], totals: frozenset[str]) -> list[Token]:
    """The victims with the phrases joined to them by "and" ("two soldiers and a civilian"). A total
    ("2 fatalities and 3 injured") is one figure: its conjuncts are other figures."""
    out: list[Token] = []
    stack = [_resolve_relative(v) for v in victims]
    while stack:
        tok = stack.pop(0)
        if tok in out:
            continue
        out.append(tok)
        if tok.lemma_.lower() in totals:
            continue
        for child in tok.children:
            if child.dep_ != "conj" or child.pos_ not in _NOUNISH | {"ADJ"}:
                continue
            # "3 dead and 6 others injured": a conjunct with its own kind is not a victim of this one.
            if child.i in other_kind_tokens or any(g.i in other_kind_tokens for g in child.children):
                continue
            stack.append(child)
    return out


def _negated(noun: Token, cue: Token, rules: NumberRules) -> bool:
    first = noun
    while first.dep_ == "conj" and first.head.pos_ in _NOUNISH:
        first = first.head
    for tok in {noun, first}:
        if tok.lower_ in {"none", "nobody", "no-one", "noone"}:
            return True
        if any(c.dep_ in {"neg", "det", "preconj"} and c.lower_ in rules.negations for c in tok.children):
            return True
        if any(c.dep_ == "cc" and c.lower_ == "nor" for c in tok.children):
            return True
    if any(c.dep_ == "neg" for c in cue.children):
        return True
    # "Fatalities were not reported", "no reports of fatalities", "with no report on fatalities".
    tok = first
    for _ in range(3):
        head = tok.head
        if head.i == tok.i:
            break
        if tok.dep_ in {"nsubj", "nsubjpass", "dobj", "pobj", "prep", "xcomp"} and any(
            c.dep_ in {"neg", "det"} and c.lower_ in rules.negations for c in head.children
        ):
            return True
        tok = head
    left = noun.left_edge.i
    window = noun.doc[max(noun.sent.start, left - 3) : left]
    return any(t.lower_ in {"without", "neither", "nor"} for t in window)


def _quantity_of(noun: Token, qmap: dict[int, _Quantity]) -> _Quantity | None:
    """The number that says how many `noun` is: itself, a number modifying it, or one in its left phrase."""
    if noun.i in qmap:
        return qmap[noun.i]
    if noun.dep_ == "pobj" and noun.head.lower_ == "of" and noun.head.head.i in qmap:
        # "hundreds of casualties", "dozens of people".
        return qmap[noun.head.head.i]
    for deps in ({"nummod"}, {"quantmod", "amod", "compound", "det", "advmod", "npadvmod"}):
        for child in noun.children:
            if child.i in qmap and child.dep_ in deps:
                return qmap[child.i]
    # "7 IS militants": the parser may cut the number off the phrase, taking "IS" for a verb.
    cut = _number_before_names(noun)
    if cut is not None and cut in qmap:
        return qmap[cut]
    # "2 IS militants": the parser may hang the number on a compound word.
    for k in range(noun.left_edge.i, noun.i):
        if k in qmap:
            tok = noun.doc[k]
            path = tok
            while path.i != noun.i and path.dep_ not in {"prep", "pobj", "relcl", "acl", "appos", "conj"}:
                if path.head.i == path.i:
                    break
                path = path.head
            if path.i == noun.i:
                return qmap[k]
    return None


def _number_before_names(noun: Token) -> int | None:
    """The number right before the capitalised names that open a noun's phrase when the parser left it out:
    in "7 IS militants" it takes "IS" for a verb and "7" for its subject."""
    doc = noun.doc
    start = noun.left_edge.i
    k = start
    while k - 1 >= noun.sent.start and doc[k - 1].is_upper and doc[k - 1].is_alpha and doc[k - 1].head.i != noun.i:
        k -= 1
    if k == start or k - 1 < noun.sent.start or not doc[k - 1].like_num:
        return None
    return k - 1


def _is_person(noun: Token, rules: NumberRules) -> bool:
    if noun.lemma_.lower() in rules.non_person_nouns or noun.lower_ in rules.non_person_nouns:
        return False
    if noun.lower_ in rules.months or noun.ent_type_ in {"GPE", "LOC", "FAC"}:
        return False
    if noun.ent_type_ in {"DATE", "TIME"} and (noun.like_num or noun.lemma_.lower() in rules.not_counts):
        return False
    return noun.pos_ != "PUNCT"


def _count(kind: str, noun: Token, cue: Token, qmap: dict[int, _Quantity], rules: NumberRules) -> _Group | None:
    """How many `noun` stands for; None when it is not a count of this kind at all."""
    lemma = noun.lemma_.lower()
    if lemma in rules.total_nouns and kind not in rules.by_role["nouns"].get(lemma, ()):
        return None  # "2 fatalities and 3 injured": a total of one kind is no victim of another
    qty = _quantity_of(noun, qmap)
    people_kind = kind in _PEOPLE_KINDS
    if people_kind and not _is_person(noun, rules):
        return None
    if qty is None and noun.like_num:
        return None  # a bare number that is no count: a date or a time
    tokens = sorted({noun.i, cue.i} | (set(range(qty.start, qty.end)) if qty else set()))
    total = noun.lemma_.lower() in rules.kinds["killed"].nouns or cue.lemma_.lower() in rules.toll_nouns
    total = total or _partitive(noun)
    if _negated(noun, cue, rules):
        return _Group(kind, noun, cue, 0.0, 0.0, 0.0, explicit=True, negated=True, total=total, tokens=tokens)
    if qty is not None:
        return _Group(kind, noun, cue, qty.best, qty.low, qty.high, explicit=True, total=total, tokens=tokens)
    words = [noun.lower_, *(c.lower_ for c in noun.children if c.dep_ in {"amod", "det", "nummod", "advmod"})]
    for word in words:
        quant = rules.unknown_quantifiers.get(word)
        if quant is not None:
            return _Group(
                kind,
                noun,
                cue,
                None,
                None,
                None,
                explicit=False,
                significant=quant.significant,
                total=total,
                tokens=tokens,
            )
    plural = noun.tag_ in {"NNS", "NNPS"} or noun.lower_ in {"they", "them", "those", "others", "these"}
    singular_det = any(c.dep_ == "det" and c.lower_ in {"a", "an", "one"} for c in noun.children)
    if (
        plural
        or (lemma in rules.collective_nouns and not singular_det)
        or noun.lower_ in rules.collective_nouns
        or (noun.lower_ in rules.invariant_nouns and not singular_det)
        or (noun.pos_ == "PRON" and noun.lower_ not in _SINGULAR_PRONOUNS)
        or (noun.pos_ == "ADJ" and not singular_det)  # "the dead", "the injured"; but "a 21-year-old" is one
    ):
        return _Group(kind, noun, cue, None, None, None, explicit=False, total=total, tokens=tokens)
    return _Group(kind, noun, cue, 1.0, 1.0, 1.0, explicit=True, total=total, tokens=tokens)


def _partitive(noun: Token) -> bool:
    """ "three of them", "9 of the soldiers", "the other": part of a group counted elsewhere."""
    if noun.lower_ in {"other", "others"} and any(c.dep_ == "det" and c.lower_ == "the" for c in noun.children):
        return True
    if not noun.like_num:
        return False
    for prep in noun.children:
        if prep.dep_ != "prep" or prep.lower_ != "of":
            continue
        for obj in prep.children:
            if obj.pos_ in {"PRON", "DET"}:
                return True
            if any(d.dep_ in {"det", "poss"} and d.lower_ not in {"a", "an"} for d in obj.children):
                return True
    return False


_PARTS_KEY = f"{CACHE_PREFIX}numbers.parts"


def _sentence_parts(sent: Span, rules: NumberRules) -> tuple[dict[int, _Quantity], list[_Cue]]:
    """The numbers and cue words of a sentence, read once per document: fatalities and figures both need them."""
    cache = sent.doc.user_data.setdefault(_PARTS_KEY, {})
    key = (sent.start, sent.end, id(rules))
    parts = cache.get(key)
    if parts is None or parts[0] is not rules:
        parts = cache[key] = (rules, _quantities(sent, rules), _cues(sent, rules))
    return parts[1], parts[2]


def _groups(
    sent: Span, rules: NumberRules, kinds: set[str] | None = None, published: dt.date | None = None
) -> list[_Group]:
    """The counted noun phrases of a sentence, one per noun and kind."""
    qmap, cues = _sentence_parts(sent, rules)
    direct: dict[str, set[int]] = {}
    cue_tokens: dict[str, set[int]] = {}
    for cue in cues:
        direct.setdefault(cue.kind, set()).update(_resolve_relative(v).i for v in cue.victims)
        cue_tokens.setdefault(cue.kind, set()).add(cue.token.i)
    groups: list[_Group] = []
    seen: set[tuple[str, int]] = set()
    for cue in cues:
        if kinds is not None and cue.kind not in kinds:
            continue
        if cue.kind in _PEOPLE_KINDS and _background(cue.token, rules, published):
            continue
        others = set().union(*(v | cue_tokens[k] for k, v in direct.items() if k != cue.kind)) if direct else set()
        others -= direct.get(cue.kind, set())
        made = _make_groups(cue, _expand(cue.victims, others, rules.total_nouns), qmap, rules, seen)
        if not made and not any((cue.kind, v.i) in seen for v in cue.victims):
            nearby = _expand(_nearby_victims(cue, rules), others, rules.total_nouns)
            made = _make_groups(cue, nearby, qmap, rules, seen)
        partners = [c for c in cues if c.kind == _ALTERNATIVE.get(cue.kind)]
        for group in made:
            group.ambiguous = bool(partners) and _ambiguous(cue, group.noun, partners)
            groups.append(group)
    return groups


def _make_groups(
    cue: _Cue, nouns: Sequence[Token], qmap: dict[int, _Quantity], rules: NumberRules, seen: set[tuple[str, int]]
) -> list[_Group]:
    out = []
    for noun in nouns:
        key = (cue.kind, noun.i)
        if key in seen:
            continue
        group = _count(cue.kind, noun, cue.token, qmap, rules)
        if group is not None:
            seen.add(key)
            out.append(group)
    return out


def _nearby_victims(cue: _Cue, rules: NumberRules) -> list[Token]:
    """When the parse gives a passive cue no victim ("Two men were in the evening hours shot dead"), the
    nearest noun phrase before it in the same clause that is no prepositional object."""
    tok = cue.token
    if cue.kind not in _PEOPLE_KINDS or not (tok.tag_ == "VBN" or tok.pos_ == "ADJ") or _counted_apart(tok):
        return []
    out: list[Token] = []
    sent = tok.sent
    k = tok.i - 1
    while k >= sent.start and k >= tok.i - 12:
        cand = tok.doc[k]
        if cand.text in {";", ":", "."} or (cand.pos_ in {"VERB"} and cand.tag_ != "VBN"):
            break
        if (
            cand.pos_ in _NOUNISH
            and cand.dep_ not in {"pobj", "compound", "poss", "nummod"}
            and (
                not any(a.dep_ == "prep" for a in _ancestors_until_verb(cand))
                # "in Mato Grosso, a man was killed": whatever the parse hangs it on, a noun with only the
                # cue's auxiliaries between them is its subject.
                or all(t.pos_ == "AUX" or t.dep_ in {"aux", "auxpass", "neg"} for t in tok.doc[cand.i + 1 : tok.i])
            )
        ):
            # "four men and a woman were shot dead": the last conjunct is nearest; the phrase starts at the first
            # (but not at a place name the parser made the first: "in Jalisco, four men and a woman").
            while cand.dep_ == "conj" and cand.head.pos_ == "NOUN" and cand.head.i < cand.i:
                cand = cand.head
            out.append(cand)
            break
        k -= 1
    return out


def _ancestors_until_verb(tok: Token) -> list[Token]:
    out = []
    for anc in tok.ancestors:
        if anc.pos_ in {"VERB", "AUX"}:
            break
        out.append(anc)
    return out


def _counted_apart(cue_token: Token) -> bool:
    """ "two were killed and several wounded": a cue with its own count before it is about other people (the
    parser may hang a bare number on it as anything: "three dead and 15 more injured")."""
    return any(
        child.i < cue_token.i and (child.dep_ in {"amod", "nummod", "nsubj", "nsubjpass"} or child.like_num)
        for child in cue_token.children
    )


def _ambiguous(cue: _Cue, noun: Token, partners: Sequence[_Cue]) -> bool:
    """True when the same people are said to be killed and wounded: "7 were killed and wounded",
    "killed, injured or captured", "killing/injuring 75"."""
    tok = cue.token
    doc = tok.doc
    for partner in partners:
        other = partner.token
        if cue.borrowed_from is not None and cue.borrowed_from.i == other.i:
            return True
        linked = (tok.dep_ == "conj" and tok.head.i == other.i) or (other.dep_ == "conj" and other.head.i == tok.i)
        low, high = sorted((tok.i, other.i))
        linked = linked or (high - low <= 3 and all(t.text in _JOINERS for t in doc[low + 1 : high]))
        if not linked or _counted_apart(other):
            continue
        shared = {_resolve_relative(v).i for v in partner.victims}
        if noun.i in shared or not partner.victims or partner.borrowed_from is not None:
            return True
    return False


def _evidence(doc: Doc, tokens: Sequence[int]) -> Evidence:
    span = doc[min(tokens) : max(tokens) + 1]
    return Evidence(text=span_text(span), start=span.start_char, end=span.end_char)


# ---------------------------------------------------------------------------------------------------------
# Fatalities
# ---------------------------------------------------------------------------------------------------------


@dataclass
class _Tally:
    """One sentence's deaths, kept apart by how they add up across sentences."""

    people: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])  # low, best, high of victim groups
    totals: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])  # the largest stated total
    claimed: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])  # the largest claimed count
    ambiguous_high: float = 0.0
    stated: bool = False
    unknown: bool = False
    significant: bool = False
    evidence: list[Evidence] = field(default_factory=list)

    def add(self, other: _Tally) -> None:
        self.people = [a + b for a, b in zip(self.people, other.people, strict=True)]
        if other.totals[1] > self.totals[1]:
            self.totals = list(other.totals)
        if other.claimed[1] > self.claimed[1]:
            self.claimed = list(other.claimed)
        self.ambiguous_high += other.ambiguous_high
        self.stated = self.stated or other.stated
        self.unknown = self.unknown or other.unknown
        self.significant = self.significant or other.significant
        self.evidence.extend(other.evidence)


def _tally(
    sent: Span,
    *,
    event_sub_type: str | None,
    published: dt.date | None,
    rules: NumberRules,
    later: bool = False,
) -> _Tally:
    """The deaths of one sentence. `later` is set for a sentence after one that already told deaths: there
    definite phrases ("the victim", "he") and bare numbers ("2 killed.") restate, they do not add."""
    tally = _Tally()
    sub_type = (event_sub_type or "").lower()
    if sub_type in rules.no_fatality_sub_event_types:
        return tally
    groups = _groups(sent, rules, {"killed"}, published)
    if not groups:
        return tally
    lemmas = token_table(sent.doc).lemma[sent.start : sent.end]
    tally.significant = sub_type in rules.significant_sub_event_types or not rules.significant_nouns.isdisjoint(lemmas)
    for group in groups:
        tally.evidence.append(_evidence(sent.doc, group.tokens))
        if group.negated:
            tally.stated = True
            continue
        if _running_tally(group, rules):
            logger.debug("running tally, not the event's deaths: %s", sent)
            continue
        if not group.explicit:
            if not group.ambiguous and (not group.total or group.noun.lemma_.lower() in rules.unknown_total_nouns):
                tally.unknown = True
                tally.significant = tally.significant or group.significant
            continue
        best = group.best or 0.0
        low = group.low if group.low is not None else best
        high = group.high if group.high is not None else best
        tally.stated = True
        if group.ambiguous:
            tally.ambiguous_high += high
            continue
        if _claimed(group.cue, rules):
            if best > tally.claimed[1]:
                tally.claimed = [low, best, high]
            continue
        if group.total or (later and _restates(group, rules)):
            if best > tally.totals[1]:
                tally.totals = [low, best, high]
        else:
            tally.people = [tally.people[0] + low, tally.people[1] + best, tally.people[2] + high]
    return tally


def _running_tally(group: _Group, rules: NumberRules) -> bool:
    """A toll counted over many events: "bringing the death toll since the start of the offensive to 500", "the
    number of civilians killed since March rose to 300". Only totals and "number of" phrases count: "two
    people were killed on Monday" is news even in a sentence that has "since"."""
    cues = rules.running_tally
    if _counted_over_a_period(group.cue, cues):
        return True
    top = group.cue
    # up from the cue to the noun phrase it belongs to ("killed" -> "civilians" -> "of" -> "number")
    while top.dep_ in {"acl", "relcl", "amod", "compound", "pobj", "prep"} and top.head.i != top.i:
        top = top.head
    if not (group.total or top.lemma_.lower() in cues.nouns):
        return False
    scope = list(top.subtree)
    verb = top.head
    if top.dep_ in {"nsubj", "nsubjpass", "dobj", "obj"} and verb.pos_ in {"VERB", "AUX"}:
        # "the toll stands at 300 since ...", "bringing the toll since ... to 500": the verb's own phrases too
        for child in verb.children:
            if child.i != top.i and child.dep_ in {"prep", "advmod", "npadvmod", "advcl"}:
                scope.extend(child.subtree)
    words = [t.lower_ for t in sorted(scope, key=lambda t: t.i)]
    if any(w in cues.words for w in words):
        return True
    text = " " + " ".join(words) + " "
    return any(f" {phrase} " in text for phrase in cues.phrases)


def counts_over_a_period(verb: Token, *, rules: NumberRules | None = None) -> bool:
    """Whether a killing (or striking) verb counts over a period rather than telling one event: "826 people have
    been killed since the offensive began", "40 have died so far".

    Args:
        verb: The verb of the count.
        rules: Number rules; the packaged `data/numbers.yaml` by default.
    """
    return _counted_over_a_period(verb, (rules or load_number_rules()).running_tally)


def _counted_over_a_period(cue: Token, cues: RunningTallyCues) -> bool:
    """The killing verb itself runs over a period ("826 people have been killed since the offensive began",
    "40 have died so far"); a "since" further off ("killed in the town, besieged since March") does not count."""
    if cue.pos_ not in {"VERB", "AUX"}:
        return False
    for child in cue.children:
        if child.dep_ == "advcl":
            words = {m.lower_ for m in child.children if m.dep_ == "mark"}
        elif child.dep_ in {"prep", "advmod", "npadvmod"}:
            if " ".join(t.lower_ for t in child.subtree) in cues.phrases or _over_days(child, cues):
                return True
            words = {child.lower_}
        else:
            continue
        if words & cues.period_words:
            return True
    return False


def _over_days(prep: Token, cues: RunningTallyCues) -> bool:
    """ "in four days of fighting", "over the past two weeks": a count of days, not one day's event. Not in a
    document's first sentence, which tells its news (a coder's note of a multi-day event gives its toll)."""
    if prep.lower_ not in cues.period_preps or prep.sent.start == 0:
        return False
    return any(
        o.dep_ == "pobj" and o.lemma_.lower() in cues.period_units and o.tag_ == "NNS"
        and any(c.dep_ == "nummod" for c in o.children)
        for o in prep.children
    )  # fmt: skip


def _restates(group: _Group, rules: NumberRules) -> bool:
    """A phrase that points back to victims already told: a bare number, "the man", "his son", "him"."""
    noun = group.noun
    if noun.like_num or noun.pos_ in {"PRON", "ADJ"}:
        return True
    dets = [c.lower_ for c in noun.children if c.dep_ in {"det", "poss"}]
    return any(d not in {"a", "an", "another", "some", "no"} for d in dets)


def _claimed(cue: Token, rules: NumberRules) -> bool:
    """A count inside what a party claims ("claimed that it had killed 20"), or told by "another source": an
    alternative figure, not the count."""
    text = span_text(cue.sent).lower()
    if any(phrase in text for phrase in rules.alternative_sources):
        return True
    tok = cue
    for _ in range(8):
        head = tok.head
        if head.i == tok.i:
            return False
        if tok.dep_ in {"ccomp", "xcomp"} and head.lemma_.lower() in rules.claim_verbs:
            return True
        tok = head
    return False


def _to_fatalities(tally: _Tally, rules: NumberRules) -> Fatalities:
    low, best, high = max(tally.people, tally.totals, key=lambda triple: triple[1])
    if best == 0 and tally.claimed[1] > 0:
        low, best, high = tally.claimed
    high += tally.ambiguous_high
    if not all(math.isfinite(v) and v <= rules.max_count for v in (low, best, high)):
        # "killed 10**23" is a typo or not a count of people: no figure rather than an absurd one.
        logger.debug("count over max_count ignored: %s", [span.text for span in tally.evidence])
        return Fatalities(low=0, best=0, high=0, evidence=tally.evidence, stated=False, unknown=False)
    unknown = tally.unknown and best == 0
    if unknown:
        fill = rules.significant_deaths if tally.significant else rules.unknown_deaths
        low, best, high = 1.0, float(fill), max(high, float(fill))
    return Fatalities(
        low=int(low),
        best=int(best),
        high=int(max(high, best)),
        evidence=tally.evidence,
        stated=tally.stated and not unknown,
        unknown=unknown,
    )


def find_fatalities(
    sent: Span,
    *,
    event_sub_type: str | None = None,
    published: dt.date | None = None,
    rules: NumberRules | None = None,
) -> Fatalities:
    """The deaths one sentence reports, by ACLED's conservative rules.

    Groups killed in one sentence add up ("5 soldiers and 3 militants were killed" is 8); "at least 20" and
    "more than 20" are 20; "between 10 and 15" and "10-15" are 10 (high 15); "dozens" is 12; deaths with no
    number are 3, or 10 for a significant attack; "killed or wounded 30" gives 0 (high 30); injuries are not
    deaths; deaths that caused the event ("protested over the killing of two") are not its deaths.

    Args:
        sent: A sentence (or any span) of a parsed Doc.
        event_sub_type: The ACLED sub-event type when known: some have no fatalities by definition (a
            peaceful protest), some make unnumbered deaths significant.
        published: The publication date; deaths in an earlier year ("killed in 2014") are background.
        rules: Number rules; the packaged `data/numbers.yaml` by default.

    Returns:
        Low, best and high counts with the evidence spans (character offsets in the Doc).
    """
    rules = rules or load_number_rules()
    tally = _tally(sent, event_sub_type=event_sub_type, published=published, rules=rules)
    return _to_fatalities(tally, rules)


def find_document_fatalities(
    doc: Doc | Span | Sequence[Span],
    *,
    event_sub_type: str | None = None,
    published: dt.date | None = None,
    rules: NumberRules | None = None,
) -> Fatalities:
    """The deaths a short document reports: one ACLED note, or the sentences of one event.

    Victim groups add up across sentences ("2 policemen were killed. 13 militants were also killed." is 15);
    totals ("3 fatalities", "the death toll rose to 20", "the bodies of two men") do not, the largest one
    standing for the rest. A coder's summary line ("Fatalities coded as 3", "20 fatalities split up between
    3 events") decides over the prose.

    Args:
        doc: A parsed Doc, a span of one, or the sentences of one event.
        event_sub_type: The ACLED sub-event type when known.
        published: The publication date; deaths in an earlier year are background.
        rules: Number rules; the packaged `data/numbers.yaml` by default.

    Returns:
        Low, best and high counts with their evidence.
    """
    rules = rules or load_number_rules()
    sents = _sentences(doc)
    tally = _Tally()
    for sent in sents:
        later = tally.stated or tally.unknown
        tally.add(_tally(sent, event_sub_type=event_sub_type, published=published, rules=rules, later=later))
    if (event_sub_type or "").lower() in rules.no_fatality_sub_event_types:
        return _to_fatalities(tally, rules)
    result = _to_fatalities(tally, rules)
    summary = _summary(sents, rules)
    if summary is None:
        return result
    coded, divisor, each = summary
    logger.debug("fatalities from a summary line: coded=%s parts=%s each=%s", coded and coded.best, divisor, each)
    if coded is not None:
        result = coded.model_copy(update={"evidence": [*coded.evidence, *result.evidence]})
    if each is not None:
        return result.model_copy(update={"best": each, "low": min(result.low, each), "summary": True})
    if divisor and divisor > 1:
        return result.model_copy(
            update={
                "best": _share(result.best, divisor),
                "low": _share(result.low, divisor),
                "high": max(_share(result.high, divisor), _share(result.best, divisor)),
                "summary": True,
            }
        )
    return result


def _sentences(doc: Doc | Span | Sequence[Span]) -> list[Span]:
    if isinstance(doc, Doc):
        return list(doc.sents)
    if isinstance(doc, Span):
        return [s for s in doc.doc.sents if s.start < doc.end and s.end > doc.start]
    return list(doc)


def _share(total: int, parts: int) -> int:
    # Coders spread a total across events with the remainder on the first ones; rounding matches most rows.
    return math.floor(total / parts + 0.5)


def _summary(sents: Sequence[Span], rules: NumberRules) -> tuple[Fatalities | None, int | None, int | None] | None:
    """A coder's line: the coded total, how many events share it, and a stated share of this one."""
    coded: Fatalities | None = None
    divisor: int | None = None
    each: int | None = None
    cues = rules.summary
    for sent in sents:
        table = token_table(sent.doc)
        words = (*table.lemma[sent.start : sent.end], *table.lower[sent.start : sent.end])
        if cues.coded_nouns.isdisjoint(words):
            continue
        doc = sent.doc
        qmap = _quantities(sent, rules)
        for tok in sent:
            lemma = tok.lemma_.lower()
            if (
                coded is None
                and lemma in cues.coded_verbs
                and tok.i + 2 < sent.end
                and doc[tok.i + 1].lower_ in {"as", "at", "to"}
                and _noun_before(sent, tok.i, cues.coded_nouns)
            ):
                qty = qmap.get(tok.i + 2) or _bare_number(doc, tok.i + 2, sent.end, rules)
                if qty is not None:
                    value = int(qty.best)
                    coded = Fatalities(
                        low=value,
                        best=value,
                        high=value,
                        stated=True,
                        summary=True,
                        evidence=[_evidence(doc, [*range(tok.i, qty.end)])],
                    )
            if divisor is None and lemma in cues.split_verbs:
                divisor, each = _split_after(sent, tok.i, qmap, rules)
    if coded is None and divisor is None:
        return None
    return coded, divisor, each


def _bare_number(doc: Doc, i: int, end: int, rules: NumberRules) -> _Quantity | None:
    # "coded as 0": a zero is no count of people, but it is the coded total.
    parsed = _number_at(doc, i, end, rules)
    if parsed is None:
        return None
    return _Quantity(i, parsed[1], parsed[0], parsed[0], parsed[0])


def _noun_before(sent: Span, index: int, nouns: frozenset[str]) -> bool:
    return any(t.lemma_.lower() in nouns or t.lower_ in nouns for t in sent.doc[sent.start : index])


def _split_after(
    sent: Span, index: int, qmap: dict[int, _Quantity], rules: NumberRules
) -> tuple[int | None, int | None]:
    """ "split between 3 events (2)": the number of parts and, when stated, the share of this one."""
    doc = sent.doc
    stop = min(sent.end, index + 8)
    for k in range(index + 1, stop):
        if doc[k].lemma_.lower() in rules.summary.split_units or doc[k].lower_ in rules.summary.split_units:
            parts: int | None = None
            for j in range(k - 1, index, -1):
                if j in qmap:
                    parts = int(qmap[j].best)
                    break
                if doc[j].lower_ in {"both", "two"}:
                    parts = 2
                    break
            if parts is None:
                return None, None
            each = None
            if k + 2 < sent.end and doc[k + 1].text == "(" and (k + 2) in qmap:
                each = int(qmap[k + 2].best)
            return parts, each
    return None, None


# ---------------------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------------------


def find_figures(
    sent: Span,
    *,
    published: dt.date | None = None,
    claimant: str | None = None,
    attribute: bool = True,
    rules: NumberRules | None = None,
) -> list[Figure]:
    """Every stated figure of a sentence: killed, injured, displaced, arrested, towns captured, distances ...

    Args:
        sent: A sentence of a parsed Doc.
        published: The publication date; figures are dated to it (the caller may redate them to the event).
        claimant: Who the figures are credited to; when None and `attribute` is set, the sentence's own
            attribution ("according to the UN") fills it.
        attribute: Look up the claimant with `find_attribution` when none is given.
        rules: Number rules; the packaged `data/numbers.yaml` by default.

    Returns:
        One figure per counted group and per distance, in text order.
    """
    rules = rules or load_number_rules()
    if claimant is None and attribute:
        claims = find_attribution(sent)
        claimant = claims[0].claimant if claims else None
    doc = sent.doc
    figures: list[tuple[int, Figure]] = []
    ambiguous_nouns: set[int] = set()
    for group in _groups(sent, rules):
        if not group.explicit or group.negated:
            continue
        kind = group.kind
        if group.ambiguous:
            # "7 were killed and wounded": one casualty figure, not a death count and an injury count.
            if group.noun.i in ambiguous_nouns:
                continue
            ambiguous_nouns.add(group.noun.i)
            kind = "casualties"
        cues = rules.kinds[kind]
        if cues.counted_nouns and not _counts_one_of(group.noun, cues.counted_nouns):
            continue
        figures.append(
            (
                min(group.tokens),
                Figure(
                    kind=kind,
                    value=group.best,
                    low=group.low,
                    high=group.high,
                    unit=cues.unit,
                    place=_nearest_place(sent, group.cue),
                    date=published,
                    claimant=claimant,
                    evidence=[_evidence(doc, group.tokens)],
                ),
            )
        )
    for start, figure in _distances(sent, rules):
        figures.append((start, figure.model_copy(update={"date": published, "claimant": claimant})))
    figures.sort(key=lambda pair: pair[0])
    return [f for _, f in figures]


def _counts_one_of(noun: Token, nouns: frozenset[str]) -> bool:
    words = [noun, *(c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" for c in c.children)]
    return any(w.lemma_.lower() in nouns for w in words)


def _place_spans(sent: Span) -> list[Span]:
    doc = sent.doc
    if PLACE_SPANS in doc.spans:
        # The place finder has already turned down the entities it left out ("SANA said", "Damascus said").
        return [s for s in doc.spans[PLACE_SPANS] if s.start >= sent.start and s.end <= sent.end]
    return [e for e in sent.ents if e.label_ in {"GPE", "LOC", "FAC"}]


def _nearest_place(sent: Span, tok: Token) -> str | None:
    spans = _place_spans(sent)
    if not spans:
        return None
    best = min(spans, key=lambda s: abs(s.start - tok.i))
    return best.text


def _distances(sent: Span, rules: NumberRules) -> list[tuple[int, Figure]]:
    """ "12 kilometres (7 miles) away from Hama city", "within 10 km of Hama": distance to a named place."""
    doc = sent.doc
    qmap = _quantities_with_units(sent, rules)
    out: list[tuple[int, Figure]] = []
    used_units: set[int] = set()
    for unit_i, qty in qmap:
        unit = doc[unit_i]
        if unit_i in used_units:
            continue
        used_units.add(unit_i)
        if unit.dep_ == "appos" and unit.head.lower_ in rules.distance_units:
            continue
        factor = rules.distance_units[unit.lower_]
        place, end = _place_after(sent, unit_i, rules)
        out.append(
            (
                qty.start,
                Figure(
                    kind="distance_km",
                    value=round(qty.best * factor, 3),
                    low=round(qty.low * factor, 3),
                    high=round(qty.high * factor, 3) if qty.high is not None else None,
                    unit="km",
                    place=place,
                    evidence=[_evidence(doc, [qty.start, end - 1])],
                ),
            )
        )
    return out


def _quantities_with_units(sent: Span, rules: NumberRules) -> list[tuple[int, _Quantity]]:
    doc = sent.doc
    out: list[tuple[int, _Quantity]] = []
    # A unit word may be glued to its number ("10km").
    if not phrase_pattern(tuple(rules.distance_units), before="(?<![a-z])").search(span_text(sent).lower()):
        return out  # most sentences name no distance: skip the token walk
    i = sent.start
    while i < sent.end:
        parsed = _number_at(doc, i, sent.end, rules)
        if parsed is None:
            i += 1
            continue
        value, j = parsed
        unit_i = j + 1 if j < sent.end and doc[j].text == "-" else j
        if unit_i < sent.end and doc[unit_i].lower_ in rules.distance_units:
            if doc[unit_i].lower_ == "m" and doc[unit_i].whitespace_ == "" and unit_i + 1 < sent.end:
                i = j
                continue
            kind, begin = _qualifier(doc, i, sent.start, rules)
            qty = _Quantity(begin, j, value, 0.0 if kind == "max" else value, value)
            out.append((unit_i, qty))
        i = j
    return out


def _name_like(tok: Token) -> bool:
    # The tagger often takes an Arabic place name for a common noun ("Homs"); a capital letter is a name.
    return tok.pos_ == "PROPN" or tok.ent_type_ in {"GPE", "LOC", "FAC"} or (tok.is_title and tok.is_alpha)


def _place_after(sent: Span, unit_i: int, rules: NumberRules) -> tuple[str | None, int]:
    """The place a distance is measured from: the proper name after "from"/"of", skipping "(6 miles) away"."""
    doc = sent.doc
    k = unit_i + 1
    depth = 0
    seen_prep = False
    while k < sent.end and k < unit_i + 14:
        tok = doc[k]
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        elif depth > 0:
            pass
        elif tok.lower_ in rules.distance_prepositions:
            seen_prep = True
        elif tok.lower_ in rules.distance_fillers or tok.like_num or tok.lower_ in rules.distance_units:
            pass
        elif seen_prep and _name_like(tok):
            end = k
            while end < sent.end and (
                _name_like(doc[end])
                or (doc[end].text in {"-", "'s"} and end + 1 < sent.end and _name_like(doc[end + 1]))
            ):
                end += 1
            words = list(doc[k:end])
            while len(words) > 1 and words[-1].lower_ in rules.place_suffixes:
                words.pop()
            return doc[words[0].i : words[-1].i + 1].text, end
        else:
            break
        k += 1
    return None, unit_i + 1
