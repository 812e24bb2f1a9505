"""The day report's figures from the tallies kept as payments are written (migration 8's
`payment_tallies`): a few hundred rows for a day instead of its every payment."""

from __future__ import annotations

from datetime import datetime

from pos_app.domain.payment import PaymentStatus
from pos_app.domain.report import Tally
from pos_app.store.database import Database
from pos_app.store.derived import TALLIED
from pos_app.store.timestamps import from_db_time, to_db_time


def _quarter_text(moment: datetime) -> str:
    return to_db_time(moment)[:16]  # "2026-12-02T15:45", as the tallies' quarter


def day_tallies(db: Database, start: datetime, end: datetime, till: str | None) -> list[Tally]:
    """The tallies of the payments created in [start, end), which start and end on quarter
    hours (a shop's day does: every time zone's offset is whole quarter hours), of `till` or
    of every till."""
    sql = (
        f"SELECT {', '.join(TALLIED)}, count, minor, first, last FROM payment_tallies"
        " WHERE quarter >= ? AND quarter < ? AND count > 0"
    )
    params: list[object] = [_quarter_text(start), _quarter_text(end)]
    if till is not None:
        sql += " AND till = ?"
        params.append(till)
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
        for quarter, _, product, provider, status, currency, refund, count, minor, first, last in (
            db.execute(sql, params).fetchall()
        )
    ]
