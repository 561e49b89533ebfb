"""Modality: whether the event a sentence tells happened (reported), is only claimed by a party to it, is
denied, is a plan or threat, or is background from well before the news.

A cue counts when it governs the event word (the trigger): it sits on the path from the trigger up to the
sentence root ("vowed to retake", "gearing up for a counter-attack", "denied that it had struck"), or it is
the trigger's auxiliary ("will attack"). Years count when they belong to the trigger's own clause, not to a
phrase describing someone ("HTS, founded in 2017, captured ..." is news). Cue words live in
`data/modality.yaml`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from spacy.tokens import Span, Token

from ..datafiles import data_path, read_data_model
from ..models import Modality
from ..nlp import token_table
from .attribution import ClaimantRules, find_claimant_mentions, load_claimant_rules

logger = logging.getLogger(__name__)

MODALITY_FILE = "modality.yaml"
_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")
_DESCRIBING = frozenset({"relcl", "acl", "appos"})
_THIRD_PARTY_KINDS = frozenset({"monitor", "media", "un", "ngo"})


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlannedCues(_Frozen):
    verbs: frozenset[str]
    auxiliaries: frozenset[str]
    nouns: frozenset[str]
    phrases: tuple[str, ...]


class DeniedCues(_Frozen):
    verbs: frozenset[str]
    nouns: frozenset[str]


class ClaimedCues(_Frozen):
    verbs: frozenset[str]
    exceptions: frozenset[str]
    report_verbs: frozenset[str]
    self_pronouns: frozenset[str]


class HistoricalCues(_Frozen):
    adverbs: frozenset[str]
    phrases: tuple[str, ...]
    min_years_before: int = 1


class ModalityRules(_Frozen):
    """`data/modality.yaml`, validated."""

    planned: PlannedCues
    denied: DeniedCues
    claimed: ClaimedCues
    historical: HistoricalCues


@lru_cache(maxsize=8)
def load_modality_rules(path: str | Path | None = None) -> ModalityRules:
    """Read and validate the modality cues (`data/modality.yaml` by default).

    Args:
        path: Another YAML file with the same layout.

    Returns:
        The validated rules; cached per path.

    Raises:
        DataFileError: The file cannot be read or an entry is malformed.
    """
    file = Path(path) if path else data_path(MODALITY_FILE)
    return read_data_model(file, ModalityRules)


def find_modality(
    sent: Span,
    *,
    trigger: Token | Span | None = None,
    published: dt.date | None = None,
    rules: ModalityRules | None = None,
    claimants: ClaimantRules | None = None,
) -> Modality:
    """Whether the event of a sentence happened, as the sentence tells it.

    Checked in this order: denied ("the army denied that ..."), planned ("vowed to", "will", "gearing up
    for"), historical (a year before publication in the trigger's clause, "formerly"), claimed (a party
    reports its own action: "HTS said it had captured"), else reported.

    Args:
        sent: A sentence of a parsed Doc.
        trigger: The event word (or phrase) the modality is about; the sentence root by default.
        published: The publication date, to tell a background year ("in 2015") from the news.
        rules: Modality cues; the packaged `data/modality.yaml` by default.
        claimants: Claimant rules, to know whether a reporting subject is a party to the fighting.

    Returns:
        One of "reported", "claimed", "denied", "planned", "historical".
    """
    rules = rules or load_modality_rules()
    anchor = _anchor(sent, trigger, rules)
    path = _path(anchor, sent)
    if _denied(path, rules):
        return "denied"
    if _planned(anchor, path, rules):
        return "planned"
    if _historical(anchor, path, published, rules):
        return "historical"
    if _claimed(path, rules, claimants or load_claimant_rules()):
        return "claimed"
    return "reported"


def _anchor(sent: Span, trigger: Token | Span | None, rules: ModalityRules) -> Token:
    if isinstance(trigger, Span):
        return trigger.root
    if trigger is not None:
        return trigger
    # With no trigger, the event is what a cue verb at the root governs: "vowed to retake", "said it had
    # captured", "gearing up for a counter-attack".
    cue_verbs = rules.planned.verbs | rules.denied.verbs | rules.claimed.verbs | rules.claimed.report_verbs
    tok = sent.root
    for _ in range(4):
        if tok.lemma_.lower() not in cue_verbs:
            break
        below = [c for c in tok.children if c.dep_ in {"xcomp", "ccomp"}]
        if not below:
            objects = [c for c in tok.children if c.dep_ in {"dobj", "obj"}]
            preps = [g for c in tok.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"]
            below = [*objects, *preps]
            # "rejected claims that ...": the clause hangs on the object.
            below = [g for b in below for g in b.children if g.dep_ in {"acl", "ccomp", "relcl"}] or below
        if not below:
            break
        tok = below[0]
    return tok


def _path(anchor: Token, sent: Span) -> list[tuple[Token, str]]:
    """The trigger and its heads up to the root, each with the dependency that led up to it."""
    out = [(anchor, "")]
    tok = anchor
    while tok.head.i != tok.i and sent.start <= tok.head.i < sent.end:
        out.append((tok.head, tok.dep_))
        tok = tok.head
    return out


def _denied(path: list[tuple[Token, str]], rules: ModalityRules) -> bool:
    cues = rules.denied
    return any(
        node.lemma_.lower() in cues.verbs or (node.pos_ == "NOUN" and node.lemma_.lower() in cues.nouns)
        for node, via in path[1:]
        if via not in {"conj", "nsubj", "nsubjpass"}
    )


def _planned(anchor: Token, path: list[tuple[Token, str]], rules: ModalityRules) -> bool:
    cues = rules.planned
    # Auxiliaries of the trigger and of the verbs it is the complement of ("will try to take").
    for node, via in path:
        if via not in {"", "xcomp"}:
            break
        if any(c.dep_ in {"aux", "auxpass"} and c.lower_ in cues.auxiliaries for c in node.children):
            return True
    for node, via in path[1:]:
        # A clause told as a whole ("students protested ..., they also called for help") keeps its own tense: only
        # its auxiliaries, above, make it a plan.
        if via in {"conj", "nsubj", "nsubjpass", "ccomp"}:
            break
        lemma = node.lemma_.lower()
        if node.pos_ in {"VERB", "AUX", "ADJ"} and lemma in cues.verbs:
            return True
        if node.pos_ == "NOUN" and lemma in cues.nouns:
            return True
    doc = anchor.doc
    before = " ".join(t.lower_ for t in doc[max(anchor.sent.start, anchor.i - 5) : anchor.i])
    return any(before.endswith(phrase) for phrase in cues.phrases)


def _historical(anchor: Token, path: list[tuple[Token, str]], published: dt.date | None, rules: ModalityRules) -> bool:
    cues = rules.historical
    clause_nodes = []
    for node, via in path:
        if via == "ccomp":
            break
        clause_nodes.append(node)
    for node in clause_nodes:
        if any(c.dep_ == "advmod" and c.lower_ in cues.adverbs for c in node.children):
            return True
    top = clause_nodes[-1] if clause_nodes else anchor
    if not _may_be_past(top, published, cues):
        return False
    clause = _clause_tokens(top)
    on_path = {node.i for node in clause_nodes}
    # The phrase must tell of the event, not of a side clause: "relatives stranded since the start of the
    # outbreak" does not make the protest about them history.
    if any(_attaches_to(tok, on_path) for tok in _phrase_starts(clause, cues.phrases)):
        return True
    if published is None:
        return False
    for tok in clause:
        if not _YEAR.match(tok.text):
            continue
        if int(tok.text) > published.year - cues.min_years_before or _counts_things(tok):
            continue
        if _attaches_to(tok, on_path):
            return True
    return False


def _may_be_past(head: Token, published: dt.date | None, cues: HistoricalCues) -> bool:
    """Whether a clause may hold a past phrase or an earlier year: the words between its edges (a superset of its
    own) hold every part of some phrase, or such a year. Most clauses hold neither, and `_historical` then need not
    walk the clause's parse."""
    table = token_table(head.doc)
    first, last = head.left_edge.i, head.right_edge.i + 1
    words = "\x00".join(table.lower[first:last])  # a part of a phrase has no NUL, so it lies inside one word
    if any(all(part in words for part in phrase.split()) for phrase in cues.phrases):
        return True
    latest = published.year - cues.min_years_before if published is not None else None
    return latest is not None and any(_YEAR.match(w) and int(w) <= latest for w in table.words[first:last])


