"""A training smoke run writes artifacts that load back and describe themselves correctly."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from model import artifacts
from model.data import Mnist, Split
from model.train import train
from model.train_cli import main, run_folder
from tests.server import free_port, run_rowscan


def tiny_mnist(rng: np.random.Generator) -> Mnist:
    """Random images stand in for MNIST: the smoke run checks plumbing, not accuracy."""

    def split(count: int) -> Split:
        return Split(rng.integers(0, 256, (count, 28, 28), dtype=np.uint8), (np.arange(count) % 10).astype(np.uint8))

    return Mnist(split(300), split(100), split(200), "test fixture", {"fake": "0"})


@pytest.mark.parametrize(
    ("network", "config", "parameters"),
    [("lstm", "seed", 136_586), ("lstm", "default", 136_586), ("gru", "default", 131_222), ("cnn", "default", 225_034)],
)
def test_smoke_run_writes_loadable_artifacts(tmp_path, network, config, parameters):
    out = tmp_path / f"{network}-{config}"
    metrics = train(config, tiny_mnist(np.random.default_rng(0)), out, epochs=1, network_name=network, verbose=0)

    for name in (artifacts.MODEL_FILE, artifacts.METRICS_FILE, artifacts.HISTORY_FILE, artifacts.MISSES_FILE):
        assert (out / name).is_file(), name
    model = artifacts.load_keras_model(out)
    assert model.count_params() == metrics["parameters"] == parameters
    assert metrics["network"] == network
    assert artifacts.load_metrics(out)["test_size"] == 200
    history = artifacts.load_history(out)
    assert history["epoch"] == [1] and len(history["val_accuracy"]) == 1
    misses = artifacts.load_misses(out)
    assert len(misses) == metrics["test_misses"] == 200 - metrics["test_correct"]
    assert misses.images.shape == (len(misses), 28, 28) and misses.probabilities.shape == (len(misses), 10)
    assert np.all(misses.labels != misses.predictions)
    assert sum(map(sum, metrics["confusion_matrix"])) == 200
    assert metrics["config_name"] == config and metrics["best_epoch"] == 1


def test_saved_model_has_no_optimizer_state(tmp_path):
    train("default", tiny_mnist(np.random.default_rng(1)), tmp_path, epochs=1, verbose=0)
    size = (tmp_path / artifacts.MODEL_FILE).stat().st_size
    assert size < 700_000  # 136,586 float32 weights are 546 kB; Adam's two moments would triple it


def committed_files() -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in artifacts.ARTIFACTS_DIR.rglob("*") if path.is_file()}


def test_cli_writes_a_new_run_folder_by_default(tmp_path, fake_mnist, monkeypatch, capsys):
    """A trial run must never replace the committed models: it gets its own runs/<name>-<UTC time>/."""
    monkeypatch.chdir(tmp_path)
    before = committed_files()
    assert main(["--config", "seed", "--data-dir", str(fake_mnist), "--epochs", "1", "--limit", "256"]) == 0

    (run,) = (tmp_path / "runs").iterdir()
    assert re.fullmatch(r"lstm-seed-\d{8}T\d{6}Z", run.name), run.name
    assert sorted(p.name for p in run.iterdir()) == sorted(
        [artifacts.MODEL_FILE, artifacts.METRICS_FILE, artifacts.HISTORY_FILE, artifacts.MISSES_FILE]
    )
    assert artifacts.load_metrics(run)["train_size"] == 256
    out = capsys.readouterr().out
    assert f"Writing to runs/{run.name}/" in out and f"Artifacts in runs/{run.name}/" in out
    assert f"ROWSCAN_ARTIFACTS_DIR=runs ROWSCAN_MODELS={run.name} rowscan serve" in out
    assert committed_files() == before


def test_cli_replaces_a_model_only_with_force(tmp_path, fake_mnist, capsys):
    out = tmp_path / "lstm"
    out.mkdir()
    (out / artifacts.MODEL_FILE).write_bytes(b"the model that ships")
    (out / artifacts.ONNX_FILE).write_bytes(b"exported from it")
    args = ["--config", "seed", "--data-dir", str(fake_mnist), "--epochs", "1", "--limit", "256", "--out", str(out)]

    assert main(args) == 2
    assert capsys.readouterr().err == f"rowscan train: {out} is not empty; add --force to replace the model in it\n"
    assert (out / artifacts.MODEL_FILE).read_bytes() == b"the model that ships"

    assert main([*args, "--force"]) == 0
    assert artifacts.load_metrics(out)["train_size"] == 256
    assert artifacts.load_keras_model(out).count_params() == 136_586
    assert not (out / artifacts.ONNX_FILE).exists()  # it belonged to the replaced model.keras
    assert "Removed" in capsys.readouterr().out


def test_cli_refuses_a_file_as_output_folder(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    assert main(["--out", str(tmp_path / "file")]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_run_folders_are_named_by_utc_time():
    assert run_folder("gru", datetime(2026, 11, 30, 5, 45, 12, tzinfo=UTC)) == Path("runs/gru-20261130T054512Z")


def test_style_fine_tune_starts_from_its_parent_and_records_it(tmp_path):
    """`--config styles --init-from DIR`: the parent's weights, styled copies added, the parent kept on record."""
    data = tiny_mnist(np.random.default_rng(2))
    parent = tmp_path / "parent"
    train("default", data, parent, epochs=1, network_name="gru", verbose=0)
    metrics = train("styles", data, tmp_path / "styled", epochs=1, network_name="gru", init_from=parent, verbose=0)

    assert metrics["config_name"] == "styles" and metrics["config"]["styles"] is True
    assert metrics["train_size"] > 300  # the 300 digits and their styled copies
    assert sum(metrics["styles_added"].values()) == metrics["train_size"] - 300
    record = metrics["parent"]
    assert record["folder"] == str(parent) and record["config_name"] == "default" and record["epochs_run"] == 1
    assert len(record["model_sha256"]) == 64


