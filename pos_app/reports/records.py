"""Payments as flat records: the fields of `--format json` and the columns of every CSV export
(documented in the README). JSON keeps the machine status values (`successful`, ...), which
scripts depend on; the CSV, read by people in spreadsheets, says their words (`paid`, ...)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

from pos_app.domain.payment import Payment, status_word
from pos_app.platform import paths
from pos_app.providers import registry

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
    reason = registry.reason(payment.reason) if payment.reason else None
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


# In the demo world every CSV row starts with this column, so that a spreadsheet made from it
# says DEMO on every line (and a CSV reader still reads one header and equal rows).
MODE_FIELD, DEMO_MODE = "mode", "DEMO"


def csv_row(payment: Payment) -> dict[str, Any]:
    """A payment as a CSV row: the JSON fields, with the status in the people's word."""
    row = payment_json(payment)
    row["status"] = status_word(payment.status)
    return row


def write_csv(payments: Iterable[Payment], out: TextIO) -> None:
    """The CSV of `receipts --format csv` and every report export; in the demo world, a first
    column `mode` holding DEMO on every row."""
    demo = paths.in_demo_world()
    fields = [MODE_FIELD, *JSON_FIELDS] if demo else JSON_FIELDS
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    for payment in payments:
        row = csv_row(payment)
        if demo:
            row[MODE_FIELD] = DEMO_MODE
        writer.writerow(row)
