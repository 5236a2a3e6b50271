"""Samples people label: POST /api/samples for anyone (one's own, rate-limited); listing, deleting and
exporting everyone's only with the admin token. A sample route whose database fails answers 503; the
prediction routes never touch the database, so they keep answering."""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import re
from collections.abc import Callable
from typing import Annotated, Literal, TypeVar

import numpy as np
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from PIL import Image
from sqlalchemy.exc import SQLAlchemyError

from app.admin import ADMIN_RESPONSES, require_admin
from app.deps import DatabaseDep, ImageWorkDep, Registry, SampleLimiter, SettingsDep, json_body, json_response, parse_json
from app.errors import RETRY_AFTER_S, ApiError
from app.routes.api import _prepare
from app.samples import export, store
from app.samples.ratelimit import retry_after
from app.samples.schemas import CLIENT_HEADER, CLIENT_ID_PATTERN, SampleRequest
from app.schemas import ERROR_RESPONSES
from app.storage import Database, Sample

log = logging.getLogger("rowscan")
router = APIRouter(prefix="/api", tags=["Samples"], responses=ERROR_RESPONSES)
T = TypeVar("T")


async def in_database(database: Database, function: Callable[..., T], *args) -> T:
    """Run a store function in a thread; a database failure becomes a 503 (the rest of the app keeps working)."""
    try:
        return await asyncio.to_thread(function, database, *args)
    except SQLAlchemyError as exc:
        log.warning("database unavailable: %s", str(getattr(exc, "orig", None) or exc).splitlines()[0])
        raise ApiError(
            503,
            "database_unavailable",
            "the sample store is unavailable; predictions still work; retry later",
            headers={"Retry-After": RETRY_AFTER_S},
        ) from None


def _client_id(request: Request, body: SampleRequest) -> str:
    client = body.client_id or request.headers.get(CLIENT_HEADER)
    if client is None or not re.fullmatch(CLIENT_ID_PATTERN, client):
        raise ApiError(
            422,
            "invalid_client_id",
            f"a client id is needed: 'client_id' in the body or the {CLIENT_HEADER} header, 8-64 letters, digits, - or _",
        )
    return client


def _check_strokes(body: SampleRequest, max_strokes: int, max_points: int) -> None:
    if body.strokes is None:
        return
    points = sum(len(stroke) for stroke in body.strokes)
    if len(body.strokes) > max_strokes or points > max_points:
        raise ApiError(
            413,
            "too_many_strokes",
            f"{len(body.strokes)} strokes of {points} points; the limits are {max_strokes} strokes, {max_points} points",
        )


@router.post(
    "/samples",
    status_code=201,
    openapi_extra=json_body(SampleRequest),
    summary="Keep a labelled drawing",
    responses={201: {"description": "Stored"}, 429: {"description": "Too many samples from this client"}},
)
async def add_sample(
    request: Request,
    image_work: ImageWorkDep,
    settings: SettingsDep,
    registry: Registry,
    database: DatabaseDep,
    limiter: SampleLimiter,
) -> Response:
    """A drawing and the digit it really is (after a wrong answer, or confirming a right one). The model
    answers it again, and the 28x28 input it saw, its ten probabilities, the label, the strokes when sent,
    the model and version, a UTC timestamp and the client id are kept. No IP address, no user agent."""
    if len(await request.body()) > settings.max_sample_bytes:
        raise ApiError(
            413, "payload_too_large", f"a sample is at most {settings.max_sample_bytes:,} bytes (ROWSCAN_MAX_SAMPLE_BYTES)"
        )
    body = await parse_json(request, SampleRequest)
    client = _client_id(request, body)
    _check_strokes(body, settings.max_strokes, settings.max_stroke_points)
    wait = limiter.acquire(client)
    if wait:
        raise ApiError(
            429,
            "rate_limited",
            f"too many samples from this client; at most {settings.samples_per_minute:g} a minute",
            headers={"Retry-After": retry_after(wait)},
        )
    served = registry.get(body.model, body.version)
    [prepared] = await _prepare(request, image_work, [body], settings.image_limits)
    if prepared.empty:
        raise ApiError(422, "empty_drawing", "nothing drawn to keep: the image is blank or too faint")
    [prediction] = await served.predict([prepared])
    sample = Sample(
        client_id=client,
        label=body.label,
        predicted=prediction.digit,
        model=served.name,
        model_version=served.version,
        probabilities=[round(float(p), 6) for p in prediction.probabilities],
        pixels=np.asarray(prediction.input, store.PIXEL_DTYPE).tobytes(),
        strokes=body.strokes,
    )
    await in_database(database, store.add_sample, sample)
    return json_response(
        {
            "id": sample.id,
            "label": sample.label,
            "predicted": sample.predicted,
            "correct": sample.label == sample.predicted,
            "confidence": prediction.confidence,
            "probabilities": prediction.probabilities,
            "model": served.reference(),
            "created_at": sample.created_at.isoformat(),
        },
        status_code=201,
    )


