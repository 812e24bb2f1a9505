"""Daily copies of the receipt database, and putting one back.

Copies are made with SQLite's online backup API, so they are consistent even while the window
or a `charge` is writing (copying the file would tear a WAL database). One file per day,
`pos-app-YYYY-MM-DD.sqlite3`: a later backup on the same day replaces that day's file, so each
day's copy holds the day as it was last seen. The newest `keep` days are kept.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlite_utils import Database

from pos_app.store import audit
from pos_app.store.db import StoreError, open_database, open_reader
from pos_app.store.migrations import MIGRATIONS, schema_version

_DAILY = re.compile(r"^pos-app-(\d{4}-\d{2}-\d{2})\.sqlite3$")


class BackupError(StoreError):
    pass


def daily_name(day: date) -> str:
    return f"pos-app-{day.isoformat()}.sqlite3"


def backups(folder: Path) -> list[Path]:
    """The daily copies in `folder`, oldest first."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _DAILY.match(p.name))


def copy_database(db: Database, target: Path) -> None:
    """A consistent copy of `db` at `target`, checked, then moved into place atomically.
    `db` may be a read-only connection (store.open_reader), e.g. on a worker thread."""
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial.unlink(missing_ok=True)
        with closing(sqlite3.connect(partial)) as copy:
            db.conn.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            if copy.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
                raise BackupError(f"the copy at {partial} failed its integrity check")
        os.chmod(partial, 0o600)
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        why = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise BackupError(f"cannot back up to {target}: {why}") from exc


def daily_backup(database: Path, folder: Path, keep: int, today: date) -> Path:
    """Back up `database` as today's copy and delete all but the newest `keep` days. Opens
    its own read-only connection, so it can run on a worker thread while the till writes."""
    target = folder / daily_name(today)
    reader = open_reader(database)
    try:
        copy_database(reader, target)
    finally:
        reader.close()
    for old in backups(folder)[:-keep]:
        old.unlink()
    return target


@dataclass(frozen=True)
class Checked:
    schema: int
    payments: int
    events: int
    verdict: audit.Verdict | None  # None: written before the hash chain existed


def examine(path: Path) -> Checked:
    """Read a database file without changing it: whole (integrity check), a pos-app database
    this version can read, and its history checked when it has the hash chain. Raises
    BackupError when it is none of those; a broken chain is in the verdict, not raised."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    reader = open_reader(path)
    try:
        if reader.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
            raise BackupError(f"{path}: damaged (integrity check failed)")
        if not reader["payments"].exists():
            raise BackupError(f"{path}: not a pos-app database")
        version = schema_version(reader)
        if version > len(MIGRATIONS):
            raise BackupError(f"{path}: written by a newer pos-app (schema {version})")
        if version >= audit.CHAINED_SCHEMA:
            verdict = audit.verify(reader)
            if verdict.intact:
                return Checked(version, verdict.payments, verdict.events, verdict)
        else:
            verdict = None
        payments = int(reader.execute("SELECT count(*) FROM payments").fetchone()[0])
        events = int(reader.execute("SELECT count(*) FROM payment_events").fetchone()[0])
        return Checked(version, payments, events, verdict)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a readable database ({exc})") from exc
    finally:
        reader.close()


def check_backup(path: Path) -> Checked:
    """Everything `restore` requires of a file: `examine` passes and the history is intact."""
    checked = examine(path)
    if checked.verdict is not None and not checked.verdict.intact:
        raise BackupError(f"{path}: its history was edited ({checked.verdict.problem})")
    return checked


def restore(
    source: Path, database: Path, safety_folder: Path, now: datetime
) -> tuple[Checked, Path]:
    """Replace `database` with `source` once `check_backup` passes, after keeping the current
    database in `safety_folder`; returns the check and where the current one was kept.
    Nothing changes if a check fails. Other pos-app processes must be closed (SQLite's locks
    make them wait or fail, not corrupt the file)."""
    checked = check_backup(source)
    current = open_database(database, migrate=False)
    try:
        kept = safety_folder / f"pos-app-before-restore-{now:%Y%m%d-%H%M%S}.sqlite3"
        copy_database(current, kept)
        reader = open_reader(source)
        try:
            reader.conn.backup(current.conn)
        finally:
            reader.close()
    finally:
        current.close()
    # Bring the restored file to this version's schema (an older backup gains the hash chain).
    open_database(database).close()
    return checked, kept
