"""Request and response shapes of the class-mode API (they also make the OpenAPI docs)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from app.schemas import EXAMPLE_IMAGE, ONE_SOURCE, DigitInput

NICKNAME_MAX = 20
MAX_STROKES = 200
MAX_POINTS_PER_STROKE = 4000


class RoomCreated(BaseModel):
    code: str = Field(description="The room's short code (5 characters, no look-alikes), for students to type.")
    join_url: str = Field(description="Where students join (also as a QR code at /api/rooms/{code}/qr.svg).")
    token: str = Field(description="The lecturer's secret: send it as `Authorization: Bearer <token>` for every lecturer action.")
    expires_at: str = Field(description="When the room closes if nothing happens in it (ISO 8601, UTC); activity extends it.")


class Stroke(BaseModel):
    model_config = ConfigDict(extra="forbid")

    w: float = Field(ge=0, le=1, description="Brush width as a fraction of the pad's side.")
    pts: list[tuple[float, float]] = Field(min_length=1, max_length=MAX_POINTS_PER_STROKE, description="Points in [0, 1].")


class RoomDrawingRequest(DigitInput):
    """A student's drawing: exactly one of `image` or `pixels`, as for /api/predict."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={**ONE_SOURCE, "examples": [{"image": EXAMPLE_IMAGE, "nickname": "Ada"}]},
    )

    nickname: str | SkipJsonSchema[None] = Field(
        default=None,
        json_schema_extra={"maxLength": NICKNAME_MAX},
        description="Shown on the wall beside the drawing (up to 20 characters), always as text.",
    )
    strokes: list[Stroke] | SkipJsonSchema[None] = Field(
        default=None, max_length=MAX_STROKES, description="The pen strokes, as the pad recorded them (kept for replay)."
    )

    @field_validator("nickname")
    @classmethod
    def _tidy_nickname(cls, value: str | None) -> str | None:
        """Whitespace runs become one space; a blank nickname is no nickname. Control characters are refused."""
        if value is None:
            return None
        if len(value) > NICKNAME_MAX:
            raise ValueError(f"the nickname has {len(value)} characters; at most {NICKNAME_MAX}")
        if any(ord(character) < 32 or 0x7F <= ord(character) < 0xA0 for character in value):
            raise ValueError("the nickname contains control characters")
        return " ".join(value.split()) or None


class RoundInfo(BaseModel):
    number: int = Field(description="Rounds count from 1; each new round clears the wall.")
    prompt: int | None = Field(description="The digit everyone is asked to draw, or null for a free round.")


class DrawingCreated(BaseModel):
    id: int = Field(description="The drawing's id (the lecturer can hide it: DELETE /api/rooms/{code}/drawings/{id}).")
    digit: int | None = Field(description="The model's answer, or null when nothing was drawn.")
    probabilities: list[float] = Field(min_length=10, max_length=10)
    input: list[list[float]] = Field(description="The 28x28 input the model saw, light ink on dark, in [0, 1].")
    round: RoundInfo


class RoundRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"prompt": 7}, {"prompt": None}]})

    prompt: int | None = Field(
        ge=0, le=9, strict=True, description="The digit to draw in the new round, or null for a free round."
    )


class RoomSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"save_samples": True}]})

    save_samples: bool = Field(strict=True, description="Keep prompted rounds' drawings as samples labelled with the prompt.")


class RoomStatus(BaseModel):
    code: str
    round: RoundInfo
    expires_at: str
    save_samples: bool = Field(description="Whether drawings of prompted rounds are kept as labelled samples.")
