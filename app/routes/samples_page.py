"""The /samples page: the admin's gallery of labelled drawings (its data comes from the admin API)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.routes.pages import _render

router = APIRouter(include_in_schema=False)


@router.get("/samples", response_class=HTMLResponse)
async def samples_page(request: Request) -> HTMLResponse:
    return _render(request, "samples.html", "samples", admin_on=request.app.state.settings.admin_token is not None)
