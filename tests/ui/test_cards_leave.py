"""A day at the counter is thousands of payments: finished cards leave the panel (the newest
few stay for the cashier), open ones and those showing a problem never do, and a card that
leaves is destroyed with nothing left holding it."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import shiboken6
from pytestqt.qtbot import QtBot

from pos_app.app.till import build_till
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus, new_reference_id
from pos_app.engine.engine import PaymentEngine
from pos_app.platform.config import Config, ShopConfig
from pos_app.providers.mtn.settings import MtnConfig
from pos_app.store import PaymentRepository
from pos_app.ui.main_window import MainWindow
from pos_app.ui.payment_cards import FINISHED_STAYS, KEEP_FINISHED, PaymentCard, PaymentCards
from tests.ui.conftest import click, until

S = PaymentStatus
PAYS = "0772 123 456"
NEVER_ANSWERS = "46733123453"  # the simulator's customer who never approves nor refuses


class Till:
    """The real window on the demo till, its customers answering within a tenth of a second
    and the till asking at once (the defaults wait 2 s per payment)."""

    def __init__(self, qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository):
        shop = ShopConfig(name="Mama Rose", country="UG", sound=False)
        config = Config(shop=shop, providers={"mtn": MtnConfig(first_poll_seconds=0.1)})
        till = build_till(config, demo=True, approval_delay=0.05)
        self.loop, self.repo = loop, repo
        self.engine: PaymentEngine = till.engine(repo)
        self.window = MainWindow(config, repo, demo=True, engine=self.engine, till=till)
        qtbot.addWidget(self.window)
        self.window.show()
        assert self.window.panel is not None
        self.panel, self.cards = self.window.panel, self.window.cards

    def charge(self, phone: str) -> str:
        """Charge as the cashier does; returns the new payment's reference id once its card
        shows it paid (or, for a customer who never answers, waiting)."""
        before = set(self.cards.cards)
        self.panel.amount.setText("1500")
        self.panel.phone.setText(phone)
        click(self.loop, self.panel.charge_button)
        self.loop.run_until_complete(until(lambda: bool(set(self.cards.cards) - before)))
        [reference_id] = set(self.cards.cards) - before
        wanted = S.PENDING if phone == NEVER_ANSWERS else S.SUCCESSFUL
        card = self.cards.cards[reference_id]
        self.loop.run_until_complete(until(lambda: card.payment.status == wanted))
        return reference_id

    def close(self) -> None:
        self.loop.run_until_complete(self.engine.aclose())


@pytest.fixture
def till(qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository) -> Iterator[Till]:
    opened = Till(qtbot, loop, repo)
    yield opened
    opened.close()


def test_finished_cards_beyond_the_limit_leave_and_are_destroyed(till: Till, qtbot: QtBot) -> None:
    paid = [till.charge(PAYS) for _ in range(KEEP_FINISHED + 3)]
    assert list(till.cards.cards) == paid[3:]  # the newest stay, in order
    gone = [weakref.ref(till.cards.cards[r]) for r in paid[3:4]]
    till.charge(PAYS)
    qtbot.waitUntil(lambda: len(till.cards.findChildren(PaymentCard)) == KEEP_FINISHED)
    gc.collect()
    assert [ref() for ref in gone] == [None]  # nothing holds a card that left
    assert paid[3] not in till.cards.cards
    assert len(till.cards.cards) == KEEP_FINISHED
    # The receipts still have every payment.
    assert all(till.repo.get(r).status == S.SUCCESSFUL for r in paid)


def test_open_cards_stay_however_many(till: Till, qtbot: QtBot) -> None:
    waiting, paid = [], []
    for _ in range(KEEP_FINISHED + 2):
        waiting.append(till.charge(NEVER_ANSWERS))
        paid.append(till.charge(PAYS))
    till.window._tick()  # the second's refresh lets no open card go either
    qtbot.waitUntil(
        lambda: len(till.cards.findChildren(PaymentCard)) == len(waiting) + KEEP_FINISHED
    )
    assert set(till.cards.cards) == set(waiting) | set(paid[-KEEP_FINISHED:])
    assert all(till.cards.cards[r].payment.status == S.PENDING for r in waiting)


def payment(status: PaymentStatus, provider: str = "mtn", code: str | None = "MP1") -> Payment:
    return Payment(
        reference_id=new_reference_id(),
        provider=provider,
        amount=Money(1500, "UGX" if provider == "mtn" else "KES"),
        msisdn="256772123456" if provider == "mtn" else "254712345678",
        created_at=datetime.now(UTC),
        status=status,
        provider_transaction_id=code if status == S.SUCCESSFUL else None,
    )


@pytest.fixture
def cards(qtbot: QtBot) -> PaymentCards:
    panel = PaymentCards("en_UG")
    qtbot.addWidget(panel)
    panel.show()
    return panel


def test_cards_showing_a_problem_stay_until_it_is_solved(cards: PaymentCards) -> None:
    open_ones = [payment(s) for s in (S.CREATED, S.SUBMITTING, S.PENDING, S.UNKNOWN)]
    owner_settles = payment(S.EXPIRED, "mpesa")  # only a person can settle it
    typing = payment(S.SUCCESSFUL, "mpesa", code=None)  # its code typed from the SMS
    not_printed, not_saved, code_refused = (payment(S.SUCCESSFUL) for _ in range(3))
    for each in (*open_ones, owner_settles, typing, not_printed, code_refused):
        cards.update_payment(each)
    cards.update_payment(not_saved, "disk full")
    cards.cards[typing.reference_id].code.setText("QK12")
    cards.show_print_problem(not_printed.reference_id, "Receipt not printed")
    cards.cards[code_refused.reference_id].show_error("That is not a receipt code")
    stuck = {p.reference_id for p in (*open_ones, owner_settles, typing, not_printed, not_saved)}
    stuck.add(code_refused.reference_id)
    later = [payment(S.SUCCESSFUL) for _ in range(KEEP_FINISHED + 2)]
    for each in later:
        cards.update_payment(each)
    newest = {p.reference_id for p in later[-KEEP_FINISHED:]}
    assert set(cards.cards) == stuck | newest
    # Solved (the receipt printed, the outcome saved): news, among the newest few for a while.
    cards.clear_print_problem(not_printed.reference_id)
    cards.update_payment(not_saved)
    cards.tick()
    solved = {not_printed.reference_id, not_saved.reference_id}
    assert set(cards.cards) == stuck | {p.reference_id for p in later[-KEEP_FINISHED + 2 :]}
    assert solved <= set(cards.cards)


def test_finished_cards_leave_after_a_while_open_ones_never(cards: PaymentCards) -> None:
    pending, paid = payment(S.PENDING), payment(S.SUCCESSFUL)
    cards.update_payment(pending)
    cards.update_payment(paid)
    cards.tick()
    assert set(cards.cards) == {pending.reference_id, paid.reference_id}
    for card in cards.cards.values():
        if card.finished_at is not None:
            card.finished_at -= FINISHED_STAYS + 1  # finished long ago
    card = cards.cards[paid.reference_id]
    cards.tick()
    assert set(cards.cards) == {pending.reference_id}
    assert card.isHidden()
    # A late answer for a payment whose card left shows again: it is news.
    cards.update_payment(replace(paid, status=S.REFUNDED))
    assert paid.reference_id in cards.cards and shiboken6.isValid(cards.cards[paid.reference_id])
