"""Where a cold start's time goes before any worker exists: the imports `rowscan serve` pays once in its
parent process, grouped by top-level package (Python's `-X importtime`, self time summed).

    python bench/startup_imports.py [--top 15]

`rowscan serve` imports the app once and forks its workers from it (each then only loads its models),
so this import is the serial part of the cold start that bench/startup.py measures end to end.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What `rowscan serve` imports before Granian forks its workers (app.cli.serve, then app.server.run).
PARENT_IMPORTS = "import app.cli, app.server, app.registry, app.storage, granian, app.main"


def import_profile() -> tuple[float, dict[str, float]]:
    """Wall seconds of the whole import, and milliseconds of import self time per top-level package."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", PARENT_IMPORTS], cwd=ROOT, capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - started
    per_package: collections.Counter[str] = collections.Counter()
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = line.removeprefix("import time:").split("|")
        per_package[name.strip().split(".")[0]] += int(self_us) / 1000
    return wall, dict(per_package)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    wall, per_package = import_profile()
    total = sum(per_package.values())
    print(f"parent imports: {wall:.2f} s wall (a fresh process), {total / 1000:.2f} s of import self time")
    print("| package | ms | share |\n| --- | ---: | ---: |")
    for name, ms in sorted(per_package.items(), key=lambda item: -item[1])[: args.top]:
        print(f"| {name} | {ms:,.0f} | {ms / total:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
