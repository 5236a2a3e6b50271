"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.deps import json_response

router = APIRouter(tags=["Health"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> Response:
    return json_response({"status": "ok"})


@router.get("/readyz", summary="Models are loaded and answering", responses={503: {"description": "Still starting"}})
async def readyz(request: Request) -> Response:
    registry = getattr(request.app.state, "registry", None)
    if registry is None:
        return json_response({"status": "starting"}, status_code=503)
    return json_response({"status": "ready", "models": list(registry.models)})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    sink = request.app.state.metrics
    return Response(sink.render(), media_type=sink.content_type)
