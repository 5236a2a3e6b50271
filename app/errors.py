"""One error shape for every failure: `{"error": "<what is wrong, what is expected>", "code": "<stable code>"}`.

TF Serving and KServe clients read `error` as a string, as those servers send it; our own
API adds `code` (and `details` for malformed bodies). Nothing a client sends ends in a 500; an
unexpected failure is answered by app.middleware.InternalErrors in the same shape.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from app import preprocess
from app.image_work import ClientGone, ImageTimeout, TooManyPixels
from app.inference import InferenceTimeout, Overloaded
from app.registry import UnknownModel, UnknownVersion

RETRY_AFTER_S = "1"
MAX_DETAILS = 5  # a body with thousands of mistakes gets the first few, not an answer as large as the body

INPUT_ERROR_STATUS: dict[type[preprocess.InputError], int] = {
    preprocess.PayloadTooLarge: 413,
    preprocess.ImageTooLarge: 413,
    TooManyPixels: 413,
    preprocess.UnsupportedFormat: 415,
    preprocess.InvalidBase64: 400,
    preprocess.NotAnImage: 400,
    preprocess.InvalidPixels: 422,
}

HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "invalid_request",
    431: "headers_too_large",
}


class ApiError(Exception):
    """An error a route raises on purpose, with its status and code."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_response(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None, headers=None) -> Response:
    body: dict[str, Any] = {"error": message, "code": code}
    if details:
        body["details"] = details
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part != "body"]
        details.append({"field": ".".join(location) or "body", "problem": error.get("msg", "invalid")})
    return details[:MAX_DETAILS]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return error_response(exc.status, exc.code, exc.message, headers=exc.headers)

    @app.exception_handler(preprocess.InputError)
    async def input_error(request: Request, exc: preprocess.InputError) -> Response:
        return error_response(INPUT_ERROR_STATUS.get(type(exc), 422), exc.code, exc.message)

    @app.exception_handler(UnknownModel)
    async def unknown_model(request: Request, exc: UnknownModel) -> Response:
        return error_response(404, "unknown_model", str(exc))

    @app.exception_handler(UnknownVersion)
    async def unknown_version(request: Request, exc: UnknownVersion) -> Response:
        return error_response(404, "unknown_version", str(exc))

    @app.exception_handler(Overloaded)
    async def overloaded(request: Request, exc: Overloaded) -> Response:
        return error_response(503, "overloaded", f"server busy: {exc}; retry shortly", headers={"Retry-After": RETRY_AFTER_S})

    @app.exception_handler(InferenceTimeout)
    async def timeout(request: Request, exc: InferenceTimeout) -> Response:
        return error_response(503, "inference_timeout", str(exc), headers={"Retry-After": RETRY_AFTER_S})

    @app.exception_handler(ImageTimeout)
    async def image_timeout(request: Request, exc: ImageTimeout) -> Response:
        return error_response(503, "image_timeout", str(exc), headers={"Retry-After": RETRY_AFTER_S})

    @app.exception_handler(ClientGone)
    @app.exception_handler(ClientDisconnect)
    async def client_gone(request: Request, exc: Exception) -> Response:
        # Nobody reads this answer; /metrics counts it (499, as nginx logs a client that closed first).
        return error_response(499, "client_closed_request", "the client disconnected before the answer")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if any(error.get("type") == "json_invalid" for error in exc.errors()):
            return error_response(400, "invalid_json", "the body is not valid JSON; expected a JSON object")
        details = _validation_details(exc)
        summary = "; ".join(f"{d['field']}: {d['problem']}" for d in details[:3])
        return error_response(422, "invalid_request", f"the request does not match the expected shape ({summary})", details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such endpoint: {request.method} {request.url.path} (see /docs)"
        if exc.status_code == 405:
            message = f"method {request.method} is not allowed on {request.url.path}"
        return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))
