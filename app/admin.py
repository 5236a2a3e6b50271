"""The admin bearer token (ROWSCAN_ADMIN_TOKEN): routes that see everyone's samples depend on it.

Unset, those routes are off and answer 403 saying so; a missing or wrong token is a 401."""

from __future__ import annotations

import secrets

from fastapi import Request

from app.deps import SettingsDep
from app.errors import ApiError
from app.schemas import ErrorResponse

ADMIN_RESPONSES = {
    401: {"model": ErrorResponse, "description": "Missing or wrong admin token (Authorization: Bearer ...)"},
    403: {"model": ErrorResponse, "description": "Admin routes are off: ROWSCAN_ADMIN_TOKEN is not set on the server"},
}


async def require_admin(request: Request, settings: SettingsDep) -> None:
    token = settings.admin_token
    if token is None:
        raise ApiError(403, "admin_off", "admin routes are off: set ROWSCAN_ADMIN_TOKEN on the server to turn them on")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip().encode(), token.get_secret_value().encode()):
        raise ApiError(
            401,
            "unauthorized",
            "admin route: send Authorization: Bearer <ROWSCAN_ADMIN_TOKEN>",
            headers={"WWW-Authenticate": "Bearer"},
        )
