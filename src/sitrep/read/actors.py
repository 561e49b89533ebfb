"""Actors: the spaCy components that find actor mentions and link descriptions to them.

The actors themselves are data, loaded and resolved by `actor_registry.py` (names and data models in
`actor_data.py`). Two spaCy components use the registry:

- `sitrep_actor_ruler` writes each actor mention to `doc.spans[ACTOR_SPANS]`. A span's `label_` is the actor's
  kind ("military", "rebels", "protesters" ...; "group" for an identity or trade ACLED codes as an associated
  actor) and its `id_` the canonical name. A name that depends on the document's country or the event's date
  is a template ("Protesters ({country})", "Police Forces of Kenya ({period})") that
  `ActorRegistry.resolve_id` fills in.
- `sitrep_coref` links descriptions ("the rebels", "government forces") to the nearest compatible actor named
  before them in the document, or to a generic actor of the document's country, and adds them to the same
  span group.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from ..nlp import ACTOR_SPANS
from .actor_data import DOC_COUNTRY_KEY, GROUP_LABEL, STATE_KINDS, Actor, DescriptionEntry
from .actor_registry import ActorRegistry, case_variants, has_acronym, load_actors
from .article import in_furniture

# --- spaCy components ------------------------------------------------------------------------------------------


ACTION = "action"
"""`kb_id_` of a span that implies an actor by what it did ("protested") rather than naming it."""


@dataclass(frozen=True)
class _Rule:
    label: str
    span_id: str
    priority: int  # lower wins among spans of equal length
    kb_id: str = ""


class ActorRuler:
    """Finds actor mentions: names and aliases (any case), acronyms (exact case), country-bound phrases ("Kenyan
    police", "forces of Armenia") and generic words, and writes them to `doc.spans[spans_key]`."""

    def __init__(self, nlp: Language, name: str, *, registry: ActorRegistry, spans_key: str = ACTOR_SPANS) -> None:
        self.name = name
        self.registry = registry
        self.spans_key = spans_key
        self.rules: list[_Rule] = []
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.blockers = PhraseMatcher(nlp.vocab, attr="LOWER")
        # Country-bound mentions are found in two steps, so that the matcher holds countries and nouns rather
        # than every country-noun pair: a country adjective or name, then a noun of a generic actor.
        self.countries = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.countries_exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.country_words = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._rule_ids: dict[int, int] = {}
        self._country_ids: dict[int, tuple[str, bool]] = {}  # match id -> (ISO2, is a name rather than adjective)
        self._word_ids: dict[int, str] = {}  # match id -> generic key
        strings = nlp.vocab.strings

        def add(matcher: PhraseMatcher, rule: _Rule, phrases: Iterable[str]) -> None:
            key = f"sitrep_actor_{len(self.rules)}"
            self.rules.append(rule)
            matcher.add(key, _phrase_docs(nlp, dict.fromkeys(phrases)))
            self._rule_ids[strings[key]] = len(self.rules) - 1

        for entry in registry.entries.values():
            # "HTS fighters" keeps the case of its acronym, as "HTS" does; other aliases match in any case.
            plain = [a for a in (entry.name, *entry.aliases) if not has_acronym(a)]
            exact = [v for a in (*entry.aliases, *entry.acronyms) if has_acronym(a) for v in case_variants(a)]
            add(self.lower, _Rule(entry.kind, entry.name, 0), plain)
            if exact or entry.acronyms:
                add(self.exact, _Rule(entry.kind, entry.name, 0), [*exact, *entry.acronyms])
        for g in registry.generic.values():
            label = GROUP_LABEL if g.role == "group" else g.kind
            if g.words:
                add(self.lower, _Rule(label, g.template, 2), g.words)
            if g.action_words:
                add(self.lower, _Rule(label, g.template, 3, ACTION), g.action_words)
            if g.country_words:
                key = f"sitrep_actor_word_{g.key}"
                self.country_words.add(key, _phrase_docs(nlp, dict.fromkeys(g.country_words)))
                self._word_ids[strings[key]] = g.key
        for code, country in registry.countries.items():
            for is_name, labels in ((False, country.demonyms), (True, (country.name, *country.names))):
                key = f"sitrep_actor_country_{code}_{int(is_name)}"
                # "US" and "CAR" keep their case; "us" and "car" are not countries.
                exact = [label for label in labels if label.replace(".", "").isupper() and len(label) <= 4]
                other = [label for label in labels if label not in exact]
                if other:
                    self.countries.add(key, _phrase_docs(nlp, other))
                if exact:
                    self.countries_exact.add(key, _phrase_docs(nlp, exact))
                self._country_ids[strings[key]] = (code, is_name)
        if registry.blockers:
            self.blockers.add("sitrep_actor_blocker", _phrase_docs(nlp, registry.blockers))
        plural = registry.generic.get(registry.demonym_plural or "")
        if plural is not None:
            for code, country in registry.countries.items():
                forms = [f for d in country.demonyms if d[:1].isupper() and not d.isupper() if (f := _plural(d))]
                if forms:
                    add(self.lower, self._rule_for(plural.key, code), forms)

    def __call__(self, doc: Doc) -> Doc:
        error_handler = self.get_error_handler()
        try:
            doc.spans[self.spans_key] = self.find(doc)
        except Exception as e:  # spaCy's error handler decides whether one document stops a batch
            error_handler(self.name, self, [doc], e)
        return doc

    def find(self, doc: Doc) -> list[Span]:
        """The actor spans of a document, longest first among overlaps, sorted by position."""
        blocked = [(start, end) for _, start, end in self.blockers(doc)]
        candidates: list[tuple[int, int, _Rule]] = []
        for matcher in (self.lower, self.exact):
            for match_id, start, end in matcher(doc):
                if end - start == 1 and _is_date_word(doc, start):
                    continue
                candidates.append((start, end, self.rules[self._rule_ids[match_id]]))
        candidates.extend(self._country_bound(doc))
        candidates = [
            (start, end, rule)
            for start, end, rule in candidates
            if not any(bs < end and start < be and not (start <= bs and be <= end) for bs, be in blocked)
        ]
        actors = _select([c for c in candidates if c[2].label != GROUP_LABEL])
        groups = _select([c for c in candidates if c[2].label == GROUP_LABEL])
        spans = [
            Span(doc, start, end, label=rule.label, span_id=rule.span_id, kb_id=rule.kb_id)
            for start, end, rule in actors + groups
        ]
        # The agency that signs a dateline ("AFP Monday 3 Mar 2014") is no side of any event, nor a name to link to.
        spans = [s for s in spans if not in_furniture(doc, s.start_char, s.end_char)]
        return sorted(spans, key=lambda s: (s.start, s.end))

    def _country_bound(self, doc: Doc) -> list[tuple[int, int, _Rule]]:
        """'Kenyan police', "Kenya's police", 'Somali refugees', 'military forces of Armenia'."""
        countries = [*self.countries(doc), *self.countries_exact(doc)]
        if not countries:
            return []
        words_at: dict[int, list[tuple[int, str]]] = {}
        words_ending: dict[int, list[tuple[int, str]]] = {}
        for match_id, start, end in self.country_words(doc):
            words_at.setdefault(start, []).append((end, self._word_ids[match_id]))
            words_ending.setdefault(end, []).append((start, self._word_ids[match_id]))
        found: list[tuple[int, int, _Rule]] = []
        bound_keys: dict[int, tuple[int, list[str]]] = {}  # country match end -> (its start, generic keys)
        for match_id, start, end in sorted(countries, key=lambda m: m[1]):
            code, is_name = self._country_ids[match_id]
            after = end + 1 if end < len(doc) and doc[end].text in ("'s", "’s") else end
            keys: list[str] = []
            for word_end, key in words_at.get(after, []):
                found.append((start, word_end, self._rule_for(key, code)))
                keys.append(key)
            if is_name:
                # "<forces> of [the] <country>"
                before = start - 1
                if before >= 0 and doc[before].lower_ == "the":
                    before -= 1
                if before >= 1 and doc[before].lower_ == "of":
                    for word_start, key in words_ending.get(before, []):
                        if self.registry.generic[key].kind in STATE_KINDS:
                            found.append((word_start, end, self._rule_for(key, code)))
                            keys.append(key)
                # "forces of India and Pakistan": the second country shares the first one's noun.
                if not keys and start >= 2 and doc[start - 1].lower_ in ("and", "or", ","):
                    previous = bound_keys.get(start - 1)
                    if previous is not None:
                        keys = previous[1]
                        found.extend((start, end, self._rule_for(key, code)) for key in keys)
            bound_keys[end] = (start, keys)
        # "Syrian and Russian forces": the first adjective shares the second one's noun.
        for end, (start, keys) in bound_keys.items():
            if keys or end + 1 >= len(doc) or doc[end].lower_ not in ("and", "or", ","):
                continue
            nxt = next(((s, k) for e, (s, k) in bound_keys.items() if s == end + 1 and k), None)
            if nxt is None:
                continue
            code = next(self._country_ids[m][0] for m, s, e in countries if s == start and e == end)
            found.extend((start, end, self._rule_for(key, code)) for key in nxt[1])
        return found

    def _rule_for(self, key: str, code: str) -> _Rule:
        generic = self.registry.generic[key]
        label = GROUP_LABEL if generic.role == "group" else generic.kind
        return _Rule(label, self.registry.id_for_country(generic, code), 1)

    # spaCy's Pipe interface, for components that are plain classes.
    def get_error_handler(self) -> Any:
        from spacy.util import raise_error

        return getattr(self, "_error_handler", raise_error)

    def set_error_handler(self, error_handler: Any) -> None:
        self._error_handler = error_handler


def _phrase_docs(nlp: Language, phrases: Iterable[str]) -> list[Doc]:
    tokenizer: Any = nlp.tokenizer
    return list(tokenizer.pipe(phrases))


def _plural(demonym: str) -> str | None:
    # "Palestinian" → "Palestinians", "Somali" → "Somalis"; "Sudanese", "Swiss" and "French" have no plural.
    if demonym.endswith(("ese", "s", "sh", "ch", "x", "z")) or " " in demonym:
        return None
    return demonym + "s"


def _is_date_word(doc: Doc, i: int) -> bool:
    # "On 13 March 2020": a capitalised word between or beside numbers is a month, not a protest march.
    token = doc[i]
    if not token.is_title:
        return False
    return (i > 0 and doc[i - 1].like_num) or (i + 1 < len(doc) and doc[i + 1].like_num)


def _select(candidates: list[tuple[int, int, _Rule]]) -> list[tuple[int, int, _Rule]]:
    """Non-overlapping candidates: longer first, then by priority (named, country-bound, generic), then position."""
    chosen: list[tuple[int, int, _Rule]] = []
    taken: set[int] = set()
    for start, end, rule in sorted(candidates, key=lambda c: (c[0] - c[1], c[2].priority, c[0])):
        if any(i in taken for i in range(start, end)):
            continue
        chosen.append((start, end, rule))
        taken.update(range(start, end))
    return chosen


class ActorCoref:
    """Links descriptions ("the rebels", "government forces") to the nearest compatible actor named before them,
    or to a generic actor of the document's country, and adds them to `doc.spans[spans_key]`."""

    def __init__(self, nlp: Language, name: str, *, registry: ActorRegistry, spans_key: str = ACTOR_SPANS) -> None:
        self.name = name
        self.registry = registry
        self.spans_key = spans_key
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._descriptions: dict[int, DescriptionEntry] = {}
        for index, description in enumerate(registry.descriptions):
            key = f"sitrep_coref_{index}"
            self.matcher.add(key, _phrase_docs(nlp, dict.fromkeys(description.phrases)))
            self._descriptions[nlp.vocab.strings[key]] = description

    def __call__(self, doc: Doc) -> Doc:
        error_handler = self.get_error_handler()
        try:
            self.link(doc)
        except Exception as e:  # spaCy's error handler decides whether one document stops a batch
            error_handler(self.name, self, [doc], e)
        return doc

    def link(self, doc: Doc) -> None:
        """Add a span for each description that is not already part of a named mention."""
        existing = list(doc.spans[self.spans_key]) if self.spans_key in doc.spans else []
        actors = [s for s in existing if s.label_ != GROUP_LABEL]
        covered = {i for s in actors for i in range(s.start, s.end)}
        ends = {s.end for s in actors}
        matches = sorted(
            ((start, end, self._descriptions[match_id]) for match_id, start, end in self.matcher(doc)),
            key=lambda m: (m[0] - m[1], m[0]),
        )
        taken: set[int] = set()
        chosen = []
        for start, end, description in matches:
            if any(i in covered or i in taken for i in range(start, end)):
                continue
            taken.update(range(start, end))
            chosen.append((start, end, description))
        doc_country = self.registry.country_code(doc.user_data.get(DOC_COUNTRY_KEY))
        added: list[Span] = []
        for start, end, description in sorted(chosen, key=lambda m: m[0]):
            if start in ends or _head_of_name(doc, start, ends):
                continue  # the head noun of a name just before it: "Taliban militants", "HTS-led rebels"
            antecedent = self._antecedent(actors + added, start, description, doc_country)
            if antecedent is not None:
                span = Span(doc, start, end, label=antecedent.label_, span_id=antecedent.id_)
            elif description.fallback:
                generic = self.registry.generic[description.fallback]
                span_id = generic.template
                if doc_country:
                    span_id = self.registry.id_for_country(generic, doc_country)
                span = Span(doc, start, end, label=generic.kind, span_id=span_id)
            else:
                continue
            added.append(span)
        if added:
            doc.spans[self.spans_key] = sorted(existing + added, key=lambda s: (s.start, s.end))

    def _antecedent(
        self, actors: Sequence[Span], start: int, description: DescriptionEntry, doc_country: str | None
    ) -> Span | None:
        earlier = [s for s in actors if s.end <= start and s.label_ in description.links_to]
        if not STATE_KINDS.intersection(description.links_to):
            if earlier:
                return max(earlier, key=lambda s: s.end)
            # A headline often says "Rebels" before the story names them: from the first sentence only, the first
            # group named in a later sentence (in the same sentence a later name is usually the other side).
            first = actors[0].doc[start].sent if actors else None
            if first is not None and first.start == 0:
                later = [s for s in actors if s.start >= first.end and s.label_ in description.links_to]
                return min(later, key=lambda s: s.start) if later else None
            return None
        if not earlier:
            return None
        # "the army" is the document's own state: with the country known, only an actor of that country; without
        # it, only when the document names the forces of a single country (else "Russian jets ... the army"
        # would link to Russia).
        # A generic "the police" is the force, not a unit named earlier ("prison warders", "GSU").
        earlier = [s for s in earlier if not self.registry.is_unit(s.id_)]
        if not earlier:
            return None
        countries = {self._home(s) for s in earlier}
        if doc_country:
            earlier = [s for s in earlier if self._home(s) in (doc_country, None)]
        elif len(countries) > 1:
            return None
        return max(earlier, key=lambda s: s.end) if earlier else None

    def _home(self, span: Span) -> str | None:
        return self.registry.home_country(span.id_)

    def get_error_handler(self) -> Any:
        from spacy.util import raise_error

        return getattr(self, "_error_handler", raise_error)

    def set_error_handler(self, error_handler: Any) -> None:
        self._error_handler = error_handler


def _head_of_name(doc: Doc, start: int, ends: set[int]) -> bool:
    # "HTS-led rebels", "Houthi-affiliated fighters": a name, a hyphen and a participle before the description.
    return start >= 3 and doc[start - 2].text == "-" and (start - 2) in ends


@Language.factory(
    "sitrep_actor_ruler",
    assigns=["doc.spans"],
    default_config={"actors_file": "", "spans_key": ACTOR_SPANS},
)
def make_actor_ruler(nlp: Language, name: str, actors_file: str, spans_key: str) -> ActorRuler:
    """spaCy factory of the actor ruler; `actors_file` empty uses the packaged registry."""
    return ActorRuler(nlp, name, registry=_registry(actors_file), spans_key=spans_key)


@Language.factory(
    "sitrep_coref",
    assigns=["doc.spans"],
    default_config={"actors_file": "", "spans_key": ACTOR_SPANS},
)
def make_actor_coref(nlp: Language, name: str, actors_file: str, spans_key: str) -> ActorCoref:
    """spaCy factory of the in-document actor coreference; `actors_file` empty uses the packaged registry."""
    return ActorCoref(nlp, name, registry=_registry(actors_file), spans_key=spans_key)


@lru_cache(maxsize=4)
def _registry(actors_file: str) -> ActorRegistry:
    # Both components of one pipeline read the same files; parse them once.
    return load_actors(actors_file or None)


def actor_spans(doc: Doc, *, spans_key: str = ACTOR_SPANS) -> list[Span]:
    """The actor mentions of a document (not the associated groups), in order."""
    if spans_key not in doc.spans:
        return []
    return [s for s in doc.spans[spans_key] if s.label_ != GROUP_LABEL]


def resolve_spans(
    registry: ActorRegistry, spans: Iterable[Span], *, country: str | None, on: dt.date | None = None
) -> list[Actor]:
    """The distinct actors a list of spans names, resolved for the document's country and the event date."""
    found: dict[str, Actor] = {}
    for span in spans:
        actor = registry.resolve_id(span.id_, country=country, on=on)
        if actor is not None:
            found.setdefault(actor.name, actor)
    return list(found.values())
