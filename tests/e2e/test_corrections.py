"""Corrections in a real browser: "Wrong? It's a …" after an answer stores the drawing only when a digit is
picked (button, key or confirm), and the sample then shows on the admin's /samples page, where it can be deleted."""

from __future__ import annotations

import json
import urllib.request

from tests.e2e.conftest import ADMIN_TOKEN
from tests.e2e.drawing import DIGITS, draw_mouse, wait_for_answer, wait_for_compare


def _admin_get(server: str, path: str) -> dict:
    request = urllib.request.Request(server + path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def _sample_ids(server: str) -> set[int]:
    return {item["id"] for item in _admin_get(server, "/api/samples?per_page=200")["items"]}


def _open(page, path: str, app: str) -> None:
    page.goto(path)
    page.wait_for_selector(f"[data-testid={app}][data-ready=true]")


def test_a_user_corrects_a_drawing_and_sees_it_on_the_samples_page(page, server, artifacts_dir):
    before = _sample_ids(server)
    _open(page, "/", "draw-app")
    correction = page.get_by_test_id("correction")
    assert correction.get_attribute("data-state") == "hidden" and correction.is_hidden()
    draw_mouse(page, DIGITS["four-two-strokes"][1])
    shown = wait_for_answer(page)
    page.wait_for_selector("[data-testid=correction][data-state=asking]")
    assert "No IP address" in correction.text_content() and "random id" in correction.text_content()
    assert page.get_by_test_id("correction-predicted").text_content() == shown["digit"]
    assert _sample_ids(server) == before  # an answer alone stores nothing

    label = (int(shown["digit"]) + 1) % 10
    page.locator(f"[data-testid=correction-digit][data-digit='{label}']").click()
    page.wait_for_selector("[data-testid=correction][data-state=saved]")
    sample_id = int(correction.get_attribute("data-sample-id"))
    assert f"kept as a {label}" in page.get_by_test_id("correction-status").text_content()
    assert _sample_ids(server) == before | {sample_id}

    page.goto("/samples")
    page.get_by_test_id("admin-token").fill(ADMIN_TOKEN)
    page.get_by_test_id("filter-wrong").check()
    page.get_by_test_id("samples-show").click()
    item = page.locator(f"[data-testid=sample-item][data-id='{sample_id}']")
    item.wait_for()
    assert item.get_attribute("data-label") == str(label)
    assert item.locator(".miss-title").text_content() == f"t:{label}, p:{shown['digit']}"
    assert item.locator("img").evaluate("img => img.complete && img.naturalWidth === 28")
    page.screenshot(path=str(artifacts_dir / "samples-gallery.png"))

    item.get_by_test_id("sample-delete").click()
    item.wait_for(state="detached")
    page.wait_for_selector("[data-testid=samples-list][data-state=ready]")
    assert sample_id not in _sample_ids(server)


def test_keys_store_the_digit_and_drawing_again_asks_anew(page, server):
    _open(page, "/", "draw-app")
    draw_mouse(page, DIGITS["seven-off-centre"][1])
    wait_for_answer(page)
    page.wait_for_selector("[data-testid=correction][data-state=asking]")
    draw_mouse(page, [[(0.2, 0.9), (0.3, 0.92)]])  # drawing again: the question is for the new drawing only
    wait_for_answer(page)
    page.wait_for_selector("[data-testid=correction][data-state=asking]")
    page.keyboard.press("3")
    page.wait_for_selector("[data-testid=correction][data-state=saved]")
    sample_id = int(page.get_by_test_id("correction").get_attribute("data-sample-id"))
    stored = next(item for item in _admin_get(server, "/api/samples?label=3&per_page=200")["items"] if item["id"] == sample_id)
    assert stored["has_strokes"] and stored["label"] == 3
    page.get_by_test_id("clear").click()
    page.wait_for_selector("[data-testid=correction][data-state=hidden]", state="attached")


def test_a_right_answer_is_confirmed_on_the_compare_page(page, server):
    _open(page, "/compare", "compare-app")
    draw_mouse(page, DIGITS["zero-large-ellipse"][1], canvas="compare-canvas")
    wait_for_compare(page)
    page.wait_for_selector("[data-testid=correction][data-state=asking]")
    predicted = page.get_by_test_id("correction-predicted").text_content()
    page.get_by_test_id("correction-confirm").click()
    page.wait_for_selector("[data-testid=correction][data-state=saved]")
    sample_id = int(page.get_by_test_id("correction").get_attribute("data-sample-id"))
    stored = next(item for item in _admin_get(server, "/api/samples?per_page=200")["items"] if item["id"] == sample_id)
    assert stored["correct"] and str(stored["label"]) == predicted
