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

from sqlite_utils import Database

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
        except sqlite3.OperationalError as exc:
            # Another pos-app is creating or migrating the file: wait for it, as for a write.
            if not _busy(exc) or time.monotonic() > deadline:
                raise classify(exc, path, waited=BUSY_TIMEOUT_SECONDS) from exc
            time.sleep(0.05)
    db = Database(conn)
    if migrate:
        from pos_app.store.migrations import migrate as run_migrations

        try:
            run_migrations(db)
        except sqlite3.Error as exc:
            db.close()
            raise classify(exc, path, waited=BUSY_TIMEOUT_SECONDS) from exc
        except BaseException:
            db.close()
            raise
    return db


def _open_read_only(path: Path) -> Database:
    """Reading from a write-protected stick, a read-only disk or another user's folder."""
    from pos_app.store.migrations import MIGRATIONS, schema_version

    query = "mode=ro"
    if not path.with_name(path.name + "-wal").exists():
        # No -wal: no process has the file open (the last to close removes it), and SQLite
        # cannot make the -shm it needs beside a file it may not write, so read it as is.
        query = "immutable=1"
    try:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?{query}", uri=True, timeout=BUSY_TIMEOUT_SECONDS
        )
    except sqlite3.Error as exc:
        raise classify(exc, path, waited=BUSY_TIMEOUT_SECONDS) from exc
    try:
        _check(conn, path)
        db = Database(conn)
        version = schema_version(db)
    except sqlite3.Error as exc:
        conn.close()
        raise classify(exc, path, waited=BUSY_TIMEOUT_SECONDS) from exc
    except BaseException:
        conn.close()
        raise
    if version > len(MIGRATIONS):
        conn.close()
        raise DatabaseTooNew(f"{path} was written by a newer pos-app (schema {version})")
    if version != len(MIGRATIONS):
        conn.close()
        raise CannotWrite(
            f"{cannot_write(path)} This file was written by another version of pos-app "
            f"(schema {version}) and can be read only once this version has updated it."
        )
    return db


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


def _busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _check(conn: sqlite3.Connection, path: Path) -> None:
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    check = conn.execute("PRAGMA quick_check").fetchall()
    if check != [("ok",)]:
        problems = "; ".join(str(row[0]) for row in check[:3])
        raise DatabaseDamaged(damaged(path, problems))


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS)
    try:
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
    except sqlite3.OperationalError as exc:
        conn.close()
        if _busy(exc):
            raise
        raise classify(exc, path) from exc
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise classify(exc, path) from exc
    except BaseException:
        conn.close()
        raise
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


def database_file(conn: sqlite3.Connection) -> Path:
    for row in conn.execute("PRAGMA database_list").fetchall():
        if row[1] == "main" and row[2]:
            return Path(row[2])
    return Path(":memory:")
