"""The cashier's window driven through its real widgets, on the demo till."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from pos_app.domain.payment import PaymentStatus
from pos_app.engine.engine import ChargeRequest
from pos_app.store import PaymentRepository
from pos_app.store.repository import PaymentFilter
from tests.ui.conftest import Counter

S = PaymentStatus


@pytest.fixture
def beeps(monkeypatch: pytest.MonkeyPatch) -> list[None]:
    heard: list[None] = []
    monkeypatch.setattr(QApplication, "beep", lambda: heard.append(None))
    return heard


def test_full_charge_to_success_with_the_keyboard(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository, beeps: list[None]
) -> None:
    counter = Counter(qtbot, loop, repo)
    panel = counter.panel
    qtbot.waitUntil(panel.amount.hasFocus)
    qtbot.keyClicks(panel.amount, "1500")
    assert panel.amount_shown.text() == "USh1,500"  # formatted as typed
    qtbot.keyClick(panel.amount, Qt.Key.Key_Tab)
    assert panel.phone.hasFocus()
    qtbot.keyClicks(panel.phone, "0772 123 456")
    assert panel.provider == "mtn"
    qtbot.keyClick(panel.phone, Qt.Key.Key_Return)
    assert panel.amount.text() == "" and panel.phone.text() == ""  # next customer at once
    counter.finish()
    [payment] = repo.page(PaymentFilter()).payments
    assert payment.status == S.SUCCESSFUL
    card = counter.window.cards.cards[payment.reference_id]
    assert card.state.text().startswith("✔ PAID · receipt ")
    assert "256772***456" in card.title.text() and "USh1,500" in card.title.text()
    assert not card.retry.isVisible()
    assert len(beeps) == 1  # heard from a step away
    qtbot.waitUntil(lambda: counter.window.today_label.text() == "Today: USh1,500 (1 paid)")
    # The receipt is printed (or saved as PDF) from the card.
    qtbot.mouseClick(card.receipt, Qt.MouseButton.LeftButton)
    detail = counter.window.detail
    assert detail is not None and detail.isVisible()
    assert detail.payment.reference_id == payment.reference_id
    assert detail.payment.provider_transaction_id in detail.summary.text()
    detail.close()
    counter.close()


@pytest.mark.parametrize(
    ("country", "phone", "provider", "state", "advice"),
    [
        (
            "UG",
            "46733123451",
            "mtn",
            "Customer rejected the payment on their phone",
            "whether they want to pay",
        ),
        ("UG", "46733123455", "mtn", "No MoMo account for this number", "Check the number"),
        ("KE", "0711001032", "mpesa", "Customer cancelled on phone", "whether they want to pay"),
        ("KE", "0711000001", "mpesa", "Not enough money on the customer's M-Pesa", "top up"),
        ("KE", "0711002001", "mpesa", "Wrong M-Pesa PIN", "right PIN"),
        (
            "KE",
            "0711001037",
            "mpesa",
            "The customer's phone could not be reached",
            "switch the phone on",
        ),
    ],
)
def test_each_failure_is_explained(
    qtbot: QtBot,
    loop: asyncio.AbstractEventLoop,
    repo: PaymentRepository,
    country: str,
    phone: str,
    provider: str,
    state: str,
    advice: str,
    beeps: list[None],
) -> None:
    counter = Counter(qtbot, loop, repo, country, sound=False)
    counter.panel.set_provider(provider)  # type: ignore[arg-type]
    counter.type_charge("150", phone)
    counter.finish()
    [card] = counter.window.cards.cards.values()
    assert card.payment.status == S.FAILED
    assert card.state.text() == f"✖ REFUSED · {state}"
    assert advice in card.advice.text()
    assert card.retry.isVisible() and card.retry.isEnabled()
    assert not card.receipt.isVisible()
    assert beeps == []  # the shop turned sound off
    counter.close()


def test_charge_again_is_a_new_payment_and_rule_17_is_said(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> None:
    counter = Counter(qtbot, loop, repo, "KE")
    counter.type_charge("200", "0722 000 017")
    counter.finish()
    counter.type_charge("200", "0722 000 017")  # same amount, same customer, within 2 minutes
    counter.finish()
    cards = list(counter.window.cards.cards.values())
    refused = next(c for c in cards if c.payment.status == S.FAILED)
    assert "same amount to the same customer within 2 minutes" in refused.state.text()
    assert refused.retry.isVisible() and not refused.retry.isEnabled()  # no instant retry
    assert "Wait 2 minutes" in refused.retry.toolTip()
    counter.close()


def test_retry_after_a_failure(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> None:
    counter = Counter(qtbot, loop, repo)
    counter.type_charge("900", "46733123451")
    counter.finish()
    [failed] = counter.window.cards.cards.values()
    qtbot.mouseClick(failed.retry, Qt.MouseButton.LeftButton)
    counter.finish()
    assert len(counter.window.cards.cards) == 2
    second = next(c for c in counter.window.cards.cards.values() if c is not failed)
    assert second.payment.reference_id != failed.payment.reference_id
    assert (second.payment.amount, second.payment.msisdn) == (
        failed.payment.amount,
        failed.payment.msisdn,
    )
    counter.close()


@pytest.mark.parametrize(
    ("amount", "phone", "message"),
    [
        ("", "0772123456", "Enter an amount"),
        ("-5", "0772123456", "negative"),
        ("15.50", "0772123456", "no decimal part"),
        ("1500", "", "Enter the customer's phone number"),
        ("1500", "0414 123 456", "not a mobile number"),
        ("1500", "+255712345678", "Uganda numbers only"),
    ],
)
def test_bad_input_is_explained_inline_and_nothing_is_saved(
    qtbot: QtBot,
    loop: asyncio.AbstractEventLoop,
    repo: PaymentRepository,
    amount: str,
    phone: str,
    message: str,
) -> None:
    counter = Counter(qtbot, loop, repo)
    counter.type_charge(amount, phone)
    loop.run_until_complete(asyncio.sleep(0.05))
    # Beside its field: under the amount, or under the phone.
    panel = counter.panel
    beside = panel.phone_error if amount == "1500" else panel.amount_shown
    assert message in beside.text()
    assert counter.panel.amount.text() == amount  # kept, to be corrected
    assert repo.list_open() == [] and not counter.window.cards.cards
    counter.close()


def test_keypad_quick_amounts_and_provider_suggestion(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> None:
    counter = Counter(qtbot, loop, repo)
    panel = counter.panel
    keypad = {b.text(): b for b in panel.findChildren(type(panel.charge_button))}
    for key in ("2", "5", "00", "⌫", "0"):
        qtbot.mouseClick(keypad[key], Qt.MouseButton.LeftButton)
    assert panel.amount.text() == "2500"
    qtbot.mouseClick(keypad["USh5,000"], Qt.MouseButton.LeftButton)
    assert panel.amount.text() == "5000" and panel.amount_shown.text() == "USh5,000"
    qtbot.keyClicks(panel.phone, "+254712345678")  # a Safaricom number
    assert panel.provider == "mpesa"
    assert not panel.check_customer.isVisible()
    panel.phone.clear()
    qtbot.keyClicks(panel.phone, "0772123456")  # an MTN Uganda number
    assert panel.provider == "mtn"
    counter.close()


def test_check_customer_shows_the_account_holder(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> None:
    counter = Counter(qtbot, loop, repo)
    qtbot.keyClicks(counter.panel.phone, "46733123454")
    qtbot.mouseClick(counter.panel.check_customer, Qt.MouseButton.LeftButton)
    loop.run_until_complete(asyncio.sleep(0.3))
    assert counter.panel.customer.text() == "Account holder: Sand Box"
    counter.panel.phone.clear()
    qtbot.keyClicks(counter.panel.phone, "46733123450")
    qtbot.mouseClick(counter.panel.check_customer, Qt.MouseButton.LeftButton)
    loop.run_until_complete(asyncio.sleep(0.3))
    assert "No active MTN MoMo account" in counter.panel.customer.text()
    counter.close()


def test_a_payment_never_sent_before_a_restart_is_shown_and_closed_never_sent(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> None:
    before = Counter(qtbot, loop, repo)
    amount, phone = before.till.parse_charge("mtn", "700", "0772123456")
    left = before.engine.create(ChargeRequest("mtn", amount, phone))  # then the till died
    before.close()
    after = Counter(qtbot, loop, repo)  # restarted
    card = after.window.cards.cards[left.reference_id]
    assert card.state.text() == "Sending the prompt…"
    qtbot.waitUntil(lambda: after.window.open_label.text() == "1 unfinished")

    async def resume() -> None:
        after.engine.resume()  # what the app does on start

    loop.run_until_complete(resume())
    after.finish()
    # Never sent, and never sent late: the cashier charges again if the sale still stands.
    assert card.state.text().startswith("✖")
    assert "Never sent to the customer's phone" in card.state.text()
    assert card.retry.isVisible()
    assert after.simulator_pushes() == 0
    qtbot.waitUntil(lambda: after.window.open_label.text() == "0 unfinished")
    after.close()


def test_keyboard_shortcuts_switch_between_counter_and_receipts(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> None:
    counter = Counter(qtbot, loop, repo)
    window = counter.window
    qtbot.keyClick(counter.panel.amount, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.receipts_page  # its view made when shown
    assert window.receipts.isVisible()
    qtbot.keyClick(window.receipts.search, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 0
    qtbot.waitUntil(counter.panel.amount.hasFocus)
    counter.close()


def test_cashier_records_the_mpesa_code_from_the_sms(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository, beeps: list[None]
) -> None:
    counter = Counter(qtbot, loop, repo, "KE")
    counter.type_charge("250", "0722 000 250")
    counter.finish()
    assert len(beeps) == 1
    [card] = counter.window.cards.cards.values()
    assert card.state.text() == "✔ PAID" and card.code.isVisible()
    qtbot.keyClicks(card.code, "not-a-code")
    qtbot.keyClick(card.code, Qt.Key.Key_Return)
    assert "is not a valid M-Pesa code" in card.advice.text()
    assert repo.get(card.payment.reference_id).provider_transaction_id is None
    card.code.clear()
    qtbot.keyClicks(card.code, "nlj7rt61sv")
    qtbot.mouseClick(card.save_code, Qt.MouseButton.LeftButton)
    stored = repo.get(card.payment.reference_id)
    assert (stored.provider_transaction_id, stored.receipt_source) == ("NLJ7RT61SV", "cashier")
    assert card.state.text() == "✔ PAID · M-Pesa code NLJ7RT61SV" and not card.code.isVisible()
    assert len(beeps) == 1  # recording the code is not a new outcome
    counter.close()
