"""The offline comparison behind `rowscan compare`: the notebook's closing question, answered with measurements.

"Can we do better in terms of accuracy, model size, and computational speed?" Every served
model is measured in one run, in one process, with the same threads:

- MNIST test accuracy (all 10,000) with a 95% Wilson confidence interval;
- accuracy on re-drawn MNIST (model/redrawn.py, prepared as the service prepares drawings);
- accuracy on handwriting styles MNIST lacks (model/style_benchmark.py, prepared the same way), per style;
- parameters, model file size, training time (from its metrics.json);
- single-digit latency and batch-64 throughput of the serving graph, TensorFlow (the default
  backend) and ONNX Runtime (when model.onnx exists): medians, models interleaved round by round
  so machine noise hits all of them alike;
- the test digits each model misses that all the others get right.

Writes `comparison.json` and `comparison.md` (default: model/artifacts/). The service's parts that are
measured (how it prepares a drawing, its runners for each backend) are handed in by the caller
(app/cli.py), so this module, like all of `model`, imports nothing from `app`. (Not to be confused with
the /compare page, where one drawing is answered live by every served model.)
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import keras
import numpy as np

from model import artifacts
from model.data import load_test_set
from model.environment import device_name, library_versions
from model.evaluate import evaluate
from model.redrawn import redrawn_set
from model.style_benchmark import PER_STYLE
from model.style_scores import prepare_style_set
from model.style_scores import report as styles_report

REPORT_MD = "comparison.md"
TIMING_ROUNDS = 7


class Runner(Protocol):
    """A served model's forward pass, as the service runs it (app.inference's runners)."""

    has_steps: bool

    def __call__(self, rows: np.ndarray) -> Any: ...  # an answer with .probabilities [N, 10]


# The service's parts under test: a drawing (PNG bytes) -> the 28x28 rows it would read, and a model folder
# with its loaded Keras model -> its runners by backend name ("tensorflow" first, then e.g. "onnx").
PrepareDrawing = Callable[[bytes], np.ndarray]
LoadRunners = Callable[[Path, keras.Model], dict[str, Runner]]


@dataclass
class Measured:
    name: str
    runners: dict[str, Runner]  # backend -> compiled model
    metrics: dict[str, Any]
    file_bytes: int
    test_predictions: np.ndarray
    latency_s: dict[str, list[float]] = field(default_factory=dict)
    batch64_s: dict[str, list[float]] = field(default_factory=dict)

    @property
    def runner(self) -> Runner:
        """The TensorFlow runner: accuracy on re-drawn digits is measured with it."""
        return self.runners["tensorflow"]


def wilson_interval(correct: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """95% confidence interval of an accuracy: better than p +- z*se near 100%."""
    p = correct / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return centre - half, centre + half


def _time_calls(runner: Runner, rows: np.ndarray, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        runner(rows)
    return (time.perf_counter() - started) / calls


def measure(
    names: list[str],
    data_dir: str | None,
    redrawn_count: int,
    artifacts_dir: Path,
    *,
    prepare_drawing: PrepareDrawing,
    load_runners: LoadRunners,
    per_style: int | None = None,
) -> dict[str, Any]:
    """Every model in `names` (folders of `artifacts_dir`) measured in this process; the report as a dict."""
    test = load_test_set(data_dir)
    drawings = list(redrawn_set(test.images[:redrawn_count], test.labels[:redrawn_count]))
    redrawn_rows = np.stack([prepare_drawing(d.data) for d in drawings])
    redrawn_labels = np.array([d.label for d in drawings])
    style_set = prepare_style_set(prepare_drawing, per_style or PER_STYLE)

    measured: list[Measured] = []
    for name in names:
        directory = artifacts_dir / name
        keras_model = artifacts.load_keras_model(directory)
        predictions = evaluate(keras_model, test).predictions
        file_bytes = (directory / artifacts.MODEL_FILE).stat().st_size
        runners = load_runners(directory, keras_model)
        measured.append(Measured(name, runners, artifacts.load_metrics(directory), file_bytes, predictions))

    one, sixty_four = test.as_float()[:1], test.as_float()[:64]
    for runner in (r for m in measured for r in m.runners.values()):  # warm-up
        _time_calls(runner, one, 20)
        _time_calls(runner, sixty_four, 5)
    for _ in range(TIMING_ROUNDS):  # interleaved: noise hits every model alike
        for m in measured:
            for backend, runner in m.runners.items():
                m.latency_s.setdefault(backend, []).append(_time_calls(runner, one, 50))
                m.batch64_s.setdefault(backend, []).append(_time_calls(runner, sixty_four, 10))

    rows, style_predictions = [], {}
    for m in measured:
        correct = int((m.test_predictions == test.labels).sum())
        low, high = wilson_interval(correct, len(test))
        redrawn_right = m.runner(redrawn_rows).probabilities.argmax(axis=1) == redrawn_labels
        style_predictions[m.name] = m.runner(style_set.rows).probabilities.argmax(axis=1)
        style_right = style_predictions[m.name] == style_set.labels
        others = [o for o in measured if o is not m]
        only_mine = (m.test_predictions != test.labels) & np.all([o.test_predictions == test.labels for o in others], axis=0)
        rows.append(
            {
                "model": m.name,
                "architecture": m.metrics.get("architecture"),
                "reads_rows": m.runner.has_steps,
                "test_accuracy": correct / len(test),
                "test_accuracy_ci95": [low, high],
                "test_misses": len(test) - correct,
                "redrawn_accuracy": float(redrawn_right.mean()),
                "style_accuracy": float(style_right.mean()),
                "parameters": m.metrics["parameters"],
                "file_bytes": m.file_bytes,
                "training_seconds": m.metrics.get("training_seconds"),
                "parent_training_seconds": (m.metrics.get("parent") or {}).get("training_seconds"),
                "parent_epochs": (m.metrics.get("parent") or {}).get("epochs_run"),
                "epochs": m.metrics.get("epochs_run"),
                "latency_ms_1": statistics.median(m.latency_s["tensorflow"]) * 1e3,
                "throughput_64": 64 / statistics.median(m.batch64_s["tensorflow"]),
                "onnx_latency_ms_1": statistics.median(m.latency_s["onnx"]) * 1e3 if "onnx" in m.latency_s else None,
                "onnx_throughput_64": 64 / statistics.median(m.batch64_s["onnx"]) if "onnx" in m.batch64_s else None,
                "misses_only_this_model": int(only_mine.sum()),
                "misses_only_this_model_indices": np.flatnonzero(only_mine).tolist(),
            }
        )
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "device": device_name(),
        "versions": library_versions(),
        "redrawn_digits": len(drawings),
        "timing": f"medians of {TIMING_ROUNDS} interleaved rounds (50 single-digit calls, 10 batch-64 calls each); "
        "TensorFlow graphs (ROWSCAN_BACKEND=tensorflow, what a GPU serves with; single digits through the XLA graphs "
        "the server compiles for recurrent models), and ONNX Runtime (the default on a CPU)",
        "models": rows,
        "summary": summarise(rows),
        "styles": styles_report(style_set, style_predictions),
    }


def summarise(rows: list[dict[str, Any]]) -> list[str]:
    """Plain statements read off the numbers (the interpretation is left to the reader); ties are named."""

    def leaders(key: str, best=max) -> tuple[str, dict[str, Any]]:
        value = best(row[key] for row in rows)
        tied = [row for row in rows if row[key] == value]
        return " and ".join(row["model"] for row in tied), tied[0]

    names, top = leaders("test_accuracy")
    low, high = top["test_accuracy_ci95"]
    lines = [f"Most accurate on MNIST: {names} ({top['test_accuracy']:.2%}, 95% CI {low:.2%}-{high:.2%})."]
    overlapping = [r["model"] for r in rows if r["model"] not in names.split(" and ") and r["test_accuracy_ci95"][1] >= low]
    if overlapping:
        others = " and ".join(overlapping)
        lines.append(f"Its 95% interval overlaps that of {others}: on 10,000 test digits those differences are not conclusive.")
    names, top = leaders("redrawn_accuracy")
    lines.append(f"Most accurate on re-drawn digits: {names} ({top['redrawn_accuracy']:.2%}).")
    names, top = leaders("style_accuracy")
    lines.append(f"Most accurate on handwriting styles: {names} ({top['style_accuracy']:.2%}).")
    names, top = leaders("parameters", min)
    lines.append(f"Smallest: {names} ({top['parameters']:,} parameters).")
    names, top = leaders("latency_ms_1", min)
    lines.append(f"Fastest for one digit: {names} ({top['latency_ms_1']:.2f} ms).")
    names, top = leaders("throughput_64")
    lines.append(f"Highest batch-64 throughput: {names} ({top['throughput_64']:,.0f} digits/s).")
    return lines


def _onnx(value: float | None, form: str) -> str:
    return f" ({form.format(value)})" if value is not None else ""


def markdown(report: dict[str, Any]) -> str:
    header = (
        "| model | reads rows | MNIST test accuracy (95% CI) | re-drawn accuracy | style accuracy | parameters | file | "
        "training | 1-digit latency TF (ONNX) | batch-64 throughput TF (ONNX) | misses only it makes |\n"
        "| --- | :---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    lines = [header]
    for r in report["models"]:
        low, high = r["test_accuracy_ci95"]
        training = f"{r['training_seconds'] / 60:.1f} min ({r['epochs']} ep.)" if r["training_seconds"] else "?"
        if r.get("parent_training_seconds"):  # a fine-tune: the parent's training, then its own
            training = (
                f"{r['parent_training_seconds'] / 60:.1f} + {r['training_seconds'] / 60:.1f} min "
                f"({r['parent_epochs']} + {r['epochs']} ep.)"
            )
        lines.append(
            f"| {r['model']} | {'yes' if r['reads_rows'] else 'no'} | {r['test_accuracy']:.2%} ({low:.2%}-{high:.2%}) | "
            f"{r['redrawn_accuracy']:.2%} | {r['style_accuracy']:.2%} | "
            f"{r['parameters']:,} | {r['file_bytes'] / 1024:.0f} KiB | {training} | "
            f"{r['latency_ms_1']:.2f} ms{_onnx(r['onnx_latency_ms_1'], '{:.2f} ms')} | "
            f"{r['throughput_64']:,.0f}/s{_onnx(r['onnx_throughput_64'], '{:,.0f}/s')} | {r['misses_only_this_model']} |"
        )
    versions = ", ".join(f"{k} {v}" for k, v in report["versions"].items())
    notes = [
        "",
        f"Measured {report['created']} on {report['device']} ({versions}); re-drawn set: {report['redrawn_digits']:,} digits; "
        f"timing: {report['timing']}. Training times come from each model's metrics.json "
        "(a fine-tuned model: its parent's, then the fine-tune's).",
        "",
        *(f"- {line}" for line in report["summary"]),
    ]
    return "\n".join(lines + notes + style_table(report["styles"])) + "\n"


def style_table(styles: dict[str, Any]) -> list[str]:
    """Accuracy per handwriting style, one column per model."""
    models = styles["models"]
    lines = [
        "",
        f"Handwriting styles ({len(styles['names'])} styles x {styles['drawings_per_style']} drawings, "
        "model/style_benchmark.py):",
        "",
        "| style | " + " | ".join(models) + " |",
        "| --- |" + " ---: |" * len(models),
    ]
    for name in styles["names"]:
        lines.append(f"| {name} | " + " | ".join(f"{s['per_style'][name]:.0%}" for s in models.values()) + " |")
    return lines


def write_report(report: dict[str, Any], out: Path) -> str:
    """comparison.json and comparison.md in `out`; returns the Markdown."""
    out.mkdir(parents=True, exist_ok=True)
    artifacts.write_json(out / artifacts.COMPARISON_FILE, report)
    text = markdown(report)
    (out / REPORT_MD).write_text(text)
    return text
