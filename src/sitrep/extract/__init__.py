"""Extraction: one spaCy Doc of a document to reports in the ACLED data model.

`core.Extractor` holds the resources and runs the steps; `roles`, `numbers`, `attribution` and `modality` are
the steps that work on one sentence.
"""

from .core import Extractor

__all__ = ["Extractor"]
