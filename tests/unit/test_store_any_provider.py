"""Migration 5: the payments table stops naming the providers. A file written before it keeps
every payment, event, index, trigger and hash, still verifies, and then (like a new file)
stores a payment of any provider id. Real SQLite files throughout."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.domain.refunds import REFUND
from pos_app.store import PaymentRepository, StoreError, open_database
from pos_app.store.backup import check_backup, examine
from pos_app.store.database import Database
from pos_app.store.migrations import MIGRATIONS, Migration, migrate, schema_version
from pos_app.store.owner_log import OwnerAction
from pos_app.store.repository import PaymentFilter
from tests.unit.test_repository import T0, add, settle

S = PaymentStatus
BEFORE = 4  # the schema version whose payments table checked the provider
NEW_PROVIDER = "testpay"  # a plug-in the store has never heard of


def _previous_version_file(path: Path) -> Database:
    """A till's file as the pos-app before migration 5 left it (open, for more payments)."""
    db = open_database(path, migrate=False)
    migrate(db, MIGRATIONS[:BEFORE])
    assert schema_version(db) == BEFORE
    return db


def _a_day_of_both_providers(repo: PaymentRepository) -> None:
    """Payments of both providers in every kind of state, a refund and an owner action."""
    paid = settle(repo, add(repo, minor=5000), S.SUCCESSFUL)
    settle(repo, add(repo, minor=2000), S.FAILED)
    add(repo, minor=700)  # still waiting
    refund, event = Payment.create(
        provider=paid.provider,
        amount=Money(1500, "UGX"),
        msisdn=paid.msisdn,
        now=T0,
        product=REFUND,
        refund_of=paid.reference_id,
    )
    repo.save_refund(refund, event)
    repo.transition(refund.reference_id, S.SUBMITTING, T0)
    repo.transition(refund.reference_id, S.SUCCESSFUL, T0, provider_transaction_id="R-1")
    typed = add(repo, provider="mpesa", msisdn="254722000555", currency="KES")
    repo.transition(typed.reference_id, S.SUBMITTING, T0)
    repo.transition(typed.reference_id, S.PENDING, T0, provider_request_id="ws_CO_1")
    repo.transition(typed.reference_id, S.SUCCESSFUL, T0)
    repo.add_receipt(typed.reference_id, "QKJ1XYZ123", T0)
    pending = add(repo, provider="mpesa", msisdn="254722000666", currency="KES")
    repo.transition(pending.reference_id, S.SUBMITTING, T0)
    repo.transition(pending.reference_id, S.PENDING, T0, provider_request_id="ws_CO_2")
    repo.owner_log.record(OwnerAction(T0, "owner", "settings saved", "Till 1", {"x": 1}))


def _everything_but_the_table(path: Path) -> dict[str, list[Any]]:
    """What migration 5 must keep exactly: rows (with rowids), events with their hashes, owner
    actions, the columns, references, indexes and triggers."""
    with closing(sqlite3.connect(path)) as conn:
        queries = {
            "payments": "SELECT rowid, * FROM payments ORDER BY rowid",
            # The columns it had (migration 7 adds each event's place in its till's chain).
            "events": "SELECT id, reference_id, at, from_status, to_status, reason, detail,"
            " state_hash, hash FROM payment_events ORDER BY id",
            "owner_actions": "SELECT * FROM owner_actions ORDER BY id",
            "sequences": "SELECT * FROM sqlite_sequence ORDER BY name",
            "columns": "PRAGMA table_info(payments)",
            "payment_references": "PRAGMA foreign_key_list(payments)",
            "event_references": 'SELECT "table", "from", "to"'
            " FROM pragma_foreign_key_list('payment_events')"
            ' WHERE "table" != \'tills\' ORDER BY "from"',
            # Those of the tables the migrations keep (migration 6 adds the hub's link_state,
            # 7 the tills and their chains' index, 8 the triggers keeping the search index and
            # the day's tallies).
            "indexes_and_triggers": "SELECT type, name, tbl_name, sql FROM sqlite_master"
            " WHERE type IN ('index', 'trigger')"
            " AND tbl_name NOT IN ('link_state', 'tills', 'till_names')"
            " AND name NOT IN ('payment_events_by_till', 'payments_search_insert',"
            " 'payments_search_update', 'payment_tallies_insert', 'payment_tallies_update')"
            " ORDER BY type, name",
        }
        return {name: conn.execute(sql).fetchall() for name, sql in queries.items()}


