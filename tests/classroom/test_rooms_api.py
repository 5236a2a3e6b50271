"""The class-mode API over the real app: every rule of issue 16 (rooms, drawings, rounds, tokens, limits)."""

from __future__ import annotations

import re
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import select

from app.classroom import codes
from app.classroom.store import RoomNotFound
from app.storage import Sample
from tests.classroom.conftest import ONE, SEVEN, auth
from tests.classroom.sse import parse

CODE = re.compile(f"^[{codes.CODE_ALPHABET}]{{{codes.CODE_LENGTH}}}$")


def send(client, room, body=None, client_id="student-1", code=None):
    url = f"/api/rooms/{code or room['code']}/drawings"
    return client.post(url, json={"image": SEVEN} if body is None else body, headers={"X-Client-Id": client_id})


def events(client, room, last_event_id=None, **params):
    headers = auth(room) if not params else {}
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    answer = client.get(f"/api/rooms/{room['code']}/events", headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/event-stream")
    return parse(answer.text)


def assert_error(answer, status, code):
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["code"] == code and isinstance(body["error"], str) and body["error"]


def test_create_room(rooms_client, room):
    assert CODE.match(room["code"])
    assert room["join_url"].endswith(f"/join/{room['code']}")
    assert len(room["token"]) >= 32
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", room["expires_at"])
    others = {rooms_client.post("/api/rooms").json()["code"] for _ in range(5)}
    assert room["code"] not in others and len(others) == 5


def test_codes_are_random_and_readable():
    made = [codes.new_code() for _ in range(2000)]
    assert len(set(made)) > 1990  # random, not sequential
    assert not set("".join(made)) & set("0O1IL2Z5S8B6GUV")
    assert codes.normalise_code(" ab-c d ") == "ABCD"


def test_token_compare():
    token = codes.new_token()
    stored = codes.hash_token(token)
    assert codes.token_matches(token, stored)
    assert not codes.token_matches(token + "x", stored)
    assert not codes.token_matches(None, stored)
    assert not codes.token_matches("", stored)


def test_drawing_is_answered(rooms_client, room):
    answer = send(rooms_client, room)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert set(body) == {"id", "digit", "probabilities", "input", "round"}
    assert body["digit"] == 7 and len(body["probabilities"]) == 10
    assert len(body["input"]) == 28 and all(len(row) == 28 for row in body["input"])
    assert body["round"] == {"number": 1, "prompt": None}


def test_code_is_case_insensitive(rooms_client, room):
    assert send(rooms_client, room, code=room["code"].lower()).status_code == 201
    assert rooms_client.get(f"/api/rooms/{room['code'].lower()}").json()["code"] == room["code"]


def test_pixels_and_strokes(rooms_client, room):
    pixels = [[0.0] * 28 for _ in range(28)]
    for row in range(4, 24):
        pixels[row][13] = pixels[row][14] = 1.0
    strokes = [{"w": 0.07, "pts": [[0.5, 0.1], [0.5, 0.9]]}]
    answer = send(rooms_client, room, {"pixels": pixels, "strokes": strokes, "nickname": "Ada"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["digit"] == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "invalid_request"),
        ({"image": SEVEN, "pixels": [0.0] * 784}, "invalid_request"),
        ({"image": SEVEN, "nickname": "x" * 21}, "invalid_request"),
        ({"image": SEVEN, "nickname": "a\u0000b"}, "invalid_request"),
        ({"image": SEVEN, "model": "gru"}, "invalid_request"),
        ({"image": SEVEN, "strokes": [{"w": 2, "pts": [[0, 0]]}]}, "invalid_request"),
        ({"image": "not base64!"}, "invalid_base64"),
        ({"pixels": [[0.0] * 27] * 28}, "invalid_pixels"),
    ],
)
def test_bad_drawings(rooms_client, room, body, code):
    assert_error(send(rooms_client, room, body), 400 if code == "invalid_base64" else 422, code)


def test_unknown_and_ended_rooms_are_404(rooms_client, room):
    assert_error(send(rooms_client, room, code="AAAAA"), 404, "unknown_room")
    assert_error(send(rooms_client, room, code="NOT-A-CODE"), 404, "unknown_room")
    assert rooms_client.delete(f"/api/rooms/{room['code']}", headers=auth(room)).status_code == 204
    assert_error(send(rooms_client, room), 404, "unknown_room")
    assert_error(rooms_client.get(f"/api/rooms/{room['code']}"), 404, "unknown_room")
    assert_error(rooms_client.delete(f"/api/rooms/{room['code']}", headers=auth(room)), 404, "unknown_room")


