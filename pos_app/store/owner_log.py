"""The owner's actions: append-only, hash-chained (see audit.py), and the one place the PIN's
hash is kept, so that replacing it breaks the chain like any other edit."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pos_app.store import audit
from pos_app.store.database import Database
from pos_app.store.db import write_transaction
from pos_app.store.timestamps import from_db_time, to_db_time

Role = Literal["owner", "cashier"]

PIN_SET = "pin set"
PIN_ACCEPTED = "pin accepted"
PIN_REFUSED = "pin refused"


@dataclass(frozen=True)
class OwnerAction:
    at: datetime
    role: Role
    action: str  # e.g. "pin set", "settings saved", "refund", "reconcile day"
    till: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


class OwnerLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, action: OwnerAction) -> None:
        row: dict[str, Any] = {
            "at": to_db_time(action.at),
            "role": action.role,
            "till": action.till,
            "action": action.action,
            "detail": json.dumps(action.detail, sort_keys=True, default=str),
        }
        with write_transaction(self._db):  # the chain's last hash, read under the lock
            row["hash"] = audit.action_hash(audit.last_hash(self._db, "owner_actions"), row)
            self._db.execute(
                f"INSERT INTO owner_actions ({', '.join(row)}) "
                f"VALUES ({', '.join('?' for _ in row)})",
                list(row.values()),
            )

    def latest(self, actions: Collection[str]) -> OwnerAction | None:
        marks = ", ".join("?" for _ in actions)
        rows = self._actions(f"WHERE action IN ({marks}) ORDER BY id DESC LIMIT 1", list(actions))
        return rows[0] if rows else None

    def refused_in_a_row(self) -> tuple[int, datetime | None]:
        """Wrong PINs since the last right one (or the PIN being set), and when the last was."""
        row = self._db.execute(
            """SELECT count(*), max(at) FROM owner_actions
               WHERE action = ? AND id > coalesce(
                   (SELECT max(id) FROM owner_actions WHERE action IN (?, ?)), 0)""",
            [PIN_REFUSED, PIN_ACCEPTED, PIN_SET],
        ).fetchone()
        return int(row[0]), (from_db_time(row[1]) if row[1] else None)

    def recent(self, limit: int = 100) -> list[OwnerAction]:
        """The newest actions first."""
        return self._actions("ORDER BY id DESC LIMIT ?", [limit])

    def _actions(self, tail: str, params: list[Any]) -> list[OwnerAction]:
        cursor = self._db.execute(
            f"SELECT at, role, till, action, detail FROM owner_actions {tail}",
            params,
        )
        return [
            OwnerAction(from_db_time(at), role, action, till, json.loads(detail))
            for at, role, till, action, detail in cursor.fetchall()
        ]
