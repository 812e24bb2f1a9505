"""What is derived from the payments and kept beside them by SQLite's triggers, in the same
transaction as every write of a payment (made by migration 8): the search index and the day
report's tallies."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from pos_app.store.database import Database

# What a search looks into for part of its text (store/queries.py): kept by triggers, as the
# payments change, in an FTS5 trigram index over the payments' own rows (no copy of the text).
SEARCHED = ("msisdn", "external_id", "provider_transaction_id")


def trigram_index_possible() -> bool:
    """Whether this SQLite has FTS5 with its trigram tokenizer (3.34 and later, when built
    with FTS5: the usual builds are)."""
    try:
        with closing(sqlite3.connect(":memory:")) as probe:
            probe.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='trigram')")
    except sqlite3.OperationalError:
        return False
    return True


def make_search_index(db: Database) -> None:
    columns = ", ".join(SEARCHED)
    old = ", ".join(f"old.{c}" for c in SEARCHED)
    new = ", ".join(f"new.{c}" for c in SEARCHED)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in SEARCHED)
    statements = [
        f"""CREATE VIRTUAL TABLE payments_search USING fts5({columns},
            content='payments', content_rowid='rowid', tokenize='trigram')""",
        "INSERT INTO payments_search (payments_search) VALUES ('rebuild')",
        f"""CREATE TRIGGER payments_search_insert AFTER INSERT ON payments BEGIN
            INSERT INTO payments_search (rowid, {columns}) VALUES (new.rowid, {new}); END""",
        # Most updates are a status changing: the index is only touched when its text does.
        f"""CREATE TRIGGER payments_search_update AFTER UPDATE ON payments WHEN {changed} BEGIN
            INSERT INTO payments_search (payments_search, rowid, {columns})
                VALUES ('delete', old.rowid, {old});
            INSERT INTO payments_search (rowid, {columns}) VALUES (new.rowid, {new}); END""",
    ]
    for sql in statements:
        db.execute(sql)


def tally_key(row: str) -> list[str]:
    """What a payment is counted by: the UTC quarter hour it was created in ("2026-12-02T15:45";
    created_at is fixed-width text, store/timestamps.py), its till ("" for none), kind,
    provider, status, currency, and whether it is a refund."""
    quarter = (
        f"substr({row}.created_at, 1, 14)"
        f" || printf('%02d', CAST(substr({row}.created_at, 15, 2) AS INTEGER) / 15 * 15)"
    )
    return [
        quarter,
        f"ifnull({row}.till, '')",
        *(f"{row}.{column}" for column in ("product", "provider", "status", "currency")),
        f"{row}.refund_of IS NOT NULL",
    ]


TALLIED = ("quarter", "till", "product", "provider", "status", "currency", "refund")
# The day report's counts (store/tallies.py), kept in the same transaction as every write of
# a payment. first/last only ever widen: a payment leaving a tally leaves it holding times of
# that slice's payments, and the report only wants the earliest and latest of them all.
_ADD = """INSERT INTO payment_tallies VALUES ({key}, 1, new.amount_minor, new.created_at,
    new.created_at) ON CONFLICT DO UPDATE SET count = count + 1,
    minor = minor + excluded.minor, first = min(first, excluded.first),
    last = max(last, excluded.last)"""


def make_day_tallies(db: Database) -> None:
    columns = ("created_at", "till", "product", "provider", "status", "currency", "refund_of")
    moved = " OR ".join(f"old.{c} IS NOT new.{c}" for c in (*columns, "amount_minor"))
    where_old = " AND ".join(
        f"{column} = ({value})" for column, value in zip(TALLIED, tally_key("old"), strict=True)
    )
    add = _ADD.format(key=", ".join(tally_key("new")))
    statements = [
        """CREATE TABLE payment_tallies (
            quarter TEXT NOT NULL,
            till TEXT NOT NULL,
            product TEXT NOT NULL,
            provider TEXT NOT NULL,
            status TEXT NOT NULL,
            currency TEXT NOT NULL,
            refund INTEGER NOT NULL,
            count INTEGER NOT NULL,
            minor INTEGER NOT NULL,
            first TEXT NOT NULL,
            last TEXT NOT NULL,
            PRIMARY KEY (quarter, till, product, provider, status, currency, refund)
        ) WITHOUT ROWID""",
        f"""INSERT INTO payment_tallies SELECT {", ".join(tally_key("payments"))},
            count(*), sum(amount_minor), min(created_at), max(created_at) FROM payments
            GROUP BY 1, 2, 3, 4, 5, 6, 7""",
        f"""CREATE TRIGGER payment_tallies_insert AFTER INSERT ON payments BEGIN {add}; END""",
        f"""CREATE TRIGGER payment_tallies_update AFTER UPDATE ON payments WHEN {moved} BEGIN
            UPDATE payment_tallies SET count = count - 1, minor = minor - old.amount_minor
                WHERE {where_old};
            {add}; END""",
    ]
    for sql in statements:
        db.execute(sql)
