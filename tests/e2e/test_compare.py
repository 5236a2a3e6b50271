"""The compare page in a real browser: one drawing answered by every served model, side by side, the
disagreement banner, the shared row replay (recurrent models only), phone and lecture layouts."""

from __future__ import annotations

import json

import pytest

from tests.e2e.drawing import AMBIGUOUS, DIGITS, draw_mouse, draw_touch, wait_for_compare

CANVAS = "compare-canvas"


def open_compare(page, path: str = "/compare") -> list:
    """Open the page; return the list the page's /api/predict responses are collected in."""
    responses = []
    page.on("response", lambda response: responses.append(response) if response.url.endswith("/api/predict") else None)
    page.goto(path)
    page.wait_for_selector("[data-testid=compare-app][data-ready=true]")
    return responses


def latest_answers(responses) -> dict[str, dict]:
    """The last answer of each model (the requests carry the model's name): the one the page shows.

    Only those bodies are read: an earlier request that the page aborted (the drawing changed meanwhile)
    may have had its headers answered but its body dropped, and reading it fails ("No data found for
    resource"); reading every body made test_row_replay_side_by_side fail now and then."""
    last = {}
    for response in responses:
        last[response.request.post_data_json["model"]] = response
    return {name: response.json() for name, response in last.items() if response.ok}


def label(name: str) -> str:
    return name.upper()


def expected_verdict(panels: list[dict]) -> str | None:
    """The banner the page must show for these final answers, or None when the models agree."""
    digits = [p["digit"] for p in panels]
    if len(set(digits)) < 2:
        return None
    return "The models disagree: " + ", ".join(f"{label(p['model'])} {p['digit']}" for p in panels)


def expected_marks(digits: list[str]) -> list[bool]:
    """Which panels are marked as differing: those outside a clear majority, or all when there is none."""
    if len(set(digits)) < 2:
        return [False] * len(digits)
    counts = sorted((digits.count(d) for d in set(digits)), reverse=True)
    majority = max(set(digits), key=digits.count) if counts[0] > 1 and counts[0] > counts[1] else None
    return [majority is None or d != majority for d in digits]


def test_every_model_answers_the_drawing(page, served, artifacts_dir):
    responses = open_compare(page)
    panels = page.get_by_test_id("compare-model")
    assert [panels.nth(i).get_attribute("data-model") for i in range(panels.count())] == served["names"]
    shown = wait_for_compare(page)
    assert shown["state"] == "empty" and all(p["digit"] == "–" for p in shown["panels"])

    draw_mouse(page, DIGITS["seven-off-centre"][1], canvas=CANVAS)
    shown = wait_for_compare(page)
    assert shown["state"] == "ready", shown
    answers = latest_answers(responses)
    assert set(answers) == set(served["names"]), "one request per model"
    steps_of = {m["name"]: m["has_steps"] for m in served["models"]}
    for panel in shown["panels"]:
        name = panel["model"]
        answer = answers[name]
        assert panel["state"] == "ready" and panel["seq"] == shown["seq"]
        assert panel["digit"] == str(answer["digit"]) == "7", f"{name}: {panel}"
        assert panel["bars"] == pytest.approx(answer["probabilities"], abs=1e-5)
        assert answer["model"]["name"] == name
        assert ("steps" in answer) == steps_of[name]
    # every request for the current drawing: the same image, steps only for the models that read rows
    last = {}
    for response in responses:
        last[response.request.post_data_json["model"]] = response.request.post_data_json
    assert len({body["image"] for body in last.values()}) == 1
    for name, body in last.items():
        assert body.get("steps", False) is steps_of[name], f"{name} asked for steps: {body.get('steps')}"
    assert all(r.status != 422 for r in responses), "a model was asked for something it cannot give"
    if len(served["names"]) > 1:
        assert shown["disagreement"] is None
        assert shown["verdict"].endswith("agree: 7.")
    else:
        assert page.get_by_test_id("single-model").is_visible()
    live = page.get_by_test_id("announce")
    assert live.get_attribute("aria-live") == "polite" and "7" in live.text_content()
    page.screenshot(path=str(artifacts_dir / "compare.png"), full_page=True)

    # clearing empties every panel
    page.keyboard.press("c")
    shown = wait_for_compare(page)
    assert shown["state"] == "empty"
    assert all(p["digit"] == "–" and p["state"] == "empty" for p in shown["panels"])
    assert shown["disagreement"] is None


def test_the_banner_follows_the_answers(page, served, artifacts_dir):
    """Ambiguous drawings: wherever the panels differ, the banner says so and marks the odd ones out."""
    if len(served["names"]) < 2:
        pytest.skip("one model served: nothing to disagree")
    open_compare(page)
    found = {}
    for name, strokes in AMBIGUOUS.items():
        page.keyboard.press("c")
        wait_for_compare(page)
        draw_mouse(page, strokes, canvas=CANVAS)
        shown = wait_for_compare(page)
        assert shown["state"] == "ready"
        panels = shown["panels"]
        found[name] = {p["model"]: p["digit"] for p in panels}
        banner = expected_verdict(panels)
        assert shown["disagreement"] == banner, name
        assert [p["differs"] for p in panels] == expected_marks([p["digit"] for p in panels]), name
        if banner:
            page.screenshot(path=str(artifacts_dir / "compare-disagree.png"), full_page=True)
    print("answers to the ambiguous drawings:", json.dumps(found))


