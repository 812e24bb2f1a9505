"""A day's payments as CSV, the columns of the till's `receipts --format csv` with the shop and
the till in front; made safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

from pos_app.domain.payment import Payment, status_word
from pos_app.hub.business import Found

COLUMNS = (
    "shop",
    "till",
    "reference_id",
    "status",
    "reason",
    "receipt",
    "receipt_source",
    "amount",
    "currency",
    "phone",
    "provider",
    "order_reference",
    "created_at",
    "updated_at",
    "kind",
    "refund_of",
)
# A cell a spreadsheet would take for a formula (and run: =HYPERLINK, =cmd|...).
FORMULA = re.compile(r"^[=+\-@\t\r]")


def safe_cell(value: Any) -> str:
    """The cell as text; one a spreadsheet would read as a formula gets a leading quote, the
    usual way of saying "this is text"."""
    text = "" if value is None else str(value)
    return "'" + text if FORMULA.match(text) else text


def _row(shop: str, till: str, p: Payment, zone: tzinfo) -> list[str]:
    values = (
        shop,
        till,
        p.reference_id,
        status_word(p.status),
        p.reason,
        p.provider_transaction_id,
        p.receipt_source,
        p.amount.to_plain_string(),
        p.amount.currency,
        p.msisdn,
        p.provider,
        p.external_id,
        p.created_at.astimezone(zone).isoformat(),
        p.updated_at.astimezone(zone).isoformat() if p.updated_at else None,
        p.product,
        p.refund_of,
    )
    return [safe_cell(value) for value in values]


def to_csv(rows: Iterable[Found], zone: tzinfo) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for found in rows:
        writer.writerow(_row(found.shop, found.till, found.payment, zone))
    return out.getvalue()


def filename(day: Any, shop: str | None, till: str | None) -> str:
    """`payments-2026-11-23-duka-till-1.csv`: only letters, digits and dashes (the header
    carries it as it is)."""
    words = [str(day), *(part for part in (shop, till) if part)]
    slug = "-".join(re.sub(r"[^A-Za-z0-9]+", "-", word).strip("-").lower() for word in words)
    return f"payments-{slug}.csv"
