"""The trigger-rule engine of event typing (`data/triggers.yaml`): word tokens, trigger phrases with their
conditions and the role cues, matched on a sentence or a short note, and the `Label` a sentence is given.

The rules judge alone or beside the model of `classify.py`; their hits are also model features.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..datafiles import data_path, read_yaml_mapping
from ..errors import DataFileError, Errors, Warnings
from ..taxonomy import NO_EVENT, load_taxonomy

if TYPE_CHECKING:
    from spacy.tokens import Token

logger = logging.getLogger(__name__)

_DATA = data_path("")
_GAP = "..."
_MAX_GAP = 3
_SEPARATORS = frozenset(".;!?")
_CLAUSE_MARKS = frozenset(".,;:!?()")
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*|[.,;:!?()]")
_VOWELS = frozenset("aeiou")
PLACE = "<place>"
"""A word of a trigger phrase that matches a place name ("enter <place>"); only parsed sentences know places."""

# ACLED notes carry coder furniture that news prose never has: a "[size=...]" crowd estimate, "N fatalities."
# tallies and a leading "Looting:"-style label. The model must learn from the prose, so these go before features.
_FURNITURE = (
    re.compile(r"\[\s*size\s*=[^\]]*\]?", re.IGNORECASE),
    re.compile(r"\(?\b\d+\s+fatalit(?:y|ies)\b[^.()\[\]]*[.)\]]*", re.IGNORECASE),
    re.compile(r"\bfatalities\s+(?:were\s+)?(?:not\s+(?:reported|known)|unknown)\.?", re.IGNORECASE),
    re.compile(r"\(as reported\)", re.IGNORECASE),
    re.compile(r"^\s*[A-Z][A-Za-z]+(?:[ -][A-Za-z]+){0,3}:\s+(?=[A-Z0-9])"),
)


# --------------------------------------------------------------------------------------------------- labels


@dataclass(frozen=True)
class Label:
    """One typing decision.

    Attributes:
        event_type: ACLED event type, or `NO_EVENT`.
        sub_event_type: ACLED sub-event type, or `NO_EVENT`.
        score: Confidence in 0-1 (the model's probability, or the rule's confidence).
        source: What decided it: "rules", "model" or "rules+model" (both agree).
        trigger: The spaCy token that signals the event (only from `classify_sentence`).
        trigger_lemma: The trigger word's base form ("shell", "capture"), when known.
    """

    event_type: str
    sub_event_type: str
    score: float
    source: str = "model"
    trigger: Token | None = field(default=None, compare=False, repr=False)
    trigger_lemma: str | None = None

    @property
    def is_event(self) -> bool:
        """True unless this is the "no event" outcome."""
        return self.sub_event_type != NO_EVENT


# ----------------------------------------------------------------------------------------------- tokens


_Tok = tuple[str, int, int, str, bool]
"""A token: (lower-cased text, start, end, lemma or "", whether a place name begins there in a parsed sentence).

