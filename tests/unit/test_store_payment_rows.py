"""The one list of the payments table's columns (store/payment_rows.py) against the real
table and the Payment it stores."""

from __future__ import annotations

import dataclasses
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.store import PaymentRepository
from pos_app.store.payment_rows import (
    COLUMN_NAMES,
    PAYMENT_COLUMNS,
    SELECT,
    UPDATE,
    payment_from_row,
)
from tests.unit.test_repository import T0

S = PaymentStatus


def _stored(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


def test_the_list_is_the_tables_columns(repo: PaymentRepository, db_path: Path) -> None:
    table = [str(row[1]) for row in _stored(db_path, "PRAGMA table_info(payments)")]
    assert sorted(COLUMN_NAMES) == sorted(table) and len(set(COLUMN_NAMES)) == len(table)


def test_every_payment_field_is_read_back() -> None:
    read = {column.field for column in PAYMENT_COLUMNS if column.field is not None}
    assert read == {f.name for f in dataclasses.fields(Payment)}


def test_a_state_change_writes_only_what_can_change() -> None:
    assert UPDATE == (
        "UPDATE payments SET status = ?, reason = ?, provider_transaction_id = ?,"
        " provider_request_id = ?, receipt_source = ?, updated_at = ?, finalised_at = ?"
        " WHERE reference_id = ? AND status = ?"
    )


def test_every_field_survives_the_round_trip(repo: PaymentRepository, db_path: Path) -> None:
    created, event = Payment.create(
        provider="testpay",
        amount=Money(123456, "KES"),
        msisdn="254722000555",
        now=T0,
        external_id="ORDER 50%_off\\",
        payer_message="thanks",
        till="Till 2",
        cashier="Ann",
    )
    repo.save_new(created, event)
    later = T0 + timedelta(minutes=3)
    repo.transition(created.reference_id, S.SUBMITTING, T0)
    repo.transition(created.reference_id, S.PENDING, T0, provider_request_id="req-9")
    paid = repo.transition(created.reference_id, S.SUCCESSFUL, later)
    paid = repo.add_receipt(created.reference_id, "QKJ1XYZ123", later + timedelta(seconds=1))
    empty = {f.name for f in dataclasses.fields(Payment) if getattr(paid, f.name) is None}
    assert empty == {"reason", "refund_of"}  # a successful payment that is not a refund
    assert repo.get(created.reference_id) == paid
    [row] = _stored(
        db_path, f"SELECT {SELECT} FROM payments WHERE reference_id = '{paid.reference_id}'"
    )
    assert payment_from_row(dict(zip(COLUMN_NAMES, row, strict=True))) == paid
