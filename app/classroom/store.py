"""Rooms, rounds, drawings and the event log, in the database (SQLite or PostgreSQL).

Every change to a room is one short transaction that starts by updating the room's row: that takes the
row's lock (PostgreSQL) or the database's write lock (SQLite), bumps the room's event counter and
touches its idle clock, so the room's events are numbered and committed in order. Methods are
synchronous (SQLAlchemy Core); the routes call them off the event loop.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.classroom import codes
from app.classroom.tables import room_drawings, room_events, rooms

CODE_ATTEMPTS = 20
ENDED_ROOM_GRACE_S = 300  # an ended room's events stay this long, so open walls see the end


class RoomNotFound(Exception):
    """No such room, or it has ended or expired."""


class DrawingNotFound(Exception):
    pass


class RoomLimitReached(Exception):
    pass


@dataclass(frozen=True)
class Room:
    id: int
    code: str
    token_hash: str
    last_active_at: float
    round: int
    prompt: int | None
    save_samples: bool


@dataclass(frozen=True)
class NewDrawing:
    client: str
    nickname: str | None
    digit: int | None
    confidence: float
    probabilities: list[float]
    pixels: bytes  # 784 uint8
    strokes: Any | None


@dataclass(frozen=True)
class Event:
    seq: int
    kind: str
    payload: bytes  # JSON


class RoomStore:
    def __init__(self, engine: Engine, idle_expiry_s: float, max_rooms: int) -> None:
        self.engine = engine
        self.idle_expiry_s = idle_expiry_s
        self.max_rooms = max_rooms

    def expires_at(self, room: Room) -> float:
        return room.last_active_at + self.idle_expiry_s

    def _live(self, now: float):
        return (rooms.c.ended_at.is_(None)) & (rooms.c.last_active_at > now - self.idle_expiry_s)

    # --- reading -------------------------------------------------------------------------------

    def find(self, code: str, now: float | None = None) -> Room:
        """The live room with this code (RoomNotFound when unknown, ended or expired)."""
        now = time.time() if now is None else now
        with self.engine.connect() as conn:
            row = conn.execute(select(rooms).where(rooms.c.code == code, self._live(now))).one_or_none()
        if row is None:
            raise RoomNotFound(code)
        return _room(row)

    def recent_drawings(self, room_id: int, client: str, since: float) -> int:
        with self.engine.connect() as conn:
            query = select(func.count()).where(
                room_drawings.c.room_id == room_id, room_drawings.c.client == client, room_drawings.c.created_at > since
            )
            return int(conn.execute(query).scalar_one())

    def events_after(self, room_id: int, seq: int, limit: int = 500) -> list[Event]:
        """The room's events numbered above `seq`, in order (an indexed range read on the primary key)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(room_events.c.seq, room_events.c.kind, room_events.c.payload)
                .where(room_events.c.room_id == room_id, room_events.c.seq > seq)
                .order_by(room_events.c.seq)
                .limit(limit)
            ).all()
        return [Event(row.seq, row.kind, row.payload.encode()) for row in rows]

    def is_live(self, room_id: int, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        with self.engine.connect() as conn:
            return conn.execute(select(rooms.c.id).where(rooms.c.id == room_id, self._live(now))).first() is not None

    # --- changing ------------------------------------------------------------------------------

    def create(self, now: float | None = None) -> tuple[Room, str]:
        """A new room and its token (returned once; only its hash is kept). RoomLimitReached at max_rooms."""
        now = time.time() if now is None else now
        self._purge(now)
        token = codes.new_token()
        for _ in range(CODE_ATTEMPTS):
            try:
                with self.engine.begin() as conn:
                    live = conn.execute(select(func.count()).select_from(rooms).where(self._live(now))).scalar_one()
                    if live >= self.max_rooms:
                        raise RoomLimitReached(f"{live} rooms are open; the limit is {self.max_rooms} (ROWSCAN_MAX_ROOMS)")
                    values = {"code": codes.new_code(), "token_hash": codes.hash_token(token), "created_at": now}
                    values |= {"last_active_at": now, "round": 1, "prompt": None, "event_seq": 0, "save_samples": False}
                    room_id = conn.execute(insert(rooms).values(values).returning(rooms.c.id)).scalar_one()
            except IntegrityError:  # the code is taken: draw another
                continue
            return Room(room_id, values["code"], values["token_hash"], now, 1, None, False), token
        raise RoomLimitReached("no free room code found; try again")

    def add_drawing(self, room: Room, drawing: NewDrawing, now: float | None = None) -> tuple[int, int, int | None]:
        """Store a drawing and its event; (drawing id, round, prompt). RoomNotFound if the room ended meanwhile."""
        now = time.time() if now is None else now
        with self.engine.begin() as conn:
            seq, round_, prompt = self._next_event(conn, room.id, now)
            values = {
                "room_id": room.id,
                "round": round_,
                "prompt": prompt,
                "client": drawing.client,
                "nickname": drawing.nickname,
                "digit": drawing.digit,
                "confidence": drawing.confidence,
                "probabilities": orjson.dumps(drawing.probabilities).decode(),
                "pixels": drawing.pixels,
                "strokes": None if drawing.strokes is None else orjson.dumps(drawing.strokes).decode(),
                "hidden": False,
                "created_at": now,
            }
            drawing_id = conn.execute(insert(room_drawings).values(values).returning(room_drawings.c.id)).scalar_one()
            payload = {
                "id": drawing_id,
                "round": round_,
                "prompt": prompt,
                "nickname": drawing.nickname,
                "digit": drawing.digit,
                "confidence": drawing.confidence,
                "probabilities": drawing.probabilities,
                "pixels": drawing.pixels,  # base64 in the JSON (see _event)
                "at": now,
            }
            self._insert_event(conn, room.id, seq, "drawing", payload, now)
        return drawing_id, round_, prompt

    def new_round(self, room: Room, prompt: int | None, now: float | None = None) -> tuple[int, int | None]:
        """Start the next round (clears the wall) with this prompt, or a free round for None."""
        now = time.time() if now is None else now
        with self.engine.begin() as conn:
            seq, round_, _ = self._next_event(conn, room.id, now, round=rooms.c.round + 1, prompt=prompt)
            self._insert_event(conn, room.id, seq, "round", {"round": round_, "prompt": prompt}, now)
        return round_, prompt

    def hide(self, room: Room, drawing_id: int, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self.engine.begin() as conn:
            seq, _, _ = self._next_event(conn, room.id, now)
            found = conn.execute(
                update(room_drawings)
                .where(room_drawings.c.id == drawing_id, room_drawings.c.room_id == room.id)
                .values(hidden=True)
            ).rowcount
            if not found:
                raise DrawingNotFound(drawing_id)  # rolls the transaction back: no event
            self._insert_event(conn, room.id, seq, "hide", {"id": drawing_id}, now)

    def end(self, room: Room, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self.engine.begin() as conn:
            seq, _, _ = self._next_event(conn, room.id, now, ended_at=now)
            self._insert_event(conn, room.id, seq, "end", {}, now)

    def _next_event(self, conn: Connection, room_id: int, now: float, **changes: Any) -> tuple[int, int, int | None]:
        """Lock the live room's row, take its next event number, apply `changes`: (seq, round, prompt)."""
        row = conn.execute(
            update(rooms)
            .where(rooms.c.id == room_id, self._live(now))
            .values(event_seq=rooms.c.event_seq + 1, last_active_at=now, **changes)
            .returning(rooms.c.event_seq, rooms.c.round, rooms.c.prompt)
        ).one_or_none()
        if row is None:
            raise RoomNotFound(room_id)
        return row.event_seq, row.round, row.prompt

    @staticmethod
    def _insert_event(conn: Connection, room_id: int, seq: int, kind: str, payload: dict, now: float) -> None:
        text = orjson.dumps(payload, default=_bytes_as_base64).decode()
        conn.execute(insert(room_events).values(room_id=room_id, seq=seq, kind=kind, payload=text, created_at=now))

    def _purge(self, now: float) -> None:
        """Delete the rooms that ended (a few minutes ago) or expired, with their drawings and events."""
        with self.engine.begin() as conn:
            stale = select(rooms.c.id).where(
                or_(rooms.c.ended_at < now - ENDED_ROOM_GRACE_S, rooms.c.last_active_at < now - self.idle_expiry_s)
            )
            ids = conn.execute(stale).scalars().all()
            if ids:
                conn.execute(delete(room_events).where(room_events.c.room_id.in_(ids)))
                conn.execute(delete(room_drawings).where(room_drawings.c.room_id.in_(ids)))
                conn.execute(delete(rooms).where(rooms.c.id.in_(ids)))


def _bytes_as_base64(value: Any) -> str:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _room(row: Any) -> Room:
    return Room(row.id, row.code, row.token_hash, row.last_active_at, row.round, row.prompt, bool(row.save_samples))
