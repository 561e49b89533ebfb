"""Attribution: who a sentence says is making its claim ("according to SOHR", "SANA reported", "the UN estimates").

A claim comes from a cue: a preposition phrase ("according to X", "citing X"), a reporting verb whose subject
(or "by" agent) is X ("X said", "X, a war monitor, reported", "was reported by X"), or a report noun that names
X ("UN estimates", "SOHR's tally", "a statement from X"). X becomes a canonical claimant when one of the aliases
in `data/claimants.yaml` occurs in it; otherwise the phrase itself comes back (`known=False`), so an
organisation missing from the file still shows. Pronoun subjects ("it said") and definite descriptions ("the
monitor said") are resolved against the earlier text when a document is given.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator
from spacy.tokens import Doc, Span, Token

from ..datafiles import data_path, read_yaml_mapping
from ..errors import DataFileError, Errors
from ..models import Evidence
from ..nlp import span_text, token_table

logger = logging.getLogger(__name__)

CLAIMANTS_FILE = "claimants.yaml"
_NAME_LABELS = frozenset({"ORG", "PERSON", "NORP", "GPE"})


# ---------------------------------------------------------------------------------------------------------
# The data file
# ---------------------------------------------------------------------------------------------------------


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Claimant(_Frozen):
    """A canonical claimant and the names the news uses for it."""

    name: str = Field(min_length=1)
    kind: str = Field(pattern=r"^(monitor|media|un|ngo|government|party)$")
    aliases: tuple[str, ...] = Field(min_length=1)

    @field_validator("aliases")
    @classmethod
    def _no_blank(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not alias.strip() for alias in value):
            raise ValueError("an alias is blank")
        return value


class CueWords(_Frozen):
    """The words that attribute a statement (lower case; verbs and nouns are lemmas)."""

    verbs: frozenset[str]
    object_verbs: frozenset[str]
    nouns: frozenset[str]
    prepositions: tuple[str, ...]
    empty_subjects: frozenset[str]


@dataclass(frozen=True)
class _AliasIndex:
    pattern: re.Pattern[str]
    by_alias: dict[str, Claimant]


class ClaimantRules(_Frozen):
    """`data/claimants.yaml`, validated, with its aliases compiled into one pattern."""

    claimants: tuple[Claimant, ...]
    kind_nouns: dict[str, frozenset[str]]
    cues: CueWords
    _index: _AliasIndex | None = PrivateAttr(default=None)

    def model_post_init(self, context: object, /) -> None:
        self._index = _build_index(self.claimants)

    @property
    def index(self) -> _AliasIndex:
        if self._index is None:
            self._index = _build_index(self.claimants)
        return self._index


class Claim(BaseModel):
    """One attribution in a sentence: who claims, by which cue, and the text that says so."""

    claimant: str = Field(description="Canonical name, or the phrase itself when no alias matches.")
    cue: str = Field(description="The attributing words as written: 'according to', 'said', 'estimates'.")
    evidence: Evidence
    known: bool = Field(False, description="The claimant is one of data/claimants.yaml.")
    kind: str | None = Field(None, description="monitor, media, un, ngo, government or party, when known.")
    named: bool = Field(False, description="The claimant is a name (alias, entity, proper noun), not 'residents'.")


@lru_cache(maxsize=8)
def load_claimant_rules(path: str | Path | None = None) -> ClaimantRules:
    """Read and validate the claimants file (`data/claimants.yaml` by default).

    Args:
        path: Another YAML file with the same layout.

    Returns:
        The validated rules; cached per path.

    Raises:
        DataFileError: The file cannot be read, an entry is malformed, or an alias names two claimants.
    """
    file = Path(path) if path else data_path(CLAIMANTS_FILE)
    raw = read_yaml_mapping(file)
    try:
        rules = ClaimantRules.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        loc = [str(part) for part in first["loc"]]
        entry = loc[0]
        if loc[0] == "claimants" and len(loc) > 1 and loc[1].isdigit():
            items = raw.get("claimants") or []
            index = int(loc[1])
            entry = (
                str(items[index].get("name", index))
                if index < len(items) and isinstance(items[index], dict)
                else loc[1]
            )
        raise DataFileError(
            Errors.E011.format(path=file, entry=entry, field=".".join(loc[2:]) or loc[-1], reason=first["msg"])
        ) from e
    seen: dict[str, str] = {}
    for claimant in rules.claimants:
        for alias in claimant.aliases:
            key = _alias_key(alias)
            if key in seen and seen[key] != claimant.name:
                raise DataFileError(
                    Errors.E011.format(
                        path=file,
                        entry=claimant.name,
                        field="aliases",
                        reason=f"alias {alias!r} also names {seen[key]!r}",
                    )
                )
            seen[key] = claimant.name
    return rules


def _fold_first(alias: str) -> str:
    return alias[:1].lower() + alias[1:]


def _alias_key(alias: str) -> str:
    """How an alias is looked up: a name of several words in any case (news lower-cases "defence ministry"), a
    one-word name as written but for its first letter (an acronym: "WHO" is not "who")."""
    return alias.casefold() if len(alias.split()) > 1 else _fold_first(alias)


def _build_index(claimants: Sequence[Claimant]) -> _AliasIndex:
    by_alias: dict[str, Claimant] = {}
    for claimant in claimants:
        for alias in claimant.aliases:
            by_alias[_alias_key(alias)] = claimant
    parts = []
    for alias in sorted(by_alias, key=len, reverse=True):
        if len(alias.split()) > 1:
            parts.append(f"(?i:{re.escape(alias)})")
            continue
        first, rest = alias[:1], alias[1:]
        head = f"[{re.escape(first.lower())}{re.escape(first.upper())}]" if first.isalpha() else re.escape(first)
        parts.append(head + re.escape(rest))
    # Word edges by hand: "U.N." ends in a dot, where \b would fail.
    pattern = re.compile(r"(?<![\w'-])(?:" + "|".join(parts) + r")(?![\w-])")
    return _AliasIndex(pattern, by_alias)


def find_claimant_mentions(text: str, *, rules: ClaimantRules | None = None) -> list[tuple[int, int, Claimant]]:
    """Every alias of a known claimant in `text`, longest first at each place.

    Args:
        text: Any text.
        rules: Claimant rules; the packaged file by default.

    Returns:
        (start, end, claimant) for each mention, in text order.
    """
    rules = rules or load_claimant_rules()
    index = rules.index
    return [(m.start(), m.end(), index.by_alias[_alias_key(m.group(0))]) for m in index.pattern.finditer(text)]


# ---------------------------------------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------------------------------------


def find_attribution(
    sent: Span,
    *,
    doc: Doc | None = None,
    rules: ClaimantRules | None = None,
    previous: Sequence[Claim] = (),
) -> list[Claim]:
    """The claims a sentence makes: who it credits, and the words that credit them.

    Args:
        sent: A sentence of a parsed Doc.
        doc: The whole document; when given, "it said" and "the monitor said" are resolved to the last
            claimant named before the sentence.
        rules: Claimant rules; the packaged `data/claimants.yaml` by default.
        previous: The claims of the last sentence that had any: "It said" speaks for the first of them, even
            when that one is not a known claimant ("The defence ministry said ... It said ...").

    Returns:
        Claims in text order, one per claimant (the first cue wins); a source cited by another claimant
        ("citing a military source") comes after the claimant that cites it.
    """
    rules = rules or load_claimant_rules()
    found: list[Claim] = []
    for cue_text, cue_tokens, claimant_tokens in _cue_phrases(sent, rules):
        claim = _resolve(sent, cue_text, cue_tokens, claimant_tokens, rules, doc, previous)
        if claim is not None:
            found.append(claim)
    # "Citing a source, SANA said ...": the one who cites is the claimant; whom it cites comes after.
    secondary = set(rules.cues.object_verbs) | {"citing", "quoting"}
    found.sort(key=lambda c: (c.cue.lower() in secondary, c.evidence.start))
    out: list[Claim] = []
    for claim in found:
        if any(c.claimant == claim.claimant for c in out):
            continue
        out.append(claim)
    return out


def document_claimants(doc: Doc, *, carry: bool = False, rules: ClaimantRules | None = None) -> list[list[Claim]]:
    """The claims of every sentence of a document, with pronoun subjects resolved.

    Args:
        doc: A parsed Doc.
        carry: Let the claims of a sentence carry to the next sentence when that one has none of its own
            ("SOHR reported that ... . The fighters then ..."); each carried claim keeps its first evidence.
        rules: Claimant rules; the packaged file by default.

    Returns:
        One list of claims per sentence, in order.
    """
    rules = rules or load_claimant_rules()
    out: list[list[Claim]] = []
    previous: list[Claim] = []
    last: list[Claim] = []
    for sent in doc.sents:
        claims = find_attribution(sent, doc=doc, rules=rules, previous=last)
        last = claims or last
        if not claims and carry and previous:
            claims = [c.model_copy() for c in previous]
            previous = []
        else:
            previous = claims
        out.append(claims)
    return out


def _cue_phrases(sent: Span, rules: ClaimantRules) -> list[tuple[str, list[Token], list[Token]]]:
    """(cue text, cue tokens, claimant phrase tokens) for every attributing construction."""
    doc = sent.doc
    cues = rules.cues
    out: list[tuple[str, list[Token], list[Token]]] = []
    table = token_table(doc)
    lowers = table.lower[sent.start : sent.end]
    taken: set[int] = set()
    # "according to X", "citing X", "as reported by X".
    by_first = _by_first_word(cues.prepositions)
    for k, lower in enumerate(lowers):
        for words in by_first.get(lower, ()):
            n = len(words)
            if lowers[k : k + n] != words:
                continue
            last = sent[k + n - 1]
            objects = [c for c in last.children if c.dep_ in {"pobj", "dobj", "obj"}]
            phrase_tokens = list(objects[0].subtree) if objects else _until_punct(doc, last.i + 1, sent.end)
            if phrase_tokens:
                cue_tokens = list(sent[k : k + n])
                out.append((" ".join(t.text for t in cue_tokens), cue_tokens, phrase_tokens))
                taken.update(t.i for t in cue_tokens)
    for i in range(sent.start, sent.end):
        lemma = table.lemma[i]
        if i in taken or (lemma not in cues.verbs and lemma not in cues.nouns):
            continue
        tok = doc[i]
        if tok.pos_ in {"VERB", "AUX"} and lemma in cues.verbs:
            subject = _reporting_subject(tok, cues)
            if subject is not None:
                out.append((tok.lower_, [tok], _phrase(subject)))
            if lemma in cues.object_verbs:
                objects = [c for c in tok.children if c.dep_ in {"dobj", "obj"}]
                if objects:
                    out.append((tok.lower_, [tok], _phrase(objects[0])))
        elif tok.pos_ in {"NOUN", "PROPN"} and lemma in cues.nouns:
            holder = _noun_holder(tok)
            if holder:
                out.append((tok.lower_, [tok], holder))
    return out


@lru_cache(maxsize=8)
def _by_first_word(phrases: tuple[str, ...]) -> dict[str, list[list[str]]]:
    """The phrases' words, listed under their first word, so that a sentence is scanned once."""
    out: dict[str, list[list[str]]] = {}
    for phrase in phrases:
        words = phrase.split()
        out.setdefault(words[0], []).append(words)
    return out


