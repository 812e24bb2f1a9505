"""MTN MoMo's callbacks: a request-to-pay's or a refund's final status
(../shared/reference/callbacks.md §5).

The body is the status answer's shape without the X-Reference-Id, so the reference comes from
the URL the hub gave MTN for that one request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pos_app.domain.payment import Payment
from pos_app.providers.callbacks import (
    CallbackKind,
    CallbackRoute,
    MalformedCallback,
    Notice,
    Outcome,
    amount_or_flag,
    code_text,
    display_text,
    kind_of,
    mapping,
    quoted,
    text_or_flag,
)

_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_FINAL = {"SUCCESSFUL": Outcome.SUCCEEDED, "FAILED": Outcome.FAILED}


def parse_payment(body: Any, request_id: str | None = None) -> Notice:
    """A request-to-pay result: the customer is the payer."""
    return _parse(body, request_id, "payer")


def parse_refund(body: Any, request_id: str | None = None) -> Notice:
    """A refund (or transfer) result: the customer is the payee."""
    return _parse(body, request_id, "payee")


def _parse(body: Any, request_id: str | None, party_key: str) -> Notice:
    if request_id is None:
        raise MalformedCallback("MTN puts no reference in the body and none came with the URL")
    if not _UUID.fullmatch(request_id):
        raise MalformedCallback("the reference that came with the URL is not a UUID")
    root = mapping(body, "the body")
    problems: list[str] = []
    status = code_text(root.get("status"), "status", problems)
    # Callbacks carry final states; PENDING (or a new word) tells a till nothing yet.
    outcome = _FINAL.get(status) if status is not None else None
    if outcome is None:
        shown = "missing" if status is None else quoted(status)
        problems.append(f"status {shown} is not a final state")
    reason, description = _reason(root.get("reason"), problems)
    amount = amount_or_flag(root.get("amount"), "amount", problems)
    # The schema says text; MTN's own example sends a number: both read as text.
    receipt = text_or_flag(root.get("financialTransactionId"), "financialTransactionId", problems)
    if outcome is Outcome.SUCCEEDED:
        if amount is None:
            problems.append("a success without a readable amount")
        if receipt is None:
            problems.append("a success without a financialTransactionId")
    return Notice(
        request_id=request_id,
        outcome=outcome,
        code=reason if outcome is Outcome.FAILED and reason else status,
        description=description,
        amount=amount,
        phone=_party_id(root.get(party_key), party_key, problems),
        receipt_code=receipt,
        # Our own id sent with the request (not unique on MTN's side): a cross-check only.
        merchant_request_id=text_or_flag(root.get("externalId"), "externalId", problems),
        problems=tuple(problems),
    )


def _reason(value: Any, problems: list[str]) -> tuple[str | None, str]:
    """A string in MTN's current examples, {"code", "message"} in its swagger: both taken."""
    if isinstance(value, dict):
        return (
            code_text(value.get("code"), "reason.code", problems),
            display_text(value.get("message"), "reason.message", problems),
        )
    return code_text(value, "reason", problems), ""


def _party_id(party: Any, party_key: str, problems: list[str]) -> str | None:
    if party is None:
        return None
    if not isinstance(party, Mapping):
        problems.append(f"{party_key} is {kind_of(party)}, not an object")
        return None
    return text_or_flag(party.get("partyId"), f"{party_key}.partyId", problems)


PAYMENT_ROUTE = "momo/payment"
REFUND_ROUTE = "momo/refund"


def callback_id(payment: Payment) -> str:
    """Our reference id is the request's X-Reference-Id (refunds too): the callback's URL
    ends with it."""
    return payment.reference_id


ROUTES: tuple[CallbackRoute, ...] = (
    # MTN says both "allow PUT & POST" and "the callback will be a POST" (§5.1).
    CallbackRoute(
        path=PAYMENT_ROUTE,
        kind=CallbackKind.OUTCOME,
        methods=("PUT", "POST"),
        per_request=True,
        parse=parse_payment,
        answer=None,
    ),
    CallbackRoute(
        path=REFUND_ROUTE,
        kind=CallbackKind.OUTCOME,
        methods=("PUT", "POST"),
        per_request=True,
        parse=parse_refund,
        answer=None,
    ),
)
