"""The HTTP API: a FastAPI app over one store, built by `create_app` (as datasette builds one per database).

Reads are open; `POST /api/ingest` needs `Authorization: Bearer <token>`, with the token taken from
`SITREP_TOKEN` when the app is created (no token: writes are off). Errors are JSON `{"detail": "..."}` with a
4xx status; an unexpected exception answers a plain JSON 500 and keeps its traceback in the server log.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..control.alerts import Alert
from ..errors import Errors, InputError, SitrepError
from ..models import ControlPeriod, Document, Event, Report
from ..run.alerting import AnyRule, alerts_in_store
from ..run.names import NameResolver
from ..run.pipeline import IngestStats, Pipeline
from ..settings import load_settings
from ..store import Store
from ..store import queries as q
from ..store.filter_terms import FilterTerms, FilterValueError, build_filter
from ..store.filters import EventFilter
from . import export
from .areas import control_map, holdings_on
from .report import safe_url, template_environment
from .web import mount_web

logger = logging.getLogger(__name__)

MAX_LIMIT = 1000
_NUMBER = r"\s*-?[0-9]+(\.[0-9]+)?\s*"
MAX_OFFSET = 1_000_000_000  # beyond any real table, and within SQLite's 64-bit integers
RAW_MEDIA_TYPES = ("text/plain", "text/html", "application/octet-stream", "application/xml", "text/xml")
# auto_error=False: a missing header is answered by `_check_token` (403 when writes are off, else 401).
bearer = HTTPBearer(auto_error=False, description="The server's SITREP_TOKEN.")


class NotFoundError(InputError):
    """A requested event or document does not exist (answered with 404)."""


class ErrorBody(BaseModel):
    """Every error answer: a message for people, and for validation errors the fields at fault."""

    detail: str
    errors: list[dict[str, Any]] = Field(default_factory=list)


class EventPage(BaseModel):
    """One page of events. `next_offset` is the offset of the next page, or null on the last one."""

    events: list[Event]
    limit: int
    offset: int
    next_offset: int | None
    description: str


class DocumentRef(BaseModel):
    """A document behind an event, without its text (`href` gives it)."""

    id: str
    url: str | None
    outlet: str | None
    title: str | None
    published: dt.date | None
    href: str


class EventDetail(BaseModel):
    """An event with the reports it was fused from (their sentences and evidence) and their documents."""

    event: Event
    reports: list[Report]
    documents: list[DocumentRef]


class AlertList(BaseModel):
    """The alerts of the server's rules (`sitrep serve --alerts RULES.yaml`), oldest first."""

    rules: list[str] = Field(description="The names of the server's alert rules; empty when it was given none.")
    alerts: list[Alert]


