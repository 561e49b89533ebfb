"""Groups of number reading: who, how many, under which kind: the victims of each cue, counted with their
quantities ("two soldiers and a civilian" is 3), and the cues that share them ("killed and wounded 7")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from ..nlp import CACHE_PREFIX
from .casualty_cues import _NOUNISH, _PEOPLE_KINDS, _background, _counted_apart, _Cue, _cues
from .number_rules import NumberRules
from .quantities import _quantities, _Quantity

_RELATIVES = frozenset({"who", "that", "which", "whom"})
_SINGULAR_PRONOUNS = frozenset({"he", "she", "him", "her", "himself", "herself", "i", "me"})
_ALTERNATIVE = {"killed": "injured", "injured": "killed"}
_JOINERS = frozenset({",", "/", "and", "or", "&", "-"})


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
        victims = _own_victims(cue, cue_tokens)
        made = _make_groups(cue, _expand(victims, others, rules.total_nouns), qmap, rules, seen)
        if not made and not any((cue.kind, v.i) in seen for v in cue.victims):
            nearby = _expand(_nearby_victims(cue, rules), others, rules.total_nouns)
            made = _make_groups(cue, nearby, qmap, rules, seen)
        partners = [c for c in cues if c.kind == _ALTERNATIVE.get(cue.kind)]
        for group in made:
            group.ambiguous = bool(partners) and _ambiguous(cue, group.noun, partners)
            groups.append(group)
    return groups


def _own_victims(cue: _Cue, cue_tokens: dict[str, set[int]]) -> list[Token]:
    """A cue's victims, but for a count that the next word (or the word itself) says suffered something else. The
    parse reads a headline's list of tolls, "One person killed 16 others injured" or "3 killed 12 injured", as
    "person" killing "16 others": the participle tells what befell them, and the subject is who was killed."""
    other_cues = set().union(*(t for kind, t in cue_tokens.items() if kind != cue.kind and kind in _PEOPLE_KINDS))
    told_apart = {
        v.i for v in cue.victims
        if v.i + 1 in other_cues or (v.i in other_cues and any(c.dep_ == "nummod" for c in v.children))
    }  # fmt: skip
    if not told_apart:
        return cue.victims
    subjects = [c for c in cue.token.children if c.dep_ == "nsubj"] if cue.kind in _PEOPLE_KINDS else []
    return [v for v in cue.victims if v.i not in told_apart] + subjects


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
