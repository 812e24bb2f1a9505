"""The hub's PostgreSQL schema: versioned migrations, applied in order, never downgraded.

Tables are the truth; NOTIFY only wakes long-polls (callbacks.md §9.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection

# Any constant: every hub process that migrates, or writes events, takes the same lock.
MIGRATION_LOCK = 0x706F7361_0001
EVENT_LOCK = 0x706F7361_0002
OWNER_LOG_LOCK = 0x706F7361_0003


class HubSchemaError(Exception):
    """The database is not a hub's yet, or was made by a newer pos-app."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


V1 = """
CREATE TABLE hub_settings (
    key text PRIMARY KEY,
    value text NOT NULL
);
CREATE TABLE callback_routes (
    path text PRIMARY KEY,
    secret text NOT NULL UNIQUE CHECK (secret ~ '^[0-9a-f]{64}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE tills (
    id uuid PRIMARY KEY,
    shop text NOT NULL CHECK (length(shop) BETWEEN 1 AND 60),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    key_hash bytea UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    linked_at timestamptz,
    revoked_at timestamptz,
    last_seen_at timestamptz
);
CREATE UNIQUE INDEX tills_named ON tills (shop, name) WHERE revoked_at IS NULL;
CREATE TABLE enrolments (
    code_hash bytea PRIMARY KEY,
    till_id uuid NOT NULL REFERENCES tills,
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE TABLE shortcodes (
    shortcode text PRIMARY KEY,
    shop text NOT NULL
);
-- Every callback that passed its path secret, raw, before it was answered.
CREATE TABLE inbox (
    id bigserial PRIMARY KEY,
    route text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    source_ip inet,
    source_listed boolean,
    raw bytea NOT NULL,
    digest bytea NOT NULL,
    request_id text,
    verdict text NOT NULL,
    problem text,
    UNIQUE (route, digest)
);
CREATE INDEX inbox_orphans ON inbox (request_id) WHERE verdict = 'orphan';
-- What a till awaits: a push or refund it sent, by the provider's request id.
CREATE TABLE awaits (
    provider text NOT NULL,
    request_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('payment', 'refund')),
    till_id uuid NOT NULL REFERENCES tills,
    payment_id text NOT NULL,
    amount numeric(16, 2) NOT NULL CHECK (amount > 0),
    currency text NOT NULL CHECK (length(currency) = 3),
    phone text,
    created_at timestamptz NOT NULL DEFAULT now(),
    outcome text CHECK (outcome IN ('succeeded', 'failed')),
    receipt_code text,
    inbox_id bigint REFERENCES inbox,
    PRIMARY KEY (provider, request_id)
);
-- Customer-initiated payments (C2B: paid to the shop's number), claimed by exactly one till.
CREATE TABLE c2b_payments (
    trans_id text PRIMARY KEY,
    provider text NOT NULL,
    shortcode text NOT NULL,
    amount numeric(16, 2),
    account text,
    payer_name text,
    phone text,
    paid_at text,
    received_at timestamptz NOT NULL DEFAULT now(),
    inbox_id bigint NOT NULL REFERENCES inbox,
    held boolean NOT NULL DEFAULT false,  -- kept for the owner, never offered to a till
    claimed_by uuid REFERENCES tills,
    claimed_sale text,
    claimed_at timestamptz
);
-- What tills fetch, in id order; till_id NULL: for every till of the shop.
CREATE TABLE events (
    id bigserial PRIMARY KEY,
    shop text NOT NULL,
    till_id uuid,
    kind text NOT NULL,
    body jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_for_shop ON events (shop, id);
CREATE INDEX events_by_age ON events (created_at);
"""