class IngestRequest(BaseModel):
    """A document to ingest as JSON: its text, or a URL to fetch."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, description="Plain text or HTML of one article.")
    url: str | None = Field(None, description="An http(s) URL to fetch instead of text.")
    published: dt.date | None = Field(None, description="Publication date, YYYY-MM-DD.")
    outlet: str | None = None
    title: str | None = None
    id: str | None = Field(None, description="Your id for the document.")

    @model_validator(mode="after")
    def _one_input(self) -> IngestRequest:
        if (self.text is None) == (self.url is None):
            raise ValueError("give exactly one of text or url")
        if self.text is not None and not self.text.strip():
            raise ValueError("text is empty")
        if self.url is not None and safe_url(self.url) is None:
            raise ValueError("url must be an http(s) URL")
        return self


class IngestResult(BaseModel):
    """What an ingest did (the counts of `sitrep ingest`)."""

    read: int
    new: int
    duplicate: int
    failed: int
    skipped: int
    reports: int
    events_new: int
    events_updated: int
    events_deleted: int
    errors: list[str]


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "A filter or input that cannot be used."},
    422: {"model": ErrorBody, "description": "A parameter of the wrong type or out of range."},
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody, "description": "No such id."}}
_FILTER = EventFilter.model_fields


def _describe(name: str) -> str:
    return _FILTER[name].description or name


def create_app(
    store: Store,
    *,
    pipeline_factory: Callable[[], Pipeline] | None = None,
    token: str | None = None,
    alert_rules: Sequence[AnyRule] = (),
) -> FastAPI:
    """Build the API over an open store.

    Args:
        store: The database to serve.
        pipeline_factory: Makes the `Pipeline` for `POST /api/ingest` (called once, on the first ingest).
        token: The bearer token for writes; `None` reads `SITREP_TOKEN`; empty or unset disables writes.
        alert_rules: The rules `GET /api/alerts` evaluates (`control.alerts.load_rules`); none by default.

    Returns:
        The FastAPI application (serve it with uvicorn, or test it with `TestClient`).
    """
    write_token = token if token is not None else os.environ.get("SITREP_TOKEN", "")
    factory = pipeline_factory or Pipeline
    state: dict[str, Pipeline] = {}
    ingest_lock = threading.Lock()
    factory_lock = threading.Lock()
    control = _ControlRefresh()
    templates = template_environment()
    area_km = load_settings().control_area_km  # sitrep.toml and SITREP_* as the CLI reads them
    names = NameResolver()  # the actor registry and gazetteer behind the filters, loaded on first use

    app = FastAPI(
        title="Sitrep",
        summary="Conflict events in the ACLED data model, with their sources, figures and control of places.",
        version="0.1.0",
    )

    @app.middleware("http")
    async def _refuse_nul(request: Request, call_next: Any) -> Any:
        # A NUL reaches PostgreSQL as an error and SQLite as a silent mismatch: refuse it before either.
        for name, value in request.query_params.multi_items():
            if "\x00" in name or "\x00" in value:
                body = {"detail": Errors.E135.format(name=name.replace("\x00", "")), "errors": []}
                return JSONResponse(body, status_code=422)
        return await call_next(request)

    @app.exception_handler(NotFoundError)
    async def _not_found(_request: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "errors": []}, status_code=404)

    @app.exception_handler(FilterValueError)
    async def _bad_value(_request: Request, exc: FilterValueError) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "errors": []}, status_code=422)

    @app.exception_handler(SitrepError)
    async def _user_error(_request: Request, exc: SitrepError) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "errors": []}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(_validation_body(exc.errors()), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"detail": str(exc.detail), "errors": []}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _bug(_request: Request, exc: Exception) -> JSONResponse:
        # Starlette logs the traceback and re-raises; the client sees no stack trace.
        return JSONResponse({"detail": "Internal error; the server log has the details.", "errors": []}, 500)

    @app.get(
        "/api/events",
        response_model=EventPage,
        responses={
            **_ERRORS,
            200: {
                "description": "A page of events: JSON (default), GeoJSON or CSV.",
                "content": {
                    "application/geo+json": {"schema": {"type": "object"}},
                    "text/csv": {"schema": {"type": "string"}},
                },
            },
        },
    )
    def list_events(
        date_from: Annotated[dt.date | None, Query(description=_describe("date_from"))] = None,
        date_to: Annotated[dt.date | None, Query(description=_describe("date_to"))] = None,
        event_type: Annotated[str | None, Query(description=_describe("event_type"))] = None,
        sub_event_type: Annotated[str | None, Query(description=_describe("sub_event_type"))] = None,
        actor: Annotated[str | None, Query(description=_describe("actor"))] = None,
        admin1: Annotated[str | None, Query(description=_describe("admin1"))] = None,
        place: Annotated[str | None, Query(description=_describe("place"))] = None,
        near: Annotated[
            str | None,
            Query(
                pattern=rf"^{_NUMBER},{_NUMBER}$",
                description="Centre for radius_km: 'longitude,latitude' (GeoJSON's order, as in bbox).",
            ),
        ] = None,
        radius_km: Annotated[
            float | None, Query(ge=0, le=20_000, allow_inf_nan=False, description=_describe("radius_km"))
        ] = None,
        bbox: Annotated[
            str | None, Query(pattern=rf"^{_NUMBER}(,{_NUMBER}){{3}}$", description="min_lon,min_lat,max_lon,max_lat.")
        ] = None,
        updated_since: Annotated[dt.datetime | None, Query(description=_describe("updated_since"))] = None,
        include_deleted: Annotated[bool, Query(description=_describe("include_deleted"))] = False,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Events per page.")] = 100,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Events to skip.")] = 0,
        format: Annotated[Literal["json", "geojson", "csv"], Query(description="Output format.")] = "json",
    ) -> Any:
        """Events matching the filters, by date then id, one page at a time (the filters of `sitrep events`)."""
        terms = FilterTerms(
            date_from=date_from,
            date_to=date_to,
            event_type=event_type,
            sub_event_type=sub_event_type,
            actor=actor,
            admin1=admin1,
            place=place,
            near=near,
            radius_km=radius_km,
            bbox=bbox,
            updated_since=updated_since,
            include_deleted=include_deleted,
        )
        with store.connect() as conn:
            where = build_filter(conn, terms, names=names)
            found = list(q.iter_events(conn, where, limit=limit + 1, offset=offset))
        more = len(found) > limit
        page = found[:limit]
        next_offset = offset + limit if more else None
        if format == "geojson":
            collection = export.to_geojson(page)
            collection.update(limit=limit, offset=offset, next_offset=next_offset)
            return Response(json.dumps(collection, ensure_ascii=False), media_type="application/geo+json")
        if format == "csv":
            headers = {"Content-Disposition": 'attachment; filename="events.csv"'}
            return Response(export.to_csv(page), media_type="text/csv; charset=utf-8", headers=headers)
        body = EventPage(events=page, limit=limit, offset=offset, next_offset=next_offset, description=where.describe())
        # Serialised here: given the model, FastAPI would validate every event of the page again before dumping it,
        # a third of the time of a 100-event page (benchmarks/bench_query.py).
        return Response(body.model_dump_json(), media_type="application/json")

    @app.get(
        "/api/events/{event_id}.html",
        responses={
            **_NOT_FOUND,
            200: {"description": "An HTML page.", "content": {"text/html": {"schema": {"type": "string"}}}},
        },
    )
    def event_page(event_id: str) -> HTMLResponse:
        """An event as a page for people: its fields, evidence sentences, sources and documents (escaped)."""
        detail = _event_detail(store, event_id)
        with store.connect() as conn:
            documents = q.event_documents(conn, event_id)
        html = templates.get_template("event.html.j2").render(
            event=detail.event, reports=detail.reports, documents=documents
        )
        return HTMLResponse(html, headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})

    @app.get("/api/events/{event_id}", response_model=EventDetail, responses=_NOT_FOUND)
    def get_event(event_id: str) -> EventDetail:
        """One event with its reports, evidence sentences, documents and sources."""
        return _event_detail(store, event_id)

    @app.get("/api/documents/{document_id}", response_model=Document, responses=_NOT_FOUND)
    def get_document(document_id: str) -> Document:
        """One stored document with its main text."""
        with store.connect() as conn:
            document = q.get_document(conn, document_id)
        if document is None:
            raise NotFoundError(Errors.E130.format(kind="document", id=document_id))
        return document

    @app.get(
        "/api/control",
        response_model=list[ControlPeriod],
        responses={**_ERRORS, 200: {"content": {"application/geo+json": {"schema": {"type": "object"}}}}},
    )
    def list_control(
        date: Annotated[dt.date | None, Query(description="Periods in force on this day (default: all).")] = None,
        place: Annotated[str | None, Query(description="Only this place (case-insensitive).")] = None,
        format: Annotated[Literal["json", "geojson"], Query(description="Output format.")] = "json",
    ) -> Any:
        """Who controls which settlement: the periods of the control timeline (empty until it is computed)."""
        with store.connect() as conn:
            periods = list(q.iter_control_periods(conn, on=date, place=place))
        if format == "geojson":
            features = [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [p.longitude, p.latitude]},
                    "properties": p.model_dump(mode="json", exclude={"latitude", "longitude"}),
                }
                for p in periods
                if p.latitude is not None and p.longitude is not None
            ]
            collection = {"type": "FeatureCollection", "features": features}
            return Response(json.dumps(collection, ensure_ascii=False), media_type="application/geo+json")
        return periods

    @app.get(
        "/api/control/areas",
        responses={**_ERRORS, 200: {"content": {"application/geo+json": {"schema": {"type": "object"}}}}},
    )
    def control_areas(
        date: Annotated[dt.date, Query(description="The day whose control to draw.")],
    ) -> Response:
        """Control on a day as areas: each held settlement's Voronoi cell within `control_area_km` and its country,
        merged by holder and status (`kind: "area"`), the front line where holders meet (`kind: "front"`), and the
        settlements (`kind: "place"`), as GeoJSON."""
        with store.connect() as conn:
            periods = list(q.iter_control_periods(conn))  # later changes too: they say who held a place before
            events = {i: e for p in periods for i in p.event_ids if (e := q.get_event(conn, i)) is not None}
        drawn = control_map(holdings_on(periods, events, date), date=date, radius_km=area_km)
        return Response(json.dumps(drawn.geojson(), ensure_ascii=False), media_type="application/geo+json")

    @app.get("/api/alerts", response_model=AlertList, responses=_ERRORS)
    def list_alerts(
        date_from: Annotated[dt.date | None, Query(description="Only alerts on or after this day.")] = None,
        date_to: Annotated[dt.date | None, Query(description="Only alerts on or before this day.")] = None,
    ) -> Response:
        """The alerts the server's rules give over the store, as `sitrep alerts test` prints them, oldest first."""
        rules = list(alert_rules)
        found: list[Alert] = []
        if rules:
            with names.lock:  # the gazetteer's caches are not thread-safe
                found = alerts_in_store(store, rules, names=names)
        kept = [
            a for a in found if (date_from is None or a.date >= date_from) and (date_to is None or a.date <= date_to)
        ]
        body = AlertList(rules=[rule.name for rule in rules], alerts=kept)
        return Response(body.model_dump_json(), media_type="application/json")

    @app.get("/api/figures", response_model=list[q.EventFigure], responses=_ERRORS)
    def list_figures(
        date_from: Annotated[dt.date | None, Query(description=_describe("date_from"))] = None,
        date_to: Annotated[dt.date | None, Query(description=_describe("date_to"))] = None,
        kind: Annotated[str | None, Query(description="Only figures of this kind (killed, displaced …).")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Figures per page.")] = 100,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Figures to skip.")] = 0,
    ) -> list[q.EventFigure]:
        """The numbers stated in the events' reports (killed, displaced …), each with its claimant."""
        with store.connect() as conn:
            figures = list(q.iter_figures(conn, EventFilter(date_from=date_from, date_to=date_to), kind=kind))
        return figures[offset : offset + limit]

    @app.post(
        "/api/ingest",
        status_code=201,
        response_model=IngestResult,
        responses={
            **_ERRORS,
            200: {"model": IngestResult, "description": "Read, but nothing new (already stored)."},
            401: {"model": ErrorBody, "description": "Missing or wrong bearer token."},
            403: {"model": ErrorBody, "description": "Writes are disabled (no SITREP_TOKEN)."},
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": IngestRequest.model_json_schema()},
                    **{media: {"schema": {"type": "string"}} for media in RAW_MEDIA_TYPES},
                },
            },
        },
    )
    async def ingest(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        filename: Annotated[
            str | None, Query(description="For a raw file body: its name (the suffix picks the reader).")
        ] = None,
    ) -> Response:
        """Ingest one document: JSON `{"text"}` or `{"url"}`, or a raw file body (HTML, text, feed, JSON Lines)."""
        _check_token(write_token, credentials)
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()
        with factory_lock:
            pipeline = state.get("pipeline")
            if pipeline is None:
                pipeline = state["pipeline"] = factory()
        if len(body) > pipeline.settings.max_document_bytes:
            raise InputError(
                Errors.E004.format(source="request body", size=len(body), limit=pipeline.settings.max_document_bytes)
            )
        stats = await run_in_threadpool(_ingest_body, pipeline, store, ingest_lock, media, body, filename)
        # The control timeline is rebuilt after the answer: over a big store it is seconds of evidence matching.
        task = BackgroundTask(control, pipeline, store) if stats.control_due else None
        if stats.read and stats.failed == stats.read:
            raise InputError(Errors.E133.format(reason="; ".join(stats.errors) or "nothing could be read"))
        result = IngestResult(**{name: getattr(stats, name) for name in IngestResult.model_fields})
        return JSONResponse(result.model_dump(mode="json"), status_code=201 if stats.new else 200, background=task)

    mount_web(app)  # the map at /, served by Sitrep itself
    return app


