"""TensorFlow Serving REST API compatibility: clients of TF Serving can call Rowscan unchanged.

    GET  /v1/models/{name}[/versions/{v}]           model status
    GET  /v1/models/{name}[/versions/{v}]/metadata  signature: rows [-1, 28, 28] -> probabilities [-1, 10]
    POST /v1/models/{name}[/versions/{v}]:predict   {"instances": [...]} or {"inputs": ...}

An instance is a 28x28 (or 784) list of floats in [0, 1], `{"b64": "<image>"}` for an encoded
image (PNG, JPEG, ...; it goes through the same MNIST framing as /api/predict), or an object
with the input name: `{"rows": ...}`. Errors are `{"error": "..."}` as TF Serving sends them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from app import preprocess
from app.config import Settings
from app.deps import Registry, Serving, ServingDep, json_body, json_response, parse_json
from app.errors import ApiError
from app.image_work import ImageWork
from app.registry import ServedModel
from app.routes.protocol import INPUT_NAME, OUTPUT_NAME, served_version
from app.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/v1/models", tags=["TensorFlow Serving REST"], responses=ERROR_RESPONSES)

SIGNATURE = "serving_default"


class TFServingRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"instances": [[[0.0] * 28] * 28]}, {"instances": [{"b64": "<base64 PNG>"}]}]},
    )

    signature_name: str | None = Field(default=None, description=f"Only '{SIGNATURE}' exists.")
    instances: list[Any] | None = Field(default=None, description="Row format: one entry per digit.")
    inputs: Any | None = Field(default=None, description="Columnar format: a list of digits, or {'rows': [...]}.")


class TFServingResponse(BaseModel):
    predictions: list[list[float]] | None = Field(default=None, description="Row format: 10 probabilities per digit.")
    outputs: list[list[float]] | None = Field(default=None, description="Columnar format: the same, under 'outputs'.")


def _status(served: ServedModel) -> Response:
    status = {"version": served.version, "state": "AVAILABLE", "status": {"error_code": "OK", "error_message": ""}}
    return json_response({"model_version_status": [status]})


def _tensor(shape: list[int]) -> dict[str, Any]:
    return {
        "dtype": "DT_FLOAT",
        "tensor_shape": {"dim": [{"size": str(size), "name": ""} for size in shape], "unknown_rank": False},
    }


def _metadata(served: ServedModel) -> Response:
    signature = {
        "inputs": {INPUT_NAME: {**_tensor([-1, 28, 28]), "name": f"{SIGNATURE}_{INPUT_NAME}:0"}},
        "outputs": {OUTPUT_NAME: {**_tensor([-1, 10]), "name": "StatefulPartitionedCall:0"}},
        "method_name": "tensorflow/serving/predict",
    }
    return json_response(
        {
            "model_spec": {"name": served.name, "signature_name": "", "version": served.version},
            "metadata": {"signature_def": {"signature_def": {SIGNATURE: signature}}},
        }
    )


def _instances(body: TFServingRequest) -> tuple[list[Any], str]:
    """The list of digit instances and the answer key ('predictions' or 'outputs')."""
    if body.signature_name not in (None, "", SIGNATURE):
        raise ApiError(400, "unknown_signature", f"no signature '{body.signature_name}'; available: {SIGNATURE}")
    if (body.instances is None) == (body.inputs is None):
        raise ApiError(400, "invalid_request", "give exactly one of 'instances' (row format) or 'inputs' (columnar format)")
    if body.instances is not None:
        return body.instances, "predictions"
    inputs = body.inputs
    if isinstance(inputs, dict):
        if set(inputs) != {INPUT_NAME}:
            raise ApiError(
                400, "invalid_request", f"columnar 'inputs' names unknown tensors {sorted(inputs)}; expected '{INPUT_NAME}'"
            )
        inputs = inputs[INPUT_NAME]
    if not isinstance(inputs, list):
        raise ApiError(400, "invalid_request", "'inputs' must be a list of digits or {'rows': [digits]}")
    return inputs, "outputs"


async def _rows(request: Request, image_work: ImageWork, instances: list[Any], settings: Settings) -> np.ndarray:
    """float32 [N, 28, 28] from instances of floats and/or {"b64": image} (images through app.image_work)."""
    if not instances:
        raise ApiError(400, "invalid_request", "no instances; expected 1 to 256 digits")
    if len(instances) > settings.max_digits_per_request:
        raise ApiError(413, "too_many_digits", f"{len(instances)} instances; the limit is {settings.max_digits_per_request}")
    unwrapped = [item[INPUT_NAME] if isinstance(item, dict) and INPUT_NAME in item else item for item in instances]
    if not any(isinstance(item, dict) for item in unwrapped):
        return preprocess.check_rows(unwrapped, "instances", batched=True)
    rows, images = {}, {}
    for position, item in enumerate(unwrapped):
        if not isinstance(item, dict):
            rows[position] = preprocess.check_rows(item, f"instance {position}")[0]
        elif set(item) != {"b64"} or not isinstance(item["b64"], str):
            raise ApiError(
                400, "invalid_request", f"instance {position}: expected a 28x28 list, {{'b64': '<image>'}} or {{'rows': ...}}"
            )
        else:
            images[position] = preprocess.decode_base64(item["b64"], settings.image_limits)
    prepared = await image_work.prepare(request, list(images.values()), settings.image_limits)
    rows.update((position, digit.pixels) for position, digit in zip(images, prepared, strict=True))
    return np.stack([rows[position] for position in range(len(unwrapped))])


@router.get("/{name}", summary="Model status")
async def model_status(name: str, registry: Registry) -> Response:
    return _status(served_version(registry, name, None))


@router.get("/{name}/versions/{version}", summary="Model status of one version")
async def model_version_status(name: str, version: str, registry: Registry) -> Response:
    return _status(served_version(registry, name, version))


@router.get("/{name}/metadata", summary="Model signature")
async def model_metadata(name: str, registry: Registry) -> Response:
    return _metadata(served_version(registry, name, None))


@router.get("/{name}/versions/{version}/metadata", summary="Model signature of one version")
async def model_version_metadata(name: str, version: str, registry: Registry) -> Response:
    return _metadata(served_version(registry, name, version))


async def _predict(request: Request, served: ServedModel, serving: Serving) -> Response:
    instances, key = _instances(await parse_json(request, TFServingRequest))
    rows = await _rows(request, serving.image_work, instances, serving.settings)
    output = await served.infer(rows)
    return json_response({key: output.probabilities})


PREDICT_DOCS = {"response_model": TFServingResponse, "openapi_extra": json_body(TFServingRequest)}


@router.post("/{name}:predict", summary="Predict (TF Serving REST)", **PREDICT_DOCS)
async def predict(name: str, request: Request, serving: ServingDep) -> Response:
    return await _predict(request, served_version(serving.registry, name, None), serving)


@router.post("/{name}/versions/{version}:predict", summary="Predict with one version", **PREDICT_DOCS)
async def predict_version(name: str, version: str, request: Request, serving: ServingDep) -> Response:
    return await _predict(request, served_version(serving.registry, name, version), serving)
