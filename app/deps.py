"""What routes share: the loaded models, the settings, and a fast JSON response."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Depends, Request
from fastapi.responses import Response

from app.config import Settings
from app.registry import ModelRegistry

T = TypeVar("T")


def _registry(request: Request) -> ModelRegistry:
    return request.app.state.registry


def _settings(request: Request) -> Settings:
    return request.app.state.settings


Registry = Annotated[ModelRegistry, Depends(_registry)]
SettingsDep = Annotated[Settings, Depends(_settings)]


async def off_loop(request: Request, function: Callable[..., T], *args: Any) -> T:
    """Run CPU work (image decoding and framing) on the app's small preprocessing pool.

    A few threads, not anyio's 40: on a small machine more threads only add contention, and
    each thread's malloc arena keeps memory that makes the process grow under load."""
    return await asyncio.get_running_loop().run_in_executor(request.app.state.preprocess_pool, function, *args)


def json_response(content: Any, status_code: int = 200) -> Response:
    """orjson with NumPy arrays serialised natively: no per-float Python conversion on the hot path."""
    return Response(
        orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY), status_code=status_code, media_type="application/json"
    )
