"""The extraction stage: a parsed document to reports, one per event sentence, and the figures it states.

For each sentence: the classifier decides whether it reports an event and which sub-type (with its trigger
word); dates, modality and attribution say when, whether it happened, and who says so; roles pick actor1 and
actor2 among the actor mentions; the geocoder picks the event's place; the numbers module counts the dead. A
sentence that only adds deaths or figures to the event before it ("Five people were killed.") is folded into
that event's report rather than made an event of its own.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span

from ..geo.event_place import event_place
from ..geo.gazetteer import Gazetteer
from ..geo.geocoder import places_by_sentence
from ..geo.mentions import PlaceRuler
from ..geo.resolve import ResolvedPlace, resolve_places
from ..geo.weights import ScoringWeights, scoring_weights
from ..models import Document, Evidence, Figure, Modality, Place, Report
from ..nlp import (
    ACTOR_SPANS,
    bare_possessive_tokenizer,
    lacks_apostrophes,
    load_language,
    release_caches,
    span_text,
    spans_within,
)
from ..settings import Settings
from ..taxonomy import EXPLOSIONS, VIOLENCE_AGAINST_CIVILIANS, disorder_type
from .actor_data import GROUP_LABEL, STATE_KINDS, Actor, interaction
from .actor_registry import ActorRegistry, load_actors
from .actors import ActorRuler
from .article import in_furniture, is_agency, is_furniture, is_headline, mark_article_parts
from .attribution import Claim, document_claimants
from .classify import EventClassifier, load_classifier_with_reader
from .clauses import clauses, death_word, refers_back, running_tally, toll_only
from .dates import DateResult, resolve_date
from .extract_rules import DefaultActors, DefaultRule, ExtractRules, load_default_actors, load_extract_rules
from .figures import find_figures
from .headline_case import COMPONENT as HEADLINE_CASE
from .lede import lede_completes_main
from .modality import find_modality
from .number_rules import Fatalities
from .numbers import find_document_fatalities
from .report_places import (
    conjoined_places,
    country_focus,
    inside,
    main_place,
    place_evidence,
    place_fields,
    within_country,
)
from .roles import actor_evidence, assign_roles, mention_anchor
from .triggers import Label

logger = logging.getLogger(__name__)
_ONE_SIDED = frozenset({EXPLOSIONS, VIOLENCE_AGAINST_CIVILIANS})  # one side acts, the other is hit

_SKIPPED_MODALITIES = frozenset({"planned", "historical"})
# spaCy entity labels that may name a place, or a people whose country tells the document's ("Kenyan").
_PLACE_ENTITY_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})


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
    default_actors: DefaultActors = field(default_factory=DefaultActors)
    rules: ExtractRules = field(default_factory=load_extract_rules)
    _generic_keys: dict[str, str] = field(init=False, default_factory=dict)
    _unknown_template: str = field(init=False, default="")
    _bare_tokenizer: Tokenizer | None = field(init=False, default=None)
    weights: ScoringWeights = field(init=False)

    def __post_init__(self) -> None:
        self.weights = scoring_weights(self.settings)
        self._generic_keys = {g.template: g.key for g in self.actors.generic.values()}
        unknown = self.actors.generic.get(self.rules.unknown_actor)
        self._unknown_template = unknown.template if unknown is not None else ""

    @classmethod
    def load(cls, *, settings: Settings, nlp: Language | None = None) -> Extractor:
        """Load the spaCy pipeline with Sitrep's components, the actor registry, gazetteer and classifier."""
        nlp = nlp or load_language(settings.spacy_model)
        nlp.max_length = max(nlp.max_length, settings.max_text_chars + 1)
        gazetteer = Gazetteer.open(settings=settings)
        if "parser" in nlp.pipe_names and HEADLINE_CASE not in nlp.pipe_names:
            nlp.add_pipe(HEADLINE_CASE)  # before Sitrep's rulers, which read its tags
        if "sitrep_actor_ruler" not in nlp.pipe_names:
            nlp.add_pipe("sitrep_actor_ruler")
        if "sitrep_place_ruler" not in nlp.pipe_names:
            nlp.add_pipe("sitrep_place_ruler")
        place_ruler = nlp.get_pipe("sitrep_place_ruler")
        if isinstance(place_ruler, PlaceRuler):  # share one open gazetteer
            place_ruler.gazetteer = gazetteer
        if "sitrep_coref" not in nlp.pipe_names:
            nlp.add_pipe("sitrep_coref", after="sitrep_actor_ruler")
        classifier = load_classifier_with_reader(settings)
        actor_ruler = nlp.get_pipe("sitrep_actor_ruler")
        actors = actor_ruler.registry if isinstance(actor_ruler, ActorRuler) else load_actors()
        return cls(nlp=nlp, settings=settings, actors=actors, gazetteer=gazetteer, classifier=classifier,
                   default_actors=load_default_actors())  # fmt: skip

    def extract_documents(self, documents: Sequence[Document]) -> list[tuple[list[Report], list[Figure]]]:
        """Reports and figures of each document, in order, parsing them in batches."""
        # A headline and a dateline run into the lede are sentences of their own (see article.py).
        unparsed = (mark_article_parts(self._tokenizer(d.text)(d.text), d.title) for d in documents)
        docs = self.nlp.pipe(unparsed, batch_size=self.settings.spacy_batch_size)
        results: list[tuple[list[Report], list[Figure]]] = []
        for doc, document in zip(docs, documents, strict=True):
            results.append(self.extract_doc(doc, document))
            release_caches(doc)
        return results

    def _tokenizer(self, text: str) -> Callable[[str], Doc]:
        """The pipeline's tokenizer, or for a text without apostrophes one that reads "Syrias" as "Syria's"."""
        if not lacks_apostrophes(text):
            return self.nlp.tokenizer
        if self._bare_tokenizer is None:
            gazetteer, actors = self.gazetteer, self.actors
            self._bare_tokenizer = bare_possessive_tokenizer(self.nlp, (
                name for name in gazetteer.famous_names()
                if not gazetteer.has_key(gazetteer.key(f"{name}s"))
                and actors.resolve(f"{name}s") is None and actors.demonym_country(f"{name}s") is None
            ))  # fmt: skip
        return self._bare_tokenizer

    def extract_doc(self, doc: Doc, document: Document) -> tuple[list[Report], list[Figure]]:
        """Reports (document order; the first is the main event) and all figures of one parsed document."""
        published = document.published
        places = resolve_places(doc, gazetteer=self.gazetteer, settings=self.settings, url=document.url or "")
        # "BEIRUT (AP) -" is no place of events, nor "SANA" (the agency) the city of Sana'a.
        places = [
            p for p in places
            if not in_furniture(doc, p.start, p.end) and not is_agency(doc.text[p.start or 0 : p.end or 0])
        ]  # fmt: skip
        country = country_focus(places) or self._country_evidence(doc, places)
        sentence_places = places_by_sentence(doc, places)
        claims_by_sentence = document_claimants(doc)
        context = self.classifier.document_context(document.text)
        drafts: list[_Draft] = []
        story: list[str] = []
        figures: list[Figure] = []
        figures_in = partial(find_figures, published=published, attribute=False, earlier=figures)  # grows as it is read
        for sent, claims in zip(doc.sents, claims_by_sentence, strict=True):
            if is_furniture(sent):
                continue
            date = resolve_date(sent, published=published, settings=self.settings)
            if not (date.historical and published):  # without a publication date, "since 2012" may be the news
                story.append(sent.text)
            label = self.classifier.classify_sentence(sent, context=context)
            claimant = claims[0].claimant if claims else None
            # No claim with the whole document's help means none without it: the figures need not look again.
            sent_figures = [] if date.historical else figures_in(sent, claimant=claimant)
            if drafts and _continues(sent, label, date, sentence_places, drafts[-1], self.rules):
                drafts[-1].sentences.append(sent)
                drafts[-1].figures.extend(sent_figures)
                drafts[-1].claims.extend(c for c in claims if c.claimant not in {x.claimant for x in drafts[-1].claims})
                figures.extend(sent_figures)
                continue
            figures.extend(sent_figures)
            if label is not None and label.is_event and running_tally(sent, label, self.rules.death_lemmas):
                logger.debug("a running tally, not an event: %s", sent)
                continue
            for clause, clause_label in self._sentence_events(sent, label, context):
                modality = find_modality(clause, trigger=clause_label.trigger, published=published)
                if modality in _SKIPPED_MODALITIES or date.historical or date.future:
                    logger.debug("not an event (%s): %s", modality, clause)
                    continue
                drafts.append(_Draft(sent=clause, label=clause_label, date=date, claims=list(claims),
                                     modality=modality, sentences=[sent], figures=list(sent_figures)))  # fmt: skip
        sentences = list(doc.sents)
        opening = [s for s in sentences if not is_furniture(s)][: self.settings.lede_sentences]  # headline and lede
        drafts = self._main_first(drafts, document.text, story=" ".join(story), sentences=sentences, opening=opening)
        default_place = main_place(places)
        # An actor word inside a longer place name ("Imam" in "Taybat al-Imam") names no actor; a name that is
        # both ("Pokot", "Turkana") stays the actor's.
        place_ranges = [(p.start, p.end) for p in places if p.start is not None and p.end is not None]
        reports = [
            report
            for draft in drafts
            for report in self._reports(
                doc, document, draft, sentence_places, default_place, country, place_ranges, main=draft is drafts[0]
            )
        ]
        if len(sentences) > self.settings.brief_sentences and opening:
            reports = lede_completes_main(reports, lede_end=opening[-1].end_char)
        return self._one_story(self._inherit_perpetrators(reports)), figures

    def _one_story(self, reports: list[Report]) -> list[Report]:
        """Reports that tell more of the document's main event, typed as it so that fusion joins them into it: at
        its place and day, the other demonstrations of a demonstration (`one_demonstration_types`), and any
        event's incidental developments (`incidental_sub_types`: "police were deployed to the area")."""
        if not reports:
            return reports
        main = reports[0]
        demonstrations = self.rules.one_demonstration_types
        typed = {name: getattr(main, name) for name in ("event_type", "sub_event_type", "disorder_type")}
        # An incidental development's sides are another event's ("police arrested two"): the main event's stand,
        # but for a second side the main event lacks (the police that arrested protesters).
        second = ("actor2", "assoc_actor_2", "inter2", "civilian_targeting") if main.actor2 else ()
        incidental = typed | {name: getattr(main, name) for name in ("actor1", "assoc_actor_1", "inter1", *second)}

        def at(r: Report) -> tuple[object, ...]:
            return r.geonameid, r.location, r.latitude, r.longitude, r.event_date

        def joined(r: Report) -> Report:
            if at(r) != at(main):
                return r
            if main.event_type in demonstrations and r.event_type in demonstrations:
                return r.model_copy(update=typed)
            if r.sub_event_type in self.rules.incidental_sub_types:
                inter2 = main.inter2 if main.actor2 else r.inter2
                return r.model_copy(update=incidental | {"interaction": interaction(main.inter1, inter2)})
            return r

        return [main] + [joined(r) for r in reports[1:]]

    def _inherit_perpetrators(self, reports: list[Report]) -> list[Report]:
        """Reports that name no perpetrator take one told nearby; the order of the list is kept.

        A one-sided event (a strike, an attack) takes the perpetrator of another one-sided event of its sentence:
        "government forces carried out a massacre in the village, where nine farmers died in a barrel bomb strike"
        is the army's attack and its strike. A report of an anaphoric sub-type (`anaphoric_sub_types`) takes the
        one of the document's nearest earlier report of that sub-type that names one."""
        unknown = self._unknown_template.split("{")[0]

        def names_perpetrator(report: Report) -> bool:
            return bool(report.actor1) and not (unknown and (report.actor1 or "").startswith(unknown))

        inherited = list(reports)
        named: dict[str, Report] = {}
        one_sided = {r.sentence: r for r in reversed(reports) if r.event_type in _ONE_SIDED and names_perpetrator(r)}
        for i in sorted(range(len(reports)), key=lambda i: reports[i].sentence_start):
            report = reports[i]
            sub_type = report.sub_event_type
            same = one_sided.get(report.sentence)
            if report.event_type in _ONE_SIDED and not report.actor1 and same and same.actor1 != report.actor2:
                report = inherited[i] = _with_perpetrator(report, same)
            if sub_type not in self.rules.anaphoric_sub_types:
                continue
            if names_perpetrator(report):
                named[sub_type] = report
            elif (earlier := named.get(sub_type)) is not None and earlier.actor1 != report.actor2:
                inherited[i] = _with_perpetrator(report, earlier)
        return inherited

    def _country_evidence(self, doc: Doc, places: Sequence[ResolvedPlace]) -> str | None:
        """The document's country when no place of events resolved: a vote of the other clues.

        A brief note often names only a village the gazetteer lacks ("in Kasipul"), yet says enough elsewhere:
        a resolved place in another role ("a gang from Nairobi"), a place name the gazetteer knows although the
        geocoder left it unresolved, a country adjective ("Kenyan"), or an actor whose home country is known
        ("KDF", "Kenyan police"). Place evidence outweighs actors, which may act abroad.
        """
        votes: defaultdict[str, float] = defaultdict(float)
        for place in places:
            if place.resolved and place.country_code:
                votes[place.country_code] += 2.0
        names = {p.mention for p in places if not p.resolved and p.mention}
        names.update(e.text for e in doc.ents if e.label_ in _PLACE_ENTITY_LABELS)
        for name in names:
            code = self.actors.demonym_country(name)
            if code is not None:
                votes[code] += 1.0
                continue
            found = self.gazetteer.lookup(name, fuzzy=False, limit=1)
            if found:
                votes[found[0].country] += 1.0
        for span in doc.spans.get(ACTOR_SPANS, ()):
            # Only a named mention ("KDF", "Kenyan police"): "local police" is every country's.
            code = self.actors.home_country(span.id_) if any(t.is_title or t.is_upper for t in span) else None
            if code is not None:
                votes[code] += 1.0 if span.label_ in STATE_KINDS else 0.5
        if not votes:
            return None
        ranked = sorted(votes.items(), key=lambda kv: kv[1], reverse=True)
        return ranked[0][0] if len(ranked) == 1 or ranked[1][1] < ranked[0][1] else None

    def _main_first(
        self, drafts: list[_Draft], text: str, *, story: str, sentences: list[Span], opening: list[Span]
    ) -> list[_Draft]:
        """Put the document's main event first: the one of the type the whole text is classified as; in a longer
        text, the lede's (`opening`: its first `lede_sentences`, furniture not counted) event of the type its story
        is classified as, else the lede's first.

        A short text (`whole_text_sentences`) is typed better as a whole than sentence by sentence, so there the
        whole text's type also replaces the first sentence's when no event has it. In a brief (`brief_sentences`,
        fewer) all sentences count the main event's dead: its later sentences tell the toll of its one event,
        where a longer text's may tell of others.
        """
        brief = len(sentences) <= self.settings.brief_sentences
        typed_whole = len(sentences) <= self.settings.whole_text_sentences
        if not drafts or (len(drafts) == 1 and not typed_whole):
            return drafts  # nothing to reorder or relabel
        # The text is typed by its story: no furniture, no background of past years ("protests began here in 2011").
        whole = self.classifier.classify(story or text, top_k=1)[0]
        incidental = self.rules.incidental_sub_types
        told = next((d.label for d in drafts if d.label.sub_event_type not in incidental), None)
        if whole.source == "rules" and whole.sub_event_type in incidental and told is not None:
            # An arrest the text also tells is part of the story's event, not the story: a rule that decides an
            # arrest sentence does not put it before the event it follows ("police dismantled a lab; a man was
            # arrested").
            whole = replace(whole, event_type=told.event_type, sub_event_type=told.sub_event_type)
        # A news story tells its main event first, in the headline and lede; further down come other events,
        # background and related news. The whole text's type picks among the lede's events.
        starts = {s.start for s in opening}
        lede = [i for i, d in enumerate(drafts) if d.sent.sent.start in starts]
        if not typed_whole and lede:
            of_type = [i for i, d in enumerate(drafts) if d.label.sub_event_type == whole.sub_event_type]
            main = next((i for i in of_type if i in lede), lede[0])
            # A demonstration the story tells turned violent later on is one violent demonstration.
            demonstrations = self.rules.one_demonstration_types
            if main not in of_type and of_type and {drafts[main].label.event_type, whole.event_type} <= demonstrations:
                main = of_type[0]
            drafts = [drafts[main], *drafts[:main], *drafts[main + 1 :]]
        elif whole.is_event:
            match = next((i for i, d in enumerate(drafts) if d.label.sub_event_type == whole.sub_event_type), None)
            if match is not None:
                drafts = [drafts[match], *drafts[:match], *drafts[match + 1 :]]
            elif typed_whole:
                first = drafts[0]
                relabelled = Label(event_type=whole.event_type, sub_event_type=whole.sub_event_type,
                                   score=whole.score, source=whole.source, trigger=first.label.trigger,
                                   trigger_lemma=first.label.trigger_lemma)  # fmt: skip
                drafts = [replace(first, label=relabelled), *drafts[1:]]
        if brief:
            drafts = [replace(drafts[0], sentences=sentences), *drafts[1:]]
        return drafts

    def _sentence_events(self, sent: Span, label: Label | None, context: frozenset[str]) -> list[tuple[Span, Label]]:
        """The events of one sentence, each with the clause that reports it.

        Clauses joined by "and" that each have a subject ("HTS swept into Aleppo, and SANA reported air strikes
        on Idlib") are typed one by one; a takeover reported together with the fighting before it also gives
        an armed clash (ACLED: the fighting is a clash, only the final takeover is territorial).
        """
        events: list[tuple[Span, Label]] = []
        parts = clauses(sent)
        if len(parts) > 1:
            for clause in parts:
                clause_label = self.classifier.classify_sentence(clause, context=context)
                if clause_label is not None and clause_label.is_event:
                    events.append((clause, clause_label))
            # "One policeman was killed and two were wounded when a roadside bomb hit them": the dead are the
            # bomb's, not a clash of their own.
            told = [(c, lab) for c, lab in events if not toll_only(death_word(lab, self.rules.death_lemmas))]
            events = told if told else events
            if len({lab.sub_event_type for _, lab in events}) < 2:
                events = []
        if not events and label is not None and label.is_event:
            events = [(sent, label)]
        for clause, clause_label in list(events):
            if clause_label.sub_event_type in self.rules.battle_takeovers:
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
        place_ranges: Sequence[tuple[int, int]] = (),
        *,
        main: bool = False,
    ) -> list[Report]:
        """The report of a draft (`main`: the document's main event), one per place when the event's place is a
        list ("struck Hama and Idlib")."""
        sent = draft.sent
        candidates = [p for p in sentence_places.get(sent.sent.start, []) if inside(p, sent)]
        place = event_place(sent, candidates, trigger=draft.label.trigger, weights=self.weights)
        if place is None or place.latitude is None or within_country(place, default_place, sent, main=main):
            fallback = default_place if default_place is not None else place
            return [self._report(doc, document, draft, fallback, country, place_ranges)]
        outskirts = getattr(place, "relation", "") == "outskirts"
        if outskirts and draft.label.sub_event_type in self.rules.battle_takeovers:
            # What changed hands is beside the town ("took the area on the edge of Aleppo"), not the town itself.
            place = place.model_copy(update={"geo_precision": 2})
        places = [place, *conjoined_places(doc, place, candidates, stretch_words=self.rules.stretch_words)]
        return [
            self._report(doc, document, draft, p, country, place_ranges, share=(i, len(places)))
            for i, p in enumerate(places)
        ]

    def _report(
        self,
        doc: Doc,
        document: Document,
        draft: _Draft,
        place: Place | None,
        country: str | None,
        place_ranges: Sequence[tuple[int, int]] = (),
        *,
        share: tuple[int, int] = (0, 1),
    ) -> Report:
        """The report of a draft at one place; `share`: this place's index among the places the draft's sentence
        lists, and their number ("jets struck Hama and Idlib, killing nine"), which share its toll."""
        sent, label = draft.sent, draft.label
        published = document.published
        place_country = getattr(place, "country_code", None) or country
        on = draft.date.date
        excluded = self.default_actors.rule(label).get("no_inter")
        excluded = excluded if isinstance(excluded, list) else []
        spans = [
            s
            for s in spans_within(sent, ACTOR_SPANS)
            if s.label_ != GROUP_LABEL
            and not any(_within(s, a, b) for a, b in place_ranges)
            and not (excluded and (a := self._resolve(s.id_, place_country, on)) is not None and a.inter in excluded)
        ]
        trigger = label.trigger
        # "Rebels and troops clashed": in a battle two sides in one phrase fight each other.
        mutual = label.event_type == "Battles" and label.sub_event_type not in self.rules.changes_of_hands
        span1, span2, supporters = assign_roles(sent, spans, trigger, support_verbs=self.rules.support_verbs,
                                                blame_verbs=self.rules.blame_verbs,
                                                speech_verbs=self.rules.speech_verbs,
                                                allied_conjuncts=not mutual)  # fmt: skip
        leader = _leader(span1, supporters, self.rules.leader_verbs)
        if leader is not None and span1 is not None:
            # "opposition fighters led by HTS": the named leader is the actor, the led its associates.
            supporters = [span1, *(s for s in supporters if s is not leader)]
            span1 = leader
        if span1 is not None and span1.id_ not in self.actors.entries:
            # "militants suspected to belong to Al Shabaab", "gunmen of the Mungiki sect": the group they belong to.
            span1 = _named_within(span1, spans, self.actors.entries, self.rules.perpetrator_kinds) or span1
        actor1 = self._resolve(span1.id_, place_country, on) if span1 is not None else None
        actor2 = self._resolve(span2.id_, place_country, on) if span2 is not None else None
        if actor1 is None or actor1.template == self._unknown_template:
            actor1 = self._named_elsewhere(draft, place_country, on, other=actor2) or actor1
        lost = span1 is not None and mention_anchor(span1).head.lemma_.lower() in self.rules.loss_lemmas
        label, actor1, actor2 = self._apply_defaults(label, actor1, actor2, place_country, draft, lost=lost)
        associates = [self.actors.resolve_id(s.id_, country=place_country, on=on) for s in supporters]
        actor1, unit1 = self._as_parent(actor1, place_country, on)
        actor2, unit2 = self._as_parent(actor2, place_country, on)
        assoc_actor_1 = "; ".join(dict.fromkeys(a.name for a in [unit1, *associates] if a is not None and a != actor1))
        assoc_actor_2 = unit2.name if unit2 is not None else None
        inter1 = self.actors.inter_for(actor1, place_country) if actor1 else None
        inter2 = self.actors.inter_for(actor2, place_country) if actor2 else None
        deaths = self._deaths(draft.sentences, label.sub_event_type, published)
        if share[1] > 1 and deaths.stated and not deaths.summary:
            # ACLED shares a stated toll among the places evenly, the remainder to the first, so that the events'
            # dead add up to it; a coder's summary line has shared it already.
            deaths = deaths.model_copy(update={k: _share(getattr(deaths, k), *share) for k in ("low", "best", "high")})
        texts = [span_text(s) for s in draft.sentences]
        evidence = [
            Evidence(text=t, start=s.start_char, end=s.end_char) for t, s in zip(texts, draft.sentences, strict=True)
        ]
        if draft.date.evidence is not None:
            evidence.append(draft.date.evidence)
        evidence += self._field_evidence(doc, place, actor1, actor2, [span1, span2, *spans], place_country, on)
        claimants = list(dict.fromkeys(c.claimant for c in draft.claims))
        return Report(
            report_id=":".join(
                (document.id, str(sent.start_char), _slug(label.sub_event_type), str(place.geonameid if place else ""))
            ),
            document_id=document.id,
            sentence_start=sent.start_char,
            sentence_end=draft.sentences[-1].end_char,
            sentence=" ".join(texts),
            event_date=draft.date.date or published,
            time_precision=draft.date.time_precision or (1 if published else None),
            disorder_type=disorder_type(label.event_type, label.sub_event_type),
            event_type=label.event_type,
            sub_event_type=label.sub_event_type,
            actor1=actor1.name if actor1 else None,
            assoc_actor_1=assoc_actor_1 or None,
            inter1=inter1,
            actor2=actor2.name if actor2 else None,
            assoc_actor_2=assoc_actor_2,
            inter2=inter2,
            interaction=interaction(inter1, inter2),
            civilian_targeting="Civilian targeting" if _targets_civilians(actor2) else None,
            **place_fields(place),
            notes=" ".join(texts),
            fatalities=deaths.best,
            fatalities_low=deaths.low,
            fatalities_high=deaths.high,
            fatalities_unknown=deaths.unknown,
            attributed_to=claimants,
            modality=draft.modality,
            confidence=round(float(label.score), 3),
            evidence=evidence,
            figures=draft.figures,
        )

    def _field_evidence(
        self,
        doc: Doc,
        place: Place | None,
        actor1: Actor | None,
        actor2: Actor | None,
        mentions: Sequence[Span | None],
        country: str | None,
        on: dt.date | None,
    ) -> list[Evidence]:
        """The words that name the report's place and actors, each with its field; `mentions`: actor1's span,
        actor2's, then the sentence's others."""

        def named(span: Span) -> set[str]:
            actor, unit = self._as_parent(self._resolve(span.id_, country, on), country, on)
            return {a.name for a in (actor, unit) if a is not None}

        first, second, *others = mentions
        found = [
            place_evidence(doc, place),
            actor_evidence(
                "actor1", actor1.name if actor1 else None, [s for s in (first, second, *others) if s], named
            ),
            actor_evidence(
                "actor2", actor2.name if actor2 else None, [s for s in (second, first, *others) if s], named
            ),
        ]
        return [e for e in found if e is not None]

    def _named_elsewhere(
        self, draft: _Draft, country: str | None, on: dt.date | None, *, other: Actor | None
    ) -> Actor | None:
        """A named armed group in the event's other sentences ("Al Shabaab claimed the attack"), for an event whose
        sentence names no perpetrator or only "gunmen"."""
        for sent in draft.sentences:
            if sent.start <= draft.sent.start < sent.end:
                continue
            for span in spans_within(sent, ACTOR_SPANS):
                if span.label_ not in self.rules.perpetrator_kinds or span.id_ not in self.actors.entries:
                    continue
                actor = self._resolve(span.id_, country, on)
                if actor is not None and (other is None or actor.name != other.name):
                    return actor
        return None

    def _resolve(self, span_id: str, country: str | None, on: dt.date | None) -> Actor | None:
        """The actor of a span id; a generic one ("Protesters ({country})") even when the country is unknown."""
        actor = self.actors.resolve_id(span_id, country=country, on=on)
        if (
            actor is not None
            and country
            and actor.kind in self.actors.generic
            and actor.country not in (None, country)
            and self.actors.is_unit(span_id)
        ):
            # A foreign unit's common name ("local police" is Afghanistan's ALP) is the document's own force.
            actor = self.actors.resolve_generic(actor.kind, country, on=on) or actor
        if actor is None and span_id in self._generic_keys:
            actor = self.actors.resolve_generic(self._generic_keys[span_id], country, on=on, unknown_country=True)
        return actor

    @staticmethod
    def _deaths(sentences: list[Span], sub_event_type: str, published: dt.date | None) -> Fatalities:
        """The deaths an event's sentences tell. A headline's toll is the lede's told first: the larger of the two
        counts, not their sum ("Shelling kills 9 in Ariha" and "shells killed nine civilians" are nine dead)."""
        count = partial(find_document_fatalities, event_sub_type=sub_event_type, published=published)
        if len(sentences) > 1 and is_headline(sentences[0]):
            return max(count(sentences[:1]), count(sentences[1:]), key=lambda deaths: (deaths.best, deaths.stated))
        return count(sentences)

    def _as_parent(
        self, actor: Actor | None, country: str | None, on: dt.date | None
    ) -> tuple[Actor | None, Actor | None]:
        """(actor, unit): a unit ACLED codes as an associate of its parent gives the parent, and itself aside."""
        if actor is None or not actor.associate or not actor.parent:
            return actor, None
        parent = self.actors.resolve_id(actor.parent, country=country, on=on)
        return (parent, actor) if parent is not None else (actor, None)

    def _apply_defaults(
        self,
        label: Label,
        actor1: Actor | None,
        actor2: Actor | None,
        country: str | None,
        draft: _Draft,
        *,
        lost: bool = False,
    ) -> tuple[Label, Actor | None, Actor | None]:
        """ACLED's generic actors for empty roles, named actors moved to the role their inter code fits, and the
        territorial sub-type that fits the side that took the place (`lost`: actor1 is the subject of a verb of
        losing, "the army withdrew")."""
        if label.sub_event_type in self.rules.changes_of_hands:
            label, actor1, actor2 = self._takeover(label, actor1, actor2, lost=lost)
        rule = self.default_actors.rule(label)
        if not rule:
            return label, actor1, actor2
        on = draft.date.date
        actor1, actor2 = (self._as_kind(a, rule, country, on) for a in (actor1, actor2))
        kinds = rule.get("actor2_kinds")
        kinds = kinds if isinstance(kinds, list) else []
        if actor1 is not None and "actor1_inter" in rule and actor1.inter != rule["actor1_inter"]:
            if actor2 is None or (actor1.kind in kinds and actor2.kind not in kinds):
                actor2 = actor1
            actor1 = None
        if kinds and (actor2 is None or actor2.kind not in kinds):
            # "dispersed by police": the force that intervened is actor2 wherever the event's sentences name it.
            spans = (s for sent in draft.sentences for s in spans_within(sent, ACTOR_SPANS) if s.label_ in kinds)
            force = next(
                (a for s in spans if (a := self._resolve(s.id_, country, on)) is not None and a != actor1), None
            )
            if force is not None:
                if actor1 is None and actor2 is not None and actor2.kind != force.kind:
                    actor1 = actor2
                actor2 = force
        if rule.get("actor2_strict") and actor2 is not None and actor2.inter != rule.get("actor2_inter"):
            # ACLED's attacks are always on civilians: a named armed victim means the roles were read backwards.
            if actor1 is None:
                actor1 = actor2
            actor2 = None
        unarmed = rule.get("unarmed_victims")
        if isinstance(unarmed, list) and actor2 is not None and actor2.template in self._templates(unarmed):
            # A mob's victims are people, whatever they were suspected of ("lynched two suspected robbers").
            actor2 = None
        victim_inter = rule.get("actor2_inter")
        if actor1 is not None and actor1.inter == victim_inter and (actor2 is None or actor2.inter != victim_inter):
            actor1, actor2 = actor2, actor1
        if actor2 is not None and actor1 is not None and actor1.name == actor2.name:
            actor2 = None
        convention = self.default_actors.country_rule(label, country, on)
        if convention:
            # The two sides of a country's conflict: each empty role takes the side not already named.
            sides = [a for k in ("actor1", "actor2") if (a := self._default_actor(convention.get(k), country, on))]
            if actor1 is None:
                actor1 = next((a for a in sides if actor2 is None or a.name != actor2.name), None)
            if actor2 is None:
                actor2 = next((a for a in sides if actor1 is None or a.name != actor1.name), None)
        if actor1 is None:
            actor1 = self._default_actor(rule.get("actor1"), country, on)
        if actor2 is None:
            actor2 = self._default_actor(rule.get("actor2"), country, on)
        if actor1 is not None and actor2 is not None and actor1.name == actor2.name:
            actor2 = None  # an unnamed side against an unnamed side is one unknown, not two
        return label, actor1, actor2

    def _templates(self, keys: Sequence[object]) -> set[str]:
        """The name templates of generic keys."""
        return {g.template for k in keys if isinstance(k, str) and (g := self.actors.generic.get(k)) is not None}

    def _default_actor(self, value: object, country: str | None, on: dt.date | None) -> Actor | None:
        """A default actor: a generic key ("civilians") for the country, or a registry name."""
        if not isinstance(value, str):
            return None
        if value in self.actors.generic:
            return self.actors.resolve_generic(value, country, on=on, unknown_country=True)
        return self.actors.resolve_id(value, country=country, on=on)

    def _as_kind(self, actor: Actor | None, rule: DefaultRule, country: str | None, on: dt.date | None) -> Actor | None:
        """An actor as this event type codes it: no actor of an inter code the type never has (civilians are
        no side of a battle), and a government as its forces (`government_as`: the state's air strikes are its
        military's)."""
        if actor is None:
            return None
        excluded = rule.get("no_inter")
        if isinstance(excluded, list) and actor.inter in excluded:
            return None
        as_kind = rule.get("government_as")
        if isinstance(as_kind, str) and actor.kind == "government":
            return self.actors.resolve_generic(as_kind, actor.country or country, on=on) or actor
        return actor

    def _takeover(
        self, label: Label, actor1: Actor | None, actor2: Actor | None, *, lost: bool
    ) -> tuple[Label, Actor | None, Actor | None]:
        """A takeover's actor1 is the side that took the place; a battle's sub-type follows it (a state force
        regains territory, anyone else overtakes it). A state force that "withdrew" or "lost" it lost it."""
        if lost and actor1 is not None and actor1.inter == 1 and (actor2 is None or actor2.inter != 1):
            actor1, actor2 = actor2, actor1
        if actor1 is None or label.sub_event_type not in self.rules.battle_takeovers:
            return label, actor1, actor2
        wanted = self.rules.state_takeover if actor1.inter == 1 else self.rules.non_state_takeover
        if wanted != label.sub_event_type:
            label = replace(label, sub_event_type=wanted)
        return label, actor1, actor2


