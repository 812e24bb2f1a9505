"""The events tills fetch: written in id order, read after a till's cursor."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from psycopg import AsyncConnection
from psycopg.types.json import Jsonb

from pos_app.hub.schema import EVENT_LOCK

CHANNEL = "pos_app_hub"
KEPT = timedelta(days=30)
PAGE = 200


@dataclass(frozen=True)
class Event:
    id: int
    kind: str
    body: dict[str, Any]
    at: datetime

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "body": self.body, "at": self.at.isoformat()}


async def add(
    conn: AsyncConnection[Any],
    shop: str,
    till_id: uuid.UUID | None,
    kind: str,
    body: dict[str, Any],
) -> None:
    """Add an event inside the caller's transaction.

    Writers take turns on a lock held until they commit, so ids become visible in order: a
    till that has read up to id N can never later miss an id below N (bigserial values are
    handed out before commit, callbacks.md §9.2)."""
    await conn.execute("SELECT pg_advisory_xact_lock(%s)", (EVENT_LOCK,))
    await conn.execute(
        "INSERT INTO events (shop, till_id, kind, body) VALUES (%s, %s, %s, %s)",
        (shop, till_id, kind, Jsonb(body)),
    )
    await notify(conn, shop, till_id)


async def notify(conn: AsyncConnection[Any], shop: str, till_id: uuid.UUID | None) -> None:
    """Wake the long-polls of one till (or of every till of the shop) when this transaction
    commits. Only whom to wake goes through NOTIFY: the polls read the table."""
    payload = json.dumps([shop, str(till_id) if till_id else None])
    await conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))


async def after(
    conn: AsyncConnection[Any], shop: str, till_id: uuid.UUID, cursor: int
) -> list[Event]:
    """This till's events after its cursor, oldest first: its own and its shop's."""
    rows = await conn.execute(
        "SELECT id, kind, body, created_at FROM events"
        " WHERE shop = %s AND id > %s AND (till_id IS NULL OR till_id = %s)"
        " AND created_at > now() - %s ORDER BY id LIMIT %s",
        (shop, cursor, till_id, KEPT, PAGE),
    )
    return [Event(*row) for row in await rows.fetchall()]


async def last_id(conn: AsyncConnection[Any]) -> int:
    """The last event id handed out (0 before any)."""
    cursor = await conn.execute("SELECT last_value, is_called FROM events_id_seq")
    row = await cursor.fetchone()
    return int(row[0]) if row and row[1] else 0


async def forget_old(conn: AsyncConnection[Any]) -> int:
    cursor = await conn.execute("DELETE FROM events WHERE created_at < now() - %s", (KEPT,))
    return cursor.rowcount
