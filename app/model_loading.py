"""Loading the served models at start-up (and new versions later): pre-flight checks without TensorFlow,
each version's files checked against each other, the backend's runner, the micro-batcher around it.

A broken shipped model stops the start with an `ArtifactError` naming the file; a broken fine-tuned
version is left out with a warning.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import threading
import zipfile
from pathlib import Path
from typing import Any

from app.backends import choose_backend
from app.config import Settings
from app.inference import GraphModel, MicroBatcher, OnnxModel, Runner
from app.metrics import Metrics
from app.registry import ModelRegistry, ServedModel
from app.versions import SHIPPED_VERSION, VersionStore
from model import artifacts
from model.artifacts import ArtifactError, Misses
from model.environment import device_name, library_versions
from model.optional import MissingPackage
from model.tensorflow_start import start_tensorflow

log = logging.getLogger("rowscan")

MISSING_ONNX = "ONNX model not found (the onnx backend serves model.onnx); write it with `rowscan export --onnx`"


def check_artifacts(settings: Settings) -> None:
    """Fast pre-flight without TensorFlow: every file present and readable, else ArtifactError."""
    onnx = choose_backend(settings.backend) == "onnx"
    for name in settings.models:
        directory = settings.model_dir(name)
        if not directory.is_dir():
            raise ArtifactError(
                directory, f"model folder for '{name}' not found (ROWSCAN_ARTIFACTS_DIR={settings.artifacts_dir})"
            )
        model_file = directory / artifacts.MODEL_FILE
        if not model_file.is_file():
            raise ArtifactError(model_file, "model file not found")
        if not zipfile.is_zipfile(model_file):
            raise ArtifactError(model_file, "not a Keras model file (expected a .keras zip archive)")
        if onnx and not (directory / artifacts.ONNX_FILE).is_file():
            raise ArtifactError(directory / artifacts.ONNX_FILE, MISSING_ONNX)
        _check_metrics(directory, artifacts.load_metrics(directory), artifacts.load_misses(directory))
        artifacts.load_history(directory)


METRIC_TYPES: dict[str, tuple[type | tuple[type, ...], str]] = {
    "test_accuracy": ((int, float), "a number"),
    "parameters": (int, "a whole number"),
    "test_misses": (int, "a whole number"),
    "confusion_matrix": (list, "a 10x10 list"),
    "per_class_accuracy": (list, "a list of 10 numbers"),
}


def _check_metrics(directory: Path, metrics: dict[str, Any], misses: Misses) -> None:
    path = directory / artifacts.METRICS_FILE
    if not isinstance(metrics, dict):
        raise ArtifactError(path, f"holds a JSON {type(metrics).__name__}; expected an object of metrics")
    for key, (kind, expected) in METRIC_TYPES.items():
        if key not in metrics:
            raise ArtifactError(path, f"metrics lack '{key}' (written by another version of `rowscan train`?)")
        value = metrics[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ArtifactError(path, f"'{key}' is {json.dumps(value)[:40]}; expected {expected}")
    if metrics["test_misses"] != len(misses):
        raise ArtifactError(
            path, f"metrics count {metrics['test_misses']} misses but {artifacts.MISSES_FILE} holds {len(misses)}"
        )


def _load_runner(settings: Settings, directory: Path, metrics: dict[str, Any], sha256: str) -> Runner:
    """The compiled model for the configured backend, checked against its metrics and model file."""
    if choose_backend(settings.backend) == "onnx":
        path = directory / artifacts.ONNX_FILE
        if not path.is_file():
            raise ArtifactError(path, MISSING_ONNX)
        try:
            # The cores are shared out between the worker processes: more threads would only contend.
            runner = OnnxModel(path, threads=max(1, len(os.sched_getaffinity(0)) // settings.worker_count))
        except MissingPackage as exc:
            raise ArtifactError(path, str(exc)) from None
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ArtifactError(path, f"cannot load the ONNX model ({type(exc).__name__}: {exc})") from exc
        if runner.source_sha256 != sha256:
            raise ArtifactError(path, f"exported from another {artifacts.MODEL_FILE}; run `rowscan export --onnx` again")
        return runner
    keras_model = artifacts.load_keras_model(directory)
    if keras_model.count_params() != metrics["parameters"]:
        raise ArtifactError(
            directory / artifacts.METRICS_FILE,
            f"metrics describe {metrics['parameters']:,} parameters but {artifacts.MODEL_FILE} has "
            f"{keras_model.count_params():,}: the two files come from different training runs",
        )
    return GraphModel(keras_model)


def load_model(settings: Settings, name: str, metrics_sink: Metrics, version: str = SHIPPED_VERSION) -> ServedModel:
    """One version of a model (the shipped artifacts, or a fine-tuned version from the data folder)."""
    directory = VersionStore(settings).directory(name, version)
    metrics = artifacts.load_metrics(directory)
    misses = artifacts.load_misses(directory)
    _check_metrics(directory, metrics, misses)
    sha256 = hashlib.sha256((directory / artifacts.MODEL_FILE).read_bytes()).hexdigest()
    runner = _load_runner(settings, directory, metrics, sha256)
    batcher = MicroBatcher(
        runner,
        max_batch_size=settings.max_batch_size,
        max_queue=settings.max_queue,
        timeout_s=settings.inference_timeout_s,
        on_batch=lambda size: metrics_sink.observe_batch(name, size),
    )
    history = artifacts.load_history(directory)
    return ServedModel(name, directory, sha256, metrics, history, misses, runner, batcher, version=version)


def runtime(backend: str) -> dict[str, Any]:
    """Backend, device and library versions of the serving process (for the model card)."""
    backend = choose_backend(backend)
    if backend == "onnx":
        import numpy
        import onnxruntime

        versions = {"python": platform.python_version(), "onnxruntime": onnxruntime.__version__, "numpy": numpy.__version__}
        return {"backend": "onnx", "device": "CPU (ONNX Runtime)", "versions": versions}
    return {"backend": "tensorflow", "device": device_name(), "versions": library_versions()}


def load_registry(settings: Settings, metrics_sink: Metrics) -> ModelRegistry:
    """Every version of every served model; each answers with its promoted version by default."""
    if settings.backend == "tensorflow":
        start_tensorflow()  # TensorFlow's start-up lines filtered (model/tensorflow_start.py)
    store = VersionStore(settings)
    versions = {name: _load_versions(settings, store, name, metrics_sink) for name in settings.models}
    promoted = {name: _loaded_promoted(store, name, versions[name]) for name in settings.models}
    registry = ModelRegistry(versions, promoted, settings.default_model, runtime(settings.backend))
    models = registry.models
    log.info("models loaded: %s; backend %s on %s", ", ".join(models), registry.runtime["backend"], registry.runtime["device"])
    if settings.xla_single_digit:
        _compile_single_digit_graphs_in_background([served.runner for served in models.values()])
    return registry


def _load_versions(settings: Settings, store: VersionStore, name: str, metrics_sink: Metrics) -> dict[str, ServedModel]:
    """The shipped version must load; a broken fine-tuned one is left out with a warning, not a failed start."""
    loaded = {}
    for version in store.versions(name):
        try:
            loaded[version] = load_model(settings, name, metrics_sink, version)
        except ArtifactError as exc:
            if version == SHIPPED_VERSION:
                raise
            log.warning("model %s version %s is not served: %s", name, version, exc)
    return loaded


def _loaded_promoted(store: VersionStore, name: str, loaded: dict[str, ServedModel]) -> str:
    version = store.promoted(name)
    if version not in loaded:
        log.warning("model %s: promoted version %s not found; answering with version %s", name, version, SHIPPED_VERSION)
        return SHIPPED_VERSION
    return version


def _compile_single_digit_graphs_in_background(runners: list[Runner]) -> None:
    """Faster lone digits (see GraphModel) a second or two after start-up, without delaying it."""
    graphs = [runner for runner in runners if isinstance(runner, GraphModel)]

    def compile_all() -> None:
        for graph in graphs:
            try:
                graph.compile_single_digit()
            except Exception:  # XLA missing or refusing an op: the plain graph keeps answering
                log.warning("no XLA graph for single digits; the plain graph answers them", exc_info=True)
                return
        log.info("single-digit XLA graphs ready")

    if graphs:
        # Not a daemon: Python then waits for it at exit; exiting in mid-compile would abort the process.
        threading.Thread(target=compile_all, name="rowscan-xla-compile", daemon=False).start()
