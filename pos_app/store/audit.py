"""Tamper evidence for the receipt database.

Triggers already refuse UPDATE and DELETE on `payment_events`, but anyone with the file and a
SQLite shell can drop a trigger. So every event also carries two SHA-256 hashes:

- `state_hash`: the payment's stored row right after the event (amount, phone, status,
  receipt number, ...), so an edited `payments` row no longer matches its last event;
- `hash`: over the previous event's `hash`, this event's fields and its `state_hash`, so an
  edited, inserted, deleted or reordered event breaks the chain from that point on.

`verify()` recomputes both and reports the first broken link. A chain cannot show that its
newest events were cut off together with a matching edit of the payments they belong to; a
backup (store/backup.py) taken at the end of each day bounds what that could hide.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

CHAINED_SCHEMA = 3  # the first schema version whose events carry hashes
GENESIS = "0" * 64  # the "previous hash" of the first event
EVENT_FIELDS = ("reference_id", "at", "from_status", "to_status", "reason", "detail")
ACTION_FIELDS = ("at", "role", "till", "action", "detail")


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def state_hash(payment_row: Mapping[str, Any]) -> str:
    """Hash of a stored payment row: every column as stored, leaving out empty ones, so a
    column a later version adds (empty in old rows) does not change old rows' hashes."""
    return _digest({name: value for name, value in payment_row.items() if value is not None})


def event_hash(previous: str, event: Mapping[str, Any], state: str | None) -> str:
    return _digest([previous, [event[name] for name in EVENT_FIELDS], state])


def action_hash(previous: str, action: Mapping[str, Any]) -> str:
    return _digest([previous, [action[name] for name in ACTION_FIELDS]])


def last_hash(db: Database, table: str = "payment_events") -> str:
    row = db.execute(f"SELECT hash FROM {table} ORDER BY id DESC LIMIT 1").fetchone()
    return str(row[0]) if row and row[0] else GENESIS


def payment_row(db: Database, reference_id: str) -> dict[str, Any]:
    return next(_rows(db, "SELECT * FROM payments WHERE reference_id = ?", [reference_id]))


def seal(db: Database, event: Mapping[str, Any]) -> tuple[str, str]:
    """(state_hash, hash) for an event about to be appended, inside its write transaction,
    after the payment row has been written."""
    state = state_hash(payment_row(db, event["reference_id"]))
    return state, event_hash(last_hash(db), event, state)


@dataclass(frozen=True)
class Verdict:
    intact: bool
    events: int
    payments: int
    problem: str | None = None  # the first broken link, in words
    owner_actions: int = 0

    def __str__(self) -> str:
        if self.intact:
            return (
                f"intact: {self.events} event(s) chained, "
                f"{self.payments} payment(s) agree with their history, "
                f"{self.owner_actions} owner action(s) chained"
            )
        return f"BROKEN: {self.problem}"


def _rows(db: Database, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield dict(zip(names, values, strict=True))


def verify(db: Database) -> Verdict:
    previous = GENESIS
    events = 0
    for event in _rows(db, "SELECT * FROM payment_events ORDER BY id"):
        events += 1
        expected = event_hash(previous, event, event["state_hash"])
        if event["hash"] != expected:
            return Verdict(
                False,
                events,
                0,
                f"event {event['id']} (payment {event['reference_id']}, {event['at']}, "
                f"{event['from_status'] or 'new'} -> {event['to_status']}) does not match "
                "the chain: the file was changed at or before this event",
            )
        previous = event["hash"]
    payments = 0
    for row in _rows(
        db,
        """SELECT p.*, (SELECT e.state_hash FROM payment_events e
                        WHERE e.reference_id = p.reference_id ORDER BY e.id DESC LIMIT 1)
                       AS recorded_state
           FROM payments p ORDER BY p.created_at, p.reference_id""",
    ):
        payments += 1
        recorded = row.pop("recorded_state")
        if recorded is None or recorded != state_hash(row):
            return Verdict(
                False,
                events,
                payments,
                f"payment {row['reference_id']} (created {row['created_at']}) differs from "
                "what its last recorded event says: the payments table was edited",
            )
    return _verify_owner_actions(db, Verdict(True, events, payments))


def _verify_owner_actions(db: Database, payments: Verdict) -> Verdict:
    if not db["owner_actions"].exists():
        return payments  # a database from before owner actions were recorded
    previous = GENESIS
    count = 0
    for action in _rows(db, "SELECT * FROM owner_actions ORDER BY id"):
        count += 1
        if action["hash"] != action_hash(previous, action):
            return Verdict(
                False,
                payments.events,
                payments.payments,
                f"owner action {action['id']} ({action['action']}, {action['at']}) does not "
                "match the chain: the file was changed at or before this action",
                count,
            )
        previous = action["hash"]
    return Verdict(True, payments.events, payments.payments, owner_actions=count)


def backfill(db: Database) -> None:
    """Hash the events written before hashing existed (migration 3), oldest first. Their
    payments' earlier states were never recorded, so only each payment's last event gets a
    state hash."""
    last_of_payment = {
        row[0]: row[1]
        for row in db.execute(
            "SELECT reference_id, max(id) FROM payment_events GROUP BY reference_id"
        ).fetchall()
    }
    previous = GENESIS
    updates = []
    for event in _rows(db, "SELECT * FROM payment_events ORDER BY id"):
        state = None
        if last_of_payment.get(event["reference_id"]) == event["id"]:
            state = state_hash(payment_row(db, event["reference_id"]))
        previous = event_hash(previous, event, state)
        updates.append((state, previous, event["id"]))
    db.conn.executemany("UPDATE payment_events SET state_hash = ?, hash = ? WHERE id = ?", updates)
