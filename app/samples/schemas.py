"""The body of POST /api/samples and what it answers."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from app.schemas import EXAMPLE_IMAGE, MODEL_DESCRIPTION, ONE_SOURCE, VERSION_DESCRIPTION, DigitInput

CLIENT_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
CLIENT_HEADER = "X-Rowscan-Client"
ClientId = Annotated[str, StringConstraints(pattern=CLIENT_ID_PATTERN)]
# A point as the pad records it: x and y in [0, 1] of the pad's side, t in ms since the drawing began.
Point = Annotated[list[float], Field(min_length=3, max_length=3)]


class SampleRequest(DigitInput):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={**ONE_SOURCE, "examples": [{"image": EXAMPLE_IMAGE, "label": 1, "client_id": "example-client-1"}]},
    )

    label: int = Field(ge=0, le=9, description="The right answer: the digit the person meant.")
    strokes: list[list[Point]] | SkipJsonSchema[None] = Field(
        default=None,
        description="The pen's path as drawn: strokes of [x, y, t] points (x, y in [0, 1], t in ms); "
        "at most ROWSCAN_MAX_STROKES strokes and ROWSCAN_MAX_STROKE_POINTS points.",
    )
    model: str | None = Field(default=None, description=MODEL_DESCRIPTION)
    version: str | None = Field(default=None, description=VERSION_DESCRIPTION)
    client_id: ClientId | SkipJsonSchema[None] = Field(
        default=None,
        description=f"A random id the browser keeps (8-64 letters, digits, - or _), or the {CLIENT_HEADER} header. "
        "No IP address or user agent is kept.",
    )