def _check_token(expected: str, credentials: HTTPAuthorizationCredentials | None) -> None:
    if not expected:
        raise StarletteHTTPException(403, Errors.E131)
    given = credentials.credentials if credentials is not None else ""
    if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        raise StarletteHTTPException(401, Errors.E132, headers={"WWW-Authenticate": "Bearer"})


def _ingest_body(
    pipeline: Pipeline, store: Store, lock: threading.Lock, media: str, body: bytes, filename: str | None
) -> IngestStats:
    """Write the request's document to a temporary file and ingest it like `sitrep ingest FILE`."""
    with tempfile.TemporaryDirectory(prefix="sitrep-api-") as folder:
        if media == "application/json":
            try:
                request = IngestRequest.model_validate_json(body)
            except ValidationError as e:
                raise InputError(Errors.E133.format(reason=_validation_body(e.errors())["detail"])) from e
            if request.url is not None:
                inputs = [request.url]
            else:
                record = request.model_dump(mode="json", exclude_none=True)
                path = Path(folder) / "api-ingest.jsonl"
                path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
                inputs = [str(path)]
        elif media in RAW_MEDIA_TYPES or media == "":
            if not body.strip():
                raise InputError(Errors.E133.format(reason="the body is empty"))
            path = Path(folder) / _safe_name(filename, html=media == "text/html")
            path.write_bytes(body)
            inputs = [str(path)]
        else:
            allowed = ", ".join(("application/json", *RAW_MEDIA_TYPES))
            raise InputError(Errors.E133.format(reason=f"content type {media!r} is not one of {allowed}"))
        with lock:  # one writer at a time: SQLite has one, and the pipeline is not thread-safe
            # Only this document's dates: a big ingest running meanwhile fuses its own when it ends.
            return pipeline.ingest(inputs, store, fuse_all=False, control=False)


