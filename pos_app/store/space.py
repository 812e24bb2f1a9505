"""Free space on the disk that holds a folder: seen coming before it runs out."""

from __future__ import annotations

import shutil
from pathlib import Path

MB = 1024 * 1024
# Below this, an I/O error while writing is read as the disk being full: a file system out of
# space does not always say ENOSPC (SQLite's -shm growth reports a generic I/O error).
NEARLY_FULL_BYTES = 1 * MB


def existing_folder(path: Path) -> Path:
    """`path` or its nearest existing parent: the disk a folder will be on once created."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return path


def free_bytes(path: Path) -> int | None:
    """Bytes free for this user on the disk holding `path`; None if that cannot be known."""
    try:
        return shutil.disk_usage(existing_folder(path)).free
    except OSError:
        return None


def nearly_full(path: Path) -> bool:
    free = free_bytes(path)
    return free is not None and free < NEARLY_FULL_BYTES


def size_text(count: float) -> str:
    """Bytes for people: "1.9 MB", or "12.0 KB" below a megabyte (never "0.0 MB")."""
    return f"{count / MB:,.1f} MB" if count >= MB else f"{count / 1024:,.1f} KB"
