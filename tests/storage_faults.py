"""A small real file system for storage faults: a tmpfs of a chosen size, filled on demand,
remounted read-only (CI runs as root; elsewhere the tests say why they skip)."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SKIP_WHY = (
    "cannot mount a small file system here ({0}); the same moments are covered by injected "
    "SQLite errors in tests/integration/test_storage_faults.py"
)


@contextmanager
def mounted_tmpfs(folder: Path, size: str = "300k") -> Iterator[None]:
    """A tmpfs of `size` mounted on the existing `folder` for the duration."""
    if sys.platform != "linux":
        pytest.skip(SKIP_WHY.format("Linux only"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(SKIP_WHY.format(mounted.stderr.strip() or "mount failed; needs root"))
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@contextmanager
def small_disk(where: Path, size: str = "2m") -> Iterator[Path]:
    """The folder `where`, created, on a file system of its own of `size`."""
    where.mkdir(parents=True, exist_ok=True)
    with mounted_tmpfs(where, size):
        yield where


def fill(disk: Path, leave: int = 0) -> Path:
    """Take every byte on `disk` but `leave`; delete the returned file to give them back."""
    filler = disk / "filler"
    if leave:
        with open(filler, "ab") as out:
            out.write(b"\0" * max(0, shutil.disk_usage(disk).free - leave))
        return filler
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for chunk in (1 << 16, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    finally:
        os.close(fd)
    return filler


def remount(disk: Path, mode: str) -> None:
    """`mode` "ro" or "rw"; every file on it must be closed for writing first."""
    subprocess.run(["mount", "-o", f"remount,{mode}", str(disk)], check=True)
