"""What tills ask of the hub, over their own outbound connection: linking, what they await,
their events (long-poll), and customer payments to claim."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pos_app.hub import events, inbox, owner, tokens
from pos_app.hub.bodies import TooLarge, limited_body
from pos_app.hub.routes import hub_routes
from pos_app.hub.wakeups import Wakeups

log = logging.getLogger(__name__)
LONGEST_WAIT = 25.0  # under the 30 s that proxies commonly allow a held request
BIGGEST_CURSOR = 2**63 - 1
_PAYMENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,80}")


class Refusal(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Till:
    id: uuid.UUID
    shop: str
    name: str


def _refused(exc: Refusal) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=exc.status)


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await limited_body(request, 16 * 1024))
    except TooLarge:
        raise Refusal(413, "body too large") from None
    except ValueError:
        raise Refusal(400, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise Refusal(400, "the body must be a JSON object")
    return body


def _field(body: dict[str, Any], name: str, pattern: re.Pattern[str] | None = None) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise Refusal(400, f"{name} must be a non-empty string")
    if pattern and not pattern.fullmatch(value):
        raise Refusal(400, f"{name} has characters it may not have")
    return value


async def authenticate(conn: AsyncConnection[Any], request: Request) -> Till:
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key:
        raise Refusal(401, "a till key is needed (Authorization: Bearer …)")
    cursor = await conn.execute(
        "UPDATE tills SET last_seen_at = now() WHERE key_hash = %s AND revoked_at IS NULL"
        " RETURNING id, shop, name",
        (tokens.hashed(key.strip()),),
    )
    row = await cursor.fetchone()
    if row is None:
        log.warning(
            "hub: refused a till key from %s", request.client.host if request.client else "?"
        )
        raise Refusal(401, "this till key is not valid here (revoked, or never given)")
    return Till(*row)


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
            Route("/v1/c2b", self.customer_payments, methods=["GET"]),
            Route("/v1/c2b/{trans_id}/claim", self.claim, methods=["POST"]),
        ]

    async def link(self, request: Request) -> Response:
        """An enrolment code for the till's key: once, before it expires."""
        try:
            body = await _json_body(request)
            code = tokens.normal_code(_field(body, "code"))
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
            return _refused(exc)
        return JSONResponse({"till_id": str(till_id), "shop": shop, "till": name, "key": key})

    async def till(self, request: Request) -> Response:
        """Who this till is, and the callback URLs it gives the providers with each push."""
        try:
            async with self.pool.connection() as conn:
                till = await authenticate(conn, request)
                urls = await owner.callback_urls(conn)
        except Refusal as exc:
            return _refused(exc)
        return JSONResponse(
            {"till_id": str(till.id), "shop": till.shop, "till": till.name, "callbacks": urls}
        )

    async def awaits(self, request: Request) -> Response:
        """The till sent a push or refund: the hub relays its callback when it comes."""
        try:
            body = await _json_body(request)
            provider = _field(body, "provider")
            if provider not in {route.provider for route in hub_routes().values()}:
                raise Refusal(400, f"no callbacks are received for provider {provider!r}")
            request_id = _field(body, "request_id", _PAYMENT_ID)
            payment_id = _field(body, "payment_id", _PAYMENT_ID)
            kind = body.get("kind", "payment")
            if kind not in ("payment", "refund"):
                raise Refusal(400, "kind must be payment or refund")
            currency = _field(body, "currency", re.compile(r"[A-Z]{3}"))
            amount = _amount(body.get("amount"))
            phone = body.get("phone")
            if phone is not None and (not isinstance(phone, str) or not phone.isdigit()):
                raise Refusal(400, "phone must be digits")
            async with self.pool.connection() as conn, conn.transaction():
                till = await authenticate(conn, request)
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
                    return JSONResponse({"awaiting": request_id}, status_code=200)
                await _match_orphans(conn, provider, request_id)
        except Refusal as exc:
            return _refused(exc)
        return JSONResponse({"awaiting": request_id}, status_code=201)

    async def events(self, request: Request) -> Response:
        """This till's events after `after`, held up to `wait` seconds while there are none."""
        try:
            cursor = _cursor(request.query_params.get("after", "0"))
            wait = _wait(request.query_params.get("wait", "0"))
            deadline = time.monotonic() + wait
            async with self.pool.connection() as conn:
                till = await authenticate(conn, request)
                found = await events.after(conn, till.shop, till.id, cursor)
            while not found and (left := deadline - time.monotonic()) > 0:
                async with self.wakeups.waiter(till.shop) as woken:
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
            return _refused(exc)
        last = found[-1].id if found else cursor
        return JSONResponse({"events": [e.as_json() for e in found], "cursor": last})

    async def customer_payments(self, request: Request) -> Response:
        """This shop's customer payments that no till has claimed yet, newest first."""
        try:
            async with self.pool.connection() as conn:
                till = await authenticate(conn, request)
                cursor = await conn.execute(
                    "SELECT c.trans_id, c.amount, c.payer_name, c.account, c.paid_at,"
                    " c.received_at FROM c2b_payments c JOIN shortcodes s"
                    " ON s.shortcode = c.shortcode WHERE s.shop = %s AND c.claimed_by IS NULL"
                    " AND c.amount IS NOT NULL ORDER BY c.received_at DESC LIMIT 100",
                    (till.shop,),
                )
                rows = await cursor.fetchall()
        except Refusal as exc:
            return _refused(exc)
        return JSONResponse(
            {
                "payments": [
                    {
                        "trans_id": trans_id,
                        "amount": f"{amount:.2f}",
                        "payer_name": name,
                        "account": account,
                        "paid_at": paid_at,
                        "received_at": received.isoformat(),
                    }
                    for trans_id, amount, name, account, paid_at, received in rows
                ]
            }
        )

    async def claim(self, request: Request) -> Response:
        """Attach a customer payment to this till's sale: one till wins, the others are told."""
        trans_id = request.path_params["trans_id"]
        try:
            body = await _json_body(request)
            sale = _field(body, "sale", _PAYMENT_ID)
            async with self.pool.connection() as conn, conn.transaction():
                till = await authenticate(conn, request)
                cursor = await conn.execute(
                    "UPDATE c2b_payments c SET claimed_by = %s, claimed_sale = %s,"
                    " claimed_at = now() FROM shortcodes s"
                    " WHERE c.trans_id = %s AND s.shortcode = c.shortcode AND s.shop = %s"
                    " AND c.claimed_by IS NULL AND c.amount IS NOT NULL"
                    " RETURNING c.amount, c.payer_name, c.account, c.paid_at",
                    (till.id, sale, trans_id, till.shop),
                )
                row = await cursor.fetchone()
                if row is None:
                    raise Refusal(409, "this payment was already used, or is not this shop's")
                await events.add(
                    conn, till.shop, None, "c2b_claimed", {"trans_id": trans_id, "till": till.name}
                )
        except Refusal as exc:
            return _refused(exc)
        amount, name, account, paid_at = row
        return JSONResponse(
            {
                "trans_id": trans_id,
                "amount": f"{amount:.2f}",
                "payer_name": name,
                "account": account,
                "paid_at": paid_at,
            }
        )


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
        notice = inbox.read(routes[path], bytes(raw), request_id)
        verdict, why = await inbox.act(conn, routes[path], notice, inbox_id, listed)
        await conn.execute(
            "UPDATE inbox SET verdict = %s, problem = coalesce(%s, problem) WHERE id = %s",
            (verdict, why, inbox_id),
        )


async def _until(woken: asyncio.Event, seconds: float, request: Request) -> None:
    """Wait until woken or `seconds` pass, looking each second whether the till is still
    there (a held request of a till that went away is let go)."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0 and not woken.is_set():
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(min(left, 1.0)):
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
