"""What tills ask of the hub, over their own outbound connection: linking, what they await,
and their events (long-poll)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from decimal import Decimal, InvalidOperation
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pos_app.hub import events, inbox, owner, tokens
from pos_app.hub.business_api import BusinessApi
from pos_app.hub.routes import hub_routes
from pos_app.hub.sync import SyncApi
from pos_app.hub.till_auth import (
    PAYMENT_ID,
    Refusal,
    authenticate,
    field,
    json_body,
    refused,
)
from pos_app.hub.wakeups import Wakeups

log = logging.getLogger(__name__)
LONGEST_WAIT = 25.0  # under the 30 s that proxies commonly allow a held request
BIGGEST_CURSOR = 2**63 - 1


class TillApi:
    def __init__(self, pool: AsyncConnectionPool, wakeups: Wakeups) -> None:
        self.pool = pool
        self.wakeups = wakeups

    def routes(self) -> list[Route]:
        return [
            Route("/v1/link", self.link, methods=["POST"]),
            Route("/v1/till", self.till, methods=["GET"]),
            Route("/v1/awaits", self.awaits, methods=["POST"]),
            Route("/v1/events", self.events, methods=["GET"]),
            *SyncApi(self.pool).routes(),
            *BusinessApi(self.pool).routes(),
        ]

    async def link(self, request: Request) -> Response:
        """An enrolment code for the till's key: once, before it expires."""
        try:
            body = await json_body(request)
            code = tokens.normal_code(field(body, "code"))
            key = tokens.till_key()
            async with self.pool.connection() as conn, conn.transaction():
                cursor = await conn.execute(
                    "SELECT e.till_id, e.expires_at < now(), t.shop, t.name FROM enrolments e"
                    " JOIN tills t ON t.id = e.till_id"
                    " WHERE e.code_hash = %s AND e.used_at IS NULL AND t.revoked_at IS NULL"
                    " FOR UPDATE OF e",
                    (tokens.hashed(code),),
                )
                row = await cursor.fetchone()
                if row is None:
                    raise Refusal(
                        403, "this enrolment code is not valid (already used, or mistyped)"
                    )
                till_id, expired, shop, name = row
                if expired:
                    raise Refusal(410, "this enrolment code has expired: ask for a new one")
                await conn.execute(
                    "UPDATE enrolments SET used_at = now() WHERE code_hash = %s",
                    (tokens.hashed(code),),
                )
                await conn.execute(
                    "UPDATE tills SET key_hash = %s, linked_at = now() WHERE id = %s",
                    (tokens.hashed(key), till_id),
                )
        except Refusal as exc:
            log.warning("hub: refused an enrolment: %s", exc)
            return refused(exc)
        return JSONResponse({"till_id": str(till_id), "shop": shop, "till": name, "key": key})

    async def till(self, request: Request) -> Response:
        """Who this till is, and the callback URLs it gives the providers with each push."""
        try:
            async with self.pool.connection() as conn:
                till = await authenticate(conn, request)
                urls = await owner.callback_urls(conn)
        except Refusal as exc:
            return refused(exc)
        return JSONResponse(
            {"till_id": str(till.id), "shop": till.shop, "till": till.name, "callbacks": urls}
        )

    async def awaits(self, request: Request) -> Response:
        """The till sent a push or refund: the hub relays its callback when it comes."""
        try:
            body = await json_body(request)
            provider = field(body, "provider")
            if provider not in {route.provider for route in hub_routes().values()}:
                raise Refusal(400, f"no callbacks are received for provider {provider!r}")
            request_id = field(body, "request_id", PAYMENT_ID)
            payment_id = field(body, "payment_id", PAYMENT_ID)
            kind = body.get("kind", "payment")
            if kind not in ("payment", "refund"):
                raise Refusal(400, "kind must be payment or refund")
            currency = field(body, "currency", re.compile(r"[A-Z]{3}"))
            amount = _amount(body.get("amount"))
            phone = body.get("phone")
            if phone is not None and (not isinstance(phone, str) or not phone.isdigit()):
                raise Refusal(400, "phone must be digits")
            async with self.pool.connection() as conn, conn.transaction():
                till = await authenticate(conn, request)
                await inbox.lock_request(conn, provider, request_id)
                cursor = await conn.execute(
                    "INSERT INTO awaits (provider, request_id, kind, till_id, payment_id, amount,"
                    " currency, phone) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                    " ON CONFLICT (provider, request_id) DO NOTHING RETURNING 1",
                    (provider, request_id, kind, till.id, payment_id, amount, currency, phone),
                )
                if await cursor.fetchone() is None:
                    cursor = await conn.execute(
                        "SELECT till_id, payment_id, amount FROM awaits"
                        " WHERE provider = %s AND request_id = %s",
                        (provider, request_id),
                    )
                    if await cursor.fetchone() != (till.id, payment_id, amount):
                        raise Refusal(409, "another payment already awaits this request id")
                    status = 200  # told again (after an outage): the same answer
                else:
                    status = 201
                await _match_orphans(conn, provider, request_id)
        except Refusal as exc:
            return refused(exc)
        return JSONResponse({"awaiting": request_id}, status_code=status)

    async def events(self, request: Request) -> Response:
        """This till's events after `after`, held up to `wait` seconds while there are none."""
        try:
            cursor = _cursor(request.query_params.get("after", "0"))
            wait = _wait(request.query_params.get("wait", "0"))
            deadline = time.monotonic() + wait
            async with self.pool.connection() as conn:
                till = await authenticate(conn, request)
                # A hub restored from an older backup hands out ids below the till's cursor
                # again: the till reads its kept events again rather than skip new ones (it
                # takes each event once, whatever the number of times it comes).
                if cursor > await events.last_id(conn):
                    cursor = 0
                found = await events.after(conn, till.shop, till.id, cursor)
            while not found and (left := deadline - time.monotonic()) > 0:
                async with self.wakeups.waiter(till.shop, str(till.id)) as woken:
                    # Read again once listening, so nothing committed meanwhile is missed.
                    async with self.pool.connection() as conn:
                        found = await events.after(conn, till.shop, till.id, cursor)
                    if found:
                        break
                    await _until(woken, left, request)
                    if await request.is_disconnected():
                        return Response(status_code=204)  # nobody to answer
                async with self.pool.connection() as conn:
                    till = await authenticate(conn, request)  # revoked meanwhile: refused
                    found = await events.after(conn, till.shop, till.id, cursor)
        except Refusal as exc:
            return refused(exc)
        last = found[-1].id if found else cursor
        return JSONResponse({"events": [e.as_json() for e in found], "cursor": last})


