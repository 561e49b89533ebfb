"""Reading: one spaCy Doc of a document to reports in the ACLED data model.

`reports.Extractor` holds the resources and runs the steps over a document; `classify` types sentences,
`actors` names the sides, `dates` dates them, and `roles`, `numbers`, `attribution` and `modality` are the steps
that work on one sentence.
"""
