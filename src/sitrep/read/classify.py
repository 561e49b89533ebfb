"""Event typing: does a sentence (or a short note) report a conflict event, and of which ACLED type and sub-type.

Two judges, combined:

- **Rules** (`data/triggers.yaml`): trigger phrases per sub-type with conditions (cue words that must or must not be
  present, who the agent is). Transparent, and an analyst can edit them.
- **Model** (`data/models/event_classifier.npz` + `.json`): a linear classifier over hashed word and word-pair
  features, trained on ACLED notes (minus the held-out fifth, see `is_held_out`), half of the CASE 2021 task 2
  snippets, and hand-written non-event sentences. Inference needs only numpy.

How they are combined (model alone, rules first, or rules unless the model is confident; with or without the
rules' hits as model features) was chosen by cross-validation on the training part and is recorded in the model's
metadata. `sitrep train classifier` (`train/classifier.py`) rebuilds the artifact; `benchmarks/bench_classify.py`
measures it.

Rules added after training reach the decision in two ways only, so that editing `triggers.yaml` never shifts what
the model says elsewhere: the model sees only the rule, phrase and cue features it was trained with (its
`rule_vocabulary`), and a rule marked `decides` (among them the `No event` rules: "fighters freed the prisoners")
overrides the model when it is the best hit. Phrases with "<place>" ("enter <place>") match place names, which only
a parsed sentence (`classify_sentence`) knows.

Tried and not kept, judged by the 4-fold out-of-fold predictions on the training part (ACLED event-type accuracy
0.882, sub-type 0.851 with the shipped settings): 2^20 hash buckets, word trigrams, skip-bigrams, a marker on
first-sentence words, character 3-5-grams, heavier or lighter rule and role features, other SGD strengths, averaged
SGD, several SGD seeds averaged, multinomial logistic regression, a one-hidden-layer network, a separate event-type
model, and deciding the event type before the sub-type. Each moved event-type accuracy by 0.3 points or less (about
one standard error): a bag of words has reached what it can tell, above all between Armed clash and Attack in the
terse Kenyan notes of 1997-2019 (0.83 there against 0.93 elsewhere).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import json
import logging
import math
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np

from ..datafiles import data_path
from ..errors import DataFileError, Errors, Warnings
from ..nlp import CACHE_PREFIX, PLACE_SPANS, entities_within, span_text, spans_starting_within, token_table
from ..taxonomy import NO_EVENT, load_taxonomy, type_of
from .encoder import load_encoder, mix_probs
from .triggers import (
    _CLAUSE_MARKS,
    _SEPARATORS,
    Analysis,
    Label,
    RuleHit,
    Triggers,
    _Tok,
    load_triggers,
    strip_furniture,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from ..settings import Settings
    from .encoder import Encoder

logger = logging.getLogger(__name__)

Mode = Literal["combined", "model", "rules"]
Combination = Literal["model", "rules_first", "rules_unless_confident", "rules_over_no_event"]

_DATA = data_path("")
MODEL_NAME = "event_classifier"
_CONTENT_POS = frozenset({"VERB", "NOUN", "ADJ", ""})  # "" when the pipeline has no tagger
_OVER_MIN_P = 0.1  # the least probability the model gives an outcome that a rule's `over` puts first
_TRIGGER_WEIGHT_SHARE = 0.5  # a model-chosen trigger weighs at least this share of the heaviest word
_SENTENCES_KEY = f"{CACHE_PREFIX}classify.sentences"  # a document's typed sentences (see classify_sentence)
_PLACE_ENTITIES = frozenset({"GPE", "LOC", "FAC"})
_DIGITS = str.maketrans("123456789", "000000000")  # numbers are features by shape: "12 killed" ~ "30 killed"


# ---------------------------------------------------------------------------------------------- features


@dataclass(frozen=True)
class FeatureSettings:
    """How text becomes hashed feature indices. Saved with the model; training and inference must agree."""

    n_bits: int = 18
    bigrams: bool = True
    rule_features: bool = True
    phrase_features: bool = True
    stems: bool = False
    roles: bool = False
    role_weight: float = 0.25


def _stem(word: str) -> str:
    """A crude English stem, enough to tie "shelled", "shelling" and "shells" together."""
    for suffix in ("ings", "ing", "ers", "ed", "es", "er", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _hash(s: str, mask: int) -> int:
    return zlib.crc32(s.encode("utf-8")) & mask


@functools.lru_cache(maxsize=1 << 16)
def _token_features(text: str, mask: int, stems: bool) -> tuple[tuple[int, ...], int, bytes] | None:
    """What a token gives `_features`, once per distinct token (most recur): None for a clause mark other than a
    sentence separator, which is no word; else the word's own hashed features (the word with its digits folded;
    its stem when long enough; none for a separator, which only ends word pairs), and what its word pairs hash from:
    the CRC-32 of "b:{word} " and the word's bytes, for `zlib.crc32(next_word, crc)` to hash "b:{word} {next_word}"
    without building the pair's text."""
    if text in _CLAUSE_MARKS and text not in _SEPARATORS:
        return None
    # A word of letters has no digits to fold (most words; translating them all cost more than hashing them).
    word = text if text.isalpha() else text.translate(_DIGITS)
    pair_start = zlib.crc32(f"b:{word} ".encode())
    if word in _SEPARATORS:
        own: tuple[int, ...] = ()
    elif stems and len(word) > 4:
        own = _hash("w:" + word, mask), _hash("s:" + _stem(word), mask)
    else:
        own = (_hash("w:" + word, mask),)
    return own, pair_start, word.encode()


