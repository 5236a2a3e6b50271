"""Handwriting styles MNIST lacks, drawn with the mouse on the draw page: the shipped model reads them right.

Before the style training (issue 12) the European 1 below was answered 7.
"""

from __future__ import annotations

import pytest

from tests.e2e.drawing import draw_mouse, line, wait_for_answer

STYLES = {
    # a European 1: a long flag up to the top of the stem, then the stem
    "flagged-one": (1, [line((0.3, 0.36), (0.56, 0.12), (0.56, 0.88))]),
    # a 7 crossed through the middle of its stem
    "crossed-seven": (7, [line((0.28, 0.16), (0.74, 0.16), (0.46, 0.86)), line((0.42, 0.5), (0.74, 0.5))]),
    # a 4 with its top closed: a diagonal from the top of the stem down to the bar, then the stem
    "closed-four": (4, [line((0.6, 0.12), (0.24, 0.62), (0.78, 0.62)), line((0.6, 0.12), (0.6, 0.9))]),
}


@pytest.mark.parametrize("name", list(STYLES))
def test_style_drawn_with_the_mouse_is_recognised(page, name):
    expected, strokes = STYLES[name]
    page.goto("/")
    page.wait_for_selector("[data-testid=draw-app][data-ready=true]")
    draw_mouse(page, strokes)
    shown = wait_for_answer(page)
    assert shown["state"] == "ready"
    assert shown["digit"] == str(expected), f"{name}: expected {expected}, the page shows {shown}"


def test_model_card_shows_the_handwriting_styles(page, api, served, artifacts_dir):
    """Per-style accuracy from comparison.json (rowscan compare) and a sample of each style as the model sees it."""
    page.goto("/model")
    card = page.get_by_test_id("styles-card")
    report = api.get("/api/comparison") if api.status("/api/comparison") == 200 else {}
    styles = report.get("styles")
    if not styles or served["default"] not in styles["models"]:
        assert "rowscan compare" in card.get_by_test_id("styles-missing").text_content()
        return
    scores = styles["models"][served["default"]]
    tiles = card.get_by_test_id("style-tile")
    assert [t.get_attribute("data-style") for t in tiles.all()] == styles["names"]
    for tile in tiles.all():
        name = tile.get_attribute("data-style")
        assert float(tile.get_attribute("data-accuracy")) == pytest.approx(scores["per_style"][name])
        assert f"{scores['per_style'][name] * 100:.0f}%" in tile.text_content()
        assert ("is-hard" in tile.get_attribute("class")) == (scores["per_style"][name] < 0.97)
    assert page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=style-tile] img')].every(i => i.complete && i.naturalWidth === 28)"
    )
    assert f"{scores['accuracy'] * 100:.2f}%" in card.get_by_test_id("style-accuracy").text_content()
    card.screenshot(path=str(artifacts_dir / "model-styles.png"))
