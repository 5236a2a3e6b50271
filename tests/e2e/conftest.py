"""End-to-end fixtures: the real server (a subprocess on a free port) and the real Chromium (Playwright).

One server and one browser for the e2e package, closed when it ends: Playwright's sync API keeps an
asyncio loop running in the main thread while it is open, which would break later tests' asyncio.run.
Every test gets a fresh browser context whose requests and console are recorded. After each test the
`page` fixture checks that nothing was logged as an error (CSP violations included) and that no request left the app's origin.

The server runs with the environment as it is: with no ROWSCAN_* variables set it serves the default
models of app/config.py. The tests ask /api/models which models are served and adapt: with one model the
compare and disagreement views must say there is nothing to compare. Screenshots go to test-artifacts/
at the repository root.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.server import rowscan_serve

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("ROWSCAN_E2E_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
]
DESKTOP = {"width": 1280, "height": 800}
ADMIN_TOKEN = "e2e-admin-token"  # the server's ROWSCAN_ADMIN_TOKEN: the /samples page and admin API need it
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="package")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (install Debian's chromium package, or set ROWSCAN_E2E_CHROMIUM)")
    return CHROMIUM


@pytest.fixture(scope="package")
def server(chromium_path) -> str:
    """`rowscan serve` on a free port (tests/server.py); its base URL once /readyz answers 200."""
    with rowscan_serve({"ROWSCAN_LOG_LEVEL": "warning", "ROWSCAN_ADMIN_TOKEN": ADMIN_TOKEN}) as base:
        yield base


@pytest.fixture(scope="package")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="package")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class Recorder:
    """What a browser context did: every request URL, console errors, uncaught exceptions, blocked requests."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.outside: list[str] = []

    def attach(self, context) -> None:
        context.on("request", lambda request: self.requests.append(request.url))
        # Anything for another origin is recorded and refused: the UI must work with no network.
        context.route(lambda url: not self._own(url), self._refuse)
        context.on("page", self.watch)

    def watch(self, page) -> None:
        page.on(
            "console",
            lambda message: self.errors.append(f"console.{message.type}: {message.text}") if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _own(self, url: str) -> bool:
        return url.startswith(self.base + "/") or url == self.base or url.startswith(("data:", "blob:"))

    def _refuse(self, route) -> None:
        self.outside.append(route.request.url)
        route.abort()

    def check(self) -> None:
        foreign = [url for url in self.requests if not self._own(url)]
        assert not self.outside and not foreign, f"requests left the app's origin: {self.outside + foreign}"
        assert not self.errors, "errors in the browser console:\n" + "\n".join(self.errors)


def _context(browser, server, **options):
    recorder = Recorder(server)
    # reduced motion: no bar transitions, so screenshots show the settled state
    context = browser.new_context(base_url=server, reduced_motion="reduce", **options)
    recorder.attach(context)
    context.set_default_timeout(15_000)
    return context, recorder


@pytest.fixture
def recorder_and_page(browser, server):
    context, recorder = _context(browser, server, viewport=DESKTOP)
    page = context.new_page()
    yield recorder, page
    context.close()
    recorder.check()


@pytest.fixture
def page(recorder_and_page):
    return recorder_and_page[1]


@pytest.fixture
def phone_page(browser, server):
    context, recorder = _context(browser, server, viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2)
    page = context.new_page()
    yield page
    context.close()
    recorder.check()


@pytest.fixture(scope="package")
def api(server):
    """GET/POST JSON straight to the server (not through the browser), to compare with what the UI shows."""
    import json

    class Api:
        def get(self, path: str):
            with urllib.request.urlopen(server + path, timeout=30) as response:
                return json.load(response)

        def status(self, path: str) -> int:
            try:
                with urllib.request.urlopen(server + path, timeout=30) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code

        def post(self, path: str, body):
            request = urllib.request.Request(
                server + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response)

    return Api()


@pytest.fixture(scope="package")
def served(api) -> dict:
    """GET /api/models: {"default": name, "models": [...], "names": [...]} as the server answers it."""
    data = api.get("/api/models")
    return {**data, "names": [m["name"] for m in data["models"]]}
