"""Versioned schema migrations: ordered, each applied in its own transaction, never downgraded."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from pos_app.domain.payment import RECEIPT_SOURCES, PaymentStatus
from pos_app.store import audit, derived
from pos_app.store.database import Database
from pos_app.store.db import DatabaseTooNew, StoreError, write_transaction


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Database], None]


def _statuses() -> str:
    return ", ".join(f"'{s.value}'" for s in PaymentStatus)


def _v1_payments(db: Database) -> None:
    statements = [
        f"""CREATE TABLE payments (
            reference_id TEXT PRIMARY KEY,
            provider TEXT NOT NULL CHECK (provider IN ('mtn', 'mpesa')),
            product TEXT NOT NULL,
            amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
            currency TEXT NOT NULL CHECK (length(currency) = 3),
            msisdn TEXT NOT NULL,
            external_id TEXT,
            payer_message TEXT,
            status TEXT NOT NULL CHECK (status IN ({_statuses()})),
            reason TEXT,
            provider_transaction_id TEXT,
            provider_request_id TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            finalised_at TEXT,
            till TEXT,
            cashier TEXT
        )""",
        """CREATE TABLE payment_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            reference_id TEXT NOT NULL REFERENCES payments(reference_id),
            at TEXT NOT NULL,
            from_status TEXT,
            to_status TEXT NOT NULL,
            reason TEXT,
            detail TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX payments_by_created ON payments (created_at, reference_id)",
        "CREATE INDEX payments_by_status ON payments (status, created_at)",
        "CREATE INDEX payments_by_msisdn ON payments (msisdn, created_at)",
        "CREATE INDEX payments_by_external_id ON payments (external_id)",
        "CREATE INDEX payments_by_receipt ON payments (provider_transaction_id)",
        """CREATE UNIQUE INDEX payments_by_provider_request
           ON payments (provider, provider_request_id) WHERE provider_request_id IS NOT NULL""",
        "CREATE INDEX payment_events_by_payment ON payment_events (reference_id, id)",
        # The history of a payment is evidence: it can be added to, never rewritten.
        _NO_UPDATE_TRIGGER,
        """CREATE TRIGGER payment_events_no_delete BEFORE DELETE ON payment_events
           BEGIN SELECT RAISE(ABORT, 'payment_events is append-only'); END""",
        """CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
           BEGIN SELECT RAISE(ABORT, 'payments are never deleted'); END""",
    ]
    for sql in statements:
        db.execute(sql)


def _v2_receipt_source(db: Database) -> None:
    db.execute(
        "ALTER TABLE payments ADD COLUMN receipt_source TEXT"
        " CHECK (receipt_source IN ('provider', 'cashier'))"
    )
    db.execute(
        "UPDATE payments SET receipt_source = 'provider' WHERE provider_transaction_id IS NOT NULL"
    )


_NO_UPDATE_TRIGGER = """CREATE TRIGGER payment_events_no_update BEFORE UPDATE ON payment_events
    BEGIN SELECT RAISE(ABORT, 'payment_events is append-only'); END"""


def _v3_audit_chain(db: Database) -> None:
    db.execute("ALTER TABLE payment_events ADD COLUMN state_hash TEXT")
    db.execute("ALTER TABLE payment_events ADD COLUMN hash TEXT")
    # The only time events are written to after the fact: giving the old ones their hashes,
    # inside this migration's transaction.
    db.execute("DROP TRIGGER payment_events_no_update")
    audit.backfill(db)
    db.execute(_NO_UPDATE_TRIGGER)


