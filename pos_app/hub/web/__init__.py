"""The owner's web view at the hub: today's takings, any day's report, payments, the tills'
sync state and the owner log, behind the owner's password. Server-rendered, no script."""

from __future__ import annotations

from importlib import resources

from psycopg_pool import AsyncConnectionPool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from pos_app.hub.web.login import LoginPages
from pos_app.hub.web.payments import PaymentPages
from pos_app.hub.web.reports import ReportPages
from pos_app.hub.web.site import Site
from pos_app.hub.web.tills import TillPages


def _style() -> Route:
    css = (resources.files(__package__) / "static" / "style.css").read_bytes()

    async def style(request: Request) -> Response:
        return Response(
            css,
            media_type="text/css; charset=utf-8",
            headers={"cache-control": "max-age=3600", "x-content-type-options": "nosniff"},
        )

    return Route("/style.css", style, methods=["GET"])


def web_routes(pool: AsyncConnectionPool) -> list[BaseRoute]:
    site = Site(pool)
    return [
        _style(),
        *LoginPages(site).routes(),
        *ReportPages(site).routes(),
        *PaymentPages(site).routes(),
        *TillPages(site).routes(),
    ]
