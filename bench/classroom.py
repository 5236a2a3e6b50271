"""Class mode under a lecture hall's load: N students each send one drawing within S seconds, over real
HTTP, while a real event-stream client (the wall) listens; every drawing must reach the wall.

Prints how many were sent and answered, how many reached the wall (missing, duplicated), and the
submit-to-wall latency (from just before a student's POST to the wall receiving that drawing) and the
POST's own answer time: median, p95 and max, measured in this run. Exit status 1 if a drawing is missing.

.venv/bin/python bench/classroom.py                          # 300 students in 10 s, `rowscan serve --workers 2`
.venv/bin/python bench/classroom.py --students 20 --seconds 2 --workers 1   # the CI smoke
.venv/bin/python bench/classroom.py --url http://127.0.0.1:8000             # against a running server
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import numpy as np

from bench.common import free_port, load_average, model_dir, rowscan_command, serve
from bench.payloads import png_data_url

WALL_TIMEOUT_S = 30.0  # after the last POST, how long to wait for stragglers before calling them missing


def drawings(count: int) -> list[str]:
    """Real MNIST test digits (the model's recorded misses and all), each on a 280x280 canvas as a PNG data URL."""
    with np.load(model_dir() / "misses.npz") as misses:
        images = misses["images"].astype(np.float64) / 255.0
    return [png_data_url(images[i % len(images)]) for i in range(count)]


async def wall(client: httpx.AsyncClient, code: str, token: str, seen: dict[str, list[float]], done: asyncio.Event) -> int:
    """The wall's event stream: the arrival time of each drawing, by nickname; reconnects with Last-Event-ID.
    Returns how many times it connected."""
    last_id, connects = "0", 0
    while not done.is_set():
        headers = {"Authorization": f"Bearer {token}", "Last-Event-ID": last_id}
        async with client.stream("GET", f"/api/rooms/{code}/events", headers=headers, timeout=None) as response:
            response.raise_for_status()
            connects += 1
            kind = None
            async for line in response.aiter_lines():
                if line.startswith("id: "):
                    last_id = line[4:]
                elif line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind == "drawing":
                    seen.setdefault(json.loads(line[6:])["nickname"], []).append(time.perf_counter())
                if done.is_set():
                    return connects
    return connects


async def student(client: httpx.AsyncClient, code: str, index: int, image: str, delay: float, sent: dict, statuses: list) -> None:
    await asyncio.sleep(delay)
    nickname = f"s{index}"
    started = time.perf_counter()
    try:
        response = await client.post(
            f"/api/rooms/{code}/drawings", json={"image": image, "nickname": nickname}, headers={"X-Client-Id": nickname}
        )
        statuses.append(response.status_code)
        if response.status_code == 201:
            sent[nickname] = (started, time.perf_counter())
    except httpx.HTTPError as exc:
        statuses.append(type(exc).__name__)


def quantiles(values: list[float]) -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"median {statistics.median(ordered) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"


async def run_class(base_url: str, students: int, seconds: float, seed: int) -> bool:
    images = drawings(students)
    limits = httpx.Limits(max_connections=students + 8, max_keepalive_connections=0)  # each student a connection of its own
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        room = (await client.post("/api/rooms")).raise_for_status().json()
        seen: dict[str, list[float]] = {}
        sent: dict[str, tuple[float, float]] = {}
        statuses: list = []
        done = asyncio.Event()
        listener = asyncio.create_task(wall(client, room["code"], room["token"], seen, done))
        await asyncio.sleep(0.5)  # the wall is connected before the class starts
        rng = random.Random(seed)
        delays = sorted(rng.uniform(0, seconds) for _ in range(students))
        started = time.perf_counter()
        await asyncio.gather(*(student(client, room["code"], i, images[i], delays[i], sent, statuses) for i in range(students)))
        sending_s = time.perf_counter() - started
        deadline = time.perf_counter() + WALL_TIMEOUT_S
        while any(name not in seen for name in sent) and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        done.set()
        async with httpx.AsyncClient(base_url=base_url) as closing:  # a fresh connection: pooled ones may have idled out
            await closing.delete(f"/api/rooms/{room['code']}", headers={"Authorization": f"Bearer {room['token']}"})
        connects = await listener  # the end event closes the stream

    missing = [name for name in sent if name not in seen]
    duplicates = sum(len(times) - 1 for times in seen.values())
    to_wall = [seen[name][0] - sent[name][0] for name in sent if name in seen]
    answers = [end - begin for begin, end in sent.values()]
    codes = {str(code): statuses.count(code) for code in sorted(set(statuses), key=str)}
    print(f"sent: {len(statuses)} drawings in {sending_s:.1f} s; answers by status: {codes}")
    print(f"on the wall: {len(seen)} (missing {len(missing)}, duplicated {duplicates}); stream connections: {connects}")
    print(f"submit -> wall: {quantiles(to_wall)}")
    print(f"POST answer:    {quantiles(answers)}")
    return not missing and len(sent) == students and duplicates == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10.0, help="the students' sends are spread over this long")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the server this script starts")
    parser.add_argument("--url", help="use this running server instead of starting one")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    before = load_average()
    if args.url:
        print(f"Class mode: {args.students} students in {args.seconds:g} s against {args.url}; load average {before:.1f}")
        return 0 if asyncio.run(run_class(args.url, args.students, args.seconds, args.seed)) else 1
    port = free_port()
    command = [*rowscan_command(port), "--workers", str(args.workers)]
    backend = os.environ.get("ROWSCAN_BACKEND", "auto")
    data_dir = tempfile.TemporaryDirectory(prefix="rowscan-classroom-")  # a database of its own, removed after
    with data_dir, serve(command, port, {"ROWSCAN_DATA_DIR": data_dir.name}) as server:
        print(
            f"Class mode: {args.students} students in {args.seconds:g} s, `rowscan serve --workers {args.workers}` ({backend}), "
            f"ready in {server.ready_s:.1f} s; load average {before:.1f} at the start"
        )
        ok = asyncio.run(run_class(server.base_url, args.students, args.seconds, args.seed))
    print(f"load average {load_average():.1f} at the end")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