def _v4_owner_and_refunds(db: Database) -> None:
    statements = [
        # A refund is its own payment, pointing at the payment it gives money back from.
        "ALTER TABLE payments ADD COLUMN refund_of TEXT REFERENCES payments(reference_id)",
        "CREATE INDEX payments_by_refund_of ON payments (refund_of) WHERE refund_of IS NOT NULL",
        # Who did what with the owner's PIN (and the PIN's hash itself), chained like events.
        """CREATE TABLE owner_actions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('owner', 'cashier')),
            till TEXT,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}',
            hash TEXT NOT NULL
        )""",
        "CREATE INDEX owner_actions_by_action ON owner_actions (action, id)",
        """CREATE TRIGGER owner_actions_no_update BEFORE UPDATE ON owner_actions
           BEGIN SELECT RAISE(ABORT, 'owner_actions is append-only'); END""",
        """CREATE TRIGGER owner_actions_no_delete BEFORE DELETE ON owner_actions
           BEGIN SELECT RAISE(ABORT, 'owner_actions is append-only'); END""",
    ]
    for sql in statements:
        db.execute(sql)


# The payments table of migration 4 without the check that named the providers: providers
# are plug-ins, and the store keeps whichever one took a payment.
_V5_PAYMENTS = f"""CREATE TABLE payments_v5 (
            reference_id TEXT PRIMARY KEY,
            provider TEXT NOT NULL,
            product TEXT NOT NULL,
            amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
            currency TEXT NOT NULL CHECK (length(currency) = 3),
            msisdn TEXT NOT NULL,
            external_id TEXT,
            payer_message TEXT,
            status TEXT NOT NULL CHECK (status IN ({_statuses()})),
            reason TEXT,
            provider_transaction_id TEXT,
            provider_request_id TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            finalised_at TEXT,
            till TEXT,
            cashier TEXT,
            receipt_source TEXT CHECK (receipt_source IN ('provider', 'cashier')),
            refund_of TEXT REFERENCES payments(reference_id)
        )"""


def _v5_any_provider(db: Database) -> None:
    _rebuild_payments(db, _V5_PAYMENTS)


def _rebuild_payments(db: Database, create: str) -> None:
    """SQLite cannot change a constraint, so the table is made again with the new one: a new
    table (`create`, named payments_v5) takes every row as stored (rowids included, so that a
    reference check reads the same before and after) and then the old one's place, and the old
    one's indexes and triggers are made again from their own SQL. Events and owner actions
    are not touched."""
    if db.execute("PRAGMA foreign_keys").fetchone()[0]:
        raise StoreError("rebuilding the payments table needs foreign keys off")
    kept = db.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'payments'"
        " AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY rowid"
    ).fetchall()
    db.execute(create)
    new = [row[1] for row in db.execute("PRAGMA table_info(payments_v5)")]
    old = [row[1] for row in db.execute("PRAGMA table_info(payments)")]
    if sorted(new) != sorted(old):  # a column the copy would drop, or one it cannot fill
        raise StoreError(
            f"the payments table has unexpected columns: {sorted(set(old) ^ set(new))}"
        )
    columns = ", ".join(new)
    db.execute(f"INSERT INTO payments_v5 (rowid, {columns}) SELECT rowid, {columns} FROM payments")
    db.execute("DROP TABLE payments")  # with its indexes and triggers
    db.execute("ALTER TABLE payments_v5 RENAME TO payments")
    for (sql,) in kept:
        db.execute(sql)


