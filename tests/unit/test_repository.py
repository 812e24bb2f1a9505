from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from pos_app.domain.money import Money
from pos_app.domain.payment import IllegalTransition, Payment, PaymentStatus
from pos_app.store import PaymentNotFound, PaymentRepository, open_database
from pos_app.store.queries import clause as _clause
from pos_app.store.queries import where as _where
from pos_app.store.repository import PaymentFilter, local_day

S = PaymentStatus
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
EAT = timezone(timedelta(hours=3))


def add(
    repo: PaymentRepository,
    *,
    at: datetime = T0,
    minor: int = 1500,
    currency: str = "UGX",
    msisdn: str = "256772123456",
    provider: str = "mtn",
    external_id: str | None = None,
    till: str = "Till 1",
) -> Payment:
    payment, event = Payment.create(
        provider=provider,
        amount=Money(minor, currency),  # type: ignore[arg-type]
        msisdn=msisdn,
        now=at,
        external_id=external_id,
        till=till,
    )
    repo.save_new(payment, event)
    return payment


def settle(
    repo: PaymentRepository, p: Payment, final: PaymentStatus, at: datetime | None = None
) -> Payment:
    at = at or p.created_at
    repo.transition(p.reference_id, S.SUBMITTING, at)
    repo.transition(p.reference_id, S.PENDING, at)
    return repo.transition(
        p.reference_id, final, at, reason="mtn:NOT_ENOUGH_FUNDS" if final == S.FAILED else None
    )


def test_save_and_get_round_trip(repo: PaymentRepository) -> None:
    p = add(repo, external_id="ORDER-7")
    assert repo.get(p.reference_id) == p
    assert [e.to_status for e in repo.events(p.reference_id)] == [S.CREATED]


def test_get_unknown_raises(repo: PaymentRepository) -> None:
    with pytest.raises(PaymentNotFound):
        repo.get("3f1b8c1e-5d8a-4c4e-9f57-6c1a2b3c4d5e")


def test_duplicate_reference_id_is_refused(repo: PaymentRepository) -> None:
    p = add(repo)
    with pytest.raises(sqlite3.IntegrityError):
        repo.save_new(p, repo.events(p.reference_id)[0])
    assert len(repo.events(p.reference_id)) == 1


def test_transition_updates_row_and_appends_event(repo: PaymentRepository) -> None:
    p = add(repo)
    repo.transition(p.reference_id, S.SUBMITTING, T0 + timedelta(seconds=1))
    repo.transition(
        p.reference_id, S.PENDING, T0 + timedelta(seconds=2), provider_request_id="ws_CO_1"
    )
    done = repo.transition(
        p.reference_id,
        S.SUCCESSFUL,
        T0 + timedelta(seconds=9),
        provider_transaction_id="1806336820",
        detail={"status": "SUCCESSFUL"},
    )
    stored = repo.get(p.reference_id)
    assert stored == done
    assert stored.provider_transaction_id == "1806336820"
    assert stored.provider_request_id == "ws_CO_1"
    assert stored.finalised_at == T0 + timedelta(seconds=9)
    events = repo.events(p.reference_id)
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, S.CREATED),
        (S.CREATED, S.SUBMITTING),
        (S.SUBMITTING, S.PENDING),
        (S.PENDING, S.SUCCESSFUL),
    ]
    assert events[-1].detail == {"status": "SUCCESSFUL"}
    assert repo.last_event(p.reference_id) == events[-1]
    assert repo.last_event(add(repo).reference_id).to_status == S.CREATED  # another payment's
    assert repo.find_by_provider_request("mtn", "ws_CO_1") == stored
    assert repo.find_by_provider_request("mpesa", "ws_CO_1") is None


def test_illegal_transition_changes_nothing(repo: PaymentRepository) -> None:
    p = settle(repo, add(repo), S.SUCCESSFUL)
    with pytest.raises(IllegalTransition):
        repo.transition(p.reference_id, S.FAILED, T0)
    assert repo.get(p.reference_id).status == S.SUCCESSFUL
    assert len(repo.events(p.reference_id)) == 4


def test_events_are_append_only_and_payments_never_deleted(
    repo: PaymentRepository, db_path: Path
) -> None:
    p = add(repo)
    conn = sqlite3.connect(db_path)
    for sql in (
        "UPDATE payment_events SET to_status = 'successful'",
        "DELETE FROM payment_events",
        "DELETE FROM payments",
    ):
        with pytest.raises(sqlite3.IntegrityError, match=r"append-only|never deleted"):
            conn.execute(sql)
    conn.close()
    assert repo.get(p.reference_id).status == S.CREATED


