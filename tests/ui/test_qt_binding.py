"""The Qt binding in use survives a day of button presses (PySide6 6.12.0 did not)."""

from __future__ import annotations

import os
import subprocess
import sys

PROGRAM = """
from PySide6.QtWidgets import QApplication, QPushButton
app = QApplication([])
pressed = []
buttons = []
for key in "0123456789":
    button = QPushButton(key)
    button.clicked.connect(lambda _=False, k=key: pressed.append(k))
    buttons.append(button)
for _ in range(1000):
    for button in buttons:
        button.click()
print(len(pressed))
"""


def test_many_clicks_do_not_corrupt_the_interpreter() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "10000"
