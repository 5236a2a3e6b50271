"""Class mode's API: rooms, students' drawings, rounds, and the wall's live event stream.

Lecturer actions need the room's token (`Authorization: Bearer <token>`; the event stream also takes
`?token=`, because a browser's EventSource cannot send headers): 403 when it is missing or wrong.
Students only ever see their own drawing's answer and the room's round.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import numpy as np
from anyio import to_thread
from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app import preprocess
from app.classroom import codes
from app.classroom.live import RoomSignals, event_stream, parse_last_event_id
from app.classroom.qr import qr_svg
from app.classroom.schemas import DrawingCreated, RoomCreated, RoomDrawingRequest, RoomSettings, RoomStatus, RoundRequest
from app.classroom.store import DrawingNotFound, NewDrawing, OpenRoom, RoomLimitReached, RoomNotFound, RoomStore, utc_now
from app.config import Settings
from app.deps import ImageWorkDep, Registry, Rooms, RoomSignalsDep, SettingsDep, json_body, json_response, parse_json
from app.errors import RETRY_AFTER_S, ApiError
from app.schemas import ERROR_RESPONSES, ErrorResponse

router = APIRouter(prefix="/api/rooms", tags=["Class mode"], responses=ERROR_RESPONSES)
bearer = HTTPBearer(auto_error=False, description="The room's token, from POST /api/rooms.")
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
Code = Annotated[str, Path(description="The room's code, as students type it (case-insensitive).", max_length=16)]
TOKEN_RESPONSES = {403: {"model": ErrorResponse, "description": "Missing or wrong room token"}}
RATE_WINDOW = timedelta(minutes=1)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def join_url(request: Request, settings: Settings, code: str) -> str:
    base = settings.public_url or str(request.base_url)
    return f"{base.rstrip('/')}/join/{code}"


async def lookup_room(store: RoomStore, code: str) -> OpenRoom | None:
    """The live room with this code (as typed: any case), or None when unknown, ended or expired."""
    normalised = codes.normalise_code(code)
    if not codes.is_code(normalised):
        return None
    try:
        return await to_thread.run_sync(store.find, normalised)
    except RoomNotFound:
        return None


async def find_room(store: RoomStore, code: str) -> OpenRoom:
    """The live room with this code, else 404 (unknown, ended and expired rooms look the same)."""
    room = await lookup_room(store, code)
    if room is None:
        raise ApiError(404, "unknown_room", f"no open class with code '{code[:16]}': check the code, or the class has ended")
    return room


async def lecturer_room(store: RoomStore, code: str, token: str | None) -> OpenRoom:
    room = await find_room(store, code)
    if not codes.token_matches(token, room.token_hash):
        problem = "missing" if token is None else "wrong"
        raise ApiError(403, "forbidden", f"{problem} room token: lecturer actions need `Authorization: Bearer <token>`")
    return room


def _token(credentials: HTTPAuthorizationCredentials | None) -> str | None:
    return credentials.credentials if credentials else None


@router.post("", status_code=201, response_model=RoomCreated, summary="Start a class (a room)")
async def create_room(request: Request, store: Rooms, settings: SettingsDep) -> Response:
    """A new room with a random short code. The token in the answer is shown only once: keep it."""
    try:
        room, token = await to_thread.run_sync(store.create)
    except RoomLimitReached as exc:
        raise ApiError(503, "too_many_rooms", str(exc), headers={"Retry-After": "60"}) from None
    body = {
        "code": room.code,
        "join_url": join_url(request, settings, room.code),
        "token": token,
        "expires_at": _iso(store.expires_at(room)),
    }
    return json_response(body, status_code=201)


@router.get("/{code}", response_model=RoomStatus, summary="A room's current round (public: what students poll)")
async def room_status(store: Rooms, code: Code) -> Response:
    room = await find_room(store, code)
    round_ = {"number": room.round, "prompt": room.prompt}
    expires_at = _iso(store.expires_at(room))
    return json_response({"code": room.code, "round": round_, "expires_at": expires_at, "save_samples": room.save_samples})


@router.patch(
    "/{code}",
    responses=TOKEN_RESPONSES,
    openapi_extra=json_body(RoomSettings),
    summary="Keep the class's prompted drawings as labelled samples, or not",
)
async def room_settings(request: Request, store: Rooms, signals: RoomSignalsDep, code: Code, credentials: Bearer) -> Response:
    """`{"save_samples": true}`: from now on, each drawing of a round with a prompt is also saved as a
    sample labelled with the prompt (the data fine-tuning learns from). Off by default; students are told."""
    body = await parse_json(request, RoomSettings)
    room = await lecturer_room(store, code, _token(credentials))
    await _changed(signals, room, store.save_samples, room, body.save_samples)
    return json_response({"save_samples": body.save_samples})


@router.get(
    "/{code}/qr.svg",
    summary="The join URL as a QR code (SVG)",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "A scalable QR code of the join URL"}},
)
async def room_qr(request: Request, store: Rooms, settings: SettingsDep, code: Code) -> Response:
    room = await find_room(store, code)
    return Response(
        qr_svg(join_url(request, settings, room.code)), media_type="image/svg+xml", headers={"Cache-Control": "no-store"}
    )


@router.post(
    "/{code}/drawings",
    status_code=201,
    response_model=DrawingCreated,
    openapi_extra=json_body(RoomDrawingRequest),
    responses={429: {"model": ErrorResponse, "description": "Too many drawings from this student; retry later"}},
    summary="A student sends a drawing",
)
async def send_drawing(
    request: Request,
    store: Rooms,
    signals: RoomSignalsDep,
    settings: SettingsDep,
    registry: Registry,
    image_work: ImageWorkDep,
    code: Code,
    x_client_id: Annotated[
        str | None, Header(max_length=64, description="A random id the browser keeps (rate limit per student).")
    ] = None,
) -> Response:
    """The model answers it, the wall shows it. 404 when the room is unknown or has ended; 429 beyond
    ROWSCAN_ROOM_DRAWINGS_PER_MINUTE drawings a minute from one student (X-Client-Id, else the address)."""
    body = await parse_json(request, RoomDrawingRequest)
    room = await find_room(store, code)
    client = codes.client_key(x_client_id, request.client.host if request.client else None)
    recent = await to_thread.run_sync(store.recent_drawings, room.id, client, utc_now() - RATE_WINDOW)
    if recent >= settings.room_drawings_per_minute:
        message = f"{recent} drawings in the last minute; the limit is {settings.room_drawings_per_minute} a minute"
        raise ApiError(429, "rate_limited", message, headers={"Retry-After": RETRY_AFTER_S})
    if body.image is None:
        prepared = preprocess.prepare_pixels(body.pixels)
    else:  # decoding and framing go through the app's bounded image work, as for /api/predict
        limits = settings.image_limits
        [prepared] = await image_work.prepare(request, [preprocess.decode_base64(body.image, limits)], limits)
    served = registry.get()
    [prediction] = await served.predict([prepared])
    drawing = NewDrawing(
        client=client,
        nickname=body.nickname,
        digit=prediction.digit,
        confidence=float(prediction.confidence),
        probabilities=[round(float(p), 6) for p in prediction.probabilities],
        pixels=np.clip(np.rint(prediction.input * 255), 0, 255).astype(np.uint8).tobytes(),
        strokes=None if body.strokes is None else [stroke.model_dump() for stroke in body.strokes],
        model_input=np.asarray(prediction.input, dtype="<f4").tobytes(),
        model=(served.name, served.version),
    )
    try:
        drawing_id, round_, prompt = await to_thread.run_sync(store.add_drawing, room, drawing)
    except RoomNotFound:
        raise ApiError(404, "unknown_room", f"the class '{room.code}' has just ended") from None
    signals.notify(room.id)
    answer = {
        "id": drawing_id,
        "digit": prediction.digit,
        "probabilities": prediction.probabilities,
        "input": prediction.input,
        "round": {"number": round_, "prompt": prompt},
    }
    return json_response(answer, status_code=201)


@router.put(
    "/{code}/round",
    responses=TOKEN_RESPONSES,
    openapi_extra=json_body(RoundRequest),
    summary="Start a new round (clears the wall)",
)
async def set_round(request: Request, store: Rooms, signals: RoomSignalsDep, code: Code, credentials: Bearer) -> Response:
    """`{"prompt": 7}`: everyone draws a 7 and the wall scores the class; `{"prompt": null}`: a free round."""
    body = await parse_json(request, RoundRequest)
    room = await lecturer_room(store, code, _token(credentials))
    number, prompt = await _changed(signals, room, store.new_round, room, body.prompt)
    return json_response({"round": {"number": number, "prompt": prompt}})


@router.delete(
    "/{code}/drawings/{drawing_id}", status_code=204, responses=TOKEN_RESPONSES, summary="Hide a drawing from the wall"
)
async def hide_drawing(
    store: Rooms,
    signals: RoomSignalsDep,
    code: Code,
    drawing_id: Annotated[int, Path(ge=1, le=2**31)],
    credentials: Bearer,
) -> Response:
    room = await lecturer_room(store, code, _token(credentials))
    try:
        await _changed(signals, room, store.hide, room, drawing_id)
    except DrawingNotFound:
        raise ApiError(404, "unknown_drawing", f"no drawing {drawing_id} in class '{room.code}'") from None
    return Response(status_code=204)


@router.delete("/{code}", status_code=204, responses=TOKEN_RESPONSES, summary="End the class")
async def end_room(store: Rooms, signals: RoomSignalsDep, code: Code, credentials: Bearer) -> Response:
    """Students can no longer send; the wall's stream ends; the room's data is deleted a few minutes later."""
    room = await lecturer_room(store, code, _token(credentials))
    await _changed(signals, room, store.end, room)
    return Response(status_code=204)


async def _changed(signals: RoomSignals, room: OpenRoom, change, *args):
    """Apply a lecturer's change, then wake this worker's streams of the room."""
    try:
        result = await to_thread.run_sync(change, *args)
    except RoomNotFound:
        raise ApiError(404, "unknown_room", f"the class '{room.code}' has ended") from None
    signals.notify(room.id)
    return result


@router.get(
    "/{code}/events",
    responses={**TOKEN_RESPONSES, 200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"}},
    response_class=StreamingResponse,
    summary="The wall's live stream of the room's events (Server-Sent Events)",
)
async def room_events(
    store: Rooms,
    signals: RoomSignalsDep,
    settings: SettingsDep,
    code: Code,
    credentials: Bearer,
    token: Annotated[str | None, Query(max_length=256, description="The room token, for EventSource (no headers).")] = None,
    last_event_id: Annotated[str | None, Header(max_length=32, description="Resume after this event (browsers send it).")] = None,
) -> StreamingResponse:
    """Events `drawing`, `hide`, `round` and `end`, each with `id:` (the room's event number) and JSON
    `data:`. From the start of the room, or after `Last-Event-ID` when a browser reconnects."""
    room = await lecturer_room(store, code, _token(credentials) or token)
    stream = event_stream(
        store,
        signals,
        room.id,
        parse_last_event_id(last_event_id),
        settings.room_poll_s,
        settings.room_stream_max_s,
    )
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)
