"""Customer payments to the shop's number (C2B): listed to the shop's tills, claimed by
exactly one of them (a conditional UPDATE, callbacks.md §9.3)."""

from __future__ import annotations

from typing import Any

from psycopg_pool import AsyncConnectionPool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pos_app.hub import events
from pos_app.hub.till_auth import PAYMENT_ID, Refusal, authenticate, field, json_body, refused

# What a till is told of one, in this order (never the balance, nor the full number).
COLUMNS = "c.trans_id, c.provider, c.amount, c.payer_name, c.account, c.paid_at"


def _payment(row: tuple[Any, ...]) -> dict[str, Any]:
    trans_id, provider, amount, name, account, paid_at = row[:6]
    return {
        "trans_id": trans_id,
        "provider": provider,
        "amount": f"{amount:.2f}",
        "payer_name": name,
        "account": account,
        "paid_at": paid_at,
    }


class CustomerPaymentsApi:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool

    def routes(self) -> list[Route]:
        return [
            Route("/v1/c2b", self.unclaimed, methods=["GET"]),
            Route("/v1/c2b/claimed", self.claimed, methods=["GET"]),
            Route("/v1/c2b/{trans_id}/claim", self.claim, methods=["POST"]),
        ]

    async def unclaimed(self, request: Request) -> Response:
        """This shop's customer payments that no till has claimed yet, newest first."""
        try:
            async with self.pool.connection() as conn:
                till = await authenticate(conn, request)
                cursor = await conn.execute(
                    f"SELECT {COLUMNS}, c.received_at FROM c2b_payments c JOIN shortcodes s"
                    " ON s.shortcode = c.shortcode WHERE s.shop = %s AND c.claimed_by IS NULL"
                    " AND c.amount IS NOT NULL AND NOT c.held"
                    " ORDER BY c.received_at DESC LIMIT 100",
                    (till.shop,),
                )
                rows = await cursor.fetchall()
        except Refusal as exc:
            return refused(exc)
        payments = [_payment(row) | {"received_at": row[6].isoformat()} for row in rows]
        return JSONResponse({"payments": payments})

    async def claimed(self, request: Request) -> Response:
        """What this till claimed in the last 30 days, with its sale: a till that stopped
        between claiming and recording finds them here."""
        try:
            async with self.pool.connection() as conn:
                till = await authenticate(conn, request)
                cursor = await conn.execute(
                    f"SELECT {COLUMNS}, c.claimed_sale FROM c2b_payments c"
                    " WHERE c.claimed_by = %s AND c.claimed_at > now() - %s ORDER BY c.claimed_at",
                    (till.id, events.KEPT),
                )
                rows = await cursor.fetchall()
        except Refusal as exc:
            return refused(exc)
        return JSONResponse({"claimed": [_payment(row) | {"sale": row[6]} for row in rows]})

    async def claim(self, request: Request) -> Response:
        """Attach a customer payment to this till's sale: one till wins, the others are told.
        Asked again for the same sale (an answer lost on the way), the same answer."""
        trans_id = request.path_params["trans_id"]
        try:
            body = await json_body(request)
            sale = field(body, "sale", PAYMENT_ID)
            async with self.pool.connection() as conn, conn.transaction():
                till = await authenticate(conn, request)
                cursor = await conn.execute(
                    "UPDATE c2b_payments c SET claimed_by = %s, claimed_sale = %s,"
                    " claimed_at = now() FROM shortcodes s"
                    " WHERE c.trans_id = %s AND s.shortcode = c.shortcode AND s.shop = %s"
                    " AND c.claimed_by IS NULL AND c.amount IS NOT NULL AND NOT c.held"
                    f" RETURNING {COLUMNS}",
                    (till.id, sale, trans_id, till.shop),
                )
                row = await cursor.fetchone()
                if row is not None:
                    claimed = {"trans_id": trans_id, "till": till.name}
                    await events.add(conn, till.shop, None, "c2b_claimed", claimed)
                else:
                    cursor = await conn.execute(
                        f"SELECT {COLUMNS} FROM c2b_payments c"
                        " WHERE c.trans_id = %s AND c.claimed_by = %s AND c.claimed_sale = %s",
                        (trans_id, till.id, sale),
                    )
                    row = await cursor.fetchone()
                if row is None:
                    raise Refusal(409, "this payment was already used, or is not this shop's")
        except Refusal as exc:
            return refused(exc)
        return JSONResponse(_payment(row))
