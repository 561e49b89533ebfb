"""Cues of number reading: the words that say what happened to whom ("killed", "wounded", "arrested"), the
victims each is about, and whether a cue tells background rather than the event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from ..nlp import CACHE_PREFIX, token_table
from .number_rules import NumberRules
from .quantities import _YEAR

_NOUNISH = frozenset({"NOUN", "PROPN", "PRON", "NUM"})
_OBJECTS = frozenset({"dobj", "obj", "attr", "oprd"})
_NOMINAL_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "attr", "appos", "ROOT", "npadvmod"})
_VICTIM_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "obj"})
# Kinds that count people: their cues are skipped when they tell background (a cause, an attempt, a disease).
_PEOPLE_KINDS = frozenset({"killed", "injured", "casualties", "displaced", "arrested", "abducted"})
# Dependencies that end a clause: a cause word above them belongs to another clause.
_CLAUSE_DEPS = frozenset({"ROOT", "conj", "advcl", "ccomp", "parataxis", "relcl"})


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


def _counted_apart(cue_token: Token) -> bool:
    """ "two were killed and several wounded": a cue with its own count before it is about other people (the
    parser may hang a bare number on it as anything: "three dead and 15 more injured")."""
    return any(
        child.i < cue_token.i and (child.dep_ in {"amod", "nummod", "nsubj", "nsubjpass"} or child.like_num)
        for child in cue_token.children
    )
