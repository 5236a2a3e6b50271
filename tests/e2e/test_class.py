"""Class mode in real browsers: a lecturer's wall and three students (two phones with touch, one laptop).

Two server processes share one database, as two workers would: the lecturer's wall is served by one,
the students send to the other, so every drawing crosses from one process to the other through the
database. The wall's event stream is cut every few seconds (ROWSCAN_ROOM_STREAM_MAX_S) and, for a while,
reconnections are answered by an empty stream: drawings sent meanwhile must arrive once it reconnects,
none twice.
"""

from __future__ import annotations

import contextlib
import json
import urllib.request

import pytest

from bench.common import free_port, rowscan_command, serve
from tests.e2e.conftest import DESKTOP, PHONE, _context
from tests.e2e.drawing import DIGITS, draw_mouse, draw_touch, line

SEVEN = DIGITS["seven-off-centre"][1]
ONE = [line((0.5, 0.12), (0.5, 0.88))]
SCRIPT_NAME = "<script>x</script>"
UNICODE_NAME = "🦊" * 20  # the most a nickname may hold: 20 characters, 80 bytes of UTF-8
EVENTS = "**/api/rooms/*/events*"


@pytest.fixture(scope="module")
def servers(chromium_path, tmp_path_factory):
    """Two `rowscan serve` processes on one SQLite database: (the lecturer's, the students')."""
    env = {
        "ROWSCAN_DATA_DIR": str(tmp_path_factory.mktemp("class-data")),
        "ROWSCAN_ROOM_STREAM_MAX_S": "2",
        "ROWSCAN_BACKEND": "onnx",
        "ROWSCAN_MODELS": "lstm",
        "ROWSCAN_LOG_LEVEL": "warning",
    }
    with contextlib.ExitStack() as stack:
        urls = []
        for _ in range(2):
            port = free_port()
            urls.append(stack.enter_context(serve(rowscan_command(port), port, env)).base_url)
        yield urls


@pytest.fixture
def contexts(browser, servers):
    """The lecturer's laptop (server A), two phones and a laptop of students (server B)."""
    lecturer_url, student_url = servers
    made = [
        _context(browser, lecturer_url, viewport=DESKTOP),
        _context(browser, student_url, viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2),
        _context(browser, student_url, viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2),
        _context(browser, student_url, viewport=DESKTOP),
    ]
    yield made
    for context, recorder in made:
        context.close()
        recorder.check()


def wall_state(wall) -> dict:
    return wall.evaluate(
        """() => {
            const root = document.querySelector('[data-testid=wall]');
            const tiles = Array.from(document.querySelectorAll('[data-testid=tile]'));
            return {
                state: root.dataset.state, connects: Number(root.dataset.connects), round: Number(root.dataset.round),
                ids: tiles.map((t) => Number(t.dataset.id)),
                tiles: Object.fromEntries(tiles.map((t) => [t.dataset.id, {
                    digit: t.querySelector('[data-testid=tile-digit]').textContent,
                    name: t.querySelector('[data-testid=tile-name]').textContent,
                    wrong: t.classList.contains('is-wrong'),
                    scripts: t.querySelectorAll('script').length,
                }])),
                count: document.querySelector('[data-testid=wall-count]').textContent,
                accuracy: document.querySelector('[data-testid=wall-accuracy]').textContent,
            };
        }"""
    )


def wait_for_tiles(wall, count: int) -> None:
    wall.wait_for_function("(n) => document.querySelectorAll('[data-testid=tile]').length === n", arg=count)


def join(page, code: str, nickname: str | None) -> None:
    """As a student does: the join form, the code typed in lower case, then the pad."""
    page.goto("/join")
    page.get_by_test_id("code-input").fill(code.lower())
    page.get_by_test_id("join-button").click()
    page.wait_for_selector("[data-testid=join-app][data-ready=true]")
    if nickname:
        page.get_by_test_id("nickname").fill(nickname)


def send(page, strokes, touch: bool) -> dict:
    """Draw, Send, wait for the answer; the drawing's POST answer (id, digit, round)."""
    (draw_touch if touch else draw_mouse)(page, strokes)
    with page.expect_response(lambda r: r.url.endswith("/drawings") and r.request.method == "POST") as answer:
        page.get_by_test_id("send").click()
    page.wait_for_selector("[data-testid=join-app][data-state=sent]")
    body = answer.value.json()
    assert page.get_by_test_id("join-digit").text_content() == str(body["digit"])
    return body


