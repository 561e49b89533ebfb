"""The offline map page: static files served by Sitrep itself (no CDN, no tile server).

`STATIC_DIR` holds `index.html`, `app.js`, `alerts.js` (the alerts layer, over `app.js`'s `window.sitrepMap`),
`style.css`, the vendored Leaflet (`vendor/`) and the simplified Natural Earth borders (`data/`);
`scripts/vendor_web.py` rebuilds the vendored files from npm. The page reads `api/events?format=geojson`,
`api/control/areas?date=`, `api/alerts` and links to `api/documents/{id}`, all relative to where it is served, so
it also works behind a path prefix.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR: Path = Path(__file__).parent / "static"
_MOUNT_NAME = "sitrep-web"
# Defence in depth behind textContent-only rendering: no inline or foreign scripts, and no requests off the server.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def mount_web(app: FastAPI) -> None:
    """Serve the map page at `/` and its files under `/static/`.

    Calling it twice on the same app does nothing the second time, so both the API factory and a caller may call it.

    Args:
        app: The FastAPI application to add the routes to.
    """
    if any(getattr(route, "name", None) == _MOUNT_NAME for route in app.routes):
        return
    index = STATIC_DIR / "index.html"

    async def map_page() -> FileResponse:
        return FileResponse(index, media_type="text/html", headers={"Content-Security-Policy": _CSP})

    app.add_api_route("/", map_page, methods=["GET"], include_in_schema=False, name="sitrep-map")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name=_MOUNT_NAME)
