"""The learned reader at run time: a small contextual encoder (MiniLM-L6, fine-tuned by `sitrep train reader`) as
an int8 ONNX graph, read with onnxruntime and the `tokenizers` library only (no torch, no network).

One encoder pass per text gives every head at once: today the sentence heads (the sub-event type with "No event",
and the event type). A model folder holds `model.onnx`, `tokenizer.json` and `card.json` (labels, maximum length,
how it was trained and how it scored); the setting `reader_model` points to another folder, so a bigger encoder
with the same inputs and outputs can replace the shipped one.
"""

from __future__ import annotations

import functools
import json
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataFileError, Errors

logger = logging.getLogger(__name__)

MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
CARD_FILE = "card.json"
SUB_OUTPUT = "sub_probs"
TYPE_OUTPUT = "type_probs"
_CACHE_SIZE = 512  # a document's whole text and its sentences are often asked for twice (whole-text typing)


def default_reader_path() -> Path:
    """The shipped reader: `data/models/reader/`."""
    return Path(str(files("sitrep").joinpath("data", "models", "reader")))


@dataclass
class Encoder:
    """A loaded reader: the onnxruntime session, its tokenizer and the labels of its heads.

    Build it with `load_encoder`.
    """

    session: Any  # onnxruntime.InferenceSession
    tokenizer: Any  # tokenizers.Tokenizer, truncating to the card's max_length
    labels: list[str]  # sub-event types and "No event", in the order of the sub_probs output
    type_labels: list[str]  # event types and "No event", in the order of the type_probs output
    card: dict[str, Any]
    path: Path
    _cache: OrderedDict[str, np.ndarray] = field(default_factory=OrderedDict, repr=False)

    def sub_probs(self, texts: Sequence[str]) -> np.ndarray:
        """The sub-event type probabilities of each text, one row per text in the order of `labels`.

        Texts already seen recently come from a small cache; the rest go through the encoder in one batch.

        Args:
            texts: Sentences or short notes (furniture already stripped, as in training).

        Returns:
            A float32 array of shape (len(texts), len(labels)).
        """
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        todo = [i for i, text in enumerate(texts) if text not in self._cache]
        if todo:
            fresh = self._run([texts[i] for i in todo])
            for i, row in zip(todo, fresh, strict=True):
                self._cache[texts[i]] = row
                if len(self._cache) > _CACHE_SIZE:
                    self._cache.popitem(last=False)
        for i, text in enumerate(texts):
            out[i] = self._cache[text]
        return out

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        (probs,) = self.session.run([SUB_OUTPUT], {"input_ids": ids, "attention_mask": mask})
        return np.asarray(probs, dtype=np.float32)


def load_encoder(path: Path | None = None, *, threads: int = 1) -> Encoder:
    """Load a reader from its folder (no network).

    Args:
        path: A folder with `model.onnx`, `tokenizer.json` and `card.json`; defaults to the shipped reader.
        threads: onnxruntime's intra-op threads (1: the reader shares the core with the parse, and Dask workers
            and batch runs scale by processes).

    Returns:
        The encoder.

    Raises:
        DataFileError: The folder lacks a file, or a file cannot be read.
    """
    if path is None and threads == 1:
        return _default_encoder()
    return _read_encoder(path or default_reader_path(), threads)


@functools.lru_cache(maxsize=1)
def _default_encoder() -> Encoder:
    return _read_encoder(default_reader_path(), 1)


def _read_encoder(path: Path, threads: int) -> Encoder:
    # onnxruntime and tokenizers are imported here, not at module level: without a reader nothing loads them.
    import onnxruntime as ort
    from tokenizers import Tokenizer

    try:
        card = json.loads((path / CARD_FILE).read_text(encoding="utf-8"))
        labels = [str(x) for x in card["labels"]]
        type_labels = [str(x) for x in card["type_labels"]]
        tokenizer = Tokenizer.from_file(str(path / TOKENIZER_FILE))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=int(card["max_length"]))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # quantised graphs warn about shape inference they do not need
        session = ort.InferenceSession(str(path / MODEL_FILE), options, providers=["CPUExecutionProvider"])
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as e:
        raise DataFileError(Errors.E160.format(path=path, reason=e)) from e
    outputs = {o.name for o in session.get_outputs()}
    if SUB_OUTPUT not in outputs:
        raise DataFileError(Errors.E160.format(path=path, reason=f"the graph has no {SUB_OUTPUT!r} output"))
    logger.debug("reader loaded from %s", path)
    return Encoder(session=session, tokenizer=tokenizer, labels=labels, type_labels=type_labels, card=card, path=path)


def mix_probs(probs: np.ndarray, labels: Sequence[str], text: str, *, encoder: Encoder, gate: float) -> np.ndarray:
    """The hashed model's probabilities averaged with the reader's, where the hashed model is unsure.

    Where the hashed model's best label has at least `gate` probability its answer stands and the encoder is not
    run: a cheap gate that keeps most sentences off the encoder. Elsewhere the two are averaged evenly, as the
    issue's measurements found best (the average beat either model alone on held-out ACLED notes).

    Args:
        probs: The hashed model's probabilities over `labels`.
        labels: The hashed model's labels (sub-event types and "No event").
        text: The text typed (furniture stripped).
        encoder: The loaded reader.
        gate: The hashed model's confidence at or above which the encoder is skipped (above 1: never skipped).

    Returns:
        Probabilities over `labels`.
    """
    if float(probs.max()) >= gate or not text.strip():
        return probs
    found = encoder.sub_probs([text])[0]
    index = {label: i for i, label in enumerate(encoder.labels)}
    # labels the reader lacks keep the hashed model's share only, so the mix still sums to about one
    reader = np.array([found[index[label]] if label in index else probs[j] for j, label in enumerate(labels)])
    return np.asarray(0.5 * probs + 0.5 * reader, dtype=np.float32)