def _counts_things(tok: Token) -> bool:
    """Whether a number counts a plural noun ("more than 2000 workers"); "the 2015 elections" keeps its year."""
    head = tok.head
    return (
        tok.dep_ == "nummod"
        and head.tag_ == "NNS"
        and not any(c.dep_ == "det" and c.lower_ == "the" for c in head.children)
    )


def _clause_tokens(head: Token) -> list[Token]:
    """A clause without the phrases that describe its participants (relative clauses, appositions)."""
    skip: set[int] = set()
    for tok in head.subtree:
        if tok.dep_ in _DESCRIBING and tok.i != head.i:
            skip.update(t.i for t in tok.subtree)
    return [t for t in head.subtree if t.i not in skip]


def _phrase_starts(clause: list[Token], phrases: tuple[str, ...]) -> list[Token]:
    """The first word of each place in `clause` where one of `phrases` is spelled out, word by word."""
    words = [t.lower_ for t in clause]
    starts = []
    for phrase in phrases:
        parts = phrase.split()
        starts += [clause[i] for i in range(len(words) - len(parts) + 1) if words[i : i + len(parts)] == parts]
    return starts


def _attaches_to(tok: Token, nodes: set[int]) -> bool:
    """True when `tok` hangs on one of `nodes` without passing through a describing phrase or a side action."""
    cur = tok
    for _ in range(12):
        if cur.i in nodes:
            return True
        if cur.dep_ in _DESCRIBING or _side_action(cur) or cur.head.i == cur.i:
            return False
        cur = cur.head
    return False


