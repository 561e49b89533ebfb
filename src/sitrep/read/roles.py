"""Roles: which actor mention of a sentence is actor1 (who acted) and which is actor2 (who it was done to).

The parse decides first: the agent of a passive ("struck by Russian jets"), the subject of the event verb, the
object or the target after "against", "on", "targeting". Failing that, the order of mention.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from spacy.tokens import Span, Token

from ..models import Evidence
from ..nlp import span_text

_SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj"}
_OBJECT_DEPS = {"dobj", "obj", "attr", "dative"}
_TARGET_PREPS = {"against", "on", "targeting", "at", "with", "between"}
_MEMBER_PREPS = {"including"}  # "killed four civilians, including a child": one of them, never the one who acted


def assign_roles(
    sent: Span,
    actors: Sequence[Span],
    trigger: Token | None,
    *,
    support_verbs: frozenset[str] = frozenset(),
    blame_verbs: frozenset[str] = frozenset(),
    speech_verbs: frozenset[str] = frozenset(),
    allied_conjuncts: bool = False,
) -> tuple[Span | None, Span | None, list[Span]]:
    """Pick actor1 and actor2 among the actor spans of a sentence, and the supporters of actor1.

    Args:
        sent: The sentence.
        actors: Actor mentions inside the sentence (each span's `id_` is its canonical name).
        trigger: The event's trigger token, when the classifier found one.
        support_verbs: Lemmas after which "by X" names a supporter ("backed by Russian forces").
        blame_verbs: Lemmas after which "on X" or "to X" names who acted ("blamed on the Syrian regime").
        speech_verbs: Lemmas whose subject is a source, not an actor ("residents said").
        allied_conjuncts: Actors in one noun phrase with actor1 ("Russian and Syrian jets struck") act together:
            they are supporters, not actor2. False for events whose verb is mutual ("rebels and troops clashed").

    Returns:
        (actor1, actor2, supporters); either actor may be `None`; two mentions of one actor are never both.
    """
    roles = {id(span): _role(span, support_verbs, blame_verbs, trigger) for span in actors}
    supporters = [s for s in actors if roles[id(s)] == "support"]
    # "an offensive against SDF-held areas": who holds the place hit, when nobody else was.
    holders = [s for s in actors if roles[id(s)] == "modifier" and _describes_a_target(s)]
    actors = [s for s in actors if roles[id(s)] not in ("support", "modifier")]
    if not actors:
        return None, None, supporters
    if not allied_conjuncts:
        # "clashes between Pokot and Turkana herders": the two sides, whoever else the sentence names.
        between = [s for s in actors if (a := mention_anchor(s)).dep_ == "pobj" and a.head.lower_ == "between"]
        sides = list({s.id_: s for s in reversed(between)}.values())[::-1]
        if len(sides) >= 2:
            return sides[0], sides[1], [s for s in supporters if s.id_ not in (sides[0].id_, sides[1].id_)]
    clause = _clause_verbs(trigger)
    agents = [s for s in actors if roles[id(s)] == "agent"]
    subjects = [s for s in actors if roles[id(s)] == "subject"]
    # The subject of the event's own verb comes before the trigger's implied actor; the subject of another verb
    # ("as the government responded", "the army said") after it.
    own = [
        s for s in subjects if (verb := mention_anchor(s).head).i in clause and verb.lemma_.lower() not in speech_verbs
    ]
    implied = [s for s in actors if roles[id(s)] == "implied"]
    targets = [s for s in actors if roles[id(s)] == "target"]
    leads = agents or own or implied or subjects
    actor1 = leads[0] if leads else next((s for s in actors if roles[id(s)] not in ("target", "member")), None)
    if allied_conjuncts and actor1 is not None:
        anchor = mention_anchor(actor1).i
        allies = [s for s in actors if s.id_ != actor1.id_ and mention_anchor(s).i == anchor]
        supporters.extend(allies)
        actors = [s for s in actors if all(s is not a for a in allies)]
        targets = [s for s in targets if all(s is not a for a in allies)]
    if actor1 is not None and roles[id(actor1)] != "implied":
        # The trigger's own actor ("airstrikes") acts with actor1; it is not what actor1 acted on.
        supporters.extend(s for s in implied if s.id_ != actor1.id_)
        actors = [s for s in actors if roles[id(s)] != "implied"]
    rest = [s for s in targets or holders if actor1 is None or s.id_ != actor1.id_]
    if not rest:
        # "..., residents said": who tells of the event after telling it may act in it (actor1, above), but was not
        # acted on. ("Women reported being attacked": the speech verb comes first, its subject may be the victim.)
        speakers = {id(s) for s in subjects if _tells_after(mention_anchor(s).head, trigger, speech_verbs)}
        rest = [s for s in actors if (actor1 is None or s.id_ != actor1.id_) and id(s) not in speakers]
    actor2 = rest[0] if rest else None
    if actor1 is None and actor2 is not None and not targets:
        actor1, actor2 = actor2, None
    named = {s.id_ for s in (actor1, actor2) if s is not None}
    return actor1, actor2, [s for s in supporters if s.id_ not in named]


def _describes_a_target(span: Span) -> bool:
    place = span.root.head.head  # "SDF" -> "held" -> "areas"
    return place.dep_ in _OBJECT_DEPS or (place.dep_ == "pobj" and place.head.lower_ in _TARGET_PREPS)


def _tells_after(verb: Token, trigger: Token | None, speech_verbs: frozenset[str]) -> bool:
    return trigger is not None and verb.i > trigger.i and verb.lemma_.lower() in speech_verbs


def mention_anchor(span: Span) -> Token:
    """The token that carries a mention's dependency, reached through compounds, modifiers and conjunctions: one
    token for all the actors of one noun phrase ("Russian and Syrian jets", "HTS and allied groups")."""
    head = span.root
    while head.dep_ in {"compound", "amod", "appos", "conj", "poss", "nmod"} and head.head.i != head.i:
        head = head.head
    return head


def _clause_verbs(trigger: Token | None) -> set[int]:
    """The indices of the verb the trigger belongs to and the verbs coordinated with it."""
    verb = trigger
    while verb is not None and verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    if verb is None or verb.pos_ not in ("VERB", "AUX"):
        return set()
    verbs = {verb, *verb.conjuncts}
    return {v.i for v in verbs}


def _role(span: Span, support_verbs: frozenset[str], blame_verbs: frozenset[str], trigger: Token | None) -> str:
    """'agent', 'subject', 'implied', 'target', 'support', 'modifier', 'member' or 'other' for one mention, from its
    head's place in the parse."""
    if trigger is not None and span.start <= trigger.i < span.end:
        return "implied"  # the trigger word names its own actor: "airstrikes" are the air force's
    head = span.root
    if head.dep_ in ("npadvmod", "amod") and head.head.dep_ == "amod":
        return "modifier"  # "rebel-held": describes a place, does not act
    # Walk up through compounds, appositions and conjunctions to the token that carries the dependency.
    while head.dep_ in {"compound", "amod", "appos", "conj", "poss", "nmod"} and head.head.i != head.i:
        head = head.head
    if head.dep_ == "pobj" and head.head.dep_ == "agent":
        # "the government, backed by Russian forces": a supporter, not the one who acted.
        return "support" if head.head.head.lemma_.lower() in support_verbs else "agent"
    if head.dep_ in _SUBJECT_DEPS:
        if head.dep_ == "nsubjpass":
            return "target"
        return "subject"
    if head.dep_ in _OBJECT_DEPS:
        return "target"
    if head.dep_ == "pobj" and head.head.lower_ == "by":
        return "support" if head.head.head.lemma_.lower() in support_verbs else "agent"
    if head.dep_ == "pobj" and head.head.lower_ in {"on", "to"} and head.head.head.lemma_.lower() in blame_verbs:
        return "agent"
    if head.dep_ == "pobj" and head.head.lower_ in _TARGET_PREPS:
        return "target"
    if head.dep_ == "pobj" and head.head.lower_ in _MEMBER_PREPS:
        return "member"
    return "other"


def actor_evidence(
    field: str, name: str | None, mentions: Sequence[Span], named: Callable[[Span], set[str]]
) -> Evidence | None:
    """The mention that names a report's actor (`field` "actor1" or "actor2"): the first of `mentions` (the
    chosen role's span first) whose actor, or its parent, is `name`. Roles move after the parse (a victim named
    as the subject of a strike, a unit coded as its parent), so the mention is found by the name that was kept;
    none for a generic actor no words name.

    Args:
        field: The report field.
        name: The actor's name in the report.
        mentions: Candidate mentions, in order of preference.
        named: The names a mention may stand for.
    """
    if not name:
        return None
    for span in mentions:
        if name in named(span):
            return Evidence(text=span_text(span), start=span.start_char, end=span.end_char, field=field)
    return None
