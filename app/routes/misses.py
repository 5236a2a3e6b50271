"""The test digits behind the misses page: each model's misses (filtered, paged, one at a time with its
pixels or as a PNG) and the digits the served models answer differently."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Annotated, TypeVar

import numpy as np
from fastapi import APIRouter, Query
from fastapi.responses import Response
from PIL import Image
from starlette.convertors import IntegerConvertor, register_url_convertor

from app.deps import Registry, json_response
from app.disagreements import Disagreement
from app.errors import ApiError
from app.registry import ServedModel
from app.schemas import ERROR_RESPONSES, MissDetail, MissesPage

router = APIRouter(prefix="/api", tags=["Rowscan API"], responses=ERROR_RESPONSES)
T = TypeVar("T")


class IndexConvertor(IntegerConvertor):
    """A test-set index in a path: at most 9 digits, so a 4,301-digit one is a 404 rather than a failed int()."""

    regex = "[0-9]{1,9}"


register_url_convertor("test_index", IndexConvertor())


def paginate(items: Sequence[T], page: int, per_page: int, to_json: Callable[[T], dict]) -> dict:
    """One page of a list, as every paged answer words it: total, page, per_page, pages, items."""
    start = (page - 1) * per_page
    return {
        "total": len(items),
        "page": page,
        "per_page": per_page,
        "pages": max(1, -(-len(items) // per_page)),
        "items": [to_json(item) for item in items[start : start + per_page]],
    }


def _miss_item(served: ServedModel, position: int) -> dict:
    misses = served.misses
    probabilities = misses.probabilities[position]
    true, predicted = int(misses.labels[position]), int(misses.predictions[position])
    index = int(misses.indices[position])
    return {
        "index": index,
        "true": true,
        "predicted": predicted,
        "confidence": float(probabilities[predicted]),
        "probabilities": probabilities,
        "title": f"t:{true}, p:{predicted}",
        "image_url": f"/api/misses/{index}.png?model={served.name}",
    }


@router.get("/misses", response_model=MissesPage, summary="Test digits the model gets wrong")
async def list_misses(
    registry: Registry,
    true: Annotated[int | None, Query(ge=0, le=9, description="Only misses of this true digit.")] = None,
    predicted: Annotated[int | None, Query(ge=0, le=9, description="Only misses answered as this digit.")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 24,
    model: Annotated[str | None, Query(description="Default: the shipped LSTM.")] = None,
) -> Response:
    """In test-set order, `per_page` at a time; each with its probabilities and a PNG of the digit."""
    served = registry.get(model)
    misses = served.misses
    keep = np.ones(len(misses), dtype=bool)
    if true is not None:
        keep &= misses.labels == true
    if predicted is not None:
        keep &= misses.predictions == predicted
    positions = np.flatnonzero(keep)
    return json_response(
        {"model": served.name, **paginate(positions, page, per_page, lambda position: _miss_item(served, int(position)))}
    )


@router.get("/disagreements", summary="Test digits the served models answer differently")
async def disagreements(
    registry: Registry,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 24,
) -> Response:
    """Every test digit some model misses, where not all models give the same answer: each model's
    answer, which are right, and the digit's image. Needs at least two served models to say anything."""
    return json_response(
        {
            "models": list(registry.models),
            **paginate(registry.disagreements, page, per_page, Disagreement.as_json),
        }
    )


def _position(served: ServedModel, index: int) -> int:
    found = np.flatnonzero(served.misses.indices == index)
    if not len(found):
        raise ApiError(404, "not_a_miss", f"test digit {index} is not among the misses of model '{served.name}'")
    return int(found[0])


@router.get("/misses/{index:test_index}", response_model=MissDetail, summary="One miss, with its pixels")
async def miss_detail(registry: Registry, index: int, model: str | None = None) -> Response:
    served = registry.get(model)
    position = _position(served, index)
    pixels = served.misses.images[position].astype(np.float32) / 255.0
    return json_response({**_miss_item(served, position), "pixels": pixels})


@router.get(
    "/misses/{index:test_index}.png",
    summary="The 28x28 image of one miss",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "28x28 greyscale PNG"}},
)
async def miss_image(registry: Registry, index: int, model: str | None = None) -> Response:
    served = registry.get(model)
    buffer = io.BytesIO()
    Image.fromarray(served.misses.images[_position(served, index)]).save(buffer, format="PNG")
    return Response(buffer.getvalue(), media_type="image/png", headers={"Cache-Control": "public, max-age=3600"})
