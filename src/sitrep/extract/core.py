"""The extraction stage: a parsed document to reports, one per event sentence, and the figures it states.

For each sentence: the classifier decides whether it reports an event and which sub-type (with its trigger
word); dates, modality and attribution say when, whether it happened, and who says so; roles pick actor1 and
actor2 among the actor mentions; the geocoder picks the event's place; the numbers module counts the dead. A
sentence that only adds deaths or figures to the event before it ("Five people were killed.") is folded into
that event's report rather than made an event of its own.
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError
from spacy.language import Language
from spacy.tokens import Doc, Span

from ..actors import GROUP_LABEL, Actor, ActorRegistry, ActorRuler, interaction, load_actors
from ..classify import EventClassifier, Label, disorder_type, load_event_classifier
from ..datafiles import data_path, entry_error, read_yaml_mapping
from ..dates import DateResult, resolve_date
from ..errors import DataFileError, Errors
from ..gazetteer import Gazetteer
from ..geocode import PlaceRuler, ResolvedPlace, event_place, places_by_sentence, resolve_places
from ..models import Document, Evidence, Figure, Modality, Place, Report
from ..nlp import ACTOR_SPANS, load_language, spans_within
from ..settings import Settings
from .attribution import Claim, document_claimants
from .modality import find_modality
from .numbers import find_document_fatalities, find_figures
from .roles import assign_roles

logger = logging.getLogger(__name__)

_SKIPPED_MODALITIES = frozenset({"planned", "historical"})


class ExtractRules(BaseModel):
    """`data/extract.yaml`: the word lists of this stage."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fighting_lemmas: frozenset[str]
    territorial_sub_types: frozenset[str]
    death_lemmas: frozenset[str]
    support_verbs: frozenset[str]
    event_nouns: frozenset[str]


def load_extract_rules(path: Path | None = None) -> ExtractRules:
    """Read and validate `data/extract.yaml`."""
    file = path or data_path("extract.yaml")
    try:
        return ExtractRules.model_validate(read_yaml_mapping(file))
    except ValidationError as e:
        raise entry_error(file, e) from e


@dataclass
class _Draft:
    """A report being built: its first sentence and any sentences that continue it."""

    sent: Span
    label: Label
    date: DateResult
    claims: list[Claim]
    modality: Modality = "reported"
    sentences: list[Span] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)


