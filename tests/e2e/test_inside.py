"""The "Inside the LSTM" panel in a real browser: it shows the recurrent model's memory and gates for the
drawing, follows the row slider, marks the rows that mattered; the CNN gets a note instead."""

from __future__ import annotations

import pytest

from tests.e2e.drawing import DIGITS, draw_mouse, wait_for_answer
from tests.e2e.test_draw import last_answer, open_draw

GATES = {"lstm": ["forget", "input", "output", "candidate"], "gru": ["update", "reset", "candidate"]}
UNITS = {"lstm": 128, "gru": 150}


def panel_ready(page) -> dict:
    """Wait for the panel to show the current drawing's insides; return what it shows."""
    page.wait_for_selector("[data-testid=inside-panel][data-state=ready]")
    return page.evaluate(
        """() => {
            const panel = document.querySelector('[data-testid=inside-panel]');
            const canvas = (id) => document.querySelector(`[data-testid=${id}] canvas`);
            return {
                kind: panel.dataset.kind,
                row: panel.dataset.row,
                final: panel.classList.contains('is-final'),
                topRows: panel.dataset.topRows,
                topBy: panel.dataset.topBy,
                hiddenUnits: canvas('inside-hidden') && canvas('inside-hidden').width,
                hiddenRows: canvas('inside-hidden') && canvas('inside-hidden').height,
                cell: Boolean(canvas('inside-cell')),
                gates: Array.from(panel.querySelectorAll('[data-gate]')).map((g) => g.dataset.gate),
                lines: Array.from(panel.querySelectorAll('[data-gate] path')).map((p) => p.getAttribute('d').split('L').length),
                title: panel.querySelector('h2').textContent,
                explainer: panel.querySelector('.inside-explainer').textContent,
                readout: document.querySelector('[data-testid=inside-readout]').textContent,
            };
        }"""
    )


@pytest.mark.parametrize("model", ["lstm", "gru"])
def test_panel_shows_the_insides_and_follows_the_slider(page, served, artifacts_dir, model):
    if model not in served["names"]:
        pytest.skip(f"the server does not serve '{model}' (ROWSCAN_MODELS)")
    responses = open_draw(page, f"/?model={model}")
    draw_mouse(page, DIGITS["seven-off-centre"][1])
    assert wait_for_answer(page)["digit"] == "7"
    shown = panel_ready(page)
    answer = last_answer(responses)
    explain = answer["explain"]

    assert shown["kind"] == model and shown["title"] == f"Inside the {model.upper()}"
    assert (shown["hiddenUnits"], shown["hiddenRows"]) == (UNITS[model], 28)
    assert shown["cell"] == (model == "lstm")
    assert shown["gates"] == GATES[model] and shown["lines"] == [28] * len(GATES[model])
    assert "gate" in shown["explainer"] and len(shown["explainer"]) > 200
    assert shown["final"] and shown["row"] == "28"
    # the rows marked as mattering most: those whose blanking lowers the 7 most, or when no single row moves the
    # final answer by a point (a confident answer), those whose reading raised it most
    scores = explain["row_occlusion"] if max(explain["row_occlusion"]) >= 0.01 else explain["row_change"]
    assert shown["topBy"] == ("occlusion" if scores is explain["row_occlusion"] else "change")
    marked = [int(r) - 1 for r in shown["topRows"].split(",")]
    assert marked and marked == sorted(range(28), key=lambda t: -scores[t])[: len(marked)]
    assert all(any(answer["input"][t]) for t in marked)

    slider = page.get_by_test_id("row-slider")
    slider.fill("12")
    panel = page.get_by_test_id("inside-panel")
    assert panel.get_attribute("data-row") == "12" and "is-final" not in panel.get_attribute("class")
    forget_or_update = GATES[model][0]
    mean = sum(explain["gates"][forget_or_update][11]) / UNITS[model]
    readout = page.get_by_test_id("inside-readout").text_content()
    assert readout.startswith("Row 12:") and f"{forget_or_update} {mean:.2f}" in readout
    cursor = page.locator("[data-testid=inside-hidden] .inside-cursor").bounding_box()
    plot = page.locator("[data-testid=inside-hidden] .inside-plot").bounding_box()
    assert cursor["y"] - plot["y"] == pytest.approx(11 * plot["height"] / 28, abs=2)  # the cursor is on row 12
    slider.focus()
    page.keyboard.press("ArrowRight")
    assert panel.get_attribute("data-row") == "13"
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / f"inside-{model}-row-13.png"), full_page=True)


def test_panel_in_lecture_mode(page, artifacts_dir):
    open_draw(page, "/?lecture=1")
    draw_mouse(page, DIGITS["four-two-strokes"][1])
    wait_for_answer(page)
    panel_ready(page)
    page.get_by_test_id("row-slider").fill("16")
    panel = page.get_by_test_id("inside-panel")
    assert panel.get_attribute("data-row") == "16"
    caption = page.locator("[data-testid=inside-hidden] figcaption")
    assert float(caption.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)")) >= 16  # readable on a projector
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "inside-lecture.png"), full_page=True)


def test_clearing_the_drawing_empties_the_panel(page):
    open_draw(page)
    draw_mouse(page, DIGITS["one-small-corner"][1])
    wait_for_answer(page)
    panel_ready(page)
    page.get_by_test_id("clear").click()
    page.wait_for_selector("[data-testid=inside-panel][data-state=empty]")
    assert page.get_by_test_id("inside-status").is_visible()


def test_the_cnn_has_no_panel_but_a_note(page, served, artifacts_dir):
    if "cnn" not in served["names"]:
        pytest.skip("the server does not serve 'cnn' (ROWSCAN_MODELS)")
    responses = open_draw(page, "/?model=cnn")
    draw_mouse(page, DIGITS["seven-off-centre"][1])
    assert wait_for_answer(page)["digit"] == "7"
    assert page.get_by_test_id("inside-panel").count() == 0
    note = page.get_by_test_id("inside-note")
    assert note.is_visible() and "whole image at once" in note.text_content()
    answer = last_answer(responses)
    assert "explain" not in answer and "steps" not in answer


def test_a_miss_in_the_gallery_shows_the_panel_for_its_true_digit(page, api, artifacts_dir):
    page.goto("/misses")
    page.wait_for_selector("[data-testid=gallery][data-state=ready]")
    first = api.get("/api/misses?per_page=1")["items"][0]
    detail = api.get(f"/api/misses/{first['index']}")
    page.get_by_test_id("miss").first.click()
    page.wait_for_selector(f"[data-testid=miss-detail][data-state=ready][data-index='{first['index']}']")
    shown = panel_ready(page)
    expected = api.post("/api/predict", {"pixels": detail["pixels"], "steps": True, "explain": True, "label": first["true"]})
    explain = expected["explain"]
    scores = explain["row_occlusion"] if max(explain["row_occlusion"]) >= 0.01 else explain["row_change"]
    marked = [int(r) - 1 for r in shown["topRows"].split(",")]
    assert marked == sorted(range(28), key=lambda t: -scores[t])[: len(marked)]
    assert f"the {first['true']}" in page.get_by_test_id("inside-top-rows").text_content()  # scored for the true digit
    page.get_by_test_id("row-slider").fill("9")
    assert page.get_by_test_id("inside-panel").get_attribute("data-row") == "9"
    panel = page.get_by_test_id("inside-panel")
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(artifacts_dir / "inside-miss-dialog.png"))
