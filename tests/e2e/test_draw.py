"""The draw page in a real browser: drawing digits with the mouse and with touch, clear and undo, the
row-by-row playback, and the honest messages."""

from __future__ import annotations

import pytest

from tests.e2e.drawing import DIGITS, bars, draw_mouse, draw_touch, line, wait_for_answer


def open_draw(page, path: str = "/"):
    responses = []
    page.on("response", lambda response: responses.append(response) if response.url.endswith("/api/predict") else None)
    page.goto(path)
    page.wait_for_selector("[data-testid=draw-app][data-ready=true]")
    return responses


def last_answer(responses) -> dict:
    ok = [r for r in responses if r.ok]
    assert ok, "no successful /api/predict response"
    return ok[-1].json()


@pytest.mark.parametrize("name", list(DIGITS))
def test_drawn_digit_is_recognised(page, name):
    expected, strokes = DIGITS[name]
    open_draw(page)
    draw_mouse(page, strokes)
    shown = wait_for_answer(page)
    assert shown["state"] == "ready"
    assert shown["digit"] == str(expected), f"{name}: expected {expected}, the page shows {shown}"
    assert abs(sum(shown["bars"]) - 1) < 1e-3
    assert max(range(10), key=lambda d: shown["bars"][d]) == expected
    top = page.locator("[data-testid=probabilities] .bar.is-top")
    assert top.get_attribute("data-digit") == str(expected)
    # the 28x28 view shows what the model read
    assert page.get_by_test_id("model-input").get_attribute("data-filled") == "true"


def test_empty_canvas_says_draw_a_digit(page):
    open_draw(page)
    app = page.get_by_test_id("draw-app")
    assert app.get_attribute("data-state") == "empty"
    assert page.get_by_test_id("message").text_content() == "Draw a digit"
    assert page.get_by_test_id("prediction").text_content() == "–"
    assert page.get_by_test_id("clear").is_disabled()
    assert page.get_by_test_id("undo").is_disabled()
    assert page.get_by_test_id("row-slider").is_disabled()
    assert bars(page) == [0.0] * 10


def test_answer_matches_the_api_and_is_announced(page):
    responses = open_draw(page)
    draw_mouse(page, DIGITS["seven-off-centre"][1])
    shown = wait_for_answer(page)
    answer = last_answer(responses)
    assert answer["digit"] == 7 and shown["digit"] == "7"
    assert shown["bars"] == pytest.approx(answer["probabilities"], abs=1e-5)
    assert len(answer["input"]) == 28 and len(answer["steps"]) == 28
    # the request was a PNG data URL, downscaled
    request = [r for r in responses if r.ok][-1].request
    body = request.post_data_json
    assert body["image"].startswith("data:image/png;base64,") and body["steps"] is True
    live = page.get_by_test_id("announce")
    assert live.get_attribute("aria-live") == "polite"
    assert "7" in live.text_content()


def test_touch_drawing_on_a_phone(phone_page, artifacts_dir):
    page = phone_page
    open_draw(page)
    assert page.evaluate("getComputedStyle(document.querySelector('[data-testid=canvas]')).touchAction") == "none"
    page.get_by_test_id("canvas").scroll_into_view_if_needed()
    scroll_before = page.evaluate("window.scrollY")
    draw_touch(page, DIGITS["seven-off-centre"][1])
    shown = wait_for_answer(page)
    assert page.get_by_test_id("draw-app").get_attribute("data-pointer") == "touch"
    assert page.evaluate("window.scrollY") == scroll_before, "the page scrolled while drawing"
    assert shown["state"] == "ready"
    assert shown["digit"] == "7", shown
    # nothing sticks out sideways on a narrow screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts_dir / "phone.png"), full_page=True)