def _until_punct(doc: Doc, start: int, end: int) -> list[Token]:
    out = []
    for k in range(start, end):
        if doc[k].is_punct and doc[k].text not in {"'", "-", "."}:
            break
        out.append(doc[k])
    return out


def _reporting_subject(verb: Token, cues: CueWords) -> Token | None:
    for child in verb.children:
        if child.dep_ in {"nsubj", "csubj"}:
            return child
        if child.dep_ == "agent":
            objects = [g for g in child.children if g.dep_ == "pobj"]
            if objects:
                return objects[0]
    return _subject_before(verb)


def _subject_before(verb: Token) -> Token | None:
    """The head of the noun phrase between a comma and a subjectless verb ("..., the Observatory said."): a long
    clause in front can make the parser hang that phrase on the clause (as an apposition of its last noun)."""
    # Only the sentence's closing verb, which the parser may also hang on the main clause ("..., police said
    # Monday"); not a participle on a noun ("Binh, a man accused of ...").
    if not (verb.dep_ == "ROOT" or (verb.dep_ in {"advcl", "conj", "parataxis"} and verb.head.dep_ == "ROOT")):
        return None
    if any(t.pos_ in {"VERB", "AUX"} for t in verb.doc[verb.i + 1 : verb.sent.end]):
        return None
    start = verb.i
    while start > verb.sent.start and not verb.doc[start - 1].is_punct:
        start -= 1
    words = verb.doc[start : verb.i]
    if (
        not verb.sent.start < start < verb.i
        or verb.doc[start - 1].text != ","
        or any(t.pos_ in {"VERB", "AUX"} for t in words)
    ):
        return None
    heads = [t for t in words if not start <= t.head.i < verb.i]
    return heads[0] if len(heads) == 1 and heads[0].pos_ in {"NOUN", "PROPN"} else None


