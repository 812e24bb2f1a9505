"""A callback's way in: stored raw, then matched against what a till awaits, in one
transaction that commits before the provider hears 200."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from psycopg import AsyncConnection

from pos_app.hub import events
from pos_app.hub.routes import HubRoute
from pos_app.providers.callbacks import CallbackKind, MalformedCallback, Notice, Outcome

log = logging.getLogger(__name__)

# What became of a stored callback (inbox.verdict).
RELAYED = "relayed"  # a till was told
ORPHAN = "orphan"  # no till awaits this request id (yet): matched when one says it does
DUPLICATE = "duplicate"  # the same outcome again
CONFLICT = "conflict"  # disagrees with what was already relayed: the first one stands
MISMATCH = "mismatch"  # amount or phone differ from what the till sent
UNREADABLE = "unreadable"  # the body or its status could not be read
UNSERVED = "unserved"  # a customer payment to a number no shop here serves
FLAGGED = "flagged"  # a customer payment whose amount cannot be trusted
VALIDATED = "validated"  # a C2B validation, answered "Accepted"


@dataclass(frozen=True)
class Arrival:
    route: HubRoute
    raw: bytes
    request_id: str | None  # from the URL, for providers that put none in the body
    source_ip: str | None
    source_listed: bool | None


def _digest(arrival: Arrival) -> bytes:
    return hashlib.sha256(f"{arrival.request_id or ''}\n".encode() + arrival.raw).digest()


async def store(conn: AsyncConnection[Any], arrival: Arrival) -> str | None:
    """Keep the callback and act on it; its verdict, or None for an exact repeat (stored once).
    Runs in the caller's transaction."""
    try:
        notice: Notice | None = arrival.route.route.read(arrival.raw, arrival.request_id)
        problem = None
    except MalformedCallback as exc:
        notice, problem = None, str(exc)
    request_id = notice.request_id if notice else arrival.request_id
    cursor = await conn.execute(
        "INSERT INTO inbox (route, source_ip, source_listed, raw, digest, request_id, verdict,"
        " problem) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (route, digest) DO NOTHING RETURNING id",
        (
            arrival.route.route.path,
            arrival.source_ip,
            arrival.source_listed,
            arrival.raw,
            _digest(arrival),
            request_id,
            UNREADABLE,
            problem,
        ),
    )
    row = await cursor.fetchone()
    if row is None:
        return None
    inbox_id = int(row[0])
    if notice is None:
        log.warning("hub: unreadable callback on %s: %s", arrival.route.route.path, problem)
        return UNREADABLE
    verdict, why = await act(conn, arrival.route, notice, inbox_id, arrival.source_listed)
    await set_verdict(conn, inbox_id, verdict, why or _problems(notice))
    if verdict in (CONFLICT, MISMATCH, UNSERVED, FLAGGED, UNREADABLE):
        log.warning(
            "hub: callback %s on %s: %s",
            verdict,
            arrival.route.route.path,
            why or _problems(notice),
        )
    return verdict


async def set_verdict(
    conn: AsyncConnection[Any], inbox_id: int, verdict: str, why: str | None
) -> None:
    await conn.execute(
        "UPDATE inbox SET verdict = %s, problem = coalesce(%s, problem) WHERE id = %s",
        (verdict, why, inbox_id),
    )


def _problems(notice: Notice) -> str | None:
    return "; ".join(notice.problems) or None


async def act(
    conn: AsyncConnection[Any],
    route: HubRoute,
    notice: Notice,
    inbox_id: int,
    source_listed: bool | None,
) -> tuple[str, str | None]:
    kind = route.route.kind
    if kind is CallbackKind.VALIDATION:
        return VALIDATED, None
    if kind is CallbackKind.CUSTOMER_PAYMENT:
        return await _customer_payment(conn, route.provider, notice, inbox_id, source_listed)
    return await _outcome(conn, route.provider, notice, inbox_id, source_listed)


