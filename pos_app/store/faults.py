"""What went wrong with the receipt database's storage, named truthfully.

A full disk, a read-only stick, a file held by an antivirus and a damaged file all surface from
SQLite as an OperationalError. Only real damage may suggest a restore: following that advice on
a good file would replace it with an older backup and lose the payments made since.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from pos_app.store.space import free_bytes, nearly_full, size_text

# Windows: ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION (another program has the file open).
_WINDOWS_HELD = (32, 33)
# I/O errors taking or giving up a lock, or deleting a journal another program has open: on
# Windows what an antivirus or backup tool holding the file looks like.
_HELD_IOERRS = frozenset(
    {
        sqlite3.SQLITE_IOERR_LOCK,
        sqlite3.SQLITE_IOERR_RDLOCK,
        sqlite3.SQLITE_IOERR_UNLOCK,
        sqlite3.SQLITE_IOERR_CHECKRESERVEDLOCK,
        sqlite3.SQLITE_IOERR_SHMLOCK,
        sqlite3.SQLITE_IOERR_DELETE,
    }
)
# EDQUOT (over quota) is a full disk for this user; Windows has no such errno.
_FULL_ERRNOS = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


class StoreError(Exception):
    """The database cannot be used; the message says what to do."""


class DatabaseDamaged(StoreError):
    """The file itself is broken: the only fault for which a restore is the advice."""


class DatabaseTooNew(StoreError):
    pass


class StorageFault(StoreError):
    """The file is fine, its storage is not: lift the fault and the same command works."""


class DiskFull(StorageFault):
    pass


class CannotWrite(StorageFault):
    """Read-only media, or no permission to write the folder or the file."""


class DatabaseBusy(StorageFault):
    """Held by another program (or another pos-app) past the busy timeout."""


class DiskFailing(StorageFault):
    """Another I/O error: the disk or its connection may be failing."""


def classify(exc: BaseException, path: Path, *, waited: float = 0.0) -> StoreError:
    """The fault behind `exc` (raised while using the database at `path`), with a message in
    the cashier's words saying what to do. `waited`: the busy timeout, for the message."""
    code = _code(exc)
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return DatabaseDamaged(damaged(path, str(exc)))
    held = getattr(exc, "winerror", None) in _WINDOWS_HELD or _extended(exc) in _HELD_IOERRS
    if held or code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return DatabaseBusy(busy(path, waited))
    if code == sqlite3.SQLITE_FULL or _os_error(exc, *_FULL_ERRNOS):
        return DiskFull(full(path))
    gave_up = code in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN) or _os_error(exc, errno.EIO)
    refused = code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM) or _os_error(
        exc, errno.EROFS, errno.EACCES, errno.EPERM
    )
    # Before "nearly full": read-only media (a CD image, a locked card) report no free space.
    if refused or (gave_up and not writable(path)):
        return CannotWrite(cannot_write(path))
    if gave_up and nearly_full(path.parent):
        # A full disk often reads as an I/O error: SQLite cannot grow its -shm file.
        return DiskFull(full(path))
    if gave_up:
        return DiskFailing(failing(path, str(exc)))
    return StoreError(f"The receipt database {path} cannot be used ({exc}). Nothing was changed.")


def _os_error(exc: BaseException, *numbers: int) -> bool:
    return isinstance(exc, OSError) and exc.errno in numbers


def _extended(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code if isinstance(code, int) else None


def _code(exc: BaseException) -> int | None:
    """SQLite's primary result code (the low byte of the extended one)."""
    code = _extended(exc)
    return code & 0xFF if code is not None else None


def read_only_media(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # AttributeError: no statvfs on Windows
        return False


def writable(path: Path) -> bool:
    """Whether this user can write the database: its folder (SQLite creates -wal and -shm
    files beside it) and the file itself when it exists."""
    folder = path.parent
    if read_only_media(folder) or not os.access(folder, os.W_OK):
        return False
    return not path.exists() or os.access(path, os.W_OK)


def full(path: Path) -> str:
    free = free_bytes(path.parent)
    left = f" ({size_text(free)} free)" if free is not None else ""
    return (
        f"The disk that holds the receipts is full{left}: {path.parent}. No receipt is lost. "
        "Free some space on that disk (empty the recycle bin, move videos or old files "
        "away), then try again."
    )


def cannot_write(path: Path) -> str:
    folder = path.parent
    if read_only_media(folder):
        why = (
            "its disk is read-only (a write-protected stick or card, or a disk the system "
            "switched to read-only after errors)"
        )
        fix = "Make the disk writable again, or move the data folder to a writable disk"
    else:
        why = "this user has no permission to write there"
        fix = (
            "Give this user permission to write the folder and the files in it (or start "
            "pos-app as the user who owns them)"
        )
    return (
        f"The receipts folder {folder} cannot be written to: {why}. {fix}. Receipts and "
        "reports can still be read."
    )


def busy(path: Path, waited: float) -> str:
    return (
        f"The receipt database {path} is held by another program (an antivirus or backup "
        f"tool, a file-sync program, or another pos-app) and stayed locked for {waited:g} "
        "seconds. Close that program, or exclude the folder "
        f"{path.parent} from its scan, then try again."
    )


def failing(path: Path, problem: str) -> str:
    return (
        f"The disk that holds {path} could not be read or written ({problem}). The disk or "
        "its cable may be failing: copy the whole data folder to another disk while it "
        "still reads, then have the disk checked."
    )


def damaged(path: Path, problem: str) -> str:
    return (
        f"The receipt database {path} is damaged ({problem}). Nothing was changed. "
        "Close pos-app and restore the file from a backup (`pos-app restore FILE`: it keeps "
        "this file aside and says which payments the backup lacks)."
    )
