"""One window per till, and a window that sees what headless commands do beside it (issue 23)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from pos_app.platform import paths
from pos_app.platform.config import Config, ShopConfig
from pos_app.store import PaymentRepository, open_database
from pos_app.ui.main_window import MainWindow
from pos_app.ui.single_instance import LOCK_NAME, SingleWindow


def test_a_second_claim_is_refused_and_wakes_the_first(qtbot: QtBot, tmp_path: Path) -> None:
    first, second = SingleWindow(tmp_path), SingleWindow(tmp_path)
    assert first.claim()
    with qtbot.waitSignal(first.wake_up, timeout=3000):
        assert not second.claim()
    first.release()
    assert second.claim()  # the folder is free again once the window has gone
    second.release()


def test_a_crashed_window_does_not_leave_the_lock_stuck(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path;"
            "from pos_app.ui.single_instance import SingleWindow;"
            "w = SingleWindow(Path(sys.argv[1])); assert w.claim(); print('held', flush=True);"
            "time.sleep(60)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    assert not SingleWindow(tmp_path).claim()
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (tmp_path / LOCK_NAME).exists()  # left behind by the crash...
    survivor = SingleWindow(tmp_path)
    assert survivor.claim()  # ...and found stale
    survivor.release()


def test_a_second_start_exits_within_seconds_while_the_first_stays(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "POS_APP_DATA_DIR": str(tmp_path / "data"),
        "POS_APP_LOG_DIR": str(tmp_path / "logs"),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    command = [sys.executable, "-m", "pos_app", "--demo"]
    first = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        lock = tmp_path / "data" / LOCK_NAME  # one lock for the till, demo or live
        deadline = time.monotonic() + 30
        while not lock.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert lock.exists()
        started = time.monotonic()
        second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=20)
        assert time.monotonic() - started < 5
        assert second.returncode == 0
        assert "already open" in second.stderr
        assert first.poll() is None
        # The first window was asked to come forward, and stays up.
        log = tmp_path / "logs" / "pos-app.log"
        deadline = time.monotonic() + 5
        while "brought to the front" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "brought to the front" in log.read_text()
        assert first.poll() is None
    finally:
        first.terminate()
        first.wait(timeout=20)


@pytest.fixture
def demo_repo(tmp_path: Path) -> PaymentRepository:
    paths.enter_demo_world(True)
    return PaymentRepository(open_database(paths.database_path()))


def test_a_charge_from_the_command_line_shows_on_the_window_within_a_second(
    qtbot: QtBot, demo_repo: PaymentRepository
) -> None:
    config = Config(shop=ShopConfig(name="Mama Rose", country="UG", till="Counter 2"))
    window = MainWindow(config, demo_repo, demo=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.today_label.text() == "Today: no payments received yet")
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    charge = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pos_app",
            "charge",
            "--demo",
            "--provider",
            "mtn",
            "--amount",
            "700",
            "--phone",
            "0772123456",
            "--json",
        ],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert charge.stdout is not None
        first_line = charge.stdout.readline()  # saved: the payment is in the database now
        assert '"status": "created"' in first_line
        seen = time.monotonic()
        qtbot.waitUntil(lambda: len(window.cards.cards) == 1, timeout=1000)
        assert time.monotonic() - seen < 1.0
        assert charge.wait(timeout=30) == 0
        qtbot.waitUntil(lambda: "USh700" in window.today_label.text(), timeout=1500)
        (card,) = window.cards.cards.values()
        qtbot.waitUntil(lambda: card.payment.status.value == "successful", timeout=1500)
    finally:
        if charge.poll() is None:
            charge.kill()
        window.close()
        demo_repo.close()