def _png_data_url(pixels: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(np.rint(pixels * 255).clip(0, 255).astype(np.uint8)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _item(sample: Sample) -> dict:
    return {
        "id": sample.id,
        "label": sample.label,
        "predicted": sample.predicted,
        "correct": sample.label == sample.predicted,
        "confidence": sample.probabilities[sample.predicted],
        "probabilities": sample.probabilities,
        "model": sample.model,
        "version": sample.model_version,
        "client_id": sample.client_id,
        "created_at": sample.created_at.isoformat(),
        "has_strokes": bool(sample.strokes),
        "title": f"t:{sample.label}, p:{sample.predicted}",
        "image": _png_data_url(store.pixels_of(sample)),
    }


Digit = Annotated[int | None, Query(ge=0, le=9)]


@router.get("/samples", dependencies=[Depends(require_admin)], responses=ADMIN_RESPONSES, summary="Everyone's samples (admin)")
async def list_samples(
    database: DatabaseDep,
    label: Digit = None,
    predicted: Digit = None,
    wrong: Annotated[bool | None, Query(description="true: only the model's mistakes; false: only its right answers")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 24,
) -> Response:
    """Newest first, each with a PNG (data URL) of what the model saw. Needs `Authorization: Bearer <ROWSCAN_ADMIN_TOKEN>`."""
    where = store.SampleFilter(label, predicted, wrong)
    total, samples = await in_database(database, store.list_samples, where, page, per_page)
    return json_response(
        {
            "total": total,
            "page": page,
            "per_page": per_page,
            "pages": max(1, -(-total // per_page)),
            "items": [_item(s) for s in samples],
        }
    )


@router.get(
    "/samples/export",
    dependencies=[Depends(require_admin)],
    responses=ADMIN_RESPONSES,
    response_class=Response,
    summary="Every sample as IDX (MNIST's layout), NumPy or ndjson (admin)",
)
async def export_samples(
    database: DatabaseDep,
    format: Annotated[Literal["idx", "npz", "ndjson"], Query(description="idx: zip of two gzipped IDX files")] = "npz",
    label: Digit = None,
    predicted: Digit = None,
    wrong: bool | None = None,
) -> Response:
    samples = await in_database(database, store.all_samples, store.SampleFilter(label, predicted, wrong))
    content = await asyncio.to_thread(export.render, samples, format)
    media_type, filename = export.FORMATS[format]
    return Response(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.delete(
    "/samples/{sample_id:int}",
    dependencies=[Depends(require_admin)],
    responses=ADMIN_RESPONSES,
    summary="Delete one sample (admin)",
)
async def delete_sample(database: DatabaseDep, sample_id: int) -> Response:
    if not 0 < sample_id < 2**31 or not await in_database(database, store.delete_sample, sample_id):
        raise ApiError(404, "unknown_sample", f"no sample {sample_id}")
    return json_response({"deleted": sample_id})
