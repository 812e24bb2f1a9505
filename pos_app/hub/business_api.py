"""The whole business's day for a till's owner, asked from the till's window (behind the
owner's PIN there): each till's figures as the hub holds them, and whether the hub holds all
of its history."""

from __future__ import annotations

from datetime import date
from typing import Any

from psycopg_pool import AsyncConnectionPool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pos_app.domain.money import Money
from pos_app.hub.till_auth import Refusal, authenticate, refused
from pos_app.hub.till_days import TillDay, till_days


def _moneys(amounts: list[Money]) -> list[dict[str, str]]:
    return [{"amount": m.to_plain_string(), "currency": m.currency} for m in amounts]


def _till(day: TillDay, asking: str) -> dict[str, Any]:
    state, report = day.till, day.report
    return {
        "id": str(state.id),
        "shop": state.shop,
        "till": state.name,
        "this_till": str(state.id) == asking,
        "day": day.day.isoformat(),
        "payments": report.count,
        "sales": _moneys(report.sales),
        "refunds": _moneys(report.refunds),
        "takings": _moneys(report.takings),
        "open": len(report.follow_up),
        "synced_at": state.synced_at.isoformat() if state.synced_at else None,
        "behind": state.behind,
        "intact": state.intact,
        "problem": state.broken_problem,
    }


class BusinessApi:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool

    def routes(self) -> list[Route]:
        return [Route("/v1/business", self.business, methods=["GET"])]

    async def business(self, request: Request) -> Response:
        try:
            day = _day(request.query_params.get("date", ""))
            async with self.pool.connection() as conn:
                async with conn.transaction():
                    till = await authenticate(conn, request)
                # Every shop: the owner asks at any till (behind the PIN there), and every
                # till's key is the owner's own, kept in that till's keyring.
                days = await till_days(conn, day)
        except Refusal as exc:
            return refused(exc)
        return JSONResponse({"tills": [_till(d, str(till.id)) for d in days]})


def _day(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Refusal(400, "date must be YYYY-MM-DD") from None