class _ControlRefresh:
    """Rebuilds the control timeline after an API ingest has answered, one rebuild at a time: a rebuild asked for
    while one runs is done once after it, from the newer events."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.due = False

    def __call__(self, pipeline: Pipeline, store: Store) -> None:
        self.due = True
        while self.due and self.lock.acquire(blocking=False):
            try:
                while self.due:
                    self.due = False
                    pipeline.refresh_control(store, only_if_idle=True)
            finally:
                self.lock.release()


def _safe_name(filename: str | None, *, html: bool) -> str:
    """A plain file name from the client's (no folders, no odd characters), keeping its suffix."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename or "").name).strip("._")
    return name[:100] or ("upload.html" if html else "upload.txt")


def _event_detail(store: Store, event_id: str) -> EventDetail:
    with store.connect() as conn:
        event = q.get_event(conn, event_id)
        if event is None:
            raise NotFoundError(Errors.E130.format(kind="event", id=event_id))
        reports = q.event_reports(conn, event_id)
        documents = q.event_documents(conn, event_id)
    refs = [
        DocumentRef(
            id=d.id, url=d.url, outlet=d.outlet, title=d.title, published=d.published, href=f"/api/documents/{d.id}"
        )
        for d in documents
    ]
    return EventDetail(event=event, reports=reports, documents=refs)


def _validation_body(errors: Any) -> dict[str, Any]:
    """A readable message and the fields at fault, without echoing inputs or exception objects."""
    issues = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", "invalid"))}
        for error in errors
    ]
    summary = "; ".join(f"{'.'.join(i['loc']) or 'request'}: {i['msg']}" for i in issues)
    return {"detail": f"Invalid request: {summary}" if summary else "Invalid request.", "errors": issues}
