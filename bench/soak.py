"""Soak: a minute of load at concurrency 64, good and bad requests mixed, against the real server.

    python bench/soak.py [--duration 60] [--concurrency 64]

Every good answer is checked against the model run directly in this process (same digit,
probabilities within 1e-4); every bad request must get its specific 4xx. Prints the counts,
unexpected answers, 5xx, and the server's resident memory at the start and the end.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import numpy as np
from PIL import Image, ImageDraw

from app.inference import GraphModel
from app.preprocess import prepare_image_bytes
from bench.common import free_port, model_dir, rowscan_command, serve
from model.artifacts import load_keras_model, load_misses


@dataclass(frozen=True)
class Probe:
    kind: str
    method: str
    path: str
    body: bytes
    content_type: str
    status: int
    expected: np.ndarray | None = None  # probabilities for good requests


def drawn_png(rng: random.Random) -> bytes:
    """A random 7-, 1- or L-like stroke on a 280x280 canvas, either polarity."""
    dark = rng.random() < 0.5
    image = Image.new("L", (280, 280), 255 if dark else 0)
    x, y = rng.randint(20, 140), rng.randint(20, 120)
    size = rng.randint(60, 130)
    points = [(x, y), (x + size, y), (x + size // 3, y + size * 3 // 2)][: rng.choice([2, 3])]
    ImageDraw.Draw(image).line(points, fill=0 if dark else 255, width=rng.randint(6, 24))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def probes(graph: GraphModel, digits: np.ndarray, seed: int = 0) -> list[Probe]:
    import orjson

    rng = random.Random(seed)
    good = []
    for row in digits:
        body = orjson.dumps({"pixels": row.tolist()})
        good.append(Probe("pixels", "POST", "/api/predict", body, "application/json", 200, graph(row[None]).probabilities[0]))
    for _ in range(16):
        png = drawn_png(rng)
        prepared = prepare_image_bytes(png)
        expected = graph(prepared.pixels[None]).probabilities[0] if not prepared.empty else np.zeros(10, np.float32)
        body = orjson.dumps({"image": "data:image/png;base64," + base64.b64encode(png).decode()})
        good.append(Probe("image", "POST", "/api/predict", body, "application/json", 200, expected))
    bad = [
        Probe("invalid-json", "POST", "/api/predict", b"{nope", "application/json", 400),
        Probe("wrong-shape", "POST", "/api/predict", orjson.dumps({"pixels": [0.1] * 783}), "application/json", 422),
        Probe("bad-base64", "POST", "/api/predict", b'{"image": "###"}', "application/json", 400),
        Probe("not-an-image", "POST", "/api/predict", b'{"image": "aGVsbG8gd29ybGQ="}', "application/json", 400),
        Probe("unknown-model", "POST", "/api/predict", b'{"pixels": [0.0], "model": "x"}', "application/json", 404),
        Probe("nan", "POST", "/api/predict", b'{"pixels": [' + b",".join([b"NaN"] * 784) + b"]}", "application/json", 422),
        Probe("text-plain", "POST", "/api/predict", b"7", "text/plain", 415),
        Probe("wrong-method", "DELETE", "/api/predict", b"", "application/json", 405),
        Probe("tf-unknown", "POST", "/v1/models/x:predict", b'{"instances": [[0]]}', "application/json", 404),
    ]
    return good + bad


async def soak(base_url: str, mix: list[Probe], duration: float, concurrency: int) -> tuple[Counter, list[str]]:
    counts: Counter[str] = Counter()
    problems: list[str] = []
    deadline = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:

        async def worker(seed: int) -> None:
            rng = random.Random(seed)
            while time.perf_counter() < deadline:
                probe = rng.choice(mix)
                try:
                    response = await client.request(
                        probe.method, probe.path, content=probe.body, headers={"content-type": probe.content_type}
                    )
                except httpx.HTTPError as exc:
                    counts["transport error"] += 1
                    problems.append(f"{probe.kind}: {type(exc).__name__}")
                    continue
                counts[f"{probe.kind} {response.status_code}"] += 1
                if response.status_code >= 500:
                    counts["5xx"] += 1
                if response.status_code != probe.status:
                    problems.append(f"{probe.kind}: {response.status_code} (expected {probe.status}) {response.text[:120]}")
                elif probe.expected is not None:
                    got = np.array(response.json()["probabilities"], dtype=np.float32)
                    if not np.allclose(got, probe.expected, atol=1e-4):
                        problems.append(f"{probe.kind}: wrong answer {got.argmax()} vs {probe.expected.argmax()}")

        await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return counts, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()

    directory = model_dir()
    graph = GraphModel(load_keras_model(directory))
    digits = load_misses(directory).images[:32].astype(np.float32) / 255.0
    mix = probes(graph, digits)
    port = free_port()
    with serve(rowscan_command(port), port) as server:
        for probe in mix[:5]:  # warm-up, then the starting memory
            httpx.request(
                probe.method, server.base_url + probe.path, content=probe.body, headers={"content-type": probe.content_type}
            )
        rss_start = server.rss_mb()
        started = time.perf_counter()
        counts, problems = asyncio.run(soak(server.base_url, mix, args.duration, args.concurrency))
        elapsed = time.perf_counter() - started
        rss_end = server.rss_mb()

    total = sum(v for k, v in counts.items() if k not in ("5xx", "transport error"))
    print(f"Soak: {args.duration:.0f} s at concurrency {args.concurrency}: {total:,} requests ({total / elapsed:,.0f}/s)")
    print("| answer | count |\n| --- | ---: |")
    for key, value in sorted(counts.items()):
        print(f"| {key} | {value:,} |")
    print(f"\nUnexpected answers: {len(problems)}; 5xx: {counts['5xx']}; transport errors: {counts['transport error']}")
    for problem in problems[:10]:
        print(f"  - {problem}")
    print(f"Server RSS: {rss_start:.0f} MB at the start, {rss_end:.0f} MB at the end ({rss_end - rss_start:+.0f} MB)")
    return 1 if problems or counts["5xx"] else 0


if __name__ == "__main__":
    sys.exit(main())
