"""Daily backups through SQLite's backup API, and restore after checking the file."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from pos_app import paths
from pos_app.cli import main
from pos_app.config import BackupConfig, Config, ConfigError, load_config
from pos_app.domain.payment import PaymentStatus
from pos_app.store import PaymentRepository, open_database
from pos_app.store.backup import BackupError, backups, check_backup, daily_backup, restore
from pos_app.store.migrations import MIGRATIONS, migrate
from pos_app.ui.app import back_up
from tests.unit.test_audit import raw
from tests.unit.test_repository import add, settle

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
    assert main(["restore", str(backup)]) == 0
    out = capsys.readouterr().out
    assert "1 payment(s), 4 event(s), history intact" in out
    assert references(paths.database_path()) == {kept_payment.reference_id}
    safety = next((paths.data_dir() / "backups").glob("pos-app-before-restore-*.sqlite3"))
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
    assert main(["restore", str(backup)]) == 5
    assert "Wrong PIN" in capsys.readouterr().err
    assert len(references(paths.database_path())) == 2
    monkeypatch.delenv("POS_APP_OWNER_PIN")  # and no terminal to type it at
    assert main(["restore", str(backup)]) == 5
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
    assert main(["restore", str(candidate)]) == 1
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
        load_config(config)
    assert load_config(None).backup.effective_folder == paths.data_dir() / "backups"


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