def test_a_class(contexts, servers, artifacts_dir):
    lecturer, phone_1, phone_2, laptop = (context.new_page() for context, _ in contexts)
    lecturer_context = contexts[0][0]

    lecturer.goto("/class")
    lecturer.get_by_test_id("start-class").click()
    lecturer.wait_for_selector("[data-testid=class-start][data-state=started]")
    code = lecturer.get_by_test_id("room-code").text_content()
    assert lecturer.get_by_test_id("join-url").text_content() == f"{servers[0]}/join/{code}"
    lecturer.get_by_test_id("open-wall").click()
    lecturer.wait_for_selector("[data-testid=wall][data-state=live]")
    assert lecturer.evaluate("() => document.documentElement.classList.contains('lecture')")  # projector styling

    lecturer.get_by_test_id("prompt-select").select_option("7")
    lecturer.get_by_test_id("new-round").click()
    lecturer.wait_for_selector("[data-testid=wall][data-round='2']")

    join(phone_1, code, SCRIPT_NAME)
    join(phone_2, code, UNICODE_NAME)
    join(laptop, code, None)
    assert phone_1.get_by_test_id("join-prompt").text_content() == "Draw a 7"
    sent = {
        "phone_1": send(phone_1, SEVEN, touch=True),
        "phone_2": send(phone_2, ONE, touch=True),
        "laptop": send(laptop, SEVEN, touch=False),
    }
    assert [sent[k]["digit"] for k in ("phone_1", "phone_2", "laptop")] == [7, 1, 7]
    assert all(answer["round"] == {"number": 2, "prompt": 7} for answer in sent.values())

    wait_for_tiles(lecturer, 3)
    shown = wall_state(lecturer)
    for key, name in (("phone_1", SCRIPT_NAME), ("phone_2", UNICODE_NAME), ("laptop", "anonymous")):
        tile = shown["tiles"][str(sent[key]["id"])]
        assert tile["digit"] == str(sent[key]["digit"]) and tile["name"] == name and tile["scripts"] == 0
        assert tile["wrong"] == (sent[key]["digit"] != 7)
    assert shown["count"] == "3" and shown["accuracy"] == "67%"
    lecturer.screenshot(path=artifacts_dir / "class-wall.png", full_page=True)
    phone_2.screenshot(path=artifacts_dir / "class-join-phone.png", full_page=True)

    # hide a tile
    lecturer.locator(f"[data-testid=tile][data-id='{sent['laptop']['id']}'] [data-testid=tile-hide]").click()
    wait_for_tiles(lecturer, 2)
    assert lecturer.get_by_test_id("wall-count").text_content() == "2"

    # the stream drops and, for a while, reconnects to nothing: what is sent meanwhile arrives afterwards, once
    connects = wall_state(lecturer)["connects"]
    empty_stream = {"status": 200, "headers": {"Content-Type": "text/event-stream"}, "body": "retry: 300\n\n"}
    lecturer_context.route(EVENTS, lambda route: route.fulfill(**empty_stream))
    lecturer.wait_for_function(f"() => Number(document.querySelector('[data-testid=wall]').dataset.connects) > {connects}")
    late = [send(phone_1, SEVEN, touch=True), send(laptop, SEVEN, touch=False)]
    assert wall_state(lecturer)["ids"] == [sent["phone_2"]["id"], sent["phone_1"]["id"]]  # not delivered yet
    lecturer_context.unroute(EVENTS)
    wait_for_tiles(lecturer, 4)
    shown = wall_state(lecturer)
    assert sorted(shown["ids"]) == sorted([sent["phone_1"]["id"], sent["phone_2"]["id"], *(d["id"] for d in late)])
    assert len(set(shown["ids"])) == 4 and shown["count"] == "4"

    # a tile goes to the draw page's row-by-row playback (a new tab), answered the same
    wrong_tile = lecturer.locator(f"[data-testid=tile][data-id='{sent['phone_2']['id']}']")
    with lecturer_context.expect_page() as opened:
        wrong_tile.get_by_test_id("tile-playback").click()
    playback = opened.value
    playback.wait_for_selector("[data-testid=draw-app][data-source=class][data-state=ready]")
    assert playback.get_by_test_id("prediction").text_content() == "1"
    assert playback.get_by_test_id("play").is_enabled()
    playback.close()

    # clear the round: the wall empties; the student whose 1 was read when a 7 was asked learns it
    lecturer.get_by_test_id("clear-round").click()
    lecturer.wait_for_selector("[data-testid=wall][data-round='3'][data-tiles='0']")
    phone_2.wait_for_selector("[data-testid=join-verdict][data-verdict=wrong]")
    phone_1.wait_for_selector("[data-testid=join-verdict][data-verdict=right]")

    # end the class: the wall says so, and so do the students' pages (their next look at the room is a 404)
    lecturer.once("dialog", lambda dialog: dialog.accept())
    lecturer.get_by_test_id("end-room").click()
    lecturer.wait_for_selector("[data-testid=wall][data-state=ended]")
    for student in (phone_1, phone_2, laptop):
        student.wait_for_selector("[data-testid=join-app][data-state=ended]")
        assert student.get_by_test_id("send").is_disabled()
        student.close()
    for _, recorder in contexts[1:]:  # Chromium logs each 404 answer as an error: these are the expected ones
        recorder.errors = [error for error in recorder.errors if "status of 404" not in error]


def test_wall_without_the_token_says_so(browser, servers):
    context, recorder = _context(browser, servers[0], viewport=DESKTOP)
    request = urllib.request.Request(f"{servers[0]}/api/rooms", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        code = json.load(answer)["code"]
    page = context.new_page()
    page.goto(f"/class/{code}")
    page.wait_for_selector("[data-testid=wall][data-state=forbidden]")
    context.close()
    recorder.check()
