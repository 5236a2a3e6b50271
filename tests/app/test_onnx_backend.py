"""The optional ONNX Runtime backend: same answers as Keras (1e-5), served without TensorFlow."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from app.inference import GraphModel, OnnxModel
from model import artifacts
from tests.server import run_rowscan

SERVED = ["lstm", "gru", "cnn"]


@pytest.fixture(scope="module")
def digits(served) -> np.ndarray:
    rng = np.random.default_rng(3)
    real = served.misses.images[:24].astype(np.float32) / 255.0
    return np.concatenate([real, rng.random((8, 28, 28), dtype=np.float32)])


@pytest.mark.parametrize("name", SERVED)
def test_committed_onnx_agrees_with_keras(name, digits):
    directory = artifacts.ARTIFACTS_DIR / name
    onnx = OnnxModel(directory / artifacts.ONNX_FILE)
    keras = GraphModel(artifacts.load_keras_model(directory))
    expected, got = keras(digits, steps=True), onnx(digits)
    np.testing.assert_allclose(got.probabilities, expected.probabilities, atol=1e-5)
    assert onnx.has_steps == keras.has_steps == (name != "cnn")
    if onnx.has_steps:
        np.testing.assert_allclose(got.steps, expected.steps, atol=1e-5)
    # ...and it was exported from the committed model.keras, not an older one.
    assert onnx.source_sha256 == hashlib.sha256((directory / artifacts.MODEL_FILE).read_bytes()).hexdigest()


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


def test_export_reproduces_the_committed_onnx_files_byte_for_byte(tmp_path):
    """Re-exporting must not change what is committed (an export never dirties git status)."""
    folder = tmp_path / "artifacts"
    for name in SERVED:
        shutil.copytree(artifacts.ARTIFACTS_DIR / name, folder / name)
        (folder / name / artifacts.ONNX_FILE).unlink()
    env = {"ROWSCAN_ARTIFACTS_DIR": str(folder), "ROWSCAN_MODELS": ",".join(SERVED)}
    result = run_rowscan(["export", "--onnx"], env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    for name in SERVED:
        exported = (folder / name / artifacts.ONNX_FILE).read_bytes()
        committed = (artifacts.ARTIFACTS_DIR / name / artifacts.ONNX_FILE).read_bytes()
        assert exported == committed, f"{name}: `rowscan export --onnx` writes another model.onnx than the committed one"


BLOCK_PACKAGES = "import sys; sys.modules.update(dict.fromkeys({packages!r})); from app.cli import main; sys.exit(main({args!r}))"


@pytest.mark.parametrize(
    ("packages", "args", "message"),
    [
        (["onnx", "tf2onnx"], ["export", "--onnx", "--model", "cnn"], "rowscan: rowscan export --onnx needs onnx"),
        (
            ["onnxruntime"],
            ["serve", "--port", "1"],
            "rowscan: cannot start: {folder}/cnn/model.onnx: ROWSCAN_BACKEND=onnx needs onnxruntime",
        ),
    ],
)
def test_a_missing_optional_package_is_one_line(tmp_path, packages, args, message):
    """As if the `onnx` extra were not installed (a None in sys.modules makes `import` fail as for an absent package)."""
    folder = tmp_path / "artifacts"
    shutil.copytree(artifacts.ARTIFACTS_DIR / "cnn", folder / "cnn")
    env = {**os.environ, "ROWSCAN_ARTIFACTS_DIR": str(folder), "ROWSCAN_MODELS": "cnn", "ROWSCAN_BACKEND": "onnx"}
    env["ROWSCAN_DATA_DIR"] = str(tmp_path / "data")
    script = BLOCK_PACKAGES.format(packages=packages, args=args)
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("rowscan:")]
    assert line == message.format(folder=folder) + ", which is not installed: pip install -e '.[onnx]'"
