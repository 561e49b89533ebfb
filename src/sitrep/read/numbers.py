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
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from ..models import Evidence
from ..nlp import span_text, token_table
from .number_rules import Fatalities, NumberRules, RunningTallyCues, load_number_rules
from .quantities import _evidence, _number_at, _quantities, _Quantity
from .victim_groups import _Group, _groups

logger = logging.getLogger(__name__)


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