def _side_action(tok: Token) -> bool:
    """A participle clause beside the event ("..., demanding their return since the war began"): its time phrases
    date that action. A clause with a marker ("since the war began in 2011") dates the event itself."""
    return tok.dep_ == "advcl" and not any(c.dep_ == "mark" for c in tok.children)


def _claimed(path: list[tuple[Token, str]], rules: ModalityRules, claimants: ClaimantRules) -> bool:
    cues = rules.claimed
    below = path[0][0]
    for node, via in path[1:]:
        lemma = node.lemma_.lower()
        if via in {"ccomp", "xcomp", "dobj"} and lemma in cues.verbs:
            objects = [c for c in node.children if c.dep_ in {"dobj", "obj"}]
            if not any(o.lemma_.lower() in cues.exceptions for o in objects):
                return True
        if via == "ccomp" and lemma in cues.report_verbs:
            subject = next((c for c in node.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
            if subject is not None and _self_report(subject, below, cues, claimants):
                return True
        below = node
    return False


def _self_report(subject: Token, clause: Token, cues: ClaimedCues, claimants: ClaimantRules) -> bool:
    """True when a reporting subject tells its own action: a party, or "X said it/its forces ..."."""
    subject_text = " ".join(t.text for t in subject.subtree)
    mentions = find_claimant_mentions(subject_text, rules=claimants)
    if mentions:
        if mentions[0][2].kind == "party":
            return True
        if mentions[0][2].kind in _THIRD_PARTY_KINDS:
            return False
    actor = next((c for c in clause.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    if actor is None:
        return False
    if actor.lower_ in cues.self_pronouns and actor.lower_ not in {"he", "she", "i"}:
        return True
    if any(c.dep_ == "poss" and c.lower_ in cues.self_pronouns for c in actor.children):
        return True
    return actor.lemma_.lower() == subject.lemma_.lower() and actor.pos_ != "PRON"
