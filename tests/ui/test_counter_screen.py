"""The counter screen (issue 23): each error beside its field, all at once, nothing moving; the
network hint; the second look at a large amount."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.domain.phone import parse_phone
from pos_app.engine.engine import ChargeRequest
from pos_app.platform.config import Config
from pos_app.store import PaymentRepository
from pos_app.ui.amount_confirm import AmountConfirmDialog, amount_in_words
from tests.ui.conftest import Counter


@pytest.fixture
def counter(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> Iterator[Counter]:
    running = Counter(qtbot, loop, repo)
    running.window.resize(1000, 640)  # the window's smallest size
    qtbot.waitUntil(lambda: running.window.width() == 1000)
    yield running
    running.close()


def with_shop(counter: Counter, **changes: object) -> None:
    """The till's shop settings changed in place (as after a restart with them)."""
    shop = replace(counter.config.shop, **changes)  # type: ignore[arg-type]
    counter.till.config = Config(shop=shop)


def requests(counter: Counter) -> list[ChargeRequest]:
    sent: list[ChargeRequest] = []
    counter.panel.charge_requested.disconnect()  # nothing reaches the engine
    counter.panel.charge_requested.connect(sent.append)
    return sent


def place(widget: QWidget) -> QPoint:
    return widget.mapTo(widget.window(), QPoint(0, 0))


def test_every_error_beside_its_field_at_once_and_nothing_moves(counter: Counter) -> None:
    panel = counter.panel
    keypad = next(b for b in panel.findChildren(type(panel.charge_button)) if b.text() == "7")
    before = (place(keypad), keypad.size(), place(panel.phone), place(panel.charge_button))
    panel.amount.setText("15.50")
    panel.phone.setText("0414 123 456")
    panel.submit()
    assert "no decimal part" in panel.amount_shown.text()
    assert "is not a mobile number" in panel.phone_error.text()
    assert panel.error.text() == ""
    # Right under its field.
    assert place(panel.amount_shown).y() - (place(panel.amount).y() + panel.amount.height()) < 8
    assert place(panel.phone_error).y() - (place(panel.phone).y() + panel.phone.height()) < 8
    assert (place(keypad), keypad.size(), place(panel.phone), place(panel.charge_button)) == before
    assert panel.amount.hasFocus()  # the first field to correct
    assert repr(counter.repo.list_open()) == "[]"


def test_the_left_column_keeps_its_width_when_switching_provider(counter: Counter) -> None:
    panel = counter.panel
    width, quick = panel.width(), panel.quick.geometry().width()
    panel.set_provider("mpesa")  # Ksh50.00 … Ksh1,000.00: wider than USh500 …
    QApplication.processEvents()
    assert panel.width() == width and panel.quick.geometry().width() == quick
    panel.set_provider("mtn")
    QApplication.processEvents()
    assert panel.width() == width


def test_the_phone_placeholder_fits_its_field(counter: Counter) -> None:
    field = counter.panel.phone
    text = field.placeholderText()
    assert text == "Phone, e.g. 0772 123 456"
    room = field.contentsRect().width() - field.textMargins().left() - field.textMargins().right()
    assert QFontMetrics(field.font()).horizontalAdvance(text) < room - 16  # padding and frame


def test_an_airtel_number_with_mtn_is_named_and_refused(counter: Counter) -> None:
    panel = counter.panel
    sent = requests(counter)
    panel.amount.setText("1500")
    counter.qtbot.mouseClick(panel.provider_radio["mtn"], Qt.MouseButton.LeftButton)  # by hand
    counter.qtbot.keyClicks(panel.phone, "0701234567")
    assert panel.provider == "mtn"
    assert "Airtel" in panel.network_hint.text()  # as it is typed, beside the provider choice
    panel.submit()
    assert "Airtel" in panel.network_hint.text() and not sent
    assert panel.phone.text() == "0701234567"


def test_ported_numbers_allowed_the_hint_stays_and_the_charge_goes(counter: Counter) -> None:
    with_shop(counter, allow_ported_numbers=True)
    panel = counter.panel
    sent = requests(counter)
    panel.amount.setText("1500")
    counter.qtbot.mouseClick(panel.provider_radio["mtn"], Qt.MouseButton.LeftButton)  # by hand
    panel.phone.setText("0701234567")
    assert "Airtel" in panel.network_hint.text()
    panel.submit()
    assert [r.phone.msisdn for r in sent] == ["256701234567"]


def test_above_the_largest_charge_nothing_is_sent(counter: Counter) -> None:
    panel = counter.panel
    sent = requests(counter)
    counter.type_charge("50000000", "0772123456")
    assert "largest charge" in panel.amount_shown.text()
    assert panel.confirm_dialog is None and not sent


