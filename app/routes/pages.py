"""The browser UI: server-rendered Jinja2 pages; the drawing and charts are plain JavaScript in static/.

Everything a page needs comes from this origin (the Content-Security-Policy allows nothing else), so the
UI works in a lecture hall with no network. Server data reaches the scripts through `data-*` attributes
or the JSON API; there are no inline scripts, handlers or style attributes.

`?lecture=1` on any page turns on lecture mode (large type, high contrast, shortcuts on screen); the links
between pages keep it. `?model=<name>` on /misses and /model chooses which served model they show (an
unknown name shows the default); /compare answers one drawing with every served model at once.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app.config import Settings
from app.deps import Registry, SettingsDep, Templates
from app.registry import ModelRegistry, ServedModel
from app.views.charts import training_charts
from app.views.tables import class_rows, comparison_report, confusion_cells

router = APIRouter(include_in_schema=False)

PAGES = (
    ("draw", "/", "Draw"),
    ("compare", "/compare", "Compare"),
    ("misses", "/misses", "Misses"),
    ("model", "/model", "Model"),
    ("class", "/class", "Class"),
)
MISSES_VIEWS = ("misses", "disagreements")
TRUE_VALUES = {"1", "true", "yes", "on"}


class _StaticFiles(StaticFiles):
    """static/: the pages link their files with ?v=<content hash> (asset()), so a browser may keep those; the
    ES modules those files import are named without it, so they are revalidated (ETag) on every load and a
    new entry module never runs with an old copy of what it imports."""

    async def get_response(self, path: str, scope) -> Response:
        response = await super().get_response(path, scope)
        if b"v=" not in scope.get("query_string", b""):
            response.headers.setdefault("Cache-Control", "no-cache")
        return response


def mount_static(app: FastAPI, settings: Settings) -> None:
    """Serve static/ and keep the page templates on the app (built from these settings, not import-time ones)."""
    app.mount("/static", _StaticFiles(directory=settings.static_dir), name="static")
    app.state.templates = _build_templates(settings)


def _build_templates(settings: Settings) -> Jinja2Templates:
    templates = Jinja2Templates(directory=settings.templates_dir)
    static_dir = Path(settings.static_dir)

    def asset(path: str) -> str:
        """/static/<path>?v=<content hash>: browsers cache the files but pick up a new version at once."""
        return f"/static/{path}?v={_file_version(static_dir / path)}"

    templates.env.globals["asset"] = asset
    templates.env.filters["percent"] = _percent
    templates.env.filters["thousands"] = lambda value: f"{int(value):,}"
    templates.env.filters["model_label"] = model_label
    return templates


def model_label(name: str) -> str:
    """How a model is named on the pages: "lstm" -> "LSTM"."""
    return str(name).upper()


@lru_cache(maxsize=64)
def _file_version_cached(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def _file_version(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError:
        return "0"
    return _file_version_cached(path, stat.st_mtime_ns, stat.st_size)


def _percent(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "n/a"
    return f"{value * 100:.{digits}f}%"


def _lecture(request: Request) -> bool:
    return request.query_params.get("lecture", "").lower() in TRUE_VALUES


def _link(path: str, lecture: bool, **params: Any) -> str:
    query = {key: value for key, value in params.items() if value is not None}
    if lecture:
        query["lecture"] = "1"
    return f"{path}?{urlencode(query)}" if query else path


def _selected(request: Request, registry: ModelRegistry) -> ServedModel:
    """The model named by ?model= (one of those served), else the default."""
    name = request.query_params.get("model", "")
    return registry.models.get(name) or registry.get()


def _render(
    request: Request,
    templates: Jinja2Templates,
    registry: ModelRegistry,
    template: str,
    page: str,
    served: ServedModel | None = None,
    **context: Any,
) -> HTMLResponse:
    served = served or registry.get()
    lecture = _lecture(request)
    nav = [{"key": key, "href": _link(path, lecture), "path": path, "label": label} for key, path, label in PAGES]
    return templates.TemplateResponse(
        request,
        template,
        {
            "registry": registry,
            "served": served,
            "metrics": served.metrics,
            "page": page,
            "lecture": lecture,
            "nav": nav,
            "link": lambda path, **params: _link(path, lecture, **params),
            **context,
        },
    )


@router.get("/", response_class=HTMLResponse)
async def draw(request: Request, registry: Registry, templates: Templates) -> HTMLResponse:
    return _render(request, templates, registry, "draw.html", "draw", served=_selected(request, registry))


@router.get("/compare", response_class=HTMLResponse)
async def compare(request: Request, registry: Registry, templates: Templates) -> HTMLResponse:
    return _render(request, templates, registry, "compare.html", "compare")


@router.get("/misses", response_class=HTMLResponse)
async def misses(request: Request, registry: Registry, templates: Templates) -> HTMLResponse:
    served = _selected(request, registry)
    view = request.query_params.get("view", "")
    view = view if view in MISSES_VIEWS else "misses"
    matrix = confusion_cells(served.metrics)
    return _render(request, templates, registry, "misses.html", "misses", served=served, view=view, matrix=matrix)


@router.get("/model", response_class=HTMLResponse)
async def model_page(request: Request, registry: Registry, settings: SettingsDep, templates: Templates) -> HTMLResponse:
    served = _selected(request, registry)
    return _render(
        request,
        templates,
        registry,
        "model.html",
        "model",
        served=served,
        charts=training_charts(served.history, served.metrics.get("best_epoch")),
        classes=class_rows(served.metrics),
        device=registry.runtime["device"],
        serving_versions=registry.runtime["versions"],
        comparison=comparison_report(settings, registry),
        model_versions=registry.lineage(served.name),
    )