def test_clear_and_undo_with_buttons_and_keys(page):
    open_draw(page)
    first, second = DIGITS["four-two-strokes"][1]
    draw_mouse(page, [first, second])
    assert wait_for_answer(page)["digit"] == "4"

    page.get_by_test_id("undo").click()  # back to one stroke: no longer a clean 4
    one_stroke = wait_for_answer(page)
    assert one_stroke["state"] == "ready"
    page.keyboard.press("u")  # and to nothing
    assert wait_for_answer(page)["state"] == "empty"
    assert page.get_by_test_id("message").text_content() == "Draw a digit"
    assert page.get_by_test_id("undo").is_disabled()

    draw_mouse(page, DIGITS["zero-large-ellipse"][1])
    assert wait_for_answer(page)["digit"] == "0"
    page.get_by_test_id("clear").click()
    assert wait_for_answer(page)["state"] == "empty"
    page.keyboard.press("Control+z")  # undo the clear: the 0 comes back
    assert wait_for_answer(page)["digit"] == "0"
    page.keyboard.press("c")
    assert wait_for_answer(page)["state"] == "empty"
    page.keyboard.press("u")
    assert wait_for_answer(page)["digit"] == "0"
    page.keyboard.press("Backspace")
    assert wait_for_answer(page)["state"] == "empty"
    assert page.get_by_test_id("clear").is_disabled()


def test_row_slider_and_playback(page, artifacts_dir):
    responses = open_draw(page)
    draw_mouse(page, DIGITS["seven-off-centre"][1])
    final = wait_for_answer(page)
    answer = last_answer(responses)
    slider = page.get_by_test_id("row-slider")
    grid = page.get_by_test_id("model-input")
    assert slider.is_enabled() and slider.input_value() == "28"
    assert grid.get_attribute("data-row") == "0"

    slider.fill("5")
    after_five = bars(page)
    assert after_five == pytest.approx(answer["steps"][4], abs=1e-5)
    assert after_five != pytest.approx(final["bars"], abs=1e-3)
    assert grid.get_attribute("data-row") == "5"
    assert "row 5 of 28" in page.get_by_test_id("answer-detail").text_content()
    assert page.get_by_test_id("row-readout").text_content().strip() == "After row 5 of 28"

    slider.focus()
    page.keyboard.press("ArrowRight")
    assert slider.input_value() == "6"
    assert bars(page) == pytest.approx(answer["steps"][5], abs=1e-5)
    page.screenshot(path=str(artifacts_dir / "draw-row-6.png"))

    # play runs through the rows to the end and stops on the final answer (from row 25: quick)
    slider.fill("25")
    page.get_by_test_id("play").click()
    assert page.get_by_test_id("play").get_attribute("aria-pressed") == "true"
    page.wait_for_function("() => document.querySelector('[data-testid=row-slider]').value === '28'")
    page.wait_for_selector("[data-testid=play][aria-pressed=false]")
    assert bars(page) == pytest.approx(final["bars"], abs=1e-6)
    assert grid.get_attribute("data-row") == "0"

    # drawing again returns to the final answer of the new drawing
    slider.fill("3")
    draw_mouse(page, [line((0.2, 0.92), (0.5, 0.92))])
    wait_for_answer(page)
    assert slider.input_value() == "28"
    assert grid.get_attribute("data-row") == "0"


def test_space_plays_and_pauses(page):
    open_draw(page)
    draw_mouse(page, DIGITS["one-small-corner"][1])
    wait_for_answer(page)
    page.locator("body").click(position={"x": 5, "y": 5})  # focus on the page, not a control
    page.keyboard.press("Space")
    assert page.get_by_test_id("play").get_attribute("aria-pressed") == "true"
    page.keyboard.press("Space")
    assert page.get_by_test_id("play").get_attribute("aria-pressed") == "false"
    assert int(page.get_by_test_id("row-slider").input_value()) < 28


def test_brush_control(page):
    open_draw(page)
    brush = page.get_by_label("Brush")
    default = float(brush.input_value())
    assert 6 <= default <= 8, "the default brush should be about 1/14 of the canvas side"
    page.keyboard.press("]")
    assert float(brush.input_value()) > default
    page.keyboard.press("[")
    page.keyboard.press("[")
    assert float(brush.input_value()) < default


def test_controls_have_names_and_test_ids(page):
    open_draw(page)
    for test_id in ("canvas", "prediction", "probabilities", "model-input", "clear", "row-slider", "undo", "play", "brush"):
        assert page.get_by_test_id(test_id).count() == 1, test_id
    unnamed = page.evaluate(
        """() => Array.from(document.querySelectorAll('button, input, select, a[href]')).filter(el => {
            const labelled = (el.labels && el.labels.length)
                || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
            return !labelled && !el.textContent.trim();
        }).map(el => el.outerHTML.slice(0, 80))"""
    )
    assert not unnamed