@dataclass
class Extractor:
    """The loaded resources of extraction, and the function that uses them."""

    nlp: Language
    settings: Settings
    actors: ActorRegistry
    gazetteer: Gazetteer
    classifier: EventClassifier
    default_actors: dict[str, dict[str, str | int]] = field(default_factory=dict)
    rules: ExtractRules = field(default_factory=load_extract_rules)

    @classmethod
    def load(cls, *, settings: Settings, nlp: Language | None = None) -> Extractor:
        """Load the spaCy pipeline with Sitrep's components, the actor registry, gazetteer and classifier."""
        nlp = nlp or load_language(settings.spacy_model)
        nlp.max_length = max(nlp.max_length, settings.max_text_chars + 1)
        gazetteer = Gazetteer.open(settings=settings)
        if "sitrep_actor_ruler" not in nlp.pipe_names:
            nlp.add_pipe("sitrep_actor_ruler")
        if "sitrep_place_ruler" not in nlp.pipe_names:
            nlp.add_pipe("sitrep_place_ruler")
        place_ruler = nlp.get_pipe("sitrep_place_ruler")
        if isinstance(place_ruler, PlaceRuler):  # share one open gazetteer
            place_ruler.gazetteer = gazetteer
        if "sitrep_coref" not in nlp.pipe_names:
            nlp.add_pipe("sitrep_coref", after="sitrep_actor_ruler")
        classifier = load_event_classifier(Path(settings.event_model) if settings.event_model else None)
        actor_ruler = nlp.get_pipe("sitrep_actor_ruler")
        actors = actor_ruler.registry if isinstance(actor_ruler, ActorRuler) else load_actors()
        return cls(nlp=nlp, settings=settings, actors=actors, gazetteer=gazetteer, classifier=classifier,
                   default_actors=load_default_actors())  # fmt: skip

    def extract_documents(self, documents: Sequence[Document]) -> list[tuple[list[Report], list[Figure]]]:
        """Reports and figures of each document, in order, parsing them in batches."""
        docs = self.nlp.pipe((d.text for d in documents), batch_size=self.settings.spacy_batch_size)
        return [self.extract_doc(doc, document) for doc, document in zip(docs, documents, strict=True)]

    def extract_doc(self, doc: Doc, document: Document) -> tuple[list[Report], list[Figure]]:
        """Reports (document order; the first is the main event) and all figures of one parsed document."""
        published = document.published
        places = resolve_places(doc, gazetteer=self.gazetteer, settings=self.settings)
        country = _country_focus(places)
        sentence_places = places_by_sentence(doc, places)
        claims_by_sentence = document_claimants(doc)
        drafts: list[_Draft] = []
        figures: list[Figure] = []
        for sent, claims in zip(doc.sents, claims_by_sentence, strict=True):
            date = resolve_date(sent, published=published, settings=self.settings)
            label = self.classifier.classify_sentence(sent)
            claimant = claims[0].claimant if claims else None
            sent_figures = [] if date.historical else find_figures(sent, published=published, claimant=claimant)
            if drafts and _continues(sent, label, date, sentence_places, drafts[-1], self.rules):
                drafts[-1].sentences.append(sent)
                drafts[-1].figures.extend(sent_figures)
                drafts[-1].claims.extend(c for c in claims if c.claimant not in {x.claimant for x in drafts[-1].claims})
                figures.extend(sent_figures)
                continue
            figures.extend(sent_figures)
            for clause, clause_label in self._sentence_events(sent, label):
                modality = find_modality(clause, trigger=clause_label.trigger, published=published)
                if modality in _SKIPPED_MODALITIES or date.historical or date.future:
                    logger.debug("not an event (%s): %s", modality, clause.text)
                    continue
                drafts.append(_Draft(sent=clause, label=clause_label, date=date, claims=list(claims),
                                     modality=modality, sentences=[sent], figures=list(sent_figures)))  # fmt: skip
        drafts = self._main_first(drafts, document.text, sentences=list(doc.sents))
        default_place = _main_place(places)
        reports = [
            report
            for draft in drafts
            for report in self._reports(doc, document, draft, sentence_places, default_place, country)
        ]
        return reports, figures

    def _main_first(self, drafts: list[_Draft], text: str, *, sentences: list[Span]) -> list[_Draft]:
        """Put the document's main event first: the one of the type the whole text is classified as.

        A brief (a few sentences) is typed better as a whole than sentence by sentence, so there the whole
        text's type also replaces the first sentence's when no event has it, and all its sentences count the
        main event's dead (a brief's later sentences tell the toll of its one event).
        """
        if not drafts:
            return drafts
        whole = self.classifier.classify(text)[0]
        brief = len(sentences) <= self.settings.brief_sentences
        if whole.is_event:
            match = next((i for i, d in enumerate(drafts) if d.label.sub_event_type == whole.sub_event_type), None)
            if match is not None:
                drafts = [drafts[match], *drafts[:match], *drafts[match + 1 :]]
            elif brief:
                first = drafts[0]
                relabelled = Label(event_type=whole.event_type, sub_event_type=whole.sub_event_type,
                                   score=whole.score, source=whole.source, trigger=first.label.trigger,
                                   trigger_lemma=first.label.trigger_lemma)  # fmt: skip
                drafts = [replace(first, label=relabelled), *drafts[1:]]
        if brief:
            drafts = [replace(drafts[0], sentences=sentences), *drafts[1:]]
        return drafts

    def _sentence_events(self, sent: Span, label: Label | None) -> list[tuple[Span, Label]]:
        """The events of one sentence, each with the clause that reports it.

        Clauses joined by "and" that each have a subject ("HTS swept into Aleppo, and SANA reported air strikes
        on Idlib") are typed one by one; a takeover reported together with the fighting before it also gives
        an armed clash (ACLED: the fighting is a clash, only the final takeover is territorial).
        """
        events: list[tuple[Span, Label]] = []
        clauses = _clauses(sent)
        if len(clauses) > 1:
            for clause in clauses:
                clause_label = self.classifier.classify_sentence(clause)
                if clause_label is not None and clause_label.is_event:
                    events.append((clause, clause_label))
            if len({lab.sub_event_type for _, lab in events}) < 2:
                events = []
        if not events and label is not None and label.is_event:
            events = [(sent, label)]
        for clause, clause_label in list(events):
            if clause_label.sub_event_type in self.rules.territorial_sub_types:
                fighting = next((t for t in clause if t.lemma_.lower() in self.rules.fighting_lemmas), None)
                if fighting is not None:
                    clash = Label(event_type="Battles", sub_event_type="Armed clash", score=clause_label.score,
                                  source="rules", trigger=fighting, trigger_lemma=fighting.lemma_.lower())  # fmt: skip
                    events.append((clause, clash))
        return events

    def _reports(
        self,
        doc: Doc,
        document: Document,
        draft: _Draft,
        sentence_places: dict[int, list[Place]],
        default_place: ResolvedPlace | None,
        country: str | None,
    ) -> list[Report]:
        """The report of a draft, one per place when the event's place is a list ("struck Hama and Idlib")."""
        sent = draft.sent
        candidates = [p for p in sentence_places.get(sent.sent.start, []) if _inside(p, sent)]
        place = event_place(sent, candidates, trigger=draft.label.trigger)
        if place is None or place.latitude is None:
            return [self._report(doc, document, draft, default_place if default_place is not None else place,
                                 country)]  # fmt: skip
        places = [place, *_conjoined_places(doc, place, candidates)]
        return [self._report(doc, document, draft, p, country) for p in places]

    def _report(self, doc: Doc, document: Document, draft: _Draft, place: Place | None, country: str | None) -> Report:
        sent, label = draft.sent, draft.label
        published = document.published
        place_country = getattr(place, "country_code", None) or country
        spans = [s for s in spans_within(sent, ACTOR_SPANS) if s.label_ != GROUP_LABEL]
        span1, span2, supporters = assign_roles(sent, spans, label.trigger, support_verbs=self.rules.support_verbs)
        on = draft.date.date
        actor1 = self.actors.resolve_id(span1.id_, country=place_country, on=on) if span1 is not None else None
        actor2 = self.actors.resolve_id(span2.id_, country=place_country, on=on) if span2 is not None else None
        actor1, actor2 = self._apply_defaults(label, actor1, actor2, place_country, draft)
        associates = [self.actors.resolve_id(s.id_, country=place_country, on=on) for s in supporters]
        assoc_actor_1 = "; ".join(dict.fromkeys(a.name for a in associates if a is not None and a != actor1)) or None
        inter1 = self.actors.inter_for(actor1, place_country) if actor1 else None
        inter2 = self.actors.inter_for(actor2, place_country) if actor2 else None
        deaths = find_document_fatalities(draft.sentences, event_sub_type=label.sub_event_type, published=published)
        evidence = [Evidence(text=s.text, start=s.start_char, end=s.end_char) for s in draft.sentences]
        if draft.date.evidence is not None:
            evidence.append(draft.date.evidence)
        claimants = list(dict.fromkeys(c.claimant for c in draft.claims))
        return Report(
            report_id=":".join(
                (document.id, str(sent.start_char), _slug(label.sub_event_type), str(place.geonameid if place else ""))
            ),
            document_id=document.id,
            sentence_start=sent.start_char,
            sentence_end=draft.sentences[-1].end_char,
            sentence=" ".join(s.text for s in draft.sentences),
            event_date=draft.date.date or published,
            time_precision=draft.date.time_precision or (1 if published else None),
            disorder_type=disorder_type(label.event_type, label.sub_event_type),
            event_type=label.event_type,
            sub_event_type=label.sub_event_type,
            actor1=actor1.name if actor1 else None,
            assoc_actor_1=assoc_actor_1,
            inter1=inter1,
            actor2=actor2.name if actor2 else None,
            inter2=inter2,
            interaction=interaction(inter1, inter2),
            civilian_targeting="Civilian targeting" if _targets_civilians(actor2) else None,
            **_place_fields(place),
            notes=" ".join(s.text for s in draft.sentences),
            fatalities=deaths.best,
            fatalities_low=deaths.low,
            fatalities_high=deaths.high,
            attributed_to=claimants,
            modality=draft.modality,
            confidence=round(float(label.score), 3),
            evidence=evidence,
            figures=draft.figures,
        )

    def _apply_defaults(
        self, label: Label, actor1: Actor | None, actor2: Actor | None, country: str | None, draft: _Draft
    ) -> tuple[Actor | None, Actor | None]:
        """ACLED's generic actors for empty roles, and named actors moved to the role their inter code fits."""
        rule = {**self.default_actors.get(label.event_type, {}), **self.default_actors.get(label.sub_event_type, {})}
        if not rule:
            return actor1, actor2
        if actor1 is not None and "actor1_inter" in rule and actor1.inter != rule["actor1_inter"]:
            if actor2 is None:
                actor2 = actor1
            actor1 = None
        victim_inter = rule.get("actor2_inter")
        if actor1 is not None and actor1.inter == victim_inter and (actor2 is None or actor2.inter != victim_inter):
            actor1, actor2 = actor2, actor1
        if actor2 is not None and actor1 is not None and actor1.name == actor2.name:
            actor2 = None
        on = draft.date.date
        key1, key2 = rule.get("actor1"), rule.get("actor2")
        if actor1 is None and isinstance(key1, str):
            actor1 = self.actors.resolve_generic(key1, country, on=on)
        if actor2 is None and isinstance(key2, str):
            actor2 = self.actors.resolve_generic(key2, country, on=on)
        if actor1 is not None and actor2 is not None and actor1.name == actor2.name:
            actor2 = None  # an unnamed side against an unnamed side is one unknown, not two
        return actor1, actor2


