from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.platform.config import Config, ShopConfig
from pos_app.store import PaymentRepository
from pos_app.ui.main_window import DEMO_TEXT, MainWindow
from pos_app.ui.pin_dialog import PinDialog


def config() -> Config:
    return Config(
        shop=ShopConfig(name="Mama Rose", country="UG", till="Counter 2", timezone="Africa/Kampala")
    )


def test_demo_window_says_no_real_money(qtbot: QtBot, repo: PaymentRepository) -> None:
    window = MainWindow(config(), repo, demo=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.demo_banner.isVisible()
    assert window.demo_banner.text() == DEMO_TEXT
    assert window.windowTitle() == "pos-app — Mama Rose — Counter 2 — DEMO"
    assert "Counter 2" in window.till_label.text()
    qtbot.waitUntil(lambda: window.today_label.text() == "Today: no payments received yet")


def test_live_window_has_no_demo_banner(qtbot: QtBot, repo: PaymentRepository) -> None:
    window = MainWindow(config(), repo, demo=False)
    qtbot.addWidget(window)
    window.show()
    assert not window.demo_banner.isVisible()
    assert "DEMO" not in window.windowTitle()


def test_today_shows_received_payments_only(qtbot: QtBot, repo: PaymentRepository) -> None:
    now = datetime.now(UTC)
    for minor, final in (
        (1500, PaymentStatus.SUCCESSFUL),
        (2500, PaymentStatus.SUCCESSFUL),
        (9000, PaymentStatus.FAILED),
    ):
        p, event = Payment.create(
            provider="mtn", amount=Money(minor, "UGX"), msisdn="256772123456", now=now
        )
        repo.save_new(p, event)
        for status in (PaymentStatus.SUBMITTING, PaymentStatus.PENDING, final):
            repo.transition(p.reference_id, status, now)
    window = MainWindow(config(), repo, demo=True)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.today_label.text() == "Today: USh4,000 (2 paid)")


def test_closing_emits_closed(qtbot: QtBot, repo: PaymentRepository) -> None:
    window = MainWindow(config(), repo, demo=True)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.closed, timeout=1000):
        window.close()


def test_missing_keyring_is_said_in_the_status_bar(qtbot: QtBot, repo: PaymentRepository) -> None:
    window = MainWindow(config(), repo, demo=True, keyring_problem="No secure keyring is available")
    qtbot.addWidget(window)
    window.show()
    assert window.keyring_label.isVisible()
    assert window.keyring_label.toolTip() == "No secure keyring is available"
    other = MainWindow(config(), repo, demo=True)
    qtbot.addWidget(other)
    other.show()
    assert not other.keyring_label.isVisible()


def test_settings_open_once_and_reopen_with_what_was_saved(
    qtbot: QtBot, repo: PaymentRepository, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    window = MainWindow(dataclasses.replace(config(), path=path), repo, demo=False)
    qtbot.addWidget(window)
    window.show()
    assert "Ctrl+," in window.owner_actions.settings_button.toolTip()
    qtbot.mouseClick(window.owner_actions.settings_button, Qt.MouseButton.LeftButton)
    # Owner only: the PIN first (chosen now, the first time).
    assert window.owner_actions.settings is None
    enter_pin(window, "480213", again="480213")
    dialog = window.owner_actions.settings
    assert dialog is not None and dialog.isVisible()
    window.owner_actions.open_settings()
    assert window.owner_actions.settings is dialog  # not a second dialog
    name = dialog.inputs[dialog.setting("shop", "name")]
    assert isinstance(name, QLineEdit) and name.text() == "Mama Rose"
    name.setText("Mama Rose & Sons")
    dialog.save()
    dialog.close()
    assert window.owner_actions.settings is None
    window.owner_actions.open_settings()
    enter_pin(window, "480213")
    reopened = window.owner_actions.settings
    assert reopened is not None and reopened is not dialog
    name = reopened.inputs[reopened.setting("shop", "name")]
    assert isinstance(name, QLineEdit) and name.text() == "Mama Rose & Sons"
    assert window.windowTitle().startswith("pos-app — Mama Rose —")  # applies at next start
    actions = [a.action for a in repo.owner_log.recent()]
    assert actions == ["pin accepted", "settings saved", "pin accepted", "pin set"]


def enter_pin(window: MainWindow, pin: str, again: str | None = None) -> PinDialog:
    """Type the PIN into the owner dialog the window just opened, and press OK."""
    dialog = window.owner_actions.dialog
    assert isinstance(dialog, PinDialog) and dialog.isVisible()
    dialog.pin.setText(pin)
    if again is not None:
        assert dialog.creating and dialog.again is not None
        dialog.again.setText(again)
    dialog.submit()
    return dialog
