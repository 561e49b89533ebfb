"""Where extraction runs: in this process, in local worker processes, or on a Dask cluster.

Only the CPU-heavy step (parsing and extracting each document) moves. Reading, de-duplication, writing and fusion
stay in the calling process, in input order, so every engine stores the same documents and the same events.
Local worker processes come from `concurrent.futures`; Dask gives its own `Executor` (`Client.get_executor`),
so the pipeline sees one interface and no scheduler or queue is written here.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..errors import Errors, InputError
from ..models import Document, Figure, Report
from ..settings import Settings

if TYPE_CHECKING:
    from distributed import Client

    from ..read.reports import Extractor

logger = logging.getLogger(__name__)

Engine = Literal["local", "dask"]
ENGINES: tuple[Engine, ...] = ("local", "dask")


@dataclass(frozen=True)
class ExtractionFailure:
    """A document whose extraction raised: the rest of its batch is kept, this one is reported and not stored."""

    document_id: str
    reason: str


Outcome = tuple[list[Report], list[Figure]] | ExtractionFailure

# One loaded extractor per worker process and settings: loading spaCy and the gazetteer takes seconds.
_WORKER_EXTRACTORS: dict[str, Extractor] = {}


def extract_safely(extractor: Extractor, documents: Sequence[Document]) -> list[Outcome]:
    """Reports and figures of each document, in order. A document that makes extraction raise becomes an
    `ExtractionFailure` instead of taking its whole batch down."""
    try:
        return list(extractor.extract_documents(documents))
    except Exception:  # any bug in one document must not lose the others: each is retried alone
        outcomes: list[Outcome] = []
        for document in documents:
            try:
                outcomes.extend(extractor.extract_documents([document]))
            except Exception as e:
                logger.exception("extraction failed for %s", document.source)
                outcomes.append(ExtractionFailure(document.id, f"{type(e).__name__}: {e}"))
        return outcomes


def extract_in_worker(settings: Settings, documents: Sequence[Document]) -> list[Outcome]:
    """`extract_safely` in a worker process, loading the extractor on first use."""
    key = settings.model_dump_json()
    extractor = _WORKER_EXTRACTORS.get(key)
    if extractor is None:
        from ..read.reports import Extractor

        extractor = _WORKER_EXTRACTORS[key] = Extractor.load(settings=settings)
    return extract_safely(extractor, documents)


@dataclass(frozen=True)
class EngineSpec:
    """Where extraction runs.

    Attributes:
        name: "local" (this machine's processes) or "dask".
        workers: Local processes, or the LocalCluster's workers when Dask gets no scheduler. With "local", 1 means
            in this process.
        scheduler: A Dask scheduler address (tcp://host:8786); without it Dask starts a LocalCluster on loopback.
    """

    name: str = "local"
    workers: int = 1
    scheduler: str | None = None


@contextmanager
def open_executor(spec: EngineSpec) -> Iterator[Executor | None]:
    """Worker processes for extraction, or `None` to extract in this process.

    Raises:
        InputError: An unknown engine, fewer than one worker, a scheduler for the local engine, or a Dask
            scheduler that cannot be reached.
    """
    if spec.name not in ENGINES:
        raise InputError(Errors.E023.format(engine=spec.name, allowed=", ".join(ENGINES)))
    if spec.workers < 1:
        raise InputError(Errors.E024.format(workers=spec.workers))
    if spec.name == "local":
        if spec.scheduler:
            raise InputError(Errors.E025)
        if spec.workers == 1:
            yield None
            return
        # spawn: the workers must not inherit the parent's open database connections or threads.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=spec.workers, mp_context=context) as pool:
            yield pool
        return
    with _dask_client(workers=spec.workers, scheduler=spec.scheduler) as client:
        yield client.get_executor(pure=False)


@contextmanager
def _dask_client(*, workers: int, scheduler: str | None) -> Iterator[Client]:
    from distributed import Client, LocalCluster

    # Dask logs every worker start and stop at INFO on its own handlers; Sitrep's own log level decides instead.
    logging.getLogger("distributed").setLevel(max(logging.WARNING, logger.getEffectiveLevel()))
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as e:
            raise InputError(Errors.E026.format(address=scheduler, reason=e)) from e
        with client:
            yield client
        return
    # Loopback only and no dashboard: nothing listens beyond this machine.
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
