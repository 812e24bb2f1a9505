"""doctor's storage lines, read from real files and real (small) file systems."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pos_app.platform.config import BackupConfig, Config, ShopConfig
from pos_app.store import PaymentRepository, open_database
from pos_app.store.backup import daily_backup, daily_name
from pos_app.store.health import FIX, OK, WARN, storage_lines
from pos_app.store.space import MB
from tests.storage_faults import fill, mounted_tmpfs, small_disk
from tests.unit.test_repository import add

NOW = datetime.now(UTC)


def config(tmp_path: Path, *, second: Path | None = None, floor: int = 200) -> Config:
    return Config(
        shop=ShopConfig(timezone="UTC"),
        backup=BackupConfig(
            folder=str(tmp_path / "backups"),
            second_folder=str(second or ""),
            free_space_floor_mb=floor,
        ),
    )


def line(lines: list[tuple[str, str]], topic: str) -> tuple[str, str]:
    [found] = [entry for entry in lines if entry[1].startswith(topic)]
    return found


def lines_about(lines: list[tuple[str, str]], topic: str) -> list[tuple[str, str]]:
    return [entry for entry in lines if entry[1].startswith(topic)]


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "data" / "pos-app.sqlite3"


@pytest.fixture
def small_data_disk(tmp_path: Path) -> Iterator[Path]:
    """The data folder on a real file system of 2 MB."""
    with small_disk(tmp_path / "data", "2m") as folder:
        yield folder


def with_payments(database: Path, *ages: timedelta) -> None:
    repository = PaymentRepository(open_database(database))
    try:
        for age in ages:
            add(repository, at=NOW - age)
    finally:
        repository.close()


def test_free_space_warns_below_the_floor_and_needs_fixing_when_full(
    tmp_path: Path, small_data_disk: Path
) -> None:
    database = small_data_disk / "pos-app.sqlite3"
    assert line(storage_lines(config(tmp_path, floor=0), database), "free space")[0] == OK
    label, text = line(storage_lines(config(tmp_path, floor=3), database), "free space")
    assert label == WARN and "less than the 3 MB floor" in text and str(small_data_disk) in text
    fill(small_data_disk, leave=MB // 2)
    label, text = line(storage_lines(config(tmp_path, floor=0), database), "free space")
    assert label == FIX and "is full" in text


def test_database_size_and_growth_from_the_oldest_payment(tmp_path: Path, database: Path) -> None:
    label, text = line(storage_lines(config(tmp_path), database), "database size")
    assert label == OK and f"no database yet at {database}" in text
    assert not database.exists()  # looked at, never created
    with_payments(database, timedelta(hours=2))
    label, text = line(storage_lines(config(tmp_path), database), "database size")
    assert label == OK and "growth: not enough history yet" in text
    with_payments(database, timedelta(days=10))
    before = sorted(os.listdir(database.parent)), database.read_bytes()
    label, text = line(storage_lines(config(tmp_path), database), "database size")
    size = database.stat().st_size
    assert label == OK and f"{size / 1024:,.1f} KB" in text
    assert f"growing about {size / 10 / 1024:,.1f} KB a day since" in text
    assert "days of space left at that rate" in text
    assert (sorted(os.listdir(database.parent)), database.read_bytes()) == before  # read only


def test_few_days_of_space_left_is_a_warning(tmp_path: Path, small_data_disk: Path) -> None:
    database = small_data_disk / "pos-app.sqlite3"
    with_payments(database, timedelta(days=2))
    per_day = database.stat().st_size / 2
    settings = config(tmp_path, floor=0)
    assert line(storage_lines(settings, database), "database size")[0] == OK
    fill(small_data_disk, leave=int(per_day * 10))
    label, text = line(storage_lines(settings, database), "database size")
    days = re.search(r"about (\d+) days of space left", text)
    assert label == WARN and days is not None and 9 <= int(days[1]) <= 10


def test_the_last_backup_in_each_folder_is_examined_and_dated(
    tmp_path: Path, database: Path
) -> None:
    with_payments(database, timedelta(hours=1))
    usb = tmp_path / "usb"
    usb.mkdir()
    settings = config(tmp_path, second=usb)
    first, second = lines_about(storage_lines(settings, database), "backup:")
    assert first[0] == WARN and f"none in {tmp_path / 'backups'}" in first[1]
    assert second[0] == WARN and f"none in {usb}" in second[1]
    today = NOW.date()
    old = daily_backup(database, usb, 14, today - timedelta(days=3))
    daily_backup(database, tmp_path / "backups", 14, today)
    first, second = lines_about(storage_lines(settings, database), "backup:")
    assert first == (
        OK,
        f"backup: {tmp_path / 'backups' / daily_name(today)} (0 minute(s) old), checked",
    )
    assert second[0] == WARN and f"{old.name} (0 minute(s) old), older than a day" in second[1]
    yesterday = daily_backup(database, usb, 14, today - timedelta(days=1))
    assert lines_about(storage_lines(settings, database), "backup:")[1][0] == OK
    yesterday.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)  # the stick failed
    label, text = lines_about(storage_lines(settings, database), "backup:")[1]
    assert label == WARN and f"the newest in {usb}, {yesterday.name}, is not usable" in text
    old.write_bytes(b"")  # an older broken copy is not looked at: only the newest is
    yesterday.unlink()
    daily_backup(database, usb, 14, today)
    assert lines_about(storage_lines(settings, database), "backup:")[1][0] == OK


def test_a_backup_is_dated_by_its_file(tmp_path: Path, database: Path) -> None:
    with_payments(database, timedelta(hours=1))
    copy = daily_backup(database, tmp_path / "backups", 14, NOW.date())
    three_hours_ago = (NOW - timedelta(hours=3)).timestamp()
    os.utime(copy, (three_hours_ago, three_hours_ago))
    text = line(storage_lines(config(tmp_path), database), "backup:")[1]
    assert "(3 hour(s) old)" in text


def test_the_second_folder_must_be_set_present_and_on_another_disk(
    tmp_path: Path, database: Path
) -> None:
    with_payments(database, timedelta(hours=1))
    label, text = line(storage_lines(config(tmp_path), database), "second backup folder")
    assert label == WARN and "a USB stick or a network share" in text
    missing = tmp_path / "unplugged"
    label, text = line(storage_lines(config(tmp_path, second=missing), database), "second")
    assert label == WARN and "is not there now" in text
    missing.mkdir()  # there, but on the database's own disk
    label, text = line(storage_lines(config(tmp_path, second=missing), database), "second")
    assert label == WARN and "same disk as the database" in text
    with mounted_tmpfs(missing):
        label, text = line(storage_lines(config(tmp_path, second=missing), database), "second")
        assert (label, text) == (OK, f"second backup folder: {missing}")


def test_a_damaged_database_is_measured_and_its_growth_not_guessed(
    tmp_path: Path, database: Path
) -> None:
    with_payments(database, timedelta(days=3))
    with closing(sqlite3.connect(database)) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
    database.write_bytes(b"no longer a database" * 500)
    label, text = line(storage_lines(config(tmp_path), database), "database size")
    assert label == WARN and "growth cannot be read" in text and "9.8 KB" in text
