"""Airtel Money in the cashier's window of a Ugandan shop (the demo till: Airtel's simulator
beside MTN's): suggested for Airtel numbers, charged from the keyboard, on its green card with
Airtel's id as the receipt, in the receipts, the day report and the CSV export beside MTN; each
refusal on a red card in the catalog's words; the account holder's name (Ctrl+K)."""

from __future__ import annotations

import asyncio
import csv
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.domain.payment import PaymentStatus
from pos_app.providers.airtel.reasons import CATALOG
from pos_app.sandbox.airtel import AirtelSimulator
from pos_app.store import PaymentRepository
from pos_app.store.repository import PaymentFilter
from pos_app.ui import theme
from pos_app.ui.payment_cards import PaymentCard
from tests.ui.conftest import Counter, until

S = PaymentStatus
APPROVAL_DELAY = 0.3
# Airtel's first question comes 5 s after the push (AirtelConfig.first_poll_seconds), then
# they share one question a second: a few payments at once are known within about 15 s.
WAIT = 25.0


def airtel_simulator(counter: Counter) -> AirtelSimulator:
    assert counter.till.sandbox is not None
    found = counter.till.sandbox.state.simulators["airtel"]  # type: ignore[attr-defined]
    assert isinstance(found, AirtelSimulator)
    return found


def background(card: PaymentCard) -> str:
    """The colour the card is painted in (its status's)."""
    for status, (colour, _) in theme.CARD_COLOURS.items():
        if f"background:{colour}" in card.styleSheet() and status in (S.SUCCESSFUL, S.FAILED):
            return "green" if status == S.SUCCESSFUL else "red"
    return "other"


