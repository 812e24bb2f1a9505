"""Searching part of a number, code or reference through the trigram index (migration 8):
the same answers as reading every row, for files made before it too, and kept up to date as
payments change."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_app.store import PaymentRepository, derived, open_database
from pos_app.store.migrations import MIGRATIONS, migrate
from pos_app.store.queries import PaymentFilter
from pos_app.store.queries import clause as _clause
from pos_app.store.queries import where as _where
from tests.unit.test_repository import T0, S, add, settle

CODES = ["CHK7RT61SV", "1806336820", "QF42ZZ0001", "chk7rt00aa"]
ORDERS = [None, "INV-2026-0042", 'Table 7 "VIP"', "100%_off", "café-12"]


def found(repo: PaymentRepository, term: str, *, indexed: bool) -> set[str]:
    repo._indexed = indexed
    return {p.reference_id for p in repo.each(PaymentFilter(search=term, region="UG"))}


def plan(repo: PaymentRepository, term: str) -> str:
    where, params = _where(PaymentFilter(search=term, region="UG"), indexed=True)
    rows = repo._db.execute(
        f"EXPLAIN QUERY PLAN SELECT * FROM payments {_clause(where)}"
        " ORDER BY created_at DESC, reference_id DESC LIMIT 101",
        params,
    ).fetchall()
    return " ".join(str(row[-1]) for row in rows)


def index_intact(repo: PaymentRepository) -> None:
    """FTS5's own check that the index holds exactly the payments' text (raises if not)."""
    repo._db.execute(
        "INSERT INTO payments_search (payments_search, rank) VALUES ('integrity-check', 1)"
    )


@pytest.fixture
def shop(repo: PaymentRepository) -> PaymentRepository:
    """Payments with numbers, codes and order references of every kind."""
    for i in range(40):
        p = add(
            repo,
            at=T0 + timedelta(minutes=i),
            msisdn=f"2567{(i * 7919) % 10**8:08d}",
            external_id=ORDERS[i % len(ORDERS)],
        )
        if i % 3:
            settle(repo, p, S.SUCCESSFUL)
            repo.add_receipt(p.reference_id, CODES[i % len(CODES)] + str(i), T0)
    return repo


def test_a_new_file_has_the_index_and_part_searches_go_through_it(
    shop: PaymentRepository,
) -> None:
    assert shop._indexed
    index_intact(shop)
    for term in ["123456", "7RT6", "INV-2026", "0772 12"]:
        assert "payments_search VIRTUAL TABLE" in plan(shop, term), term
        assert "SCAN payments " not in plan(shop, term) + " ", term
    # Too short for trigrams: every row is read, as before.
    assert "payments_search" not in plan(shop, "12")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    term=st.one_of(
        st.text(alphabet="0123456789 ", min_size=1, max_size=12),
        st.sampled_from(CODES + [o for o in ORDERS if o]).flatmap(
            lambda s: st.tuples(st.integers(0, len(s)), st.integers(1, len(s))).map(
                lambda ij: s[ij[0] : ij[0] + ij[1]]
            )
        ),
        st.text(max_size=8),  # anything a cashier might type, FTS5's syntax included
        st.sampled_from(['"', "AND", "NEAR(", "a*", "msisdn:", "^1", "x OR y", "(", "''"]),
    )
)
def test_the_index_finds_exactly_what_reading_every_row_finds(
    shop: PaymentRepository, term: str
) -> None:
    assert found(shop, term, indexed=True) == found(shop, term, indexed=False)


def test_the_start_of_a_reference_is_found_in_either_case(shop: PaymentRepository) -> None:
    reference = next(shop.each(PaymentFilter())).reference_id
    for term in (reference[:8], reference[:8].upper(), reference):
        assert found(shop, term, indexed=True) == {reference} == found(shop, term, indexed=False)


def test_the_index_follows_a_receipt_code_given_later(repo: PaymentRepository) -> None:
    p = settle(repo, add(repo, msisdn="256701999888"), S.SUCCESSFUL)
    assert found(repo, "XK4491", indexed=True) == set()
    repo.add_receipt(p.reference_id, "QXK4491ZZ", T0)
    assert found(repo, "XK4491", indexed=True) == {p.reference_id}
    assert found(repo, "999888", indexed=True) == {p.reference_id}
    index_intact(repo)


def test_a_file_from_before_the_index_gets_it_with_every_payment(db_path: Path) -> None:
    old = open_database(db_path, migrate=False)
    migrate(old, MIGRATIONS[:7])
    repo = PaymentRepository(old)
    assert not repo._indexed
    before = settle(repo, add(repo, msisdn="256755000321", external_id="OLD-77"), S.SUCCESSFUL)
    repo.close()

    repo = PaymentRepository(open_database(db_path))  # what the till does: migrates
    try:
        assert repo._indexed and repo.schema_version() == len(MIGRATIONS)
        index_intact(repo)
        assert found(repo, "000321", indexed=True) == {before.reference_id}
        assert found(repo, "LD-7", indexed=True) == {before.reference_id}
        after = add(repo, msisdn="256755000321")
        assert found(repo, "55000", indexed=True) == {before.reference_id, after.reference_id}
    finally:
        repo.close()


def test_where_sqlite_cannot_index_the_file_still_searches_every_row(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(derived, "trigram_index_possible", lambda: False)
    repo = PaymentRepository(open_database(db_path))
    try:
        assert not repo._indexed and repo.schema_version() == len(MIGRATIONS)
        p = settle(repo, add(repo, msisdn="256755000321"), S.SUCCESSFUL)
        assert {x.reference_id for x in repo.each(PaymentFilter(search="000321"))} == {
            p.reference_id
        }
    finally:
        repo.close()
