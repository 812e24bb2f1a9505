"""Storage faults as a shop's computer meets them, with real `pos-app` processes on a real small
file system: a full disk, read-only media, a file held by another program, real damage. After
each fault is lifted the same command works, `verify` is intact and nothing was sent twice."""

from __future__ import annotations

import dataclasses
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Rig
from tests.storage_faults import fill, remount, small_disk

CHARGE = ("charge", "--provider", "mtn", "--amount", "15", "--phone", "0772123456")
EXIT_STORAGE = 6


@pytest.fixture
def disk_rig(rig: Rig, tmp_path: Path) -> Iterator[tuple[Rig, Path]]:
    """The rig with its data folder and log on a 2 MB file system of their own."""
    with small_disk(tmp_path / "disk") as disk:
        env = {
            **rig.env,
            "POS_APP_DATA_DIR": str(disk / "data"),
            "POS_APP_LOG_DIR": str(disk / "log"),
        }
        yield dataclasses.replace(rig, env=env, db=disk / "data" / "pos-app.sqlite3"), disk


def charged(rig: Rig) -> None:
    done = rig.run(*CHARGE, "--timeout", "20")
    assert done.returncode == 0, done.stderr


def pushes(rig: Rig) -> int:
    return rig.mtn.requests["POST requesttopay"]


def assert_plain_refusal(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == EXIT_STORAGE, (done.stdout, done.stderr)
    text = done.stderr.lower()
    for word in words:
        assert word in text, done.stderr
    assert "traceback" not in text
    assert "damaged" not in text and "restore" not in text, done.stderr


def assert_intact(rig: Rig, payments: int) -> None:
    verified = rig.run("verify")
    assert verified.returncode == 0, verified.stderr
    assert "intact" in verified.stdout
    rows = rig.rows()
    assert len(rows) == payments
    assert {status for _, status, _, _ in rows} == {"successful"}
    # The simulator's own record: one accepted push per payment, none twice.
    assert sorted(rig.mtn.accepted.values()) == [1] * payments


def test_a_full_disk_sends_nothing_says_full_and_works_once_space_is_freed(
    disk_rig: tuple[Rig, Path],
) -> None:
    rig, disk = disk_rig
    charged(rig)
    filler = fill(disk)
    before = pushes(rig)

    refused = rig.run(*CHARGE, "--timeout", "20")

    assert_plain_refusal(refused, "full", str(rig.db.parent).lower())
    assert pushes(rig) == before  # nothing was sent
    filler.unlink()
    charged(rig)
    assert_intact(rig, 2)


def test_a_read_only_data_folder_sends_nothing_but_still_reads(disk_rig: tuple[Rig, Path]) -> None:
    rig, disk = disk_rig
    charged(rig)
    reference = rig.rows()[0][0]
    remount(disk, "ro")
    before = pushes(rig)

    refused = rig.run(*CHARGE, "--timeout", "20")

    assert_plain_refusal(refused, "cannot be written to", "read-only")
    assert pushes(rig) == before
    receipts = rig.run("receipts", "--format", "csv")
    assert receipts.returncode == 0, receipts.stderr
    assert reference in receipts.stdout
    report = rig.run("report")
    assert report.returncode == 0, report.stderr
    assert re.search(r"MTN MoMo · paid +1 · ", report.stdout), report.stdout
    remount(disk, "rw")
    charged(rig)
    assert_intact(rig, 2)


def test_read_only_with_the_wal_files_left_behind(disk_rig: tuple[Rig, Path]) -> None:
    """The -wal and -shm files of a process that ended abruptly stay beside the file: SQLite
    then opens it without complaint and only the first write fails (once a traceback)."""
    rig, disk = disk_rig
    charged(rig)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "c.execute('SELECT count(*) FROM payments').fetchall(); os._exit(0)",
            str(rig.db),
        ],
        check=True,
    )
    assert rig.db.with_name(rig.db.name + "-wal").exists()
    remount(disk, "ro")

    refused = rig.run(*CHARGE, "--timeout", "20")

    assert_plain_refusal(refused, "cannot be written to")
    receipts = rig.run("receipts", "--format", "csv")
    assert receipts.returncode == 0, receipts.stderr
    assert rig.rows()[0][0] in receipts.stdout


def test_a_file_held_by_another_program_names_it_not_damage(rig: Rig) -> None:
    charged(rig)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
            "c.execute('BEGIN EXCLUSIVE'); print('held', flush=True); time.sleep(60)",
            str(rig.db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        before = pushes(rig)
        started = time.monotonic()
        refused = rig.run(*CHARGE, "--timeout", "20")
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert_plain_refusal(refused, "held by another program", "antivirus")
    assert waited >= 9  # it waited for the lock as long as promised before giving up
    assert pushes(rig) == before
    charged(rig)
    assert_intact(rig, 2)


def test_real_damage_still_says_damaged_and_offers_a_restore(rig: Rig) -> None:
    charged(rig)
    size = rig.db.stat().st_size
    with open(rig.db, "r+b") as file:  # tear the pages after the header
        file.seek(4096)
        file.write(os.urandom(size - 4096))
    before = pushes(rig)

    refused = rig.run(*CHARGE, "--timeout", "20")

    assert refused.returncode == 4, refused.stderr
    assert "damaged" in refused.stderr and "restore" in refused.stderr
    assert "full" not in refused.stderr and "traceback" not in refused.stderr.lower()
    assert pushes(rig) == before


def test_a_disk_that_fills_between_the_push_and_its_outcome_saves_it_later(
    disk_rig: tuple[Rig, Path],
) -> None:
    rig, disk = disk_rig
    charged(rig)  # the database exists; its -wal grows from here
    rig.mtn.settings = dataclasses.replace(rig.mtn.settings, approval_delay=2.0)
    process = rig.start(*CHARGE, "--timeout", "60")
    try:
        deadline = time.monotonic() + 20
        while not any(status == "pending" for _, status, _, _ in _rows(rig.db)):
            assert time.monotonic() < deadline, "the push was never accepted"
            time.sleep(0.05)
        filler = fill(disk)  # the customer approves while the disk is full
        assert process.stderr is not None
        line = ""
        while "NOT YET SAVED" not in line:
            line = process.stderr.readline()
            assert line, "the outcome was never reported as kept"
        assert "full" in line
        assert [s for _, s, _, _ in _rows(rig.db)].count("successful") == 1  # only the first
        filler.unlink()
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "PAID" in out
    assert_intact(rig, 2)


def _rows(db: Path) -> list[tuple[str, str, str | None, str]]:
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(
            "SELECT reference_id, status, provider_request_id, msisdn FROM payments"
        ).fetchall()
    finally:
        conn.close()