def load_default_actors(path: Path | None = None) -> dict[str, dict[str, str | int]]:
    """`data/default_actors.yaml`: generic actors by event type, validated."""
    path = path or data_path("default_actors.yaml")
    data = read_yaml_mapping(path)
    allowed = {"actor1": str, "actor2": str, "actor1_inter": int, "actor2_inter": int}
    for entry, rule in data.items():
        if not isinstance(rule, dict):
            raise DataFileError(Errors.E011.format(path=path, entry=entry, field="", reason="a mapping expected"))
        for key, value in rule.items():
            if key not in allowed or not isinstance(value, allowed[key]):
                raise DataFileError(Errors.E011.format(path=path, entry=entry, field=key,
                                                       reason=f"expected one of {sorted(allowed)} with a "
                                                       "generic key or an inter code"))  # fmt: skip
    return data


def _clauses(sent: Span) -> list[Span]:
    """The sentence cut before each coordinated clause that has a subject of its own."""
    cuts = sorted(
        t.left_edge.i
        for t in sent
        if t.dep_ == "conj" and t.pos_ in ("VERB", "AUX") and any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children)
    )
    bounds = [sent.start, *(c for c in cuts if sent.start < c < sent.end), sent.end]
    doc = sent.doc
    return [doc[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def _inside(place: Place, span: Span) -> bool:
    return place.start is not None and span.start_char <= place.start < span.end_char


def _conjoined_places(doc: Doc, place: Place, candidates: Sequence[Place]) -> list[Place]:
    """Other resolved places coordinated with the event's place ("on Hama province and Idlib")."""
    if place.start is None or place.end is None:
        return []
    span = doc.char_span(place.start, place.end, alignment_mode="expand")
    if span is None:
        return []
    # The place may hang off the coordinated noun: "Hama province and ...": Hama is a compound of "province".
    conjuncts = {c.i for t in [span.root, *list(span.root.ancestors)[:2]] for c in t.conjuncts}
    out = []
    for other in candidates:
        if other is place or other.latitude is None or other.start is None or other.end is None:
            continue
        other_span = doc.char_span(other.start, other.end, alignment_mode="expand")
        if other_span is None or other.geonameid == place.geonameid:
            continue
        # "Hama province and the rebel-held bastion of Idlib": Idlib hangs off a conjunct, two steps up.
        heads = [other_span.root, *list(other_span.root.ancestors)[:3]]
        if any(t.i in conjuncts for t in heads):
            out.append(other)
    return out


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())[:12]


def _continues(
    sent: Span,
    label: Label | None,
    date: DateResult,
    sentence_places: dict[int, list[Place]],
    previous: _Draft,
    rules: ExtractRules,
) -> bool:
    """Whether a sentence only adds to the event before it: it names no new place or day, and it is no event of
    its own, or an event only because someone died, or it speaks of "the strike" just told."""
    if sentence_places.get(sent.start) or (date.evidence is not None and date.date != previous.date.date):
        return False
    if _refers_back(sent, rules.event_nouns):
        return True
    if label is None or not label.is_event:
        return any(t.lemma_.lower() in rules.death_lemmas for t in sent)
    trigger = label.trigger
    return trigger is not None and trigger.lemma_.lower() in rules.death_lemmas


def _refers_back(sent: Span, event_nouns: frozenset[str]) -> bool:
    """A subject such as "the strike" or "this attack": the sentence tells more of an event already named."""
    return any(
        t.dep_ in ("nsubj", "nsubjpass")
        and t.lemma_.lower() in event_nouns
        and any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in t.children)
        for t in sent
    )


def _country_focus(places: Sequence[ResolvedPlace]) -> str | None:
    """The ISO2 country most of the document's resolved places are in."""
    counts = Counter(p.country_code for p in places if p.resolved and p.role == "place" and p.country_code)
    return counts.most_common(1)[0][0] if counts else None


def _main_place(places: Sequence[ResolvedPlace]) -> ResolvedPlace | None:
    """The document's most often named place of events (the first, on a tie): the fallback for sentences that
    name none."""
    usable = [p for p in places if p.resolved and p.role == "place" and p.latitude is not None]
    if not usable:
        return None
    counts = Counter(p.geonameid or p.name for p in usable)
    best = max(counts.values())
    return next(p for p in usable if counts[p.geonameid or p.name] == best)


def _place_fields(place: Place | None) -> dict[str, object]:
    if place is None:
        return {}
    return {
        "location": place.name,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "geo_precision": place.geo_precision,
        "geonameid": place.geonameid,
        "country": place.country,
        "iso": place.iso,
        "admin1": place.admin1,
        "admin2": place.admin2,
        "admin3": place.admin3,
    }


def _targets_civilians(actor: Actor | None) -> bool:
    return actor is not None and actor.inter == 7