def _features(
    toks: Sequence[_Tok], seen: Analysis, fs: FeatureSettings, vocabulary: frozenset[str] | None = None
) -> tuple[list[int], list[float]]:
    """Hashed binary word and word-pair features, L2-normalised; then unit features for what the rules saw.

    `vocabulary` (at inference): the rule, phrase and cue features the model was trained with (`rule_vocabulary`).
    Others (rules, phrases and cue sets an analyst added after training) are left out: the model has no weights
    for them, and they would only dilute the normalised weight of the ones it knows.
    """
    mask = (1 << fs.n_bits) - 1
    parts = [part for t in toks if (part := _token_features(t[0], mask, fs.stems)) is not None]
    feats = {f for part in parts for f in part[0]}
    if fs.bigrams:
        crc32 = zlib.crc32
        feats.update(crc32(b[2], a[1]) & mask for a, b in itertools.pairwise(parts))
    idx = sorted(feats)
    val = [1.0 / math.sqrt(len(idx))] * len(idx) if idx else []
    names: set[str] = set()
    if fs.rule_features and seen.hits:
        names.update("r:" + h.sub_event_type for h in seen.hits)
        names.add("t:" + seen.hits[0].sub_event_type)
    if fs.phrase_features:
        # the analyst's phrase lists generalise over wording the training data lacks ("warplanes" ~ "jets")
        names.update("p:" + p for p in seen.phrases)
        names.update("c:" + c for c in seen.cues)
    if vocabulary is not None:
        names &= vocabulary
    extra = {_hash(name, mask) for name in names}
    for f in sorted(extra):
        idx.append(f)
        val.append(1.0 / math.sqrt(len(extra)))
    if fs.roles:
        # a fixed small value each, apart from the normalised sets: a victim's kind is one clue among the words
        for f in sorted({_hash("R" + r, mask) for r in seen.roles}):
            idx.append(f)
            val.append(fs.role_weight)
    return idx, val


# ------------------------------------------------------------------------------------------------ model


