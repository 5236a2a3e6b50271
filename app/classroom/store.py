"""Rooms, rounds, drawings and the event log, in the database (SQLite or PostgreSQL).

Every change to a room is one short transaction that starts by updating the room's row: that takes the
row's lock (PostgreSQL) or the database's write lock (SQLite), bumps the room's event counter and
touches its idle clock, so the room's events are numbered and committed in order. Methods are
synchronous (SQLAlchemy Core on the app's engine); the routes call them off the event loop.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.classroom import codes
from app.classroom.tables import Room, RoomDrawing, RoomEvent
from app.storage.tables import Sample

CODE_ATTEMPTS = 20
ENDED_ROOM_GRACE = timedelta(minutes=5)  # an ended room's events stay this long, so open walls see the end


class RoomNotFound(Exception):
    """No such room, or it has ended or expired."""


class DrawingNotFound(Exception):
    pass


class RoomLimitReached(Exception):
    pass


@dataclass(frozen=True)
class OpenRoom:
    id: int
    code: str
    token_hash: str
    last_active_at: datetime
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
    pixels: bytes  # 784 uint8, for the wall
    strokes: list[Any] | None
    model_input: bytes = b""  # the 28x28 float32 the model saw (little-endian): kept as a sample when the room saves them
    model: tuple[str, str] = ("", "")  # the answering model's name and version


@dataclass(frozen=True)
class Event:
    seq: int
    kind: str
    payload: bytes  # JSON


def utc_now() -> datetime:
    return datetime.now(UTC)


def _sample(drawing: NewDrawing, label: int, now: datetime) -> dict[str, Any]:
    """A prompted round's drawing as a labelled sample (the corrections' table): the prompt is its label."""
    name, version = drawing.model
    return {
        "created_at": now,
        "client_id": drawing.client,
        "label": label,
        "predicted": drawing.digit,
        "model": name,
        "model_version": version,
        "probabilities": drawing.probabilities,
        "pixels": drawing.model_input,
        "strokes": drawing.strokes,
    }


class RoomStore:
    def __init__(self, engine: Engine, idle_expiry_s: float, max_rooms: int) -> None:
        self.engine = engine
        self.idle_expiry = timedelta(seconds=idle_expiry_s)
        self.max_rooms = max_rooms

    def expires_at(self, room: OpenRoom) -> datetime:
        return room.last_active_at + self.idle_expiry

    def _live(self, now: datetime):
        return Room.ended_at.is_(None) & (Room.last_active_at > now - self.idle_expiry)

    # --- reading -------------------------------------------------------------------------------

    def find(self, code: str, now: datetime | None = None) -> OpenRoom:
        """The live room with this code (RoomNotFound when unknown, ended or expired)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(Room.__table__).where(Room.code == code, self._live(now or utc_now()))).one_or_none()
        if row is None:
            raise RoomNotFound(code)
        return OpenRoom(row.id, row.code, row.token_hash, row.last_active_at, row.round, row.prompt, row.save_samples)

    def recent_drawings(self, room_id: int, client: str, since: datetime) -> int:
        """How many drawings this client sent to the room since then (an indexed count: the rate limit)."""
        mine = (RoomDrawing.room_id == room_id) & (RoomDrawing.client == client)
        query = select(func.count()).where(mine, RoomDrawing.created_at > since)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def events_after(self, room_id: int, seq: int, limit: int = 500) -> list[Event]:
        """The room's events numbered above `seq`, in order (a range read on the primary key)."""
        query = (
            select(RoomEvent.seq, RoomEvent.kind, RoomEvent.payload)
            .where(RoomEvent.room_id == room_id, RoomEvent.seq > seq)
            .order_by(RoomEvent.seq)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [Event(row.seq, row.kind, row.payload.encode()) for row in conn.execute(query)]

    def is_live(self, room_id: int) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(Room.id).where(Room.id == room_id, self._live(utc_now()))).first() is not None

    # --- changing ------------------------------------------------------------------------------

    def create(self, now: datetime | None = None) -> tuple[OpenRoom, str]:
        """A new room and its token (returned once; only its hash is kept). RoomLimitReached at max_rooms."""
        now = now or utc_now()
        self._purge(now)
        token = codes.new_token()
        token_hash = codes.hash_token(token)
        for _ in range(CODE_ATTEMPTS):
            code = codes.new_code()
            try:
                with self.engine.begin() as conn:
                    live = conn.execute(select(func.count()).select_from(Room).where(self._live(now))).scalar_one()
                    if live >= self.max_rooms:
                        raise RoomLimitReached(f"{live} classes are open; the limit is {self.max_rooms} (ROWSCAN_MAX_ROOMS)")
                    values = {"code": code, "token_hash": token_hash, "created_at": now, "last_active_at": now}
                    values |= {"round": 1, "prompt": None, "event_seq": 0, "save_samples": False}
                    room_id = conn.execute(insert(Room).values(values).returning(Room.id)).scalar_one()
            except IntegrityError:  # the code is taken: draw another
                continue
            return OpenRoom(room_id, code, token_hash, now, 1, None, False), token
        raise RoomLimitReached("no free class code found; try again")

    def add_drawing(self, room: OpenRoom, drawing: NewDrawing) -> tuple[int, int, int | None]:
        """Store a drawing and its event; (drawing id, round, prompt). RoomNotFound if the room ended meanwhile."""
        now = utc_now()
        with self.engine.begin() as conn:
            seq, round_, prompt, save_samples = self._next_event(conn, room.id, now)
            values = {
                "room_id": room.id,
                "round": round_,
                "prompt": prompt,
                "client": drawing.client,
                "nickname": drawing.nickname,
                "digit": drawing.digit,
                "confidence": drawing.confidence,
                "probabilities": drawing.probabilities,
                "pixels": drawing.pixels,
                "strokes": drawing.strokes,
                "hidden": False,
                "created_at": now,
            }
            drawing_id = conn.execute(insert(RoomDrawing).values(values).returning(RoomDrawing.id)).scalar_one()
            payload = {
                "id": drawing_id,
                "round": round_,
                "prompt": prompt,
                "nickname": drawing.nickname,
                "digit": drawing.digit,
                "confidence": drawing.confidence,
                "probabilities": drawing.probabilities,
                "pixels": base64.b64encode(drawing.pixels).decode(),
            }
            self._insert_event(conn, room.id, seq, "drawing", payload, now)
            if save_samples and prompt is not None and drawing.digit is not None:
                conn.execute(insert(Sample).values(_sample(drawing, prompt, now)))
        return drawing_id, round_, prompt

    def save_samples(self, room: OpenRoom, on: bool) -> None:
        """The lecturer's switch: keep this room's prompted drawings as labelled samples (for fine-tuning)."""
        with self.engine.begin() as conn:
            if not conn.execute(update(Room).where(Room.id == room.id, self._live(utc_now())).values(save_samples=on)).rowcount:
                raise RoomNotFound(room.id)

    def new_round(self, room: OpenRoom, prompt: int | None) -> tuple[int, int | None]:
        """Start the next round (it clears the wall) with this prompt, or a free round for None."""
        now = utc_now()
        with self.engine.begin() as conn:
            seq, round_, _, _ = self._next_event(conn, room.id, now, round=Room.round + 1, prompt=prompt)
            self._insert_event(conn, room.id, seq, "round", {"round": round_, "prompt": prompt}, now)
        return round_, prompt

    def hide(self, room: OpenRoom, drawing_id: int) -> None:
        now = utc_now()
        with self.engine.begin() as conn:
            seq, *_ = self._next_event(conn, room.id, now)
            hidden = update(RoomDrawing).where(RoomDrawing.id == drawing_id, RoomDrawing.room_id == room.id).values(hidden=True)
            if not conn.execute(hidden).rowcount:
                raise DrawingNotFound(drawing_id)  # rolls the transaction back: no event
            self._insert_event(conn, room.id, seq, "hide", {"id": drawing_id}, now)

    def end(self, room: OpenRoom) -> None:
        now = utc_now()
        with self.engine.begin() as conn:
            seq, *_ = self._next_event(conn, room.id, now, ended_at=now)
            self._insert_event(conn, room.id, seq, "end", {}, now)

    def _next_event(self, conn: Connection, room_id: int, now: datetime, **changes: Any) -> tuple[int, int, int | None, bool]:
        """Lock the live room's row, take its next event number, apply `changes`: (seq, round, prompt, save_samples)."""
        row = conn.execute(
            update(Room)
            .where(Room.id == room_id, self._live(now))
            .values(event_seq=Room.event_seq + 1, last_active_at=now, **changes)
            .returning(Room.event_seq, Room.round, Room.prompt, Room.save_samples)
        ).one_or_none()
        if row is None:
            raise RoomNotFound(room_id)
        return row.event_seq, row.round, row.prompt, row.save_samples

    @staticmethod
    def _insert_event(conn: Connection, room_id: int, seq: int, kind: str, payload: dict, now: datetime) -> None:
        values = {"room_id": room_id, "seq": seq, "kind": kind, "payload": orjson.dumps(payload).decode(), "created_at": now}
        conn.execute(insert(RoomEvent).values(values))

    def _purge(self, now: datetime) -> None:
        """Delete the rooms that ended (a few minutes ago) or expired; their drawings and events go with them."""
        stale = or_(Room.ended_at < now - ENDED_ROOM_GRACE, Room.last_active_at < now - self.idle_expiry)
        with self.engine.begin() as conn:
            conn.execute(delete(Room).where(stale))