def test_disagreement_banner_and_marks(page, served):
    """A forced disagreement (one model's answer replaced on the way): the banner names every answer and
    the panel that differs is marked, in words as well as colour."""
    if len(served["names"]) < 2:
        pytest.skip("one model served: nothing to disagree")
    odd = served["names"][-1]

    def swap(route):
        response = route.fetch()
        body = response.json()
        if route.request.post_data_json["model"] == odd and body["digit"] is not None:
            probabilities = body["probabilities"]
            other = (body["digit"] + 2) % 10
            probabilities[body["digit"]], probabilities[other] = probabilities[other], probabilities[body["digit"]]
            body["digit"] = other
        route.fulfill(response=response, json=body)

    page.route("**/api/predict", swap)
    open_compare(page)
    draw_mouse(page, DIGITS["seven-off-centre"][1], canvas=CANVAS)
    shown = wait_for_compare(page)
    digits = {p["model"]: p["digit"] for p in shown["panels"]}
    assert digits[odd] == "9" and all(d == "7" for name, d in digits.items() if name != odd)
    banner = page.get_by_test_id("disagreement")
    assert banner.is_visible()
    assert shown["disagreement"] == "The models disagree: " + ", ".join(f"{label(n)} {digits[n]}" for n in served["names"])
    marked = [p["model"] for p in shown["panels"] if p["differs"]]
    assert marked == ([odd] if len(served["names"]) > 2 else served["names"])
    odd_panel = page.locator(f"[data-testid=compare-model][data-model='{odd}']")
    assert odd_panel.get_by_test_id("differs").is_visible()
    assert "disagree" in page.get_by_test_id("announce").text_content()
    # drawing again (they agree now that nothing is swapped) hides the banner
    page.unroute("**/api/predict")
    page.keyboard.press("u")
    draw_mouse(page, DIGITS["seven-off-centre"][1], canvas=CANVAS)
    shown = wait_for_compare(page)
    assert shown["disagreement"] is None and not banner.is_visible()
    assert not any(p["differs"] for p in shown["panels"])


def test_row_replay_side_by_side(page, served, artifacts_dir):
    responses = open_compare(page)
    draw_mouse(page, DIGITS["four-two-strokes"][1], canvas=CANVAS)
    final = wait_for_compare(page)
    answers = latest_answers(responses)
    recurrent = [m["name"] for m in served["models"] if m["has_steps"]]
    slider = page.get_by_test_id("row-slider")
    if not recurrent:
        assert slider.is_disabled()
        return
    assert slider.is_enabled() and slider.input_value() == "28"
    slider.fill("10")
    shown = wait_for_compare(page)
    for panel in shown["panels"]:
        answer = answers[panel["model"]]
        if panel["model"] in recurrent:
            assert panel["bars"] == pytest.approx(answer["steps"][9], abs=1e-5)
            assert panel["detail"].startswith("After row 10 of 28")
        else:  # no per-row answers: the final answer stays, and says so
            assert panel["bars"] == pytest.approx(answer["probabilities"], abs=1e-5)
            assert "no per-row answer" in panel["detail"]
    assert page.get_by_test_id("compare-input").get_attribute("data-row") == "10"
    if len(served["names"]) > 1:
        assert (shown["disagreement"] or shown["verdict"]).startswith("Final answers: ")
    page.screenshot(path=str(artifacts_dir / "compare-row-10.png"), full_page=True)

    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("ArrowRight")
    assert slider.input_value() == "11"
    name = recurrent[0]
    bars = page.locator(f"[data-testid=compare-model][data-model='{name}'] [data-testid=compare-probabilities] .bar")
    assert [float(b.get_attribute("data-p")) for b in bars.all()] == pytest.approx(answers[name]["steps"][10], abs=1e-5)

    # drawing again returns to the final answers
    draw_mouse(page, [[(0.2, 0.95), (0.3, 0.95)]], canvas=CANVAS)
    shown = wait_for_compare(page)
    assert slider.input_value() == "28"
    assert page.get_by_test_id("compare-input").get_attribute("data-row") == "0"
    assert all(not p["detail"].startswith("After row") for p in shown["panels"])
    assert final["state"] == "ready"


def test_compare_on_a_phone(phone_page, served, artifacts_dir):
    page = phone_page
    open_compare(page)
    page.get_by_test_id(CANVAS).scroll_into_view_if_needed()
    draw_touch(page, DIGITS["zero-large-ellipse"][1], canvas=CANVAS)
    shown = wait_for_compare(page)
    assert page.get_by_test_id("compare-app").get_attribute("data-pointer") == "touch"
    assert shown["state"] == "ready"
    assert [p["digit"] for p in shown["panels"]] == ["0"] * len(served["names"]), shown["panels"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts_dir / "phone-compare.png"), full_page=True)


def test_compare_in_lecture_mode(page, served, artifacts_dir):
    page.set_viewport_size({"width": 1280, "height": 720})  # a projector
    open_compare(page, "/compare?lecture=1")
    assert "lecture" in page.locator("html").get_attribute("class")
    draw_mouse(page, DIGITS["three-two-bumps"][1], canvas=CANVAS)
    shown = wait_for_compare(page)
    assert shown["state"] == "ready"
    # the pad and every model's answer fit on one projector screen
    boxes = [page.get_by_test_id(CANVAS).bounding_box()]
    for name in served["names"]:
        panel = page.locator(f"[data-testid=compare-model][data-model='{name}']")
        boxes += [
            panel.get_by_test_id("compare-prediction").bounding_box(),
            panel.get_by_test_id("compare-probabilities").bounding_box(),
        ]
    for box in boxes:
        assert box["y"] + box["height"] <= 720 and box["x"] + box["width"] <= 1280, box
    page.screenshot(path=str(artifacts_dir / "lecture-compare.png"))
    page.get_by_test_id("nav-draw").click()
    page.wait_for_url("**/?lecture=1")
