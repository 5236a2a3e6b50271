"""The server process behind `rowscan serve`: Granian workers, connection limits, start-up errors.

Why Granian rather than uvicorn: its HTTP/1 layer is Rust (hyper), which on this 2-core machine
took a bare ASGI app from ~4,800 to ~17,000 requests/s (same run, wrk, concurrency 64), and it
closes connections that do not deliver their request headers in time, new or kept alive, which
uvicorn never does (a few thousand silent sockets exhaust its file descriptors).

- Workers: one per core by default, each a process with its own models and micro-batcher,
  forked once the parent has imported the app (the imports are paid once).
- Connections: headers must arrive within ROWSCAN_READ_TIMEOUT_S, idle keep-alive connections
  are closed after it (Granian), and a request body must arrive within it too
  (app.middleware.BodyDeadline). The file-descriptor limit is raised to the hard limit.
- Metrics: prometheus_client's multiprocess mode in a run folder, so /metrics counts all workers.
- Start-up errors: a worker that cannot load its models writes one line to the run folder and
  exits; the parent prints each distinct line once, as `rowscan: cannot start: ...`.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from app.config import Settings

STARTUP_ERRORS_ENV = "ROWSCAN_STARTUP_ERRORS_DIR"  # set by `rowscan serve` for its workers
SERVER_PID_ENV = "ROWSCAN_SERVER_PID"  # set by `rowscan serve`: its workers watch that process
METRICS_ENV = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client reads it when first imported
LOG_FORMAT = "%(levelname)s:     %(message)s"  # as the "rowscan" logger (app.main)


def raise_fd_limit() -> int:
    """Soft limit on open files up to the hard limit: each connection holds one. Returns the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):  # some sandboxes refuse: keep what we have
            pass
    return soft


def report_startup_error(message: str) -> bool:
    """In a worker of `rowscan serve`: leave the one-line reason for the parent. False when not in one."""
    folder = os.environ.get(STARTUP_ERRORS_ENV)
    if not folder:
        return False
    Path(folder, f"{os.getpid()}.txt").write_text(message)
    return True


def exit_with_server(poll_s: float = 0.5) -> None:
    """In a worker of `rowscan serve`: exit when the server process is gone, even killed with SIGKILL.
    An orphaned worker would go on answering on the port, beside the workers of a restarted server."""
    server_pid = os.environ.get(SERVER_PID_ENV)
    if not server_pid or os.getpid() == int(server_pid):
        return

    def watch() -> None:
        while os.getppid() == int(server_pid):
            time.sleep(poll_s)
        os._exit(1)

    threading.Thread(target=watch, name="rowscan-server-watch", daemon=True).start()


def _startup_errors(folder: Path) -> list[str]:
    return sorted({path.read_text().strip() for path in folder.glob("*.txt")})


@contextlib.contextmanager
def run_folder() -> Iterator[Path]:
    """A folder for this run's worker metrics and start-up errors, named in the environment the
    workers inherit. Enter it before anything imports prometheus_client: its mode is fixed then."""
    folder = Path(tempfile.mkdtemp(prefix="rowscan-run-"))
    try:
        for name, env in (("metrics", METRICS_ENV), ("startup-errors", STARTUP_ERRORS_ENV)):
            (folder / name).mkdir()
            os.environ[env] = str(folder / name)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(settings: Settings, folder: Path, host: str, port: int, workers: int) -> int:
    """Serve until interrupted; 2 with one line per distinct reason when the workers could not start."""
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.http import HTTP1Settings

    raise_fd_limit()
    os.environ[SERVER_PID_ENV] = str(os.getpid())
    import app.main  # noqa: F401  imported once here, inherited by every forked worker

    server = Granian(
        "app.main:app",
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        http=HTTPModes.http1,  # "auto" sniffs the protocol first, with no timeout: silent sockets would stay open
        http1_settings=HTTP1Settings(header_read_timeout=round(settings.read_timeout_s * 1000)),
        loop=Loops.uvloop,
        log_level=settings.log_level.lower(),
        log_access=settings.access_log,
        log_dictconfig={
            "formatters": {
                "generic": {"()": "logging.Formatter", "fmt": LOG_FORMAT},
                "access": {"()": "logging.Formatter", "fmt": "%(message)s"},
            }
        },
    )
    code = 0
    try:
        server.serve()
    except SystemExit as stop:  # Granian exits 1 when a worker died
        code = stop.code if isinstance(stop.code, int) else 1
    errors = _startup_errors(folder / "startup-errors")
    for line in errors:
        print(f"rowscan: cannot start: {line}", file=sys.stderr)
    return 2 if errors else code
