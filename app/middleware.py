"""Pure ASGI middleware (microseconds per request, unlike BaseHTTPMiddleware): body size limit,
body deadline, security headers, request metrics."""

from __future__ import annotations

import asyncio
import time

import orjson
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.metrics import Metrics

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


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body over the limit of {limit:,} bytes (ROWSCAN_MAX_BODY_BYTES)")


class BodySizeLimit:
    """413 for bodies over `max_bytes`: at once from Content-Length (the body is never read), else
    as soon as the stream passes the limit. (Starlette's own limiter answers in plain text.)"""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_bytes:
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


class BodyTimeout(HTTPException):
    def __init__(self, seconds: float) -> None:
        detail = f"request body not received within {seconds:g} s (ROWSCAN_READ_TIMEOUT_S)"
        super().__init__(408, detail, headers={"Connection": "close"})


class BodyDeadline:
    """408 when a request's body has not all arrived within `seconds` of the request's start, so a
    client trickling its body cannot hold a connection open. (The server closes connections whose
    headers are late, app.server; the body is read by the app, so the app times it.) Once the body
    is complete, `receive` is passed through untimed: waiting for a disconnect is not reading."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = asyncio.get_running_loop().time() + self.seconds
        body_done = False

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyTimeout(self.seconds) from None
            body_done = not message.get("more_body", False)
            return message

        await self.app(scope, timed_receive, send)


class SecurityHeaders:
    """CSP allowing only this origin (the UI needs nothing else), nosniff, no framing, no referrer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
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


class RequestMetrics:
    """Count requests and time them, labelled by route template (not raw path: bounded labels)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
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
