"""What tills may ask of the hub: who they are (their key), and how a request is read."""

from __future__ import annotations

import json
import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse

from pos_app.hub import tokens
from pos_app.hub.bodies import TooLarge, limited_body

log = logging.getLogger(__name__)
PAYMENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,80}")


class Refusal(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Till:
    id: uuid.UUID
    shop: str
    name: str


def refused(exc: Refusal) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=exc.status)


async def json_body(request: Request, limit: int = 16 * 1024) -> dict[str, Any]:
    try:
        body = json.loads(await limited_body(request, limit))
    except TooLarge:
        raise Refusal(413, "body too large") from None
    except ClientDisconnect:  # a till stopped mid-upload: nobody hears, nothing is taken
        raise Refusal(400, "the body did not all come") from None
    except ValueError:
        raise Refusal(400, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise Refusal(400, "the body must be a JSON object")
    return body


def field(body: dict[str, Any], name: str, pattern: re.Pattern[str] | None = None) -> str:
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
