"""The receipt dialog shows the receipt itself (as printed) and its history in the cashier's
words; a demo receipt says DEMO, on screen, on paper and in the PDF."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.platform.config import ShopConfig
from pos_app.printing.layout import receipt_lines, receipt_slip
from pos_app.printing.qt_out import slip_html
from pos_app.store import PaymentRepository
from pos_app.ui.receipts import ReceiptDetail

S = PaymentStatus
NOW = datetime(2025, 3, 14, 14, 2, tzinfo=UTC)
SHOP = ShopConfig(name="Mama Rose", country="UG", till="Counter 1")


def paid(repo: PaymentRepository) -> Payment:
    payment, event = Payment.create(
        provider="mtn", amount=Money(1500, "UGX"), msisdn="256772123456", now=NOW
    )
    repo.save_new(payment, event)
    repo.transition(payment.reference_id, S.SUBMITTING, NOW)
    repo.transition(payment.reference_id, S.PENDING, NOW)
    repo.transition(
        payment.reference_id,
        S.SUCCESSFUL,
        NOW.replace(minute=3),
        provider_transaction_id="777",
    )
    return repo.get(payment.reference_id)


def test_the_receipt_as_printed_and_its_history_in_words(
    qtbot: QtBot, repo: PaymentRepository
) -> None:
    payment = paid(repo)
    dialog = ReceiptDetail(payment, repo, SHOP, UTC)
    qtbot.addWidget(dialog)
    shown = dialog.summary.text()
    assert shown == slip_html(receipt_slip(payment, SHOP, UTC), points=11)
    for label, value in receipt_lines(payment, SHOP, UTC):
        assert html.escape(label) in shown and html.escape(value) in shown
    assert "Our reference" in shown and payment.reference_id[:8] in shown
    assert "Payment id" not in shown and "DEMO" not in shown
    history = [dialog.history.item(i).text() for i in range(dialog.history.count())]
    assert history == [
        "14:02  Started at the till",
        "14:02  Sending to MTN MoMo",
        "14:02  Sent to MTN MoMo, waiting for the customer",
        "14:03  Paid",
    ]
    assert not any("→" in line or "—" in line for line in history)


def test_a_demo_receipt_says_so(qtbot: QtBot, repo: PaymentRepository) -> None:
    payment = paid(repo)
    dialog = ReceiptDetail(payment, repo, SHOP, UTC, demo=True)
    qtbot.addWidget(dialog)
    assert "DEMO — no real money moved" in dialog.summary.text()
    page = slip_html(receipt_slip(payment, SHOP, UTC, demo=True))
    assert page.index("DEMO") < page.index("Mama Rose")  # at the top


def test_an_answer_not_understood_is_in_the_history_once_in_words(
    qtbot: QtBot, repo: PaymentRepository
) -> None:
    payment, event = Payment.create(
        provider="mpesa", amount=Money(10000, "KES"), msisdn="254722000101", now=NOW
    )
    repo.save_new(payment, event)
    repo.transition(payment.reference_id, S.SUBMITTING, NOW)
    repo.transition(payment.reference_id, S.PENDING, NOW, provider_request_id="ws_CO_1")
    answer = {"http": 500, "code": "500.001.1001", "message": "Something new"}
    repo.note(payment.reference_id, {"not_understood": answer}, NOW.replace(minute=3))
    assert repo.get(payment.reference_id).status == S.PENDING  # only the history changed
    assert repo.verify().intact
    dialog = ReceiptDetail(repo.get(payment.reference_id), repo, SHOP, UTC)
    qtbot.addWidget(dialog)
    history = [dialog.history.item(i).text() for i in range(dialog.history.count())]
    assert history[-1] == (
        "14:03  An answer from M-Pesa not understood (500 500.001.1001 Something new): asked again"
    )
