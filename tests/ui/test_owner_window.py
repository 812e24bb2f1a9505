"""The owner's actions in the real window on the demo till: a refund from the receipt, behind
the PIN (wrong PINs lock it), an unknown M-Pesa payment resolved by hand, a reconciliation
run, the database check and a PIN change."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from pos_app.domain.payment import PaymentStatus
from pos_app.engine.engine import ChargeRequest
from pos_app.store import PaymentRepository
from pos_app.store.repository import PaymentFilter
from pos_app.ui.findings_dialog import FindingsDialog
from pos_app.ui.new_pin_dialog import NewPinDialog
from pos_app.ui.refund_dialog import RefundDialog
from pos_app.ui.resolve_dialog import ResolveDialog
from tests.ui.conftest import Counter
from tests.ui.conftest import until as wait_until
from tests.ui.test_main_window import enter_pin

S = PaymentStatus
PIN = "480213"


def until(loop: asyncio.AbstractEventLoop, condition: Callable[[], bool]) -> None:
    """Run the app's event loop (its asyncio tasks too) until `condition` holds."""
    loop.run_until_complete(wait_until(condition, 10))


def charged(counter: Counter, amount: str, phone: str) -> str:
    counter.type_charge(amount, phone)
    counter.finish()
    [latest] = counter.repo.page(PaymentFilter(), limit=1).payments
    return latest.reference_id


def test_refund_from_the_receipt_behind_the_pin(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> None:
    counter = Counter(qtbot, loop, repo)
    window = counter.window
    window.owner.set_pin(PIN)
    paid = charged(counter, "1500", "0772 123 456")
    qtbot.mouseClick(window.cards.cards[paid].receipt, Qt.MouseButton.LeftButton)
    detail = window.detail
    assert detail is not None and detail.refund_button.isVisible()
    assert not detail.resolve_button.isVisible()
    qtbot.mouseClick(detail.refund_button, Qt.MouseButton.LeftButton)
    pin = enter_pin(window, "000999")
    assert pin.isVisible() and pin.error.text() == "Wrong PIN."
    pin.pin.setText(PIN)
    pin.submit()
    dialog = window.owner_actions.dialog
    assert isinstance(dialog, RefundDialog) and dialog.amount.text() == "1500"
    dialog.amount.setText("2000")
    dialog.submit()
    until(loop, lambda: "At most 1500 can still be refunded" in dialog.error.text())
    assert repo.refunds_of(paid) == []  # refused: nothing saved
    dialog.amount.setText("1,000")
    dialog.note.setText("Broken bottle")
    dialog.submit()
    until(loop, lambda: len(repo.refunds_of(paid)) == 1)
    until(loop, lambda: repo.refunds_of(paid)[0].is_final)
    [refund] = repo.refunds_of(paid)
    assert (refund.status, refund.amount.minor_units, refund.payer_message) == (
        S.SUCCESSFUL,
        1000,
        "Broken bottle",
    )
    assert repo.get(paid).status == S.SUCCESSFUL  # 500 of it still paid
    card = window.cards.cards[refund.reference_id]
    qtbot.waitUntil(lambda: card.state.text().startswith("↩ REFUND MADE"))
    assert card.title.text().startswith("−USh1,000") and not card.retry.isVisible()
    qtbot.waitUntil(
        lambda: window.today_label.text() == "Today: USh1,500 (1 paid), refunded USh1,000"
    )
    log = [(a.action, a.role) for a in repo.owner_log.recent(4)]
    assert log == [
        ("refund", "owner"),
        ("pin accepted", "owner"),
        ("pin refused", "cashier"),
        ("pin set", "owner"),
    ]
    counter.close()


def test_repeated_wrong_pins_lock_the_owner_actions(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> None:
    counter = Counter(qtbot, loop, repo)
    window = counter.window
    window.owner.set_pin(PIN)
    window.owner_actions.open_settings()
    for _ in range(3):
        pin = enter_pin(window, "111999")
    assert "locked for 30 s" in pin.error.text()
    pin.pin.setText(PIN)
    pin.submit()  # even the right PIN waits
    assert window.owner_actions.settings is None and "locked" in pin.error.text()
    pin.close()
    window.owner_actions.open_settings()
    assert "locked" in enter_pin(window, PIN).error.text()  # a new dialog is locked too
    counter.close()


def test_unknown_mpesa_payment_resolved_and_the_day_reconciled(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> None:
    counter = Counter(qtbot, loop, repo, country="KE")
    window = counter.window
    amount, phone = counter.till.parse_charge("mpesa", "100", "0708374149")
    assert phone.msisdn == "254708374149"
    lost = counter.engine.create(ChargeRequest("mpesa", amount, phone))
    repo.transition(lost.reference_id, S.SUBMITTING, lost.created_at)
    repo.transition(lost.reference_id, S.UNKNOWN, lost.created_at, reason="app:SEND_TIMEOUT")

    window.owner_actions.reconcile_today()
    enter_pin(window, PIN, again=PIN)  # the first owner action chooses the PIN
    until(loop, lambda: isinstance(window.owner_actions.dialog, FindingsDialog))
    findings = window.owner_actions.dialog
    assert isinstance(findings, FindingsDialog)
    assert findings.summary.text() == "1 payment(s) checked, 0 corrected."
    assert "customer's SMS" in findings.items.item(0).text()
    findings.close()

    window._open_receipt(repo.get(lost.reference_id))
    detail = window.detail
    assert detail is not None and detail.resolve_button.isVisible()
    assert not detail.refund_button.isVisible()
    qtbot.mouseClick(detail.resolve_button, Qt.MouseButton.LeftButton)
    enter_pin(window, PIN)
    resolve = window.owner_actions.dialog
    assert isinstance(resolve, ResolveDialog)
    resolve.code.setText("not a code")
    resolve.confirm.click()
    assert resolve.isVisible() and resolve.error.text()
    resolve.code.setText("qkj1xyz123")
    resolve.confirm.click()
    found = repo.get(lost.reference_id)
    assert (found.status, found.provider_transaction_id, found.receipt_source) == (
        S.SUCCESSFUL,
        "QKJ1XYZ123",
        "cashier",
    )
    assert repo.owner_log.recent(1)[0].detail == {
        "payment": lost.reference_id,
        "status": "successful",
        "receipt": "qkj1xyz123",
    }
    counter.close()


def test_database_check_and_pin_change(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> None:
    counter = Counter(qtbot, loop, repo)
    window = counter.window
    window.owner_actions.change_pin()
    enter_pin(window, PIN, again=PIN)
    assert window.owner.has_pin()
    window.owner_actions.verify_database()
    enter_pin(window, PIN)  # the check runs beside the window, then says what it found
    qtbot.waitUntil(lambda: isinstance(window.owner_actions.dialog, QMessageBox))
    box = window.owner_actions.dialog
    assert isinstance(box, QMessageBox) and box.text().startswith("History intact")
    box.close()
    window.owner_actions.change_pin()
    enter_pin(window, PIN)
    change = window.owner_actions.dialog
    assert isinstance(change, NewPinDialog)
    change.current.setText(PIN)
    change.new.setText("715930")
    change.again.setText("715930")
    change.submit()
    window.owner_actions.open_settings()
    enter_pin(window, "715930")
    assert window.owner_actions.settings is not None and window.owner_actions.settings.isVisible()
    counter.close()