@dataclass
class EventClassifier:
    """A loaded event-type classifier: linear model weights, labels, trigger rules and the combination recipe.

    Build it with `load_event_classifier` or `train_event_classifier`.
    """

    labels: list[str]
    rows: np.ndarray  # sorted feature indices that have weights
    weights: np.ndarray  # (len(rows), n_labels) float32
    bias: np.ndarray  # (n_labels,) float32
    features: FeatureSettings
    triggers: Triggers
    combination: Combination = "model"
    confident: float = 0.9
    metadata: dict[str, Any] = field(default_factory=dict)
    vocabulary: frozenset[str] | None = None  # the rule feature names it was trained with; None: all
    # The learned reader (`read/encoder.py`), averaged in where the hashed model's best label has less than
    # `encoder_gate` probability; None: the hashed model alone.
    encoder: Encoder | None = None
    encoder_gate: float = 0.8

    def __post_init__(self) -> None:
        self._label_index = {lab: i for i, lab in enumerate(self.labels)}
        # Feature index -> weight row (-1: none), one array read per feature. A binary search of `rows` per feature
        # costs about twenty reads, most of them cache misses after spaCy has parsed the next texts.
        size = max(1 << self.features.n_bits, int(self.rows.max()) + 1 if len(self.rows) else 0)
        self._row_of = np.full(size, -1, dtype=np.int32)
        self._row_of[self.rows] = np.arange(len(self.rows), dtype=np.int32)

    def _tokens(self, text: str) -> list[_Tok]:
        return self.triggers.tokenize(strip_furniture(text))

    def _probs(self, toks: Sequence[_Tok], seen: Analysis) -> np.ndarray:
        idx, val = _features(toks, seen, self.features, self.vocabulary)
        logits = self.bias.copy()
        if idx:
            pos = self._row_of[idx]
            ok = pos >= 0
            if ok.any():
                logits += np.asarray(val, dtype=np.float32)[ok] @ self.weights[pos[ok]]
        return _softmax(logits)

    def _judge(
        self, toks: Sequence[_Tok], mode: Mode, context: frozenset[str] = frozenset(), text: str = ""
    ) -> tuple[str, float, str, np.ndarray, Analysis]:
        seen = self.triggers.analyze(toks, context=context)
        rule = seen.hits[0] if seen.hits else None
        if mode == "rules":
            probs = np.zeros(len(self.labels), dtype=np.float32)
            if rule is None:
                return NO_EVENT, 0.5, "rules", probs, seen
            return rule.sub_event_type, rule.confidence, "rules", probs, seen
        probs = self._probs(toks, seen)
        if self.encoder is not None and text:
            probs = mix_probs(probs, self.labels, strip_furniture(text), encoder=self.encoder, gate=self.encoder_gate)
        if rule is not None and rule.decides and mode == "combined":
            # the analyst vouches for this pattern: the model's weights cannot know a rule added after training
            return rule.sub_event_type, rule.confidence, "rules", probs, seen
        top = int(probs.argmax())
        model_label, model_p = self.labels[top], float(probs[top])
        if rule is not None and rule.sub_event_type == model_label:
            return model_label, model_p, "rules+model", probs, seen
        if (
            mode == "model"
            or rule is None
            or _model_wins(model_label, model_p, rule.sub_event_type, self.combination, self.confident)
        ):
            return model_label, model_p, "model", probs, seen
        col = self._label_index.get(rule.sub_event_type)
        rule_p = float(probs[col]) if col is not None else 0.0
        return rule.sub_event_type, max(rule_p, rule.confidence * (1.0 - model_p)), "rules", probs, seen

    def classify(self, text: str, *, mode: Mode = "combined", top_k: int = 3) -> list[Label]:
        """Type a text (a sentence or a short note).

        Args:
            text: The text.
            mode: "combined" (the shipped recipe), "model" (the model's own label; its features include the
                rules' hits when it was trained so) or "rules" alone.
            top_k: How many labels to return (the alternatives are the model's next guesses).

        Returns:
            Labels, best first; the first is the decision and may be the "no event" label (`is_event` False).
        """
        best, score, source, probs, seen = self._judge(self._tokens(text), mode, text=text)
        hit = next((h for h in seen.hits if h.sub_event_type == best), None)
        out = [Label(type_of(best), best, round(score, 4), source, None, hit.phrase if hit else None)]
        if mode != "rules" and top_k > 1:
            for i in np.argsort(-probs):
                lab = self.labels[int(i)]
                if len(out) >= top_k:
                    break
                if lab != best:
                    out.append(Label(type_of(lab), lab, round(float(probs[int(i)]), 4), "model"))
        return out[:top_k]

    def predict(self, texts: Iterable[str], *, mode: Mode = "combined") -> list[str]:
        """The sub-event type (or `NO_EVENT`) of each text: the fast path for evaluation.

        Args:
            texts: Texts to type.
            mode: As in `classify`.

        Returns:
            One sub-event type (or `NO_EVENT`) per text.
        """
        return [self._judge(self._tokens(text), mode, text=text)[0] for text in texts]

    def document_context(self, text: str) -> frozenset[str]:
        """What a whole document tells each of its sentences (`Triggers.document_context`)."""
        return self.triggers.document_context(text)

    def classify_sentence(
        self, sent: Span, *, mode: Mode = "combined", context: frozenset[str] = frozenset()
    ) -> Label | None:
        """Type one parsed sentence, and point at the token that signals the event.

        The trigger rules see spaCy's lemmas. The trigger token is the syntactic head of the matched rule phrase,
        or, when the model alone decided, the sentence's word that most supports the model's choice.

        Args:
            sent: A spaCy `Span` (an item of `doc.sents`, or any span).
            mode: As in `classify`.
            context: Cue sets the whole document has (`document_context`): "a strike" in a report that speaks
                of warplanes is an air strike.

        Returns:
            The label with `trigger` and `trigger_lemma` set, or None when the sentence reports no conflict event.
        """
        doc = sent.doc
        # A document's sentences are typed together, at the first one asked for, and kept with the document (until
        # `release_caches`): one after the other, they find the model's weights and the rules' indices still in the
        # processor's caches, which the stages between two sentences otherwise flush.
        cached = doc.user_data.get(_SENTENCES_KEY)
        if cached is None or cached[0] != (mode, context):
            sentences = list(doc.sents)
            labels = [self._classify_sentence(s, mode, context) for s in sentences]
            cached = doc.user_data[_SENTENCES_KEY] = (
                (mode, context),
                {(s.start, s.end): x for s, x in zip(sentences, labels, strict=True)},
            )
        if (sent.start, sent.end) in cached[1]:
            return cached[1][(sent.start, sent.end)]
        return self._classify_sentence(sent, mode, context)

    def _classify_sentence(self, sent: Span, mode: Mode, context: frozenset[str]) -> Label | None:
        doc = sent.doc
        table = token_table(doc)
        at = {table.idx[i] - sent.start_char: i for i in range(sent.start, sent.end)}  # character offset -> token
        places = _place_starts(sent)
        sent_text = span_text(sent)
        toks = [
            (text, start, end, lemma or (table.lemma[at[start]] if start in at else ""), start in places)
            for text, start, end, lemma, _place in self.triggers.tokenize(sent_text)
        ]
        best, score, source, probs, seen = self._judge(toks, mode, context, sent_text)
        if best == NO_EVENT:
            return None
        if mode != "rules":
            best, score, source = self._over(best, score, source, probs, seen)
        trigger: Token | None = None
        hit = next((h for h in seen.hits if h.sub_event_type == best), None)
        if hit is not None:
            trigger = _phrase_head([doc[at[t[1]]] for t in toks[hit.start : hit.end] if t[1] in at])
        if trigger is None and mode != "rules":
            trigger = self._best_word(toks, doc, at, best)
        lemma = trigger.lemma_.lower() if trigger is not None else None
        return Label(type_of(best), best, round(score, 4), source, trigger, lemma)

    def _over(self, best: str, score: float, source: str, probs: np.ndarray, seen: Analysis) -> tuple[str, float, str]:
        """A sentence that tells a fighting and also what it won ("clashed with troops, seizing the town") is typed
        as what it won: the extraction stage splits the fighting off as its own event, never the reverse.

        A rule with `over` says that something was won; which outcome (a government or a rebel takeover) is the
        model's call, the rules' agent guess being too crude for sentences that name both sides. The model must
        give that outcome some weight (`_OVER_MIN_P`), or the sentence stays as it was typed.
        """
        if not any(best in self.triggers.rules[h.rule_index].over for h in seen.hits):
            return best, score, source
        outcomes = {rule.sub_event_type for rule in self.triggers.rules if best in rule.over}
        ranked = sorted((float(probs[self._label_index[o]]), o) for o in outcomes if o in self._label_index)
        if not ranked or ranked[-1][0] < _OVER_MIN_P:
            return best, score, source
        p, outcome = ranked[-1]
        return outcome, p, "rules+model"

    def _best_word(self, toks: Sequence[_Tok], doc: Doc, at: dict[int, int], label: str) -> Token | None:
        """The token that most supports `label`; `at` maps a token's character offset in the sentence to its index
        in `doc`."""
        # a trigger phrase of the label's rules, even when the rule's conditions failed ("retook the hilltop")
        for start, end in self.triggers.phrase_spans(toks, label):
            head = _phrase_head([doc[at[t[1]]] for t in toks[start:end] if t[1] in at])
            if head is not None:
                return head
        col = self._label_index[label]
        mask = (1 << self.features.n_bits) - 1
        found: list[tuple[float, Token]] = []
        for t in toks:
            i = at.get(t[1])
            if i is None:
                continue
            # The weight first: spaCy builds a new Token object for each index read, for few words of weight.
            pos = int(self._row_of[_hash("w:" + t[0].translate(_DIGITS), mask)])
            w = float(self.weights[pos, col]) if pos >= 0 else 0.0
            if w <= 0:
                continue
            token = doc[i]
            if token.is_alpha and not token.is_stop and token.pos_ in _CONTENT_POS:
                found.append((w, token))
        if not found:
            return None
        # Of the words that weigh nearly as much as the heaviest, the one highest in the parse: the heaviest word
        # often sits in a purpose clause ("marched ... to demand"), where modality would take it for a plan.
        top = max(w for w, _ in found)
        strong = [(w, token) for w, token in found if w >= _TRIGGER_WEIGHT_SHARE * top]
        return min(strong, key=lambda pair: (sum(1 for _ in pair[1].ancestors), -pair[0]))[1]

    def rule_hits(self, text: str) -> list[RuleHit]:
        """The trigger rules that fire on a text, best first (for explanations and debugging)."""
        return self.triggers.hits(self._tokens(text))


