"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from app.deps import MetricsDep, RegistryIfLoaded, json_response

router = APIRouter(tags=["Health"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> Response:
    return json_response({"status": "ok"})


@router.get("/readyz", summary="Models are loaded and answering", responses={503: {"description": "Still starting"}})
async def readyz(registry: RegistryIfLoaded) -> Response:
    if registry is None:
        return json_response({"status": "starting"}, status_code=503)
    return json_response({"status": "ready", "models": list(registry.models)})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(sink: MetricsDep) -> Response:
    return Response(sink.render(), media_type=sink.content_type)
