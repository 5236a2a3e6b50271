"""Digits as strokes, and ways to draw them on the page (mouse, or touch through the DevTools protocol).

A stroke is a list of (x, y) points in [0, 1] relative to the drawing canvas (0, 0 is its top-left corner).
"""

from __future__ import annotations

import math

Stroke = list[tuple[float, float]]


def line(*points: tuple[float, float]) -> Stroke:
    return list(points)


def arc(cx: float, cy: float, rx: float, ry: float, start_deg: float, end_deg: float, steps: int = 24) -> Stroke:
    """Points on an ellipse from start to end angle (degrees; 0 = right, 90 = down, as on screen)."""
    return [
        (
            cx + rx * math.cos(math.radians(start_deg + (end_deg - start_deg) * i / steps)),
            cy + ry * math.sin(math.radians(start_deg + (end_deg - start_deg) * i / steps)),
        )
        for i in range(steps + 1)
    ]


# The digits drawn in the tests: different shapes, sizes and positions.
DIGITS: dict[str, tuple[int, list[Stroke]]] = {
    # a "1": a short vertical line, small, in the top-left corner
    "one-small-corner": (1, [line((0.16, 0.08), (0.15, 0.34))]),
    # a "0": a large ellipse filling most of the canvas
    "zero-large-ellipse": (0, [arc(0.5, 0.5, 0.3, 0.4, -90, 275, steps=40)]),
    # a "7": a top bar and a long diagonal, off-centre to the right
    "seven-off-centre": (7, [line((0.45, 0.15), (0.88, 0.15), (0.62, 0.78))]),
    # a "4": an open four in two strokes
    "four-two-strokes": (4, [line((0.32, 0.15), (0.22, 0.55), (0.72, 0.55)), line((0.6, 0.3), (0.6, 0.88))]),
    # a "2": a hook, a diagonal and a base, lower half of the canvas
    "two-hook": (2, [arc(0.5, 0.42, 0.2, 0.14, 200, 360, steps=16) + [(0.68, 0.5), (0.3, 0.86), (0.74, 0.86)]]),
    # a "3": two bumps on the right
    "three-two-bumps": (3, [arc(0.48, 0.3, 0.18, 0.14, 200, 450, steps=20) + arc(0.48, 0.66, 0.2, 0.19, -90, 160, steps=20)]),
    # a "5": flag, down stroke, then a bowl; thin-ish and tall
    "five-flag-bowl": (5, [line((0.66, 0.14), (0.36, 0.14), (0.33, 0.45)) + arc(0.49, 0.62, 0.2, 0.19, -125, 150, steps=22)]),
    # a "6": one stroke from the top down into a loop
    "six-one-stroke": (6, [[(0.62, 0.12), (0.5, 0.25), (0.4, 0.42)] + arc(0.5, 0.66, 0.15, 0.17, 180, 540, steps=28)]),
    # an "8": two loops stacked, in the left half
    "eight-two-loops": (8, [arc(0.32, 0.3, 0.12, 0.14, 90, 450, steps=24), arc(0.32, 0.6, 0.15, 0.16, -90, 270, steps=24)]),
    # a "9": a loop and a stem, small and low
    "nine-small-low": (9, [arc(0.55, 0.58, 0.1, 0.09, 0, 365, steps=24), line((0.65, 0.58), (0.64, 0.92))]),
}


def canvas_box(page, test_id: str = "canvas") -> dict:
    box = page.get_by_test_id(test_id).bounding_box()
    assert box, "the drawing canvas is not visible"
    return box


def _steps(a: tuple[float, float], b: tuple[float, float], spacing: float = 0.04) -> int:
    """Pointer events along a segment: one every `spacing` of the canvas side (like a hand, not a jump)."""
    return max(1, math.ceil(math.dist(a, b) / spacing))


def draw_mouse(page, strokes: list[Stroke], canvas: str = "canvas") -> None:
    """Draw with the mouse on the canvas with data-testid `canvas` (the compare page's is "compare-canvas")."""
    box = canvas_box(page, canvas)

    def at(point: tuple[float, float]) -> tuple[float, float]:
        return box["x"] + point[0] * box["width"], box["y"] + point[1] * box["height"]

    for stroke in strokes:
        page.mouse.move(*at(stroke[0]))
        page.mouse.down()
        for previous, point in zip(stroke, stroke[1:], strict=False):
            page.mouse.move(*at(point), steps=_steps(previous, point))
        page.mouse.up()


