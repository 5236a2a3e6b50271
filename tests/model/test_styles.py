"""The style synthesis (model/styles.py): the styles it promises, framed like MNIST, seeded, robust."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from scipy import ndimage

from model.stroke_width import stroke_width
from model.style_canvas import Canvas, frame, holes, reweigh, thin
from model.styles import stylise, stylised, with_styles

ROOT = Path(__file__).resolve().parents[2]


def mnist_like(strokes: list[list[tuple[int, int]]]) -> np.ndarray:
    """A 28x28 uint8 digit drawn with a 2-3 px pen, like MNIST's (light ink on black)."""
    image = Image.new("L", (28, 28), 0)
    pen = ImageDraw.Draw(image)
    for stroke in strokes:
        pen.line(stroke, fill=255, width=3)
    return np.asarray(image)


def with_rings(image: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
    """The digit with ring-shaped loops (ellipses in the given boxes) drawn on, 3 px wide."""
    canvas = Image.fromarray(image)
    for box in boxes:
        ImageDraw.Draw(canvas).ellipse(box, outline=255, width=3)
    return np.asarray(canvas)


ONE = mnist_like([[(14, 4), (14, 24)]])
SEVEN = mnist_like([[(7, 5), (21, 5), (12, 24)]])
SIX = with_rings(mnist_like([[(17, 4), (9, 18)]]), [(8, 13, 20, 24)])
OPEN_SIX = mnist_like([[(17, 4), (9, 18), (12, 23), (18, 21), (17, 15)]])  # its loop never closes
EIGHT = with_rings(np.zeros((28, 28), np.uint8), [(8, 3, 20, 13), (7, 12, 21, 24)])


def assert_framed_like_mnist(image: np.ndarray) -> None:
    assert image.shape == (28, 28) and image.dtype == np.uint8
    rows, cols = np.nonzero(image > 25)
    assert max(np.ptp(rows), np.ptp(cols)) <= 21  # longer side about 20 px
    com = ndimage.center_of_mass(image.astype(float))
    assert abs(com[0] - 14) <= 1.0 and abs(com[1] - 14) <= 1.0


def test_a_flagged_one_has_a_flag_down_to_the_left_of_its_top():
    flagged = 0
    for seed in range(20):
        image, style = stylise(ONE, 1, np.random.default_rng(seed))
        assert style.startswith("1 flag")
        assert_framed_like_mnist(image)
        rows, cols = np.nonzero(image > 100)
        top_rows = rows < rows.min() + 6
        stem = np.median(cols[rows > rows.min() + 10]) if "slanted" not in style else None
        if stem is not None and cols[top_rows].min() < stem - 2:
            flagged += 1
    assert flagged >= 8  # every unslanted one: ink reaches left of the stem near the top


def test_a_seven_is_crossed_or_hooked():
    styles = {stylise(SEVEN, 7, np.random.default_rng(seed))[1].split(",")[0] for seed in range(12)}
    assert styles == {"7 crossed", "7 hooked"}


def test_crossed_seven_puts_ink_both_sides_of_the_stem():
    for seed in range(30):
        image, style = stylise(SEVEN, 7, np.random.default_rng(seed))
        if style == "7 crossed":
            plain = frame(Canvas(SEVEN).ink)  # the same framing, without the bar

            def widest(im: np.ndarray) -> int:  # below the top bar: the diagonal alone is a few pixels wide
                top = int(np.flatnonzero((im > 100).any(axis=1))[0])
                return max(np.ptp(np.flatnonzero(row > 100)) if (row > 100).any() else 0 for row in im[top + 4 :])

            assert widest(image) > widest(plain) + 3
            return
    pytest.fail("no crossed seven in 30 seeds")


def ink_reach(image: np.ndarray, rows: slice) -> float:
    """How far the ink of some rows reaches right of the digit's centre column, as a share of its width."""
    ink = image > 100
    cols = np.flatnonzero(ink.any(axis=0))
    centre, width = (cols.min() + cols.max()) / 2, np.ptp(cols)
    return (np.flatnonzero(ink[rows].any(axis=0)).max() - centre) / width


def test_a_curled_six_arches_right_from_its_top_and_keeps_its_loop():
    curled = [stylise(SIX, 6, np.random.default_rng(seed)) for seed in range(30)]
    curled = [image for image, style in curled if style.startswith("6 curled top")]
    assert len(curled) >= 15  # every 6 with a closed loop (the rest of the time: canvas strokes too)
    plain = frame(Canvas(SIX).ink)
    for image in curled:
        assert_framed_like_mnist(image)
        top = slice(int(np.flatnonzero((image > 100).any(axis=1))[0]), None)
        top = slice(top.start, top.start + 4)
        plain_top = slice(int(np.flatnonzero((plain > 100).any(axis=1))[0]), None)
        assert ink_reach(image, top) > ink_reach(plain, slice(plain_top.start, plain_top.start + 4)) + 0.05
        assert holes(Canvas(image).ink > 0.5) == 1  # still a 6: the loop under the curl stays closed


def test_a_six_whose_loop_is_open_gets_no_curl():
    styles = {stylise(OPEN_SIX, 6, np.random.default_rng(seed))[1] for seed in range(20)}
    assert not any(style.startswith("6 curled top") for style in styles)


def test_a_small_topped_eight_keeps_both_loops_and_its_top_is_narrower():
    def top_to_bottom_width(image: np.ndarray) -> float:
        """The ink's width in the digit's top third over its width in the bottom third."""
        ink = image > 100
        rows = np.flatnonzero(ink.any(axis=1))
        third = (rows.max() - rows.min()) // 3
        top, bottom = ink[rows.min() : rows.min() + third], ink[rows.max() - third : rows.max() + 1]
        return np.ptp(np.flatnonzero(top.any(axis=0))) / np.ptp(np.flatnonzero(bottom.any(axis=0)))

    plain = frame(Canvas(EIGHT).ink)
    small = [stylise(EIGHT, 8, np.random.default_rng(seed)) for seed in range(20)]
    small = [image for image, style in small if style.startswith("8 small top")]
    assert len(small) >= 10
    for image in small:
        assert_framed_like_mnist(image)
        assert holes(Canvas(image).ink > 0.5) == 2
        assert top_to_bottom_width(image) < top_to_bottom_width(plain) - 0.05


def test_a_broader_or_finer_pen_changes_the_width_and_framing_brings_it_back_to_mnist():
    made = Counter()
    for seed in range(40):
        canvas = Canvas(SEVEN)
        before = int((canvas.ink > 0.5).sum())
        name = reweigh(canvas, np.random.default_rng(seed))
        made[name] += 1
        after = int((canvas.ink > 0.5).sum())
        if name == "broad pen":
            assert after >= before
        elif name == "fine pen":
            assert after <= before and ndimage.label(canvas.ink > 0.5)[1] == 1  # no wider, still one stroke
        assert_framed_like_mnist(frame(canvas.ink))
    assert made["broad pen"] >= 10 and made["fine pen"] >= 3
    marker = Canvas(SEVEN)
    marker.ink = np.asarray(ndimage.grey_dilation(marker.ink, size=(13, 13)))  # about 3 px wider at 28 px
    assert stroke_width(frame(marker.ink) > 127) <= 3.6  # thinned back into MNIST's range (2.0-3.2 px at 20 px)


def test_every_digit_is_styled_and_framed_and_the_same_seed_gives_the_same_images():
    images = np.stack([mnist_like([[(8, 6), (20, 6), (20, 22), (8, 22), (8, 6)]])] * 20)  # a box: has a loop
    labels = np.arange(20) % 10
    a = stylised(images, labels, seed=3)
    b = stylised(images, labels, seed=3)
    np.testing.assert_array_equal(a[0], b[0])
    assert a[2] == b[2]
    for image in a[0]:
        assert_framed_like_mnist(image)


def test_odd_inputs_do_not_break_it():
    rng = np.random.default_rng(0)
    odd = [np.zeros((28, 28), np.uint8), mnist_like([[(14, 14), (15, 14)]]), rng.integers(0, 256, (28, 28), dtype=np.uint8)]
    for image in odd:
        for label in range(10):
            styled, _ = stylise(image, label, rng)
            assert styled.shape == (28, 28)


def test_with_styles_appends_styled_copies_and_counts_them():
    images = np.stack([ONE, SEVEN] * 50)
    labels = np.array([1, 7] * 50)
    all_images, all_labels, counts = with_styles(images, labels, seed=1)
    added = len(all_labels) - 100
    assert 40 <= added <= 70  # 60% of the 1s, 50% of the 7s
    np.testing.assert_array_equal(all_images[:100], images)
    assert sum(counts.values()) == added
    assert set(all_labels[100:]) <= {1, 7}


def test_thin_and_holes():
    bar = np.zeros((20, 40), bool)
    bar[8:13, 5:35] = True
    skeleton = thin(bar)
    assert skeleton.sum() >= 20 and skeleton.any(axis=1).sum() <= 2  # a one-pixel line along the bar
    ring = np.zeros((60, 60), bool)
    yy, xx = np.mgrid[:60, :60]
    ring[(np.hypot(yy - 30, xx - 30) < 20) & (np.hypot(yy - 30, xx - 30) > 12)] = True
    assert holes(ring) == 1 and holes(bar) == 0


def test_the_generator_and_the_benchmark_share_no_code():
    for module, other in (("styles", "style_benchmark"), ("style_benchmark", "styles")):
        tree = ast.parse((ROOT / "model" / f"{module}.py").read_text())
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
            a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
        }
        assert f"model.{other}" not in imported and other not in imported