A plain tuple: every word of every sentence and whole text is one. A named tuple costs three times as much to make,
and the garbage collector tracks it as long as it lives (it stops tracking plain tuples of strings and numbers).
"""


def _tokenize(
    text: str,
    date_words: frozenset[str] = frozenset(),
    compounds: dict[str, tuple[tuple[str, ...], ...]] | None = None,
) -> list[_Tok]:
    """Lower-case word tokens with character offsets; month names next to numbers and compounds are rewritten."""
    lowered = text.lower()
    toks = [(m[0], m.start(), m.end(), "", False) for m in _TOKEN_RE.finditer(lowered)]
    texts = [t[0] for t in toks]
    compounds = compounds or {}
    present = date_words.intersection(texts).union(compounds.keys() & set(texts))
    if not present:
        return toks  # nothing to rewrite
    # Most words are none of these (yet nearly every ACLED note has a date): copy the runs between them whole.
    out: list[_Tok] = []
    done = 0  # tokens before this one are in `out`
    for i in [i for i, word in enumerate(texts) if word in present]:
        if i < done:
            continue  # inside a compound just joined
        tok = toks[i]
        # "5 March 2020" is a date, not a march
        if texts[i] in date_words and (
            (i > 0 and texts[i - 1].isdigit()) or (i + 1 < len(toks) and texts[i + 1].isdigit())
        ):
            out.extend(toks[done:i])
            out.append(("<date>", tok[1], tok[2], "<date>", False))
            done = i + 1
            continue
        # "riot police" are police, not a riot: a compound becomes one token that no trigger word matches
        for words in compounds.get(texts[i], ()):
            n = len(words)
            if tuple(texts[i : i + n]) == words:
                joined = "_".join(words)
                out.extend(toks[done:i])
                out.append((joined, tok[1], toks[i + n - 1][2], joined, False))
                done = i + n
                break
    out.extend(toks[done:])
    return out


def strip_furniture(text: str) -> str:
    """Remove ACLED's coder furniture from a note: "[size=...]", "N fatalities." and a leading "Label:".

    Args:
        text: An ACLED note or any text (prose without furniture comes back unchanged, bar whitespace).

    Returns:
        The prose.
    """
    for pattern in _FURNITURE:
        text = pattern.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


# ---------------------------------------------------------------------------------------------- triggers


class _RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sub_event_type: str
    priority: int = Field(ge=0, le=1000)
    confidence: float = Field(0.7, gt=0.0, le=1.0)
    triggers: list[str] = Field(min_length=1)
    requires: list[str] = Field(default_factory=list)
    excludes: list[str] = Field(default_factory=list)
    agent: str | None = None
    over: list[str] = Field(default_factory=list)
    decides: bool = False
    charges: str | None = None
    charged: list[str] = Field(default_factory=list)

    @field_validator("triggers")
    @classmethod
    def _phrases_ok(cls, value: list[str]) -> list[str]:
        for phrase in value:
            words = str(phrase).split()
            if not words or words[0] == _GAP or words[-1] == _GAP:
                raise ValueError(f"bad phrase {phrase!r}: empty, or starts or ends with '...'")
        return value


class _RolesSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    harm: list[str] = Field(min_length=1)
    passive: list[str] = Field(default_factory=list)
    agent_markers: list[str] = Field(default_factory=lambda: ["by"])
    before: int = Field(6, ge=1, le=20)
    after: int = Field(5, ge=1, le=20)

    @field_validator("harm")
    @classmethod
    def _no_gaps(cls, value: list[str]) -> list[str]:
        for phrase in value:
            if not str(phrase).split() or _GAP in str(phrase).split():
                raise ValueError(f"bad phrase {phrase!r}: empty, or with '...'")
        return value


class _TriggerFileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    roles: _RolesSpec | None = None
    actor_sets: list[str] = Field(default_factory=list)
    cue_sets: dict[str, list[str]] = Field(default_factory=dict)
    document_cues: list[str] = Field(default_factory=list)
    date_words: list[str] = Field(default_factory=list)
    compounds: list[str] = Field(default_factory=list)
    irregular_forms: dict[str, list[str]] = Field(default_factory=dict)
    rules: list[_RuleSpec] = Field(default_factory=list)


@dataclass(frozen=True)
class TriggerRule:
    """One rule of `triggers.yaml`, validated."""

    sub_event_type: str
    priority: int
    confidence: float
    triggers: tuple[str, ...]
    requires: tuple[str, ...]
    excludes: tuple[str, ...]
    agent: str | None
    index: int
    over: tuple[str, ...] = ()
    decides: bool = False
    charges: str | None = None
    charged: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleHit:
    """A rule that fired on a text: which sub-type, how strongly, and where its trigger is (token indices)."""

    sub_event_type: str
    priority: int
    confidence: float
    phrase: str
    start: int
    end: int
    rule_index: int
    decides: bool = False


@dataclass(frozen=True)
class Analysis:
    """What the trigger rules see in a text."""

    hits: list[RuleHit]
    phrases: frozenset[str]
    cues: frozenset[str]
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RoleCues:
    """`roles` of `triggers.yaml`: the harm words whose victim and agent become model features, and the words
    around them that tell the voice ("was killed by")."""

    harm: tuple[str, ...]
    passive: frozenset[str]
    agent_markers: frozenset[str]
    before: int
    after: int


@dataclass
class Triggers:
    """The compiled trigger rules: phrases indexed by their first word's forms, ready to scan token lists."""

    rules: list[TriggerRule]
    cue_sets: dict[str, tuple[str, ...]]
    actor_sets: tuple[str, ...]
    date_words: frozenset[str]
    path: str
    compounds: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    _phrases: list[tuple[str, ...]] = field(default_factory=list, repr=False)
    _phrase_forms: list[list[frozenset[str]]] = field(default_factory=list, repr=False)
    _phrase_ids: dict[str, int] = field(default_factory=dict, repr=False)
    _phrases_text: list[str] = field(default_factory=list, repr=False)
    _first: dict[str, list[int]] = field(default_factory=dict, repr=False)
    roles: RoleCues | None = None
    _document_patterns: list[tuple[str, re.Pattern[str]]] = field(default_factory=list, repr=False)
    _role_only: frozenset[int] = field(default_factory=frozenset, repr=False)
    # inverted indices, phrase id -> what it belongs to: a text touches few phrases, so `analyze` visits only
    # the rules, cue sets and actor sets that one of its phrases is part of, not all of them
    _rule_pids: list[tuple[int, ...]] = field(default_factory=list, repr=False)
    _pid_rules: dict[int, tuple[int, ...]] = field(default_factory=dict, repr=False)
    _pid_cues: dict[int, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _pid_actors: dict[int, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _harm_pids: tuple[int, ...] = ()

    def tokenize(self, text: str) -> list[_Tok]:
        """Split text into the tokens the rules and the model see."""
        return _tokenize(text, self.date_words, self.compounds)

    def document_context(self, text: str) -> frozenset[str]:
        """The `document_cues` a whole text has: each then holds for every sentence of it."""
        lowered = text.lower()
        return frozenset(name for name, pattern in self._document_patterns if pattern.search(lowered))

    def find(self, toks: Sequence[_Tok]) -> dict[int, list[tuple[int, int]]]:
        """All matches of every phrase (triggers and cues): phrase id -> list of (start, end) token indices."""
        found: dict[int, list[tuple[int, int]]] = {}
        first = self._first
        for i, (text, _start, _end, lemma, _place) in enumerate(toks):
            cands: Iterable[int] | None = first.get(text)
            if lemma and lemma != text:
                by_lemma = first.get(lemma)
                if by_lemma:
                    cands = set(by_lemma).union(cands) if cands else by_lemma
            if not cands or text in _CLAUSE_MARKS:
                continue
            for pid in cands:
                # Most phrases are one word, matched already.
                end = i + 1 if len(self._phrases[pid]) == 1 else self._match(pid, toks, i)
                if end > 0:
                    found.setdefault(pid, []).append((i, end))
        return found

    def _excluded(
        self,
        rule: TriggerRule,
        found: dict[int, list[tuple[int, int]]],
        conditions: frozenset[str] | set[str],
        context: frozenset[str],
    ) -> bool:
        """Whether an `excludes` cue stops the rule. With `charges`, a cue of the `charged` sets told only after the
        rule's trigger and a phrase of the `charges` set names what the held are charged with ("arrested in
        connection with the attack"), not another event of the sentence, and does not stop it."""
        blocking = [name for name in rule.excludes if name in conditions]
        if not blocking or rule.charges is None or any(name not in rule.charged for name in blocking):
            return bool(blocking)

        def starts(wanted: str) -> list[int]:
            return [s for pid, spans in found.items() if wanted in self._pid_cues.get(pid, ()) for s, _ in spans]

        triggered = [s for pid in self._rule_pids[rule.index] for s, _ in found.get(pid, ())]
        opens = min((s for s in starts(rule.charges) if triggered and s > min(triggered)), default=None)
        if opens is None:
            return True
        return any(name in context or any(s < opens for s in starts(name)) for name in blocking)

    def _match(self, pid: int, toks: Sequence[_Tok], i: int) -> int:
        words = self._phrases[pid]
        forms = self._phrase_forms[pid]
        pos = i + 1
        k = 1
        while k < len(words):
            if words[k] == _GAP:
                k += 1
                for skip in range(_MAX_GAP + 1):
                    j = pos + skip
                    if j >= len(toks) or toks[j][0] in _CLAUSE_MARKS:
                        return -1
                    if _tok_in(toks[j], forms[k]):
                        pos = j + 1
                        k += 1
                        break
                else:
                    return -1
                continue
            if pos >= len(toks) or not _tok_in(toks[pos], forms[k]):
                return -1
            pos += 1
            k += 1
        return pos

    def phrase_spans(self, toks: Sequence[_Tok], sub_event_type: str) -> list[tuple[int, int]]:
        """Where any trigger phrase of the sub-type's rules occurs, conditions aside, in text order."""
        found = self.find(toks)
        spans = {
            span
            for rule in self.rules
            if rule.sub_event_type == sub_event_type
            for phrase in rule.triggers
            for span in found.get(self._phrase_ids[phrase], ())
        }
        return sorted(spans)

    def hits(self, toks: Sequence[_Tok]) -> list[RuleHit]:
        """The rules that fire on a token list, best first (priority, then earliest trigger)."""
        return self.analyze(toks).hits

    def analyze(self, toks: Sequence[_Tok], *, context: frozenset[str] = frozenset()) -> Analysis:
        """Rule hits (best first), plus every trigger phrase and cue set found: the model uses them as features.

        `context` holds cue sets the rest of the document has (`document_context`): they count for the rules'
        conditions, but are not the text's own features.
        """
        found = self.find(toks)
        cues_present = {name for pid in found for name in self._pid_cues.get(pid, ())}
        conditions = cues_present | context if context else cues_present
        actors = sorted(
            (start, end, name) for pid, spans in found.items() for name in self._pid_actors.get(pid, ())
            for start, end in spans
        )  # fmt: skip
        out: list[RuleHit] = []
        for index in sorted({r for pid in found for r in self._pid_rules.get(pid, ())}):
            rule = self.rules[index]
            if any(c not in conditions for c in rule.requires) or self._excluded(rule, found, conditions, context):
                continue
            best: tuple[int, int, str] | None = None
            for phrase, pid in zip(rule.triggers, self._rule_pids[index], strict=True):
                for start, end in found.get(pid, ()):
                    if rule.agent and _agent_of(toks, actors, start, end) != rule.agent:
                        continue
                    if best is None or start < best[0]:
                        best = (start, end, phrase)
            if best is not None:
                start, end, phrase = best
                sub, index = rule.sub_event_type, rule.index
                out.append(RuleHit(sub, rule.priority, rule.confidence, phrase, start, end, index, rule.decides))
        out.sort(key=lambda h: (-h.priority, h.start))
        phrases = frozenset(self._phrases_text[p] for p in found if p not in self._role_only)
        return Analysis(out, phrases, frozenset(cues_present), self._roles(toks, found, actors))

    def _roles(
        self, toks: Sequence[_Tok], found: dict[int, list[tuple[int, int]]], actors: list[tuple[int, int, str]]
    ) -> frozenset[str]:
        """Who each harm word was done to and by whom, as actor sets: "vic:civilian", "agt:nonstate_actor",
        "va:nonstate_actor>civilian". Attack and armed clash differ mostly in whether the victim was armed.

        Active voice ("gunmen killed three soldiers"): the agent is the nearest actor before, the victim the
        first after. Passive ("a shepherd was killed by militants", or a harm word followed by an agent marker):
        the victim is before, the agent after the marker.
        """
        cues = self.roles
        if cues is None:
            return frozenset()
        spans = sorted({span for pid in self._harm_pids for span in found.get(pid, ())})
        out: set[str] = set()
        for start, end in spans:
            j = start - 1
            while j >= 0 and toks[j][0] in cues.passive:
                j -= 1
            passive = j < start - 1 or (end < len(toks) and toks[end][0] in cues.agent_markers)
            before = [
                a for a in actors
                if a[1] <= start and start - a[1] <= cues.before and not _any_sep(toks, a[1], start)
            ]  # fmt: skip
            after = [
                a for a in actors
                if a[0] >= end and a[0] - end <= cues.after and not _any_sep(toks, end, a[0])
            ]  # fmt: skip
            by = [a for a in after if any(t[0] in cues.agent_markers for t in toks[end : a[0]])]
            if passive:
                victim = before[-1][2] if before else None
                agent = by[0][2] if by else None
            else:
                agent = before[-1][2] if before else None
                victim = after[0][2] if after and not by else None
            if victim:
                out.add("vic:" + victim)
            if agent:
                out.add("agt:" + agent)
            if victim and agent:
                out.add(f"va:{agent}>{victim}")
        return frozenset(out)


def _tok_in(tok: _Tok, forms: frozenset[str]) -> bool:
    text, _start, _end, lemma, place = tok
    return text in forms or (bool(lemma) and lemma in forms) or (place and PLACE in forms)


def _any_sep(toks: Sequence[_Tok], start: int, end: int) -> bool:
    """Whether a sentence separator lies among toks[start:end]."""
    return any(t[0] in _SEPARATORS for t in toks[start:end])


def _agent_of(toks: Sequence[_Tok], actors: list[tuple[int, int, str]], start: int, end: int) -> str | None:
    """Who did it, crudely: the actor after a following "by" (passive), else the nearest actor before, same sentence."""
    for j in range(end, min(end + 3, len(toks))):
        if toks[j][0] in _SEPARATORS:
            break
        if toks[j][0] == "by":
            for a_start, _a_end, name in actors:
                if j < a_start <= j + 6 and not _any_sep(toks, j, a_start):
                    return name
            break
    nearest: str | None = None
    for _a_start, a_end, name in actors:
        if a_end <= start and not _any_sep(toks, a_end, start):
            nearest = name
    return nearest


def _inflections(word: str, irregular: dict[str, list[str]]) -> frozenset[str]:
    forms = {word}
    if len(word) > 2 and word != _GAP:
        forms |= {word + "s", word + "es", word + "ed", word + "d", word + "ing"}
        if word.endswith("e"):
            forms.add(word[:-1] + "ing")
        if word.endswith("y") and len(word) > 3 and word[-2] not in _VOWELS:
            forms |= {word[:-1] + "ies", word[:-1] + "ied"}
        if (
            len(word) > 2
            and word[-1] not in _VOWELS | {"w", "x", "y"}
            and word[-2] in _VOWELS
            and word[-3] not in _VOWELS
        ):
            forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    forms.update(irregular.get(word, ()))
    return frozenset(forms)


def load_triggers(path: Path | None = None) -> Triggers:
    """Read and validate the trigger rules.

    Args:
        path: A triggers YAML file; defaults to the shipped `data/triggers.yaml`.

    Returns:
        The compiled rules.

    Raises:
        DataFileError: The file cannot be read, or an entry is malformed (the message names entry and field).
    """
    if path is None:
        return _default_triggers()
    return _read_triggers(path)


@functools.lru_cache(maxsize=1)
def _default_triggers() -> Triggers:
    return _read_triggers(Path(str(_DATA.joinpath("triggers.yaml"))))


def _read_triggers(path: Path) -> Triggers:
    data = read_yaml_mapping(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DataFileError(Errors.E012.format(path=path, reason="expected a mapping at the top level"))
    try:
        spec = _TriggerFileSpec.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        loc = [str(x) for x in err["loc"]]
        entry = "/".join(loc[:2]) if loc and loc[0] == "rules" else (loc[0] if loc else "?")
        if loc[:1] == ["rules"] and len(loc) > 1 and loc[1].isdigit():
            raw_rules = data.get("rules") or []
            idx = int(loc[1])
            if idx < len(raw_rules) and isinstance(raw_rules[idx], dict):
                entry = f"rules[{idx}] ({raw_rules[idx].get('sub_event_type', '?')})"
        raise DataFileError(
            Errors.E011.format(path=path, entry=entry, field=loc[-1] if loc else "?", reason=err["msg"])
        ) from e
    taxonomy = load_taxonomy()
    for key, names in (("actor_sets", spec.actor_sets), ("document_cues", spec.document_cues)):
        for name in names:
            if name not in spec.cue_sets:
                raise DataFileError(Errors.E011.format(path=path, entry=key, field=name, reason="no such cue set"))
    rules: list[TriggerRule] = []
    for i, r in enumerate(spec.rules):
        entry = f"rules[{i}] ({r.sub_event_type})"
        if r.sub_event_type not in taxonomy.event_type and r.sub_event_type != NO_EVENT:
            raise DataFileError(
                Errors.E011.format(path=path, entry=entry, field="sub_event_type", reason="not an ACLED sub-event type")
            )
        if r.sub_event_type == NO_EVENT and (r.over or not r.decides):
            reason = f"a {NO_EVENT!r} rule needs `decides: true` and no `over`"
            raise DataFileError(Errors.E011.format(path=path, entry=entry, field="decides", reason=reason))
        cue_fields = {"requires": r.requires, "excludes": r.excludes, "charges": [r.charges] if r.charges else [],
                      "charged": r.charged}  # fmt: skip
        for fld, names in cue_fields.items():
            for name in names:
                if name not in spec.cue_sets:
                    raise DataFileError(
                        Errors.E011.format(path=path, entry=entry, field=fld, reason=f"no cue set {name!r}")
                    )
        for name in r.over:
            if name not in taxonomy.event_type:
                raise DataFileError(
                    Errors.E011.format(path=path, entry=entry, field="over", reason=f"{name!r} is not a sub-event type")
                )
        if r.agent is not None and r.agent not in spec.actor_sets:
            raise DataFileError(
                Errors.E011.format(path=path, entry=entry, field="agent", reason=f"{r.agent!r} is not in actor_sets")
            )
        rules.append(
            TriggerRule(
                sub_event_type=r.sub_event_type,
                priority=r.priority,
                confidence=r.confidence,
                triggers=tuple(_norm_phrase(p) for p in r.triggers),
                requires=tuple(r.requires),
                excludes=tuple(r.excludes),
                agent=r.agent,
                index=i,
                over=tuple(r.over),
                decides=r.decides,
                charges=r.charges,
                charged=tuple(r.charged),
            )
        )
    if not rules:
        logger.warning(Warnings.W001.format(path=path))
    cue_sets = {name: tuple(_norm_phrase(p) for p in phrases) for name, phrases in spec.cue_sets.items()}
    for name, phrases in cue_sets.items():
        if not phrases:
            raise DataFileError(Errors.E011.format(path=path, entry=name, field="cue_sets", reason="empty cue set"))
    compounds: dict[str, list[tuple[str, ...]]] = {}
    for phrase in spec.compounds:
        words = tuple(_norm_phrase(phrase).split())
        if len(words) < 2:
            raise DataFileError(
                Errors.E011.format(path=path, entry=phrase, field="compounds", reason="needs two or more words")
            )
        compounds.setdefault(words[0], []).append(words)
    roles = None
    if spec.roles is not None:
        roles = RoleCues(
            harm=tuple(dict.fromkeys(_norm_phrase(p) for p in spec.roles.harm)),
            passive=frozenset(w.lower() for w in spec.roles.passive),
            agent_markers=frozenset(w.lower() for w in spec.roles.agent_markers),
            before=spec.roles.before,
            after=spec.roles.after,
        )
    triggers = Triggers(
        roles=roles,
        rules=rules,
        cue_sets=cue_sets,
        actor_sets=tuple(spec.actor_sets),
        date_words=frozenset(w.lower() for w in spec.date_words),
        path=str(path),
        # longest first, so "riot police officers" wins over "riot police"
        compounds={k: tuple(sorted(v, key=len, reverse=True)) for k, v in compounds.items()},
    )
    irregular = {k.lower(): [v.lower() for v in vs] for k, vs in spec.irregular_forms.items()}
    triggers._document_patterns = [
        (name, _any_phrase_pattern(_inflected_phrases(cue_sets[name], irregular)))
        for name in dict.fromkeys(spec.document_cues)
    ]
    all_phrases = [p for rule in rules for p in rule.triggers] + [p for ps in cue_sets.values() for p in ps]
    role_phrases = [p for p in (roles.harm if roles else ()) if p not in set(all_phrases)]
    for phrase in all_phrases + role_phrases:
        if phrase in triggers._phrase_ids:
            continue
        pid = len(triggers._phrases)
        words = tuple(phrase.split())
        triggers._phrase_ids[phrase] = pid
        triggers._phrases_text.append(phrase)
        triggers._phrases.append(words)
        forms = [_inflections(w, irregular) for w in words]
        triggers._phrase_forms.append(forms)
        for form in forms[0]:
            triggers._first.setdefault(form, []).append(pid)
    # harm words that are only role cues stay out of the phrase features: a model without roles sees what it saw
    triggers._role_only = frozenset(triggers._phrase_ids[p] for p in role_phrases)
    ids = triggers._phrase_ids
    triggers._rule_pids = [tuple(ids[p] for p in rule.triggers) for rule in rules]
    pid_rules: dict[int, list[int]] = {}
    for index, pids in enumerate(triggers._rule_pids):
        for pid in dict.fromkeys(pids):
            pid_rules.setdefault(pid, []).append(index)
    pid_cues: dict[int, list[str]] = {}
    for name, phrases in cue_sets.items():
        for pid in dict.fromkeys(ids[p] for p in phrases):
            pid_cues.setdefault(pid, []).append(name)
    pid_actors: dict[int, list[str]] = {}
    for name in triggers.actor_sets:
        for phrase in cue_sets[name]:
            pid_actors.setdefault(ids[phrase], []).append(name)
    triggers._pid_rules = {k: tuple(v) for k, v in pid_rules.items()}
    triggers._pid_cues = {k: tuple(v) for k, v in pid_cues.items()}
    triggers._pid_actors = {k: tuple(v) for k, v in pid_actors.items()}
    triggers._harm_pids = tuple(ids[p] for p in roles.harm) if roles else ()
    return triggers


def _inflected_phrases(phrases: Iterable[str], irregular: dict[str, list[str]]) -> tuple[str, ...]:
    """Every inflected form of plain phrases ("air force" -> "air forces" ...), for one regex over a whole text."""
    out: list[str] = []
    for phrase in phrases:
        words = phrase.split()
        if _GAP in words or PLACE in words:
            continue  # gaps and places need the token scan; a document cue is a plain phrase
        out.extend(" ".join(forms) for forms in itertools.product(*(sorted(_inflections(w, irregular)) for w in words)))
    return tuple(out)


def _any_phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """A regex that finds a phrase wherever `phrase_pattern(phrases)` finds one (between word boundaries), written
    as a trie of their letters: it reads each position's letters once rather than trying each of a hundred inflected
    phrases in turn. Whether `search` finds one is the same; which one it returns may not be."""
    trie: dict[str, Any] = {}
    for phrase in phrases:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}  # a phrase ends here
    if not trie:
        return re.compile(r"(?!)")

    def branch(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + branch(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return re.compile(r"\b" + branch(trie) + r"\b")


def _norm_phrase(phrase: str) -> str:
    return " ".join(str(phrase).lower().split())
