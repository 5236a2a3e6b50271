"""All service settings in one place, read from `ROWSCAN_*` environment variables (or a .env file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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

    # CORS for API clients on other origins: off unless origins are listed (comma-separated).
    cors_origins: Annotated[list[str], NoDecode] = []

    # Storage: runtime data (the database, fine-tuned model versions) lives under data_dir, created on
    # first use. The database is a SQLite file there unless database_url names another
    # (postgresql+psycopg://user:password@host/name).
    data_dir: Path = Path("data")
    database_url: str | None = None

    templates_dir: Path = ROOT / "templates"
    static_dir: Path = ROOT / "static"

    @property
    def default_model(self) -> str:
        return self.models[0]

    @property
    def image_limits(self) -> Limits:
        return Limits(max_encoded_bytes=self.max_image_bytes, max_pixels=self.max_image_pixels)

    @property
    def database_url_or_default(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'rowscan.db'}"

    def model_dir(self, name: str) -> Path:
        return self.artifacts_dir / name

    @field_validator("models", "cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """Lists come from the environment as "lstm,gru"; in code they are lists already."""
        return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value


@lru_cache
def get_settings() -> Settings:
    return Settings()
