"""The browser UI: server-rendered Jinja2 pages; the drawing and charts are plain JavaScript in static/.

Everything a page needs comes from this origin (the Content-Security-Policy allows nothing else), so the
UI works in a lecture hall with no network. Server data reaches the scripts through `data-*` attributes
or the JSON API; there are no inline scripts, handlers or style attributes.

`?lecture=1` on any page turns on lecture mode (large type, high contrast, shortcuts on screen); the links
between pages keep it. `?model=<name>` on /misses and /model chooses which served model they show (an
unknown name shows the default); /compare answers one drawing with every served model at once.
"""

from __future__ import annotations

import hashlib
import math
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app.config import Settings
from app.registry import ModelRegistry, ServedModel
from model.artifacts import COMPARISON_FILE, ArtifactError, load_json

router = APIRouter(include_in_schema=False)

PAGES = (
    ("draw", "/", "Draw"),
    ("compare", "/compare", "Compare"),
    ("misses", "/misses", "Misses"),
    ("model", "/model", "Model"),
)
MISSES_VIEWS = ("misses", "disagreements")
TRUE_VALUES = {"1", "true", "yes", "on"}
HEAT_LEVELS = 8  # confusion-matrix colour classes heat-1 .. heat-8 (heat-0: none)


def mount_static(app: FastAPI, settings: Settings) -> None:
    """Serve static/ and keep the page templates on the app (built from these settings, not import-time ones)."""
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    app.state.templates = _build_templates(settings)


def _build_templates(settings: Settings) -> Jinja2Templates:
    templates = Jinja2Templates(directory=settings.templates_dir)
    static_dir = Path(settings.static_dir)

    def asset(path: str) -> str:
        """/static/<path>?v=<content hash>: browsers cache the files but pick up a new version at once."""
        return f"/static/{path}?v={_file_version(static_dir / path)}"

    templates.env.globals["asset"] = asset
    templates.env.filters["percent"] = _percent
    templates.env.filters["thousands"] = lambda value: f"{int(value):,}"
    templates.env.filters["model_label"] = model_label
    return templates


def model_label(name: str) -> str:
    """How a model is named on the pages: "lstm" -> "LSTM"."""
    return str(name).upper()


