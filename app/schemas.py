"""Request and response shapes of Rowscan's own JSON API (they also make the OpenAPI docs)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, model_validator
from pydantic.json_schema import SkipJsonSchema

# The documented shape is exact (28x28 or 784 numbers in [0, 1]); validation itself is done by
# app.preprocess.check_rows, whose messages say precisely what is wrong.
_PIXEL = {"type": "number", "minimum": 0, "maximum": 1}
_PIXELS_SCHEMA = {
    "oneOf": [
        {
            "type": "array",
            "minItems": 28,
            "maxItems": 28,
            "items": {"type": "array", "minItems": 28, "maxItems": 28, "items": _PIXEL},
        },
        {"type": "array", "minItems": 784, "maxItems": 784, "items": _PIXEL},
    ]
}
# Any items: check_rows does the checking in one NumPy call; a pydantic union of float lists cost
# several times more per request and built one error per bad number.
Pixels = Annotated[list[Any], WithJsonSchema(_PIXELS_SCHEMA)]
ONE_SOURCE = {"oneOf": [{"required": ["image"]}, {"required": ["pixels"]}]}

PIXELS_DESCRIPTION = (
    "The digit already prepared like MNIST: 28 rows of 28 numbers (or 784 in one list), "
    "in [0, 1], light ink (1) on a dark background (0). Used as given."
)
IMAGE_DESCRIPTION = (
    "An image of a drawn digit as a data URL (data:image/png;base64,...) or plain base64: "
    "PNG, JPEG, WebP, GIF or BMP, any size and colours, dark-on-light or light-on-dark, "
    "transparent backgrounds allowed. It is cropped, scaled and centred like MNIST."
)
MODEL_DESCRIPTION = "Which model answers (see GET /api/models); default: the shipped LSTM."
VERSION_DESCRIPTION = "Which version of the model answers (see GET /api/models); default: the promoted one."
EXPLAIN_DESCRIPTION = (
    "Also return what the recurrent layer did after each row: its hidden state, cell state (LSTM), gates, "
    "and how much each row mattered (recurrent models; 422 no_explain for the CNN)."
)
LABEL_DESCRIPTION = (
    "The true digit, when known: with 'explain', row_change and row_occlusion follow its probability "
    "instead of the predicted digit's."
)

# A 40x40 PNG of a dark vertical stroke on white: a "1", small enough to try in the docs.
EXAMPLE_IMAGE = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAACgAAAAoCAAAAACpleexAAAAK0lEQVR42mP8z0AcYGIYRgpZMIUYGRgYGP4Pa1"
    "+PKhxVOKpwoBUyjsgSFwDAAgNPjiNpPAAAAABJRU5ErkJggg=="
)


class DigitInput(BaseModel):
    """One digit: exactly one of `image` or `pixels`."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=ONE_SOURCE)

    image: str | SkipJsonSchema[None] = Field(default=None, description=IMAGE_DESCRIPTION, min_length=1)
    pixels: Pixels | SkipJsonSchema[None] = Field(default=None, description=PIXELS_DESCRIPTION)

    @model_validator(mode="after")
    def _exactly_one_source(self) -> DigitInput:
        if (self.image is None) == (self.pixels is None):
            raise ValueError("give exactly one of 'image' (data URL or base64) or 'pixels' (28x28 numbers in [0, 1])")
        return self


class PredictRequest(DigitInput):
    steps: bool = Field(default=False, description="Also return the answer after each of the 28 rows (recurrent models).")
    model: str | None = Field(default=None, description=MODEL_DESCRIPTION)
    version: str | None = Field(default=None, description=VERSION_DESCRIPTION)
    explain: bool = Field(default=False, description=EXPLAIN_DESCRIPTION)
    label: int | SkipJsonSchema[None] = Field(default=None, ge=0, le=9, description=LABEL_DESCRIPTION)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            **ONE_SOURCE,
            "examples": [
                {"image": EXAMPLE_IMAGE, "steps": False},
                {"pixels": [[0.0] * 28] * 28},
                {"image": EXAMPLE_IMAGE, "steps": True, "explain": True},
            ],
        },
    )


class BatchRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"inputs": [{"image": EXAMPLE_IMAGE}, {"pixels": [0.0] * 784}]}]}
    )

    inputs: list[DigitInput] = Field(
        min_length=1, fail_fast=True, description="Up to 256 digits (ROWSCAN_MAX_DIGITS_PER_REQUEST)."
    )  # fail_fast: thousands of bad inputs cost one error, not thousands
    steps: bool = Field(default=False, description="Also return the answer after each row, per digit.")
    model: str | None = Field(default=None, description=MODEL_DESCRIPTION)
    version: str | None = Field(default=None, description=VERSION_DESCRIPTION)