def test_style_fine_tune_needs_a_parent_of_the_same_network(tmp_path, fake_mnist, capsys):
    assert main(["--config", "styles", "--data-dir", str(fake_mnist), "--out", str(tmp_path / "a")]) == 2
    assert "--init-from" in capsys.readouterr().err
    parent = tmp_path / "parent"
    train("default", tiny_mnist(np.random.default_rng(3)), parent, epochs=1, network_name="cnn", verbose=0)
    with pytest.raises(ValueError, match="holds a 'cnn' network, not 'lstm'"):
        train("styles", tiny_mnist(np.random.default_rng(3)), tmp_path / "b", epochs=1, init_from=parent, verbose=0)


def test_offline_without_mnist_dir_says_what_is_missing_in_one_line(tmp_path):
    """No MNIST_DIR and no network (a proxy that refuses every connection): one line, no traceback."""
    closed = f"http://127.0.0.1:{free_port()}"
    env = {"MNIST_DIR": "", "KERAS_HOME": str(tmp_path / "keras"), "https_proxy": closed, "HTTPS_PROXY": closed, "no_proxy": ""}
    result = run_rowscan(["train", "--epochs", "1", "--out", str(tmp_path / "run")], env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("rowscan train:")]
    assert "MNIST_DIR is not set and MNIST could not be downloaded" in line
    assert "set MNIST_DIR (or --data-dir) to a folder holding train-images-idx3-ubyte.gz" in line
    assert not (tmp_path / "run").exists()


def test_a_wrong_mnist_dir_is_one_line(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path / "nowhere"), "--out", str(tmp_path / "run")]) == 2
    assert capsys.readouterr().err == (
        f"rowscan train: {tmp_path / 'nowhere'}: MNIST directory not found "
        "(set MNIST_DIR or --data-dir to a folder of the four .gz files)\n"
    )