def test_rate_limit_per_client(rooms_client, room):
    for _ in range(5):  # room_drawings_per_minute=5 in this app
        assert send(rooms_client, room, client_id="busy").status_code == 201
    limited = send(rooms_client, room, client_id="busy")
    assert_error(limited, 429, "rate_limited")
    assert limited.headers["Retry-After"]
    assert send(rooms_client, room, client_id="calm").status_code == 201


@pytest.mark.parametrize(
    ("method", "path", "json"),
    [
        ("PUT", "/round", {"prompt": 3}),
        ("DELETE", "/drawings/1", None),
        ("DELETE", "", None),
        ("GET", "/events", None),
    ],
)
def test_lecturer_actions_need_the_token(rooms_client, room, method, path, json):
    url = f"/api/rooms/{room['code']}{path}"
    other = rooms_client.post("/api/rooms").json()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {room['token']}"}, auth(other)):
        assert_error(rooms_client.request(method, url, json=json, headers=headers), 403, "forbidden")
    if method == "GET":
        assert_error(rooms_client.get(url, params={"token": "wrong"}), 403, "forbidden")
    assert rooms_client.get(f"/api/rooms/{room['code']}").status_code == 200  # nothing changed, the room lives


def test_rounds(rooms_client, room):
    url = f"/api/rooms/{room['code']}/round"
    answer = rooms_client.put(url, json={"prompt": 7}, headers=auth(room))
    assert answer.status_code == 200 and answer.json() == {"round": {"number": 2, "prompt": 7}}
    assert send(rooms_client, room).json()["round"] == {"number": 2, "prompt": 7}
    assert rooms_client.get(f"/api/rooms/{room['code']}").json()["round"] == {"number": 2, "prompt": 7}
    assert rooms_client.put(url, json={"prompt": None}, headers=auth(room)).json() == {"round": {"number": 3, "prompt": None}}
    for bad in ({"prompt": 10}, {"prompt": -1}, {"prompt": "7"}, {}, {"prompt": 1, "extra": 1}):
        assert_error(rooms_client.put(url, json=bad, headers=auth(room)), 422, "invalid_request")


def test_hide(rooms_client, room):
    drawing_id = send(rooms_client, room).json()["id"]
    url = f"/api/rooms/{room['code']}/drawings/{drawing_id}"
    assert rooms_client.delete(url, headers=auth(room)).status_code == 204
    assert_error(rooms_client.delete(f"/api/rooms/{room['code']}/drawings/999999", headers=auth(room)), 404, "unknown_drawing")
    other = rooms_client.post("/api/rooms").json()  # another room's lecturer cannot hide this room's drawing
    elsewhere = rooms_client.delete(f"/api/rooms/{other['code']}/drawings/{drawing_id}", headers=auth(other))
    assert_error(elsewhere, 404, "unknown_drawing")


def test_events_in_order_and_resumable(rooms_client, room):
    first = send(rooms_client, room, {"image": SEVEN, "nickname": "<script>1</script>"}).json()
    rooms_client.put(f"/api/rooms/{room['code']}/round", json={"prompt": 1}, headers=auth(room))
    second = send(rooms_client, room, {"image": ONE}).json()
    rooms_client.delete(f"/api/rooms/{room['code']}/drawings/{first['id']}", headers=auth(room))

    frames = events(rooms_client, room)
    assert [(f.id, f.event) for f in frames] == [(1, "drawing"), (2, "round"), (3, "drawing"), (4, "hide")]
    drawing = frames[0].data
    assert drawing["id"] == first["id"] and drawing["digit"] == 7 and drawing["round"] == 1 and drawing["prompt"] is None
    assert drawing["nickname"] == "<script>1</script>"  # data, as sent: the wall shows it as text
    assert frames[1].data == {"round": 2, "prompt": 1}
    assert frames[2].data["id"] == second["id"] and frames[2].data["prompt"] == 1 and frames[2].data["digit"] == 1
    assert frames[3].data == {"id": first["id"]}

    assert [f.id for f in events(rooms_client, room, last_event_id=2)] == [3, 4]
    assert events(rooms_client, room, last_event_id=4) == []
    assert [f.id for f in events(rooms_client, room, last_event_id="garbage")] == [1, 2, 3, 4]
    assert [f.id for f in events(rooms_client, room, token=room["token"])] == [1, 2, 3, 4]  # EventSource's way


def test_end_is_the_last_event(rooms_client, room):
    send(rooms_client, room)
    frames_before = events(rooms_client, room)
    rooms_client.delete(f"/api/rooms/{room['code']}", headers=auth(room))
    assert [f.event for f in frames_before] == ["drawing"]
    assert_error(rooms_client.get(f"/api/rooms/{room['code']}/events", headers=auth(room)), 404, "unknown_room")


