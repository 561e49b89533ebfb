"""The same documents give the same record whatever their order and batching: forward, reversed, shuffled, as two
overlapping halves one after the other or at once, on SQLite and PostgreSQL.

Two corpora. One is written here: near and exact copies published on different days (the earliest is kept
whichever comes first), reports of one place on following days (fused from everything stored, not from what came
before), and a few unrelated events. The other is the 420 FA-KES dev articles of ../shared (406 documents once
copies are set aside), whose reversed ingest gave other events before (issue 21); it skips where they are absent.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from conftest import shared_file
from sitrep.ingest.documents import NearDuplicateIndex
from sitrep.run.pipeline import Pipeline
from sitrep.settings import Settings
from sitrep.store import Store, open_store
from sitrep.store import queries as q
from sitrep.store.schema import documents
from sitrep.train.articles import fakes_record, read_fakes

pytestmark = pytest.mark.model

_SHELLING = (
    "Government forces shelled the town of Kafr Nabudah in northern Hama on Tuesday, killing two civilians and "
    "wounding five others, according to local activists who said the shells fell on a residential street near the "
    "main mosque. The town has been shelled almost daily since rebel fighters advanced on the nearby hills last "
    "week, and many families have fled north towards the border. Residents said the bombardment lasted for hours"
)
_STRIKE = (
    "An air strike hit a crowded vegetable market in Maarat al-Numan on Wednesday, killing five people, a local "
    "rescue service said. Witnesses said a warplane fired two missiles at the market shortly after noon, when it was "
    "busiest, and that rescuers pulled survivors from the rubble of several shops. The town had been quiet for a "
    "month before the strike"
)
CORPUS: list[dict[str, Any]] = [
    {"id": "shelling-late", "text": _SHELLING + ".", "published": "2024-12-04", "outlet": "Hama Today"},
    {"id": "shelling-early", "text": _SHELLING + ", they said.", "published": "2024-12-03", "outlet": "North Press"},
    {"id": "shelling-shouted", "text": _SHELLING.upper() + ".", "published": "2024-12-05", "outlet": "Loud Wire"},
    {"id": "strike-a", "text": _STRIKE + ".", "published": "2024-12-05", "outlet": "Idlib Post"},
    {"id": "strike-b", "text": _STRIKE + ", it added.", "published": "2024-12-05", "outlet": "Syria Desk"},
    {"id": "morek-1", "text": "Rebels clashed with the army near Morek on Monday.", "published": "2024-12-03"},
    {
        "id": "morek-2",
        "text": "Fighting between rebels and government forces went on near Morek on Tuesday, a monitor said.",
        "published": "2024-12-04",
    },
    {
        "id": "morek-3",
        "text": "Rebel fighters seized Morek on Wednesday after days of clashes.",
        "published": "2024-12-05",
    },
    {"id": "homs", "text": "Hundreds of protesters gathered in Homs on Thursday.", "published": "2024-12-06"},
    {"id": "daraa", "text": "Gunmen shot dead a teacher in Daraa on Friday.", "published": "2024-12-07"},
]


def _write(path: Path, records: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def _record(store: Store) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """The kept documents (id and text) and every live event, all its fields but the bookkeeping times."""
    with store.connect() as conn:
        kept = [
            (d, q.get_document(conn, d).text)
            for d in sorted({s.document_id for e in q.iter_events(conn) for s in e.sources})
        ]
        events = [e.model_dump(mode="json", exclude={"first_seen", "updated_at"}) for e in q.iter_events(conn)]
    return kept, sorted(events, key=lambda e: e["event_id"])


def _halves(corpus: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Two overlapping halves: the first seven tenths and the last seven tenths."""
    return corpus[: len(corpus) * 7 // 10], corpus[len(corpus) * 3 // 10 :]


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(Settings())


@pytest.fixture(scope="module", params=["written", pytest.param("fakes", marks=pytest.mark.shared)])
def corpus(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    if request.param == "written":
        return CORPUS
    rows = read_fakes(shared_file("data", "fakes", "fakes-dev.csv"))
    return [{**fakes_record(row), "outlet": row["source"]} for row in rows]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline, corpus: list[dict[str, Any]]) -> Any:
    folder = tmp_path_factory.mktemp("reference")
    store = open_store(str(folder / "forward.db"))
    pipeline.ingest([_write(folder / "all.jsonl", corpus)], store)
    found = _record(store)
    store.close()
    return found


@pytest.mark.parametrize("corpus", ["written"], indirect=True)
def test_order_reference_keeps_the_earliest_copy(reference: Any) -> None:
    kept, events = reference
    texts = [text for _, text in kept]
    assert any(text.endswith("they said.") for text in texts)  # published first, though listed second
    assert not any(text.isupper() for text in texts)
    assert len(events) >= 5


@pytest.mark.parametrize("order", ["reverse", "shuffled", "halves"])
def test_order_does_not_change_the_record(
    order: str,
    corpus: list[dict[str, Any]],
    reference: Any,
    pipeline: Pipeline,
    store: Store,
    tmp_path: Path,
) -> None:
    if order == "reverse":
        batches = [list(reversed(corpus))]
    elif order == "shuffled":
        shuffled = list(corpus)
        random.Random(7).shuffle(shuffled)
        batches = [shuffled]
    else:  # two overlapping halves, the later first
        first, second = _halves(corpus)
        batches = [second, first]
    for number, batch in enumerate(batches):
        pipeline.ingest([_write(tmp_path / f"batch{number}.jsonl", batch)], store)
    assert _record(store) == reference


def test_order_concurrent_halves_give_the_same_record(
    corpus: list[dict[str, Any]], reference: Any, store: Store, tmp_path: Path
) -> None:
    first, second = _halves(corpus)
    halves = [_write(tmp_path / "first.jsonl", first), _write(tmp_path / "second.jsonl", second[::-1])]
    env = {**os.environ, "SITREP_SPACY_BATCH_SIZE": "1"}
    results: list[subprocess.CompletedProcess[str]] = []

    def ingest(half: str) -> None:  # each in a thread that drains its own output, so neither blocks on a full pipe
        command = [sys.executable, "-m", "sitrep", "ingest", half, "--db", store.url, "--quiet"]
        results.append(subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False))

    threads = [threading.Thread(target=ingest, args=(half,)) for half in halves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    assert _record(store) == reference


# ---- a chain of near copies: A like B, B like C, A unlike C is one set, and keeps one document ------------------

_PLACES = ["the eastern quarter", "the old market", "the northern road", "the river bank", "the school district",
           "the grain silo", "the bus station", "the hospital ward"]  # fmt: skip
_ITEMS = ["water trucks", "flour sacks", "fuel cans", "medical kits", "blankets", "tents", "generators", "books"]
_LINES = [
    f"On day {i} the council sent {_ITEMS[i % 8]} to {_PLACES[(i * 3) % 8]}, and crew number {i} reported back."
    for i in range(45)
]
# Each a window of the same notice: A and B share 37 of 43 lines, B and C 38 of 42, A and C only 35 of 45.
CHAIN = [
    {"id": "chain-a", "text": " ".join(_LINES[0:40]), "published": "2024-12-01", "outlet": "First Wire"},
    {"id": "chain-b", "text": " ".join(_LINES[3:43]), "published": "2024-12-02", "outlet": "Second Wire"},
    {"id": "chain-c", "text": " ".join(_LINES[5:45]), "published": "2024-12-03", "outlet": "Third Wire"},
]


def _kept(store: Store) -> tuple[list[str], int]:
    """The input ids of the stored documents, and how many copies are recorded."""
    with store.connect() as conn:
        rows = q.count_rows(conn)
        kept = sorted(conn.execute(select(documents.c.input_id)).scalars())
    return kept, rows["document_copies"]


@pytest.mark.parametrize(("first", "second", "near"), [(0, 1, True), (1, 2, True), (0, 2, False)])
def test_order_the_chain_is_a_chain(first: int, second: int, near: bool) -> None:
    index = NearDuplicateIndex(settings=Settings())
    index.add("first", index.signature(CHAIN[first]["text"]))
    assert (index.find(index.signature(CHAIN[second]["text"])) is not None) == near


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_order_a_chain_of_near_copies_keeps_the_earliest_whatever_the_order(
    order: tuple[int, ...], pipeline: Pipeline, store: Store, tmp_path: Path
) -> None:
    pipeline.ingest([_write(tmp_path / "chain.jsonl", [CHAIN[i] for i in order])], store)
    assert _kept(store) == (["chain-a"], 2)


@pytest.mark.parametrize("split", [1, 2])
def test_order_a_chain_split_over_two_runs_keeps_the_earliest(
    split: int, pipeline: Pipeline, store: Store, tmp_path: Path
) -> None:
    """The second run reads the first run's copies and their signatures from the store, not from memory."""
    pipeline.ingest([_write(tmp_path / "first.jsonl", CHAIN[:split])], store)
    pipeline.near_indexes.clear()
    pipeline.ingest([_write(tmp_path / "second.jsonl", CHAIN[split:])], store)
    assert _kept(store) == (["chain-a"], 2)
