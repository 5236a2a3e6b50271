"""What the misses page's two views (misses, disagreements) share in the browser tests: the page size and
waiting for the gallery to be ready (optionally showing the page with `data-key`)."""

from __future__ import annotations

PER_PAGE = 24


def wait_gallery(page, key: str | None = None) -> None:
    selector = "[data-testid=gallery][data-state=ready]"
    if key is not None:
        selector += f"[data-key='{key}']"
    page.wait_for_selector(selector)
