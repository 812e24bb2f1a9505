"""Tamper evidence for the receipt database.

Triggers already refuse UPDATE and DELETE on `payment_events`, but anyone with the file and a
SQLite shell can drop a trigger. So every event also carries two SHA-256 hashes:

- `state_hash`: the payment's stored row right after the event (amount, phone, status,
  receipt number, ...), so an edited `payments` row no longer matches its last event;
- `hash`: over the previous event's `hash`, this event's fields and its `state_hash`, so an
  edited, inserted, deleted or reordered event breaks the chain from that point on.

Each event also has its place in its till's own chain (`till_id`, `seq` 1, 2, 3... and
`till_hash`, from migration 7): what the till uploads to its hub, which checks every link as it
arrives (hub/sync.py). `verify()` recomputes all of them and reports the first broken link.

A chain cannot show that its newest events were cut off together with a matching edit of the
payments they belong to; a backup (store/backup.py) taken at the end of each day bounds what
that could hide (and a hub holding the till's history, what it has received).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from pos_app.domain.chain import (
    ACTION_FIELDS,
    EVENT_FIELDS,
    GENESIS,
    action_hash,
    event_hash,
    state_hash,
    till_event_hash,
)
from pos_app.store.database import Database

__all__ = ["ACTION_FIELDS", "EVENT_FIELDS", "GENESIS", "action_hash", "event_hash", "state_hash"]

CHAINED_SCHEMA = 3  # the first schema version whose events carry hashes
NO_TILL = "(no till)"  # the till name of payments saved without one


def last_hash(db: Database, table: str = "payment_events") -> str:
    row = db.execute(f"SELECT hash FROM {table} ORDER BY id DESC LIMIT 1").fetchone()
    return str(row[0]) if row and row[0] else GENESIS


def payment_row(db: Database, reference_id: str) -> dict[str, Any]:
    return next(_rows(db, "SELECT * FROM payments WHERE reference_id = ?", [reference_id]))


def till_id(db: Database, name: str | None) -> str:
    """The id of this file's till of that name, made the first time it is asked for (inside
    a write transaction) and never given to another."""
    name = name or NO_TILL
    row = db.execute("SELECT till_id FROM till_names WHERE name = ?", [name]).fetchone()
    if row:
        return str(row[0])
    made = str(uuid4())
    db.execute("INSERT INTO tills (id, created_at) VALUES (?, ?)", [made, _now()])
    name_till(db, name, made)
    return made


def name_till(db: Database, name: str, till: str) -> None:
    """From now on, payments of the till called `name` chain in till `till`'s history."""
    db.execute(
        "INSERT INTO till_names (name, till_id) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET till_id = excluded.till_id",
        [name, till],
    )


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _next_link(db: Database, till: str) -> tuple[int, str]:
    """The sequence number of the till's next event and the hash it chains to."""
    last = db.execute(
        "SELECT seq, till_hash FROM payment_events WHERE till_id = ? ORDER BY seq DESC LIMIT 1",
        [till],
    ).fetchone()
    return (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS)


def seal(db: Database, event: Mapping[str, Any]) -> dict[str, Any]:
    """The hash columns of an event about to be appended, inside its write transaction,
    after the payment row has been written: its place in the file's chain and in the chain
    of its payment's till."""
    payment = payment_row(db, event["reference_id"])
    state = state_hash(payment)
    sealed = {"state_hash": state, "hash": event_hash(last_hash(db), event, state)}
    if not _has_till_chains(db):
        return sealed  # a file being brought up to date: its chains come with migration 7
    till = till_id(db, payment["till"])
    seq, previous = _next_link(db, till)
    return sealed | {
        "till_id": till,
        "seq": seq,
        "till_hash": till_event_hash(previous, till, seq, event, state),
    }


@dataclass(frozen=True)
class Verdict:
    intact: bool
    events: int
    payments: int
    problem: str | None = None  # the first broken link, in words
    owner_actions: int = 0
    tills: int = 0  # till chains (none in a file from before they were split)

    def __str__(self) -> str:
        if self.intact:
            return (
                f"intact: {self.events} event(s) chained, "
                f"{self.payments} payment(s) agree with their history, "
                f"{self.owner_actions} owner action(s) chained, "
                f"{self.tills} till chain(s) intact"
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
    verdict = _verify_owner_actions(db, Verdict(True, events, payments))
    return _verify_till_chains(db, verdict) if verdict.intact else verdict


def _verify_owner_actions(db: Database, payments: Verdict) -> Verdict:
    if not db.has_table("owner_actions"):
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


def _has_till_chains(db: Database) -> bool:
    return "till_hash" in db.columns("payment_events")


@dataclass(frozen=True)
class Checked:
    seq: int  # the last event checked (`after` when there were none)
    hash: str  # its link
    problem: str | None = None  # the first broken link, in words


def check_links(
    db: Database, till: str, after: int = 0, previous: str | None = None, limit: int = -1
) -> Checked:
    """One till's chain checked from event `after` (whose link is `previous`), for up to
    `limit` events (-1: to the end)."""
    expected, link = after, previous or GENESIS
    for event in _rows(
        db,
        "SELECT * FROM payment_events WHERE till_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        [till, after, limit],
    ):
        expected += 1
        if event["seq"] != expected:
            return Checked(expected, link, f"event {expected} of the till's history is missing")
        recomputed = till_event_hash(link, till, expected, event, event["state_hash"])
        if event["till_hash"] != recomputed:
            return Checked(
                expected,
                link,
                f"event {expected} (payment {event['reference_id']}, {event['at']}, "
                f"{event['from_status'] or 'new'} -> {event['to_status']}) does not match "
                "the chain: the file was changed at or before this event",
            )
        link = recomputed
    return Checked(expected, link)


def _verify_till_chains(db: Database, verdict: Verdict) -> Verdict:
    if not db.has_table("tills") or not _has_till_chains(db):
        return verdict  # a database from before the chains were split
    tills = db.execute(
        "SELECT t.id, coalesce(group_concat(n.name, ' / '), t.id) FROM tills t"
        " LEFT JOIN till_names n ON n.till_id = t.id GROUP BY t.id ORDER BY t.created_at"
    ).fetchall()
    for till, name in tills:
        problem = check_links(db, str(till)).problem
        if problem:
            return replace(verdict, intact=False, problem=f"till {name!r}: {problem}")
    unchained = db.execute("SELECT min(id) FROM payment_events WHERE till_hash IS NULL").fetchone()
    if unchained[0] is not None:
        return replace(
            verdict, intact=False, problem=f"event {unchained[0]} belongs to no till's chain"
        )
    return replace(verdict, tills=len(tills))


def split_by_till(db: Database) -> None:
    """Give every event its place in its payment's till's chain (migration 7), oldest first;
    the file's own chain is left as it was."""
    for event in list(
        _rows(
            db,
            "SELECT e.*, p.till AS till_name FROM payment_events e"
            " JOIN payments p USING (reference_id) ORDER BY e.id",
        )
    ):
        till = till_id(db, event["till_name"])
        seq, previous = _next_link(db, till)
        db.execute(
            "UPDATE payment_events SET till_id = ?, seq = ?, till_hash = ? WHERE id = ?",
            [
                till,
                seq,
                till_event_hash(previous, till, seq, event, event["state_hash"]),
                event["id"],
            ],
        )


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
