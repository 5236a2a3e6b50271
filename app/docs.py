"""The API docs pages, /docs (Swagger UI) and /redoc (ReDoc), served from this app alone.

fastapi-offline serves both bundles locally, but ReDoc's bundle also shows its vendor's logo from
cdn.redoc.ly, which the Content-Security-Policy blocks (a console error, and a request to another
origin). /redoc gets its own copy of the bundle with that one address replaced by an empty data: URL;
ReDoc leaves out a logo that does not load.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse, Response

REDOC_BUNDLE = Path(fastapi_offline.__file__).parent / "static" / "redoc.standalone.js"
REDOC_VENDOR_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
REDOC_JS_URL = "/redoc-assets/redoc.standalone.js"


@lru_cache(maxsize=1)
def redoc_bundle() -> bytes:
    return REDOC_BUNDLE.read_text(encoding="utf-8").replace(REDOC_VENDOR_LOGO, "data:,").encode()


def add_redoc(app: FastAPI, favicon_url: str) -> None:
    """/redoc and its bundle (fastapi-offline's own /redoc is turned off: redoc_url=None)."""

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{REDOC_JS_URL}",
            redoc_favicon_url=favicon_url,
            with_google_fonts=False,
        )

    @app.get(REDOC_JS_URL, include_in_schema=False)
    async def redoc_script() -> Response:
        return Response(redoc_bundle(), media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})
