"""Reading MTN's answers tolerantly: numbers or strings, reason as string or object."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from pos_app.providers.answers import preview
from pos_app.providers.base import MalformedResponse, RemoteStatus, StatusReport
from pos_app.providers.mtn.reasons import CATALOG


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The body as a JSON object, or MalformedResponse (never a crash)."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MalformedResponse(
            f"MTN answered HTTP {response.status_code} with a body that "
            f"is not JSON ({preview(response)})"
        ) from exc
    if not isinstance(body, dict):
        raise MalformedResponse(
            f"MTN answered HTTP {response.status_code} with JSON that is "
            f"not an object ({preview(response)})"
        )
    return body


def _text(value: Any) -> str | None:
    """A field the schema types as a string, which MTN's own examples send as a number
    (`"financialTransactionId": 23503452`): both read the same."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise MalformedResponse(f"MTN sent {type(value).__name__} where text was expected")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def status_report(
    body: dict[str, Any], *, party_key: str, expected: dict[str, str]
) -> StatusReport:
    """Turn a RequestToPayResult / TransferResult into a StatusReport.

    `expected` holds what we sent (amount, currency, partyId, externalId): a success that
    disagrees is not believed."""
    raw = body.get("status")
    if not isinstance(raw, str) or not raw:
        raise MalformedResponse(f"MTN status answer has no status field ({sorted(body)})")
    status = raw.upper()
    detail: dict[str, Any] = {"status": status}
    if status == "SUCCESSFUL":
        _check_matches(body, party_key, expected)
        receipt = _text(body.get("financialTransactionId"))
        if receipt:
            detail["financialTransactionId"] = receipt
        return StatusReport(RemoteStatus.SUCCESSFUL, receipt=receipt, detail=detail)
    if status == "FAILED":
        code = _reason_code(body.get("reason"))
        detail["reason"] = code
        return StatusReport(RemoteStatus.FAILED, reason=CATALOG.lookup(code), detail=detail)
    # PENDING, CREATED, ONGOING and anything new: still in progress.
    return StatusReport(RemoteStatus.PENDING, detail=detail)


def _reason_code(reason: Any) -> str | None:
    if isinstance(reason, dict):
        reason = reason.get("code")
    if reason is None or reason == "":
        return None
    if not isinstance(reason, str):
        raise MalformedResponse(f"MTN reason is a {type(reason).__name__}")
    return reason


def _check_matches(body: dict[str, Any], party_key: str, expected: dict[str, str]) -> None:
    """Fields MTN leaves out are not held against it; fields it sends must agree."""
    party = body.get(party_key)
    sent = {
        "amount": _decimal(body.get("amount")) if body.get("amount") is not None else None,
        "currency": _text(body.get("currency")),
        "partyId": _text(party.get("partyId")) if isinstance(party, dict) else None,
        "externalId": _text(body.get("externalId")),
    }
    problems = []
    for key, value in sent.items():
        if key not in expected or value is None:
            continue
        want = _decimal(expected[key]) if key == "amount" else expected[key]
        if value != want:
            problems.append(key)
    if problems:
        raise MalformedResponse(
            "MTN reports a success that does not match this payment: " + ", ".join(problems)
        )


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
