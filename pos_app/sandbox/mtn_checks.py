"""What the MTN simulator refuses in a request, and MTN's words and shapes for refusing it."""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pos_app.sandbox.faults import FaultShapes

GATEWAY_401 = {
    "statusCode": 401,
    "message": "Access denied due to invalid subscription key. "
    "Make sure to provide a valid key for an active subscription.",
}


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def is_uuid4(text: str | None) -> bool:
    try:
        parsed = uuid.UUID(text or "")
    except ValueError:
        return False
    return parsed.version == 4 and str(parsed) == (text or "").lower()


def payment_problem(body: dict[str, Any], party_key: str | None, currency: str) -> Response | None:
    """MTN's refusal of a creation's body, or None; `party_key` None checks no party."""
    amount = body.get("amount")
    try:
        value = (
            Decimal(str(amount))
            if isinstance(amount, str | int) and not isinstance(amount, bool)
            else None
        )
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0:
        return error(400, "BAD_REQUEST", "amount must be a positive number in a string")
    if body.get("currency") != currency:
        return error(500, "INVALID_CURRENCY", "Currency not supported.")
    if "externalId" in body and not isinstance(body["externalId"], str):
        return error(400, "BAD_REQUEST", "externalId must be a string")
    if party_key is not None:
        party = body.get(party_key)
        if not isinstance(party, dict) or party.get("partyIdType") not in (
            "MSISDN",
            "EMAIL",
            "PARTY_CODE",
            "ALIAS",
        ):
            return error(400, "BAD_REQUEST", f"{party_key} must have a partyIdType")
        party_id = party.get("partyId")
        if party.get("partyIdType") == "MSISDN" and not (
            isinstance(party_id, str) and re.fullmatch(r"\d{8,15}", party_id)
        ):
            return error(400, "BAD_REQUEST", "partyId must be an MSISDN in E.164 digits")
    for key in ("payerMessage", "payeeNote"):
        text = body.get(key)
        if text is None or text == "":
            # What production does with an empty note (the sandbox is more lenient).
            return error(500, "INTERNAL_PROCESSING_ERROR", "An internal error occurred")
        if not isinstance(text, str) or len(text) > 160 or re.search(r"['&<>]", text):
            return error(400, "BAD_REQUEST", f"{key} is too long or has special characters")
    return None


# Token-call bodies real clients send and MTN takes: none (MTN's Postman example, `--data ''`),
# `{}` (sparkplug/momoapi-python src/mtnmomo/client.py) and {"grant_type": "client_credentials"}
# (laravel-mtn-momo: the body logged in its issue #46 against sandbox.momodeveloper.mtn.com,
# which worked once the user had an API key). MTN's 400 list names "Inputting a Body in an API
# that is not supported e.g. /Token API" (reference §1.3): anything else is refused.
_TOKEN_BODIES: tuple[dict[str, str], ...] = ({}, {"grant_type": "client_credentials"})


def token_body_ok(raw: bytes) -> bool:
    if not raw.strip():
        return True
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(body, dict) and body in _TOKEN_BODIES


async def json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        return None


def basic(header: str) -> tuple[str | None, str | None]:
    if not header.startswith("Basic "):
        return None, None
    try:
        user, _, key = base64.b64decode(header[6:], validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    return user, key


def _failure(status: int) -> Response:
    code = "SERVICE_UNAVAILABLE" if status != 500 else "INTERNAL_PROCESSING_ERROR"
    return JSONResponse(
        {"code": code, "message": "Service temporarily unavailable"}, status_code=status
    )


def _rate_limited(retry_after: int) -> Response:
    return JSONResponse(
        {"statusCode": 429, "message": "Rate limit is exceeded."},
        status_code=429,
        headers={"Retry-After": str(retry_after)},
    )


MTN_SHAPES = FaultShapes(_failure, _rate_limited)
