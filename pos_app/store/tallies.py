"""The day report's figures from the tallies kept as payments are written (migration 8's
`payment_tallies`): a few hundred rows for a day instead of its every payment."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from pos_app.domain.payment import PaymentStatus
from pos_app.domain.report import Tally
from pos_app.store.derived import TALLIED, tally_key
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


def recounted(db: Database) -> list[tuple[object, ...]]:
    """The tallies' counts and sums recomputed from every payment, by the very expressions
    the triggers use, ordered like `kept(db)`: both must always be equal (first and last are
    not compared: they only widen)."""
    return db.execute(
        f"SELECT {', '.join(tally_key('payments'))}, count(*), sum(amount_minor)"
        " FROM payments GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7"
    ).fetchall()


def kept(db: Database) -> list[tuple[object, ...]]:
    """The tallies as kept, without the emptied ones."""
    return db.execute(
        f"SELECT {', '.join(TALLIED)}, count, minor FROM payment_tallies WHERE count > 0"
        " ORDER BY 1, 2, 3, 4, 5, 6, 7"
    ).fetchall()
