"""Pure ASGI middleware (microseconds per request, unlike BaseHTTPMiddleware): body size limit,
internal errors, CORS errors, security headers, relative redirects, request metrics, HEAD.

`app.main.create_app` stacks them so that every answer, a refused body or a 500 included, passes
through the CORS and security headers."""

from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

import orjson
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import error_response
from app.metrics import Metrics

log = logging.getLogger("rowscan")
MAX_LENGTH_DIGITS = 15  # a Content-Length of more digits is over any limit (and int() refuses 4,301+ digits)

PAGE_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI and ReDoc start themselves with an inline script; still nothing from other origins.
DOCS_CSP = (
    PAGE_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
    .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    .replace("connect-src 'self'", "connect-src 'self'; worker-src 'self' blob:")
)
DOCS_PATHS = ("/docs", "/redoc")


class HttpMiddleware:
    """Pure ASGI middleware that acts on HTTP requests only (lifespan events pass straight through)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.handle(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body over the limit of {limit:,} bytes (ROWSCAN_MAX_BODY_BYTES)")


class BodySizeLimit(HttpMiddleware):
    """413 for bodies over `max_bytes`: at once from Content-Length (the body is never read), else
    as soon as the stream passes the limit. (Starlette's own limiter answers in plain text.)"""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or len(declared) > MAX_LENGTH_DIGITS or int(declared) > self.max_bytes:
            await self._refuse(send, bad_header=not declared.isdigit())
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, limited_receive, send)

    async def _refuse(self, send: Send, bad_header: bool) -> None:
        if bad_header:
            status, body = 400, {"error": "invalid Content-Length header", "code": "bad_request"}
        else:
            status, body = 413, {"error": BodyTooLarge(self.max_bytes).detail, "code": "payload_too_large"}
        content = orjson.dumps(body)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(content)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})


class InternalErrors(HttpMiddleware):
    """An unexpected exception becomes a 500 in the house shape here, inside the CORS and security
    headers, and stops here: the server never sees it, so the connection stays open for the next request."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def send_noting_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_noting_start)
        except Exception:
            log.exception("unexpected error on %s %s", scope["method"], scope["path"])
            if started:  # half an answer is out: only closing the connection can tell the client
                raise
            answer = error_response(500, "internal_error", "the server failed on this request; it has been logged")
            await answer(scope, receive, send)


class JsonCORS(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered in the house JSON shape instead of plain text."""

    def preflight_response(self, request_headers: Headers) -> Response:
        answer = super().preflight_response(request_headers)
        if answer.status_code < 400:
            return answer
        headers = {key: value for key, value in answer.headers.items() if key not in ("content-length", "content-type")}
        message = f"CORS preflight refused: {bytes(answer.body).decode()} (see ROWSCAN_CORS_ORIGINS)"
        return error_response(400, "cors_rejected", message, headers=headers)


class SecurityHeaders(HttpMiddleware):
    """CSP allowing only this origin (the UI needs nothing else), nosniff, no framing, no referrer."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        csp = (DOCS_CSP if scope["path"].startswith(DOCS_PATHS) else PAGE_CSP).encode()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [
                    (b"content-security-policy", csp),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RelativeRedirects(HttpMiddleware):
    """A redirect to this server names it by path only. Starlette's trailing-slash redirect builds an
    absolute URL from the Host header, which any client sets: `Host: evil.example` must not send
    the browser to evil.example."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:

        async def send_relative(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                message["headers"] = [
                    (name, _path_only(value) if name.lower() == b"location" else value) for name, value in message["headers"]
                ]
            await send(message)

        await self.app(scope, receive, send_relative)


def _path_only(location: bytes) -> bytes:
    parts = urlsplit(location.decode("latin-1"))
    relative = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return relative.encode("latin-1")


class HeadAsGet(HttpMiddleware):
    """HEAD on every GET route: answered as the GET, without the body. (FastAPI routes list GET only,
    and not every ASGI server drops a HEAD answer's body itself.)"""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        scope["method"] = "GET"  # in place: the router's match (scope["route"]) stays visible to RequestMetrics
        try:
            await self.app(scope, receive, send_headers_only)
        finally:
            scope["method"] = "HEAD"


class RequestMetrics(HttpMiddleware):
    """Count requests and time them, labelled by route template (not raw path: bounded labels)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        super().__init__(app)
        self.metrics = metrics

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        scope["rowscan.started"] = started  # routes report elapsed_ms from here
        status = 500

        async def send_recording_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording_status)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            self.metrics.observe_request(scope["method"], path, status, time.perf_counter() - started)
