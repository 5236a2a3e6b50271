"""The ONNX Runtime backend (the default on a CPU): served without TensorFlow, refusing stale files, exported
reproducibly. Its answers against Keras's over the whole test set: tests/app/test_backends.py."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np

from app.inference import OnnxModel
from model import artifacts
from tests.server import run_rowscan


def test_onnx_backend_serves_without_importing_tensorflow():
    script = """
import json, sys
from fastapi.testclient import TestClient
from app.config import Settings
from app.main import create_app
with TestClient(create_app(Settings(backend="onnx"))) as client:
    answer = client.post("/api/predict", json={"pixels": [0.5] * 784, "steps": True}).json()
    card = client.get("/api/model").json()
    cnn = client.post("/v1/models/cnn:predict", json={"instances": [[0.5] * 784]}).json()
print(json.dumps({"tf": "tensorflow" in sys.modules, "steps": len(answer["steps"]), "backend": card["backend"],
                  "device": card["device"], "cnn": len(cnn["predictions"][0])}))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"tf": False, "steps": 28, "backend": "onnx", "device": "CPU (ONNX Runtime)", "cnn": 10}


def test_stale_onnx_file_is_refused(tmp_path):
    folder = tmp_path / "artifacts"
    shutil.copytree(artifacts.ARTIFACTS_DIR / "lstm", folder / "lstm")
    shutil.copy(artifacts.ARTIFACTS_DIR / "gru" / artifacts.ONNX_FILE, folder / "lstm" / artifacts.ONNX_FILE)
    env = {"ROWSCAN_ARTIFACTS_DIR": str(folder), "ROWSCAN_MODELS": "lstm", "ROWSCAN_BACKEND": "onnx"}
    result = run_rowscan(["serve", "--port", "1"], env=env)
    assert result.returncode == 2
    assert "model.onnx: exported from another model.keras" in result.stderr


def test_export_writes_an_onnx_file_that_matches(tmp_path):
    folder = tmp_path / "artifacts"
    shutil.copytree(artifacts.ARTIFACTS_DIR / "cnn", folder / "cnn")
    (folder / "cnn" / artifacts.ONNX_FILE).unlink()
    result = run_rowscan(["export", "--onnx", "--model", "cnn"], env={"ROWSCAN_ARTIFACTS_DIR": str(folder)})
    assert result.returncode == 0, result.stderr[-2000:]
    exported = OnnxModel(folder / "cnn" / artifacts.ONNX_FILE)
    committed = OnnxModel(artifacts.ARTIFACTS_DIR / "cnn" / artifacts.ONNX_FILE)
    rows = np.random.default_rng(0).random((4, 28, 28), dtype=np.float32)
    np.testing.assert_allclose(exported(rows).probabilities, committed(rows).probabilities, atol=1e-6)


def test_gru_export_reproduces_the_committed_file(tmp_path):
    """The GRU's ONNX graph is written from its weights (model.onnx_gru): byte for byte the committed file."""
    folder = tmp_path / "artifacts"
    shutil.copytree(artifacts.ARTIFACTS_DIR / "gru", folder / "gru")
    (folder / "gru" / artifacts.ONNX_FILE).unlink()
    result = run_rowscan(["export", "--onnx", "--model", "gru"], env={"ROWSCAN_ARTIFACTS_DIR": str(folder)})
    assert result.returncode == 0, result.stderr[-2000:]
    committed = (artifacts.ARTIFACTS_DIR / "gru" / artifacts.ONNX_FILE).read_bytes()
    assert (folder / "gru" / artifacts.ONNX_FILE).read_bytes() == committed
