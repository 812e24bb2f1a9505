"""Daily backups through SQLite's backup API, and restore after checking the file."""

from __future__ import annotations

import asyncio
import errno
import logging
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from pos_app.cli.main import main
from pos_app.domain.payment import PaymentStatus
from pos_app.platform import paths
from pos_app.platform.config import BackupConfig, Config, ConfigError, load_config
from pos_app.providers import registry
from pos_app.store import PaymentRepository, open_database
from pos_app.store.backup import (
    BackupError,
    backups,
    check_backup,
    check_written,
    daily_backup,
    daily_backups,
    damage,
    disk_full,
    loss,
    restore,
)
from pos_app.store.migrations import MIGRATIONS, migrate
from pos_app.ui.app import back_up
from tests.storage_faults import fill
from tests.unit.test_audit import raw
from tests.unit.test_repository import T0, add, settle

S = PaymentStatus
DAY = date(2026, 11, 23)


@pytest.fixture
def till() -> Iterator[PaymentRepository]:
    repository = PaymentRepository(open_database(paths.database_path()))
    yield repository
    repository.close()


def references(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {row[0] for row in conn.execute("SELECT reference_id FROM payments")}


def test_a_daily_backup_is_a_private_consistent_checked_copy(
    till: PaymentRepository, tmp_path: Path
) -> None:
    paid = settle(till, add(till), S.SUCCESSFUL)
    target = daily_backup(paths.database_path(), tmp_path / "backups", 14, DAY)
    assert target == tmp_path / "backups" / "pos-app-2026-11-23.sqlite3"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert references(target) == {paid.reference_id}
    assert not target.with_name(target.name + "-wal").exists()  # one self-contained file
    checked = check_backup(target)
    assert (checked.payments, checked.events, checked.schema) == (1, 4, len(MIGRATIONS))


def test_a_backup_holds_only_committed_payments(till: PaymentRepository, tmp_path: Path) -> None:
    done = add(till)
    with closing(sqlite3.connect(paths.database_path())) as writer:
        writer.execute("BEGIN IMMEDIATE")  # another process, halfway through a write ...
        writer.execute(
            "INSERT INTO payments (reference_id, provider, product, amount_minor, currency,"
            " msisdn, status, created_at, updated_at) VALUES ('22222222-2222-4222-8222-"
            "222222222222', 'mtn', 'collection', 5, 'UGX', '256772123456', 'created', 'x', 'x')"
        )
        target = daily_backup(paths.database_path(), tmp_path, 14, DAY)
        writer.commit()  # ... which commits after the copy was taken
    assert references(target) == {done.reference_id}
    assert len(references(paths.database_path())) == 2


def test_one_file_per_day_and_only_the_newest_days_kept(
    till: PaymentRepository, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    for day in range(1, 6):
        daily_backup(paths.database_path(), folder, 3, date(2026, 11, day))
    assert [p.name for p in backups(folder)] == [
        "pos-app-2026-11-03.sqlite3",
        "pos-app-2026-11-04.sqlite3",
        "pos-app-2026-11-05.sqlite3",
    ]
    later = add(till)
    daily_backup(paths.database_path(), folder, 3, date(2026, 11, 5))  # same day again
    assert len(backups(folder)) == 3
    assert later.reference_id in references(folder / "pos-app-2026-11-05.sqlite3")


def payment_history(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [line for line in conn.iterdump() if "owner_actions" not in line]


def test_restore_puts_the_backup_back_and_keeps_the_replaced_database(
    till: PaymentRepository, tmp_path: Path, capsys: pytest.CaptureFixture[str], owner_pin: str
) -> None:
    kept_payment = settle(till, add(till), S.SUCCESSFUL)
    backup = daily_backup(paths.database_path(), tmp_path / "b", 14, DAY)
    later = add(till)
    till.close()
    assert main(["restore", "--yes", str(backup)]) == 0
    captured = capsys.readouterr()
    assert "1 payment(s), 4 event(s), history intact" in captured.out
    assert "1 payment(s) the backup lacks" in captured.err  # said, even with --yes
    assert references(paths.database_path()) == {kept_payment.reference_id}
    safety = next((paths.data_dir() / "backups").glob("pos-app-before-restore-*.sqlite3"))
    assert f"kept at {safety}" in captured.out
    assert references(safety) == {kept_payment.reference_id, later.reference_id}
    assert main(["verify"]) == 0
    restored = PaymentRepository(open_database(paths.database_path()))
    assert restored.owner_log.recent(1)[0].action == "restore"
    restored.close()


def test_restore_over_a_till_needs_the_owner_pin(
    till: PaymentRepository,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    owner_pin: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mine = add(till)
    backup = daily_backup(paths.database_path(), tmp_path / "b", 14, DAY)
    add(till)
    monkeypatch.setenv("POS_APP_OWNER_PIN", "111999")
    assert main(["restore", "--yes", str(backup)]) == 5
    assert "Wrong PIN" in capsys.readouterr().err
    assert len(references(paths.database_path())) == 2
    monkeypatch.delenv("POS_APP_OWNER_PIN")  # and no terminal to type it at
    assert main(["restore", "--yes", str(backup)]) == 5
    assert "the owner's PIN is needed" in capsys.readouterr().err
    assert mine.reference_id in references(paths.database_path())


@pytest.mark.parametrize("problem", ["garbage", "tampered", "foreign", "missing", "newer"])
def test_restore_refuses_a_bad_file_and_changes_nothing(
    till: PaymentRepository,
    tmp_path: Path,
    problem: str,
    capsys: pytest.CaptureFixture[str],
    owner_pin: str,
) -> None:
    mine = add(till)
    candidate = tmp_path / "candidate.sqlite3"
    if problem == "garbage":
        candidate.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    elif problem == "tampered":
        daily_backup(paths.database_path(), tmp_path, 14, DAY).rename(candidate)
        raw(candidate, "UPDATE payments SET amount_minor = 1")
    elif problem == "foreign":
        raw(candidate, "CREATE TABLE songs (title TEXT)")
    elif problem == "newer":
        daily_backup(paths.database_path(), tmp_path, 14, DAY).rename(candidate)
        raw(candidate, "INSERT INTO schema_migrations VALUES (99, 'future', '2030-01-01')")
    before = payment_history(paths.database_path())
    assert main(["restore", "--yes", str(candidate)]) == 1
    err = capsys.readouterr().err
    assert "Nothing was changed" in err
    expected = {
        "garbage": "not a readable database",
        "tampered": "its history was edited",
        "foreign": "not a pos-app database",
        "missing": "no such file",
        "newer": "newer pos-app",
    }[problem]
    assert expected in err
    assert payment_history(paths.database_path()) == before  # only the PIN's use is logged
    assert references(paths.database_path()) == {mine.reference_id}
    with pytest.raises(BackupError):
        check_backup(candidate)


def test_an_old_backup_is_restored_and_gains_the_hash_chain(
    till: PaymentRepository, tmp_path: Path
) -> None:
    old = tmp_path / "old.sqlite3"
    db = open_database(old, migrate=False)
    migrate(db, MIGRATIONS[:2])
    db.close()
    _, kept = restore(old, paths.database_path(), tmp_path / "safety", datetime.now(UTC))
    assert kept.parent == tmp_path / "safety"
    reopened = PaymentRepository(open_database(paths.database_path()))
    try:
        assert reopened.schema_version() == len(MIGRATIONS) and reopened.verify().intact
    finally:
        reopened.close()


def test_backup_command_and_config(
    till: PaymentRepository, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f"[backup]\nfolder = '{tmp_path / 'usb'}'\nkeep = 2\n")
    assert main(["--config", str(config), "backup"]) == 0
    assert f"backed up to {tmp_path / 'usb'}" in capsys.readouterr().out
    assert len(backups(tmp_path / "usb")) == 1
    config.write_text("[backup]\nkeep = 0\n")
    with pytest.raises(ConfigError, match=r"backup\.keep"):
        load_config(config, registry.config_sections())
    assert (
        load_config(None, registry.config_sections()).backup.effective_folder
        == paths.data_dir() / "backups"
    )


def test_the_window_backs_up_on_a_worker_and_logs_a_failure(
    till: PaymentRepository, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    asyncio.run(back_up(Config(backup=BackupConfig(folder=str(tmp_path / "daily")))))
    assert len(backups(tmp_path / "daily")) == 1
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    with caplog.at_level(logging.ERROR):
        asyncio.run(back_up(Config(backup=BackupConfig(folder=str(blocked / "daily")))))
    assert "daily backup failed" in caplog.text


# -- backups that survive the disk --


def today_name() -> str:
    return f"pos-app-{datetime.now(UTC).date().isoformat()}.sqlite3"  # the config's zone


def backup_config(tmp_path: Path, first: Path, second: Path | None) -> Path:
    config = tmp_path / "backup.toml"
    lines = ["[shop]", 'timezone = "UTC"', "[backup]", f"folder = '{first}'"]
    if second is not None:
        lines.append(f"second_folder = '{second}'")
    config.write_text("\n".join(lines) + "\n")
    return config


def test_every_backup_is_written_to_the_second_folder_too_and_the_demo_apart(
    till: PaymentRepository, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paid = settle(till, add(till), S.SUCCESSFUL)
    config = backup_config(tmp_path, tmp_path / "disk", tmp_path / "usb")
    assert main(["--config", str(config), "backup"]) == 0
    out = capsys.readouterr().out
    for folder in ("disk", "usb"):
        [copy] = backups(tmp_path / folder)
        assert references(copy) == {paid.reference_id}
        assert f"backed up to {copy} (1 payment(s), checked)" in out
    open_database(paths.demo_data_dir() / paths.DATABASE_NAME).close()
    assert main(["--config", str(config), "--demo", "backup"]) == 0
    assert len(backups(tmp_path / "usb" / "demo")) == 1
    paths.enter_demo_world(False)  # main() stays in the world it entered
    assert (
        load_config(config, registry.config_sections()).backup.effective_second_folder
        == tmp_path / "usb"
    )
    paths.enter_demo_world(True)
    assert (
        load_config(config, registry.config_sections()).backup.effective_second_folder
        == tmp_path / "usb" / "demo"
    )
    assert BackupConfig().effective_second_folder is None


@pytest.mark.parametrize("broken", ["first", "second"])
def test_a_folder_that_fails_does_not_stop_the_other(
    till: PaymentRepository, tmp_path: Path, capsys: pytest.CaptureFixture[str], broken: str
) -> None:
    add(till)
    blocked = tmp_path / "a-file"  # a folder that cannot be made: a file is in the way
    blocked.write_text("")
    good = tmp_path / "good"
    first, second = (blocked / "b", good) if broken == "first" else (good, blocked / "b")
    assert main(["--config", str(backup_config(tmp_path, first, second)), "backup"]) == 1
    captured = capsys.readouterr()
    assert f"pos-app backup: cannot back up to {blocked / 'b'}" in captured.err
    assert f"backed up to {good / today_name()}" in captured.out
    assert len(backups(good)) == 1


def test_the_window_backs_up_to_both_folders_and_logs_the_one_that_failed(
    till: PaymentRepository, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    config = Config(
        backup=BackupConfig(folder=str(tmp_path / "daily"), second_folder=str(blocked / "b"))
    )
    with caplog.at_level(logging.ERROR):
        asyncio.run(back_up(config))
    assert len(backups(tmp_path / "daily")) == 1
    assert "daily backup failed" in caplog.text and str(blocked / "b") in caplog.text


def test_a_copy_that_does_not_read_back_as_written_is_removed(
    till: PaymentRepository, tmp_path: Path
) -> None:
    add(till)
    target = daily_backup(paths.database_path(), tmp_path, 14, DAY)
    check_written(target, 1)  # as copied: kept
    assert target.exists()
    with pytest.raises(BackupError, match=r"reads back 1 payment\(s\), not the 2 copied"):
        check_written(target, 2)
    assert not target.exists()
    target.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="cannot be read back"):
        check_written(target, 1)
    assert not target.exists()


def test_errors_that_mean_a_full_disk(tmp_path: Path) -> None:
    assert disk_full(OSError(errno.ENOSPC, "No space left on device"), tmp_path)
    assert disk_full(OSError(errno.EDQUOT, "Disk quota exceeded"), tmp_path)
    assert not disk_full(OSError(errno.EACCES, "Permission denied"), tmp_path)
    # An I/O error means full only where the disk is nearly full; this one is not.
    assert not disk_full(OSError(errno.EIO, "Input/output error"), tmp_path)


def test_a_full_disk_during_a_backup_says_full_and_changes_nothing(
    till: PaymentRepository, tmp_path: Path, stick: Path
) -> None:
    paid = settle(till, add(till), S.SUCCESSFUL)
    before = payment_history(paths.database_path())
    filler = fill(stick, leave=16 * 1024)
    local = tmp_path / "local"
    copy, here = daily_backups(paths.database_path(), [stick, local], 14, DAY)
    assert "full" in copy.problem and "damaged" not in copy.problem
    assert f"the disk holding {stick} is full" in copy.problem  # not SQLite's words
    assert sorted(p.name for p in stick.iterdir()) == ["filler"]  # no partial file left
    assert here.problem == "" and references(here.target) == {paid.reference_id}
    assert payment_history(paths.database_path()) == before
    assert check_backup(here.target).verdict is not None
    filler.unlink()  # space freed: the same backup works
    [again] = daily_backups(paths.database_path(), [stick], 14, DAY)
    assert again.problem == "" and references(again.target) == {paid.reference_id}


# -- restore never loses newer payments silently --


def test_restore_says_which_payments_it_would_drop_and_needs_yes(
    till: PaymentRepository, tmp_path: Path, capsys: pytest.CaptureFixture[str], owner_pin: str
) -> None:
    changed = add(till)
    backup = daily_backup(paths.database_path(), tmp_path / "b", 14, DAY)
    settle(till, changed, S.SUCCESSFUL)  # paid after the backup: the backup says "created"
    newer = [add(till, at=T0 + timedelta(minutes=i), minor=100 + i) for i in range(11)]
    till.close()
    before = payment_history(paths.database_path())
    assert main(["restore", str(backup)]) == 2
    err = capsys.readouterr().err
    assert "11 payment(s) the backup lacks and 1 whose status the backup has otherwise" in err
    assert "add --yes" in err and "Nothing was changed" in err
    listed = [line for line in err.splitlines() if line.startswith("  ")]
    assert len(listed) == 11 and listed[-1] == "  ... and 2 more"
    assert newer[-1].reference_id in listed[0]
    assert "110 UGX  waiting (not in the backup)" in listed[0]  # the newest first
    assert not any(changed.reference_id in line for line in listed)  # past the ten shown
    assert payment_history(paths.database_path()) == before
    assert main(["restore", "--yes", str(backup)]) == 0
    assert references(paths.database_path()) == {changed.reference_id}


def test_a_changed_status_alone_is_listed_with_both_statuses(
    till: PaymentRepository, tmp_path: Path, owner_pin: str
) -> None:
    changed = add(till)
    backup = daily_backup(paths.database_path(), tmp_path / "b", 14, DAY)
    settle(till, changed, S.SUCCESSFUL)
    dropped = loss(backup, paths.database_path())
    assert (dropped.missing, dropped.changed) == (0, 1)
    [example] = dropped.examples
    assert (example.reference_id, example.status, example.in_backup) == (
        changed.reference_id,
        "successful",
        "created",
    )
    assert example.amount == changed.amount and example.created_at == changed.created_at


def test_restore_that_loses_nothing_asks_nothing(
    till: PaymentRepository, tmp_path: Path, capsys: pytest.CaptureFixture[str], owner_pin: str
) -> None:
    paid = settle(till, add(till), S.SUCCESSFUL)
    backup = daily_backup(paths.database_path(), tmp_path / "b", 14, DAY)
    till.close()
    assert main(["restore", str(backup)]) == 0
    captured = capsys.readouterr()
    assert "lacks" not in captured.err and "kept at" in captured.out
    assert references(paths.database_path()) == {paid.reference_id}


def damage_payments_table(path: Path) -> None:
    """Overwrite the header of the payments table's first page, as a failing disk would."""
    with closing(sqlite3.connect(path)) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'payments'"
        ).fetchone()[0]
    with open(path, "r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xff" * 64)


def test_restore_into_a_damaged_database_keeps_it_aside_and_needs_yes(
    till: PaymentRepository,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    owner_pin: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paid = settle(till, add(till), S.SUCCESSFUL)
    backup = daily_backup(paths.database_path(), tmp_path / "b", 14, DAY)
    add(till)
    till.close()
    database = paths.database_path()
    damage_payments_table(database)
    assert damage(database) is not None
    damaged = database.read_bytes()
    assert main(["restore", str(backup)]) == 2
    err = capsys.readouterr().err
    assert "is damaged" in err and "cannot be counted" in err and "add --yes" in err
    assert database.read_bytes() == damaged
    monkeypatch.setenv("POS_APP_OWNER_PIN", "111999")  # the backup's PIN is the owner's
    assert main(["restore", "--yes", str(backup)]) == 5
    assert database.read_bytes() == damaged
    monkeypatch.setenv("POS_APP_OWNER_PIN", owner_pin)
    assert main(["restore", "--yes", str(backup)]) == 0
    out = capsys.readouterr().out
    [kept] = (paths.data_dir() / "backups").glob("pos-app-before-restore-*.sqlite3")
    assert f"kept at {kept}" in out and kept.read_bytes() == damaged
    assert references(database) == {paid.reference_id}
    assert damage(database) is None and main(["verify"]) == 0


def test_damage_is_only_what_sqlite_calls_damage(till: PaymentRepository, tmp_path: Path) -> None:
    assert damage(paths.database_path()) is None
    assert damage(tmp_path / "missing.sqlite3") is None
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is no database" * 300)
    assert damage(garbage) == "file is not a database"
