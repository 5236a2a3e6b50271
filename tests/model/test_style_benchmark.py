"""The style benchmark's drawings (model/style_benchmark.py): many styles of every digit, drawn like a canvas."""

from __future__ import annotations

import io
from collections import Counter
from itertools import islice

import numpy as np
from PIL import Image

from app.preprocess import prepare_image_bytes
from model.style_benchmark import CANVAS, TEMPLATES, drawings


def test_at_least_30_styles_covering_every_digit():
    assert len(TEMPLATES) >= 30
    assert len({t.name for t in TEMPLATES}) == len(TEMPLATES)
    per_digit = Counter(t.digit for t in TEMPLATES)
    assert set(per_digit) == set(range(10)) and min(per_digit.values()) >= 2
    names = {t.name for t in TEMPLATES}
    for promised in ("1 long flag (European)", "1 flag and base line", "7 crossed", "7 hooked top", "4 closed", "4 open"):
        assert promised in names


def test_drawings_are_canvas_pngs_and_the_same_every_run():
    first = list(islice(drawings(per_style=2), 20))
    again = list(islice(drawings(per_style=2), 20))
    assert [d.data for d in first] == [d.data for d in again]
    assert len({d.data for d in first}) == 20  # every drawing jittered differently
    for drawing in first:
        image = Image.open(io.BytesIO(drawing.data))
        assert image.format == "PNG" and image.size == (CANVAS, CANVAS) and image.mode == "RGB"
        grey = np.asarray(image.convert("L"))
        assert grey[0, 0] == 255 or grey[-1, -1] == 255  # white paper
        assert grey.min() == 0  # black ink
        assert 0 < len(np.unique(grey)) and ((grey > 0) & (grey < 255)).any()  # anti-aliased edge
        prepared = prepare_image_bytes(drawing.data)
        assert not prepared.empty


def test_every_style_is_drawn_per_style_times():
    counts = Counter(d.style for d in drawings(per_style=3))
    assert counts == {t.name: 3 for t in TEMPLATES}
