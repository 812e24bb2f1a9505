"""Airtel Money's collection callback (../shared/reference/airtel-api.md §6,
../shared/reference/callbacks.md §6).

The body carries no amount and its optional `hash` has no settled recipe (key and input bytes
disagree between sources), so it is ignored: only a status enquiry confirms what it says.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from pos_app.domain.payment import Payment
from pos_app.providers.airtel.provider import transaction_id
from pos_app.providers.callbacks import (
    CallbackKind,
    CallbackRoute,
    Notice,
    Outcome,
    child,
    code_text,
    display_text,
    mapping,
    quoted,
    required_id,
    text_or_flag,
)

# The answer in the Postman collection built from Airtel's portal samples (airtel-api.md §6.1).
ANSWER = MappingProxyType({"code": 200, "status": "SUCCESS"})
# TIP and TA are not final, and TE never comes by callback in the docs: all are asked about.
_FINAL = {"TS": Outcome.SUCCEEDED, "TF": Outcome.FAILED}


def parse_payment(body: Any, request_id: str | None = None) -> Notice:
    """{"transaction": {"id", "message", "status_code", "airtel_money_id"}}: `id` is the id
    the push was sent with."""
    del request_id  # the id is in the body
    transaction = child(mapping(body, "the body"), "transaction", "transaction")
    problems: list[str] = []
    transaction_id = required_id(transaction.get("id"), "transaction.id")
    status = code_text(transaction.get("status_code"), "transaction.status_code", problems)
    outcome = _FINAL.get(status) if status is not None else None
    if outcome is None:
        shown = "missing" if status is None else quoted(status)
        problems.append(f"status_code {shown} is not a final state")
    # Generated only for TS, though one failed sample carries one too: kept if present.
    receipt = text_or_flag(
        transaction.get("airtel_money_id"), "transaction.airtel_money_id", problems
    )
    if outcome is Outcome.SUCCEEDED and receipt is None:
        problems.append("a success without an airtel_money_id")
    return Notice(
        request_id=transaction_id,
        outcome=outcome,
        code=status,
        description=display_text(transaction.get("message"), "transaction.message", problems),
        receipt_code=receipt,
        problems=tuple(problems),
    )


def callback_id(payment: Payment) -> str | None:
    """The transaction id the push carried (our id without hyphens); Airtel's portal-set
    callback is for collections only."""
    return None if payment.refund_of else transaction_id(payment)


ROUTES: tuple[CallbackRoute, ...] = (
    CallbackRoute(
        path="airtel/payment",
        kind=CallbackKind.OUTCOME,
        methods=("POST",),
        per_request=False,
        parse=parse_payment,
        answer=ANSWER,
    ),
)
