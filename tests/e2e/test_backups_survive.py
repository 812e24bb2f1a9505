"""Backups and restore as real `pos-app` processes: a second folder on a full stick, and a
restore that says which payments it would drop before it drops them."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pos_app.store.backup import backups
from tests.e2e.conftest import Rig
from tests.storage_faults import fill
from tests.unit.test_backup import damage_payments_table

PIN = "480213"


def charged(rig: Rig, amount: str) -> str:
    done = rig.run(
        "charge", "--provider", "mtn", "--amount", amount, "--phone", "0772123456", "--json"
    )
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout.splitlines()[-1])["reference_id"])


def no_terminal(rig: Rig, *args: str) -> subprocess.CompletedProcess[str]:
    """A command with nothing to type at: stdin is not a terminal (a script, a service)."""
    return subprocess.run(
        [sys.executable, "-m", "pos_app", *args],
        env=rig.env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def at_terminal(rig: Rig, answer: str, *args: str) -> tuple[int, str]:
    """A command at a real (pseudo) terminal, answering its question with `answer`."""
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "pos_app", *args],
        env=rig.env,
        stdin=child,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(child)
    try:
        asked = _read_until(process, "[y/N]")
        os.write(main, answer.encode() + b"\n")
        _, err = process.communicate(timeout=60)
    finally:
        os.close(main)
        if process.poll() is None:
            process.kill()
    return process.returncode, asked + err


def _read_until(process: subprocess.Popen[str], text: str) -> str:
    assert process.stderr is not None
    seen = ""
    deadline = time.monotonic() + 60
    while text not in seen:
        assert time.monotonic() < deadline, seen
        ready, _, _ = select.select([process.stderr], [], [], 1)
        if ready:
            chunk = os.read(process.stderr.fileno(), 4096).decode()
            assert chunk, f"ended without asking: {seen}"
            seen += chunk
    return seen


@pytest.fixture
def owner(rig: Rig) -> Rig:
    rig.env["POS_APP_NEW_OWNER_PIN"] = PIN
    assert rig.run("owner", "set-pin").returncode == 0
    del rig.env["POS_APP_NEW_OWNER_PIN"]
    rig.env["POS_APP_OWNER_PIN"] = PIN
    return rig


def test_a_full_stick_fails_its_backup_alone_and_says_full(
    rig: Rig, stick: Path, tmp_path: Path
) -> None:
    config = Path(rig.env["POS_APP_CONFIG"])
    config.write_text(config.read_text() + f"\n[backup]\nsecond_folder = '{stick}'\n")
    paid = charged(rig, "15")
    filler = fill(stick, leave=16 * 1024)
    done = no_terminal(rig, "backup")
    assert done.returncode == 1
    assert f"the disk holding {stick} is full" in done.stderr and "damaged" not in done.stderr
    [first] = backups(rig.db.parent / "backups")
    assert f"backed up to {first} (1 payment(s), checked)" in done.stdout
    assert sorted(p.name for p in stick.iterdir()) == ["filler"]  # no partial copy left
    verified = rig.run("verify")
    assert verified.returncode == 0 and "intact" in verified.stdout
    assert [row[0] for row in rig.rows()] == [paid]
    filler.unlink()  # room again: the same command works
    again = no_terminal(rig, "backup")
    assert again.returncode == 0, again.stderr
    [copy] = backups(stick)
    assert f"backed up to {copy} (1 payment(s), checked)" in again.stdout


def test_restore_without_a_terminal_needs_yes_and_keeps_the_newer_payments_aside(
    owner: Rig,
) -> None:
    older = charged(owner, "15")
    made = no_terminal(owner, "backup")
    assert made.returncode == 0, made.stderr
    [backup] = backups(owner.db.parent / "backups")
    newer = charged(owner, "25")
    refused = no_terminal(owner, "restore", str(backup))
    assert refused.returncode == 2
    assert "1 payment(s) the backup lacks" in refused.stderr
    assert newer in refused.stderr and "25.00 EUR  paid (not in the backup)" in refused.stderr
    assert older not in refused.stderr
    assert "add --yes" in refused.stderr and "Nothing was changed" in refused.stderr
    assert {row[0] for row in owner.rows()} == {older, newer}
    done = no_terminal(owner, "restore", "--yes", str(backup))
    assert done.returncode == 0, done.stderr
    assert [row[0] for row in owner.rows()] == [older]
    kept = Path(done.stdout.rsplit("kept at ", 1)[1].strip())
    assert newer in kept.read_bytes().decode("latin-1")  # still there to look up
    assert owner.run("verify").returncode == 0


def test_restore_at_a_terminal_asks_first(owner: Rig) -> None:
    older = charged(owner, "15")
    assert no_terminal(owner, "backup").returncode == 0
    [backup] = backups(owner.db.parent / "backups")
    newer = charged(owner, "25")
    code, said = at_terminal(owner, "n", "restore", str(backup))
    assert code == 2 and newer in said and "not restored" in said
    assert {row[0] for row in owner.rows()} == {older, newer}
    code, said = at_terminal(owner, "y", "restore", str(backup))
    assert code == 0, said
    assert [row[0] for row in owner.rows()] == [older]


def test_restore_into_a_damaged_database(owner: Rig) -> None:
    older = charged(owner, "15")
    assert no_terminal(owner, "backup").returncode == 0
    [backup] = backups(owner.db.parent / "backups")
    charged(owner, "25")
    damage_payments_table(owner.db)
    assert "damaged" in owner.run("receipts").stderr  # what sends the owner to restore
    refused = no_terminal(owner, "restore", str(backup))
    assert refused.returncode == 2
    assert "cannot be counted" in refused.stderr and "add --yes" in refused.stderr
    done = no_terminal(owner, "restore", "--yes", str(backup))
    assert done.returncode == 0, done.stderr
    assert "checked against the backup's owner log" in done.stderr
    assert [row[0] for row in owner.rows()] == [older]
    assert owner.run("verify").returncode == 0
    assert charged(owner, "30") in {row[0] for row in owner.rows()}  # the till works again
