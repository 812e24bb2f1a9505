"""The hash-chained payment history: intact after normal use, broken by any edit of the file
made outside pos-app, and reported at the first broken link."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from pos_app.cli.main import main
from pos_app.domain.payment import PaymentStatus
from pos_app.store import PaymentRepository, open_database
from pos_app.store.migrations import MIGRATIONS, migrate
from tests.unit.test_repository import T0, add, settle

S = PaymentStatus


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "pos-app.sqlite3"  # the till's database (POS_APP_DATA_DIR)


@pytest.fixture
def day(repo: PaymentRepository) -> list[str]:
    """Three payments with eight events between them, one with a cashier's receipt."""
    paid = settle(repo, add(repo), S.SUCCESSFUL)
    refused = settle(repo, add(repo, minor=2000), S.FAILED)
    mpesa = settle(
        repo, add(repo, provider="mpesa", msisdn="254722000555", currency="KES"), S.SUCCESSFUL
    )
    repo.add_receipt(mpesa.reference_id, "QKJ1XYZ123", T0)
    return [paid.reference_id, refused.reference_id, mpesa.reference_id]


def raw(path: Path, *statements: str) -> None:
    """What someone with the file and a SQLite shell can do."""
    with closing(sqlite3.connect(path)) as conn:
        for sql in statements:
            conn.execute(sql)
        conn.commit()


def event_ids(path: Path, reference_id: str) -> list[int]:
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            "SELECT id FROM payment_events WHERE reference_id = ? ORDER BY id", [reference_id]
        ).fetchall()
    return [row[0] for row in rows]


def test_normal_use_keeps_the_chain_intact(repo: PaymentRepository, day: list[str]) -> None:
    verdict = repo.verify()
    assert verdict.intact, verdict.problem
    events = sum(len(repo.events(ref)) for ref in day)
    assert (verdict.events, verdict.payments) == (events, 3)
    assert (
        str(verdict) == f"intact: {events} event(s) chained, 3 payment(s) agree with their "
        "history, 0 owner action(s) chained, 1 till chain(s) intact"
    )


def test_an_empty_database_is_intact(repo: PaymentRepository) -> None:
    assert repo.verify().intact


def test_the_triggers_still_refuse_edits(db_path: Path, day: list[str]) -> None:
    for sql in ("UPDATE payment_events SET reason = 'x'", "DELETE FROM payment_events"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw(db_path, sql)


def test_an_edited_event_is_the_first_broken_link(
    db_path: Path, repo: PaymentRepository, day: list[str]
) -> None:
    refused = event_ids(db_path, day[1])
    raw(
        db_path,
        "DROP TRIGGER payment_events_no_update",
        "UPDATE payment_events SET to_status = 'successful', reason = NULL"
        f" WHERE id = {refused[-1]}",
    )
    verdict = repo.verify()
    assert not verdict.intact
    assert verdict.problem is not None
    assert verdict.problem.startswith(f"event {refused[-1]} (payment {day[1]}")


def test_a_deleted_event_breaks_the_chain_at_the_next_one(
    db_path: Path, repo: PaymentRepository, day: list[str]
) -> None:
    first = event_ids(db_path, day[0])
    raw(
        db_path,
        "DROP TRIGGER payment_events_no_delete",
        f"DELETE FROM payment_events WHERE id = {first[1]}",
    )
    verdict = repo.verify()
    assert verdict.problem is not None and verdict.problem.startswith(f"event {first[2]} ")


def test_a_forged_event_is_detected(db_path: Path, repo: PaymentRepository, day: list[str]) -> None:
    raw(
        db_path,
        "INSERT INTO payment_events (reference_id, at, from_status, to_status, detail)"
        f" VALUES ('{day[1]}', '2026-11-23T09:30:00.000000Z', 'failed', 'successful', '{{}}')",
    )
    assert not repo.verify().intact


@pytest.mark.parametrize(
    "change",
    [
        "amount_minor = 150",  # the owner's takings
        "msisdn = '256772999999'",
        "status = 'successful', reason = NULL",  # a refused payment shown as paid
        "provider_transaction_id = 'FAKE123'",
    ],
)
def test_an_edited_payment_is_detected(
    db_path: Path, repo: PaymentRepository, day: list[str], change: str
) -> None:
    raw(db_path, f"UPDATE payments SET {change} WHERE reference_id = '{day[1]}'")
    verdict = repo.verify()
    assert not verdict.intact
    assert verdict.problem is not None and verdict.problem.startswith(f"payment {day[1]} ")
    assert "payments table was edited" in verdict.problem


def test_events_written_before_the_chain_get_hashes_on_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = open_database(path, migrate=False)
    migrate(old, MIGRATIONS[:2])  # a till that ran pos-app before the chain existed
    old.execute(
        "INSERT INTO payments (reference_id, provider, product, amount_minor, currency, msisdn,"
        " status, created_at, updated_at) VALUES ('11111111-1111-4111-8111-111111111111', 'mtn',"
        " 'collection', 1500, 'UGX', '256772123456', 'successful',"
        " '2026-11-01T09:00:00.000000Z', '2026-11-01T09:01:00.000000Z')"
    )
    for source, target in ((None, "created"), ("created", "submitting"), ("pending", "successful")):
        old.execute(
            "INSERT INTO payment_events (reference_id, at, from_status, to_status)"
            " VALUES ('11111111-1111-4111-8111-111111111111', '2026-11-01T09:00:00.000000Z', ?, ?)",
            [source, target],
        )
    old.conn.commit()
    old.close()
    repository = PaymentRepository(open_database(path))  # migrates to the chain
    try:
        assert repository.schema_version() == len(MIGRATIONS)
        assert repository.verify().intact
        settle(repository, add(repository), S.SUCCESSFUL)  # new events chain on
        assert repository.verify().intact
    finally:
        repository.close()
    raw(
        path,
        "UPDATE payments SET amount_minor = 1"
        " WHERE amount_minor = 1500 AND created_at < '2026-11-02'",
    )
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute(
            "SELECT count(*) FROM payment_events WHERE hash IS NULL"
        ).fetchone() == (0,)
    reopened = PaymentRepository(open_database(path))
    try:
        assert not reopened.verify().intact  # old payments are sealed by their last event
    finally:
        reopened.close()


def test_pos_app_verify_reports_and_exits(
    db_path: Path, repo: PaymentRepository, day: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify"]) == 0
    assert "intact: " in capsys.readouterr().out
    raw(db_path, f"UPDATE payments SET amount_minor = 1 WHERE reference_id = '{day[0]}'")
    assert main(["verify"]) == 1
    out = capsys.readouterr().out
    assert f"BROKEN: payment {day[0]}" in out and str(db_path) in out
    assert main(["verify", str(db_path.parent / "missing.sqlite3")]) == 2
