"""Durability of samples under load: 64 clients post samples for 30 s; halfway, the server is killed with
SIGKILL and restarted on the same data; at the end every sample answered 201 must be in the database.

    python bench/samples_durability.py [--clients 64] [--duration 30] [--database-url postgresql+psycopg://...]

Prints the 201s, other answers, connection errors while the server was down, the restart time, samples
stored without an answer (in flight at the kill), and the lost ones (answered 201, not stored: must be 0).
Default database: SQLite (WAL, synchronous=NORMAL) in a temporary data folder.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import orjson

from bench.common import ROOT, free_port, load_average, rowscan_command

READY_TIMEOUT_S = 180.0


@dataclass
class Outcome:
    acknowledged: dict[int, tuple[str, int]] = field(default_factory=dict)  # id -> (client, label), from the 201s
    answers: Counter = field(default_factory=Counter)
    restart_s: float = 0.0
    restarted_at: float | None = None  # monotonic time the restarted server was ready
    after_restart: int = 0  # 201s from the restarted server

    def running(self, deadline: float, tail_s: float) -> bool:
        """Until the deadline, and in any case until the restarted server has had `tail_s` seconds of load."""
        now = time.monotonic()
        return now < deadline or self.restarted_at is None or now < self.restarted_at + tail_s


def _body(rng: np.random.Generator, client: str) -> tuple[bytes, int]:
    pixels = np.zeros((28, 28), np.float32)
    column = int(rng.integers(8, 20))
    pixels[4:24, column : column + 3] = 1.0
    label = int(rng.integers(0, 10))
    return orjson.dumps({"pixels": pixels.tolist(), "label": label, "client_id": client}), label


def _ready(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/readyz", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def start_server(port: int, env: dict[str, str], log) -> subprocess.Popen:
    process = subprocess.Popen(rowscan_command(port), cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    started = time.perf_counter()
    while not _ready(f"http://127.0.0.1:{port}"):
        if process.poll() is not None or time.perf_counter() - started > READY_TIMEOUT_S:
            process.kill()
            raise RuntimeError(f"server did not start (exit {process.poll()}); see its log")
        time.sleep(0.1)
    return process


async def _client(http, url: str, client: str, seed: int, deadline: float, outcome: Outcome) -> None:
    rng = np.random.default_rng(seed)
    while outcome.running(deadline, tail_s=2.0):
        body, label = _body(rng, client)
        try:
            answer = await http.post(url, content=body, headers={"Content-Type": "application/json"})
        except Exception:  # the server is down (killed): connection refused or reset
            outcome.answers["connection error"] += 1
            await asyncio.sleep(0.05)
            continue
        outcome.answers[str(answer.status_code)] += 1
        if answer.status_code == 201:
            outcome.acknowledged[answer.json()["id"]] = (client, label)
            outcome.after_restart += outcome.restarted_at is not None


async def run_load(
    port: int, env: dict[str, str], process: subprocess.Popen, log, clients: int, duration: float, kill_at: float
) -> tuple[Outcome, subprocess.Popen]:
    """`clients` concurrent posters for `duration` s; at `kill_at` s the server gets SIGKILL and is restarted."""
    import httpx

    outcome = Outcome()
    deadline = time.monotonic() + duration
    url = f"http://127.0.0.1:{port}/api/samples"
    holder = {"process": process}

    async def chaos() -> None:
        await asyncio.sleep(kill_at)
        holder["process"].kill()  # SIGKILL: no shutdown, no flush
        holder["process"].wait()
        started = time.perf_counter()
        holder["process"] = await asyncio.to_thread(start_server, port, env, log)
        outcome.restart_s = time.perf_counter() - started
        outcome.restarted_at = time.monotonic()

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        await asyncio.gather(chaos(), *(_client(http, url, f"durability-{i:03d}", i, deadline, outcome) for i in range(clients)))
    return outcome, holder["process"]


def stored_samples(database_url: str) -> dict[int, tuple[str, int]]:
    from sqlalchemy import select

    from app.storage import Database, Sample

    database = Database(database_url)
    try:
        with database.session() as session:
            return {
                row.id: (row.client_id, row.label) for row in session.execute(select(Sample.id, Sample.client_id, Sample.label))
            }
    finally:
        database.close()


def run(clients: int, duration: float, database_url: str | None = None) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="rowscan-durability-"))
    database_url = database_url or f"sqlite:///{data_dir / 'rowscan.db'}"
    env = {
        "ROWSCAN_DATA_DIR": str(data_dir),
        "ROWSCAN_DATABASE_URL": database_url,
        "ROWSCAN_MODELS": "lstm",
        "ROWSCAN_SAMPLES_PER_MINUTE": "1000000",
        "ROWSCAN_SAMPLES_BURST": "100000",
        "ROWSCAN_LOG_LEVEL": "warning",
    }
    port = free_port()
    with open(data_dir / "server.log", "w") as log:
        process = start_server(port, env, log)
        try:
            outcome, process = asyncio.run(run_load(port, env, process, log, clients, duration, duration / 2))
        finally:
            process.terminate()
            process.wait(timeout=30)
    stored = stored_samples(database_url)
    lost = [i for i, row in outcome.acknowledged.items() if stored.get(i) != row]
    return {
        "clients": clients,
        "duration_s": duration,
        "answers": dict(outcome.answers),
        "acknowledged": len(outcome.acknowledged),
        "stored": len(stored),
        "stored_unacknowledged": len(set(stored) - set(outcome.acknowledged)),
        "lost": len(lost),
        "restart_s": round(outcome.restart_s, 1),
        "database": database_url.split(":", 1)[0],
        "acknowledged_after_restart": outcome.after_restart,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--database-url", help="default: SQLite in a temporary data folder")
    args = parser.parse_args()
    result = run(args.clients, args.duration, args.database_url)
    print(
        f"{result['clients']} clients for {result['duration_s']:.0f} s on {result['database']}, SIGKILL at half time "
        f"(restart took {result['restart_s']} s; load average {load_average():.1f}, 2 shared cores)"
    )
    print(f"answers: {result['answers']}")
    print(
        f"201s: {result['acknowledged']} ({result['acknowledged_after_restart']} after the restart); "
        f"in the database: {result['stored']} "
        f"({result['stored_unacknowledged']} stored without an answer: in flight at the kill); lost: {result['lost']}"
    )
    return 1 if result["lost"] else 0


if __name__ == "__main__":
    sys.exit(main())
