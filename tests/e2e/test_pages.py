"""Every page: the model cards and the comparison table against the API, lecture mode, the header, CSP,
and screenshots."""

from __future__ import annotations

import pytest

from tests.e2e.drawing import DIGITS, draw_mouse, wait_for_answer

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PAGES = ["/", "/compare", "/misses", "/misses?view=disagreements", "/model", "/class", "/join"]
NAV = ["Draw", "Compare", "Misses", "Model", "Class"]


@pytest.mark.parametrize("path", PAGES)
def test_page_is_clean(page, path):
    """Loads with the CSP header, no console errors (CSP violations included), nothing from other origins,
    no inline scripts, handlers or style attributes, and the five pages in the header."""
    response = page.goto(path)
    assert response.status == 200
    assert response.headers["content-security-policy"] == CSP
    page.wait_for_load_state("networkidle")
    inline = page.evaluate(
        """() => ({
            scripts: Array.from(document.scripts).filter(s => !s.src).length,
            handlers: Array.from(document.querySelectorAll('*')).filter(el =>
                Array.from(el.attributes).some(a => a.name.startsWith('on'))).length,
            styleTags: document.querySelectorAll('style').length,
        })"""
    )
    assert inline["scripts"] == 0 and inline["handlers"] == 0 and inline["styleTags"] == 0
    nav = page.get_by_role("navigation", name="Pages")
    assert [a.text_content().strip() for a in nav.get_by_role("link").all()] == NAV
    assert nav.locator("[aria-current=page]").count() == 1
    assert page.title().endswith("Rowscan")


def test_served_markup_has_no_inline_code(server):
    """The HTML as sent (before any script runs): no style="..." attributes, no inline scripts or handlers."""
    import re
    import urllib.request

    for path in PAGES:
        html = urllib.request.urlopen(server + path).read().decode()
        assert not re.search(r"\sstyle\s*=", html), path
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+\s*=", html), path
        assert "http://" not in html.replace(server, "") and "https://" not in html, f"{path} links to another origin"


def test_model_card_matches_the_api(page, api, served, artifacts_dir):
    """The card of every served model: /model for the default, /model?model=<name> (or the selector) for the others."""
    for name in served["names"]:
        card = api.get(f"/api/model?model={name}")
        if name == served["default"]:
            page.goto("/model")
        else:
            page.get_by_test_id("model-select").select_option(name)
            page.wait_for_url(f"**/model?model={name}")
        assert page.get_by_role("heading", level=1).text_content().strip() == f"Model card: {name}"
        check_model_card(page, card, default=name == served["default"])
        page.screenshot(
            path=str(artifacts_dir / ("model.png" if name == served["default"] else f"model-{name}.png")), full_page=True
        )
    if len(served["names"]) == 1:
        assert page.get_by_test_id("model-select").count() == 0


def check_model_card(page, card, default: bool) -> None:
    name = card["name"]
    assert page.get_by_test_id("test-accuracy").text_content().strip().startswith(f"{card['test_accuracy'] * 100:.2f}%")
    assert page.get_by_test_id("parameters").text_content().strip().startswith(f"{card['parameters']:,}")
    rows = page.get_by_test_id("layers").locator("tbody tr")
    assert rows.count() == len(card["layers"])
    for row, layer in zip(rows.all(), card["layers"], strict=True):
        cells = [c.text_content().strip() for c in row.locator("td").all()]
        assert cells[0] == layer["name"] and cells[1] == layer["type"] and cells[3] == f"{layer['parameters']:,}"
    recipe = card.get("notebook_recipe")
    recipe_cell = page.get_by_test_id("recipe-accuracy").text_content().strip()
    if recipe:
        assert recipe_cell == f"{recipe['test_accuracy'] * 100:.2f}%"
    else:
        assert recipe_cell == "–"
        assert page.get_by_test_id("recipe-missing").is_visible()
    per_class = page.get_by_test_id("per-class").locator(".class-acc").all_text_contents()
    assert per_class == [f"{a * 100:.2f}%" for a in card["per_class_accuracy"]]
    if card.get("history") and card["history"].get("loss"):
        for chart in ("loss-chart", "accuracy-chart"):
            assert page.get_by_test_id(chart).locator("polyline").count() == 2
            points = page.get_by_test_id(chart).locator("polyline").first.get_attribute("points").split()
            assert len(points) == len(card["history"]["loss"])
    else:
        assert page.get_by_test_id("no-history").is_visible()
    assert page.get_by_test_id("device").text_content().strip() == card["device"]
    assert page.get_by_test_id("sha256").text_content().strip() == card["sha256"]
    head = page.locator(".page-head p").text_content()
    assert ("row" in head and "28 time steps" in head) if card["has_steps"] else "whole 28×28 image at once" in head
    # "see them all" opens this model's misses
    assert page.get_by_test_id("misses-link").get_attribute("href") == ("/misses" if default else f"/misses?model={name}")


