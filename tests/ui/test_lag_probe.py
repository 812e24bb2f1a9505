from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from pos_app.ui.lag_probe import LagProbe


def test_probe_sees_a_blocked_loop(qtbot: QtBot) -> None:
    probe = LagProbe(10)
    probe.start()
    qtbot.wait(100)
    quiet = probe.worst()
    QTimer.singleShot(0, lambda: time.sleep(0.15))  # something blocks the loop
    qtbot.wait(300)
    probe.stop()
    assert quiet < 0.1
    assert probe.worst() >= 0.12
    assert len(probe.lags) >= 10
