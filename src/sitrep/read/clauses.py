"""How a sentence tells events: its coordinated clauses, a running tally over a period, a death word that only
counts the harmed, a subject that refers back to an event already told."""

from __future__ import annotations

import itertools

from spacy.tokens import Span, Token

from .numbers import counts_over_a_period
from .triggers import Label


def clauses(sent: Span) -> list[Span]:
    """The sentence cut before each coordinated clause that has a subject of its own."""
    cuts = sorted(
        t.left_edge.i
        for t in sent
        if t.dep_ == "conj" and t.pos_ in ("VERB", "AUX") and any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children)
    )
    bounds = [sent.start, *(c for c in cuts if sent.start < c < sent.end), sent.end]
    doc = sent.doc
    return [doc[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def running_tally(sent: Span, label: Label, death_lemmas: frozenset[str]) -> bool:
    """Whether a later sentence only counts over a period ("826 people have been killed since the offensive
    began", "the city has come under bombardment since Wednesday"): a figure, not one event.

    The trigger must be a death or a noun (many strikes), and its verb perfect and itself running over the
    period: "since" elsewhere ("killed in the town, besieged since March"), a causal "since" ("protested since
    they are not paid") and ongoing action ("have been demonstrating since Monday") do not count. The first
    sentence of a document tells its news, whatever its tense.
    """
    trigger = label.trigger
    if sent.start == 0 or trigger is None:
        return False
    if trigger.pos_ in ("VERB", "AUX") and trigger.lemma_.lower() not in death_lemmas:
        return False
    verb = trigger
    # A trigger noun ("bombardment", "raids") belongs to the verb it hangs off.
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        if verb.dep_ not in ("dobj", "obj", "pobj", "prep", "attr", "nsubj", "nsubjpass", "compound", "amod"):
            return False
        verb = verb.head
    if verb.pos_ not in ("VERB", "AUX") or not any(c.dep_ == "aux" and c.lemma_ == "have" for c in verb.children):
        return False
    return counts_over_a_period(verb)


def death_word(label: Label, death_lemmas: frozenset[str]) -> Token | None:
    """The label's trigger when it is a death or injury word ("killed", "wounded")."""
    trigger = label.trigger
    return trigger if trigger is not None and trigger.lemma_.lower() in death_lemmas else None


def toll_only(trigger: Token | None) -> bool:
    """Whether a death or injury word only counts the harmed ("four people were killed"): nobody is its subject
    ("its forces killed hundreds" names who did it). False for no word."""
    if trigger is None:
        return False
    verb = trigger
    while verb.dep_ == "conj" and not any(c.dep_ == "nsubj" for c in verb.children):
        verb = verb.head  # "destroyed drones and killed hundreds": the subject is the first verb's
    return not any(c.dep_ == "nsubj" and c.pos_ in ("NOUN", "PROPN", "PRON") for c in verb.children)


def refers_back(sent: Span, event_nouns: frozenset[str]) -> bool:
    """A subject or a preposition's object such as "the strike", "this attack" or "these raids" ("five were killed
    in the attack", "as a result of these strikes"): the sentence tells more of an event already named."""
    return any(
        t.dep_ in ("nsubj", "nsubjpass", "pobj")
        and t.lemma_.lower() in event_nouns
        and any(c.dep_ == "det" and c.lower_ in ("the", "this", "that", "these", "those") for c in t.children)
        for t in sent
    )
