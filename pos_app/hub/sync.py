"""Tills upload their own history here, in chain order, batch by batch. Each link is checked
as it arrives; a batch the hub already holds is answered as before (the till never heard the
first answer); a history that forks from what the hub holds, or whose links or payments do
not match, is refused and kept refused, for the owner to see ("history changed at till X")."""

from __future__ import annotations

import logging
from typing import Any

from psycopg import AsyncConnection, errors
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pos_app.domain.chain import RESEND, till_event_hash
from pos_app.hub.sync_body import BODY_LIMIT, Upload, read_upload, row_problem
from pos_app.hub.till_auth import Refusal, Till, authenticate, json_body, refused

log = logging.getLogger(__name__)


class HistoryChanged(Exception):
    """The till's history is not the one the hub holds or does not hold together."""

    def __init__(self, seq: int, problem: str) -> None:
        super().__init__(problem)
        self.seq = seq


class SyncApi:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool

    def routes(self) -> list[Route]:
        return [
            Route("/v1/sync", self.where, methods=["GET"]),
            Route("/v1/sync", self.sync, methods=["POST"]),
        ]

    async def where(self, request: Request) -> Response:
        """How far the hub holds this till's history: where its next upload starts."""
        try:
            async with self.pool.connection() as conn, conn.transaction():
                till = await authenticate(conn, request)
                cursor = await conn.execute(
                    "SELECT synced_seq, synced_hash, broken_seq, broken_problem FROM tills"
                    " WHERE id = %s",
                    (till.id,),
                )
                row = await cursor.fetchone()
        except Refusal as exc:
            return refused(exc)
        assert row is not None  # noqa: S101 - authenticate just found it
        synced, synced_hash, broken_seq, problem = row
        broken = None if broken_seq is None else {"seq": broken_seq, "problem": problem}
        return JSONResponse({"synced": synced, "hash": synced_hash, "broken": broken})

    async def sync(self, request: Request) -> Response:
        try:
            async with self.pool.connection() as conn, conn.transaction():
                till = await authenticate(conn, request)  # first: no stranger's body is read
            # Read with no connection held: slow uploads must not starve the callbacks.
            upload = read_upload(await json_body(request, BODY_LIMIT))
            async with self.pool.connection() as conn:
                async with conn.transaction():
                    state = await _bind(conn, till, upload)
                    try:
                        synced = await _take(conn, till, upload, state)
                    except HistoryChanged as exc:
                        await _mark_broken(conn, till, exc)
                        broken = exc
                    else:
                        return JSONResponse({"synced": synced})
                log.warning("hub: refused the history of till %s: %s", till.name, broken)
                raise Refusal(409, f"history changed at event {broken.seq}: {broken}")
        except Refusal as exc:
            return refused(exc)


async def _bind(conn: AsyncConnection[Any], till: Till, upload: Upload) -> tuple[Any, ...]:
    """The till's sync state, locked; its own id bound to its key at its first upload."""
    cursor = await conn.execute(
        "SELECT device_id, synced_seq, synced_hash, broken_seq, broken_problem"
        " FROM tills WHERE id = %s AND revoked_at IS NULL FOR UPDATE",
        (till.id,),
    )
    state = await cursor.fetchone()
    if state is None:  # revoked since its key was checked
        raise Refusal(401, "this till key is not valid here (revoked, or never given)")
    device_id, synced, synced_hash, broken_seq, problem = state
    if device_id is None:
        try:
            async with conn.transaction():
                await conn.execute(
                    "UPDATE tills SET device_id = %s WHERE id = %s", (upload.device_id, till.id)
                )
                await _take_over(conn, till, upload.device_id)
        except errors.UniqueViolation:
            raise Refusal(
                409, "this till's history is already at the hub as another till"
            ) from None
        return await _bind(conn, till, upload)
    if device_id != upload.device_id:
        raise Refusal(409, "this key was given to another till (its id differs)")
    if broken_seq is not None:
        raise Refusal(409, f"history changed at event {broken_seq}: {problem}")
    return synced, synced_hash


async def _take_over(conn: AsyncConnection[Any], till: Till, device_id: Any) -> None:
    """A till linked again with a new key (the old one revoked) goes on with the history
    the hub holds of it, moved (not copied: no payment may count twice)."""
    cursor = await conn.execute(
        "SELECT id FROM tills WHERE device_id = %s AND revoked_at IS NOT NULL AND id <> %s"
        " ORDER BY revoked_at DESC LIMIT 1",
        (device_id, till.id),
    )
    old = await cursor.fetchone()
    if old is None:
        return
    await conn.execute(
        "UPDATE tills t SET synced_seq = o.synced_seq, synced_hash = o.synced_hash,"
        " till_head = o.till_head, synced_at = o.synced_at, broken_seq = o.broken_seq,"
        " broken_problem = o.broken_problem, broken_at = o.broken_at, timezone = o.timezone"
        " FROM tills o WHERE t.id = %s AND o.id = %s",
        (till.id, old[0]),
    )
    await conn.execute("UPDATE till_events SET till_id = %s WHERE till_id = %s", (till.id, old[0]))
    await conn.execute(
        "UPDATE till_payments SET till_id = %s, shop = %s, till_name = %s WHERE till_id = %s",
        (till.id, till.shop, till.name, old[0]),
    )
    await conn.execute(
        "UPDATE tills SET synced_seq = 0, synced_hash = repeat('0', 64), till_head = 0"
        " WHERE id = %s",
        (old[0],),
    )


