"""Opening the database file safely: private permissions, durable settings, integrity check."""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

# Another pos-app process (a second `charge`, the window) may hold the write lock briefly.
BUSY_TIMEOUT_SECONDS = 10.0


class StoreError(Exception):
    """The database cannot be used; the message says what to do."""


class DatabaseDamaged(StoreError):
    pass


class DatabaseTooNew(StoreError):
    pass


class DatabaseBusy(StoreError):
    pass


def open_database(path: Path, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the receipt database and bring its schema up to date."""
    _create_private(path)
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            conn = _connect(path)
            break
        except sqlite3.OperationalError as exc:
            # Another pos-app is creating or migrating the file: wait for it, as for a write.
            if not _busy(exc) or time.monotonic() > deadline:
                raise DatabaseBusy(
                    f"The receipt database {path} stayed locked by another "
                    f"program ({exc}); try again."
                ) from exc
            time.sleep(0.05)
    db = Database(conn)
    if migrate:
        from pos_app.store.migrations import migrate as run_migrations

        try:
            run_migrations(db)
        except sqlite3.OperationalError as exc:
            db.close()
            if _busy(exc):
                raise DatabaseBusy(
                    f"The receipt database {path} stayed locked by another "
                    f"program ({exc}); try again."
                ) from exc
            raise
        except BaseException:
            db.close()
            raise
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


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        check = conn.execute("PRAGMA quick_check").fetchall()
        if check != [("ok",)]:
            problems = "; ".join(str(row[0]) for row in check[:3])
            raise DatabaseDamaged(_damaged(path, problems))
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
        raise DatabaseDamaged(_damaged(path, str(exc))) from exc
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DatabaseDamaged(_damaged(path, str(exc))) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _damaged(path: Path, problem: str) -> str:
    return (
        f"The receipt database {path} is damaged ({problem}). Nothing was changed. "
        "Close pos-app and restore the file from a backup (copy the .sqlite3 file together "
        "with its -wal and -shm files)."
    )


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
    deadlock with another process doing the same (it waits for the busy timeout instead)."""
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise
    else:
        conn.commit()