def test_comparison_table(page, api, served, artifacts_dir):
    """All models side by side, from comparison.json (written by `rowscan compare`), or how to make it."""
    page.goto("/model")
    if api.status("/api/comparison") == 404:
        missing = page.get_by_test_id("comparison-missing")
        assert missing.is_visible() and "rowscan compare" in missing.text_content()
        assert page.get_by_test_id("comparison-table").count() == 0
        return
    report = api.get("/api/comparison")
    table = page.get_by_test_id("comparison-table")
    rows = table.get_by_test_id("comparison-row")
    assert [r.get_attribute("data-model") for r in rows.all()] == [m["model"] for m in report["models"]]
    for row, model in zip(rows.all(), report["models"], strict=True):
        accuracy = row.locator("td[data-key=test_accuracy]").text_content()
        assert f"{model['test_accuracy'] * 100:.2f}%" in accuracy
        low, high = model["test_accuracy_ci95"]
        assert f"{low * 100:.2f}%–{high * 100:.2f}%" in accuracy
        assert (
            row.locator("td[data-key=parameters]")
            .text_content()
            .strip()
            .replace("best", "")
            .strip()
            .startswith(f"{model['parameters']:,}")
        )
        assert row.locator("td[data-key=latency_ms_1]").text_content().strip().endswith(f"{model['latency_ms_1']:.2f} ms")
        assert (
            row.locator("td[data-key=misses_only_this_model]")
            .text_content()
            .strip()
            .endswith(str(model["misses_only_this_model"]))
        )
    # the best of each column is marked, in words
    most_accurate = max(report["models"], key=lambda m: m["test_accuracy"])["model"]
    best_cell = table.locator(f"[data-testid=comparison-row][data-model='{most_accurate}'] td[data-key=test_accuracy]")
    if len({m["test_accuracy"] for m in report["models"]}) > 1:
        assert "best" in best_cell.text_content()
    assert page.get_by_test_id("comparison-summary").locator("li").all_text_contents() == report["summary"]
    # the row of the model whose card this is stands out; the other served models link to their cards
    current = table.locator("tr[aria-current=true]")
    assert current.get_attribute("data-model") == served["default"] or current.count() == 0
    for model in report["models"]:
        link = table.locator(f"[data-testid=comparison-row][data-model='{model['model']}'] a")
        assert link.count() == (1 if model["model"] in served["names"] and model["model"] != served["default"] else 0)
    table.scroll_into_view_if_needed()
    page.get_by_test_id("comparison-card").screenshot(path=str(artifacts_dir / "model-comparison.png"))


def test_draw_page_screenshot(page, artifacts_dir):
    page.goto("/")
    draw_mouse(page, DIGITS["three-two-bumps"][1])
    assert wait_for_answer(page)["digit"] == "3"
    page.screenshot(path=str(artifacts_dir / "draw.png"), full_page=True)


