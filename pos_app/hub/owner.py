"""The owner's set-up, from the command line: the schema, callback URLs, tills and shortcodes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from psycopg import AsyncConnection, errors

from pos_app.hub import events, owner_log, schema, tokens
from pos_app.hub.routes import callback_url, hub_routes

ENROLMENT_VALID = timedelta(hours=24)


class OwnerError(Exception):
    """What the owner asked for cannot be done; the message says why."""


@dataclass(frozen=True)
class TillRow:
    id: uuid.UUID
    shop: str
    name: str
    created_at: datetime
    linked_at: datetime | None
    revoked_at: datetime | None
    last_seen_at: datetime | None

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        return "linked" if self.linked_at else "waiting for its code"


async def init(conn: AsyncConnection[Any], public_url: str) -> dict[str, str]:
    """Create or update the schema and one secret per callback route (kept on a second run:
    the URLs given to the providers stay valid); the URLs, by route path."""
    await schema.migrate(conn)
    async with conn.transaction():
        await conn.execute(
            "INSERT INTO hub_settings (key, value) VALUES ('public_url', %s)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (public_url.rstrip("/"),),
        )
        for path in hub_routes():
            await conn.execute(
                "INSERT INTO callback_routes (path, secret) VALUES (%s, %s)"
                " ON CONFLICT (path) DO NOTHING",
                (path, tokens.route_secret()),
            )
    return await callback_urls(conn)


async def callback_urls(conn: AsyncConnection[Any]) -> dict[str, str]:
    cursor = await conn.execute("SELECT value FROM hub_settings WHERE key = 'public_url'")
    row = await cursor.fetchone()
    if row is None:
        raise OwnerError("the hub has no public URL yet: run `pos-app hub init --public-url URL`")
    cursor = await conn.execute("SELECT path, secret FROM callback_routes ORDER BY path")
    served = hub_routes()
    return {
        path: callback_url(row[0], path, secret)
        for path, secret in await cursor.fetchall()
        if path in served
    }


async def add_till(conn: AsyncConnection[Any], shop: str, name: str) -> tuple[uuid.UUID, str]:
    """A new till waiting for its enrolment code; (its id, the one-time code)."""
    shop, name = shop.strip(), name.strip()
    for label, value in (("shop", shop), ("till", name)):
        if not 1 <= len(value) <= 60 or not value.isprintable():
            raise OwnerError(f"the {label} name must be 1 to 60 printable characters")
    till_id = uuid.uuid4()
    code = tokens.enrolment_code()
    try:
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO tills (id, shop, name) VALUES (%s, %s, %s)", (till_id, shop, name)
            )
            await conn.execute(
                "INSERT INTO enrolments (code_hash, till_id, expires_at)"
                " VALUES (%s, %s, now() + %s)",
                (tokens.hashed(code), till_id, ENROLMENT_VALID),
            )
    except errors.UniqueViolation:
        raise OwnerError(
            f"shop {shop!r} already has a till named {name!r}: revoke it first, "
            "or choose another name"
        ) from None
    return till_id, code


async def tills(conn: AsyncConnection[Any]) -> list[TillRow]:
    cursor = await conn.execute(
        "SELECT id, shop, name, created_at, linked_at, revoked_at, last_seen_at FROM tills"
        " ORDER BY shop, name, created_at"
    )
    return [TillRow(*row) for row in await cursor.fetchall()]


async def revoke(
    conn: AsyncConnection[Any], till: str, actor: str = owner_log.COMMAND_LINE
) -> TillRow:
    """Revoke a till by its id: its key and any unused code stop working at once; in the
    owner's log."""
    try:
        till_id = uuid.UUID(till)
    except ValueError:
        raise OwnerError(f"{till!r} is not a till id (see `pos-app hub tills`)") from None
    async with conn.transaction():
        cursor = await conn.execute(
            "UPDATE tills SET revoked_at = coalesce(revoked_at, now()) WHERE id = %s"
            " RETURNING id, shop, name, created_at, linked_at, revoked_at, last_seen_at",
            (till_id,),
        )
        row = await cursor.fetchone()
        if row is None:
            raise OwnerError(f"no till has the id {till}")
        await conn.execute("DELETE FROM enrolments WHERE till_id = %s", (till_id,))
        await owner_log.append(
            conn, actor, "revoke till", {"till": str(till_id), "shop": row[1], "name": row[2]}
        )
        # Wakes the till's long-poll, which then finds its key refused.
        await events.notify(conn, row[1], till_id)
    return TillRow(*row)


async def bind_shortcode(conn: AsyncConnection[Any], shop: str, shortcode: str) -> None:
    """Customer payments (C2B) to this till or paybill number go to this shop's tills."""
    if not shortcode.isdigit() or not 5 <= len(shortcode) <= 7:
        raise OwnerError("a till or paybill number is 5 to 7 digits")
    async with conn.transaction():
        cursor = await conn.execute(
            "INSERT INTO shortcodes (shortcode, shop) VALUES (%s, %s)"
            " ON CONFLICT (shortcode) DO UPDATE SET shop = excluded.shop"
            " RETURNING shortcode",
            (shortcode, shop.strip()),
        )
        await cursor.fetchone()
