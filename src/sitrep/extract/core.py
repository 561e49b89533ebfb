"""The extraction stage: a parsed document to reports, one per event sentence, and the figures it states.

For each sentence: the classifier decides whether it reports an event and which sub-type (with its trigger
word); dates, modality and attribution say when, whether it happened, and who says so; roles pick actor1 and
actor2 among the actor mentions; the geocoder picks the event's place; the numbers module counts the dead. A
sentence that only adds deaths or figures to the event before it ("Five people were killed.") is folded into
that event's report rather than made an event of its own.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..actors import Actor, ActorRegistry, ActorRuler, actor_spans, interaction, load_actors
from ..classify import EventClassifier, Label, disorder_type, load_event_classifier
from ..dates import DateResult, resolve_date
from ..gazetteer import Gazetteer
from ..geocode import PlaceRuler, ResolvedPlace, event_place, places_by_sentence, resolve_places
from ..models import Document, Evidence, Figure, Place, Report
from ..nlp import load_language
from ..settings import Settings
from .attribution import Claim, document_claimants
from .modality import find_modality
from .numbers import find_document_fatalities, find_figures
from .roles import assign_roles

logger = logging.getLogger(__name__)

# Sentences that only report deaths continue the event before them.
_DEATH_LEMMAS = frozenset({"kill", "die", "dead", "death", "fatality", "body", "injure", "wound", "casualty"})
_SKIPPED_MODALITIES = frozenset({"planned", "historical"})


@dataclass
class _Draft:
    """A report being built: its first sentence and any sentences that continue it."""

    sent: Span
    label: Label
    date: DateResult
    claims: list[Claim]
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

    @classmethod
    def load(cls, *, settings: Settings, nlp: Language | None = None) -> Extractor:
        """Load the spaCy pipeline with Sitrep's components, the actor registry, gazetteer and classifier."""
        nlp = nlp or load_language(settings.spacy_model)
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
        return cls(nlp=nlp, settings=settings, actors=actors, gazetteer=gazetteer, classifier=classifier)

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
            if drafts and _continues(sent, label, date, sentence_places, drafts[-1]):
                drafts[-1].sentences.append(sent)
                drafts[-1].figures.extend(sent_figures)
                drafts[-1].claims.extend(c for c in claims if c.claimant not in {x.claimant for x in drafts[-1].claims})
                figures.extend(sent_figures)
                continue
            figures.extend(sent_figures)
            if label is None or not label.is_event:
                continue
            modality = find_modality(sent, trigger=label.trigger, published=published)
            if modality in _SKIPPED_MODALITIES or date.historical or date.future:
                logger.debug("not an event (%s): %s", modality, sent.text)
                continue
            drafts.append(_Draft(sent=sent, label=label, date=date, claims=list(claims), sentences=[sent],
                                 figures=list(sent_figures)))  # fmt: skip
        default_place = _main_place(places)
        reports = [self._report(doc, document, draft, sentence_places, default_place, country) for draft in drafts]
        return reports, figures

    def _report(
        self,
        doc: Doc,
        document: Document,
        draft: _Draft,
        sentence_places: dict[int, list[Place]],
        default_place: ResolvedPlace | None,
        country: str | None,
    ) -> Report:
        sent, label = draft.sent, draft.label
        published = document.published
        place = event_place(sent, sentence_places.get(sent.start, []), trigger=label.trigger)
        if place is None or place.latitude is None:
            place = default_place if default_place is not None else place
        place_country = getattr(place, "country_code", None) or country
        spans = [s for s in actor_spans(doc) if s.start >= sent.start and s.end <= sent.end]
        span1, span2 = assign_roles(sent, spans, label.trigger)
        on = draft.date.date
        actor1 = self.actors.resolve_id(span1.id_, country=place_country, on=on) if span1 is not None else None
        actor2 = self.actors.resolve_id(span2.id_, country=place_country, on=on) if span2 is not None else None
        inter1 = self.actors.inter_for(actor1, place_country) if actor1 else None
        inter2 = self.actors.inter_for(actor2, place_country) if actor2 else None
        deaths = find_document_fatalities(draft.sentences, event_sub_type=label.sub_event_type, published=published)
        evidence = [Evidence(text=s.text, start=s.start_char, end=s.end_char) for s in draft.sentences]
        if draft.date.evidence is not None:
            evidence.append(draft.date.evidence)
        modality = find_modality(sent, trigger=label.trigger, published=published)
        claimants = list(dict.fromkeys(c.claimant for c in draft.claims))
        return Report(
            report_id=f"{document.id}:{sent.start_char}",
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
            modality=modality,
            confidence=round(float(label.score), 3),
            evidence=evidence,
            figures=draft.figures,
        )


def _continues(
    sent: Span,
    label: Label | None,
    date: DateResult,
    sentence_places: dict[int, list[Place]],
    previous: _Draft,
) -> bool:
    """Whether a sentence only adds to the event before it: it names no new place or day, and it is either no
    event of its own or an event only because someone died."""
    if sentence_places.get(sent.start) or (date.evidence is not None and date.date != previous.date.date):
        return False
    if label is None or not label.is_event:
        return any(t.lemma_.lower() in _DEATH_LEMMAS for t in sent)
    trigger = label.trigger
    return trigger is not None and trigger.lemma_.lower() in _DEATH_LEMMAS


def _country_focus(places: Sequence[ResolvedPlace]) -> str | None:
    """The ISO2 country most of the document's resolved places are in."""
    counts = Counter(p.country_code for p in places if p.resolved and p.role == "place" and p.country_code)
    return counts.most_common(1)[0][0] if counts else None


def _main_place(places: Sequence[ResolvedPlace]) -> ResolvedPlace | None:
    """The document's first resolved place of events: the fallback for sentences that name none."""
    usable = [p for p in places if p.resolved and p.role == "place" and p.latitude is not None]
    return usable[0] if usable else None


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