def _phrase(head: Token) -> list[Token]:
    """The words of a noun phrase, without a relative clause hanging on it."""
    skip: set[int] = set()
    for child in head.children:
        if child.dep_ in {"relcl", "acl"} or (child.dep_ == "prep" and child.lower_ not in {"of", "for"}):
            skip.update(t.i for t in child.subtree)
    return [t for t in head.subtree if t.i not in skip]


def _noun_holder(noun: Token) -> list[Token]:
    """The claimant words on a report noun: "UN estimates", "SOHR's tally", "a statement from the ministry"."""
    out: list[Token] = []
    for child in noun.children:
        if child.dep_ in {"poss", "compound"} and child.i < noun.i:
            out.extend(child.subtree)
        elif child.dep_ == "prep" and child.lower_ in {"from", "by", "of"}:
            for obj in child.children:
                if obj.dep_ == "pobj":
                    out.extend(_phrase(obj))
    return sorted(out, key=lambda t: t.i)


def _resolve(
    sent: Span,
    cue_text: str,
    cue_tokens: Sequence[Token],
    phrase: Sequence[Token],
    rules: ClaimantRules,
    doc: Doc | None,
    previous: Sequence[Claim] = (),
) -> Claim | None:
    source = sent.doc
    start = min(t.i for t in [*cue_tokens, *phrase])
    end = max(t.i for t in [*cue_tokens, *phrase]) + 1
    span = source[start:end]
    evidence = Evidence(text=span_text(span), start=span.start_char, end=span.end_char)
    first, last = min(t.i for t in phrase), max(t.i for t in phrase) + 1
    phrase_span = source[first:last]
    mentions = find_claimant_mentions(span_text(phrase_span), rules=rules)
    if mentions:
        claimant = mentions[0][2]
        return Claim(
            claimant=claimant.name, cue=cue_text, evidence=evidence, known=True, kind=claimant.kind, named=True
        )
    head = phrase_span.root
    lower = head.lower_
    if lower in rules.cues.empty_subjects - {"it"} and head.pos_ == "PRON" and lower != "they":
        return None
    if lower in {"it", "they"} and len(phrase_span) == 1 and previous:
        said = previous[0]
        return said.model_copy(update={"cue": cue_text, "evidence": evidence})
    if head.pos_ == "PRON" or _kind_noun(head, rules) is not None:
        if doc is None:
            return None
        resolved = _antecedent(doc, sent.start_char, head, rules)
        if resolved is None:
            return None
        return Claim(
            claimant=resolved.name, cue=cue_text, evidence=evidence, known=True, kind=resolved.kind, named=True
        )
    core = _core_text(head)
    if not core:
        return None
    named = any(t.ent_type_ in _NAME_LABELS or t.pos_ == "PROPN" for t in phrase_span)
    return Claim(claimant=core, cue=cue_text, evidence=evidence, known=False, kind=None, named=named)


