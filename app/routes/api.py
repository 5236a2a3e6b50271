"""Rowscan's own JSON API: predict (JSON, upload, batch), the model card, and the misses gallery."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import Response

from app import preprocess
from app.deps import Registry, ServingDep, SettingsDep, json_body, json_response, parse_json
from app.errors import ApiError
from app.explain import check_explainable
from app.explain import explain as explain_answer
from app.image_work import ImageWork
from app.registry import ModelRegistry, Prediction, ServedModel
from app.schemas import (
    ERROR_RESPONSES,
    EXPLAIN_DESCRIPTION,
    LABEL_DESCRIPTION,
    BatchRequest,
    BatchResponse,
    DigitInput,
    PredictRequest,
    PredictResponse,
)
from model.artifacts import COMPARISON_FILE, load_json

router = APIRouter(prefix="/api", tags=["Rowscan API"], responses=ERROR_RESPONSES)


def _elapsed_ms(request: Request) -> float:
    return round((time.perf_counter() - request.scope.get("rowscan.started", time.perf_counter())) * 1000, 3)


def _result(prediction: Prediction) -> dict:
    result = {
        "digit": prediction.digit,
        "confidence": prediction.confidence,
        "probabilities": prediction.probabilities,
        "empty": prediction.empty,
        "input": prediction.input,
    }
    if prediction.steps is not None:
        result["steps"] = prediction.steps
    return result


def _served_for(registry: ModelRegistry, model: str | None, steps: bool, version: str | None = None) -> ServedModel:
    """The model (and version) asked for (404 if not served), refusing `steps` from models without per-row answers."""
    served = registry.get(model, version)
    if steps and not served.has_steps:
        raise ApiError(
            422, "no_steps", f"model '{served.name}' does not read row by row, so it has no per-row answers; omit 'steps'"
        )
    return served


def _answer(request: Request, served: ServedModel, fields: dict) -> Response:
    """Every prediction answer ends the same way: which model answered and how long it took."""
    return json_response({**fields, "model": served.reference(), "elapsed_ms": _elapsed_ms(request)})


async def _prepare(
    request: Request, image_work: ImageWork, inputs: list[DigitInput], limits: preprocess.Limits
) -> list[preprocess.Prepared]:
    """Pixels are cheap and prepared here; images go through the app's bounded image work (app.image_work)."""
    images = [position for position, item in enumerate(inputs) if item.image is not None]
    encoded = [preprocess.decode_base64(inputs[position].image, limits) for position in images]
    decoded = dict(zip(images, await image_work.prepare(request, encoded, limits), strict=True))
    return [
        decoded[position] if position in decoded else preprocess.prepare_pixels(item.pixels)
        for position, item in enumerate(inputs)
    ]


@router.post(
    "/predict",
    response_model=PredictResponse,
    openapi_extra=json_body(PredictRequest),
    summary="Predict one digit (image or pixels)",
)
async def predict(request: Request, serving: ServingDep) -> Response:
    """Send a drawing as an image (data URL or base64) or as 28x28 prepared pixels; get the digit,
    all ten probabilities, the 28x28 input the model saw, with `steps` the answer after each row and, with
    `explain`, the recurrent layer's memory and gates after each row and how much each row mattered."""
    body = await parse_json(request, PredictRequest)
    served = _served_for(serving.registry, body.model, body.steps, body.version)
    check_explainable(served, body.explain)
    prepared = await _prepare(request, serving.image_work, [body], serving.settings.image_limits)
    [prediction] = await served.predict(prepared, with_steps=body.steps)
    result = _result(prediction)
    if body.explain:
        result["explain"] = await explain_answer(serving.pool, served, prediction, body.label)
    return _answer(request, served, result)


