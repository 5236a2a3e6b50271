"""What routes share: the loaded models, the settings, bounded and fast JSON in and out.

The app's shared state (app.state, set up by main.create_app and its lifespan) is read here only; routes
ask for it as dependencies (`registry: Registry`, `settings: SettingsDep`, ...)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError

from app import bounded_json
from app.classroom.live import RoomSignals
from app.classroom.store import RoomStore
from app.config import Settings
from app.errors import ApiError
from app.image_work import ImageWork
from app.metrics import Metrics
from app.registry import ModelRegistry
from app.samples.ratelimit import RateLimiter
from app.storage import Database

M = TypeVar("M", bound=BaseModel)


def _state(name: str) -> Callable[[Request], Awaitable[Any]]:
    """A dependency that hands a route one attribute of app.state (async: FastAPI runs plain `def`
    dependencies in a thread pool, a costly hop for an attribute read)."""

    async def read(request: Request) -> Any:
        return getattr(request.app.state, name)

    read.__name__ = f"state_{name}"
    return read


async def _registry_if_loaded(request: Request) -> ModelRegistry | None:
    """None while the models are still loading (the readiness probes say so)."""
    return getattr(request.app.state, "registry", None)


@dataclass(frozen=True)
class Serving:
    """What the prediction routes use, as ONE dependency: FastAPI resolves each dependency of a route
    on every request, and four of them were a fifth of a pixels request's own Python (py-spy)."""

    registry: ModelRegistry
    settings: Settings
    image_work: ImageWork  # images: decoded and framed within the app's budget
    pool: Executor  # the few threads for CPU work off the event loop


Registry = Annotated[ModelRegistry, Depends(_state("registry"))]
ServingDep = Annotated[Serving, Depends(_state("serving"))]
RegistryIfLoaded = Annotated[ModelRegistry | None, Depends(_registry_if_loaded)]
SettingsDep = Annotated[Settings, Depends(_state("settings"))]
MetricsDep = Annotated[Metrics, Depends(_state("metrics"))]
Templates = Annotated[Jinja2Templates, Depends(_state("templates"))]
ImageWorkDep = Annotated[ImageWork, Depends(_state("image_work"))]  # images: decoded and framed within the app's budget
DatabaseDep = Annotated[Database, Depends(_state("database"))]  # the samples and rooms store (app.storage)
SampleLimiter = Annotated[RateLimiter, Depends(_state("sample_limiter"))]  # samples per client and minute
Rooms = Annotated[RoomStore, Depends(_state("rooms"))]  # class mode's rooms, drawings and events
RoomSignalsDep = Annotated[RoomSignals, Depends(_state("room_signals"))]  # wakes this worker's event streams of a room


async def parse_json(request: Request, model: type[M]) -> M:
    """The body as `model`: counted against the JSON budget, parsed by orjson, validated by pydantic.

    The hot routes read their body this way rather than as a FastAPI body parameter: stdlib JSON
    parsing plus validation cost several times more, which is most of a request's CPU time. The
    routes declare their body for the docs with `json_body(model)`."""
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise ApiError(415, "unsupported_media_type", f"body of type '{content_type}'; expected Content-Type: application/json")
    data = load_json(await request.body(), request.app.state.settings)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError([{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]) from None


def load_json(body: bytes, settings: Settings) -> Any:
    """Python objects from a JSON body, or a 413 before parsing one that holds too many values (app.bounded_json)."""
    try:
        return bounded_json.load(body, settings.json_budget)
    except bounded_json.JsonTooLarge as exc:
        limit = settings.max_digits_per_request
        message = f"{exc} (room for {limit} digits of 28x28 numbers, ROWSCAN_MAX_DIGITS_PER_REQUEST)"
        raise ApiError(413, "too_many_values", message) from None
    except bounded_json.InvalidJson:
        raise ApiError(400, "invalid_json", "the body is not valid JSON; expected a JSON object") from None


# The models of the bodies that routes parse themselves; main adds their schemas to the OpenAPI document.
REQUEST_BODIES: list[type[BaseModel]] = []


def json_body(model: type[BaseModel], also: dict[str, Any] | None = None) -> dict[str, Any]:
    """`openapi_extra` of a route that parses its body itself (`parse_json`): the docs show `model` as its
    JSON body (and the other content types in `also`). Declared where the route is; main.py needs no list."""
    if model not in REQUEST_BODIES:
        REQUEST_BODIES.append(model)
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}, **(also or {})}
    return {"requestBody": {"required": True, "content": content}}


def json_response(content: Any, status_code: int = 200) -> Response:
    """orjson with NumPy arrays serialised natively: no per-float Python conversion on the hot path."""
    return Response(
        orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY), status_code=status_code, media_type="application/json"
    )
