"""The room store on both databases (SQLite and PostgreSQL, tests/storage_fixtures.py): events numbered
in commit order with no gap and no repeat, also when many writers send at once, and rooms that end or
expire stop taking drawings."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import orjson
import pytest

from app.classroom.store import DrawingNotFound, NewDrawing, RoomNotFound, RoomStore, utc_now

WRITERS = 8
DRAWINGS_PER_WRITER = 15


def drawing(client: str = "c", digit: int = 7) -> NewDrawing:
    probabilities = [0.0] * 10
    probabilities[digit] = 1.0
    return NewDrawing(client, None, digit, 1.0, probabilities, bytes(784), None)


@pytest.fixture
def store(database) -> RoomStore:
    return RoomStore(database.engine, idle_expiry_s=3600, max_rooms=10)


def test_concurrent_drawings_get_every_number_once(store):
    room, _ = store.create()
    other, _ = store.create()

    def send(writer: int) -> list[int]:
        return [store.add_drawing(room if writer % 2 else other, drawing(f"w{writer}"))[0] for _ in range(DRAWINGS_PER_WRITER)]

    with ThreadPoolExecutor(WRITERS) as pool:
        sent = [drawing_id for ids in pool.map(send, range(WRITERS)) for drawing_id in ids]
    for target in (room, other):
        events = store.events_after(target.id, 0, limit=1000)
        assert [event.seq for event in events] == list(range(1, len(events) + 1))  # no gap, no repeat, in order
        assert len(events) == WRITERS // 2 * DRAWINGS_PER_WRITER
    ids = [orjson.loads(e.payload)["id"] for target in (room, other) for e in store.events_after(target.id, 0, 1000)]
    assert sorted(ids) == sorted(sent)
    assert [e.seq for e in store.events_after(room.id, 10, limit=5)] == [11, 12, 13, 14, 15]


def test_rounds_hide_and_end(store):
    room, _ = store.create()
    first, round_, prompt = store.add_drawing(room, drawing())
    assert (round_, prompt) == (1, None)
    assert store.new_round(room, 3) == (2, 3)
    assert store.add_drawing(room, drawing(digit=3))[1:] == (2, 3)
    store.hide(room, first)
    with pytest.raises(DrawingNotFound):
        store.hide(room, first + 1000)
    assert [e.kind for e in store.events_after(room.id, 0)] == ["drawing", "round", "drawing", "hide"]
    store.end(room)
    assert store.events_after(room.id, 4)[0].kind == "end"
    with pytest.raises(RoomNotFound):
        store.find(room.code)
    with pytest.raises(RoomNotFound):
        store.add_drawing(room, drawing())


def test_rate_window_counts_one_client(store):
    room, _ = store.create()
    for _ in range(3):
        store.add_drawing(room, drawing("a"))
    store.add_drawing(room, drawing("b"))
    assert store.recent_drawings(room.id, "a", utc_now() - timedelta(minutes=1)) == 3
    assert store.recent_drawings(room.id, "a", utc_now() + timedelta(seconds=1)) == 0


def test_room_limit_and_purge(store):
    store.max_rooms = 2
    first, _ = store.create()
    store.create()
    with pytest.raises(Exception, match="limit is 2"):
        store.create()
    store.add_drawing(first, drawing())
    later = utc_now() + store.idle_expiry + timedelta(minutes=1)  # both rooms have expired by then
    room, _ = store.create(now=later)  # purges the expired rooms with their drawings and events
    assert store.events_after(first.id, 0) == []
    assert store.find(room.code, now=later).id == room.id
