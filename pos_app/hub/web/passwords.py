"""The owner's password: kept only as a scrypt hash, with a lock-out after repeated failures
kept in the database, so that it holds however many hub processes answer the logins."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from psycopg import AsyncConnection

from pos_app.hub import owner_log

MIN_LENGTH = 10
MAX_LENGTH = 1024  # far above any passphrase; keeps a hostile form from costing more
MAX_FAILURES = 5
LOCKED_FOR = timedelta(minutes=15)
# scrypt's cost: 16 MiB of memory per attempt, which is what makes guessing dear on a GPU.
N, R, P = 2**14, 8, 1
SALT_BYTES = 16
HASH_BYTES = 32
MAXMEM = 64 * 1024 * 1024


class PasswordError(ValueError):
    """A new password that cannot be used; the message says why."""


def check_new(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordError(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordError(f"the password must have at most {MAX_LENGTH} characters")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash`: the parameters travel with the hash, so that a later pos-app
    with dearer parameters still reads the hashes made before."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=N, r=R, p=P, maxmem=MAXMEM, dklen=HASH_BYTES
    )
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def matches(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        wanted = base64.b64decode(expected)
        digest = hashlib.scrypt(
            password[:MAX_LENGTH].encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=MAXMEM,
            dklen=len(wanted),
        )
    except ValueError:  # a hash this pos-app did not make: nobody logs in with it
        return False
    return hmac.compare_digest(digest, wanted)


async def set_password(conn: AsyncConnection[Any], password: str, actor: str) -> None:
    """Set or replace the owner's password; every open session ends with the old one."""
    check_new(password)
    hashed = await asyncio.to_thread(hash_password, password)
    async with conn.transaction():
        await conn.execute(
            "INSERT INTO owner_account (id, password_hash) VALUES (1, %s)"
            " ON CONFLICT (id) DO UPDATE SET password_hash = excluded.password_hash,"
            " set_at = now(), failures = 0, locked_until = NULL",
            (hashed,),
        )
        await conn.execute("DELETE FROM owner_sessions")
        await owner_log.append(conn, actor, "password", {})


@dataclass(frozen=True)
class Attempt:
    ok: bool
    no_password: bool = False
    locked_until: datetime | None = None  # set: refused without looking at the password


async def attempt(conn: AsyncConnection[Any], password: str) -> Attempt:
    """Check a login; counts failures and locks the account after MAX_FAILURES of them.

    The account row stays locked (FOR UPDATE) while the password is checked, so that
    attempts made at once through several hub processes are all counted."""
    async with conn.transaction():
        cursor = await conn.execute(
            "SELECT password_hash, failures,"
            " CASE WHEN locked_until > now() THEN locked_until END"
            " FROM owner_account WHERE id = 1 FOR UPDATE"
        )
        row = await cursor.fetchone()
        if row is None:
            return Attempt(ok=False, no_password=True)
        stored, failures, locked_until = row
        if locked_until is not None:
            return Attempt(ok=False, locked_until=locked_until)
        if await asyncio.to_thread(matches, password, stored):
            await conn.execute(
                "UPDATE owner_account SET failures = 0, locked_until = NULL WHERE id = 1"
            )
            await owner_log.append(conn, owner_log.WEB, "login", {})
            return Attempt(ok=True)
        if failures + 1 < MAX_FAILURES:
            await conn.execute("UPDATE owner_account SET failures = failures + 1 WHERE id = 1")
            return Attempt(ok=False)
        cursor = await conn.execute(
            "UPDATE owner_account SET failures = 0, locked_until = now() + %s WHERE id = 1"
            " RETURNING locked_until",
            (LOCKED_FOR,),
        )
        until = await cursor.fetchone()
        await owner_log.append(
            conn,
            owner_log.WEB,
            "lockout",
            {"failures": MAX_FAILURES, "until": until[0] if until else None},
        )
        return Attempt(ok=False, locked_until=until[0] if until else None)
