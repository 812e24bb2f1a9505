"""The hub's web application: callback receivers, the tills' API and the owner's web view, on
one database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from psycopg_pool import AsyncConnectionPool
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pos_app.hub import events, schema
from pos_app.hub.customer_payments import CustomerPaymentsApi
from pos_app.hub.receivers import SourceCheck, callback_routes
from pos_app.hub.till_api import TillApi
from pos_app.hub.wakeups import Wakeups
from pos_app.hub.web import web_routes

log = logging.getLogger(__name__)
TIDY_EVERY = 3600.0


async def _tidy(pool: AsyncConnectionPool) -> None:
    """Forget events past their 30 days, hourly (any hub process may do it)."""
    while True:
        try:
            async with pool.connection() as conn:
                await events.forget_old(conn)
        except Exception as exc:  # a lost database: the next round tries again
            log.warning("hub: could not forget old events: %s", exc)
        await asyncio.sleep(TIDY_EVERY)


def create_app(
    database_url: str, sources: SourceCheck | None = None, pool_size: int = 10
) -> Starlette:
    pool = AsyncConnectionPool(database_url, min_size=1, max_size=pool_size, open=False)
    wakeups = Wakeups(database_url)
    api = TillApi(pool, wakeups)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await pool.open(wait=True)
        async with pool.connection() as conn:
            await schema.require_current(conn)
        tasks = [asyncio.create_task(wakeups.run()), asyncio.create_task(_tidy(pool))]
        await asyncio.wait_for(wakeups.listening.wait(), 30)
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await pool.close()

    async def health(request: Request) -> Response:
        async with pool.connection() as conn:
            await conn.execute("SELECT 1")
        return JSONResponse({"hub": "ok", "listening": wakeups.listening.is_set()})

    routes = [
        Route("/health", health, methods=["GET"]),
        *callback_routes(pool, sources or SourceCheck.published()),
        *api.routes(),
        *CustomerPaymentsApi(pool).routes(),
        *web_routes(pool),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
