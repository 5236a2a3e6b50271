"""The FastAPI application: `create_app()` builds it; `uvicorn app.main:app` serves it.

The models are loaded once, in the lifespan, before the first request is accepted.
"""

from __future__ import annotations

import logging
import os
import time
from contextlib import asynccontextmanager

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from fastapi import FastAPI  # noqa: E402
from fastapi.middleware.cors import CORSMiddleware  # noqa: E402
from fastapi_offline import FastAPIOffline  # noqa: E402

from app.config import Settings, get_settings  # noqa: E402
from app.errors import install_error_handlers  # noqa: E402
from app.metrics import Metrics  # noqa: E402
from app.middleware import RequestMetrics, SecurityHeaders  # noqa: E402
from app.registry import load_registry  # noqa: E402
from app.routes import api, health, kserve, pages, tfserving  # noqa: E402

log = logging.getLogger("rowscan")

DESCRIPTION = """
Draw a digit, get an answer from an LSTM that reads it **row by row** (28 steps of 28 pixels).

* **Rowscan API** (`/api/...`): predict from an image or 28x28 pixels, upload a file, batches of up to 256,
  the model card and the gallery of test-set misses.
* **TensorFlow Serving REST** (`/v1/models/lstm...`) and **KServe v2 / Open Inference Protocol**
  (`/v2/...`) for clients of the standard model servers.

Every error is JSON: `{"error": "what is wrong and what is expected", "code": "stable_code"}`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        started = time.perf_counter()
        app.state.registry = load_registry(settings, metrics)
        log.info("ready in %.1f s", time.perf_counter() - started)
        yield
        await app.state.registry.close()

    app = FastAPIOffline(
        title="Rowscan",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        max_body_size=settings.max_body_bytes,
        favicon_url="/static/favicon.svg",
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.registry = None  # /readyz answers 503 until the lifespan has loaded the models

    install_error_handlers(app)
    for module in (api, tfserving, kserve, health, pages):
        app.include_router(module.router)
    pages.mount_static(app, settings)

    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"], allow_headers=["*"])
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestMetrics, metrics=metrics)
    return app


app = create_app()
