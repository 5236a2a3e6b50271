"""The /samples page: the admin's gallery of labelled drawings (its data comes from the admin API)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.deps import Registry, SettingsDep, Templates
from app.routes.pages import _render

router = APIRouter(include_in_schema=False)


@router.get("/samples", response_class=HTMLResponse)
async def samples_page(request: Request, registry: Registry, templates: Templates, settings: SettingsDep) -> HTMLResponse:
    return _render(request, templates, registry, "samples.html", "samples", admin_on=settings.admin_token is not None)
