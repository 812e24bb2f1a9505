from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from pos_app.platform import paths
from pos_app.store import DatabaseDamaged, DatabaseTooNew, open_database
from pos_app.store.database import Database
from pos_app.store.migrations import MIGRATIONS, Migration, migrate, schema_version


def test_fresh_database_is_private_durable_and_migrated(tmp_path: Path) -> None:
    path = tmp_path / "new" / "pos.sqlite3"
    db = open_database(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert schema_version(db) == len(MIGRATIONS)
    assert all(db.has_table(t) for t in ("payments", "payment_events", "schema_migrations"))
    db.execute("INSERT INTO schema_migrations VALUES (99, 'x', 'now')")  # a write creates -wal
    db.conn.commit()
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        assert stat.S_IMODE(side.stat().st_mode) & 0o077 == 0, suffix
    db.close()


def test_existing_world_readable_file_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "pos.sqlite3"
    open_database(path).close()
    path.chmod(0o644)
    open_database(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_default_location_honours_pos_app_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POS_APP_DATA_DIR", str(tmp_path / "elsewhere"))
    assert paths.database_path() == tmp_path / "elsewhere" / "pos-app.sqlite3"
    monkeypatch.delenv("POS_APP_DATA_DIR")
    assert "pos-app" in str(paths.database_path())


def test_reopening_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "pos.sqlite3"
    open_database(path).close()
    db = open_database(path)
    rows = db.execute("SELECT version FROM schema_migrations").fetchall()
    assert rows == [(m.version,) for m in MIGRATIONS]
    db.close()


def _add_note_column(db: Database) -> None:
    db.execute("ALTER TABLE payments ADD COLUMN note TEXT")


def test_upgrade_applies_only_missing_migrations_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "pos.sqlite3"
    db = open_database(path)
    db.execute(
        "INSERT INTO payments (reference_id, provider, product, amount_minor, currency, msisdn,"
        " status, created_at, updated_at) VALUES ('r1', 'mtn', 'collection', 1500, 'UGX',"
        " '256772123456', 'created', 't', 't')"
    )
    db.conn.commit()
    upgraded = (*MIGRATIONS, Migration(len(MIGRATIONS) + 1, "note column", _add_note_column))
    assert migrate(db, upgraded) == len(upgraded)
    assert db.execute("SELECT amount_minor, note FROM payments").fetchall() == [(1500, None)]
    assert migrate(db, upgraded) == len(upgraded)  # nothing left to do
    db.close()


def test_failed_migration_rolls_back_whole(tmp_path: Path) -> None:
    path = tmp_path / "pos.sqlite3"
    db = open_database(path)

    def half_done(db: Database) -> None:
        db.execute("CREATE TABLE half (x)")
        raise RuntimeError("boom")

    broken = (*MIGRATIONS, Migration(len(MIGRATIONS) + 1, "broken", half_done))
    with pytest.raises(RuntimeError, match="boom"):
        migrate(db, broken)
    assert not db.has_table("half")
    assert schema_version(db) == len(MIGRATIONS)
    db.close()


def test_database_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "pos.sqlite3"
    db = open_database(path)
    db.execute(
        "INSERT INTO schema_migrations VALUES (?, 'from the future', 'later')",
        [len(MIGRATIONS) + 5],
    )
    db.conn.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseTooNew, match="newer pos-app"):
        open_database(path)
    conn = sqlite3.connect(path)
    assert (
        conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
        == len(MIGRATIONS) + 5
    )
    conn.close()
    assert path.read_bytes() == before


def test_migrations_must_be_contiguous(tmp_path: Path) -> None:
    db = open_database(tmp_path / "pos.sqlite3")
    with pytest.raises(ValueError, match="numbered"):
        migrate(db, (Migration(2, "gap", _add_note_column),))
    db.close()


def test_file_that_is_not_a_database_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "pos.sqlite3"
    path.write_bytes(b"this is a shopping list, not a database" * 200)
    before = path.read_bytes()
    with pytest.raises(DatabaseDamaged, match="damaged") as info:
        open_database(path)
    assert str(path) in str(info.value) and "backup" in str(info.value)
    assert path.read_bytes() == before


def test_corrupted_pages_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "pos.sqlite3"
    db = open_database(path)
    db.execute("CREATE TABLE filler (x TEXT)")
    for i in range(2000):
        db.execute("INSERT INTO filler VALUES (?)", [f"row {i} " * 10])
    db.conn.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(path.read_bytes())
    page_size = 4096
    for offset in range(page_size * 3, min(len(data), page_size * 20), page_size):
        data[offset : offset + 64] = b"\xff" * 64  # scribble over b-tree page headers
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseDamaged, match="damaged"):
        open_database(path)