def _place_starts(sent: Span) -> frozenset[int]:
    """Where place names begin in a sentence (offsets from its start): the place ruler's spans and spaCy's
    GPE/LOC/FAC entities, so that "entered Damascus" reads as entering a place and "captured Hama" as taking one."""
    spans = spans_starting_within(sent, PLACE_SPANS)
    spans += [e for e in entities_within(sent) if e.label_ in _PLACE_ENTITIES]
    return frozenset(s.start_char - sent.start_char for s in spans)


def rule_vocabulary(triggers: Triggers) -> list[str]:
    """The names of the rule features a model trained with these triggers can see: "r:"/"t:" and a sub-type,
    "p:" and a phrase, "c:" and a cue set. Saved with the model, so that rules added later do not feed it
    features it has no weights for.

    Args:
        triggers: The compiled trigger rules.

    Returns:
        The feature names, sorted.
    """
    subs = {rule.sub_event_type for rule in triggers.rules}
    names = {f"{kind}:{sub}" for sub in subs for kind in ("r", "t")}
    names.update("p:" + p for i, p in enumerate(triggers._phrases_text) if i not in triggers._role_only)
    names.update("c:" + c for c in triggers.cue_sets)
    return sorted(names)


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def _phrase_head(tokens: Sequence[Token]) -> Token | None:
    if not tokens:
        return None
    inside = {t.i for t in tokens}
    for t in tokens:
        if t.head.i not in inside or t.head.i == t.i:
            return t
    return tokens[0]


