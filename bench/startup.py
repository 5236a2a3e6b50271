"""Cold start: seconds from spawning `rowscan serve` until GET /readyz answers 200, over a few starts.

    python bench/startup.py [--starts 3]

The server loads and traces its models before it opens its port, so this is the whole wait a
user (or an orchestrator's readiness probe) sees: Python and TensorFlow imports, model load, tracing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import free_port, rowscan_command, serve


def cold_starts(count: int, env: dict[str, str] | None = None) -> list[float]:
    """Seconds to ready for `count` fresh starts, one after another (never two at once: 2 cores)."""
    times = []
    for _ in range(count):
        port = free_port()
        with serve(rowscan_command(port), port, env) as server:
            times.append(server.ready_s)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args(argv)
    times = cold_starts(args.starts)
    each = ", ".join(f"{t:.2f}" for t in times)
    print(f"cold start: median {statistics.median(times):.2f} s over {len(times)} starts ({each})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