def _v6_hub_link(db: Database) -> None:
    """Receipt codes from the hub (a provider's verified callback, a claimed customer
    payment), and where the till's reading of its hub events stands."""
    _rebuild_payments(
        db,
        _V5_PAYMENTS.replace(
            "receipt_source IN ('provider', 'cashier')",
            f"receipt_source IN ({', '.join(repr(s) for s in RECEIPT_SOURCES)})",
        ),
    )
    db.execute("CREATE TABLE link_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def _v7_till_chains(db: Database) -> None:
    """Each till's own chain (what it uploads to the hub), beside the file's chain, which
    is kept: old events get their place in their till's chain from their payment's till."""
    statements = [
        """CREATE TABLE tills (
            id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL
        )""",
        """CREATE TRIGGER tills_no_update BEFORE UPDATE ON tills
           BEGIN SELECT RAISE(ABORT, 'a till keeps its id'); END""",
        """CREATE TRIGGER tills_no_delete BEFORE DELETE ON tills
           BEGIN SELECT RAISE(ABORT, 'a till id is never given again'); END""",
        # A till renamed keeps its chain: its old and new names both lead to it.
        """CREATE TABLE till_names (
            name TEXT PRIMARY KEY,
            till_id TEXT NOT NULL REFERENCES tills(id)
        )""",
        "ALTER TABLE payment_events ADD COLUMN till_id TEXT REFERENCES tills(id)",
        "ALTER TABLE payment_events ADD COLUMN seq INTEGER",
        "ALTER TABLE payment_events ADD COLUMN till_hash TEXT",
        "CREATE UNIQUE INDEX payment_events_by_till ON payment_events (till_id, seq)",
        "DROP TRIGGER payment_events_no_update",
    ]
    for sql in statements:
        db.execute(sql)
    audit.split_by_till(db)
    db.execute(_NO_UPDATE_TRIGGER)


def _v8_search_and_day(db: Database) -> None:
    """Any part of a phone number, receipt code or order reference found through an index
    instead of reading every payment (where this SQLite cannot make it, nothing is made and
    searches read every row, as before); and the day report's tallies kept as payments are
    written."""
    derived.make_day_tallies(db)
    if derived.trigram_index_possible():
        derived.make_search_index(db)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "payments and append-only payment events", _v1_payments),
    Migration(2, "who gave the receipt number", _v2_receipt_source),
    Migration(3, "hash-chained payment events", _v3_audit_chain),
    Migration(4, "owner actions and refunds", _v4_owner_and_refunds),
    Migration(5, "any provider", _v5_any_provider),
    Migration(6, "receipts from the hub, and its cursor", _v6_hub_link),
    Migration(7, "a hash chain per till", _v7_till_chains),
    Migration(8, "a search index, and the day's tallies", _v8_search_and_day),
)


def schema_version(db: Database) -> int:
    if not db.has_table("schema_migrations"):
        return 0
    row = db.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def refuse_newer(current: int, latest: int = len(MIGRATIONS)) -> None:
    """A file from a newer pos-app is not touched: its schema may mean what this one cannot."""
    if current > latest:
        raise DatabaseTooNew(
            f"The receipt database was written by a newer pos-app (schema {current}; this "
            f"version knows up to {latest}). Install the newer pos-app; nothing was changed."
        )


def migrate(db: Database, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply the migrations the database lacks; returns the resulting version."""
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migrations must be numbered 1..n in order, got {versions}")
    latest = versions[-1] if versions else 0
    with write_transaction(db):
        db.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)""")
    current = schema_version(db)
    refuse_newer(current, latest)
    if pending := migrations[current:]:
        # A migration may rebuild a table others refer to: SQLite's way is with foreign keys
        # off (they cannot be switched inside a transaction); each migration is then checked
        # not to leave a reference broken that was not.
        with _foreign_keys_off(db):
            for migration in pending:
                _apply(db, migration)
    return schema_version(db)


def _apply(db: Database, migration: Migration) -> None:
    with write_transaction(db):
        # Another process may have migrated while we waited for the lock.
        if schema_version(db) >= migration.version:
            return
        broken = _broken_references(db)
        migration.apply(db)
        if sorted(map(repr, _broken_references(db))) != sorted(map(repr, broken)):
            raise StoreError(
                f"migration {migration.version} ({migration.name}) would break references "
                "between tables; nothing was changed"
            )
        db.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            [migration.version, migration.name, datetime.now(UTC).isoformat()],
        )


def _broken_references(db: Database) -> list[tuple[object, ...]]:
    """Rows whose foreign keys point at nothing (none, unless the file was edited by hand)."""
    # (table, rowid, parent): a key's number changes when a migration adds another key.
    return [tuple(row[:3]) for row in db.execute("PRAGMA foreign_key_check").fetchall()]


@contextmanager
def _foreign_keys_off(db: Database) -> Iterator[None]:
    """Foreign keys off for this connection (outside any transaction), as they were after."""
    was_on = bool(db.execute("PRAGMA foreign_keys").fetchone()[0])
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        if was_on:
            db.execute("PRAGMA foreign_keys = ON")
