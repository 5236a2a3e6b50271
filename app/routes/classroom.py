"""Class mode's pages: /class (start a class), /join and /join/<code> (students), /class/<code> (the wall).

The pages are server-rendered shells; the room's data reaches them through the rooms API. The wall is
in lecture mode unless ?lecture=0: it is made for a projector.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.classroom import codes
from app.deps import Registry, Rooms, SettingsDep, Templates
from app.routes.pages import _render
from app.routes.rooms import join_url, lookup_room

router = APIRouter(include_in_schema=False)


@router.get("/class", response_class=HTMLResponse)
async def start_class(request: Request, registry: Registry, templates: Templates) -> HTMLResponse:
    return _render(request, templates, registry, "class_start.html", "class")


@router.get("/join", response_model=None)
async def join_form(request: Request, registry: Registry, templates: Templates, code: str | None = None) -> Response:
    """The code form; submitted without JavaScript it arrives here as ?code= and goes to /join/<code>."""
    if code and codes.normalise_code(code):
        return RedirectResponse(f"/join/{quote(codes.normalise_code(code)[:16], safe='')}", status_code=303)
    return _render(request, templates, registry, "join.html", "class", room=None, code="")


@router.get("/join/{code}", response_class=HTMLResponse)
async def join_room(request: Request, registry: Registry, templates: Templates, store: Rooms, code: str) -> HTMLResponse:
    room = await lookup_room(store, code)
    response = _render(request, templates, registry, "join.html", "class", room=room, code=codes.normalise_code(code)[:16])
    if room is None:
        response.status_code = 404
    return response


@router.get("/class/{code}", response_class=HTMLResponse)
async def wall(
    request: Request, registry: Registry, templates: Templates, store: Rooms, settings: SettingsDep, code: str
) -> HTMLResponse:
    room = await lookup_room(store, code)
    lecture = request.query_params.get("lecture", "1") != "0"
    context = {"room": room, "code": codes.normalise_code(code)[:16], "lecture": lecture}
    if room is not None:
        context["join_url"] = join_url(request, settings, room.code)
    response = _render(request, templates, registry, "wall.html", "wall", **context)
    if room is None:
        response.status_code = 404
    return response
