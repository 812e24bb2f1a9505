"""`doctor`'s storage lines: free space, the database's size and growth, the last backups.

Seen coming, a full disk or a lost disk is an afternoon's errand; met at the counter, it is a
day's takings. Everything here only reads: the database is opened read-only, never created.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pos_app.platform.config import Config
from pos_app.store import StoreError
from pos_app.store.backup import backups, beside, check_backup, daily_name
from pos_app.store.db import read_as_is
from pos_app.store.space import MB, NEARLY_FULL_BYTES, existing_folder, free_bytes, size_text
from pos_app.store.timestamps import from_db_time

OK, WARN, FIX = "OK", "WARN", "FIX"
Line = tuple[str, str]
FEW_DAYS_LEFT = 30  # at the present growth: time to free space or move the data folder
GROWTH_HISTORY = timedelta(days=1)  # less than this, a day's rate would be a guess


def storage_lines(config: Config, database: Path) -> list[Line]:
    """doctor lines, each OK, WARN (should be seen to) or FIX (does not work)."""
    now = datetime.now(UTC)
    free = free_bytes(database.parent)
    lines = [free_space_line(database.parent, free, config.backup.free_space_floor_mb)]
    lines.append(database_line(database, free, now))
    for folder in config.backup.effective_folders:
        lines.append(backup_line(folder, datetime.now(config.zone()), now))
    lines.append(second_folder_line(config, database.parent))
    return lines


def free_space_line(folder: Path, free: int | None, floor_mb: int) -> Line:
    if free is None:
        return WARN, f"free space: cannot be read for the disk holding {folder}"
    if free < NEARLY_FULL_BYTES:
        return FIX, (
            f"free space: the disk holding {folder} is full ({size_text(free)} free): no payment "
            "can be saved; free space on it (empty the recycle bin, move files away)"
        )
    if free < floor_mb * MB:
        return WARN, (
            f"free space: {size_text(free)} on the disk holding {folder}, less than the "
            f"{floor_mb} MB floor ([backup] free_space_floor_mb): free space on it soon"
        )
    return OK, f"free space: {size_text(free)} on the disk holding {folder}"


def database_bytes(database: Path) -> int:
    """The file and its -wal: what the database takes on the disk now."""
    total = 0
    for part in (database, beside(database, "-wal")):
        try:
            total += part.stat().st_size
        except OSError:
            continue
    return total


def oldest_payment(database: Path) -> datetime | None:
    """When the first payment was made; raises sqlite3.Error or StoreError if unreadable."""
    with closing(read_as_is(database)) as reader:
        row = reader.execute("SELECT min(created_at) FROM payments").fetchone()
    return from_db_time(row[0]) if row and row[0] else None


def database_line(database: Path, free: int | None, now: datetime) -> Line:
    if not database.is_file():
        return OK, f"database size: no database yet at {database}"
    used = database_bytes(database)
    text = f"database size: {size_text(used)} ({database.name} and its -wal)"
    try:
        since = oldest_payment(database)
    except (sqlite3.Error, StoreError) as exc:
        return WARN, f"{text}; its growth cannot be read ({exc})"
    if since is None or now - since < GROWTH_HISTORY:
        return OK, f"{text}; growth: not enough history yet"
    per_day = used / ((now - since) / timedelta(days=1))
    text += f", growing about {size_text(per_day)} a day since {since:%Y-%m-%d}"
    if free is None or per_day <= 0:
        return OK, text
    days_left = int(free / per_day)
    text += f"; about {days_left:,} days of space left at that rate"
    return (WARN if days_left < FEW_DAYS_LEFT else OK), text


def age(seconds: float) -> str:
    hours = seconds / 3600
    if hours < 1:
        return f"{max(0, int(seconds // 60))} minute(s)"
    if hours < 48:
        return f"{int(hours)} hour(s)"
    return f"{int(hours // 24)} day(s)"


def backup_line(folder: Path, shop_now: datetime, now: datetime) -> Line:
    """The newest copy in `folder`: good if it is today's or yesterday's (the shop's days)
    and `restore` would accept it. Only the newest is examined: each one reads a whole file."""
    found = backups(folder)
    if not found:
        return WARN, f"backup: none in {folder}; run `pos-app backup` (the window makes one daily)"
    newest = found[-1]
    try:
        made = datetime.fromtimestamp(newest.stat().st_mtime, UTC)
        check_backup(newest)
    except (StoreError, OSError) as exc:
        return WARN, f"backup: the newest in {folder}, {newest.name}, is not usable: {exc}"
    old = f"{age((now - made).total_seconds())} old"
    recent = {daily_name(shop_now.date()), daily_name(shop_now.date() - timedelta(days=1))}
    if newest.name not in recent:
        return WARN, (
            f"backup: the last in {folder} is {newest.name} ({old}), older than a day; "
            "run `pos-app backup` or open the window"
        )
    return OK, f"backup: {newest} ({old}), checked"


def second_folder_line(config: Config, data_folder: Path) -> Line:
    second = config.backup.effective_second_folder
    if second is None:
        return WARN, (
            "second backup folder: none; set [backup] second_folder to a USB stick or a "
            "network share, so that the backups survive this computer's disk"
        )
    if not Path(config.backup.second_folder.strip()).expanduser().is_dir():
        return WARN, (
            f"second backup folder: {second} is not there now (a USB stick not plugged in, "
            "a network share not connected?)"
        )
    if same_disk(second, data_folder):
        return WARN, (
            f"second backup folder: {second} is on the same disk as the database: it does not "
            "survive that disk; choose a USB stick or a network share"
        )
    return OK, f"second backup folder: {second}"


def same_disk(folder: Path, other: Path) -> bool:
    """Whether both are on one file system (a missing folder: where it would be made)."""
    try:
        return existing_folder(folder).stat().st_dev == existing_folder(other).stat().st_dev
    except OSError:
        return False