# Each till's history as it uploads it (its own hash chain, checked link by link as it
# arrives), the payments as of their newest uploaded event, and the owner's log.
V2 = """
ALTER TABLE tills ADD COLUMN device_id uuid;  -- the till's own id, bound at first sync
ALTER TABLE tills ADD COLUMN timezone text;  -- its shop's zone, as the till's config says
ALTER TABLE tills ADD COLUMN synced_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE tills ADD COLUMN synced_hash text NOT NULL DEFAULT repeat('0', 64);
ALTER TABLE tills ADD COLUMN till_head bigint NOT NULL DEFAULT 0;  -- newest event it holds
ALTER TABLE tills ADD COLUMN synced_at timestamptz;
ALTER TABLE tills ADD COLUMN broken_seq bigint;  -- the first link refused; NULL: intact
ALTER TABLE tills ADD COLUMN broken_problem text;
ALTER TABLE tills ADD COLUMN broken_at timestamptz;
-- One key at a time per till: linked again (the old key revoked), it goes on with its history.
CREATE UNIQUE INDEX tills_by_device ON tills (device_id) WHERE revoked_at IS NULL;
CREATE TABLE till_events (
    till_id uuid NOT NULL REFERENCES tills,
    seq bigint NOT NULL CHECK (seq > 0),
    reference_id text NOT NULL,
    at text NOT NULL,
    from_status text,
    to_status text NOT NULL,
    reason text,
    detail text NOT NULL,
    state_hash text,
    hash text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (till_id, seq)
);
CREATE TABLE till_payments (
    till_id uuid NOT NULL REFERENCES tills,
    reference_id text NOT NULL,
    shop text NOT NULL,
    till_name text NOT NULL,
    provider text NOT NULL,
    product text NOT NULL,
    status text NOT NULL,
    amount_minor bigint NOT NULL,
    currency text NOT NULL,
    msisdn text NOT NULL,
    phone_reversed text GENERATED ALWAYS AS (reverse(msisdn)) STORED,
    provider_transaction_id text,
    refund_of text,
    created_at timestamptz NOT NULL,
    seq bigint NOT NULL,  -- the till's event this row is as of
    row jsonb NOT NULL,  -- the till's payments row, whose hash that event holds
    PRIMARY KEY (till_id, reference_id)
);
CREATE INDEX till_payments_by_shop_day ON till_payments (shop, created_at);
-- The newest first (the payments page) and a whole day of every shop.
CREATE INDEX till_payments_newest ON till_payments (created_at, reference_id);
CREATE INDEX till_payments_by_till_day ON till_payments (till_id, created_at);
CREATE INDEX till_payments_by_phone_end ON till_payments (phone_reversed text_pattern_ops);
CREATE INDEX till_payments_by_code ON till_payments (upper(provider_transaction_id));
CREATE INDEX till_payments_by_reference ON till_payments (reference_id);
CREATE TABLE owner_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,  -- who: the owner on the web, or at the hub's command line
    action text NOT NULL,
    detail jsonb NOT NULL,
    hash text NOT NULL
);
CREATE FUNCTION owner_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'owner_log is append-only'; END $$;
CREATE TRIGGER owner_log_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON owner_log
    FOR EACH STATEMENT EXECUTE FUNCTION owner_log_append_only();
"""

# The owner's web view: one password (only its scrypt hash), the failed attempts and the
# lock-out kept here so that they hold across hub processes, and sessions known only by the
# SHA-256 of their token (a leaked database opens no session).
V3 = """
CREATE TABLE owner_account (
    id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),  -- one owner
    password_hash text NOT NULL,
    set_at timestamptz NOT NULL DEFAULT now(),
    failures int NOT NULL DEFAULT 0,  -- failed attempts since the last success or lock-out
    locked_until timestamptz
);
CREATE TABLE owner_sessions (
    token_hash bytea PRIMARY KEY,
    csrf text NOT NULL,  -- carried by every form of this session
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL  -- pushed back at each request: an idle limit
);
CREATE INDEX owner_sessions_by_expiry ON owner_sessions (expires_at);
"""

MIGRATIONS = (
    Migration(1, "callbacks, tills, awaits, customer payments and events", V1),
    Migration(2, "tills' histories, their payments and the owner's log", V2),
    Migration(3, "the owner's web login: password, lock-out and sessions", V3),
)
LATEST = MIGRATIONS[-1].version


async def version(conn: AsyncConnection[Any]) -> int:
    """The schema's version; 0 for a database that is not a hub's yet."""
    cursor = await conn.execute("SELECT to_regclass('hub_schema') IS NOT NULL")
    exists = await cursor.fetchone()
    if not exists or not exists[0]:
        return 0
    cursor = await conn.execute("SELECT coalesce(max(version), 0) FROM hub_schema")
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def migrate(conn: AsyncConnection[Any]) -> list[Migration]:
    """Bring the schema up to date; what was applied. Safe to run from several processes at
    once: they take turns on an advisory lock."""
    applied: list[Migration] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS hub_schema (version int PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        current = await version(conn)
        if current > LATEST:
            raise HubSchemaError(
                f"this hub database has schema version {current}, newer than this pos-app "
                f"knows ({LATEST}): upgrade pos-app"
            )
        for migration in MIGRATIONS:
            if migration.version > current:
                await conn.execute(migration.sql.encode())
                await conn.execute(
                    "INSERT INTO hub_schema (version, name) VALUES (%s, %s)",
                    (migration.version, migration.name),
                )
                applied.append(migration)
    return applied


async def require_current(conn: AsyncConnection[Any]) -> None:
    current = await version(conn)
    if current == 0:
        raise HubSchemaError("this database is not set up as a hub yet: run `pos-app hub init`")
    if current != LATEST:
        raise HubSchemaError(
            f"the hub database has schema version {current}, this pos-app needs {LATEST}: "
            + ("run `pos-app hub init`" if current < LATEST else "upgrade pos-app")
        )