async def _match_orphans(conn: AsyncConnection[Any], provider: str, request_id: str) -> None:
    """Callbacks that came before the till said it awaited them."""
    routes = {path: r for path, r in hub_routes().items() if r.provider == provider}
    cursor = await conn.execute(
        "SELECT id, route, raw, source_listed FROM inbox"
        " WHERE verdict = %s AND request_id = %s ORDER BY id",
        (inbox.ORPHAN, request_id),
    )
    for inbox_id, path, raw, listed in await cursor.fetchall():
        if path not in routes:
            continue
        notice = routes[path].route.read(bytes(raw), request_id)
        verdict, why = await inbox.act(conn, routes[path], notice, inbox_id, listed)
        await inbox.set_verdict(conn, inbox_id, verdict, why)


async def _until(woken: asyncio.Event, seconds: float, request: Request) -> None:
    """Wait until woken or `seconds` pass, looking often whether the till is still
    there (a held request of a till that went away is let go)."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0 and not woken.is_set():
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(min(left, 0.25)):
                await woken.wait()
        if await request.is_disconnected():
            return


def _cursor(text: str) -> int:
    if not text.isdigit() or int(text) > BIGGEST_CURSOR:
        raise Refusal(400, "after must be a whole number from 0 (an event id)")
    return int(text)


def _wait(text: str) -> float:
    try:
        wait = float(text)
    except ValueError:
        raise Refusal(400, "wait must be a number of seconds") from None
    if not 0 <= wait <= LONGEST_WAIT:
        raise Refusal(400, f"wait must be from 0 to {LONGEST_WAIT:g} seconds")
    return wait


def _amount(value: Any) -> Decimal:
    if not isinstance(value, str):
        raise Refusal(400, 'amount must be a string such as "100.00"')
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise Refusal(400, "amount is not a number") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise Refusal(400, "amount must be positive, with at most two decimals")
    if amount >= Decimal(10) ** 14:
        raise Refusal(400, "amount is too large")
    return amount