async def lock_request(conn: AsyncConnection[Any], provider: str, request_id: str) -> None:
    """A callback and the till's await for the same request take turns: neither could see
    the other's row before it commits, and the callback would stay an orphan."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"{provider}:{request_id}",)
    )


async def _outcome(
    conn: AsyncConnection[Any],
    provider: str,
    notice: Notice,
    inbox_id: int,
    source_listed: bool | None,
) -> tuple[str, str | None]:
    if notice.outcome is None or notice.request_id is None:
        return UNREADABLE, "no final status in the callback"
    await lock_request(conn, provider, notice.request_id)
    cursor = await conn.execute(
        "SELECT a.till_id, t.shop, a.payment_id, a.kind, a.amount, a.currency, a.phone,"
        " a.outcome, a.receipt_code FROM awaits a JOIN tills t ON t.id = a.till_id"
        " WHERE a.provider = %s AND a.request_id = %s FOR UPDATE OF a",
        (provider, notice.request_id),
    )
    row = await cursor.fetchone()
    if row is None:
        return ORPHAN, None
    till_id, shop, payment_id, kind, amount, currency, phone, outcome, relayed_code = row
    if notice.amount is not None and notice.amount != amount:
        return MISMATCH, f"amount {notice.amount} where the till asked for {amount}"
    if not same_phone(notice.phone, phone):
        return MISMATCH, "the callback's phone number is not the payment's"
    if outcome == notice.outcome.value and relayed_code == notice.receipt_code:
        return DUPLICATE, None
    if outcome is None:
        await conn.execute(
            "UPDATE awaits SET outcome = %s, receipt_code = %s, inbox_id = %s"
            " WHERE provider = %s AND request_id = %s",
            (notice.outcome.value, notice.receipt_code, inbox_id, provider, notice.request_id),
        )
    elif await _contradicted_before(conn, notice.request_id):
        # Each relayed contradiction costs the till a status query: one is enough.
        return CONFLICT, "contradicts what was relayed, again: kept, not relayed"
    said = notice.outcome
    body = _outcome_body(provider, notice, said, payment_id, kind, currency, source_listed)
    await events.add(conn, shop, till_id, "outcome", body | {"contradicts": outcome})
    if outcome is not None:
        return CONFLICT, f"says {notice.outcome.value} after {outcome} was relayed"
    return RELAYED, None


def _outcome_body(
    provider: str,
    notice: Notice,
    outcome: Outcome,
    payment_id: str,
    kind: str,
    currency: str,
    source_listed: bool | None,
) -> dict[str, Any]:
    """What the till is told of a callback. A contradiction is relayed too, flagged
    ("contradicts"): the first stays the hub's, and the till believes neither until the
    provider's own answer agrees with one."""
    return {
        "provider": provider,
        "request_id": notice.request_id,
        "kind": kind,
        "payment_id": payment_id,
        "outcome": outcome.value,
        "code": notice.code,
        "description": notice.description,
        "amount": _text(notice.amount),
        "currency": currency,
        # Taken as the provider's own code only from a callback with nothing odd about it
        # (an unlisted source is said: the till notes it in the payment's history).
        "receipt_code": None if notice.problems else notice.receipt_code,
        "paid_at": notice.paid_at,
        "source_listed": source_listed,
        "problems": list(notice.problems),
    }


async def _contradicted_before(conn: AsyncConnection[Any], request_id: str) -> bool:
    cursor = await conn.execute(
        "SELECT 1 FROM inbox WHERE request_id = %s AND verdict = %s LIMIT 1",
        (request_id, CONFLICT),
    )
    return await cursor.fetchone() is not None


async def _customer_payment(
    conn: AsyncConnection[Any],
    provider: str,
    notice: Notice,
    inbox_id: int,
    source_listed: bool | None,
) -> tuple[str, str | None]:
    cursor = await conn.execute(
        "INSERT INTO c2b_payments (trans_id, provider, shortcode, amount, account, payer_name,"
        " phone, paid_at, inbox_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (trans_id) DO NOTHING RETURNING trans_id",
        (
            notice.request_id,
            provider,
            notice.shortcode,
            notice.amount,
            notice.account,
            notice.payer_name,
            notice.phone,
            notice.paid_at,
            inbox_id,
        ),
    )
    if await cursor.fetchone() is None:
        cursor = await conn.execute(
            "SELECT amount, shortcode FROM c2b_payments WHERE trans_id = %s", (notice.request_id,)
        )
        first = await cursor.fetchone()
        if first is not None and (first[0], first[1]) == (notice.amount, notice.shortcode):
            return DUPLICATE, None
        return CONFLICT, "the same transaction id came again with another amount or number"
    if notice.amount is None:
        return FLAGGED, _problems(notice) or "no amount"
    if source_listed is False:
        # No status query can confirm a customer's own payment: from an address outside the
        # provider's published list it is kept for the owner, never offered to a cashier.
        await conn.execute(
            "UPDATE c2b_payments SET held = true WHERE trans_id = %s", (notice.request_id,)
        )
        return FLAGGED, "from an address outside the provider's published list: held back"
    cursor = await conn.execute(
        "SELECT shop FROM shortcodes WHERE shortcode = %s", (notice.shortcode,)
    )
    served = await cursor.fetchone()
    if served is None:
        return UNSERVED, "no shop here takes payments to this number"
    body = customer_payment_body(notice) | {"provider": provider}
    await events.add(conn, served[0], None, "c2b", body)
    return RELAYED, None


def customer_payment_body(notice: Notice) -> dict[str, Any]:
    return {
        "trans_id": notice.request_id,
        "amount": _text(notice.amount),
        "payer_name": notice.payer_name,
        "account": notice.account,
        "paid_at": notice.paid_at,
    }


def same_phone(given: str | None, expected: str | None) -> bool:
    """Numbers agree when both can be read: masked or hashed ones (C2B) are not compared."""
    digits = re.sub(r"\D", "", given or "")
    wanted = re.sub(r"\D", "", expected or "")
    if len(digits) < 9 or len(wanted) < 9 or not (given or "").strip().isdigit():
        return True
    return digits[-9:] == wanted[-9:]


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"