def _payments_table_sql(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        row = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'payments'").fetchone()
    return str(row[0])


def _normalised(sql: str) -> str:
    sql = re.sub(r"\s+", " ", sql).replace('"payments"', "payments")
    return re.sub(r"\s*([(),])\s*", r"\1", sql)


def _take_testpay(repo: PaymentRepository) -> Payment:
    """A payment of the new provider through its whole life, found again by its fields."""
    payment = add(repo, provider=NEW_PROVIDER, msisdn="256700111222")
    repo.transition(payment.reference_id, S.SUBMITTING, T0)
    repo.transition(payment.reference_id, S.PENDING, T0, provider_request_id="tp-1")
    paid = repo.transition(payment.reference_id, S.SUCCESSFUL, T0, provider_transaction_id="TP9")
    assert repo.get(payment.reference_id) == paid
    assert repo.find_by_provider_request(NEW_PROVIDER, "tp-1") == paid
    assert repo.count(PaymentFilter(provider=NEW_PROVIDER)) == 1
    assert repo.verify().intact
    return paid


def test_the_previous_version_refuses_a_provider_it_does_not_name(db_path: Path) -> None:
    """Why migration 5 exists (and proof that the files below really are the old schema)."""
    repo = PaymentRepository(_previous_version_file(db_path))
    try:
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            add(repo, provider=NEW_PROVIDER)
        assert repo.count(PaymentFilter()) == 0
    finally:
        repo.close()


def test_a_previous_version_file_keeps_everything_and_then_takes_any_provider(
    db_path: Path,
) -> None:
    repo = PaymentRepository(_previous_version_file(db_path))
    _a_day_of_both_providers(repo)
    verdict_before = repo.verify()
    repo.close()
    assert verdict_before.intact and verdict_before.owner_actions == 1
    kept = _everything_but_the_table(db_path)
    table_before = _payments_table_sql(db_path)
    assert {row[2] for row in kept["payments"]} == {"mtn", "mpesa"}

    repo = PaymentRepository(open_database(db_path))  # what the till does: migrates
    try:
        assert repo.schema_version() == len(MIGRATIONS) > BEFORE
        assert _everything_but_the_table(db_path) == kept
        verdict = repo.verify()
        assert verdict.intact and verdict.tills >= 1
        assert (verdict.events, verdict.payments, verdict.owner_actions) == (
            verdict_before.events,
            verdict_before.payments,
            verdict_before.owner_actions,
        )
        checked = examine(db_path)  # `pos-app verify`
        assert checked.verdict is not None and checked.verdict.intact
        assert (checked.payments, checked.events) == (len(kept["payments"]), len(kept["events"]))
        _take_testpay(repo)
    finally:
        repo.close()

    # The table changed by the provider check only (and migration 6's receipts from the hub),
    # and the file is whole.
    without_check = (
        _normalised(table_before)
        .replace(_normalised(" CHECK (provider IN ('mtn', 'mpesa'))"), "")
        .replace(
            _normalised("receipt_source IN ('provider', 'cashier')"),
            _normalised("receipt_source IN ('provider', 'callback', 'c2b', 'cashier')"),
        )
    )
    assert _normalised(_payments_table_sql(db_path)) == without_check
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    checked = check_backup(db_path)  # what restoring this file as a backup would require
    assert checked.payments == len(kept["payments"]) + 1


def test_a_new_database_takes_any_provider(repo: PaymentRepository, db_path: Path) -> None:
    _take_testpay(repo)
    assert examine(db_path).verdict == repo.verify()


def test_the_table_still_refuses_what_it_refused(repo: PaymentRepository, db_path: Path) -> None:
    """Migrated or new, the table keeps NOT NULL, the other checks, the references and the
    triggers: only the list of providers is gone."""
    paid = settle(repo, add(repo), S.SUCCESSFUL)
    columns = "reference_id, provider, product, amount_minor, currency, msisdn, status"
    row = "'{}', {}, 'collection', {}, 'UGX', '256772123456', '{}'"
    refused = {
        "NOT NULL constraint failed: payments.provider": row.format("a", "NULL", 1, "created"),
        "CHECK constraint failed: amount_minor": row.format("b", "'x'", 0, "created"),
        "CHECK constraint failed: status": row.format("c", "'x'", 1, "bogus"),
    }
    orphan = row.format("d", "'x'", 1, "created")
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        for message, values in refused.items():
            with pytest.raises(sqlite3.IntegrityError, match=message):
                conn.execute(
                    f"INSERT INTO payments ({columns}, created_at, updated_at)"
                    f" VALUES ({values}, 't', 't')"
                )
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            conn.execute(
                f"INSERT INTO payments ({columns}, created_at, updated_at, refund_of)"
                f" VALUES ({orphan}, 't', 't', 'nobody')"
            )
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            conn.execute(f"DELETE FROM payments WHERE reference_id = '{paid.reference_id}'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE payment_events SET reason = 'x'")


def test_a_reference_already_broken_by_hand_does_not_stop_the_migration(db_path: Path) -> None:
    """A file someone edited with foreign keys off still opens (and verify says so)."""
    repo = PaymentRepository(_previous_version_file(db_path))
    settle(repo, add(repo), S.SUCCESSFUL)
    repo.close()
    with closing(sqlite3.connect(db_path)) as conn:  # foreign keys are off by default
        conn.execute(
            "INSERT INTO payment_events (reference_id, at, to_status) VALUES ('ghost', 't', 'x')"
        )
        conn.commit()
    db = open_database(db_path)
    try:
        assert schema_version(db) == len(MIGRATIONS)
        assert [row[:3] for row in db.execute("PRAGMA foreign_key_check").fetchall()] == [
            ("payment_events", 5, "payments")
        ]
        assert not PaymentRepository(db).verify().intact
    finally:
        db.close()


def test_a_rebuild_that_would_break_a_reference_changes_nothing(db_path: Path) -> None:
    db = open_database(db_path)
    repo = PaymentRepository(db)
    paid = settle(repo, add(repo), S.SUCCESSFUL)

    def orphan_a_refund(db: Database) -> None:
        db.execute("UPDATE payments SET refund_of = 'nobody'")

    broken = (*MIGRATIONS, Migration(len(MIGRATIONS) + 1, "orphan", orphan_a_refund))
    with pytest.raises(StoreError, match="would break references"):
        migrate(db, broken)
    assert schema_version(db) == len(MIGRATIONS)
    assert repo.get(paid.reference_id) == paid
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    db.close()


def test_a_failed_rebuild_leaves_the_previous_version_whole(db_path: Path) -> None:
    """A row the new table cannot take stops the migration, which changes nothing: the file
    stays at the previous version with everything in it. (Such a row can only be put there by
    hand, and open_database's quick check calls that file damaged before migrating: this
    migrates it directly, to see the rebuild roll back.)"""
    repo = PaymentRepository(_previous_version_file(db_path))
    settle(repo, add(repo), S.SUCCESSFUL)
    repo.close()
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute(
            "INSERT INTO payments (reference_id, provider, product, amount_minor, currency,"
            " msisdn, status, created_at, updated_at)"
            " VALUES ('bad', 'mtn', 'collection', 0, 'UGX', '1', 'created', 't', 't')"
        )
        conn.commit()
    kept = _everything_but_the_table(db_path)
    db = Database(sqlite3.connect(db_path))
    try:
        db.execute("PRAGMA foreign_keys = ON")
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            migrate(db)
        assert schema_version(db) == BEFORE
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        db.close()
    assert _everything_but_the_table(db_path) == kept
    assert "CHECK (provider IN" in _payments_table_sql(db_path)
