"""What routes share: the loaded models, the settings, and a fast JSON response."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import Depends, Request
from fastapi.responses import Response

from app.config import Settings
from app.registry import ModelRegistry


def _registry(request: Request) -> ModelRegistry:
    return request.app.state.registry


def _settings(request: Request) -> Settings:
    return request.app.state.settings


Registry = Annotated[ModelRegistry, Depends(_registry)]
SettingsDep = Annotated[Settings, Depends(_settings)]


def json_response(content: Any, status_code: int = 200) -> Response:
    """orjson with NumPy arrays serialised natively: no per-float Python conversion on the hot path."""
    return Response(
        orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY), status_code=status_code, media_type="application/json"
    )
