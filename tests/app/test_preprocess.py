"""Preprocessing: every format and encoding in, an MNIST-framed 28x28 out (its refusals: test_preprocess_rejections.py)."""

from __future__ import annotations

import base64

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from scipy import ndimage

from app.preprocess import (
    InvalidPixels,
    check_rows,
    prepare_image_bytes,
    prepare_image_string,
    prepare_pixels,
)
from tests.app.images import drawing, encode


def ink_bounds(pixels: np.ndarray, threshold: float = 0.1) -> tuple[int, int]:
    rows = np.flatnonzero((pixels > threshold).any(axis=1))
    cols = np.flatnonzero((pixels > threshold).any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def assert_mnist_framed(pixels: np.ndarray) -> None:
    """28x28 in [0, 1], the ink's longer side 20 px, its centre of mass on pixel (14, 14)."""
    assert pixels.shape == (28, 28) and pixels.dtype == np.float32
    assert 0.0 <= pixels.min() and pixels.max() <= 1.0 and pixels.max() > 0.9
    assert max(ink_bounds(pixels)) in (19, 20, 21)
    com = ndimage.center_of_mass(pixels)
    assert abs(com[0] - 14) <= 0.501 and abs(com[1] - 14) <= 0.501, com  # whole-pixel shifts, as MNIST


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF", "BMP"])
def test_every_allowed_format(fmt):
    prepared = prepare_image_bytes(encode(drawing(), fmt))
    assert not prepared.empty
    assert_mnist_framed(prepared.pixels)


def test_base64_and_data_url_give_the_same_result():
    data = encode(drawing())
    from_bytes = prepare_image_bytes(data).pixels
    encoded = base64.b64encode(data).decode()
    np.testing.assert_array_equal(prepare_image_string(encoded).pixels, from_bytes)
    np.testing.assert_array_equal(prepare_image_string("data:image/png;base64," + encoded).pixels, from_bytes)
    np.testing.assert_array_equal(prepare_image_string(encoded.rstrip("=")).pixels, from_bytes)  # padding optional
    wrapped = "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))  # MIME-style line breaks
    np.testing.assert_array_equal(prepare_image_string(wrapped).pixels, from_bytes)


def test_polarity_both_ways_gives_the_same_digit():
    dark_on_light = prepare_image_bytes(encode(drawing(ink=(0, 0, 0), paper=(255, 255, 255)))).pixels
    light_on_dark = prepare_image_bytes(encode(drawing(ink=(255, 255, 255), paper=(0, 0, 0)))).pixels
    np.testing.assert_allclose(dark_on_light, light_on_dark, atol=0.02)
    grey_paper = prepare_image_bytes(encode(drawing(ink=(40, 40, 40), paper=(200, 200, 200)))).pixels
    np.testing.assert_allclose(grey_paper, dark_on_light, atol=0.05)


def fat_zero(ink: tuple[int, ...], paper: tuple[int, ...], mode: str = "RGB") -> Image.Image:
    """A '0' drawn with a marker across the whole canvas: its ink covers more than half of the image."""
    image = Image.new(mode, (280, 280), paper)
    ImageDraw.Draw(image).ellipse((30, 4, 250, 276), outline=ink, width=80)
    return image


@pytest.mark.parametrize(
    ("ink", "paper", "mode"),
    [((255, 255, 255), (0, 0, 0), "RGB"), ((255, 255, 255, 255), (0, 0, 0, 0), "RGBA"), ((0, 0, 0, 255), (0, 0, 0, 0), "RGBA")],
    ids=["light-on-dark", "white-on-transparent", "black-on-transparent"],
)
def test_a_digit_covering_most_of_the_canvas_is_not_inverted(ink, paper, mode):
    """The paper is read from the border: the whole image's median took a fat digit's ink for paper.

    Compared by correlation: a 1/255 rounding difference between the polarities can move this
    symmetric ring's framing by a pixel; an inverted one would not correlate at all.
    """
    dark_on_light = fat_zero((0, 0, 0), (255, 255, 255))
    assert (np.asarray(dark_on_light.convert("L")) < 128).mean() > 0.5
    yy, xx = np.mgrid[:28, :28]
    ring = (np.abs(np.hypot((yy - 14) / 10, (xx - 14) / 7.5) - 0.8) < 0.2).astype(np.float32)
    for image in (dark_on_light, fat_zero(ink, paper, mode)):
        pixels = prepare_image_bytes(encode(image)).pixels
        assert pixels[14, 14] == 0.0 and pixels[14, 8] > 0.9  # a ring: ink around, a hole in the middle
        assert np.corrcoef(pixels.ravel(), ring.ravel())[0, 1] > 0.7


def test_a_tight_crop_through_the_strokes_still_finds_the_paper():
    """A border the strokes cover much of (a photo cropped to the digit) falls back to the whole image."""
    image = Image.new("L", (120, 160), 255)
    ImageDraw.Draw(image).ellipse((-10, -10, 130, 170), outline=0, width=22)  # the 0 runs along the edges
    prepared = prepare_image_bytes(encode(image)).pixels
    assert prepared[14, 14] == 0.0 and prepared.max() > 0.9


@pytest.mark.parametrize("ink", [(0, 0, 0, 255), (255, 255, 255, 255), (30, 60, 220, 255)], ids=["black", "white", "blue"])
def test_transparent_canvas(ink):
    image = drawing(mode="RGBA", ink=ink, paper=(0, 0, 0, 0) if ink[0] else (255, 255, 255, 0))
    reference = prepare_image_bytes(encode(drawing())).pixels
    prepared = prepare_image_bytes(encode(image))
    assert not prepared.empty
    np.testing.assert_allclose(prepared.pixels, reference, atol=0.05)


def test_palette_png_with_transparency():
    image = drawing(mode="RGBA", paper=(255, 255, 255, 0)).convert("P")
    image.info["transparency"] = 0
    assert_mnist_framed(prepare_image_bytes(encode(image)).pixels)


def test_sixteen_bit_png_keeps_its_range():
    grey = np.asarray(drawing().convert("L"), dtype=np.uint16) * 257  # 0..65535
    image = Image.fromarray(grey.astype(np.uint16))  # mode I;16
    assert image.mode.startswith("I")
    prepared = prepare_image_bytes(encode(image))
    reference = prepare_image_bytes(encode(drawing())).pixels
    np.testing.assert_allclose(prepared.pixels, reference, atol=0.02)


def test_cmyk_jpeg():
    assert_mnist_framed(prepare_image_bytes(encode(drawing().convert("CMYK"), "JPEG")).pixels)


@pytest.mark.parametrize(
    "box",
    [(8, 8, 40, 60), (20, 20, 260, 260), (200, 190, 270, 275), (5, 120, 60, 270)],
    ids=["tiny-corner", "huge", "off-centre", "small-left-bottom"],
)
def test_any_size_and_position_lands_centred(box):
    width = max(3, (box[3] - box[1]) // 9)
    prepared = prepare_image_bytes(encode(drawing(box=box, width=width)))
    assert_mnist_framed(prepared.pixels)


def test_same_digit_anywhere_gives_nearly_the_same_input():
    small = prepare_image_bytes(encode(drawing(box=(10, 10, 50, 70), width=7))).pixels
    large = prepare_image_bytes(encode(drawing(box=(40, 20, 200, 260), width=28))).pixels
    assert np.abs(small - large).mean() < 0.05


def test_a_one_pixel_wide_stroke_survives_as_a_full_strength_line():
    image = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(image).line([(140, 40), (140, 240)], fill=0, width=1)
    prepared = prepare_image_bytes(encode(image))
    assert not prepared.empty
    height, width = ink_bounds(prepared.pixels, threshold=0.3)
    assert height >= 19 and 1 <= width <= 4  # a vertical "1", about MNIST's stroke width
    assert prepared.pixels.max() == pytest.approx(1.0)


def stroke_width(pixels: np.ndarray) -> float:
    """2 x area / boundary of the ink above 0.5: exact for straight strokes."""
    ink = pixels > 0.5
    return 2 * ink.sum() / (ink & ~ndimage.minimum_filter(ink, size=3)).sum()


@pytest.mark.parametrize("width", [1, 4, 20, 60, 90])
def test_hairline_to_marker_strokes_come_out_mnist_like(width):
    """MNIST's test digits measure 2.0-3.2 px (5-95%) by this estimate; we allow a little more."""
    prepared = prepare_image_bytes(encode(drawing(box=(60, 40, 220, 240), width=width)))
    assert 1.9 <= stroke_width(prepared.pixels) <= 3.8


def test_jpeg_artefacts_and_faint_noise_are_ignored():
    rng = np.random.default_rng(0)
    grey = np.asarray(drawing().convert("L"), dtype=np.float32)
    noisy = np.clip(grey + rng.normal(0, 12, grey.shape), 0, 255).astype(np.uint8)
    prepared = prepare_image_bytes(encode(Image.fromarray(noisy), "JPEG", quality=40))
    reference = prepare_image_bytes(encode(drawing())).pixels
    assert_mnist_framed(prepared.pixels)
    assert np.abs(prepared.pixels - reference).mean() < 0.03


def test_a_speck_beside_the_digit_does_not_move_it():
    image = drawing(box=(100, 60, 180, 220))
    ImageDraw.Draw(image).ellipse((5, 5, 8, 8), fill=(0, 0, 0))
    reference = prepare_image_bytes(encode(drawing(box=(100, 60, 180, 220)))).pixels
    np.testing.assert_allclose(prepare_image_bytes(encode(image)).pixels, reference, atol=0.02)


@pytest.mark.parametrize("specks", [0, 1, 5])
def test_empty_and_speck_only_canvases_are_empty(specks):
    image = Image.new("RGB", (280, 280), "white")
    pen = ImageDraw.Draw(image)
    rng = np.random.default_rng(specks)
    for x, y in rng.integers(10, 270, (specks, 2)):
        pen.ellipse((x, y, x + 3, y + 3), fill="black")
    prepared = prepare_image_bytes(encode(image))
    assert prepared.empty
    assert not prepared.pixels.any()


def test_uniform_grey_and_transparent_canvases_are_empty():
    assert prepare_image_bytes(encode(Image.new("L", (280, 280), 128))).empty
    assert prepare_image_bytes(encode(Image.new("RGBA", (280, 280), (0, 0, 0, 0)))).empty


# ---------------------------------------------------------------------------- prepared pixels


def test_prepared_pixels_are_used_as_they_are():
    rng = np.random.default_rng(3)
    values = rng.random((28, 28)).astype(np.float32)
    np.testing.assert_array_equal(prepare_pixels(values.tolist()).pixels, values)
    np.testing.assert_array_equal(prepare_pixels(values.reshape(-1).tolist()).pixels, values)


def test_blank_pixels_are_empty():
    assert prepare_pixels([[0.0] * 28] * 28).empty
    assert not prepare_pixels([[0.5] * 28] * 28).empty


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([[0.0] * 28] * 27, r"shape \[27, 28\]"),
        ([[[0.0] * 3] * 28] * 28, r"shape \[28, 28, 3\]"),
        ([0.0] * 785, r"shape \[785\]"),
        ([], r"shape \[0\]"),
        ([["a"] * 28] * 28, "must be numbers"),
        ([[0.0] * 28] * 27 + [[0.0] * 27], "must be numbers"),
        ([[float("nan")] * 28] * 28, "NaN"),
        ([[float("inf")] * 28] * 28, "infinity"),
        ([1e300] * 784, "too large"),
        ([[-0.1] * 28] * 28, r"range from -0.1"),
        ([[255.0] * 28] * 28, "divide 0-255 values by 255"),
    ],
)
def test_bad_pixels(values, message):
    with pytest.raises(InvalidPixels, match=message):
        prepare_pixels(values)


def test_check_rows_batches():
    assert check_rows(np.zeros((3, 784)), batched=True).shape == (3, 28, 28)
    with pytest.raises(InvalidPixels, match="holds no digits"):
        check_rows(np.zeros((0, 784)), batched=True)


# ---------------------------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    size=st.integers(40, 400),
    data=st.data(),
)
def test_any_drawn_stroke_comes_out_framed(size, data):
    """For any visible stroke on any canvas: 28x28, in [0, 1], ink 20 px long, centred by mass."""
    x0, y0, x1, y1 = (data.draw(st.integers(0, size - 1)) for _ in range(4))
    if max(abs(x1 - x0), abs(y1 - y0)) < size * 0.2:  # too small to be more than a speck
        return
    width = data.draw(st.integers(max(1, size // 60), max(2, size // 10)))
    image = Image.new("L", (size, size), 0)
    ImageDraw.Draw(image).line([(x0, y0), (x1, y1)], fill=255, width=width)
    prepared = prepare_image_bytes(encode(image))
    assert not prepared.empty
    assert_mnist_framed(prepared.pixels)