# --------------------------------------------------------------------------------------------- load/save


def default_model_path() -> Path:
    """The shipped model: `data/models/event_classifier.npz` (metadata beside it, `.json`)."""
    return Path(str(_DATA.joinpath("models", MODEL_NAME + ".npz")))


def load_event_classifier(path: Path | None = None, *, triggers: Path | None = None) -> EventClassifier:
    """Load a trained event classifier from disk (no network).

    Args:
        path: The `.npz` weights file (its `.json` metadata beside it); defaults to the shipped model.
        triggers: A triggers YAML file; defaults to the shipped `data/triggers.yaml`.

    Returns:
        The classifier.

    Raises:
        DataFileError: The model files are missing, unreadable or inconsistent.
    """
    if path is None and triggers is None:
        return _default_classifier()
    return _read_classifier(path or default_model_path(), load_triggers(triggers))


@functools.lru_cache(maxsize=1)
def _default_classifier() -> EventClassifier:
    return _read_classifier(default_model_path(), load_triggers())


def _read_classifier(path: Path, triggers: Triggers) -> EventClassifier:
    meta_path = path.with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        with np.load(path) as npz:
            rows = npz["rows"].astype(np.int64)
            weights = npz["weights"].astype(np.float32)
            bias = npz["bias"].astype(np.float32)
        labels = list(meta["labels"])
        fs = FeatureSettings(**meta["features"])
        combination = meta["combination"]["mode"]
        confident = float(meta["combination"].get("confident", 0.9))
        vocabulary = frozenset(str(v) for v in meta["rule_vocabulary"]) if "rule_vocabulary" in meta else None
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise DataFileError(Errors.E092.format(path=path, reason=e)) from e
    if combination not in get_args(Combination):
        raise DataFileError(Errors.E092.format(path=path, reason=f"unknown combination {combination!r}"))
    if weights.shape != (len(rows), len(labels)) or bias.shape != (len(labels),):
        raise DataFileError(Errors.E092.format(path=path, reason="weights do not match the labels"))
    taxonomy = load_taxonomy()
    for lab in labels:
        if lab != NO_EVENT and lab not in taxonomy.event_type:
            raise DataFileError(Errors.E092.format(path=path, reason=f"unknown label {lab!r}"))
    trained_with = meta.get("triggers_sha256")
    if trained_with and trained_with != hashlib.sha256(Path(triggers.path).read_bytes()).hexdigest():
        # still usable: rule hits are features by name, but the model has not learnt the new rules. With its
        # vocabulary it sees exactly the features it knows, and the new rules act through `decides` and `over`.
        log = logger.debug if vocabulary is not None else logger.warning
        log(Warnings.W090.format(path=triggers.path, model=path))
    return EventClassifier(
        labels=labels,
        rows=rows,
        weights=weights,
        bias=bias,
        features=fs,
        triggers=triggers,
        combination=combination,
        confident=confident,
        metadata=meta,
        vocabulary=vocabulary,
    )


