"""KServe v2 / Open Inference Protocol (REST), as spoken by Triton and KServe clients such as tritonclient.

    GET  /v2, /v2/health/live, /v2/health/ready
    GET  /v2/models/{name}[/versions/{v}], .../ready
    POST /v2/models/{name}[/versions/{v}]/infer
         input  "rows"          FP32 [N, 28, 28] (or [N, 784]) in [0, 1]
         output "probabilities" FP32 [N, 10]

Tensor data comes as JSON or, with the binary tensor extension (header
`Inference-Header-Content-Length`), as raw little-endian bytes after the JSON header;
outputs are sent back as binary when the request asks for it, as tritonclient does by default.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, ValidationError

from app import preprocess
from app.config import Settings
from app.deps import Registry, RegistryIfLoaded, ServingDep, json_body, json_response, load_json
from app.errors import ApiError
from app.registry import ModelRegistry, ServedModel
from app.routes.protocol import INPUT_NAME, OUTPUT_NAME, served_version
from app.schemas import ERROR_RESPONSES
from model.shapes import COLS, ROWS

router = APIRouter(prefix="/v2", tags=["KServe v2 / Open Inference Protocol"], responses=ERROR_RESPONSES)

HEADER_LENGTH = "inference-header-content-length"
SERVER_VERSION = "1.0.0"


class TensorInput(BaseModel):
    name: str = Field(description=f"'{INPUT_NAME}'")
    shape: list[int] = Field(description="[N, 28, 28] or [N, 784]")
    datatype: str = Field(description="FP32")
    data: list[Any] | None = Field(default=None, description="Row-major values, flat or nested (omit when sent as binary)")
    parameters: dict[str, Any] | None = None


class RequestedOutput(BaseModel):
    name: str
    parameters: dict[str, Any] | None = None


class InferenceRequest(BaseModel):
    id: str | None = None
    parameters: dict[str, Any] | None = None
    inputs: list[TensorInput] = Field(min_length=1, fail_fast=True)  # fail_fast: one error for a list of bad ones
    outputs: list[RequestedOutput] | None = Field(default=None, fail_fast=True)

    model_config = {
        "json_schema_extra": {
            "examples": [{"inputs": [{"name": INPUT_NAME, "shape": [1, 784], "datatype": "FP32", "data": [0.0] * 784}]}]
        }
    }


class TensorOutput(BaseModel):
    name: str
    shape: list[int]
    datatype: str
    data: list[float] | None = None
    parameters: dict[str, Any] | None = None


class InferenceResponse(BaseModel):
    model_name: str
    model_version: str
    id: str | None = None
    outputs: list[TensorOutput]


@router.get("", summary="Server metadata")
async def server_metadata() -> Response:
    return json_response({"name": "rowscan", "version": SERVER_VERSION, "extensions": ["binary_tensor_data"]})


@router.get("/health/live", summary="Server live")
async def live() -> Response:
    return json_response({"live": True})


@router.get("/health/ready", summary="Server ready")
async def ready(registry: RegistryIfLoaded) -> Response:
    is_ready = registry is not None
    return json_response({"ready": is_ready}, status_code=200 if is_ready else 503)


def _metadata(registry: ModelRegistry, served: ServedModel) -> Response:
    return json_response(
        {
            "name": served.name,
            "versions": list(registry.versions[served.name]),
            "platform": "tensorflow_keras",
            "inputs": [{"name": INPUT_NAME, "datatype": "FP32", "shape": [-1, 28, 28]}],
            "outputs": [{"name": OUTPUT_NAME, "datatype": "FP32", "shape": [-1, 10]}],
        }
    )


@router.get("/models/{name}", summary="Model metadata")
async def model_metadata(name: str, registry: Registry) -> Response:
    return _metadata(registry, served_version(registry, name, None))


@router.get("/models/{name}/versions/{version}", summary="Model metadata of one version")
async def model_version_metadata(name: str, version: str, registry: Registry) -> Response:
    return _metadata(registry, served_version(registry, name, version))


@router.get("/models/{name}/ready", summary="Model ready")
async def model_ready(name: str, registry: Registry) -> Response:
    return json_response({"name": name, "ready": bool(served_version(registry, name, None))})


@router.get("/models/{name}/versions/{version}/ready", summary="Model version ready")
async def model_version_ready(name: str, version: str, registry: Registry) -> Response:
    return json_response({"name": name, "ready": bool(served_version(registry, name, version))})


def _split_body(body: bytes, header_length: str | None) -> tuple[bytes, bytes]:
    """The JSON header and the binary tensor data after it (binary tensor extension)."""
    if header_length is None:
        return body, b""
    # isascii: "²".isdigit() is true but int() refuses it; the length cap keeps int() from 4,301+ digits
    fits = header_length.isascii() and header_length.isdigit() and len(header_length) <= 15
    if not fits or not 0 < int(header_length) <= len(body):
        raise ApiError(
            400, "invalid_request", f"Inference-Header-Content-Length {header_length!r} does not fit a body of {len(body)} bytes"
        )
    return body[: int(header_length)], body[int(header_length) :]


def _input_rows(request: InferenceRequest, binary: bytes, limit: int) -> np.ndarray:
    if len(request.inputs) != 1 or request.inputs[0].name != INPUT_NAME:
        names = [tensor.name for tensor in request.inputs]
        raise ApiError(400, "invalid_request", f"inputs {names}; expected exactly one input named '{INPUT_NAME}'")
    tensor = request.inputs[0]
    if tensor.datatype != "FP32":
        raise ApiError(400, "invalid_request", f"input datatype {tensor.datatype}; expected FP32")
    if len(tensor.shape) not in (2, 3) or tensor.shape[1:] not in ([28, 28], [784]) or tensor.shape[0] < 1:
        raise ApiError(400, "invalid_request", f"input shape {tensor.shape}; expected [N, 28, 28] or [N, 784] with N >= 1")
    if tensor.shape[0] > limit:
        raise ApiError(413, "too_many_digits", f"{tensor.shape[0]} digits in one request; the limit is {limit}")
    count = int(np.prod(tensor.shape))
    binary_size = (tensor.parameters or {}).get("binary_data_size")
    if binary_size is not None:
        if binary_size != count * 4 or len(binary) != binary_size:
            raise ApiError(
                400, "invalid_request", f"binary data of {len(binary)} bytes; shape {tensor.shape} of FP32 needs {count * 4}"
            )
        values: Any = np.frombuffer(binary, dtype="<f4")
    elif tensor.data is None:
        raise ApiError(400, "invalid_request", "input has no 'data' and no binary_data_size parameter")
    else:
        values = tensor.data
    try:
        with np.errstate(over="ignore"):
            array = np.asarray(values, dtype=np.float32).reshape(-1)
    except (ValueError, TypeError, OverflowError):
        raise ApiError(400, "invalid_request", "input data must be numbers (flat or nested row-major lists)") from None
    if array.size != count:
        raise ApiError(400, "invalid_request", f"input data holds {array.size} values; shape {tensor.shape} needs {count}")
    return preprocess.check_rows(array.reshape(tensor.shape[0], ROWS, COLS), INPUT_NAME, batched=True)


def _wants_binary(request: InferenceRequest) -> bool:
    if request.outputs:
        for output in request.outputs:
            if output.name != OUTPUT_NAME:
                raise ApiError(400, "invalid_request", f"unknown output '{output.name}'; available: {OUTPUT_NAME}")
        return any((output.parameters or {}).get("binary_data", False) for output in request.outputs)
    return bool((request.parameters or {}).get("binary_data_output", False))


async def _infer(served: ServedModel, request: Request, settings: Settings) -> Response:
    header, binary = _split_body(await request.body(), request.headers.get(HEADER_LENGTH))
    try:
        inference = InferenceRequest.model_validate(load_json(header, settings))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()[:3])
        raise ApiError(400, "invalid_request", f"not a v2 inference request ({problems})") from None
    rows = _input_rows(inference, binary, settings.max_digits_per_request)
    binary_output = _wants_binary(inference)
    probabilities = (await served.infer(rows)).probabilities.astype("<f4")
    output: dict[str, Any] = {"name": OUTPUT_NAME, "shape": list(probabilities.shape), "datatype": "FP32"}
    answer: dict[str, Any] = {"model_name": served.name, "model_version": served.version, "outputs": [output]}
    if inference.id is not None:
        answer["id"] = inference.id
    if not binary_output:
        output["data"] = probabilities.reshape(-1)
        return json_response(answer)
    raw = probabilities.tobytes()
    output["parameters"] = {"binary_data_size": len(raw)}
    json_part = orjson.dumps(answer)
    return Response(
        json_part + raw, media_type="application/octet-stream", headers={"Inference-Header-Content-Length": str(len(json_part))}
    )


INFER_DOCS = json_body(
    InferenceRequest,
    also={
        "application/octet-stream": {
            "schema": {"type": "string", "format": "binary"},
            "description": "JSON header of Inference-Header-Content-Length bytes, then raw FP32 tensor data",
        }
    },
)


@router.post("/models/{name}/infer", response_model=InferenceResponse, openapi_extra=INFER_DOCS, summary="Inference")
async def infer(name: str, request: Request, serving: ServingDep) -> Response:
    return await _infer(served_version(serving.registry, name, None), request, serving.settings)


@router.post(
    "/models/{name}/versions/{version}/infer",
    response_model=InferenceResponse,
    openapi_extra=INFER_DOCS,
    summary="Inference, one version",
)
async def infer_version(name: str, version: str, request: Request, serving: ServingDep) -> Response:
    return await _infer(served_version(serving.registry, name, version), request, serving.settings)
