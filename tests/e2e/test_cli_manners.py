"""Command-line manners in real processes: closed pipes, no display, WARN alone exits 0, and a
charge still waiting at its timeout says what happens next."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pos_app.domain.payment import PaymentStatus
from pos_app.engine.owner import OwnerGate
from pos_app.platform import paths
from pos_app.store import PaymentRepository, open_database
from tests.conftest import OWNER_PIN
from tests.e2e.conftest import Rig
from tests.unit.test_repository import add, settle

PYTHON = sys.executable
NO_DISPLAY = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")


def seed(count: int) -> None:
    """`count` paid payments in the live database, one a minute back from now, and a PIN."""
    repo = PaymentRepository(open_database(paths.database_path()))
    try:
        now = datetime.now(UTC) - timedelta(minutes=1)
        for i in range(count):
            settle(
                repo,
                add(repo, at=now - timedelta(minutes=i)),
                PaymentStatus.SUCCESSFUL,
            )
        OwnerGate(repo.owner_log, "Till 1").set_pin(OWNER_PIN)
    finally:
        repo.close()


def test_a_closed_pipe_ends_without_a_traceback() -> None:
    seed(1000)  # about 150 kB of CSV: more than a pipe holds, so `head` leaves before the end
    since = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    until = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    receipts = f"'{PYTHON}' -m pos_app receipts --from {since} --to {until} --format csv"
    whole = subprocess.run(receipts, shell=True, capture_output=True, check=True)  # noqa: S602
    assert len(whole.stdout) > 120_000
    result = subprocess.run(  # noqa: S602 - a real shell pipeline is the point
        f"{receipts} | head -1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout.startswith("reference_id,status,reason")
    assert len(result.stdout.splitlines()) == 1
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr
    assert "Exception ignored" not in result.stderr


def no_display(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NO_DISPLAY}
    env["POS_APP_OWNER_PIN"] = OWNER_PIN
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return env


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        ["doctor", "--demo"],
        ["receipts"],
        ["report"],
        ["report", "--format", "csv"],
        ["report", "--format", "pdf", "--output", "{tmp}/z.pdf"],
        ["charge", "--demo", "--provider", "mtn", "--amount", "1500", "--phone", "0772123456"],
    ],
)
def test_headless_commands_need_no_display(args: list[str], tmp_path: Path) -> None:
    seed(3)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = subprocess.run(
        [PYTHON, "-m", "pos_app", *argv],
        env=no_display(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "qt.qpa" not in result.stderr  # Qt found no platform to draw on
    if "pdf" in argv:
        assert (tmp_path / "z.pdf").read_bytes().startswith(b"%PDF")


def test_doctor_warns_and_exits_0_when_only_the_keyring_is_missing(rig: Rig) -> None:
    # The rig's keyring stores nothing; the secrets come from the environment.
    doctor = rig.run("doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "WARN no secure keyring: " in doctor.stdout
    assert "FIX" not in doctor.stdout
    demo = rig.run("doctor", "--demo")
    assert demo.returncode == 0
    assert "keyring:" not in demo.stdout and "secure keyring" not in demo.stdout


def test_a_charge_still_waiting_at_its_timeout_says_what_happens_next(rig: Rig) -> None:
    pending = rig.run(
        "charge", "--provider", "mtn", "--amount", "5", "--phone", "46733123453", "--timeout", "1"
    )
    assert pending.returncode == 3
    assert "still waiting for the customer after 1 s" in pending.stderr
    assert "`pos-app sync`" in pending.stderr and "saved" in pending.stderr
    assert (
        rig.run(
            "charge",
            "--provider",
            "mtn",
            "--amount",
            "5",
            "--phone",
            "46733123453",
            "--timeout",
            "-1",
        ).returncode
        == 2
    )
    assert len(rig.rows()) == 1  # the refused one saved nothing
