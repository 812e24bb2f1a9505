"""The payment repository: the only API the rest of the app uses to read and write payments."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from pos_app.domain.countries import Provider
from pos_app.domain.money import Money
from pos_app.domain.payment import OPEN_STATES, Payment, PaymentEvent, PaymentStatus
from pos_app.domain.refunds import REFUND, check_refund, refunded
from pos_app.domain.report import Tally
from pos_app.store import audit
from pos_app.store.database import Database
from pos_app.store.db import (
    BUSY_TIMEOUT_SECONDS,
    MEMORY,
    StoreError,
    database_file,
    write_transaction,
)
from pos_app.store.migrations import schema_version
from pos_app.store.outbox import Outbox
from pos_app.store.owner_log import OwnerLog
from pos_app.store.payment_rows import (
    INSERT,
    SELECT,
    UPDATE,
    payment_from_row,
    payment_row,
    update_values,
)
from pos_app.store.queries import Page, PageCursor, PaymentFilter, Total, local_day
from pos_app.store.queries import clause as _clause
from pos_app.store.queries import where as _where
from pos_app.store.tallies import day_tallies
from pos_app.store.timestamps import from_db_time, to_db_time

# What other packages import from here (the filters and results live in store/queries.py).
__all__ = [
    "Page",
    "PageCursor",
    "PaymentFilter",
    "PaymentNotFound",
    "PaymentRepository",
    "Total",
    "local_day",
    "to_db_time",
]


class PaymentNotFound(StoreError):
    pass


class PaymentRepository:
    def __init__(self, db: Database, *, owner_db: Database | None = None) -> None:
        """`owner_db`: where the owner's PIN and log are kept, when not in `db` (the demo's
        database has none of its own)."""
        self._db = db
        self._owner_db = owner_db
        self.owner_log = OwnerLog(owner_db or db)
        self.outbox = Outbox(db)
        # Whether the file has the search index (migration 8 makes it where SQLite can).
        self._indexed = bool(
            db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'payments_search'"
            ).fetchone()
        )

    def close(self) -> None:
        self._db.close()
        if self._owner_db is not None:
            self._owner_db.close()

    @contextmanager
    def brief_waits(self, milliseconds: int = 50) -> Iterator[None]:
        """Writes that give up at once on a lock held elsewhere, for retries on the window's
        thread (the usual wait is BUSY_TIMEOUT_SECONDS)."""
        self._db.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
        try:
            yield
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")

    def file(self) -> Path | None:
        """The database file, or None for a database in memory."""
        path = database_file(self._db.conn)
        return None if path == MEMORY else path

    # -- writing --

    def save_new(self, payment: Payment, event: PaymentEvent) -> None:
        """Commit a new payment with its creation event (before anything is sent)."""
        if payment.refund_of is not None:
            raise ValueError("a refund is saved with save_refund")
        with write_transaction(self._db):
            self._insert(payment, event)

    def save_refund(self, refund: Payment, event: PaymentEvent) -> Payment:
        """Commit a new refund, checked against its original and every earlier refund of it
        inside the write lock, so that no two refunds together give back more than was paid
        (raises ValidationError and saves nothing otherwise). Returns the original."""
        if refund.refund_of is None or refund.product != REFUND:
            raise ValueError("a refund names the payment it refunds")
        with write_transaction(self._db):
            original = self.get(refund.refund_of)
            check_refund(original, self.refunds_of(original.reference_id), refund.amount)
            self._insert(refund, event)
        return original

    def save_claimed(
        self, payment: Payment, event: PaymentEvent, code: str, detail: dict[str, Any]
    ) -> Payment:
        """Commit a payment the customer made from their own phone to the shop's number,
        claimed for this till at the hub: created and paid in one transaction, its code the
        provider's (source "c2b"), so that no crash leaves it half recorded."""
        with write_transaction(self._db):
            self._insert(payment, event)
            sent, claiming = payment.transition(PaymentStatus.SUBMITTING, event.at)
            self._update(payment, sent, claiming)
            paid, moved = sent.transition(
                PaymentStatus.SUCCESSFUL,
                event.at,
                provider_transaction_id=code,
                receipt_source="c2b",
                detail=detail,
            )
            self._update(sent, paid, moved)
        return paid

    def _insert(self, payment: Payment, event: PaymentEvent) -> None:
        if payment.status != PaymentStatus.CREATED or event.to_status != PaymentStatus.CREATED:
            raise ValueError("a new payment starts in the created state")
        self._db.execute(INSERT, payment_row(payment))
        self._append(event)

    def transition(
        self,
        reference_id: str,
        target: PaymentStatus,
        now: datetime,
        *,
        reason: str | None = None,
        provider_transaction_id: str | None = None,
        provider_request_id: str | None = None,
        detail: dict[str, Any] | None = None,
        receipt_source: str = "provider",
    ) -> Payment:
        """Move a payment to `target` and record the event, atomically. A refund's success
        is recorded on its original in the same transaction.

        Raises IllegalTransition (and changes nothing) when the table forbids the move."""
        with write_transaction(self._db):
            current = self.get(reference_id)
            changed, event = current.transition(
                target,
                now,
                reason=reason,
                provider_transaction_id=provider_transaction_id,
                provider_request_id=provider_request_id,
                detail=detail,
                receipt_source=receipt_source,
            )
            self._update(current, changed, event)
            if changed.refund_of is not None and target == PaymentStatus.SUCCESSFUL:
                original = self.get(changed.refund_of)
                total = refunded(self.refunds_of(original.reference_id))
                self._update(original, *original.refund_succeeded(reference_id, total, now))
        return changed

    def add_receipt(
        self, reference_id: str, code: str, now: datetime, source: str = "cashier"
    ) -> Payment:
        """Record a receipt number typed by the cashier (e.g. the code in the customer's
        confirmation SMS, from a provider that does not return it) or relayed by the hub, with
        an event; raises ValueError if the payment cannot take one."""
        with write_transaction(self._db):
            current = self.get(reference_id)
            changed, event = current.add_receipt(code, now, source)
            self._update(current, changed, event)
        return changed

    def link_state(self, key: str) -> str | None:
        """What the till keeps about its hub link (e.g. its cursor in the hub's events)."""
        row = self._db.execute("SELECT value FROM link_state WHERE key = ?", [key]).fetchone()
        return str(row[0]) if row else None

    def set_link_state(self, key: str, value: str) -> None:
        with write_transaction(self._db):
            self._db.execute(
                "INSERT INTO link_state (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    def note(self, reference_id: str, detail: dict[str, Any], now: datetime) -> Payment:
        """An event that changes nothing but the history (see Payment.note)."""
        with write_transaction(self._db):
            current = self.get(reference_id)
            changed, event = current.note(detail, now)
            self._update(current, changed, event)
        return changed

    def _update(self, current: Payment, changed: Payment, event: PaymentEvent) -> None:
        """Write `changed` over `current` and append its event (inside a write transaction)."""
        cursor = self._db.execute(UPDATE, update_values(current, changed, event.at))
        if cursor.rowcount != 1:  # pragma: no cover - the write lock makes this impossible
            raise StoreError(f"payment {current.reference_id} changed while being updated")
        self._append(event)

    def _append(self, event: PaymentEvent) -> None:
        """Append `event`, chained to the one before (inside the payment's write
        transaction, after its row is written: the event seals the row's new state)."""
        row = {
            "reference_id": event.reference_id,
            "at": to_db_time(event.at),
            "from_status": event.from_status.value if event.from_status else None,
            "to_status": event.to_status.value,
            "reason": event.reason,
            "detail": json.dumps(event.detail, sort_keys=True, default=str),
        }
        row.update(audit.seal(self._db, row))
        self._db.execute(
            f"INSERT INTO payment_events ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
            list(row.values()),
        )

    # -- reading --

    def get(self, reference_id: str) -> Payment:
        rows = list(
            self._db.query(f"SELECT {SELECT} FROM payments WHERE reference_id = ?", [reference_id])
        )
        if not rows:
            raise PaymentNotFound(f"no payment with reference id {reference_id}")
        return payment_from_row(rows[0])

    def find_by_provider_request(self, provider: Provider, request_id: str) -> Payment | None:
        rows = list(
            self._db.query(
                f"SELECT {SELECT} FROM payments WHERE provider = ? AND provider_request_id = ?",
                [provider, request_id],
            )
        )
        return payment_from_row(rows[0]) if rows else None

    def refunds_of(self, reference_id: str) -> list[Payment]:
        """Every refund of a payment, oldest first."""
        return [
            payment_from_row(r)
            for r in self._db.query(
                f"SELECT {SELECT} FROM payments WHERE refund_of = ? ORDER BY created_at",
                [reference_id],
            )
        ]

    def list_open(self) -> list[Payment]:
        """Every payment not in a final state, oldest first: what recovery must resume."""
        marks = ", ".join("?" for _ in OPEN_STATES)
        return [
            payment_from_row(r)
            for r in self._db.query(
                f"SELECT {SELECT} FROM payments WHERE status IN ({marks})"
                " ORDER BY created_at, reference_id",
                sorted(s.value for s in OPEN_STATES),
            )
        ]

    def page(
        self, flt: PaymentFilter, *, limit: int = 100, after: PageCursor | None = None
    ) -> Page:
        """Newest first, `limit` at a time. Keyset paging keeps deep pages as fast as the first."""
        if limit < 1:
            raise ValueError("limit must be positive")
        where, params = _where(flt, indexed=self._indexed)
        if after is not None:
            where.append("(created_at, reference_id) < (?, ?)")
            params += [after.created_at, after.reference_id]
        rows = list(
            self._db.query(
                f"SELECT {SELECT} FROM payments {_clause(where)}"
                " ORDER BY created_at DESC, reference_id DESC LIMIT ?",
                [*params, limit + 1],
            )
        )
        more = len(rows) > limit
        rows = rows[:limit]
        cursor = PageCursor(rows[-1]["created_at"], rows[-1]["reference_id"]) if more else None
        return Page([payment_from_row(r) for r in rows], cursor)

    def each(self, flt: PaymentFilter) -> Iterator[Payment]:
        """Every matching payment, newest first, read a page at a time."""
        page = self.page(flt, limit=500)
        yield from page.payments
        while page.next_cursor is not None:
            page = self.page(flt, limit=500, after=page.next_cursor)
            yield from page.payments

    def count(self, flt: PaymentFilter) -> int:
        where, params = _where(flt, indexed=self._indexed)
        row = self._db.execute(f"SELECT count(*) FROM payments {_clause(where)}", params)
        return int(row.fetchone()[0])

    def totals(self, flt: PaymentFilter) -> list[Total]:
        """Count and sum per status and currency, e.g. for one day's takings."""
        where, params = _where(flt, indexed=self._indexed)
        rows = self._db.query(
            "SELECT status, currency, refund_of IS NOT NULL AS refund, count(*) AS n,"
            f" sum(amount_minor) AS minor FROM payments {_clause(where)}"
            " GROUP BY status, currency, refund ORDER BY refund, status, currency",
            params,
        )
        return [
            Total(
                PaymentStatus(r["status"]),
                int(r["n"]),
                Money(int(r["minor"]), r["currency"]),
                bool(r["refund"]),
            )
            for r in rows
        ]

    def tallies(self, start: datetime, end: datetime, till: str | None) -> list[Tally]:
        """The day report's counts and sums (domain/report.py) of the payments created in
        [start, end) (quarter hours), of `till` or of every till."""
        return day_tallies(self._db, start, end, till)

    def daily_totals(self, day: date, tz: tzinfo) -> list[Total]:
        start, end = local_day(day, tz)
        return self.totals(PaymentFilter(start=start, end=end))

    def verify(self) -> audit.Verdict:
        """Check the event chain and every payment against its last event."""
        return audit.verify(self._db)

    def schema_version(self) -> int:
        return schema_version(self._db)

    def data_version(self) -> int:
        """Changes when another connection (a headless command beside the window) commits."""
        row = self._db.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def events(self, reference_id: str) -> list[PaymentEvent]:
        return [_event(r) for r in self._events(reference_id, "ORDER BY id")]

    def last_event(self, reference_id: str) -> PaymentEvent:
        """The payment's newest event, without reading its whole history."""
        [row] = self._events(reference_id, "ORDER BY id DESC LIMIT 1")
        return _event(row)

    def _events(self, reference_id: str, order: str) -> list[dict[str, Any]]:
        return list(
            self._db.query(
                "SELECT reference_id, at, from_status, to_status, reason, detail"
                f" FROM payment_events WHERE reference_id = ? {order}",
                [reference_id],
            )
        )


def _event(row: dict[str, Any]) -> PaymentEvent:
    return PaymentEvent(
        reference_id=row["reference_id"],
        at=from_db_time(row["at"]),
        from_status=PaymentStatus(row["from_status"]) if row["from_status"] else None,
        to_status=PaymentStatus(row["to_status"]),
        reason=row["reason"],
        detail=json.loads(row["detail"]),
    )
