"""Storage faults named truthfully: each SQLite and OS error is told apart, and only real damage
advises a restore (following that advice on a good file would lose the newer payments)."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from pos_app.store import (
    CannotWrite,
    DatabaseBusy,
    DatabaseDamaged,
    DiskFailing,
    DiskFull,
    StoreError,
    open_database,
)
from pos_app.store.database import Database
from pos_app.store.faults import classify
from pos_app.store.migrations import MIGRATIONS, migrate, schema_version
from tests.storage_faults import fill, remount, small_disk

NOBODY = 65534


def sqlite_error(name: str, code: int, text: str) -> sqlite3.OperationalError:
    """An error as SQLite raises it (Python fills in the same two attributes)."""
    error = sqlite3.OperationalError(text)
    error.sqlite_errorcode = code
    error.sqlite_errorname = name
    return error


@pytest.mark.parametrize(
    ("error", "kind", "says"),
    [
        (sqlite_error("SQLITE_FULL", 13, "database or disk is full"), DiskFull, "full"),
        (OSError(errno.ENOSPC, "No space left on device"), DiskFull, "full"),
        (
            sqlite_error("SQLITE_READONLY", 8, "attempt to write a readonly database"),
            CannotWrite,
            "cannot be written to",
        ),
        (OSError(errno.EROFS, "Read-only file system"), CannotWrite, "cannot be written to"),
        (OSError(errno.EACCES, "Permission denied"), CannotWrite, "permission"),
        (sqlite_error("SQLITE_BUSY", 5, "database is locked"), DatabaseBusy, "antivirus"),
        (sqlite_error("SQLITE_LOCKED", 6, "database table is locked"), DatabaseBusy, "another"),
        (
            sqlite_error("SQLITE_CORRUPT", 11, "database disk image is malformed"),
            DatabaseDamaged,
            "restore",
        ),
        (sqlite_error("SQLITE_NOTADB", 26, "file is not a database"), DatabaseDamaged, "restore"),
        (sqlite_error("SQLITE_IOERR_READ", 266, "disk I/O error"), DiskFailing, "failing"),
        # What a Windows antivirus holding the file looks like: a lock that cannot be taken.
        (sqlite_error("SQLITE_IOERR_LOCK", 3850, "disk I/O error"), DatabaseBusy, "antivirus"),
        (OSError(errno.EIO, "Input/output error"), DiskFailing, "failing"),
    ],
)
def test_each_fault_has_its_own_name_and_advice(
    tmp_path: Path, error: BaseException, kind: type[StoreError], says: str
) -> None:
    fault = classify(error, tmp_path / "pos.sqlite3", waited=10)
    assert type(fault) is kind
    text = str(fault)
    assert says in text
    # Only damage advises a restore; only a full disk says full.
    assert ("restore" in text) == (kind is DatabaseDamaged)
    assert ("damaged" in text) == (kind is DatabaseDamaged)
    assert (" full" in text) == (kind is DiskFull)


def test_a_file_held_open_by_another_windows_program() -> None:
    held = OSError(errno.EACCES, "The process cannot access the file")
    held.winerror = 32  # type: ignore[attr-defined]  # ERROR_SHARING_VIOLATION
    assert isinstance(classify(held, Path("C:/pos/pos.sqlite3")), DatabaseBusy)


def test_an_io_error_on_a_nearly_full_disk_is_a_full_disk(tmp_path: Path) -> None:
    """SQLite reports a full disk as an I/O error when it cannot grow its -shm file."""
    shm = sqlite_error("SQLITE_IOERR_SHMSIZE", 4874, "disk I/O error")
    with small_disk(tmp_path / "disk", "512k") as disk:
        assert isinstance(classify(shm, disk / "pos.sqlite3"), DiskFull)  # 512 KB is nearly full
    assert isinstance(classify(shm, tmp_path / "pos.sqlite3"), DiskFailing)


def test_read_only_media_is_not_called_full(tmp_path: Path) -> None:
    """A read-only file system reports no free space: its I/O errors mean "cannot write"."""
    shm = sqlite_error("SQLITE_IOERR_SHMSIZE", 4874, "disk I/O error")
    with small_disk(tmp_path / "disk", "512k") as disk:
        remount(disk, "ro")
        fault = classify(shm, disk / "pos.sqlite3")
        remount(disk, "rw")
    assert isinstance(fault, CannotWrite) and "read-only" in str(fault)


def test_a_migration_on_a_full_disk_changes_nothing_and_runs_once_space_returns(
    tmp_path: Path,
) -> None:
    with small_disk(tmp_path / "disk") as disk:
        path = disk / "pos.sqlite3"
        old = Database(sqlite3.connect(path))
        old.execute("PRAGMA journal_mode = WAL")
        migrate(old, MIGRATIONS[:-1])  # a file from the version before this one
        old.close()
        filler = fill(disk)

        with pytest.raises(DiskFull, match="full"):
            open_database(path)

        filler.unlink()
        db = open_database(path)
        assert schema_version(db) == len(MIGRATIONS)
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        db.close()


def test_read_only_media_is_read_but_never_written(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        path = disk / "pos.sqlite3"
        open_database(path).close()
        remount(disk, "ro")
        with pytest.raises(CannotWrite, match="read-only"):
            open_database(path)
        reader = open_database(path, read_only_ok=True)
        assert schema_version(reader) == len(MIGRATIONS)
        with pytest.raises(sqlite3.OperationalError):
            reader.execute("CREATE TABLE x (y)")
        reader.close()
        remount(disk, "rw")


def test_a_new_database_in_a_read_only_folder_is_refused_plainly(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        remount(disk, "ro")
        with pytest.raises(CannotWrite, match="cannot be written to"):
            open_database(disk / "data" / "pos.sqlite3", read_only_ok=True)
        remount(disk, "rw")


def as_nobody(work: Callable[[], object]) -> str:
    """Run `work` in a forked child as the unprivileged user `nobody`; what it returned or
    raised, as text (root passes every permission check, so it cannot test them itself)."""
    if os.getuid() != 0:
        pytest.skip("only root can act as another user here")
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.close(read)
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            result = repr(work())
        except BaseException as exc:
            result = f"{type(exc).__name__}: {exc}"
        os.write(write, result.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as answer:
        result = answer.read().decode()
    os.waitpid(child, 0)
    return result


def test_a_file_this_user_may_not_write_is_refused_plainly_and_still_read(tmp_path: Path) -> None:
    folder = Path(tempfile.mkdtemp(prefix="pos-app-", dir="/tmp"))  # reachable by nobody
    try:
        folder.chmod(0o755)  # root's: nobody may read in it, not create files
        path = folder / "pos.sqlite3"
        open_database(path).close()
        path.chmod(0o644)  # readable, not writable, by others

        refused = as_nobody(lambda: open_database(path))
        assert refused.startswith("CannotWrite: ")
        assert "no permission to write" in refused and "damaged" not in refused

        def payments() -> int:
            db = open_database(path, read_only_ok=True)
            try:
                return int(db.execute("SELECT count(*) FROM payments").fetchone()[0])
            finally:
                db.close()

        assert as_nobody(payments) == "0"
        assert stat.S_IMODE(path.stat().st_mode) == 0o644  # nothing was changed
    finally:
        shutil.rmtree(folder)
