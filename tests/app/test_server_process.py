"""The real server process: `rowscan serve` on a free port, over HTTP, and a v2 client nobody here wrote."""

from __future__ import annotations

import re
import shutil
import sys

import httpx
import numpy as np
import pytest
import tritonclient.http as triton

from bench.common import rowscan_command, serve
from model import artifacts
from tests.app.images import data_url, drawing
from tests.server import free_port, run_rowscan


@pytest.fixture(scope="module")
def server_process():
    port = free_port()
    with serve(rowscan_command(port), port) as process:
        yield process


@pytest.fixture(scope="module")
def server(server_process) -> str:
    return server_process.base_url


def test_start_up_prints_our_lines_and_nothing_alarming(server_process):
    """The device, the models and the URL; none of TensorFlow's start-up lines (oneDNN, cudart, the cuInit
    error of a machine without an NVIDIA device: model/tensorflow_start.py), no warning, no traceback."""
    output = server_process.output()
    assert re.search(r"models loaded: lstm, gru, cnn; backend tensorflow on (CPU|GPU)", output), output
    assert f"Uvicorn running on {server_process.base_url}" in output, output
    assert not re.search(r"^[IWEF]\d{4} ", output, re.MULTILINE), output
    for alarming in ("cuInit", "InitializeLog", "oneDNN", "cuda", "Traceback", "WARNING", "ERROR"):
        assert alarming not in output, output


def test_predict_over_http(server):
    answer = httpx.post(f"{server}/api/predict", json={"image": data_url(drawing()), "steps": True}, timeout=30).json()
    assert answer["digit"] == 7 and len(answer["steps"]) == 28
    assert httpx.get(f"{server}/readyz").json()["status"] == "ready"


def test_tritonclient_talks_to_the_v2_routes(server, served):
    """tritonclient's HTTP client, with binary tensors (its default) and with JSON tensors."""
    rows = served.misses.images[:4].astype(np.float32) / 255.0
    expected = served.runner(rows).probabilities
    client = triton.InferenceServerClient(url=server.removeprefix("http://"))
    assert client.is_server_live() and client.is_server_ready() and client.is_model_ready("lstm")
    assert client.get_model_metadata("lstm")["inputs"][0]["shape"] == [-1, 28, 28]
    for binary in (True, False):
        tensor = triton.InferInput("rows", list(rows.shape), "FP32")
        tensor.set_data_from_numpy(rows, binary_data=binary)
        outputs = [triton.InferRequestedOutput("probabilities", binary_data=binary)]
        result = client.infer("lstm", [tensor], outputs=outputs, request_id="r1")
        np.testing.assert_allclose(result.as_numpy("probabilities"), expected, atol=1e-5)
    result = client.infer("lstm", [tensor])  # no outputs named: tritonclient asks for all, in binary
    np.testing.assert_allclose(result.as_numpy("probabilities"), expected, atol=1e-5)
    with pytest.raises(triton.InferenceServerException, match="unknown model"):
        client.infer("resnet", [tensor])


# ------------------------------------------------------------------------- start-up failures


def copy_artifacts(tmp_path):
    folder = tmp_path / "artifacts"
    shutil.copytree(artifacts.ARTIFACTS_DIR / artifacts.SHIPPED_MODEL, folder / "lstm")
    return folder


def assert_fails_in_one_line(folder, named_file: str, problem: str):
    result = run_rowscan(
        ["serve", "--port", str(free_port())], env={"ROWSCAN_ARTIFACTS_DIR": str(folder), "ROWSCAN_MODELS": "lstm"}
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("rowscan: cannot start:")]
    assert len(lines) == 1, result.stderr
    assert named_file in lines[0] and problem in lines[0], lines[0]
    assert "Traceback" not in result.stderr


def test_missing_model_folder(tmp_path):
    assert_fails_in_one_line(tmp_path / "nowhere", str(tmp_path / "nowhere" / "lstm"), "model folder for 'lstm' not found")


def test_missing_model_file(tmp_path):
    folder = copy_artifacts(tmp_path)
    (folder / "lstm" / "model.keras").unlink()
    assert_fails_in_one_line(folder, "model.keras", "model file not found")


def test_corrupt_model_file(tmp_path):
    folder = copy_artifacts(tmp_path)
    (folder / "lstm" / "model.keras").write_bytes(b"this is not a keras file")
    assert_fails_in_one_line(folder, "model.keras", "not a Keras model file")


def test_model_file_with_broken_weights(tmp_path):
    folder = copy_artifacts(tmp_path)
    import zipfile

    with zipfile.ZipFile(folder / "lstm" / "model.keras", "w") as archive:  # a valid zip, wrong content
        archive.writestr("config.json", "{}")
    assert_fails_in_one_line(folder, "model.keras", "cannot load the model")


def test_mismatched_metrics_file(tmp_path):
    folder = copy_artifacts(tmp_path)
    metrics = artifacts.load_metrics(folder / "lstm")
    artifacts.write_json(folder / "lstm" / "metrics.json", dict(metrics, parameters=999))
    assert_fails_in_one_line(folder, "metrics.json", "different training runs")


def test_metrics_that_disagree_with_the_misses(tmp_path):
    folder = copy_artifacts(tmp_path)
    metrics = artifacts.load_metrics(folder / "lstm")
    artifacts.write_json(folder / "lstm" / "metrics.json", dict(metrics, test_misses=metrics["test_misses"] + 1))
    assert_fails_in_one_line(folder, "metrics.json", "misses")


def test_unreadable_metrics_file(tmp_path):
    folder = copy_artifacts(tmp_path)
    (folder / "lstm" / "metrics.json").write_text("{ not json")
    assert_fails_in_one_line(folder, "metrics.json", "not valid JSON")


def test_cli_help_runs_without_a_model():
    result = run_rowscan(["--help"])
    assert result.returncode == 0 and "serve" in result.stdout and sys.executable
