"""The wall's live event stream: Server-Sent Events read from the room's event log in the database.

Each stream polls "events after the last one sent" (an indexed range read), so it sees drawings posted
to any worker process. A drawing posted to this same process wakes its streams at once instead of at
the next poll. Event ids are the room's event numbers: a browser that reconnects sends the last one
in `Last-Event-ID` and gets exactly the events after it, so nothing is lost and nothing repeated.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator

from anyio import to_thread

from app.classroom.store import RoomStore

RECONNECT_MS = 1000  # the browser's wait before reconnecting (the SSE `retry` field)
KEEPALIVE_S = 15.0  # a comment line this often keeps proxies from closing an idle stream
EVENTS_PER_READ = 500


class RoomSignals:
    """In-process wake-ups: a drawing stored by this worker wakes this worker's streams of that room."""

    def __init__(self) -> None:
        self._waiting: dict[int, set[asyncio.Event]] = defaultdict(set)

    def notify(self, room_id: int) -> None:
        for event in self._waiting.get(room_id, ()):
            event.set()

    async def wait(self, room_id: int, timeout: float) -> None:
        event = asyncio.Event()
        self._waiting[room_id].add(event)
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            self._waiting[room_id].discard(event)
            if not self._waiting[room_id]:
                del self._waiting[room_id]


def parse_last_event_id(value: str | None) -> int:
    """The resume point a reconnecting browser sends; anything unreadable means from the start."""
    if value and value.strip().isdigit() and len(value.strip()) < 12:
        return int(value.strip())
    return 0


async def event_stream(
    store: RoomStore, signals: RoomSignals, room_id: int, after: int, poll_s: float, max_s: float
) -> AsyncIterator[bytes]:
    """SSE frames for the room's events after `after`, until the room ends or `max_s` passes (then the
    browser reconnects and resumes: long-lived connections through proxies are better kept short)."""
    yield f"retry: {RECONNECT_MS}\n\n".encode()
    started = last_sent = time.monotonic()
    while True:
        events = await to_thread.run_sync(store.events_after, room_id, after, EVENTS_PER_READ)
        for event in events:
            yield b"id: %d\nevent: %s\ndata: %s\n\n" % (event.seq, event.kind.encode(), event.payload)
            after = event.seq
            if event.kind == "end":
                return
        now = time.monotonic()
        if events:
            last_sent = now
            if len(events) == EVENTS_PER_READ:
                continue  # more are waiting
        elif now - last_sent >= KEEPALIVE_S:
            if not await to_thread.run_sync(store.is_live, room_id):
                yield b'event: end\ndata: {"expired": true}\n\n'
                return
            yield b": keep-alive\n\n"
            last_sent = now
        if now - started >= max_s:
            return
        await signals.wait(room_id, poll_s)