def test_database_constraints_reject_bad_rows(db_path: Path, repo: PaymentRepository) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    # Any provider id is stored (providers are plug-ins), but a payment must name one.
    bad = [("mtn", 0, "created"), (None, 100, "created"), ("mtn", 100, "paid")]
    for provider, amount, status in bad:
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(
                "INSERT INTO payments (reference_id, provider, product, amount_minor, currency,"
                " msisdn, status, created_at, updated_at)"
                " VALUES ('x', ?, 'c', ?, 'UGX', '1', ?, 't', 't')",
                [provider, amount, status],
            )
    with pytest.raises(sqlite3.IntegrityError):  # events must belong to a payment
        conn.execute(
            "INSERT INTO payment_events (reference_id, at, to_status)"
            " VALUES ('nope', 't', 'created')"
        )
    conn.close()


def test_list_open_returns_every_unfinished_payment_oldest_first(repo: PaymentRepository) -> None:
    created = add(repo, at=T0 + timedelta(minutes=3))
    submitting = add(repo, at=T0 + timedelta(minutes=1))
    repo.transition(submitting.reference_id, S.SUBMITTING, T0)
    unknown = add(repo, at=T0 + timedelta(minutes=2))
    repo.transition(unknown.reference_id, S.SUBMITTING, T0)
    repo.transition(unknown.reference_id, S.UNKNOWN, T0)
    settle(repo, add(repo), S.SUCCESSFUL)
    settle(repo, add(repo), S.FAILED)
    expired = settle(repo, add(repo), S.EXPIRED)
    assert [p.reference_id for p in repo.list_open()] == [
        submitting.reference_id,
        unknown.reference_id,
        created.reference_id,
    ]
    assert expired.reference_id not in {p.reference_id for p in repo.list_open()}