def test_many_processes_opening_a_new_database_at_once(tmp_path: Path) -> None:
    """Every till process opens (and may create and migrate) the file: none may fail."""
    import subprocess
    import sys

    program = (
        "import sys; from pathlib import Path; from pos_app.store import open_database;"
        "open_database(Path(sys.argv[1])).close(); print('ok')"
    )
    for round_ in range(5):
        path = tmp_path / f"round{round_}" / "pos.sqlite3"
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", program, str(path)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(6)
        ]
        results = [p.communicate(timeout=60) for p in processes]
        assert all(p.returncode == 0 for p in processes), [err for _, err in results]
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(
            MIGRATIONS
        )
        conn.close()


def test_a_locked_database_is_busy_not_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pos_app.store import DatabaseBusy
    from pos_app.store import db as db_module

    path = tmp_path / "pos.sqlite3"
    open_database(path).close()
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_SECONDS", 0.3)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    with pytest.raises(DatabaseBusy, match="held by another program"):
        open_database(path)
    holder.execute("ROLLBACK")
    holder.close()
    open_database(path).close()


def test_first_open_waits_while_another_process_reads_the_new_file(tmp_path: Path) -> None:
    """Switching a new file to WAL needs it to itself; a reader elsewhere means wait, not fail."""
    import threading
    import time

    path = tmp_path / "pos.sqlite3"
    path.touch(mode=0o600)
    reading = threading.Event()

    def read_for_a_moment() -> None:
        reader = sqlite3.connect(path, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM sqlite_master").fetchall()  # holds a shared lock
        reading.set()
        time.sleep(0.5)
        reader.execute("COMMIT")
        reader.close()

    thread = threading.Thread(target=read_for_a_moment)
    thread.start()
    reading.wait(5)
    db = open_database(path)
    thread.join()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_database_commits_a_write_outside_a_transaction_and_leaves_none_after_a_failure(
    tmp_path: Path,
) -> None:
    """What the store relies on from its connection wrapper (pos_app/store/database.py)."""
    path = tmp_path / "plain.sqlite3"
    db = Database(sqlite3.connect(path))
    assert db.execute("PRAGMA recursive_triggers").fetchone()[0] == 1
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    db.execute("INSERT INTO t (name) VALUES (?)", ["a"])
    assert not db.conn.in_transaction  # committed: another connection sees it
    assert sqlite3.connect(path).execute("SELECT name FROM t").fetchall() == [("a",)]
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO t (name) VALUES (NULL)")
    assert not db.conn.in_transaction  # the failed write's implicit transaction rolled back
    db.execute("BEGIN")
    db.execute("INSERT INTO t (name) VALUES (:name)", {"name": "b"})
    assert db.conn.in_transaction  # inside the caller's transaction: not committed behind it
    db.execute("/* a comment */ ROLLBACK")
    assert list(db.query("SELECT id, name FROM t")) == [{"id": 1, "name": "a"}]
    assert db.columns("t") == ["id", "name"] and db.has_table("t") and not db.has_table("u")
    with pytest.raises(ValueError, match="return rows"):
        db.query("UPDATE t SET name = 'c'")
