"""The browser UI: server-rendered Jinja2 pages; the drawing and charts are plain JavaScript in static/."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app.config import Settings, get_settings

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=get_settings().templates_dir)


def mount_static(app: FastAPI, settings: Settings) -> None:
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")


def _render(request: Request, template: str, **context) -> HTMLResponse:
    registry = request.app.state.registry
    return templates.TemplateResponse(request, template, {"registry": registry, **context})


@router.get("/", response_class=HTMLResponse)
async def draw(request: Request) -> HTMLResponse:
    return _render(request, "draw.html", page="draw")


@router.get("/misses", response_class=HTMLResponse)
async def misses(request: Request) -> HTMLResponse:
    return _render(request, "misses.html", page="misses")


@router.get("/model", response_class=HTMLResponse)
async def model_page(request: Request) -> HTMLResponse:
    return _render(request, "model.html", page="model")
