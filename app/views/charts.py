"""The loss and accuracy charts of the model page: SVG geometry (polylines, ticks, the best epoch) computed
here, so the charts are inline SVG drawn by the template with no script."""

from __future__ import annotations

import math
from typing import Any

CHART_W, CHART_H = 560, 240
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 16, 14, 36


def nice_step(span: float, target: int = 5) -> float:
    """A step of 1, 2, 2.5 or 5 times a power of ten that cuts `span` into about `target` parts."""
    raw = span / target if span > 0 else 1
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


def decimals(step: float) -> int:
    """Digits after the point that show every multiple of `step` exactly (0.25 -> 2, 0.5 -> 1, 5 -> 0)."""
    for digits in range(6):
        if abs(round(step, digits) - step) < step * 1e-6:
            return digits
    return 6


def chart(epochs: list[int], series: list[dict[str, Any]], *, percent: bool, best_epoch: int | None) -> dict[str, Any] | None:
    """One chart: each series as "x,y x,y ..." points in a CHART_W x CHART_H box, y ticks at a nice step
    (percentages from a floor up to 100%; other values from 0), x ticks at whole epochs, the best epoch's x.
    None when there is nothing to draw."""
    values = [v for s in series for v in s["values"] if v is not None and math.isfinite(v)]
    if not epochs or not values:
        return None
    low, high = min(values), max(values)
    if percent:
        high = 1.0
        step = nice_step(high - low, 4)
        low = math.floor(low / step) * step
    else:
        low = 0.0
        step = nice_step(high, 4)
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
        label = f"{tick * 100:.{decimals(step * 100)}f}%" if percent else f"{tick:.{decimals(step)}f}"
        y_ticks.append({"y": y(tick), "label": label})
        tick += step
    x_step = max(1, int(nice_step(last - first, 6))) if last > first else 1
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
        "loss": chart(epochs, loss, percent=False, best_epoch=best_epoch),
        "accuracy": chart(epochs, accuracy, percent=True, best_epoch=best_epoch),
        "epochs": len(epochs),
        "seconds": sum(float(s) for s in history.get("seconds") or []),
    }
    return charts if charts["loss"] or charts["accuracy"] else None
