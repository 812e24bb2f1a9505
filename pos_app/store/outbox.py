"""What a till has not yet uploaded to its hub: its own chain of events (audit.py), read in
order from any point, with the payments rows those events seal. Reading it changes nothing:
the only thing sync writes at the till is how far the hub has confirmed (link_state)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pos_app.domain.chain import GENESIS
from pos_app.store import audit
from pos_app.store.database import Database
from pos_app.store.db import write_transaction

UPLOADED = ("reference_id", "at", "from_status", "to_status", "reason", "detail", "state_hash")


@dataclass(frozen=True)
class Batch:
    till_id: str
    after: int  # the events start after this one
    previous: str  # the hash of the event before the first one (GENESIS before event 1)
    events: list[dict[str, Any]]  # seq, the event's fields, state_hash and hash (its link)
    # The rows of the payments whose newest event is in this batch (each as that event
    # sealed it); a payment with a later event comes with the batch that holds it.
    payments: list[dict[str, Any]]
    head: int  # the till's newest event when the batch was read

    @property
    def last(self) -> int:
        return int(self.events[-1]["seq"]) if self.events else 0


class Outbox:
    def __init__(self, db: Database) -> None:
        self._db = db

    def till_id(self, name: str | None, chain_key: str | None = None) -> str:
        """This file's id for the till of that name, made at its first start. `chain_key`
        names the hub link it uploads through: the history it uploads there stays its own
        when the till is renamed (the new name's payments chain on in it)."""
        with write_transaction(self._db):
            key = f"chain:{chain_key}"
            kept = (
                chain_key
                and self._db.execute("SELECT value FROM link_state WHERE key = ?", [key]).fetchone()
            )
            if kept:
                audit.name_till(self._db, name or audit.NO_TILL, str(kept[0]))
                return str(kept[0])
            till = audit.till_id(self._db, name)
            if chain_key:
                self._db.execute("INSERT INTO link_state (key, value) VALUES (?, ?)", [key, till])
            return till

    def head(self, till_id: str) -> int:
        row = self._db.execute(
            "SELECT coalesce(max(seq), 0) FROM payment_events WHERE till_id = ?", [till_id]
        ).fetchone()
        return int(row[0])

    def check_page(
        self, till_id: str, after: int, previous: str | None, limit: int
    ) -> audit.Checked:
        """The till's own chain checked for `limit` events after event `after`."""
        return audit.check_links(self._db, till_id, after, previous, limit)

    def batch(self, till_id: str, after: int, limit: int) -> Batch:
        """Up to `limit` events after event `after`, read in one snapshot of the file."""
        with self._snapshot():
            events = [
                dict(zip(["seq", "hash", *UPLOADED], row, strict=True))
                for row in self._db.execute(
                    f"SELECT seq, till_hash, {', '.join(UPLOADED)} FROM payment_events"
                    " WHERE till_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                    [till_id, after, limit],
                )
            ]
            previous = GENESIS
            if after > 0:
                row = self._db.execute(
                    "SELECT till_hash FROM payment_events WHERE till_id = ? AND seq = ?",
                    [till_id, after],
                ).fetchone()
                previous = str(row[0]) if row else GENESIS
            return Batch(
                till_id,
                after,
                previous,
                events,
                self._sealed_rows(till_id, events),
                self.head(till_id),
            )

    def _sealed_rows(self, till_id: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not events:
            return []
        references = sorted({event["reference_id"] for event in events})
        marks = ", ".join("?" for _ in references)
        cursor = self._db.execute(
            f"SELECT p.* FROM payments p WHERE p.reference_id IN ({marks})"
            # By the payment's few events (payment_events_by_payment), not the till's many.
            " AND NOT EXISTS (SELECT 1 FROM payment_events e"
            " WHERE e.reference_id = p.reference_id AND +e.till_id = ? AND e.seq > ?)",
            [*references, till_id, events[-1]["seq"]],
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor]

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """A read transaction: the events and rows read inside it are of one moment."""
        if self._db.conn.in_transaction:  # inside the caller's: of one moment already
            yield
            return
        self._db.execute("BEGIN")
        try:
            yield
        finally:
            self._db.execute("COMMIT")
