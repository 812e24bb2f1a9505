"""A till's upload of its history, read strictly: anything malformed is refused whole
before the database is touched."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pos_app.domain.chain import GENESIS, state_hash
from pos_app.domain.payment import Payment
from pos_app.hub.till_auth import Refusal
from pos_app.store.payment_rows import COLUMN_NAMES, payment_from_row

BATCH_LIMIT = 500  # events per upload
BODY_LIMIT = 4 * 1024 * 1024
HASH = re.compile(r"[0-9a-f]{64}")
TEXT_FIELDS = ("reference_id", "at", "to_status", "detail")
OPTIONAL_TEXT = ("from_status", "reason", "state_hash")


@dataclass(frozen=True)
class Upload:
    device_id: uuid.UUID
    timezone: str | None
    head: int
    after: int  # the events start after this one
    previous: str  # its hash, as the till holds it
    events: list[dict[str, Any]]
    payments: list[tuple[dict[str, Any], Payment]]
    broken: tuple[int, str] | None  # the till's own check found its history changed


def _int(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**62:
        raise Refusal(400, f"{name} must be a whole number")
    return value


def _event(raw: Any, expected_seq: int) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise Refusal(400, "each event must be an object")
    seq = _int(raw.get("seq"), "seq")
    if seq != expected_seq:
        raise Refusal(400, f"events must be consecutive: expected event {expected_seq}")
    for name in TEXT_FIELDS:
        if not isinstance(raw.get(name), str) or len(raw[name]) > 20_000:
            raise Refusal(400, f"event {seq}: {name} must be text")
    for name in OPTIONAL_TEXT:
        if raw.get(name) is not None and not isinstance(raw[name], str):
            raise Refusal(400, f"event {seq}: {name} must be text or null")
    if not isinstance(raw.get("hash"), str) or not HASH.fullmatch(raw["hash"]):
        raise Refusal(400, f"event {seq}: hash must be 64 hex digits")
    fields = ("seq", "hash", *TEXT_FIELDS, *OPTIONAL_TEXT)
    return {name: raw.get(name) for name in fields}


def _payment(raw: Any) -> tuple[dict[str, Any], Payment]:
    if not isinstance(raw, dict) or set(raw) - set(COLUMN_NAMES):
        raise Refusal(400, "each payment must be a payments row")
    try:
        return raw, payment_from_row({name: raw.get(name) for name in COLUMN_NAMES})
    except (KeyError, TypeError, ValueError) as exc:
        raise Refusal(400, f"a payments row cannot be read: {exc}") from None


OFFSET = re.compile(r"[+-](0\d|1[0-4]):[0-5]\d")  # a till whose computer names no zone


def _timezone(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise Refusal(400, "timezone must be an IANA zone name or an offset such as +03:00")
    if OFFSET.fullmatch(value):
        return value
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise Refusal(
            400, "timezone must be an IANA zone name or an offset such as +03:00"
        ) from None
    return value


def read_upload(body: dict[str, Any]) -> Upload:
    try:
        device_id = uuid.UUID(str(body.get("till_uid")))
    except ValueError:
        raise Refusal(400, "till_uid must be the till's UUID") from None
    raw_events = body.get("events", [])
    if not isinstance(raw_events, list) or len(raw_events) > BATCH_LIMIT:
        raise Refusal(400, f"events must be a list of at most {BATCH_LIMIT}")
    after = _int(body.get("after", 0), "after")
    events = [_event(raw, after + 1 + i) for i, raw in enumerate(raw_events)]
    raw_payments = body.get("payments", [])
    if not isinstance(raw_payments, list) or len(raw_payments) > BATCH_LIMIT:
        raise Refusal(400, f"payments must be a list of at most {BATCH_LIMIT}")
    previous = body.get("previous", GENESIS)
    if not isinstance(previous, str) or not HASH.fullmatch(previous):
        raise Refusal(400, "previous must be 64 hex digits")
    return Upload(
        device_id,
        _timezone(body.get("timezone")),
        _int(body.get("head", 0), "head"),
        after,
        previous,
        events,
        [_payment(raw) for raw in raw_payments],
        _broken(body.get("broken")),
    )


def _broken(value: Any) -> tuple[int, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("problem"), str):
        raise Refusal(400, "broken must say where and what")
    return _int(value.get("seq", 0), "broken.seq"), value["problem"][:500]


def row_problem(row: dict[str, Any], newest: dict[str, Any] | None) -> str | None:
    """Why a payments row does not agree with its newest event, if it does not."""
    if newest is None:
        return f"payment {row.get('reference_id')} came with none of its events"
    if newest["state_hash"] != state_hash(row):
        return (
            f"payment {row.get('reference_id')} differs from what its event {newest['seq']} "
            "says: the payments table was edited"
        )
    return None
