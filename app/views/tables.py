"""The tables of the misses and model pages: the confusion matrix as coloured cells, accuracy per digit,
and the models side by side from comparison.json (written by `rowscan compare`)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from app.config import Settings
from app.registry import ModelRegistry
from model.artifacts import COMPARISON_FILE, ArtifactError, load_json
from model.shapes import DIGITS

HEAT_LEVELS = 8  # confusion-matrix colour classes heat-1 .. heat-8 (heat-0: none)

# The comparison table's columns whose best value is marked: (key, heading, better: "high" | "low" | None).
COMPARISON_COLUMNS = (
    ("test_accuracy", "MNIST test accuracy", "high"),
    ("redrawn_accuracy", "Re-drawn accuracy", "high"),
    ("style_accuracy", "Style accuracy", "high"),
    ("parameters", "Parameters", "low"),
    ("training_seconds", "Training", "low"),
    ("latency_ms_1", "1-digit latency", "low"),
    ("throughput_64", "Batch-64 throughput", "high"),
    ("misses_only_this_model", "Misses only it makes", None),
)


def comparison_report(settings: Settings, registry: ModelRegistry) -> dict[str, Any]:
    """comparison.json (written by `rowscan compare`) for the model page: rows, the best of each column,
    and which models this server answers with. {"missing": reason} when there is no usable report."""
    path = Path(settings.artifacts_dir) / COMPARISON_FILE
    if not path.is_file():
        return {"missing": "absent"}
    try:
        report = load_json(path)
        rows = [dict(row) for row in report["models"]]
    except (ArtifactError, KeyError, TypeError, ValueError) as exc:
        return {"missing": "unreadable", "error": str(exc)}
    best: dict[str, Any] = {}
    for key, _, better in COMPARISON_COLUMNS:
        values = [row[key] for row in rows if isinstance(row.get(key), int | float)]
        if better and len(values) > 1 and len(set(values)) > 1:
            best[key] = max(values) if better == "high" else min(values)
    for row in rows:
        row["served"] = row.get("model") in registry.models
        row["best"] = [key for key in best if row.get(key) == best[key]]
    return {
        "rows": rows,
        "summary": report.get("summary") or [],
        "created": report.get("created"),
        "device": report.get("device"),
        "redrawn_digits": report.get("redrawn_digits"),
        "timing": report.get("timing"),
        "styles": report.get("styles") if isinstance(report.get("styles"), dict) else None,
    }


def confusion_cells(metrics: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """10x10 cells with a heat class: misses scaled to the largest miss count, correct answers on their own scale."""
    matrix = metrics.get("confusion_matrix") or [[0] * DIGITS for _ in range(DIGITS)]
    off_diagonal = [matrix[t][p] for t in range(DIGITS) for p in range(DIGITS) if t != p]
    most = max(off_diagonal, default=0) or 1
    rows = []
    for true in range(DIGITS):
        row_total = sum(matrix[true]) or 1
        cells = []
        for predicted in range(DIGITS):
            count = int(matrix[true][predicted])
            if true == predicted:
                level = "correct"
                label = f"True {true}, predicted {predicted}: {count:,} correct ({count / row_total:.1%})"
            else:
                level = f"heat-{math.ceil(HEAT_LEVELS * math.sqrt(count / most))}" if count else "heat-0"
                noun = "miss" if count == 1 else "misses"
                label = f"True {true}, predicted {predicted}: {count} {noun}"
            cells.append({"true": true, "predicted": predicted, "count": count, "level": level, "label": label})
        rows.append(cells)
    return rows


def class_rows(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """Accuracy per digit, with how many were wrong and a bar scaled to the worst digit."""
    accuracy = metrics.get("per_class_accuracy") or []
    matrix = metrics.get("confusion_matrix")
    rows = []
    worst = max((1 - a for a in accuracy), default=0) or 1
    for digit, value in enumerate(accuracy):
        total = sum(matrix[digit]) if matrix else None
        wrong = total - matrix[digit][digit] if matrix else None
        rows.append(
            {"digit": digit, "accuracy": value, "total": total, "wrong": wrong, "bar": round(100 * (1 - value) / worst, 2)}
        )
    return rows