def _kind_noun(head: Token, rules: ClaimantRules) -> str | None:
    # "the monitor", "the agency": a definite description with no name of its own.
    if head.pos_ != "NOUN" or not any(c.dep_ == "det" and c.lower_ in {"the", "this"} for c in head.children):
        return None
    if any(c.pos_ == "PROPN" or c.ent_type_ in _NAME_LABELS for c in head.subtree):
        return None
    for kind, nouns in rules.kind_nouns.items():
        if head.lemma_.lower() in nouns or head.lower_ in nouns:
            return kind
    return None


def _antecedent(doc: Doc, before: int, head: Token, rules: ClaimantRules) -> Claimant | None:
    """The last known claimant named before `before` that fits a pronoun or "the monitor"."""
    if head.lower_ in {"he", "she", "i"}:
        return None
    text = doc.text[max(0, before - 2000) : before]
    mentions = find_claimant_mentions(text, rules=rules)
    if not mentions:
        return None
    wanted = {kind for kind, nouns in rules.kind_nouns.items() if head.lemma_.lower() in nouns}
    for _, _, claimant in reversed(mentions):
        if not wanted or claimant.kind in wanted:
            return claimant
    return None


def _core_text(head: Token) -> str:
    """The claimant phrase as a name: the head with its name-like modifiers ("Kenyan police", "local officials")."""
    keep = [head]
    stack = [c for c in head.children if c.i < head.i and c.dep_ in {"compound", "amod", "nmod", "poss"}]
    while stack:
        tok = stack.pop()
        keep.append(tok)
        stack.extend(c for c in tok.children if c.dep_ in {"compound", "amod", "nmod", "poss", "case"})
    keep.sort(key=lambda t: t.i)
    words = [t for t in keep if not t.is_punct]
    if not words:
        return ""
    span = head.doc[words[0].i : words[-1].i + 1]
    return span.text
