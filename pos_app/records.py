"""Payments as flat records: the fields of `--format json` and the columns of every CSV export
(documented in the README)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

from pos_app.domain.payment import Payment
from pos_app.domain.reasons import from_key

JSON_FIELDS = [
    "reference_id",
    "status",
    "reason",
    "reason_message",
    "receipt",
    "receipt_source",
    "provider_request_id",
    "amount",
    "currency",
    "phone",
    "provider",
    "order_reference",
    "created_at",
    "updated_at",
    "kind",
    "refund_of",
]


def payment_json(payment: Payment) -> dict[str, Any]:
    reason = from_key(payment.reason) if payment.reason else None
    return {
        "reference_id": payment.reference_id,
        "status": payment.status.value,
        "reason": payment.reason,
        "reason_message": reason.message if reason else None,
        "receipt": payment.provider_transaction_id,
        "receipt_source": payment.receipt_source,
        "provider_request_id": payment.provider_request_id,
        "amount": payment.amount.to_plain_string(),
        "currency": payment.amount.currency,
        "phone": payment.msisdn,
        "provider": payment.provider,
        "order_reference": payment.external_id,
        "created_at": payment.created_at.isoformat(),
        "updated_at": payment.updated_at.isoformat() if payment.updated_at else None,
        "kind": payment.product,
        "refund_of": payment.refund_of,
    }


def write_csv(payments: Iterable[Payment], out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=JSON_FIELDS)
    writer.writeheader()
    writer.writerows(payment_json(p) for p in payments)