def test_paging_walks_every_payment_once_newest_first(repo: PaymentRepository) -> None:
    made = [add(repo, at=T0 + timedelta(seconds=i // 3)) for i in range(25)]  # ties on time
    seen: list[Payment] = []
    page = repo.page(PaymentFilter(), limit=7)
    seen += page.payments
    while page.next_cursor:
        page = repo.page(PaymentFilter(), limit=7, after=page.next_cursor)
        seen += page.payments
    assert len(seen) == 25
    assert {p.reference_id for p in seen} == {p.reference_id for p in made}
    keys = [(p.created_at, p.reference_id) for p in seen]
    assert keys == sorted(keys, reverse=True)
    assert repo.count(PaymentFilter()) == 25
    with pytest.raises(ValueError, match="positive"):
        repo.page(PaymentFilter(), limit=0)


def test_filters_by_range_status_provider_and_search(repo: PaymentRepository) -> None:
    a = settle(repo, add(repo, at=T0, external_id="ORDER-1"), S.SUCCESSFUL)
    b = settle(repo, add(repo, at=T0 + timedelta(hours=1), msisdn="256701999888"), S.FAILED)
    c = add(
        repo,
        at=T0 + timedelta(days=1),
        provider="mpesa",
        currency="KES",
        msisdn="254712345678",
        external_id="100%_sure",
    )

    def ids(**kw: object) -> set[str]:
        return {p.reference_id for p in repo.page(PaymentFilter(**kw), limit=50).payments}  # type: ignore[arg-type]

    assert ids(start=T0, end=T0 + timedelta(hours=2)) == {a.reference_id, b.reference_id}
    assert ids(statuses=frozenset({S.FAILED, S.CREATED})) == {b.reference_id, c.reference_id}
    assert ids(provider="mpesa") == {c.reference_id}
    assert ids(search="0701 999 888") == {b.reference_id}  # local form finds the MSISDN
    assert ids(search="order-1") == {a.reference_id}
    assert ids(search="100%") == {c.reference_id}  # LIKE wildcards are literal
    assert ids(search="_") == {c.reference_id}  # only the literal underscore matches
    assert ids(search="%x") == set()
    assert ids(search=a.reference_id[:8]) == {a.reference_id}
    assert repo.count(PaymentFilter(provider="mtn")) == 2
    # With the shop's country, a whole phone number is that customer exactly; anything else
    # (part of a number, another country's number) is still searched for everywhere.
    assert ids(search="0701 999 888", region="UG") == {b.reference_id}
    assert ids(search="+256 701-999-888", region="UG") == {b.reference_id}
    assert ids(search="999 888", region="UG") == {b.reference_id}
    assert ids(search="254712345678", region="UG") == {c.reference_id}
    assert ids(search="order-1", region="UG") == {a.reference_id}


def plan(repo: PaymentRepository, flt: PaymentFilter) -> str:
    where, params = _where(flt, indexed=True)
    rows = repo._db.execute(
        f"EXPLAIN QUERY PLAN SELECT * FROM payments {_clause(where)}", params
    ).fetchall()
    return " ".join(str(row[-1]) for row in rows)


def test_a_whole_phone_number_is_looked_up_through_the_index(repo: PaymentRepository) -> None:
    whole = plan(repo, PaymentFilter(search="0772 123 456", region="UG"))
    assert "USING INDEX payments_by_msisdn" in whole, whole
    part = plan(repo, PaymentFilter(search="123 456", region="UG"))  # the trigram index's
    assert "payments_search" in part and "payments_by_msisdn" not in part, part


def test_local_day_and_daily_totals(repo: PaymentRepository) -> None:
    # 23:30 in Nairobi on the 22nd is 20:30 UTC; 00:30 on the 23rd is 21:30 UTC on the 22nd.
    late = settle(
        repo, add(repo, at=datetime(2026, 11, 22, 20, 30, tzinfo=UTC), minor=1000), S.SUCCESSFUL
    )
    early = settle(
        repo, add(repo, at=datetime(2026, 11, 22, 21, 30, tzinfo=UTC), minor=2500), S.SUCCESSFUL
    )
    settle(repo, add(repo, at=datetime(2026, 11, 23, 8, 0, tzinfo=UTC), minor=500), S.SUCCESSFUL)
    settle(repo, add(repo, at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC), minor=700), S.FAILED)
    add(
        repo,
        at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        minor=900,
        provider="mpesa",
        currency="KES",
    )
    start, end = local_day(date(2026, 11, 23), EAT)
    assert start == datetime(2026, 11, 22, 21, 0, tzinfo=UTC)
    assert end - start == timedelta(days=1)

    totals = {
        (t.status, t.amount.currency): (t.count, t.amount.minor_units)
        for t in repo.daily_totals(date(2026, 11, 23), EAT)
    }
    assert totals == {
        (S.SUCCESSFUL, "UGX"): (2, 3000),
        (S.FAILED, "UGX"): (1, 700),
        (S.CREATED, "KES"): (1, 900),
    }
    previous = repo.daily_totals(date(2026, 11, 22), EAT)
    assert [(t.status, t.count, t.amount) for t in previous] == [
        (S.SUCCESSFUL, 1, Money(1000, "UGX"))
    ]
    assert late.reference_id != early.reference_id


def test_writer_waits_for_another_connection_instead_of_failing(
    db_path: Path, repo: PaymentRepository
) -> None:
    p = add(repo)
    locked = threading.Event()

    def hold_lock() -> None:
        other = open_database(db_path)
        other.conn.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(0.5)
        other.conn.rollback()
        other.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    locked.wait(5)
    repo.transition(p.reference_id, S.SUBMITTING, T0)  # blocks until the other writer is done
    holder.join()
    assert repo.get(p.reference_id).status == S.SUBMITTING


def test_cashier_adds_the_mpesa_code_from_the_sms(repo: PaymentRepository) -> None:
    p = add(repo, provider="mpesa", currency="KES", msisdn="254708374149")
    with pytest.raises(ValueError, match="not paid"):
        repo.add_receipt(p.reference_id, "NLJ7RT61SV", T0)
    paid = settle(repo, p, S.SUCCESSFUL)
    assert paid.provider_transaction_id is None and paid.receipt_source is None
    typed = repo.add_receipt(p.reference_id, "NLJ7RT61SV", T0 + timedelta(minutes=1))
    stored = repo.get(p.reference_id)
    assert stored == typed
    assert (stored.provider_transaction_id, stored.receipt_source) == ("NLJ7RT61SV", "cashier")
    assert stored.status == S.SUCCESSFUL and stored.finalised_at == paid.finalised_at
    last = repo.events(p.reference_id)[-1]
    assert (last.from_status, last.to_status, last.detail) == (
        S.SUCCESSFUL,
        S.SUCCESSFUL,
        {"receipt": "NLJ7RT61SV", "source": "cashier"},
    )


def test_provider_receipt_is_never_replaced(repo: PaymentRepository) -> None:
    p = add(repo)
    repo.transition(p.reference_id, S.SUBMITTING, T0)
    repo.transition(p.reference_id, S.PENDING, T0)
    done = repo.transition(p.reference_id, S.SUCCESSFUL, T0, provider_transaction_id="1806336820")
    assert done.receipt_source == "provider"
    with pytest.raises(ValueError, match="provider's receipt"):
        repo.add_receipt(p.reference_id, "NLJ7RT61SV", T0)
    assert repo.get(p.reference_id).provider_transaction_id == "1806336820"


def test_migration_2_marks_existing_receipts_as_the_providers(db_path: Path) -> None:
    from pos_app.store.migrations import MIGRATIONS, migrate

    db = open_database(db_path, migrate=False)
    migrate(db, MIGRATIONS[:1])
    db.execute(
        "INSERT INTO payments (reference_id, provider, product, amount_minor, currency, msisdn,"
        " status, provider_transaction_id, created_at, updated_at) VALUES"
        " ('a', 'mtn', 'collection', 1, 'UGX', '1', 'successful', '99', 't', 't'),"
        " ('b', 'mtn', 'collection', 1, 'UGX', '1', 'failed', NULL, 't', 't')"
    )
    db.conn.commit()
    migrate(db)
    rows = db.execute("SELECT reference_id, receipt_source FROM payments ORDER BY 1").fetchall()
    assert rows == [("a", "provider"), ("b", None)]
    db.close()
