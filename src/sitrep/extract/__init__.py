"""Extraction: one spaCy Doc of a document to reports in the ACLED data model."""
