"""Figures other than deaths: injured, displaced, arrested, towns captured, aircraft, distances, with the
place a distance is measured from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from spacy.tokens import Span, Token

from ..datafiles import phrase_pattern
from ..models import Figure
from ..nlp import PLACE_SPANS, span_text
from .attribution import find_attribution, find_claimant_mentions
from .number_rules import NumberRules, load_number_rules
from .quantities import _evidence, _number_at, _qualifier, _Quantity
from .victim_groups import _groups, _sentence_parts

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
    earlier: Sequence[Figure] = (),
) -> list[Figure]:
    """Every stated figure of a sentence: killed, injured, displaced, arrested, towns captured, distances ...

    Args:
        sent: A sentence of a parsed Doc.
        published: The publication date; figures are dated to it (the caller may redate them to the event).
        claimant: Who the figures are credited to; when None and `attribute` is set, the sentence's own
            attribution ("according to the UN") fills it.
        attribute: Look up the claimant with `find_attribution` when none is given.
        rules: Number rules; the packaged `data/numbers.yaml` by default.
        earlier: The document's figures before this sentence: the statistic a restatement in it refers to, when
            the sentence tells none before it ("WFP put the number at 12,000").

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
    figures += _restatements(sent, figures, earlier, rules, claimant)
    figures.sort(key=lambda pair: pair[0])
    return [f for _, f in figures]


def _restatements(
    sent: Span,
    figures: Sequence[tuple[int, Figure]],
    earlier: Sequence[Figure],
    rules: NumberRules,
    claimant: str | None,
) -> list[tuple[int, Figure]]:
    """ "OCHA said 9,000 people had fled, while WFP put the number at about 12,000": another claimant's figure for
    the statistic told before it (its kind, place and day), credited to the subject of its verb."""
    cues = rules.restatements
    if not any(t.lemma_.lower() in cues.verbs for t in sent):
        return []  # most sentences restate nothing: skip the rest
    doc = sent.doc
    qmap, _cues = _sentence_parts(sent, rules)
    counted = [(e.start, e.end) for _start, figure in figures for e in figure.evidence]
    out: list[tuple[int, Figure]] = []
    for verb in sent:
        if verb.lemma_.lower() not in cues.verbs or verb.pos_ not in {"VERB", "AUX"}:
            continue
        objects = [c for c in verb.children if c.dep_ in {"dobj", "obj", "nsubjpass"} and _definite(c, cues.nouns)]
        preps = [c for o in objects for c in (*verb.children, *o.children) if c.dep_ == "prep"]
        numbers = [g for p in preps if p.lower_ in cues.prepositions for g in p.children if g.i in qmap]
        if not objects or not numbers:
            continue
        qty = qmap[numbers[0].i]
        if any(start <= doc[qty.start].idx < end for start, end in counted):
            continue  # the number already counts something of its own
        told = [f for start, f in figures if start < verb.i] or list(earlier)
        antecedent = next((f for f in reversed(told) if f.kind != "distance_km"), None)
        if antecedent is None:
            continue
        subject = next((c for c in verb.children if c.dep_ in {"nsubj", "agent"}), None)
        first = subject.left_edge.i if subject is not None else verb.i
        # A subject that no claim resolves is someone else than the sentence's claimant: unattributed, not theirs.
        who = _claimant_at(sent, verb, subject) or (claimant if subject is None else None)
        update = {"value": qty.best, "low": qty.low, "high": qty.high, "claimant": who,
                  "evidence": [_evidence(doc, [first, qty.end - 1])]}  # fmt: skip
        out.append((qty.start, antecedent.model_copy(update=update)))
    return out


def _definite(noun: Token, nouns: frozenset[str]) -> bool:
    """ "the number", "its estimate": a noun that points back to a figure already told."""
    if noun.lemma_.lower() not in nouns:
        return False
    return any(c.dep_ in {"det", "poss"} and c.lower_ not in {"a", "an", "no", "any"} for c in noun.children)


def _claimant_at(sent: Span, verb: Token, subject: Token | None) -> str | None:
    """Who the verb's subject is ("WFP put ..."): a known claimant it names, else whom the claim of that verb
    credits ("the agency put ..." after a UN agency was named)."""
    if subject is not None:
        mentions = find_claimant_mentions(span_text(sent.doc[subject.left_edge.i : subject.right_edge.i + 1]))
        if mentions:
            return mentions[0][2].name
    for claim in find_attribution(sent, doc=sent.doc):
        if claim.evidence.start <= verb.idx < claim.evidence.end:
            return claim.claimant
    return None


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
