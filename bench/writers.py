"""Synthetic writers outside MNIST: each has a hand (slant, stroke width, width, wobble) and habits
MNIST rarely shows (1s with a long flag, crossed 7s, closed 4s, slashed 0s, flat-topped 3s, looped 2s).

A digit is drawn as pen strokes in a unit box, styled, and rendered on a 280x280 white canvas with black
ink, as the draw page's pad exports it; the strokes come with timestamps, as the pad records them.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

Stroke = list[tuple[float, float]]
CANVAS = 280


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, n: int = 16) -> Stroke:
    return [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a))) for a in np.linspace(start, end, n)]


@dataclass(frozen=True)
class Writer:
    client_id: str
    slant: float  # horizontal shear: x += slant * (0.5 - y)
    width: float  # stroke width as a fraction of the canvas
    aspect: float  # digit width relative to its height
    wobble: float  # hand tremor, in unit-box coordinates
    flagged_one: bool  # 1 with a long flag and no base line (European): MNIST's model reads a 7
    crossed_seven: bool
    closed_four: bool
    slashed_zero: bool  # 0 with a slash, as programmers write it
    flat_three: bool  # 3 with a flat top and a diagonal, like a "Z" over a bowl
    looped_two: bool  # 2 with a loop at the bottom

    def strokes(self, digit: int) -> list[Stroke]:
        if digit == 1 and self.flagged_one:
            return [[(0.15, 0.38), (0.6, 0.06), (0.6, 0.94)]]
        if digit == 7 and self.crossed_seven:
            return [[(0.15, 0.1), (0.85, 0.1), (0.4, 0.92)], [(0.3, 0.5), (0.8, 0.5)]]
        if digit == 4 and self.closed_four:
            return [[(0.65, 0.92), (0.65, 0.08), (0.15, 0.62), (0.88, 0.62)]]
        if digit == 0 and self.slashed_zero:
            return [*PLAIN[0], [(0.8, 0.1), (0.2, 0.9)]]
        if digit == 3 and self.flat_three:
            return [[(0.2, 0.1), (0.8, 0.1), (0.45, 0.42)] + _arc(0.5, 0.66, 0.32, 0.26, -100, 150)]
        if digit == 2 and self.looped_two:
            return [_arc(0.5, 0.3, 0.3, 0.22, 200, 380) + [(0.35, 0.8)] + _arc(0.3, 0.82, 0.1, 0.1, 0, 300) + [(0.85, 0.92)]]
        return PLAIN[digit]

    def render(self, digit: int, rng: np.random.Generator) -> tuple[str, list[list[list[float]]]]:
        """A PNG data URL of the digit and its strokes as [x, y, t] points (x, y in [0, 1], t in ms)."""
        image = Image.new("L", (CANVAS, CANVAS), 255)
        pen = ImageDraw.Draw(image)
        size = rng.uniform(0.5, 0.75)
        left, top = rng.uniform(0.1, 0.9 - size * self.aspect), rng.uniform(0.08, 0.92 - size)
        recorded, clock = [], 0.0
        for stroke in self.strokes(digit):
            points = []
            for x, y in _densify(stroke):
                x += self.slant * (0.5 - y) + rng.normal(0, self.wobble)
                y += rng.normal(0, self.wobble)
                points.append((left + x * size * self.aspect, top + y * size))
            pen.line(
                [(px * CANVAS, py * CANVAS) for px, py in points], fill=0, width=max(2, round(self.width * CANVAS)), joint="curve"
            )
            recorded.append([[round(px, 4), round(py, 4), round(clock + 8.0 * i, 1)] for i, (px, py) in enumerate(points)])
            clock += 8.0 * len(points) + 150.0
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode(), recorded


def _densify(stroke: Stroke, step: float = 0.04) -> Stroke:
    points = [stroke[0]]
    for (x0, y0), (x1, y1) in zip(stroke, stroke[1:], strict=False):
        count = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) / step))
        points += [(x0 + (x1 - x0) * k / count, y0 + (y1 - y0) * k / count) for k in range(1, count + 1)]
    return points


PLAIN: dict[int, list[Stroke]] = {
    0: [_arc(0.5, 0.5, 0.32, 0.42, -90, 270)],
    1: [[(0.42, 0.18), (0.55, 0.08), (0.55, 0.92)]],
    2: [_arc(0.5, 0.3, 0.3, 0.22, 200, 380) + [(0.2, 0.92), (0.85, 0.92)]],
    3: [_arc(0.48, 0.28, 0.28, 0.2, 210, 450) + _arc(0.48, 0.7, 0.32, 0.22, -90, 150)],
    4: [[(0.6, 0.08), (0.15, 0.62), (0.88, 0.62)], [(0.65, 0.35), (0.65, 0.95)]],
    5: [[(0.8, 0.1), (0.32, 0.1), (0.27, 0.45)] + _arc(0.5, 0.66, 0.3, 0.26, -120, 150)],
    6: [[(0.7, 0.08)] + _arc(0.5, 0.68, 0.28, 0.25, 200, 560)],
    7: [[(0.15, 0.1), (0.85, 0.1), (0.4, 0.92)]],
    8: [_arc(0.5, 0.28, 0.24, 0.2, 90, 450) + _arc(0.5, 0.7, 0.3, 0.22, -90, 270)],
    9: [_arc(0.5, 0.3, 0.27, 0.22, 20, 380) + [(0.74, 0.45), (0.6, 0.95)]],
}


def make_writers(count: int, seed: int) -> list[Writer]:
    """`count` writers with random hands; most have at least one habit MNIST rarely shows."""
    rng = np.random.default_rng(seed)
    return [
        Writer(
            client_id=f"writer-{seed}-{index:03d}",
            slant=float(rng.uniform(-0.35, 0.45)),
            width=float(rng.uniform(0.03, 0.09)),
            aspect=float(rng.uniform(0.55, 1.0)),
            wobble=float(rng.uniform(0.0, 0.015)),
            flagged_one=bool(rng.random() < 0.7),
            crossed_seven=bool(rng.random() < 0.6),
            closed_four=bool(rng.random() < 0.5),
            slashed_zero=bool(rng.random() < 0.5),
            flat_three=bool(rng.random() < 0.5),
            looped_two=bool(rng.random() < 0.5),
        )
        for index in range(count)
    ]
