"""Versions on a running app: every version reachable, a promotion and a rollback picked up without a restart."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.versions import VersionError, VersionStore
from model import artifacts
from tests.app.images import data_url, drawing

SEVEN = data_url(drawing(shape="seven"))


def _copy_version(settings: Settings, version: str) -> None:
    """A second version: the shipped files under the data folder (metrics.json last, as finetune writes it)."""
    target = VersionStore(settings).directory("lstm", version)
    target.mkdir(parents=True)
    for name in (
        artifacts.MODEL_FILE,
        artifacts.HISTORY_FILE,
        artifacts.MISSES_FILE,
        artifacts.ONNX_FILE,
        artifacts.METRICS_FILE,
    ):
        shutil.copy(settings.model_dir("lstm") / name, target / name)


def _wait_for(condition, timeout: float = 30.0) -> float:
    started = time.perf_counter()
    while not condition():
        assert time.perf_counter() - started < timeout, "not picked up in time"
        time.sleep(0.05)
    return time.perf_counter() - started


def test_version_store_promotes_and_rolls_back(tmp_path):
    settings = Settings(data_dir=tmp_path)
    store = VersionStore(settings)
    assert store.versions("lstm") == ["1"] and store.promoted("lstm") == "1" and store.next_version("lstm") == "2"
    with pytest.raises(VersionError, match="no version 2"):
        store.promote("lstm", "2")
    _copy_version(settings, "2")
    (store.root / "lstm" / "3").mkdir()  # unfinished: no metrics.json yet
    assert store.versions("lstm") == ["1", "2"] and store.next_version("lstm") == "4"
    store.promote("lstm", "2")
    assert store.promoted("lstm") == "2"
    assert store.rollback("lstm") == "1" and store.promoted("lstm") == "1"
    with pytest.raises(VersionError, match="nothing to roll back"):
        store.rollback("lstm")


def test_a_running_app_picks_up_new_versions_and_promotions_without_failing_a_request(tmp_path):
    settings = Settings(models=["lstm"], data_dir=tmp_path, version_poll_s=0.2, xla_single_digit=False)
    store = VersionStore(settings)
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.post("/api/predict", json={"image": SEVEN}).json()["model"]["version"] == "1"
        statuses: list[int] = []
        stop = threading.Event()

        def load() -> None:
            while not stop.is_set():
                statuses.append(client.post("/api/predict", json={"image": SEVEN}).status_code)

        worker = threading.Thread(target=load)
        worker.start()
        try:
            _copy_version(settings, "2")
            _wait_for(lambda: client.get("/v1/models/lstm/versions/2").status_code == 200)
            assert client.post("/api/predict", json={"image": SEVEN}).json()["model"]["version"] == "1"  # loaded, not promoted
            store.promote("lstm", "2")
            waited = _wait_for(lambda: client.post("/api/predict", json={"image": SEVEN}).json()["model"]["version"] == "2")
            assert waited < 5.0
            store.rollback("lstm")
            _wait_for(lambda: client.get("/api/model").json()["version"] == "1")
        finally:
            stop.set()
            worker.join()
        assert statuses and set(statuses) == {200}
        for version in ("1", "2"):
            assert client.post("/api/predict", json={"image": SEVEN, "version": version}).json()["model"]["version"] == version
            assert (
                client.post(f"/v1/models/lstm/versions/{version}:predict", json={"instances": [[[0.0] * 28] * 28]}).status_code
                == 200
            )
            infer = {"inputs": [{"name": "rows", "datatype": "FP32", "shape": [1, 28, 28], "data": [0.0] * 784}]}
            answer = client.post(f"/v2/models/lstm/versions/{version}/infer", json=infer)
            assert answer.status_code == 200 and answer.json()["model_version"] == version
        missing = client.post("/api/predict", json={"image": SEVEN, "version": "9"})
        assert missing.status_code == 404 and missing.json()["code"] == "unknown_version"
