"""The baseline Rowscan is compared with: the FastAPI + `model.predict` server most tutorials write.

    python bench/naive_server.py --port 8001 [--model-dir model/artifacts/lstm]

Same committed Keras model, same request body (`{"pixels": 28x28}`), same uvicorn (one worker,
uvloop and httptools when installed), but none of Rowscan's work: a plain sync endpoint (FastAPI
runs it in its thread pool) calling `model.predict` once per request. GET /readyz answers 200 once the
model is loaded, so the benchmark starts it and waits for it exactly as it does for `rowscan serve`.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import asynccontextmanager
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel

from bench.common import model_dir

STATE: dict = {}


class PredictRequest(BaseModel):
    pixels: list[list[float]]


def create_app(directory: Path) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        import keras

        import model.network  # noqa: F401  registers the custom LastStep layer

        STATE["model"] = keras.saving.load_model(directory / "model.keras", compile=False)
        yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/readyz")
    def readyz() -> dict:
        return {"status": "ready"}

    @app.post("/api/predict")
    def predict(body: PredictRequest) -> dict:
        x = np.array(body.pixels, dtype=np.float32)[None]
        logits = STATE["model"].predict(x, verbose=0)[0]
        probabilities = np.exp(logits - logits.max())
        probabilities /= probabilities.sum()
        return {"digit": int(probabilities.argmax()), "probabilities": probabilities.tolist()}

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--model-dir", type=Path, default=None, help="default: the model `rowscan serve` would use")
    args = parser.parse_args(argv)
    uvicorn.run(create_app(args.model_dir or model_dir()), host=args.host, port=args.port, workers=1, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
