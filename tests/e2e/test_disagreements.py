"""The misses page's view of the test digits the served models disagree on, against the JSON API: the list,
paging in the URL, the detail dialog with every model's answer, and switching views keeping lecture mode."""

from __future__ import annotations

import pytest

from tests.e2e.gallery import PER_PAGE, wait_gallery


def open_disagreements(page, query: str = "") -> None:
    page.goto(f"/misses?view=disagreements{query}")
    page.wait_for_selector("[data-testid=disagreements][data-state=ready]")


def shown_disagreements(page) -> list[dict]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid=disagreement-item]')).map(el => ({
            index: Number(el.dataset.index),
            true: Number(el.dataset.true),
            image: el.querySelector('img').getAttribute('src'),
            predictions: Object.fromEntries(Array.from(el.querySelectorAll('[data-testid=disagreement-answer]')).map(a =>
                [a.dataset.model, Number(a.dataset.digit)])),
            correct: Array.from(el.querySelectorAll('[data-testid=disagreement-answer][data-right=true]'))
                .map(a => a.dataset.model),
            marks: Array.from(el.querySelectorAll('.dis-mark')).map(m => m.textContent),
        }))"""
    )


def test_disagreements_view(page, api, served, artifacts_dir):
    data = api.get(f"/api/disagreements?per_page={PER_PAGE}")
    open_disagreements(page)
    if len(served["names"]) > 1:
        assert page.get_by_test_id("view-disagreements").get_attribute("aria-current") == "page"
    items = shown_disagreements(page)
    expected = [
        {
            "index": i["index"],
            "true": i["true"],
            "image": i["image_url"],
            "predictions": i["predictions"],
            "correct": i["correct"],
        }
        for i in data["items"]
    ]
    assert [{k: v for k, v in item.items() if k != "marks"} for item in items] == expected
    for item in items:
        assert item["marks"] == ["✓" if name in item["correct"] else "✗" for name in data["models"]]
        assert len(set(item["predictions"].values())) > 1
    if len(served["names"]) < 2:
        assert data["total"] == 0
        assert page.get_by_test_id("disagreements-single").is_visible()
        assert page.get_by_test_id("disagreements-empty").is_visible()
        return
    assert f"of {data['total']} test digit" in page.get_by_test_id("disagreements-summary").text_content()
    assert page.get_by_test_id("page-label").text_content() == f"Page 1 of {data['pages']}"
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('[data-testid=disagreement-item] img'))
            .every(i => i.complete && i.naturalWidth === 28)"""
    )
    page.screenshot(path=str(artifacts_dir / "disagreements.png"), full_page=True)

    # paging, kept in the URL
    if data["pages"] > 1:
        page.get_by_test_id("page-next").click()
        page.wait_for_selector("[data-testid=disagreements][data-state=ready][data-key='page=2']")
        assert "view=disagreements" in page.url and "page=2" in page.url
        second = api.get(f"/api/disagreements?per_page={PER_PAGE}&page=2")
        assert [i["index"] for i in shown_disagreements(page)] == [i["index"] for i in second["items"]]
        open_disagreements(page, "&page=2")
        assert [i["index"] for i in shown_disagreements(page)] == [i["index"] for i in second["items"]]
        open_disagreements(page)


def test_disagreement_detail(page, api, served, artifacts_dir):
    if len(served["names"]) < 2:
        pytest.skip("one model served: no disagreements")
    data = api.get(f"/api/disagreements?per_page={PER_PAGE}")
    open_disagreements(page)
    first = data["items"][0]
    pixels = api.get(first["detail_url"])["pixels"]
    page.get_by_test_id("disagreement-item").first.click()
    page.wait_for_selector(f"[data-testid=disagreement-detail][data-state=ready][data-index='{first['index']}']")
    dialog = page.get_by_test_id("disagreement-detail")
    assert dialog.is_visible()
    assert page.get_by_test_id("detail-title").text_content() == f"t:{first['true']}"
    for name in data["models"]:
        answer = api.post("/api/predict", {"pixels": pixels, "model": name})
        panel = dialog.locator(f"[data-testid=detail-model][data-model='{name}']")
        bars = [float(b.get_attribute("data-p")) for b in panel.locator("[data-testid=detail-probabilities] .bar").all()]
        assert bars == pytest.approx(answer["probabilities"], abs=1e-5)
        assert answer["digit"] == first["predictions"][name]
        verdict = panel.get_by_test_id("detail-verdict").text_content()
        assert verdict.startswith(("✓ " if name in first["correct"] else "✗ ") + str(answer["digit"]))
        assert ("is-right" if name in first["correct"] else "is-wrong") in panel.get_attribute("class")
    assert page.get_by_test_id("model-input").get_attribute("data-filled") == "true"
    page.screenshot(path=str(artifacts_dir / "disagreement-detail.png"))

    # the arrow keys and the buttons move between digits; Escape closes and focus returns to the item
    if len(data["items"]) > 1:
        page.keyboard.press("ArrowRight")
        second = data["items"][1]
        page.wait_for_selector(f"[data-testid=disagreement-detail][data-state=ready][data-index='{second['index']}']")
        page.get_by_test_id("detail-prev").click()
        page.wait_for_selector(f"[data-testid=disagreement-detail][data-state=ready][data-index='{first['index']}']")
    page.keyboard.press("Escape")
    page.wait_for_selector("[data-testid=disagreement-detail][data-state=closed]", state="attached")
    assert page.evaluate("document.activeElement.dataset.index") == str(first["index"])


def test_views_keep_lecture_mode_and_model(page, served):
    if len(served["names"]) < 2:
        pytest.skip("one model served: no views to switch between")
    other = [name for name in served["names"] if name != served["default"]][0]
    page.goto(f"/misses?model={other}&lecture=1")
    wait_gallery(page)
    page.get_by_test_id("view-disagreements").click()
    page.wait_for_url("**/misses?view=disagreements&lecture=1")
    page.wait_for_selector("[data-testid=disagreements][data-state=ready]")
    assert "lecture" in page.locator("html").get_attribute("class")
    page.get_by_test_id("view-misses").click()
    page.wait_for_url("**/misses?lecture=1")  # the tab shows the default model's misses
    wait_gallery(page)
