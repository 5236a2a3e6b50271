"""All service settings in one place, read from `ROWSCAN_*` environment variables (or a .env file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.bounded_json import JsonBudget
from app.preprocess import Limits
from model.artifacts import ARTIFACTS_DIR, SHIPPED_MODEL

ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ROWSCAN_", env_file=".env", extra="ignore", protected_namespaces=())

    # Models: each name is a folder of artifacts under artifacts_dir; the first is the default.
    artifacts_dir: Path = ARTIFACTS_DIR
    models: Annotated[list[str], NoDecode] = Field(default=[SHIPPED_MODEL, "gru", "cnn"], min_length=1)
    # tensorflow: the Keras models as compiled graphs (CPU, or GPU when TensorFlow sees one).
    # onnx: the exported model.onnx files on ONNX Runtime (CPU only; faster, lighter; pip install -e '.[onnx]').
    backend: Literal["tensorflow", "onnx"] = "tensorflow"
    # tensorflow only: XLA-compile the recurrent models for lone digits in the background after
    # start-up: ~2x faster single requests, for ~100 MiB more memory (XLA's compiler).
    xla_single_digit: bool = True

    # Server (used by `rowscan serve`).
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: str = "info"
    access_log: bool = False  # a line per request costs ~60 us of the event loop; turn on to debug

    # Micro-batching: concurrent requests share one model call of up to max_batch_size digits;
    # at most max_queue digits wait (beyond that: 503 with Retry-After).
    max_batch_size: int = Field(default=256, ge=1)
    max_queue: int = Field(default=4096, ge=1)
    inference_timeout_s: float = Field(default=10.0, gt=0)
    preprocess_threads: int = Field(default=2, ge=1)  # image decoding and framing, off the event loop

    # Request limits.
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    max_image_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    max_image_pixels: int = Field(default=16_000_000, ge=1)
    max_digits_per_request: int = Field(default=256, ge=1)
    # Image work (app.image_work): decoded pixels of all a request's images (each counts >= 256x256);
    # pixels being decoded for all requests (beyond: 503 with Retry-After); seconds before it is abandoned.
    max_request_pixels: int = Field(default=32_000_000, ge=1)
    max_queued_pixels: int = Field(default=64_000_000, ge=1)
    image_timeout_s: float = Field(default=10.0, gt=0)

    # CORS for API clients on other origins: off unless origins are listed (comma-separated).
    cors_origins: Annotated[list[str], NoDecode] = []

    # Storage: runtime data (the database, fine-tuned model versions) lives under data_dir, created on
    # first use. The database is a SQLite file there unless database_url names another
    # (postgresql+psycopg://user:password@host/name).
    data_dir: Path = Path("data")
    database_url: str | None = None

    # Samples people label (POST /api/samples): size limits and a rate per client id (beyond it: 429).
    max_sample_bytes: int = Field(default=512 * 1024, ge=1024)
    max_strokes: int = Field(default=64, ge=1)
    max_stroke_points: int = Field(default=4096, ge=1)  # all strokes together
    samples_per_minute: float = Field(default=30.0, gt=0)
    samples_burst: int = Field(default=10, ge=1)
    # How often a server looks for new model versions and promotions under data_dir/models.
    version_poll_s: float = Field(default=2.0, gt=0, le=60)
    # Bearer token for the admin routes (the /samples gallery, listing, deleting, exporting); unset: they are off.
    admin_token: SecretStr | None = None
    # Class mode: rooms close after this long without activity; at most max_rooms are open at once;
    # each student (browser) may send room_drawings_per_minute drawings a minute to a room. The wall's
    # event stream polls the database every room_poll_s (drawings sent to the same worker arrive at
    # once) and ends after room_stream_max_s, when the browser reconnects and resumes.
    room_idle_expiry_s: float = Field(default=3 * 3600, gt=0)
    max_rooms: int = Field(default=100, ge=1)
    room_drawings_per_minute: int = Field(default=20, ge=1)
    room_poll_s: float = Field(default=0.1, gt=0, le=5)
    room_stream_max_s: float = Field(default=300, gt=0)
    # The address phones use to reach this server, for join links and QR codes (e.g. http://192.168.1.20:8000);
    # unset: the address the lecturer's browser used.
    public_url: str | None = None

    templates_dir: Path = ROOT / "templates"
    static_dir: Path = ROOT / "static"

    @property
    def default_model(self) -> str:
        return self.models[0]

    @property
    def json_budget(self) -> JsonBudget:
        """Values a JSON body may hold: a full batch of 28x28 digits as numbers, and some (app.bounded_json)."""
        return JsonBudget.for_digits(self.max_digits_per_request)

    @property
    def image_limits(self) -> Limits:
        return Limits(max_encoded_bytes=self.max_image_bytes, max_pixels=self.max_image_pixels)

    @property
    def database_url_or_default(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'rowscan.db'}"

    def model_dir(self, name: str) -> Path:
        return self.artifacts_dir / name

    @model_validator(mode="after")
    def _queue_holds_a_request(self) -> Settings:
        if self.max_queued_pixels < self.max_request_pixels:
            raise ValueError(
                f"ROWSCAN_MAX_QUEUED_PIXELS={self.max_queued_pixels} is below ROWSCAN_MAX_REQUEST_PIXELS="
                f"{self.max_request_pixels}; expected at least that, or no request with images would ever be admitted"
            )
        return self

    @field_validator("models", "cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """Lists come from the environment as "lstm,gru"; in code they are lists already."""
        return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value


class SettingsError(ValueError):
    """Invalid ROWSCAN_* settings: the message names each variable, its value and what is expected."""


def describe_invalid(exc: ValidationError) -> str:
    """One line for pydantic's errors, by environment variable (not a traceback of the settings class)."""
    problems = []
    for error in exc.errors():
        if not error["loc"]:  # a check across settings: its message names them
            problems.append(error["msg"].removeprefix("Value error, "))
            continue
        name = "ROWSCAN_" + str(error["loc"][0]).upper()
        value = error.get("input")
        shown = f"={value!r}" if isinstance(value, str | int | float) else ""
        problems.append(f"{name}{shown}: {error['msg'].lower()}")
    return "; ".join(problems)


@lru_cache
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(describe_invalid(exc)) from None
