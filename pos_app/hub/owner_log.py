"""The owner's actions at the hub (revoking a till, exporting payments...): append-only
(a trigger refuses any change) and hash-chained like the till's owner log, so that an edit
made past the trigger still shows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from psycopg import AsyncConnection

from pos_app.domain.chain import GENESIS, digest
from pos_app.hub.schema import OWNER_LOG_LOCK

COMMAND_LINE = "owner (command line)"
WEB = "owner (web)"


def _link(previous: str, at: datetime, actor: str, action: str, detail: Any) -> str:
    return digest([previous, at.astimezone(UTC).isoformat(), actor, action, detail])


async def append(
    conn: AsyncConnection[Any], actor: str, action: str, detail: dict[str, Any]
) -> None:
    """Record an action, inside the caller's transaction (so it is kept with what it did)."""
    await conn.execute("SELECT pg_advisory_xact_lock(%s)", (OWNER_LOG_LOCK,))
    cursor = await conn.execute("SELECT hash FROM owner_log ORDER BY id DESC LIMIT 1")
    last = await cursor.fetchone()
    at = datetime.now(UTC)  # timestamptz keeps microseconds: the hash checks what is read back
    # Through JSON and back, so the hash is over what jsonb will give back when checked.
    detail = json.loads(json.dumps(detail, default=str))
    await conn.execute(
        "INSERT INTO owner_log (at, actor, action, detail, hash) VALUES (%s, %s, %s, %s, %s)",
        (
            at,
            actor,
            action,
            json.dumps(detail),
            _link(last[0] if last else GENESIS, at, actor, action, detail),
        ),
    )


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]


async def entries(conn: AsyncConnection[Any], limit: int = 200) -> list[Entry]:
    cursor = await conn.execute(
        "SELECT id, at, actor, action, detail FROM owner_log ORDER BY id DESC LIMIT %s", (limit,)
    )
    return [Entry(*row) for row in await cursor.fetchall()]


async def verify(conn: AsyncConnection[Any]) -> str | None:
    """The first entry that does not match the chain, in words; None when all hold."""
    previous = GENESIS
    cursor = await conn.execute(
        "SELECT id, at, actor, action, detail, hash FROM owner_log ORDER BY id"
    )
    async for id_, at, actor, action, detail, stored in cursor:
        previous = _link(previous, at, actor, action, detail)
        if stored != previous:
            return f"owner log entry {id_} ({action}, {at:%Y-%m-%d %H:%M}) was changed"
    return None
