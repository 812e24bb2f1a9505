"""The hashes that chain a till's history (see store/audit.py), pure so that the hub checks a
till's uploaded events with the very functions the till sealed them with."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

GENESIS = "0" * 64  # the "previous hash" of the first event
# What the hub says when an upload starts past what it holds (restored from an older copy):
# the till asks where it stands and sends from there, at once.
RESEND = "send from event"
EVENT_FIELDS = ("reference_id", "at", "from_status", "to_status", "reason", "detail")
ACTION_FIELDS = ("at", "role", "till", "action", "detail")


def digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def state_hash(payment_row: Mapping[str, Any]) -> str:
    """Hash of a stored payment row: every column as stored, leaving out empty ones, so a
    column a later version adds (empty in old rows) does not change old rows' hashes."""
    return digest({name: value for name, value in payment_row.items() if value is not None})


def event_hash(previous: str, event: Mapping[str, Any], state: str | None) -> str:
    """A link of the database-wide chain (every event of the file, in id order)."""
    return digest([previous, [event[name] for name in EVENT_FIELDS], state])


def till_event_hash(
    previous: str, till_id: str, seq: int, event: Mapping[str, Any], state: str | None
) -> str:
    """A link of one till's own chain: its events numbered 1, 2, 3... with no gap, which is
    what the till uploads to the hub and the hub checks as it arrives."""
    return digest([previous, till_id, seq, [event[name] for name in EVENT_FIELDS], state])


def action_hash(previous: str, action: Mapping[str, Any]) -> str:
    return digest([previous, [action[name] for name in ACTION_FIELDS]])