def _named_within(span: Span, spans: Sequence[Span], named: Mapping[str, object], kinds: frozenset[str]) -> Span | None:
    """A named group's mention inside the noun phrase of a generic one ("militants linked to Al Shabaab")."""
    subtree = {t.i for t in span.root.subtree}
    for other in spans:
        if (
            other is not span
            and other.root.i in subtree
            and mention_anchor(other).dep_ == "pobj"  # "linked to X", "of X"; not "X-held", "X-led"
            and other.id_ in named
            and other.label_ in kinds
        ):
            return other
    return None


def _leader(span1: Span | None, supporters: Sequence[Span], leader_verbs: frozenset[str]) -> Span | None:
    """The supporter that leads actor1 ("fighters led by HTS", "forces commanded by X"), if any."""
    if span1 is None:
        return None
    anchor = mention_anchor(span1)
    for span in supporters:
        by = mention_anchor(span).head
        verb = by.head
        if by.lower_ == "by" and verb.lemma_.lower() in leader_verbs and verb.head.i == anchor.i:
            return span
    return None


def _within(span: Span, start: int, end: int) -> bool:
    """Whether a span lies inside the characters start:end and is shorter."""
    return start <= span.start_char and span.end_char <= end and end - start > span.end_char - span.start_char


def _share(total: int, index: int, parts: int) -> int:
    """Part `index` of `total` shared among `parts`, evenly with the remainder one each to the first parts."""
    return total // parts + (index < total % parts)


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
    its own, or one only because someone died, or it speaks of "the strike" just told, or of a change of hands.
    The country of the event before is no new place ("... the Russian military in Syria said")."""
    if date.evidence is not None and date.date != previous.date.date:
        return False
    if places := sentence_places.get(sent.start):
        told_countries = {p.country for s in previous.sentences for p in sentence_places.get(s.start, ())}
        if any(getattr(p, "kind", None) != "country" or p.country not in told_countries for p in places):
            return False
    told = {previous.label.sub_event_type, label.sub_event_type if label is not None else ""}
    if refers_back(sent, rules.event_nouns) or told <= rules.changes_of_hands:
        return True  # "troops pulled out of both towns" after a takeover: the change of hands just told
    if label is None or not label.is_event:
        return any(t.lemma_.lower() in rules.death_lemmas for t in sent)
    trigger = death_word(label, rules.death_lemmas)
    if trigger is None:
        return False
    # "Its forces killed hundreds of attackers": someone killing, told as another kind of event, is that event;
    # "four people were killed" only adds the toll.
    return toll_only(trigger) or label.sub_event_type == previous.label.sub_event_type


def _targets_civilians(actor: Actor | None) -> bool:
    return actor is not None and actor.inter == 7


def _with_perpetrator(report: Report, teller: Report) -> Report:
    """A report with the perpetrator (actor1, its associate and inter code) of another."""
    return report.model_copy(
        update={
            "actor1": teller.actor1,
            "assoc_actor_1": teller.assoc_actor_1,
            "inter1": teller.inter1,
            "interaction": interaction(teller.inter1, report.inter2),
        }
    )