def ugandan_counter(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> Counter:
    counter = Counter(
        qtbot,
        loop,
        repo,
        "UG",
        sound=False,
        approval_delay=APPROVAL_DELAY,
        timezone="Africa/Kampala",
    )
    assert set(counter.till.providers) >= {"airtel", "mtn"}
    return counter


def test_airtel_and_mtn_side_by_side_from_suggestion_to_csv(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository, tmp_path: Path
) -> None:
    counter = ugandan_counter(qtbot, loop, repo)
    window, panel = counter.window, counter.panel

    qtbot.keyClicks(panel.phone, "0752 123 456")
    assert panel.provider == "airtel"
    panel.phone.clear()
    qtbot.keyClicks(panel.phone, "0772 123 456")
    assert panel.provider == "mtn"
    panel.phone.clear()

    counter.type_charge("1500", "0752 123 456")  # suggested, not chosen: Airtel
    counter.type_charge("2500", "0772 123 456")  # MTN, in the same shop

    def both_paid() -> bool:
        payments = repo.page(PaymentFilter()).payments
        return len(payments) == 2 and all(p.status == S.SUCCESSFUL for p in payments)

    loop.run_until_complete(until(both_paid, WAIT))
    payments = {p.provider: p for p in repo.page(PaymentFilter()).payments}
    assert set(payments) == {"airtel", "mtn"}
    airtel, mtn = payments["airtel"], payments["mtn"]
    assert (airtel.amount.minor_units, airtel.amount.currency, airtel.msisdn) == (
        1500,
        "UGX",
        "256752123456",
    )
    simulated = airtel_simulator(counter).payments[airtel.reference_id.replace("-", "")]
    assert airtel.provider_transaction_id == simulated.airtel_money_id

    card = window.cards.cards[airtel.reference_id]
    loop.run_until_complete(until(lambda: card.state.text().startswith("✔ PAID")))
    assert card.state.text() == f"✔ PAID · receipt {simulated.airtel_money_id}"
    assert background(card) == "green"
    assert "Airtel Money" in card.title.text() and "256752***456" in card.title.text()
    mtn_card = window.cards.cards[mtn.reference_id]
    loop.run_until_complete(until(lambda: mtn_card.state.text().startswith("✔ PAID")))
    assert background(mtn_card) == "green" and "MTN MoMo" in mtn_card.title.text()

    window.show_receipts()
    model = window.receipts.model
    loop.run_until_complete(until(lambda: model.rowCount() == 2))
    rows = [
        " ".join(str(model.data(model.index(r, c)) or "") for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]
    assert any("Airtel Money" in row for row in rows) and any("MTN MoMo" in row for row in rows)

    window.show_report()
    report = window.report.text
    loop.run_until_complete(until(lambda: "Airtel Money" in report.toPlainText()))
    text = report.toPlainText()
    assert "Airtel Money" in text and "MTN MoMo" in text

    target = tmp_path / "day.csv"
    today = datetime.now(counter.config.zone()).date()
    window.owner_actions.export_to(target, today, None, "csv")  # as after the PIN and dialog
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == f"Saved {target}")
    with target.open(encoding="utf-8") as file:
        rows_csv = {row["provider"]: row for row in csv.DictReader(file)}
    assert set(rows_csv) == {"airtel", "mtn"}
    assert rows_csv["airtel"]["receipt"] == simulated.airtel_money_id
    assert rows_csv["airtel"]["status"] == rows_csv["mtn"]["status"] == "paid"
    assert (rows_csv["airtel"]["amount"], rows_csv["airtel"]["currency"]) == ("1500", "UGX")
    window.close()
    counter.close()


# The test number, the catalog code it fails with, and whether the reason asks the customer
# for something (shown under the card's state).
FAILURES = [
    ("0700000002", "DP00800001002"),  # wrong PIN
    ("0700000007", "DP00800001007"),  # not enough balance
    ("0752600157", "DP00800001010"),  # barred (UAT): accepted, then TF
    ("0700000029", "DP00800001029"),  # TE: the prompt expired
    ("0700000010", "DP00800001010"),  # not on Airtel Money: refused at once
]


def test_each_airtel_refusal_is_a_red_card_in_the_catalogs_words(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> None:
    counter = ugandan_counter(qtbot, loop, repo)
    for phone, _ in FAILURES:  # one customer after another, all waited for at once
        counter.type_charge("1500", phone)
        assert counter.panel.phone.text() == ""  # sent, the panel is free again

    def all_refused() -> bool:
        payments = repo.page(PaymentFilter()).payments
        return len(payments) == len(FAILURES) and all(p.status == S.FAILED for p in payments)

    loop.run_until_complete(until(all_refused, WAIT))
    cards = counter.window.cards.cards
    loop.run_until_complete(until(lambda: all(c.state.text()[:1] == "✖" for c in cards.values())))
    by_number = {p.msisdn: p for p in repo.page(PaymentFilter()).payments}
    for phone, code in FAILURES:
        payment = by_number["256" + phone[1:]]
        assert (payment.provider, payment.reason) == ("airtel", f"airtel:{code}")
        reason = CATALOG.lookup(code)
        card = cards[payment.reference_id]
        assert card.state.text() == f"✖ REFUSED · {reason.message}", phone
        assert background(card) == "red", phone
        if reason.customer_action is not None:
            assert card.advice.text() == reason.customer_action, phone
            assert card.advice.isVisible()
        assert card.retry.isVisible() and not card.receipt.isVisible()
    simulator = airtel_simulator(counter)
    refused_at_once = by_number["256700000010"].reference_id.replace("-", "")
    assert refused_at_once not in simulator.payments  # no prompt: nothing to ask about
    assert all(count == 1 for count in simulator.accepted.values())
    counter.close()


def test_check_customer_shows_the_airtel_account_holder(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> None:
    counter = ugandan_counter(qtbot, loop, repo)
    panel = counter.panel
    qtbot.keyClicks(panel.phone, "0706218827")
    assert panel.provider == "airtel" and panel.check_customer.isVisible()
    assert "Ctrl+K" in panel.check_customer.toolTip()
    qtbot.keyClick(panel.phone, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    loop.run_until_complete(until(lambda: panel.customer.text().startswith("Account holder")))
    assert panel.customer.text() == "Account holder: Sand Box"

    panel.phone.clear()
    qtbot.keyClicks(panel.phone, "0752600157")  # barred
    qtbot.mouseClick(panel.check_customer, Qt.MouseButton.LeftButton)
    loop.run_until_complete(until(lambda: panel.customer.text().startswith("⚠")))
    assert panel.customer.text() == "⚠ No active Airtel Money account on this number"
    assert airtel_simulator(counter).requests["kyc"] == 2
    assert not airtel_simulator(counter).payments  # a check charges nothing
    counter.close()