def test_a_large_amount_is_confirmed_deliberately(counter: Counter) -> None:
    panel, qtbot = counter.panel, counter.qtbot
    sent = requests(counter)
    counter.type_charge("600000", "0772123456")  # above a tenth of USh5,000,000
    dialog = panel.confirm_dialog
    assert dialog is not None and not sent
    qtbot.waitExposed(dialog)
    assert dialog.big_amount.text() == "USh600,000"
    assert dialog.words.text() == "six hundred thousand Ugandan shillings"
    assert "256772***456" in dialog.customer.text()
    assert dialog.back_button.isDefault() and not dialog.charge_button.isDefault()
    qtbot.waitUntil(dialog.back_button.hasFocus)
    # Enter goes back, the fields as they were typed.
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert not sent and panel.confirm_dialog is None
    assert (panel.amount.text(), panel.phone.text()) == ("600000", "0772123456")
    # Enter on the Charge button itself does not charge either.
    panel.submit()
    dialog = panel.confirm_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.charge_button.setFocus()
    qtbot.keyClick(dialog.charge_button, Qt.Key.Key_Return)
    assert not sent
    panel.submit()
    dialog = panel.confirm_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not sent and panel.amount.text() == "600000"
    # A click charges, and the panel is ready for the next customer.
    panel.submit()
    dialog = panel.confirm_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.charge_button, Qt.MouseButton.LeftButton)
    assert [(r.amount, r.phone.msisdn) for r in sent] == [(Money(600000, "UGX"), "256772123456")]
    assert panel.amount.text() == "" and panel.phone.text() == ""


def test_below_confirm_above_the_charge_goes_at_once(counter: Counter) -> None:
    with_shop(counter, confirm_above=1_000_000.0)
    sent = requests(counter)
    counter.type_charge("600000", "0772123456")
    assert counter.panel.confirm_dialog is None and len(sent) == 1


def test_amounts_in_words() -> None:
    assert amount_in_words(Money(500000, "UGX"), "en") == "five hundred thousand Ugandan shillings"
    assert amount_in_words(Money(500000, "UGX"), "fr") == "cinq cent mille shillings ougandais"
    assert amount_in_words(Money(150000, "XOF"), "fr").startswith("cent cinquante mille francs")
    assert "euro" in amount_in_words(Money(1250, "EUR"), "en")  # 12.50: with its cents


def test_confirm_dialog_alone(qtbot: QtBot) -> None:
    dialog = AmountConfirmDialog(Money(600000, "UGX"), "mtn", "256772123456", "en_UG", "en")
    qtbot.addWidget(dialog)
    assert dialog.charge_button.text() == "Charge USh600,000"


def test_charge_again_passes_the_same_guard(counter: Counter) -> None:
    panel, qtbot = counter.panel, counter.qtbot
    sent = requests(counter)
    panel.amount.setText("1500")  # typed for the next customer: left alone
    phone = parse_phone("0772123456", "UG")
    large = ChargeRequest("mtn", Money(600_000, "UGX"), phone)
    panel.charge_again(large)
    dialog = panel.confirm_dialog
    assert dialog is not None and not sent
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # goes back
    assert not sent
    panel.charge_again(large)
    dialog = panel.confirm_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.charge_button, Qt.MouseButton.LeftButton)
    assert [r.amount for r in sent] == [Money(600_000, "UGX")]
    assert panel.amount.text() == "1500"
    # Above the largest charge (lowered since the first try), nothing is sent.
    with_shop(counter, largest_charge=500_000.0, confirm_above=100_000.0)
    panel.charge_again(large)
    assert panel.confirm_dialog is None and len(sent) == 1
    assert "largest charge" in panel.error.text()
    small = ChargeRequest("mtn", Money(2_000, "UGX"), phone)
    panel.charge_again(small)
    assert [r.amount for r in sent][-1] == Money(2_000, "UGX")


def test_the_card_s_charge_again_button_goes_through_the_guard(counter: Counter) -> None:
    sent = requests(counter)
    payment, event = Payment.create(
        provider="mtn", amount=Money(600_000, "UGX"), msisdn="256772123456", now=datetime.now(UTC)
    )
    counter.repo.save_new(payment, event)
    failed = counter.repo.transition(payment.reference_id, PaymentStatus.FAILED, event.at)
    counter.window.cards.update_payment(failed)
    card = counter.window.cards.cards[payment.reference_id]
    card.retry_requested.emit(failed)
    assert counter.panel.confirm_dialog is not None and not sent


def test_the_message_takes_what_the_chosen_provider_shows_the_customer(counter: Counter) -> None:
    panel = counter.panel
    panel.set_provider("mpesa")
    assert panel.message.maxLength() == 13  # Daraja's TransactionDesc
    panel.set_provider("mtn")
    assert panel.message.maxLength() == 160  # MTN's payerMessage
