"""The window with a provider it has never heard of (tests/testpay.py): offered for its own
customers' numbers, charged from the keypad, on its card, in the receipts, the day report and
the settings, with no line of pos_app/ui naming it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QRadioButton
from pytestqt.qtbot import QtBot

from pos_app.domain.payment import PaymentStatus
from pos_app.store import PaymentRepository
from pos_app.store.repository import PaymentFilter
from pos_app.ui.settings import SettingsDialog
from tests import testpay
from tests.ui.conftest import Counter, until


@pytest.fixture(autouse=True)
def _installed() -> Iterator[None]:
    with testpay.installed():
        yield


def test_a_third_provider_is_offered_charged_and_shown_everywhere(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository, tmp_path: Path
) -> None:
    counter = Counter(qtbot, loop, repo, approval_delay=1.0, timezone="Africa/Kampala")
    window, panel = counter.window, counter.window.panel
    assert panel is not None
    names = [button.text() for button in panel.findChildren(QRadioButton)]
    assert "TestPay" in names and "MTN MoMo" in names

    qtbot.keyClicks(panel.amount, "25000")
    qtbot.keyClick(panel.amount, Qt.Key.Key_Tab)
    qtbot.keyClicks(panel.phone, "0712 123 456")  # a UTL number: TestPay's customers
    assert panel.provider == "testpay"
    qtbot.keyClick(panel.phone, Qt.Key.Key_Return)

    def paid() -> bool:
        payments = repo.page(PaymentFilter()).payments
        return len(payments) == 1 and payments[0].status == PaymentStatus.SUCCESSFUL

    loop.run_until_complete(until(paid))
    [payment] = repo.page(PaymentFilter()).payments
    assert payment.provider == "testpay" and payment.amount.currency == "UGX"
    card = window.cards.cards[payment.reference_id]
    loop.run_until_complete(until(lambda: card.state.text().startswith("✔ PAID")))
    assert "TestPay" in card.title.text() and "256712***456" in card.title.text()
    assert payment.provider_transaction_id and payment.provider_transaction_id in card.state.text()

    window.show_receipts()
    model = window.receipts.model
    loop.run_until_complete(until(lambda: model.rowCount() == 1))
    row = [str(model.data(model.index(0, column)) or "") for column in range(model.columnCount())]
    assert "TestPay" in row

    window.show_report()
    loop.run_until_complete(until(lambda: "TestPay" in window.report.text.toPlainText()))
    assert "TestPay · paid" in window.report.text.toPlainText()

    settings = SettingsDialog(counter.till.config, tmp_path / "config.toml")
    qtbot.addWidget(settings)
    tabs = [settings.tabs.tabText(i) for i in range(settings.tabs.count())]
    assert "TestPay" in tabs
    merchant = settings.inputs[settings.setting("testpay", "merchant")]
    assert isinstance(merchant, QLineEdit) and merchant.text() == "SHOP1"
    assert isinstance(settings.secrets.fields[testpay.API_KEY], QLineEdit)
    settings.close()
    window.close()
    loop.run_until_complete(counter.engine.aclose())
