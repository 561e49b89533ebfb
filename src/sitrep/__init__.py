"""Sitrep: conflict news to sourced, geolocated events.

The Python entry point is `Pipeline`: `Pipeline().extract(text, published="2024-12-03")` gives the same result as
one line of `sitrep extract --format jsonl`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .run.pipeline import Pipeline

__all__ = ["Pipeline"]


def __getattr__(name: str) -> Any:
    # Imported on first use: `import sitrep` alone (the CLI's --help, the settings) should not load spaCy.
    if name == "Pipeline":
        from .run.pipeline import Pipeline

        return Pipeline
    raise AttributeError(f"module 'sitrep' has no attribute {name!r}")
