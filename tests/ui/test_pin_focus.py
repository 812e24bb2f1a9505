"""After a refused PIN the first field is empty and has the focus (issue 23)."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.store import PaymentRepository
from pos_app.ui.new_pin_dialog import NewPinDialog
from pos_app.ui.pin_dialog import PinDialog
from tests.ui.conftest import Counter


def test_a_refused_pin_starts_again_in_the_first_field(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> None:
    counter = Counter(qtbot, loop, repo)
    window = counter.window
    # Choosing the first PIN: typed twice, differently, Enter in the second field.
    dialog = PinDialog(window.owner, "settings", window)
    dialog.open()
    qtbot.waitExposed(dialog)
    assert dialog.again is not None
    qtbot.keyClicks(dialog.pin, "1234")
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.again, "5678")
    qtbot.keyClick(dialog.again, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.error.text()
    qtbot.waitUntil(dialog.pin.hasFocus)
    assert dialog.pin.text() == "" and dialog.again.text() == ""
    dialog.close()
    # Asking for it: a wrong PIN.
    window.owner.set_pin("480213")
    dialog = PinDialog(window.owner, "settings", window)
    dialog.open()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.pin, "000999")
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    assert dialog.error.text() == "Wrong PIN."
    qtbot.waitUntil(dialog.pin.hasFocus)
    assert dialog.pin.text() == ""
    dialog.close()
    # Changing it: a wrong current PIN, Enter in the last field.
    change = NewPinDialog(window.owner, window)
    change.open()
    qtbot.waitExposed(change)
    change.current.setText("111222")
    change.new.setText("1234")
    change.again.setFocus()
    qtbot.keyClicks(change.again, "1234")
    qtbot.keyClick(change.again, Qt.Key.Key_Return)
    assert change.isVisible() and change.error.text()
    qtbot.waitUntil(change.current.hasFocus)
    assert change.current.text() == change.new.text() == change.again.text() == ""
    change.close()
    counter.close()
