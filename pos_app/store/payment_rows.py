"""How a Payment is kept in the payments table.

PAYMENT_COLUMNS is the one list of the table's columns, each with how it is written from a
Payment and read back into one. Saving a new payment, writing a payment's new state and reading
payments all go by it, so a column is added in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from operator import attrgetter
from typing import Any

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.store.timestamps import from_db_time, to_db_time

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Column:
    """A column of the payments table: what is stored in it for a payment, and the Payment
    field read back from a row (`field` None: the column is read along with another one)."""

    name: str
    write: Callable[[Payment], Any]
    field: str | None
    read: Callable[[Row], Any] | None = None  # None: the field is the stored value as it is
    changes: bool = False  # written again when the payment changes; the others never are


def _as_is(name: str, *, changes: bool = False) -> Column:
    """A column holding the Payment field of the same name, unchanged."""
    return Column(name, attrgetter(name), name, changes=changes)


def _instant(name: str) -> Column:
    """A time every payment has."""
    moment = attrgetter(name)
    return Column(name, lambda p: to_db_time(moment(p)), name, lambda r: from_db_time(r[name]))


def _optional_instant(name: str, *, changes: bool = False) -> Column:
    """A time a payment may not have yet: stored as NULL then."""
    moment = attrgetter(name)

    def write(p: Payment) -> str | None:
        value: datetime | None = moment(p)
        return to_db_time(value) if value else None

    def read(r: Row) -> datetime | None:
        return from_db_time(r[name]) if r[name] else None

    return Column(name, write, name, read, changes)


PAYMENT_COLUMNS: tuple[Column, ...] = (
    _as_is("reference_id"),
    _as_is("provider"),
    _as_is("product"),
    Column(
        "amount_minor",
        lambda p: p.amount.minor_units,
        "amount",
        lambda r: Money(int(r["amount_minor"]), r["currency"]),
    ),
    Column("currency", lambda p: p.amount.currency, None),
    _as_is("msisdn"),
    _as_is("external_id"),
    _as_is("payer_message"),
    Column(
        "status",
        lambda p: p.status.value,
        "status",
        lambda r: PaymentStatus(r["status"]),
        changes=True,
    ),
    _as_is("reason", changes=True),
    _as_is("provider_transaction_id", changes=True),
    _as_is("provider_request_id", changes=True),
    _as_is("receipt_source", changes=True),
    _instant("created_at"),
    Column(
        "updated_at",
        lambda p: to_db_time(p.updated_at or p.created_at),  # a new payment: its creation
        "updated_at",
        lambda r: from_db_time(r["updated_at"]),
        changes=True,
    ),
    _optional_instant("finalised_at", changes=True),
    _as_is("till"),
    _as_is("cashier"),
    _as_is("refund_of"),
)

COLUMN_NAMES = tuple(column.name for column in PAYMENT_COLUMNS)
SELECT = ", ".join(COLUMN_NAMES)
INSERT = f"INSERT INTO payments ({SELECT}) VALUES ({', '.join('?' for _ in COLUMN_NAMES)})"

_CHANGING = tuple(column for column in PAYMENT_COLUMNS if column.changes)
# A payment's new state is written over the state it was read in, or not at all.
UPDATE = (
    f"UPDATE payments SET {', '.join(f'{column.name} = ?' for column in _CHANGING)}"
    " WHERE reference_id = ? AND status = ?"
)
_READ_AS_IS = tuple((c.field, c.name) for c in PAYMENT_COLUMNS if c.field and not c.read)
_READ_CONVERTED = tuple((c.field, c.read) for c in PAYMENT_COLUMNS if c.field and c.read)


def payment_row(payment: Payment) -> list[Any]:
    """The values of INSERT: every column of a new payment."""
    return [column.write(payment) for column in PAYMENT_COLUMNS]


def update_values(current: Payment, changed: Payment, at: datetime) -> list[Any]:
    """The values of UPDATE: `changed`'s changing columns, then `current`'s reference id and
    status. `at`, the time of the change's event, stands in for a missing `updated_at`."""
    if changed.updated_at is None:
        changed = replace(changed, updated_at=at)
    return [
        *(column.write(changed) for column in _CHANGING),
        current.reference_id,
        current.status.value,
    ]


def payment_from_row(row: Row) -> Payment:
    """The Payment a row of SELECT holds."""
    fields = {field: row[name] for field, name in _READ_AS_IS}
    for field, read in _READ_CONVERTED:
        fields[field] = read(row)
    return Payment(**fields)
