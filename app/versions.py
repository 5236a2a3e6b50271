"""Model versions and which one answers by default.

The shipped artifacts are version 1 of each model; `rowscan finetune` writes 2, 3, ... to
ROWSCAN_DATA_DIR/models/<name>/<version>/ with the same files. `ROWSCAN_DATA_DIR/models/<name>/promoted.json`
holds the promotion history (its last entry answers by default; `rollback` drops it). It is replaced
atomically, so a server polling it (app.watcher) never reads half a file; no database is needed to serve.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from app.config import Settings
from model import artifacts

SHIPPED_VERSION = "1"
PROMOTED_FILE = "promoted.json"


class VersionError(LookupError):
    """An unknown version, or nothing to roll back to; the message says which versions exist."""


class VersionStore:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.data_dir / "models"

    def directory(self, name: str, version: str) -> Path:
        return self.settings.model_dir(name) if version == SHIPPED_VERSION else self.root / name / version

    def versions(self, name: str) -> list[str]:
        """The shipped version and every complete fine-tuned one (its metrics are written last), oldest first."""
        folder = self.root / name
        found = (
            [p.name for p in folder.iterdir() if p.name.isdigit() and (p / artifacts.METRICS_FILE).is_file()]
            if folder.is_dir()
            else []
        )
        return [SHIPPED_VERSION, *sorted((v for v in found if v != SHIPPED_VERSION), key=int)]

    def next_version(self, name: str) -> str:
        folder = self.root / name
        taken = [int(p.name) for p in folder.iterdir() if p.name.isdigit()] if folder.is_dir() else []
        return str(max([int(SHIPPED_VERSION), *taken]) + 1)

    def history(self, name: str) -> list[dict]:
        path = self.root / name / PROMOTED_FILE
        try:
            history = json.loads(path.read_text())["history"]
        except (OSError, ValueError, KeyError, TypeError):
            return [{"version": SHIPPED_VERSION, "at": None}]
        return history or [{"version": SHIPPED_VERSION, "at": None}]

    def promoted(self, name: str) -> str:
        return str(self.history(name)[-1]["version"])

    def promote(self, name: str, version: str) -> None:
        if version not in self.versions(name):
            raise VersionError(f"model '{name}' has no version {version}; versions: {', '.join(self.versions(name))}")
        self._write(name, [*self.history(name), {"version": version, "at": datetime.now(UTC).isoformat()}])

    def rollback(self, name: str) -> str:
        """Back to the version promoted before the current one; returns it."""
        history = self.history(name)
        if len(history) < 2:
            raise VersionError(f"model '{name}': nothing to roll back to (version {history[-1]['version']} was never replaced)")
        self._write(name, history[:-1])
        return str(history[-2]["version"])

    def _write(self, name: str, history: list[dict]) -> None:
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".promoted-")
        with os.fdopen(handle, "w") as stream:
            json.dump({"version": history[-1]["version"], "history": history}, stream, indent=2)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, folder / PROMOTED_FILE)
