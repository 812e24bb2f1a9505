"""Opening the database file safely: private permissions, durable settings, integrity check."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pos_app.store.database import Database
from pos_app.store.faults import (
    CannotWrite,
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseTooNew,
    StoreError,
    cannot_write,
    classify,
    damaged,
    writable,
)

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "DatabaseBusy",
    "DatabaseDamaged",
    "DatabaseTooNew",
    "StoreError",
    "open_database",
    "open_reader",
    "write_transaction",
]

# Another pos-app process (a second `charge`, the window) may hold the write lock briefly.
BUSY_TIMEOUT_SECONDS = 10.0


def open_database(path: Path, *, migrate: bool = True, read_only_ok: bool = False) -> Database:
    """Open (creating if needed) the receipt database and bring its schema up to date.
    `read_only_ok`: a file that cannot be written (read-only media, no permission) is opened
    for reading instead of refused, for the commands that only read."""
    try:
        return _open_writable(path, migrate)
    except CannotWrite:
        if not read_only_ok or not path.is_file():
            raise
        return _open_read_only(path)


def _open_writable(path: Path, migrate: bool) -> Database:
    try:
        _create_private(path)
    except OSError as exc:
        raise classify(exc, path) from exc
    if not writable(path):
        # SQLite would open it and fail at the first write, after a push was prepared.
        raise CannotWrite(cannot_write(path))
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            conn = _connect(path)
            break
        except DatabaseBusy:
            # Another pos-app is creating or migrating the file: wait for it, as for a write.
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    db = Database(conn)
    if migrate:
        from pos_app.store.migrations import migrate as run_migrations

        with _closed_on_failure(conn, path):
            run_migrations(db)
    return db


def _open_read_only(path: Path) -> Database:
    """Reading from a write-protected stick, a read-only disk or another user's folder."""
    from pos_app.store.migrations import MIGRATIONS, refuse_newer, schema_version

    conn = read_as_is(path)
    with _closed_on_failure(conn, path):
        _check(conn, path)
        db = Database(conn)
        version = schema_version(db)
        refuse_newer(version)
        if version < len(MIGRATIONS):
            raise CannotWrite(
                f"{cannot_write(path)} This file was written by an older pos-app (schema "
                f"{version}) and can be read once this version has updated it, where it can "
                "be written."
            )
    return db


@contextmanager
def _closed_on_failure(conn: sqlite3.Connection, path: Path) -> Iterator[None]:
    """Work on a connection just opened: any failure closes it, SQLite's named as a fault."""
    try:
        yield
    except sqlite3.Error as exc:
        conn.close()
        raise classify(exc, path, waited=BUSY_TIMEOUT_SECONDS) from exc
    except BaseException:
        conn.close()
        raise


def open_reader(path: Path) -> Database:
    """A read-only connection for a worker thread (the file is already open and checked)."""
    conn = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode=ro",
        uri=True,
        timeout=BUSY_TIMEOUT_SECONDS,
        check_same_thread=False,  # made in the worker's thread, closed from the owner's
    )
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    return Database(conn)


def _check(conn: sqlite3.Connection, path: Path) -> None:
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    check = conn.execute("PRAGMA quick_check").fetchall()
    if check != [("ok",)]:
        problems = "; ".join(str(row[0]) for row in check[:3])
        raise DatabaseDamaged(damaged(path, problems))


def read_as_is(path: Path) -> sqlite3.Connection:
    """A connection that writes nothing, not even beside the file. Without a -wal no process
    has the file open (the last to close removes it), so it is read as immutable: SQLite
    could not make the -shm it needs beside a file it may not write, and a read-only
    connection would leave an empty -wal and -shm behind."""
    wal = path.with_name(path.name + "-wal")
    return _sqlite_connect(path, "mode=ro" if wal.exists() else "immutable=1")


def _sqlite_connect(path: Path, query: str = "") -> sqlite3.Connection:
    """A connection to `path` (with URI parameters `query`); SQLite's error named as a fault."""
    target = f"{path.resolve().as_uri()}?{query}" if query else str(path)
    try:
        return sqlite3.connect(target, uri=bool(query), timeout=BUSY_TIMEOUT_SECONDS)
    except sqlite3.Error as exc:
        raise classify(exc, path, waited=BUSY_TIMEOUT_SECONDS) from exc


def _connect(path: Path) -> sqlite3.Connection:
    conn = _sqlite_connect(path)
    with _closed_on_failure(conn, path):
        _check(conn, path)
        # WAL is a property of the file: switch only once (switching needs an exclusive lock).
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"{path}: cannot switch to WAL journaling (got {mode})")
        # FULL: a payment the app reported as saved survives a power cut.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _create_private(path: Path) -> None:
    """Create the file readable by its owner only; tighten an existing file's permissions."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, 0o600)
    else:
        os.close(fd)


@contextmanager
def write_transaction(db: Database) -> Iterator[None]:
    """One atomic write. IMMEDIATE takes the write lock up front, so a read-then-write cannot
    deadlock with another process doing the same (it waits for the busy timeout instead).
    A storage problem is raised as the StoreError that names it; nothing is written then."""
    conn = db.conn
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.commit()
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.rollback()
            raise
    except sqlite3.DatabaseError as exc:
        if type(exc) not in (sqlite3.OperationalError, sqlite3.DatabaseError):
            raise  # a constraint or a programming error: not the storage's fault
        raise classify(exc, database_file(conn), waited=BUSY_TIMEOUT_SECONDS) from exc


MEMORY = Path(":memory:")


def database_file(conn: sqlite3.Connection) -> Path:
    """The connection's main database file (MEMORY for one in memory)."""
    for row in conn.execute("PRAGMA database_list").fetchall():
        if row[1] == "main" and row[2]:
            return Path(row[2])
    return MEMORY
