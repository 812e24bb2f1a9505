"""The day report's figures counted by SQLite: a few hundred tallies instead of every payment
of the day read into Python. Nothing is stored, so nothing can drift from the payments."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from pos_app.domain.payment import PaymentStatus
from pos_app.domain.report import Tally
from pos_app.store.timestamps import from_db_time

# created_at is fixed-width UTC text ("2026-12-02T15:47:07.123456Z", store/timestamps.py):
# its quarter hour is its first 14 characters and its minutes rounded down to 0, 15, 30 or 45.
_QUARTER = (
    "substr(created_at, 1, 14)"
    " || printf('%02d', CAST(substr(created_at, 15, 2) AS INTEGER) / 15 * 15)"
)
_KEY = "product, provider, status, currency, refund_of IS NOT NULL, quarter"


def count_tallies(db: Database, where: str, params: list[Any]) -> list[Tally]:
    """The tallies of the payments `where` (a WHERE clause) selects."""
    rows = db.execute(
        f"SELECT {_KEY}, count(*), sum(amount_minor), min(created_at), max(created_at)"
        f" FROM (SELECT *, {_QUARTER} AS quarter FROM payments {where}) GROUP BY {_KEY}",
        params,
    ).fetchall()
    return [
        Tally(
            product=product,
            provider=provider,
            status=PaymentStatus(status),
            currency=currency,
            refund=bool(refund),
            quarter=from_db_time(quarter + ":00Z"),
            count=int(count),
            minor=int(minor),
            first=from_db_time(first),
            last=from_db_time(last),
        )
        for product, provider, status, currency, refund, quarter, count, minor, first, last in rows
    ]