@router.post("/predict/upload", response_model=PredictResponse, summary="Predict one digit from an uploaded image file")
async def predict_upload(
    request: Request,
    serving: ServingDep,
    file: Annotated[UploadFile, File(description="The image: PNG, JPEG, WebP, GIF or BMP.")],
    steps: Annotated[bool, Query(description="Also return the answer after each row.")] = False,
    model: Annotated[str | None, Query(description="Which model answers (default: the shipped LSTM).")] = None,
    explain: Annotated[bool, Query(description=EXPLAIN_DESCRIPTION)] = False,
    label: Annotated[int | None, Query(ge=0, le=9, description=LABEL_DESCRIPTION)] = None,
    version: Annotated[str | None, Query(description="Which version (default: the promoted one).")] = None,
) -> Response:
    """For `curl -F file=@digit.png http://127.0.0.1:8000/api/predict/upload`."""
    served = _served_for(serving.registry, model, steps, version)
    check_explainable(served, explain)
    data = await file.read(serving.settings.max_image_bytes + 1)
    prepared = await serving.image_work.prepare(request, [data], serving.settings.image_limits)
    [prediction] = await served.predict(prepared, with_steps=steps)
    result = _result(prediction)
    if explain:
        result["explain"] = await explain_answer(serving.pool, served, prediction, label)
    return _answer(request, served, result)


@router.post(
    "/predict/batch",
    response_model=BatchResponse,
    openapi_extra=json_body(BatchRequest),
    summary="Predict up to 256 digits in one request",
)
async def predict_batch(request: Request, serving: ServingDep) -> Response:
    """Each input is an image or pixels, as for /api/predict; results come back in the same order."""
    body = await parse_json(request, BatchRequest)
    limit = serving.settings.max_digits_per_request
    if len(body.inputs) > limit:
        raise ApiError(413, "too_many_digits", f"{len(body.inputs)} digits in one request; the limit is {limit}")
    served = _served_for(serving.registry, body.model, body.steps, body.version)
    prepared = await _prepare(request, serving.image_work, body.inputs, serving.settings.image_limits)
    predictions = await served.predict(prepared, with_steps=body.steps)
    return _answer(request, served, {"results": [_result(p) for p in predictions]})


@router.get("/model", summary="The model card")
async def model_card(
    registry: Registry,
    model: Annotated[str | None, Query(description="Default: the shipped LSTM.")] = None,
    version: Annotated[str | None, Query(description="Default: the promoted version.")] = None,
) -> Response:
    """Architecture, parameter count, test accuracy (and the notebook recipe's), per-class accuracy,
    confusion matrix, training history and configuration, library versions, the device in use, and
    every version's lineage (parent, samples used, before/after on MNIST and held-out writers)."""
    served = registry.get(model, version)
    metrics = served.metrics
    return json_response(
        {
            **served.reference(),
            **{key: value for key, value in metrics.items() if key != "model"},
            "has_steps": served.has_steps,
            "backend": registry.runtime["backend"],
            "device": registry.runtime["device"],
            "serving_versions": registry.runtime["versions"],
            "history": served.history,
            "model_versions": registry.lineage(served.name),
        }
    )


@router.get("/models", summary="The models this server answers with")
async def list_models(registry: Registry) -> Response:
    return json_response(
        {
            "default": registry.default,
            "backend": registry.runtime["backend"],
            "device": registry.runtime["device"],
            "models": [
                {
                    **served.reference(),
                    "architecture": served.metrics.get("architecture"),
                    "parameters": served.metrics["parameters"],
                    "test_accuracy": served.metrics["test_accuracy"],
                    "test_misses": served.metrics["test_misses"],
                    "has_steps": served.has_steps,
                    "versions": list(registry.versions[served.name]),
                }
                for served in registry.models.values()
            ],
        }
    )


@router.get("/comparison", summary="The models compared side by side (written by `rowscan compare`)")
async def comparison(settings: SettingsDep) -> Response:
    path = settings.artifacts_dir / COMPARISON_FILE
    if not path.is_file():
        raise ApiError(404, "no_comparison", "no comparison report yet; run `rowscan compare`")
    return json_response(load_json(path))