def test_lecture_mode_from_the_url_and_kept_between_pages(page, artifacts_dir):
    page.set_viewport_size({"width": 1280, "height": 720})  # a projector
    page.goto("/?lecture=1")
    html = page.locator("html")
    assert "lecture" in (html.get_attribute("class") or "")
    assert page.get_by_test_id("lecture-toggle").get_attribute("aria-pressed") == "true"
    assert page.get_by_test_id("shortcuts").is_visible()
    font = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert font >= 20, "lecture mode uses large type"
    colours = page.evaluate("[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]")
    assert colours == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"], "lecture mode is high contrast"
    draw_mouse(page, DIGITS["seven-off-centre"][1])
    assert wait_for_answer(page)["digit"] == "7"
    # the pad, the answer and the row view fit on one projector screen
    for test_id in ("canvas", "prediction", "probabilities", "model-input", "row-slider"):
        box = page.get_by_test_id(test_id).bounding_box()
        assert box["y"] + box["height"] <= 720, f"{test_id} is below the fold in lecture mode"
    page.get_by_test_id("row-slider").fill("14")
    page.screenshot(path=str(artifacts_dir / "lecture.png"))

    page.get_by_test_id("nav-misses").click()
    page.wait_for_url("**/misses?lecture=1")
    assert "lecture" in (html.get_attribute("class") or "")
    page.wait_for_selector("[data-testid=gallery][data-state=ready]")
    page.screenshot(path=str(artifacts_dir / "lecture-misses.png"))
    page.get_by_test_id("nav-model").click()
    page.wait_for_url("**/model?lecture=1")
    assert "lecture" in (html.get_attribute("class") or "")


def test_lecture_toggle_and_keys(page):
    page.goto("/misses?true=4")
    page.wait_for_selector("[data-testid=gallery][data-state=ready]")
    toggle = page.get_by_test_id("lecture-toggle")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert "lecture" in page.locator("html").get_attribute("class")
    assert "lecture=1" in page.url and "true=4" in page.url
    assert page.get_by_test_id("nav-draw").get_attribute("href") == "/?lecture=1"
    assert page.get_by_test_id("nav-model").get_attribute("href") == "/model?lecture=1"
    page.get_by_test_id("nav-model").click()
    page.wait_for_url("**/model?lecture=1")
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("l")  # the L key toggles it too
    assert "lecture" not in (page.locator("html").get_attribute("class") or "")
    assert "lecture" not in page.url
    assert page.get_by_test_id("nav-draw").get_attribute("href") == "/"


def test_fullscreen_button(page):
    page.goto("/")
    button = page.get_by_test_id("fullscreen")
    assert button.is_visible()
    button.click()
    page.wait_for_function("() => document.fullscreenElement === document.documentElement")
    page.wait_for_selector("[data-testid=fullscreen][aria-pressed=true]")  # set on fullscreenchange
    button.click()
    page.wait_for_function("() => document.fullscreenElement === null")
    page.wait_for_selector("[data-testid=fullscreen][aria-pressed=false]")


def test_keyboard_focus_is_visible(page):
    page.goto("/")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused control has no visible focus ring"


@pytest.mark.parametrize("path", ["/misses", "/misses?view=disagreements", "/model"])
def test_phone_layout(phone_page, artifacts_dir, path):
    page = phone_page
    page.goto(path)
    if path == "/misses":
        page.wait_for_selector("[data-testid=gallery][data-state=ready]")
        page.wait_for_function("() => Array.from(document.querySelectorAll('[data-testid=miss] img')).every(i => i.complete)")
    elif "disagreements" in path:
        page.wait_for_selector("[data-testid=disagreements][data-state=ready]")
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('[data-testid=disagreement-item] img')).every(i => i.complete)"
        )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page is wider than the phone"
    name = path.replace("/", "-").replace("?view=", "-")
    page.screenshot(path=str(artifacts_dir / f"phone{name}.png"), full_page=True)


@pytest.mark.parametrize(("path", "rendered"), [("/docs", ".swagger-ui .info .title"), ("/redoc", "h1")])
def test_api_docs_load_nothing_from_other_origins(page, path, rendered):
    """Swagger UI and ReDoc render from the app alone: the page fixture fails the test on any request to
    another origin (ReDoc's bundle shows its vendor's logo from a CDN) and on console errors (CSP ones included)."""
    assert page.goto(path).status == 200
    page.locator(rendered).filter(has_text="Rowscan").first.wait_for()
    if path == "/redoc":
        page.get_by_text("API docs by Redocly").wait_for()  # the sidebar footer, where that logo would load
    page.wait_for_load_state("networkidle")