def draw_touch(page, strokes: list[Stroke], canvas: str = "canvas") -> None:
    """Real touch input through the DevTools protocol: Chromium turns it into pointer events of type "touch"."""
    box = canvas_box(page, canvas)
    cdp = page.context.new_cdp_session(page)

    def touch(kind: str, point: tuple[float, float] | None) -> None:
        points = (
            []
            if point is None
            else [{"x": box["x"] + point[0] * box["width"], "y": box["y"] + point[1] * box["height"], "id": 1}]
        )
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    for stroke in strokes:
        touch("touchStart", stroke[0])
        previous = stroke[0]
        for point in stroke[1:]:
            steps = _steps(previous, point)
            for k in range(1, steps + 1):
                t = k / steps
                touch("touchMove", (previous[0] + (point[0] - previous[0]) * t, previous[1] + (point[1] - previous[1]) * t))
            previous = point
        touch("touchEnd", None)
    cdp.detach()


def _wait_until_settled(page, app_test_id: str) -> None:
    """Until the page has answered its latest drawing (the app's data-seq catches up with data-requested)."""
    page.wait_for_function(
        """(testId) => {
            const app = document.querySelector(`[data-testid=${testId}]`);
            return ['ready', 'empty', 'error'].includes(app.dataset.state) && app.dataset.seq === app.dataset.requested;
        }""",
        arg=app_test_id,
    )


def wait_for_answer(page) -> dict:
    """Wait until the answer for the current drawing is shown; return what the page shows."""
    _wait_until_settled(page, "draw-app")
    return page.evaluate(
        """() => {
            const app = document.querySelector('[data-testid=draw-app]');
            return {
                state: app.dataset.state,
                digit: document.querySelector('[data-testid=prediction]').textContent.trim(),
                message: document.querySelector('[data-testid=message]').textContent.trim(),
                bars: Array.from(document.querySelectorAll('[data-testid=probabilities] .bar')).map(b => Number(b.dataset.p)),
            };
        }"""
    )


def bars(page) -> list[float]:
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('[data-testid=probabilities] .bar')).map(b => Number(b.dataset.p))"
    )


# Drawings that are not clearly one digit, for the compare page: models are more likely to disagree on them.
AMBIGUOUS: dict[str, list[Stroke]] = {
    # a "4" with its top closed: a 4 or a 9
    "four-or-nine": [line((0.62, 0.12), (0.3, 0.14), (0.26, 0.5), (0.68, 0.5)), line((0.66, 0.08), (0.64, 0.92))],
    # a "1" with a flag and a slant: a 1 or a 7
    "one-or-seven": [line((0.34, 0.3), (0.6, 0.12), (0.52, 0.9))],
    # an open loop with a tail: a 6 or a 0
    "six-or-zero": [arc(0.5, 0.55, 0.24, 0.3, -60, 250, steps=30)],
    # a "3" whose top bends back: a 3 or a 5
    "three-or-five": [line((0.66, 0.14), (0.34, 0.18), (0.36, 0.44)) + arc(0.48, 0.64, 0.2, 0.2, -110, 160, steps=22)],
    # an "8" with the lower loop left open: an 8 or a 9 or a 3
    "eight-open": [arc(0.5, 0.3, 0.16, 0.15, 90, 450, steps=24) + arc(0.5, 0.66, 0.17, 0.2, -90, 150, steps=18)],
    # a "2" with a loop at the bottom: a 2 or an 8
    "two-looped": [
        arc(0.5, 0.36, 0.2, 0.16, 190, 360, steps=14)
        + [(0.66, 0.46), (0.36, 0.8)]
        + arc(0.46, 0.78, 0.1, 0.08, 180, 520, steps=16)
        + [(0.76, 0.86)]
    ],
}


def wait_for_compare(page) -> dict:
    """Wait until the compare page shows the answers for the current drawing; return what each panel shows."""
    _wait_until_settled(page, "compare-app")
    return page.evaluate(
        """() => {
            const app = document.querySelector('[data-testid=compare-app]');
            const banner = document.querySelector('[data-testid=disagreement]');
            return {
                state: app.dataset.state,
                seq: app.dataset.seq,
                verdict: document.querySelector('[data-testid=verdict]').textContent.trim(),
                disagreement: banner.hidden ? null : banner.textContent.trim(),
                panels: Array.from(document.querySelectorAll('[data-testid=compare-model]')).map(p => ({
                    model: p.dataset.model,
                    state: p.dataset.state,
                    seq: p.dataset.seq,
                    differs: p.dataset.differs === 'true',
                    digit: p.querySelector('[data-testid=compare-prediction]').textContent.trim(),
                    message: p.querySelector('[data-testid=compare-message]').textContent.trim(),
                    detail: p.querySelector('[data-testid=compare-detail]').textContent.trim(),
                    bars: Array.from(p.querySelectorAll('[data-testid=compare-probabilities] .bar'))
                        .map(b => Number(b.dataset.p)),
                })),
            };
        }"""
    )
