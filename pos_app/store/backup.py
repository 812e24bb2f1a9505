"""Daily copies of the receipt database, and putting one back.

Copies are made with SQLite's online backup API, so they are consistent even while the window
or a `charge` is writing (copying the file would tear a WAL database). One file per day,
`pos-app-YYYY-MM-DD.sqlite3`: a later backup on the same day replaces that day's file, so each
day's copy holds the day as it was last seen. The newest `keep` days are kept. Each copy is
checked twice: its integrity before it takes the day's name, and its payment count once it has.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from pos_app.domain.money import Money
from pos_app.store import audit, space
from pos_app.store.database import Database
from pos_app.store.db import StoreError, open_database, open_reader
from pos_app.store.faults import DiskFull, classify
from pos_app.store.migrations import MIGRATIONS, schema_version
from pos_app.store.timestamps import from_db_time

_DAILY = re.compile(r"^pos-app-(\d{4}-\d{2}-\d{2})\.sqlite3$")
_WAL_FILES = ("-wal", "-shm")


class BackupError(StoreError):
    pass


def daily_name(day: date) -> str:
    return f"pos-app-{day.isoformat()}.sqlite3"


def backups(folder: Path) -> list[Path]:
    """The daily copies in `folder`, oldest first."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _DAILY.match(p.name))


def beside(path: Path, suffix: str) -> Path:
    """`path` with `suffix` appended to its name: its -wal, -shm or .partial file."""
    return path.with_name(path.name + suffix)


def copy_database(db: Database, target: Path) -> int:
    """A consistent copy of `db` at `target`, checked, then moved into place atomically;
    returns how many payments it holds. `db` may be a read-only connection
    (store.open_reader), e.g. on a worker thread. Raises BackupError, leaving no partial file."""
    partial = beside(target, ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial.unlink(missing_ok=True)
        payments = _copy_snapshot(db, partial)
        os.chmod(partial, 0o600)
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, target)
    except BackupError:
        _remove(partial, beside(partial, "-journal"))
        raise
    except (sqlite3.Error, OSError) as exc:
        message = _cannot(target, exc)  # measured before the partial file frees its space
        _remove(partial, beside(partial, "-journal"))
        raise BackupError(message) from exc
    check_written(target, payments)
    return payments


def _copy_snapshot(db: Database, partial: Path) -> int:
    conn = db.conn
    # One read transaction for the count and the copy: both see the same committed state.
    conn.execute("BEGIN")
    try:
        payments = int(conn.execute("SELECT count(*) FROM payments").fetchone()[0])
        with closing(sqlite3.connect(partial)) as copy:
            conn.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            if copy.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
                raise BackupError(f"the copy at {partial} failed its integrity check")
    finally:
        conn.rollback()
    return payments


def check_written(target: Path, payments: int) -> None:
    """Read the file back under its final name: a copy that does not hold what was copied
    (a failing stick, a share that dropped the write) is removed, not left to be trusted."""
    try:
        reader = open_reader(target)
        try:
            found: int | None = int(reader.execute("SELECT count(*) FROM payments").fetchone()[0])
        finally:
            reader.close()
    except sqlite3.Error:
        found = None
    if found != payments:
        _remove(target)
        held = "cannot be read back" if found is None else f"reads back {found} payment(s)"
        raise BackupError(
            f"the backup at {target} {held}, not the {payments} copied: it was removed"
        )


def _remove(*files: Path) -> None:
    for file in files:
        with contextlib.suppress(OSError):
            file.unlink(missing_ok=True)


def _cannot(target: Path, exc: sqlite3.Error | OSError) -> str:
    if disk_full(exc, target.parent):
        free = space.free_bytes(target.parent)
        left = f" ({space.size_text(free)} free)" if free is not None else ""
        return (
            f"cannot back up to {target}: the disk holding {target.parent} is full{left}; "
            "free some space there or choose another backup folder"
        )
    why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"cannot back up to {target}: {why}"


def disk_full(exc: sqlite3.Error | OSError, folder: Path) -> bool:
    """Whether `exc`, met while writing in `folder`, means its disk is full (an I/O error on
    a nearly full disk included)."""
    return isinstance(classify(exc, folder / "backup"), DiskFull)


@dataclass(frozen=True)
class Written:
    """One folder's part of a backup: `problem` is empty when `target` was written."""

    folder: Path
    target: Path
    payments: int = 0
    problem: str = ""


def daily_backups(database: Path, folders: Sequence[Path], keep: int, today: date) -> list[Written]:
    """Back up `database` as today's copy into each folder and delete all but its newest
    `keep` days there. A folder that fails does not stop the others. Opens its own read-only
    connection, so it can run on a worker thread while the till writes."""
    try:
        reader = open_reader(database)
    except sqlite3.Error as exc:
        return [
            Written(f, f / daily_name(today), problem=f"cannot read {database}: {exc}")
            for f in folders
        ]
    try:
        return [_daily_into(reader, folder, keep, today) for folder in folders]
    finally:
        reader.close()


def _daily_into(reader: Database, folder: Path, keep: int, today: date) -> Written:
    target = folder / daily_name(today)
    try:
        payments = copy_database(reader, target)
    except BackupError as exc:
        return Written(folder, target, problem=str(exc))
    for old in backups(folder)[:-keep]:
        # An old copy that cannot be deleted costs space, not safety: today's copy is made.
        with contextlib.suppress(OSError):
            old.unlink()
    return Written(folder, target, payments)