@lru_cache(maxsize=64)
def _file_version_cached(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def _file_version(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError:
        return "0"
    return _file_version_cached(path, stat.st_mtime_ns, stat.st_size)


def _percent(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "n/a"
    return f"{value * 100:.{digits}f}%"


def _lecture(request: Request) -> bool:
    return request.query_params.get("lecture", "").lower() in TRUE_VALUES


def _link(path: str, lecture: bool, **params: Any) -> str:
    query = {key: value for key, value in params.items() if value is not None}
    if lecture:
        query["lecture"] = "1"
    return f"{path}?{urlencode(query)}" if query else path


def _selected(request: Request) -> ServedModel:
    """The model named by ?model= (one of those served), else the default."""
    registry: ModelRegistry = request.app.state.registry
    name = request.query_params.get("model", "")
    return registry.models.get(name) or registry.get()


def _render(request: Request, template: str, page: str, served: ServedModel | None = None, **context: Any) -> HTMLResponse:
    registry: ModelRegistry = request.app.state.registry
    served = served or registry.get()
    lecture = _lecture(request)
    nav = [{"key": key, "href": _link(path, lecture), "path": path, "label": label} for key, path, label in PAGES]
    return request.app.state.templates.TemplateResponse(
        request,
        template,
        {
            "registry": registry,
            "served": served,
            "metrics": served.metrics,
            "page": page,
            "lecture": lecture,
            "nav": nav,
            "link": lambda path, **params: _link(path, lecture, **params),
            **context,
        },
    )


@router.get("/", response_class=HTMLResponse)
async def draw(request: Request) -> HTMLResponse:
    return _render(request, "draw.html", "draw")


@router.get("/compare", response_class=HTMLResponse)
async def compare(request: Request) -> HTMLResponse:
    return _render(request, "compare.html", "compare")


@router.get("/misses", response_class=HTMLResponse)
async def misses(request: Request) -> HTMLResponse:
    served = _selected(request)
    view = request.query_params.get("view", "")
    view = view if view in MISSES_VIEWS else "misses"
    return _render(request, "misses.html", "misses", served=served, view=view, matrix=confusion_cells(served.metrics))


@router.get("/model", response_class=HTMLResponse)
async def model_page(request: Request) -> HTMLResponse:
    served = _selected(request)
    return _render(
        request,
        "model.html",
        "model",
        served=served,
        charts=training_charts(served.history, served.metrics.get("best_epoch")),
        classes=class_rows(served.metrics),
        device=request.app.state.registry.runtime["device"],
        serving_versions=request.app.state.registry.runtime["versions"],
        comparison=comparison_report(request.app.state.settings, request.app.state.registry),
    )


# --- Server-side data for the templates -------------------------------------------------------------

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
    matrix = metrics.get("confusion_matrix") or [[0] * 10 for _ in range(10)]
    off_diagonal = [matrix[t][p] for t in range(10) for p in range(10) if t != p]
    most = max(off_diagonal, default=0) or 1
    rows = []
    for true in range(10):
        row_total = sum(matrix[true]) or 1
        cells = []
        for predicted in range(10):
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


CHART_W, CHART_H = 560, 240
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 16, 14, 36


def _nice_step(span: float, target: int = 5) -> float:
    raw = span / target if span > 0 else 1
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


def _decimals(step: float) -> int:
    """Digits after the point that show every multiple of `step` exactly (0.25 -> 2, 0.5 -> 1, 5 -> 0)."""
    for digits in range(6):
        if abs(round(step, digits) - step) < step * 1e-6:
            return digits
    return 6


def _chart(epochs: list[int], series: list[dict[str, Any]], *, percent: bool, best_epoch: int | None) -> dict[str, Any] | None:
    values = [v for s in series for v in s["values"] if v is not None and math.isfinite(v)]
    if not epochs or not values:
        return None
    low, high = min(values), max(values)
    if percent:
        high = 1.0
        step = _nice_step(high - low, 4)
        low = math.floor(low / step) * step
    else:
        low = 0.0
        step = _nice_step(high, 4)
        high = math.ceil(high / step) * step or step
    first, last = epochs[0], epochs[-1]
    plot_w, plot_h = CHART_W - PAD_LEFT - PAD_RIGHT, CHART_H - PAD_TOP - PAD_BOTTOM

    def x(epoch: float) -> float:
        return round(PAD_LEFT + (plot_w * (epoch - first) / (last - first) if last > first else plot_w / 2), 2)

    def y(value: float) -> float:
        return round(PAD_TOP + plot_h * (1 - (value - low) / (high - low or 1)), 2)

    y_ticks = []
    tick = low
    while tick <= high + step / 1000:
        label = f"{tick * 100:.{_decimals(step * 100)}f}%" if percent else f"{tick:.{_decimals(step)}f}"
        y_ticks.append({"y": y(tick), "label": label})
        tick += step
    x_step = max(1, int(_nice_step(last - first, 6))) if last > first else 1
    marks = [e for e in range(first, last + 1) if e % x_step == 0]
    marks = [first] + [e for e in marks if e - first >= x_step / 2]
    if last - marks[-1] >= x_step / 2:
        marks.append(last)
    x_ticks = [{"x": x(e), "label": str(e)} for e in marks]
    lines = []
    for s in series:
        points = [(x(e), y(v)) for e, v in zip(epochs, s["values"], strict=False) if v is not None and math.isfinite(v)]
        if points:
            lines.append(
                {
                    **s,
                    "points": " ".join(f"{px},{py}" for px, py in points),
                    "last": s["values"][len(points) - 1],
                    "end": points[-1],
                }
            )
    best = None
    if best_epoch is not None and first <= best_epoch <= last:
        best = {"x": x(best_epoch), "epoch": best_epoch}
    return {
        "width": CHART_W,
        "height": CHART_H,
        "left": PAD_LEFT,
        "right": CHART_W - PAD_RIGHT,
        "top": PAD_TOP,
        "bottom": CHART_H - PAD_BOTTOM,
        "y_ticks": y_ticks,
        "x_ticks": x_ticks,
        "lines": lines,
        "best": best,
        "percent": percent,
    }


def training_charts(history: dict[str, Any] | None, best_epoch: int | None) -> dict[str, Any] | None:
    """Polyline coordinates for the loss and accuracy charts (inline SVG, no script needed)."""
    if not history:
        return None
    epochs = [int(e) for e in history.get("epoch") or range(1, len(history.get("loss") or []) + 1)]

    def series(key: str, label: str, kind: str) -> dict[str, Any] | None:
        values = history.get(key)
        if not values:
            return None
        return {"key": key, "label": label, "kind": kind, "values": [None if v is None else float(v) for v in values]}

    loss = [s for s in (series("loss", "Training", "train"), series("val_loss", "Validation", "val")) if s]
    accuracy = [s for s in (series("accuracy", "Training", "train"), series("val_accuracy", "Validation", "val")) if s]
    charts = {
        "loss": _chart(epochs, loss, percent=False, best_epoch=best_epoch),
        "accuracy": _chart(epochs, accuracy, percent=True, best_epoch=best_epoch),
        "epochs": len(epochs),
        "seconds": sum(float(s) for s in history.get("seconds") or []),
    }
    return charts if charts["loss"] or charts["accuracy"] else None