def load_classifier_with_reader(settings: Settings) -> EventClassifier:
    """The event classifier the settings name (`event_model`), with the learned reader averaged in where the
    hashed model is unsure (`reader_model`: "none" or "" for no reader, "shipped" or a folder; `reader_gate`).

    Args:
        settings: Sitrep's settings.

    Returns:
        The classifier, holding the loaded reader when there is one.

    Raises:
        DataFileError: The model or the reader cannot be loaded.
    """
    classifier = load_event_classifier(Path(settings.event_model) if settings.event_model else None)
    model = settings.reader_model.strip()
    if model.lower() in ("", "none"):
        return classifier
    reader = load_encoder(None if model.lower() == "shipped" else Path(model))
    return dataclasses.replace(classifier, encoder=reader, encoder_gate=settings.reader_gate)


def classify(text: str, *, classifier: EventClassifier | None = None, mode: Mode = "combined") -> list[Label]:
    """Type a text with the shipped classifier (or the one given).

    Args:
        text: A sentence or a short note.
        classifier: A loaded classifier; defaults to the shipped one (loaded once).
        mode: "combined", "model" or "rules".

    Returns:
        Labels, best first; `labels[0].is_event` is False when the text reports no conflict event.
    """
    return (classifier or load_event_classifier()).classify(text, mode=mode)


def classify_sentence(
    sent: Span,
    *,
    classifier: EventClassifier | None = None,
    mode: Mode = "combined",
    context: frozenset[str] = frozenset(),
) -> Label | None:
    """Type one parsed sentence with the shipped classifier (or the one given); see `EventClassifier`.

    Args:
        sent: A spaCy sentence span.
        classifier: A loaded classifier; defaults to the shipped one.
        mode: "combined", "model" or "rules".
        context: Cue sets the whole document has (`EventClassifier.document_context`).

    Returns:
        The label with its trigger token, or None for no event.
    """
    return (classifier or load_event_classifier()).classify_sentence(sent, mode=mode, context=context)


def _model_wins(model_label: str, model_p: float, rule_label: str, combination: Combination, confident: float) -> bool:
    """Whether the model's label stands against a firing rule's, under a combination recipe."""
    if combination == "model" or rule_label == model_label:
        return True
    if combination == "rules_unless_confident":
        return model_p >= confident
    if combination == "rules_over_no_event":
        # the rule wins only against a "no event" the model is not sure of
        return model_label != NO_EVENT or model_p >= confident
    return False