def daily_backup(database: Path, folder: Path, keep: int, today: date) -> Path:
    """`daily_backups` into one folder; raises BackupError when it fails."""
    [written] = daily_backups(database, [folder], keep, today)
    if written.problem:
        raise BackupError(written.problem)
    return written.target


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
        if not reader.has_table("payments"):
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


def damage(database: Path) -> str | None:
    """What is wrong with `database` if it is damaged (SQLite finds it corrupt or not a
    database, or its quick check fails); None when it is not, or is not there. Read-only."""
    if not database.is_file():
        return None
    try:
        reader = open_reader(database)
        try:
            rows = reader.execute("PRAGMA quick_check").fetchall()
        finally:
            reader.close()
    except sqlite3.DatabaseError as exc:
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        return str(exc) if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) else None
    if rows == [("ok",)]:
        return None
    return "; ".join(str(row[0]) for row in rows[:3])


@dataclass(frozen=True)
class Dropped:
    """A payment as the current database has it, which the backup lacks or has otherwise."""

    reference_id: str
    created_at: datetime
    amount: Money
    status: str
    in_backup: str | None  # its status in the backup; None: not there


@dataclass(frozen=True)
class Loss:
    """What restoring a backup would take away from the current database."""

    missing: int  # payments the backup lacks
    changed: int  # payments whose status the backup has otherwise
    examples: list[Dropped]  # newest first, missing ones before changed ones

    @property
    def nothing(self) -> bool:
        return self.missing == 0 and self.changed == 0


_MISSING = """SELECT c.reference_id, c.created_at, c.amount_minor, c.currency, c.status, NULL
    FROM present.payments AS c
    WHERE c.reference_id NOT IN (SELECT reference_id FROM main.payments)"""
_CHANGED = """SELECT c.reference_id, c.created_at, c.amount_minor, c.currency, c.status, b.status
    FROM present.payments AS c JOIN main.payments AS b USING (reference_id)
    WHERE c.status != b.status"""


def loss(source: Path, database: Path, limit: int = 10) -> Loss:
    """What `database` has that the backup `source` lacks, by payment reference and status.
    Both files are only read. Raises BackupError when `database` cannot be read or is
    damaged: then nothing can be counted."""
    reader = open_reader(source)
    try:
        reader.execute("ATTACH DATABASE ? AS present", [f"{database.resolve().as_uri()}?mode=ro"])
        check = reader.execute("PRAGMA present.quick_check").fetchall()
        if check != [("ok",)]:
            problem = "; ".join(str(row[0]) for row in check[:3])
            raise BackupError(f"the current database {database} is damaged ({problem})")
        return _compare(reader, limit)
    except sqlite3.Error as exc:
        raise BackupError(f"the current database {database} cannot be read ({exc})") from exc
    finally:
        reader.close()


def _compare(reader: Database, limit: int) -> Loss:
    counts = [
        int(reader.execute(f"SELECT count(*) FROM ({query})").fetchone()[0])
        for query in (_MISSING, _CHANGED)
    ]
    rows = reader.execute(
        f"SELECT * FROM ({_MISSING} ORDER BY c.created_at DESC LIMIT ?) "
        f"UNION ALL SELECT * FROM ({_CHANGED} ORDER BY c.created_at DESC LIMIT ?)",
        [limit, limit],
    ).fetchall()
    examples = [
        Dropped(ref, from_db_time(at), Money(int(minor), str(currency)), str(status), before)
        for ref, at, minor, currency, status, before in rows[:limit]
    ]
    return Loss(counts[0], counts[1], examples)


def restore(
    source: Path, database: Path, safety_folder: Path, now: datetime
) -> tuple[Checked, Path]:
    """Replace `database` with `source` once `check_backup` passes, after keeping the current
    database in `safety_folder`; returns the check and where the current one was kept.
    Nothing changes if a check fails. A damaged database is kept aside as it is (with its
    -wal and -shm files) and replaced whole. Other pos-app processes must be closed (SQLite's
    locks make them wait or fail, not corrupt the file)."""
    checked = check_backup(source)
    kept = safety_folder / f"pos-app-before-restore-{now:%Y%m%d-%H%M%S}.sqlite3"
    if damage(database) is None:
        _restore_into(source, database, kept)
    else:
        _replace_damaged(source, database, kept)
    # Bring the restored file to this version's schema (an older backup gains the hash chain).
    open_database(database).close()
    return checked, kept


def _restore_into(source: Path, database: Path, kept: Path) -> None:
    current = open_database(database, migrate=False)
    try:
        copy_database(current, kept)
        reader = open_reader(source)
        try:
            reader.conn.backup(current.conn)
        finally:
            reader.close()
    finally:
        current.close()


def _replace_damaged(source: Path, database: Path, kept: Path) -> None:
    """SQLite cannot open a damaged file to copy into it: the backup is copied beside it and
    renamed over it. Its old -wal must go with it, or SQLite would replay it onto the backup."""
    parts = [(beside(database, s), beside(kept, s)) for s in ("", *_WAL_FILES)]
    try:
        kept.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        for part, aside in parts:
            if part.exists():
                shutil.copy2(part, aside)
    except OSError as exc:
        _remove(*(aside for _, aside in parts))
        raise BackupError(f"cannot keep the damaged database at {kept}: {exc.strerror}") from exc
    incoming = beside(database, ".restoring")
    reader = open_reader(source)
    try:
        copy_database(reader, incoming)
    finally:
        reader.close()
    try:
        for suffix in _WAL_FILES:
            beside(database, suffix).unlink(missing_ok=True)
        os.replace(incoming, database)
    except OSError as exc:
        _remove(incoming)
        raise BackupError(f"cannot replace {database}: {exc.strerror}") from exc