async def _take(
    conn: AsyncConnection[Any], till: Till, upload: Upload, state: tuple[Any, ...]
) -> int:
    """Check and keep what is new in the upload; the hub's last event afterwards."""
    synced, synced_hash = int(state[0]), str(state[1])
    if upload.broken is not None:
        raise HistoryChanged(*upload.broken)
    await _check_known(conn, till, upload, synced, synced_hash)
    if upload.after > synced:
        raise Refusal(409, f"{RESEND} {synced + 1}: the hub holds up to event {synced}")
    # Every link recomputed, the repeated ones too: each row is checked against its event's
    # state hash below, which must be the one its link holds.
    previous = upload.previous
    for event in upload.events:
        link = till_event_hash(
            previous, str(upload.device_id), event["seq"], event, event["state_hash"]
        )
        if event["hash"] != link:
            raise HistoryChanged(
                event["seq"],
                f"event {event['seq']} does not match the chain: changed at or before it",
            )
        previous = link
    new = [event for event in upload.events if event["seq"] > synced]
    newest = {event["reference_id"]: event for event in upload.events}
    for row, _ in upload.payments:
        problem = row_problem(row, newest.get(row["reference_id"]))
        if problem:
            raise HistoryChanged(
                newest.get(row["reference_id"], {"seq": synced + 1})["seq"], problem
            )
    await _store(conn, till, upload, new)
    last = new[-1]["seq"] if new else synced
    await conn.execute(
        "UPDATE tills SET synced_seq = %s, synced_hash = %s, synced_at = now(),"
        " till_head = greatest(%s, %s), timezone = coalesce(%s, timezone) WHERE id = %s",
        (last, previous if new else synced_hash, upload.head, last, upload.timezone, till.id),
    )
    return int(last)


async def _check_known(
    conn: AsyncConnection[Any], till: Till, upload: Upload, synced: int, synced_hash: str
) -> None:
    """What the upload repeats must be what the hub already holds, link for link."""
    if upload.after > synced:
        return  # a gap: refused by the caller, which says where to resume
    held = {synced: synced_hash}
    if upload.after < synced:
        cursor = await conn.execute(
            "SELECT seq, hash FROM till_events WHERE till_id = %s AND seq BETWEEN %s AND %s",
            (till.id, upload.after, synced),
        )
        held.update({int(seq): str(h) for seq, h in await cursor.fetchall()})
    repeated = [(upload.after, upload.previous)] if upload.after > 0 else []
    repeated += [(e["seq"], e["hash"]) for e in upload.events if e["seq"] <= synced]
    for seq, link in repeated:
        if held.get(seq) != link:
            raise HistoryChanged(seq, f"event {seq} differs from what the hub received earlier")


async def _store(
    conn: AsyncConnection[Any], till: Till, upload: Upload, new: list[dict[str, Any]]
) -> None:
    if new:
        async with conn.cursor() as cursor:
            await cursor.executemany(
                "INSERT INTO till_events (till_id, seq, reference_id, at, from_status,"
                " to_status, reason, detail, state_hash, hash)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        till.id,
                        e["seq"],
                        e["reference_id"],
                        e["at"],
                        e["from_status"],
                        e["to_status"],
                        e["reason"],
                        e["detail"],
                        e["state_hash"],
                        e["hash"],
                    )
                    for e in new
                ],
            )
    newest = {event["reference_id"]: event["seq"] for event in upload.events}
    rows = [(row, payment) for row, payment in upload.payments if row["reference_id"] in newest]
    if rows:
        async with conn.cursor() as cursor:
            await cursor.executemany(
                "INSERT INTO till_payments (till_id, reference_id, shop, till_name, provider,"
                " product, status, amount_minor, currency, msisdn, provider_transaction_id,"
                " refund_of, created_at, seq, row) VALUES"
                " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (till_id, reference_id) DO UPDATE SET status = excluded.status,"
                " provider_transaction_id = excluded.provider_transaction_id,"
                " seq = excluded.seq, row = excluded.row WHERE till_payments.seq < excluded.seq",
                [
                    (
                        till.id,
                        p.reference_id,
                        till.shop,
                        till.name,
                        p.provider,
                        p.product,
                        p.status.value,
                        p.amount.minor_units,
                        p.amount.currency,
                        p.msisdn,
                        p.provider_transaction_id,
                        p.refund_of,
                        p.created_at,
                        newest[p.reference_id],
                        Jsonb(row),
                    )
                    for row, p in rows
                ],
            )


async def _mark_broken(conn: AsyncConnection[Any], till: Till, exc: HistoryChanged) -> None:
    await conn.execute(
        "UPDATE tills SET broken_seq = %s, broken_problem = %s, broken_at = now() WHERE id = %s",
        (exc.seq, str(exc), till.id),
    )
