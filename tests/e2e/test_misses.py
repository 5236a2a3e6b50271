"""The misses page against the JSON API: gallery, filters, confusion-matrix cells, paging, the detail view,
the model selector (?model=). Its other view, the digits the served models disagree on: test_disagreements.py."""

from __future__ import annotations

import pytest

from tests.e2e.drawing import bars
from tests.e2e.gallery import PER_PAGE, wait_gallery


def open_misses(page, query: str = ""):
    page.goto(f"/misses{query}")
    wait_gallery(page)


def shown_items(page) -> list[dict]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid=miss]')).map(el => ({
            index: Number(el.dataset.index),
            true: Number(el.dataset.true),
            predicted: Number(el.dataset.predicted),
            title: el.querySelector('[data-testid=miss-title]').textContent,
            image: el.querySelector('img').getAttribute('src'),
        }))"""
    )


def expected_items(api, **params) -> list[dict]:
    query = "&".join(f"{k}={v}" for k, v in {"per_page": PER_PAGE, **params}.items())
    data = api.get(f"/api/misses?{query}")
    return [
        {"index": i["index"], "true": i["true"], "predicted": i["predicted"], "title": i["title"], "image": i["image_url"]}
        for i in data["items"]
    ]


def test_gallery_matches_the_api(page, api, artifacts_dir):
    open_misses(page)
    data = api.get(f"/api/misses?per_page={PER_PAGE}")
    assert shown_items(page) == expected_items(api)
    assert all(item["title"] == f"t:{item['true']}, p:{item['predicted']}" for item in shown_items(page))
    summary = page.get_by_test_id("gallery-summary").text_content()
    assert f"of {data['total']} miss" in summary
    assert page.get_by_test_id("page-label").text_content() == f"Page 1 of {data['pages']}"
    # every thumbnail loaded (same-origin PNGs)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-testid=miss] img')).every(i => i.complete && i.naturalWidth === 28)"
    )
    page.screenshot(path=str(artifacts_dir / "misses.png"), full_page=True)


def test_filters_by_true_and_predicted_digit(page, api):
    open_misses(page)
    card = api.get("/api/model")
    matrix = card["confusion_matrix"]
    true_digit = max(range(10), key=lambda t: sum(matrix[t]) - matrix[t][t])  # the digit missed most often
    page.get_by_test_id("filter-true").select_option(str(true_digit))
    wait_gallery(page, f"true={true_digit}&predicted=&page=1")
    assert shown_items(page) == expected_items(api, true=true_digit)
    assert all(item["true"] == true_digit for item in shown_items(page))
    assert f"true={true_digit}" in page.url

    predicted = max((p for p in range(10) if p != true_digit), key=lambda p: matrix[true_digit][p])
    page.get_by_test_id("filter-predicted").select_option(str(predicted))
    wait_gallery(page, f"true={true_digit}&predicted={predicted}&page=1")
    assert shown_items(page) == expected_items(api, true=true_digit, predicted=predicted)
    assert len(shown_items(page)) == min(PER_PAGE, matrix[true_digit][predicted])

    page.get_by_test_id("filter-true").select_option("")
    wait_gallery(page, f"true=&predicted={predicted}&page=1")
    assert shown_items(page) == expected_items(api, predicted=predicted)

    page.get_by_test_id("filter-reset").click()
    wait_gallery(page, "true=&predicted=&page=1")
    assert shown_items(page) == expected_items(api)


def test_confusion_cell_shows_exactly_those_misses(page, api):
    open_misses(page)
    matrix = api.get("/api/model")["confusion_matrix"]
    cells = page.get_by_test_id("confusion-cell")
    assert cells.count() == 100
    # the cell with the most misses
    t, p = max(((t, p) for t in range(10) for p in range(10) if t != p), key=lambda c: matrix[c[0]][c[1]])
    cell = page.locator(f"[data-testid=confusion-cell][data-true='{t}'][data-predicted='{p}']")
    assert cell.text_content().strip() == str(matrix[t][p])
    cell.click()
    wait_gallery(page, f"true={t}&predicted={p}&page=1")
    items = shown_items(page)
    assert items == expected_items(api, true=t, predicted=p)
    assert len(items) == min(PER_PAGE, matrix[t][p])
    assert all(item["true"] == t and item["predicted"] == p for item in items)
    assert cell.get_attribute("aria-pressed") == "true"
    assert page.get_by_test_id("filter-true").input_value() == str(t)
    assert page.get_by_test_id("filter-predicted").input_value() == str(p)

    # a cell with no misses shows none, and says so
    zero = next(((a, b) for a in range(10) for b in range(10) if a != b and matrix[a][b] == 0), None)
    if zero:
        page.locator(f"[data-testid=confusion-cell][data-true='{zero[0]}'][data-predicted='{zero[1]}']").click()
        wait_gallery(page, f"true={zero[0]}&predicted={zero[1]}&page=1")
        assert shown_items(page) == []
        assert page.get_by_test_id("gallery-empty").is_visible()

    # diagonal cells are correct answers: shown with their count, not clickable
    diagonal = page.locator("[data-testid=confusion-cell][data-true='1'][data-predicted='1']")
    assert diagonal.text_content().strip() == str(matrix[1][1])
    assert diagonal.evaluate("el => el.tagName") != "BUTTON"

    # keyboard: arrows move between cells, Enter chooses
    cell.focus()
    right = [c for c in range(p + 1, 10) if c != t]
    key, target = ("ArrowRight", right[0]) if right else ("ArrowLeft", max(c for c in range(p) if c != t))
    page.keyboard.press(key)
    focused = page.evaluate("[Number(document.activeElement.dataset.true), Number(document.activeElement.dataset.predicted)]")
    assert focused == [t, target]
    page.keyboard.press("Enter")
    wait_gallery(page, f"true={focused[0]}&predicted={focused[1]}&page=1")
    assert shown_items(page) == expected_items(api, true=focused[0], predicted=focused[1])


def test_paging_and_deep_links(page, api):
    first = api.get(f"/api/misses?per_page={PER_PAGE}")
    open_misses(page)
    assert page.get_by_test_id("page-prev").is_disabled()
    if first["pages"] < 2:  # a model with at most one page of misses: nothing to page through
        assert page.get_by_test_id("page-next").is_disabled()
        return
    page.get_by_test_id("page-next").click()
    wait_gallery(page, "true=&predicted=&page=2")
    assert shown_items(page) == expected_items(api, page=2)
    assert "page=2" in page.url
    assert page.get_by_test_id("page-prev").is_enabled()
    page.get_by_test_id("page-prev").click()
    wait_gallery(page, "true=&predicted=&page=1")
    assert shown_items(page) == expected_items(api)
    assert page.get_by_test_id("page-prev").is_disabled()

    # the URL holds the filters: a reload (or a shared link) shows the same view
    item = first["items"][0]
    open_misses(page, f"?true={item['true']}&predicted={item['predicted']}")
    assert shown_items(page) == expected_items(api, true=item["true"], predicted=item["predicted"])
    assert (
        page.locator(
            f"[data-testid=confusion-cell][data-true='{item['true']}'][data-predicted='{item['predicted']}']"
        ).get_attribute("aria-pressed")
        == "true"
    )


def test_miss_detail_with_row_playback(page, api, artifacts_dir):
    open_misses(page)
    first = api.get(f"/api/misses?per_page={PER_PAGE}")["items"][0]
    detail = api.get(f"/api/misses/{first['index']}")
    answer = api.post("/api/predict", {"pixels": detail["pixels"], "steps": True})

    page.get_by_test_id("miss").first.click()
    dialog = page.get_by_test_id("miss-detail")
    page.wait_for_selector(f"[data-testid=miss-detail][data-state=ready][data-index='{first['index']}']")
    assert dialog.is_visible()
    assert page.get_by_test_id("detail-title").text_content() == first["title"]
    assert page.get_by_test_id("prediction").text_content() == str(first["predicted"])
    shown = bars(page)
    assert shown == pytest.approx(first["probabilities"], abs=1e-4)
    assert shown == pytest.approx(answer["probabilities"], abs=1e-5)

    slider = page.get_by_test_id("row-slider")
    slider.fill("10")
    shown = bars(page)
    assert shown == pytest.approx(answer["steps"][9], abs=1e-5)
    assert page.get_by_test_id("model-input").get_attribute("data-row") == "10"
    page.screenshot(path=str(artifacts_dir / "miss-detail.png"))

    # next miss, then Escape closes and focus returns to the gallery
    page.get_by_test_id("detail-next").click()
    second = api.get(f"/api/misses?per_page={PER_PAGE}")["items"][1]
    page.wait_for_selector(f"[data-testid=miss-detail][data-state=ready][data-index='{second['index']}']")
    assert page.get_by_test_id("detail-title").text_content() == second["title"]
    assert slider.input_value() == "28"
    page.keyboard.press("Escape")
    page.wait_for_selector("[data-testid=miss-detail][data-state=closed]", state="attached")
    assert not dialog.is_visible()
    assert page.evaluate("document.activeElement.dataset.index") == str(second["index"])


# --- misses per model ----------------------------------------------------------------------------------


def test_misses_follow_the_model_selector(page, api, served, artifacts_dir):
    """?model=<name>: the gallery, the server-rendered confusion matrix and the detail are that model's."""
    others = [name for name in served["names"] if name != served["default"]]
    if not others:
        open_misses(page)
        select = page.get_by_test_id("model-select")
        assert select.input_value() == served["default"] and select.locator("option").count() == 1
        return
    page.goto("/misses?true=4&lecture=1")
    wait_gallery(page)
    for name in others:
        page.get_by_test_id("model-select").select_option(name)
        page.wait_for_url(f"**/misses?*model={name}*")
        wait_gallery(page, "true=4&predicted=&page=1")  # the filter survives the change of model
        assert "true=4" in page.url and "lecture=1" in page.url
        assert page.get_by_test_id("model-select").input_value() == name
        assert page.get_by_role("heading", level=1).text_content().strip() == f"Misses of {name.upper()}"
        card = api.get(f"/api/model?model={name}")
        assert shown_items(page) == expected_items(api, model=name, true=4)
        assert all(f"model={name}" in item["image"] for item in shown_items(page))
        matrix = card["confusion_matrix"]
        counts = page.evaluate(
            """() => Array.from(document.querySelectorAll('[data-testid=confusion-cell]')).map(c =>
                [Number(c.dataset.true), Number(c.dataset.predicted), Number(c.dataset.count)])"""
        )
        assert all(matrix[t][p] == count for t, p, count in counts) and len(counts) == 100
        # the matrix filters this model's misses
        t, p = max(((t, p) for t in range(10) for p in range(10) if t != p), key=lambda c: matrix[c[0]][c[1]])
        page.locator(f"[data-testid=confusion-cell][data-true='{t}'][data-predicted='{p}']").click()
        wait_gallery(page, f"true={t}&predicted={p}&page=1")
        assert shown_items(page) == expected_items(api, model=name, true=t, predicted=p)
        assert f"model={name}" in page.url
        # the detail answers with this model; a model that does not read rows has no replay
        first = shown_items(page)[0]
        page.get_by_test_id("miss").first.click()
        page.wait_for_selector(f"[data-testid=miss-detail][data-state=ready][data-index='{first['index']}']")
        assert page.get_by_test_id("prediction").text_content() == str(first["predicted"])
        if card["has_steps"]:
            assert page.get_by_test_id("row-slider").is_enabled()
        else:
            assert page.get_by_test_id("no-steps").is_visible() and not page.get_by_test_id("player").is_visible()
        page.screenshot(path=str(artifacts_dir / f"miss-detail-{name}.png"))
        page.keyboard.press("Escape")
        page.wait_for_selector("[data-testid=miss-detail][data-state=closed]", state="attached")
        page.goto(f"/misses?model={name}&true=4&lecture=1")
        wait_gallery(page)
        page.get_by_test_id("model-select").select_option(served["default"])
        page.wait_for_url(f"**/misses?*model={served['default']}*")
        wait_gallery(page)
        assert shown_items(page) == expected_items(api, true=4)
    # an unknown model shows the default
    page.goto("/misses?model=no-such-model")
    wait_gallery(page)
    assert page.get_by_test_id("model-select").input_value() == served["default"]
