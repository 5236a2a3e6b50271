"""The FastAPI application: `create_app()` builds it; `uvicorn app.main:app` serves it.

The models are loaded once, in the lifespan, before the first request is accepted.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Several workers share one GPU: each takes GPU memory as it needs it, not all of it at start.
os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from app.classroom.live import RoomSignals
from app.classroom.store import RoomStore
from app.config import Settings, get_settings
from app.deps import REQUEST_BODIES, Serving
from app.docs import add_redoc
from app.errors import install_error_handlers
from app.image_work import ImageWork
from app.metrics import Metrics
from app.middleware import (
    BodyDeadline,
    BodySizeLimit,
    HeadAsGet,
    InternalErrors,
    JsonCORS,
    RelativeRedirects,
    RequestMetrics,
    SecurityHeaders,
)
from app.model_loading import load_registry
from app.routes import api, classroom, health, kserve, misses, pages, rooms, samples, samples_page, tfserving
from app.samples.ratelimit import RateLimiter
from app.server import exit_with_server, report_startup_error
from app.storage import StorageError, open_database
from app.watcher import watch_versions
from model.artifacts import ArtifactError

log = logging.getLogger("rowscan")
FAVICON_URL = "/static/favicon.svg"

DESCRIPTION = """
Draw a digit, get an answer from an LSTM that reads it **row by row** (28 steps of 28 pixels).

* **Rowscan API** (`/api/...`): predict from an image or 28x28 pixels, upload a file, batches of up to 256,
  the model card and the gallery of test-set misses.
* **TensorFlow Serving REST** (`/v1/models/lstm...`) and **KServe v2 / Open Inference Protocol**
  (`/v2/...`) for clients of the standard model servers.

Every error is JSON: `{"error": "what is wrong and what is expected", "code": "stable_code"}`.
"""


def configure_logging(level: str) -> None:
    """Our log lines ("rowscan" logger) beside uvicorn's, in the same style."""
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
        log.addHandler(handler)
        log.propagate = False
    log.setLevel(level.upper())
    tensorflow_log = logging.getLogger("tensorflow")
    if _not_a_retracing_warning not in tensorflow_log.filters:
        tensorflow_log.addFilter(_not_a_retracing_warning)


def _not_a_retracing_warning(record: logging.LogRecord) -> bool:
    """Each graph is traced exactly once (app.inference), but TensorFlow counts the traces of lambdas
    made by one factory together and warns of a "retracing" that is not happening."""
    return "triggered tf.function retracing" not in record.getMessage()


def _openapi_with_request_models(app: FastAPI, default_openapi) -> dict:
    """FastAPI's schema plus the request bodies that the hot routes parse themselves (deps.parse_json)."""
    if app.openapi_schema is None:
        schema = default_openapi()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in REQUEST_BODIES:
            definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(definition.pop("$defs", {}))
            components[model.__name__] = definition
        app.openapi_schema = schema
    return app.openapi_schema


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        exit_with_server()
        app.state.preprocess_pool = ThreadPoolExecutor(settings.preprocess_threads, thread_name_prefix="rowscan-preprocess")
        app.state.image_work = ImageWork(
            app.state.preprocess_pool,
            metrics,
            max_request_pixels=settings.max_request_pixels,
            max_queued_pixels=settings.max_queued_pixels,
            timeout_s=settings.image_timeout_s,
        )
        try:
            if app.state.database is None:  # a test may have opened it already
                app.state.database = open_database(settings)
            if app.state.registry is None:  # a test may have loaded the models already
                started = time.perf_counter()
                app.state.registry = load_registry(settings, metrics)
                log.info("ready in %.1f s", time.perf_counter() - started)
        except (ArtifactError, StorageError) as exc:
            if report_startup_error(str(exc)):  # a worker of `rowscan serve`: its parent prints the one line
                os._exit(2)
            raise
        app.state.serving = Serving(app.state.registry, settings, app.state.image_work, app.state.preprocess_pool)
        app.state.rooms = RoomStore(app.state.database.engine, settings.room_idle_expiry_s, settings.max_rooms)
        app.state.room_signals = RoomSignals()
        # What start-up loaded lives as long as the process: keep the cyclic GC from scanning it again
        # and again (10% of a worker's time under load; 0.72-0.83 -> 0.55 ms of CPU per request).
        gc.collect()
        gc.freeze()
        watcher = asyncio.create_task(watch_versions(app.state.registry, settings, metrics), name="rowscan-versions")
        yield
        watcher.cancel()
        await app.state.registry.close()
        app.state.database.close()
        app.state.preprocess_pool.shutdown(wait=False, cancel_futures=True)

    app = FastAPIOffline(
        title="Rowscan",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        favicon_url=FAVICON_URL,
        redoc_url=None,  # app.docs serves /redoc without the CDN logo
        # FastAPI's built-in OpenTelemetry costs ~0.2 ms a request; /metrics already counts and times requests.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    default_openapi = app.openapi
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.registry = None  # /readyz answers 503 until the lifespan has loaded the models
    app.state.database = None
    app.state.sample_limiter = RateLimiter(settings.samples_per_minute, settings.samples_burst)

    app.openapi = lambda: _openapi_with_request_models(app, default_openapi)
    install_error_handlers(app)
    for module in (api, misses, samples, rooms, tfserving, kserve, health, pages, samples_page, classroom):
        app.include_router(module.router)
    add_redoc(app, FAVICON_URL)
    pages.mount_static(app, settings)

    # Innermost first: every answer, a refused body or a 500 included, gets the CORS and security headers.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(BodyDeadline, seconds=settings.read_timeout_s)
    app.add_middleware(InternalErrors)
    if settings.cors_origins:
        app.add_middleware(JsonCORS, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"], allow_headers=["*"])
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RelativeRedirects)
    app.add_middleware(RequestMetrics, metrics=metrics)
    app.add_middleware(HeadAsGet)
    return app


app = create_app()