class ModelRef(BaseModel):
    name: str
    version: str
    sha256: str = Field(description="sha256 of the model file: identifies the exact weights")


_ROWS_BY_UNITS = "28 rows (the state after reading row 1, 2, ... 28) of H numbers, one per unit (H = the layer's units)"
# Abridged: real answers have 28 rows of H numbers (LSTM: 128 units; GRU: 150, with update/reset/candidate gates, no cell).
_EXPLAIN_EXAMPLE = {
    "hidden": [[0.0, 0.0, 0.0], [-0.012, 0.341, 0.005]],
    "cell": [[0.0, 0.0, 0.0], [-0.027, 0.712, 0.009]],
    "gates": {
        "input": [[0.48, 0.51, 0.5], [0.21, 0.93, 0.47]],
        "forget": [[0.73, 0.74, 0.73], [0.88, 0.97, 0.62]],
        "output": [[0.5, 0.49, 0.5], [0.45, 0.66, 0.55]],
        "candidate": [[0.0, 0.01, 0.0], [-0.13, 0.77, 0.02]],
    },
    "row_change": [0.0, 0.0, 0.031, 0.402],
    "row_occlusion": [0.0, 0.0, 0.004, 0.118],
}


class Explain(BaseModel):
    """Inside the recurrent layer, computed from the model's own weights (see model/inspect.py)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXPLAIN_EXAMPLE]})

    hidden: list[list[float]] = Field(description=f"Hidden state: {_ROWS_BY_UNITS}.")
    cell: list[list[float]] | None = Field(default=None, description=f"LSTM only: the cell state (its memory), {_ROWS_BY_UNITS}.")
    gates: dict[str, list[list[float]]] = Field(
        description="Gate activations while reading each row, each 28xH. LSTM: input, forget, output (0..1) and candidate "
        "(-1..1); GRU: update, reset (0..1) and candidate (-1..1)."
    )
    row_change: list[float] = Field(
        description="28 numbers: how much reading each row changed the probability of the scored digit (the true one given as "
        "'label', else the predicted one), from the answers after rows t-1 and t."
    )
    row_occlusion: list[float] = Field(
        description="28 numbers: how much the scored digit's final probability drops with that row blanked (0 for blank rows; "
        "negative where the row argued against it)."
    )


class DigitResult(BaseModel):
    digit: int | None = Field(description="The predicted digit, or null when nothing was drawn.", ge=0, le=9)
    confidence: float = Field(description="Probability of the predicted digit (0 when empty).")
    probabilities: list[float] = Field(
        description="Probability of each digit 0-9 (all 0 when empty).", min_length=10, max_length=10
    )
    empty: bool = Field(description="True when no digit was found: draw one instead of trusting a guess.")
    input: list[list[float]] = Field(description="The 28x28 input the model saw, light ink on dark, in [0, 1].")
    steps: list[list[float]] | None = Field(
        default=None, description="When asked: 28 lists of 10 probabilities, the answer after reading rows 1..28."
    )
    explain: Explain | None = Field(
        default=None, description="When asked (`explain`): inside the recurrent layer; null when nothing was drawn."
    )


class PredictResponse(DigitResult):
    model: ModelRef
    elapsed_ms: float = Field(description="Time spent in the service for this request.")


class BatchResponse(BaseModel):
    results: list[DigitResult]
    model: ModelRef
    elapsed_ms: float


class ErrorResponse(BaseModel):
    """Every error: what is wrong (`error`), a stable `code`, and details where useful."""

    error: str = Field(description="What is wrong and what is expected.")
    code: str = Field(description="Stable machine-readable code, e.g. invalid_pixels, unknown_model, payload_too_large.")
    details: list[dict[str, Any]] | None = Field(default=None, description="Per-field problems of a malformed body.")


class MissItem(BaseModel):
    index: int = Field(description="Index in the MNIST test set (0-9999).")
    true: int = Field(description="The true digit.")
    predicted: int = Field(description="What the model answered.")
    confidence: float
    probabilities: list[float]
    title: str = Field(description="t:<true>, p:<pred>, as the original notebook titled them.")
    image_url: str = Field(description="PNG of the 28x28 test image, served by this app.")


class MissesPage(BaseModel):
    model: str
    total: int = Field(description="Misses matching the filters.")
    page: int
    per_page: int
    pages: int
    items: list[MissItem]


class MissDetail(MissItem):
    pixels: list[list[float]] = Field(description="The 28x28 test image in [0, 1], ready for POST /api/predict.")


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in {
        400: "Malformed request (invalid JSON, bad base64, not an image)",
        404: "Unknown model or item",
        413: "Body or image over the size limit",
        415: "Unsupported image format or content type",
        422: "Well-formed but invalid input (shape, range, fields)",
        503: "Overloaded or model timed out; retry after the Retry-After seconds",
    }.items()
}
