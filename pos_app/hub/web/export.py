"""A day's payments as CSV, the columns of the till's `receipts --format csv` with the shop and
the till in front; made safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

from psycopg import AsyncConnection

from pos_app.domain.payment import Payment, status_word
from pos_app.store.payment_rows import payment_from_row
from pos_app.store.queries import local_day

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


async def day_rows(
    conn: AsyncConnection[Any],
    day: Any,
    zone: tzinfo,
    *,
    shop: str | None,
    till_id: Any,
) -> list[tuple[str, str, Payment]]:
    """(shop, till, payment) of the day's payments and refunds, oldest first."""
    start, end = local_day(day, zone)
    sql = (
        "SELECT shop, till_name, row FROM till_payments WHERE created_at >= %s AND created_at < %s"
    )
    params: list[Any] = [start, end]
    if shop is not None:
        sql += " AND shop = %s"
        params.append(shop)
    if till_id is not None:
        sql += " AND till_id = %s"
        params.append(till_id)
    cursor = await conn.execute(sql + " ORDER BY created_at, reference_id", params)
    return [(s, t, payment_from_row(row)) for s, t, row in await cursor.fetchall()]


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


def to_csv(rows: Iterable[tuple[str, str, Payment]], zone: tzinfo) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for shop, till, payment in rows:
        writer.writerow(_row(shop, till, payment, zone))
    return out.getvalue()


def filename(day: Any, shop: str | None, till: str | None) -> str:
    """`payments-2026-11-23-duka-till-1.csv`: only letters, digits and dashes (the header
    carries it as it is)."""
    words = [str(day), *(part for part in (shop, till) if part)]
    slug = "-".join(re.sub(r"[^A-Za-z0-9]+", "-", word).strip("-").lower() for word in words)
    return f"payments-{slug}.csv"