def test_nicknames_unicode(rooms_client, room):
    long_unicode = "🦊" * 20  # 20 characters, 80 bytes in UTF-8
    assert send(rooms_client, room, {"image": SEVEN, "nickname": long_unicode}).status_code == 201
    assert_error(send(rooms_client, room, {"image": SEVEN, "nickname": "🦊" * 21}), 422, "invalid_request")
    assert send(rooms_client, room, {"image": SEVEN, "nickname": "   "}).status_code == 201
    names = [f.data["nickname"] for f in events(rooms_client, room)]
    assert names == [long_unicode, None]


def test_students_see_no_drawings(rooms_client, room):
    send(rooms_client, room, {"image": SEVEN, "nickname": "secret"})
    status = rooms_client.get(f"/api/rooms/{room['code']}")
    assert status.status_code == 200 and set(status.json()) == {"code", "round", "expires_at", "save_samples"}
    assert "secret" not in status.text


def test_room_limit(rooms_app, rooms_client, monkeypatch):
    store = rooms_app.state.rooms
    monkeypatch.setattr(store, "max_rooms", 0)
    answer = rooms_client.post("/api/rooms")
    assert_error(answer, 503, "too_many_rooms")
    assert answer.headers["Retry-After"]


def test_rooms_expire_when_idle(rooms_app, room):
    store = rooms_app.state.rooms
    found = store.find(room["code"])
    assert store.find(room["code"], now=found.last_active_at + store.idle_expiry - timedelta(seconds=1)).code == room["code"]
    with pytest.raises(RoomNotFound):
        store.find(room["code"], now=found.last_active_at + store.idle_expiry + timedelta(seconds=1))


def test_qr_code(rooms_client, room):
    answer = rooms_client.get(f"/api/rooms/{room['code']}/qr.svg")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.text.startswith("<?xml") and "<svg" in answer.text and "viewBox" in answer.text
    assert_error(rooms_client.get("/api/rooms/AAAAA/qr.svg"), 404, "unknown_room")


def test_documented_in_openapi(rooms_client):
    paths = rooms_client.get("/openapi.json").json()["paths"]
    for path, methods in {
        "/api/rooms": {"post"},
        "/api/rooms/{code}": {"get", "patch", "delete"},
        "/api/rooms/{code}/drawings": {"post"},
        "/api/rooms/{code}/round": {"put"},
        "/api/rooms/{code}/drawings/{drawing_id}": {"delete"},
        "/api/rooms/{code}/events": {"get"},
        "/api/rooms/{code}/qr.svg": {"get"},
    }.items():
        assert methods <= set(paths[path]), path
    assert "RoomDrawingRequest" in rooms_client.get("/openapi.json").json()["components"]["schemas"]


def test_prompted_drawings_become_samples_when_the_lecturer_says_so(rooms_app, rooms_client, room):
    url = f"/api/rooms/{room['code']}"

    def samples() -> list:
        with rooms_app.state.database.session() as session:
            return session.scalars(select(Sample).where(Sample.client_id == codes.client_key("samples-test", None))).all()

    rooms_client.put(f"{url}/round", json={"prompt": 7}, headers=auth(room))
    send(rooms_client, room, client_id="samples-test")
    assert samples() == [] and rooms_client.get(url).json()["save_samples"] is False  # off by default
    assert_error(rooms_client.patch(url, json={"save_samples": True}), 403, "forbidden")
    assert_error(rooms_client.patch(url, json={"save_samples": "yes"}, headers=auth(room)), 422, "invalid_request")
    assert rooms_client.patch(url, json={"save_samples": True}, headers=auth(room)).json() == {"save_samples": True}
    assert rooms_client.get(url).json()["save_samples"] is True  # students are told
    answer = send(rooms_client, room, client_id="samples-test").json()
    [sample] = samples()
    assert (sample.label, sample.predicted, sample.model) == (7, answer["digit"], "lstm")
    assert np.frombuffer(sample.pixels, "<f4").reshape(28, 28) == pytest.approx(np.array(answer["input"]), abs=1e-6)
    rooms_client.put(f"{url}/round", json={"prompt": None}, headers=auth(room))
    send(rooms_client, room, client_id="samples-test")  # a free round has no label: not a sample
    assert len(samples()) == 1


def test_join_form_goes_to_the_room_page(rooms_client, room):
    answer = rooms_client.get("/join", params={"code": f" {room['code'].lower()} "}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"/join/{room['code']}"
    odd = rooms_client.get("/join", params={"code": "ab/../x"}, follow_redirects=False)
    assert odd.headers["location"] == "/join/AB%2F..%2FX"  # stays one path segment
    assert rooms_client.get(f"/join/{room['code']}").status_code == 200
    assert rooms_client.get("/join/AAAAA").status_code == 404 and rooms_client.get("/class/AAAAA").status_code == 404
