"""The owner's sessions: a random token in a cookie, known to the database only by its
SHA-256, ended after 12 idle hours or at logout; each carries its own CSRF token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from psycopg import AsyncConnection
from starlette.requests import Request

COOKIE = "pos_hub_session"
LOGIN_COOKIE = "pos_hub_login"  # the login form's own CSRF token, before any session
IDLE = timedelta(hours=12)
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


@dataclass(frozen=True)
class Session:
    token_hash: bytes
    csrf: str


def _hashed(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def start(conn: AsyncConnection[Any]) -> tuple[str, Session]:
    """A new session: (the token for the cookie, the session)."""
    token = secrets.token_urlsafe(32)
    session = Session(_hashed(token), secrets.token_urlsafe(32))
    async with conn.transaction():
        # Expired sessions are forgotten by whoever logs in next: nothing else needs a timer.
        await conn.execute("DELETE FROM owner_sessions WHERE expires_at <= now()")
        await conn.execute(
            "INSERT INTO owner_sessions (token_hash, csrf, expires_at) VALUES (%s, %s, now() + %s)",
            (session.token_hash, session.csrf, IDLE),
        )
    return token, session


async def find(conn: AsyncConnection[Any], token: str | None) -> Session | None:
    """The session of a cookie's token, its idle limit pushed back; None when there is none."""
    if not token or len(token) > 100:
        return None
    async with conn.transaction():
        cursor = await conn.execute(
            "UPDATE owner_sessions SET expires_at = now() + %s"
            " WHERE token_hash = %s AND expires_at > now() RETURNING csrf",
            (IDLE, _hashed(token)),
        )
        row = await cursor.fetchone()
    return Session(_hashed(token), row[0]) if row else None


async def end(conn: AsyncConnection[Any], session: Session) -> None:
    async with conn.transaction():
        await conn.execute(
            "DELETE FROM owner_sessions WHERE token_hash = %s", (session.token_hash,)
        )


def same_token(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def secure(request: Request) -> bool:
    """Cookies are `Secure` except on plain http to this very machine, where a browser would
    not send them back (a trial, or the owner at the hub's own screen)."""
    return not (request.url.scheme == "http" and (request.url.hostname or "") in LOCAL_HOSTS)


def cookie(request: Request, name: str, value: str, *, max_age: int | None) -> str:
    """A Set-Cookie value: never readable by scripts, never sent from another site."""
    parts = [f"{name}={value}", "HttpOnly", "SameSite=Strict", "Path=/"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure(request):
        parts.append("Secure")
    return "; ".join(parts)


def session_cookie(request: Request, token: str) -> str:
    # No Max-Age: the cookie goes with the browser; the idle limit is the database's.
    return cookie(request, COOKIE, token, max_age=None)


def cleared(request: Request, name: str) -> str:
    return cookie(request, name, "", max_age=0)
