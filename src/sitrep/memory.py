"""Process memory for heavy runs: glibc's allocator thresholds, and CPython's cyclic collector paused around work
that makes and drops many small objects (a batch of extraction, one fusion)."""

from __future__ import annotations

import ctypes
import functools
import gc
import logging
import platform
import sys
from collections.abc import Iterator
from contextlib import contextmanager

logger = logging.getLogger(__name__)

# glibc's mallopt parameters, and the values extraction runs best with (see `keep_freed_memory`).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_TRIM_THRESHOLD = 256 << 20
_MMAP_THRESHOLD = 32 << 20  # glibc's largest


@functools.cache
def keep_freed_memory() -> bool:
    """Ask glibc's allocator to keep the memory a batch frees for the next batch, rather than hand it back to the
    system and fault it in again, page by page.

    Extraction alternates spaCy's batch work (large arrays) with Sitrep's (many small objects). glibc's adaptive
    thresholds then trim the top of the heap after nearly every batch and grow it again for the next: about 200
    page faults per document, a tenth of extraction time spent in the kernel. Fixed thresholds (large arrays from
    the heap, the heap trimmed only past 256 MB of free memory at its top) end that; memory in use is the same.
    Applied once per process, and only with glibc.

    Returns:
        Whether the thresholds were set.
    """
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return False
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is None:
        return False
    applied = mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD) == 1 and mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD) == 1
    logger.debug("glibc allocator thresholds %s", "set" if applied else "unchanged")
    return applied


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a piece of work, then restore it (even on error; nesting is safe).

    Extraction makes and drops hundreds of thousands of small objects per batch, and fusion several per report: the
    collector would run every few documents, and its full passes walk every object of the loaded resources (the
    spaCy model, the gazetteer's caches) again and again (benchmarks/bench_fuse.py: fusion's cost grew as n^1.21
    with it on, n^1.03 off). Objects are still freed as soon as nothing refers to them; the few cycles the work
    leaves (`release_caches` breaks the documents' own) wait until after it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
