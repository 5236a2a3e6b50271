"""Keeps a running server's versions in step with the data folder, without a restart.

Every ROWSCAN_VERSION_POLL_S seconds: new fine-tuned versions are loaded (in a thread, while the
current ones keep answering), then a changed promotion switches the default version in one assignment,
so no request fails or waits for a load. Each worker process of a multi-worker server does this itself.
"""

from __future__ import annotations

import asyncio
import logging

from app.config import Settings
from app.metrics import Metrics
from app.model_loading import load_model
from app.registry import ModelRegistry
from app.versions import VersionStore
from model.artifacts import ArtifactError

log = logging.getLogger("rowscan")


async def sync_versions(registry: ModelRegistry, settings: Settings, metrics: Metrics, failed: set[tuple[str, str]]) -> None:
    store = VersionStore(settings)
    for name, loaded in registry.versions.items():
        for version in store.versions(name):
            if version in loaded or (name, version) in failed:
                continue
            try:
                registry.add_version(await asyncio.to_thread(load_model, settings, name, metrics, version))
                log.info("model %s: version %s loaded", name, version)
            except ArtifactError as exc:
                failed.add((name, version))
                log.warning("model %s version %s is not served: %s", name, version, exc)
        promoted = store.promoted(name)
        if promoted in loaded and registry.models[name].version != promoted:
            registry.promote(name, promoted)
            log.info("model %s: now answering with version %s", name, promoted)


async def watch_versions(registry: ModelRegistry, settings: Settings, metrics: Metrics) -> None:
    failed: set[tuple[str, str]] = set()
    while True:
        await asyncio.sleep(settings.version_poll_s)
        try:
            await sync_versions(registry, settings, metrics, failed)
        except OSError as exc:  # the data folder unreadable for a moment: keep serving, look again later
            log.warning("cannot look for new model versions: %s", exc)
