"""The style benchmark: hand-authored stroke templates of how people write each digit, drawn as a canvas would.

MNIST's writers were American; much of the world writes 1, 4, 7 and 9 differently. This set
measures how a model reads those styles. It is written independently of the training generator
(`model/styles.py`): neither module imports the other and no shape, length or jitter is shared,
so a good score means the model generalises to a style, not that it recalls the generator.

Each template is a list of strokes (polylines, x right and y down, the digit about 1 high).
Every drawing of a template gets its own seeded jitter: height 40-90% of a 280x280 canvas,
position, rotation, slant, aspect, a slow hand wobble, brush width 3-12% of the canvas (the
draw page's brush range), and for some drawings few points per stroke (a fast mouse). It is
rendered as a browser canvas exports it: black on white, round caps and joins, anti-aliased, PNG.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

CANVAS = 280
SUPERSAMPLE = 3  # draw at 3x and reduce: the anti-aliased edge a browser canvas gives
SEED = 1912
PER_STYLE = 100

Point = tuple[float, float]
Stroke = list[Point]


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, steps: int = 24) -> Stroke:
    """Points on an ellipse from `start` to `end` degrees (0 = right, 90 = down: clockwise on screen)."""
    angles = np.radians(np.linspace(start, end, steps + 1))
    return [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in angles]


@dataclass(frozen=True)
class Template:
    name: str
    digit: int
    strokes: tuple[Stroke, ...]


def _t(name: str, digit: int, *strokes: Stroke) -> Template:
    return Template(name, digit, tuple(strokes))


TEMPLATES: tuple[Template, ...] = (
    _t("0 oval", 0, arc(0.5, 0.5, 0.3, 0.5, -90, 272)),
    _t("0 narrow", 0, arc(0.5, 0.5, 0.16, 0.5, -100, 265)),
    _t("0 gap at the top", 0, arc(0.5, 0.5, 0.3, 0.5, -70, 245)),
    _t("0 overlapping start", 0, arc(0.5, 0.5, 0.3, 0.5, -120, 290, 30)),
    _t("1 plain stroke", 1, [(0.5, 0.0), (0.5, 1.0)]),
    _t("1 short flag", 1, [(0.4, 0.14), (0.52, 0.0), (0.52, 1.0)]),
    _t("1 long flag (European)", 1, [(0.26, 0.36), (0.56, 0.0), (0.56, 1.0)]),
    _t("1 flag and base line", 1, [(0.3, 0.3), (0.55, 0.0), (0.55, 1.0)], [(0.28, 1.0), (0.82, 1.0)]),
    _t("1 slanted", 1, [(0.64, 0.0), (0.36, 1.0)]),
    _t("1 slanted with flag", 1, [(0.42, 0.24), (0.7, 0.0), (0.4, 1.0)]),
    _t("2 plain", 2, arc(0.5, 0.28, 0.3, 0.28, 195, 370, 16) + [(0.22, 1.0), (0.84, 1.0)]),
    _t(
        "2 with a loop",
        2,
        arc(0.5, 0.28, 0.3, 0.28, 190, 365, 16) + [(0.32, 0.86)] + arc(0.36, 0.9, 0.1, 0.1, 180, 520, 16) + [(0.86, 0.98)],
    ),
    _t("2 angular", 2, [(0.2, 0.18), (0.45, 0.0), (0.78, 0.12), (0.74, 0.36), (0.2, 1.0), (0.84, 1.0)]),
    _t("3 round", 3, arc(0.48, 0.25, 0.28, 0.25, 200, 450, 20) + arc(0.48, 0.73, 0.32, 0.27, -90, 165, 20)),
    _t("3 flat top", 3, [(0.2, 0.0), (0.8, 0.0), (0.45, 0.38)] + arc(0.48, 0.68, 0.34, 0.31, -85, 165, 20)),
    _t("4 open", 4, [(0.32, 0.0), (0.18, 0.64), (0.86, 0.64)], [(0.66, 0.3), (0.66, 1.0)]),
    _t("4 closed", 4, [(0.64, 0.0), (0.14, 0.66), (0.86, 0.66)], [(0.64, 0.0), (0.64, 1.0)]),
    _t("4 crossed stem", 4, [(0.28, 0.0), (0.14, 0.6), (0.95, 0.6)], [(0.6, 0.16), (0.6, 1.0)]),
    _t("4 one stroke", 4, [(0.62, 1.0), (0.62, 0.0), (0.12, 0.66), (0.88, 0.66)]),
    _t("5 flag last", 5, [(0.3, 0.02), (0.26, 0.44)] + arc(0.48, 0.68, 0.3, 0.3, -130, 150, 18), [(0.3, 0.0), (0.8, 0.0)]),
    _t("5 one stroke", 5, [(0.78, 0.0), (0.3, 0.0), (0.26, 0.44)] + arc(0.48, 0.68, 0.3, 0.3, -130, 150, 18)),
    _t("5 angular", 5, [(0.78, 0.0), (0.28, 0.0), (0.25, 0.44), (0.7, 0.46), (0.76, 0.9), (0.24, 1.0)]),
    _t("6 curved", 6, arc(0.66, 0.5, 0.36, 0.5, -70, -180, 10) + arc(0.5, 0.72, 0.2, 0.27, 180, 540, 24)),
    _t("6 straight stem", 6, [(0.72, 0.0), (0.3, 0.62)] + arc(0.5, 0.74, 0.22, 0.25, 200, 555, 24)),
    _t("6 small loop", 6, arc(0.75, 0.55, 0.45, 0.55, -95, -170, 10) + arc(0.52, 0.84, 0.14, 0.16, 180, 540, 20)),
    _t("7 plain", 7, [(0.15, 0.0), (0.85, 0.0), (0.42, 1.0)]),
    _t("7 crossed", 7, [(0.15, 0.0), (0.85, 0.0), (0.42, 1.0)], [(0.42, 0.52), (0.84, 0.52)]),
    _t("7 hooked top", 7, [(0.16, 0.18), (0.18, 0.0), (0.84, 0.0), (0.44, 1.0)]),
    _t("7 curved stem", 7, [(0.15, 0.0), (0.85, 0.0)] + arc(1.3, 1.0, 0.86, 1.0, -135, -180, 10)),
    _t("8 one stroke", 8, arc(0.5, 0.24, 0.26, 0.24, 0, -270, 20) + arc(0.5, 0.73, 0.3, 0.27, -90, 270, 24) + [(0.76, 0.22)]),
    _t("8 two circles", 8, arc(0.5, 0.24, 0.24, 0.24, 90, 452, 20), arc(0.5, 0.74, 0.3, 0.26, -90, 272, 24)),
    _t("8 small top", 8, arc(0.5, 0.19, 0.17, 0.19, 90, 452, 20), arc(0.5, 0.69, 0.32, 0.31, -90, 272, 24)),
    _t("9 straight stem", 9, arc(0.48, 0.26, 0.28, 0.26, 0, 365, 22), [(0.76, 0.2), (0.76, 1.0)]),
    _t("9 curved tail", 9, arc(0.48, 0.26, 0.28, 0.26, 0, -365, 22) + arc(0.38, 0.55, 0.38, 0.45, 0, 100, 10)),
    _t("9 from the stem", 9, [(0.74, 1.0), (0.76, 0.22)] + arc(0.5, 0.26, 0.26, 0.24, -20, -360, 22)),
    _t("9 slanted stem", 9, arc(0.56, 0.24, 0.26, 0.24, 10, 370, 22) + [(0.34, 1.0)]),
)


@dataclass(frozen=True)
class StyledDrawing:
    data: bytes  # a 280x280 PNG, black ink on white
    label: int
    style: str


def drawings(per_style: int = PER_STYLE, seed: int = SEED) -> Iterator[StyledDrawing]:
    """Every template drawn `per_style` times, each with its own jitter; the same set on every run."""
    rng = np.random.default_rng(seed)
    for template in TEMPLATES:
        for _ in range(per_style):
            yield StyledDrawing(render(template, rng), template.digit, template.name)


def render(template: Template, rng: np.random.Generator) -> bytes:
    """One jittered drawing of a template as PNG bytes."""
    strokes = [_wobble(np.asarray(s, dtype=np.float64), rng) for s in template.strokes]
    if rng.random() < 0.3:  # a fast mouse: a point every 12-25% of the digit's height along each stroke
        spacing = rng.uniform(0.12, 0.25)
        strokes = [_few_points(s, spacing) for s in strokes]
    height = rng.uniform(0.40, 0.90) * CANVAS
    angle = math.radians(rng.uniform(-12.0, 12.0))
    slant, aspect = rng.uniform(-0.3, 0.3), rng.uniform(0.75, 1.25)
    linear = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]) @ np.array(
        [[aspect, -slant], [0.0, 1.0]]
    )
    placed = [(s - 0.5) @ linear.T * height for s in strokes]
    every = np.concatenate(placed)
    width = rng.uniform(0.03, 0.12) * CANVAS
    low, high = every.min(axis=0) - width / 2, every.max(axis=0) + width / 2
    scale = min(1.0, (CANVAS - 2) / float((high - low).max()))  # a wide digit still fits on the canvas
    placed, low, high, width = [p * scale for p in placed], low * scale, high * scale, width * scale
    offset = np.array([rng.uniform(-low[0], CANVAS - high[0]), rng.uniform(-low[1], CANVAS - high[1])])
    return _png([p + offset for p in placed], width)


def _wobble(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A slow, smooth hand tremor: each axis shifted by a low-frequency sine of the other."""
    amplitude = rng.uniform(0.0, 0.03, size=2)
    frequency, phase = rng.uniform(1.0, 3.0, size=2), rng.uniform(0, 2 * math.pi, size=2)
    shift = amplitude * np.sin(2 * math.pi * frequency * points[:, ::-1] + phase)
    return points + shift


def _few_points(points: np.ndarray, spacing: float) -> np.ndarray:
    """The polyline through points `spacing` apart along the stroke (curves cut to corners, as a coarse sampler does)."""
    lengths = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(points, axis=0), axis=1))])
    if lengths[-1] == 0:
        return points[:1]
    targets = np.linspace(0.0, lengths[-1], max(2, math.ceil(lengths[-1] / spacing) + 1))
    return np.stack([np.interp(targets, lengths, points[:, axis]) for axis in range(2)], axis=1)


def _png(strokes: list[np.ndarray], width: float) -> bytes:
    side, k = CANVAS * SUPERSAMPLE, SUPERSAMPLE
    image = Image.new("L", (side, side), 255)
    pen = ImageDraw.Draw(image)
    radius = width * k / 2
    for stroke in strokes:
        points = [(float(x) * k, float(y) * k) for x, y in stroke]
        if len(points) > 1:
            pen.line(points, fill=0, width=max(1, round(width * k)), joint="curve")
        for x, y in points[:: max(1, len(points) - 1)]:  # round caps at both ends
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=0)
    buffer = io.BytesIO()
    image.reduce(k).convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()
