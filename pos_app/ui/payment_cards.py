"""A card per payment in flight: what happened, in colour, readable from a step away."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.payment import FINAL_STATES, Payment, PaymentStatus
from pos_app.domain.phone import mask_msisdn
from pos_app.domain.reasons import Reason
from pos_app.providers import registry
from pos_app.ui import provider_facts, theme
from pos_app.ui.provider_facts import code_name, code_name_within
from pos_app.ui.texts import reason_action, reason_message

S = PaymentStatus
# A day at the counter is thousands of payments: finished cards leave, or the panel (and the
# window's memory) grows all day. The cashier keeps the last few in sight, for a while; the
# receipts tab has them all.
KEEP_FINISHED = 6
FINISHED_STAYS = 15 * 60.0  # seconds a finished card stays at most, newest ones included


class PaymentCard(QFrame):
    retry_requested = Signal(object)  # Payment
    dismissed = Signal(str)  # reference id
    receipt_entered = Signal(str, str)  # reference id, code as typed
    receipt_requested = Signal(object)  # Payment
    print_requested = Signal(object)  # Payment: its receipt did not print, try again

    def __init__(
        self, payment: Payment, locale: str, parent: QWidget | None = None, unsaved: str = ""
    ) -> None:
        super().__init__(parent)
        self.setObjectName("paymentCard")
        self._locale = locale
        self.payment = payment
        self._styled: PaymentStatus | None = None
        # When (time.monotonic()) the finished payment last needed the cashier's eyes: its
        # final status reached, or a problem shown until then; None while it is open.
        self.finished_at: float | None = None
        # Why this payment's latest news is not yet on disk ("disk full"), or "".
        self.unsaved = unsaved
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = QLabel(self)
        self.title.setStyleSheet("font-size:18px;font-weight:bold;")
        self.title.setWordWrap(True)  # a long title wraps instead of widening the card
        top.addWidget(self.title, 1)
        self.retry = QPushButton(self.tr("Charge again"), self)
        self.retry.clicked.connect(lambda: self.retry_requested.emit(self.payment))
        self.hide_button = QPushButton(self)
        self.hide_button.clicked.connect(lambda: self.dismissed.emit(self.payment.reference_id))
        self.receipt = QPushButton(self.tr("Receipt…"), self)
        self.receipt.setToolTip(self.tr("Print the receipt or save it as PDF"))
        self.receipt.clicked.connect(lambda: self.receipt_requested.emit(self.payment))
        top.addWidget(self.retry)
        top.addWidget(self.receipt)
        top.addWidget(self.hide_button)
        layout.addLayout(top)
        self.state = QLabel(self)
        self.state.setTextFormat(Qt.TextFormat.PlainText)  # receipt codes come from outside
        self.state.setObjectName("cardState")
        self.state.setStyleSheet("font-size:20px;font-weight:bold;")
        self.state.setWordWrap(True)
        layout.addWidget(self.state)
        self.advice = QLabel(self)
        self.advice.setObjectName("cardAdvice")
        self.advice.setWordWrap(True)
        layout.addWidget(self.advice)
        code_row = QHBoxLayout()
        self.code = QLineEdit(self)
        if (shape := provider_facts.receipt_code(payment.provider)) is not None:
            self.code.setPlaceholderText(
                self.tr("{0} from the customer's SMS, e.g. {1}").format(
                    code_name(shape), shape.example
                )
            )
        self.save_code = QPushButton(self.tr("Save code"), self)
        self.save_code.clicked.connect(self._save_code)
        self.code.returnPressed.connect(self._save_code)
        code_row.addWidget(self.code, 1)
        code_row.addWidget(self.save_code)
        layout.addLayout(code_row)
        # The receipt printer's trouble, apart from the payment's own words: it changes
        # nothing about the payment.
        print_row = QHBoxLayout()
        self.print_problem = QLabel(self)
        self.print_problem.setObjectName("printProblem")
        self.print_problem.setWordWrap(True)
        self.print_problem.setStyleSheet(f"color:{theme.ERROR};font-weight:bold;")
        self.print_again = QPushButton(self.tr("Print again"), self)
        self.print_again.clicked.connect(self._print_again)
        print_row.addWidget(self.print_problem, 1)
        print_row.addWidget(self.print_again)
        layout.addLayout(print_row)
        self.clear_print_problem()
        self.show_payment(payment)

    def show_print_problem(self, text: str) -> None:
        self.print_problem.setText(text)
        self.print_problem.setVisible(True)
        self.print_again.setVisible(True)

    def clear_print_problem(self) -> None:
        self.print_problem.clear()
        self.print_problem.setVisible(False)
        self.print_again.setVisible(False)

    def can_leave(self) -> bool:
        """Whether the panel may take this card away: a settled payment with nothing left for
        the cashier or the owner to do, and nobody working on the card right now."""
        payment = self.payment
        if payment.status not in FINAL_STATES:
            return False  # still open: the customer may yet pay
        if self.unsaved or provider_facts.needs_a_person(payment):
            return False  # the outcome is not on disk, or only the owner can settle it
        if self.print_problem.text() or self.advice.styleSheet():
            return False  # a receipt not printed, a code refused: the cashier must see why
        if not self.code.isHidden() and self.code.text():
            return False  # a receipt code half typed
        focused = QApplication.focusWidget()
        return focused is None or not self.isAncestorOf(focused)

    def _print_again(self) -> None:
        self.clear_print_problem()
        self.print_requested.emit(self.payment)

    def _save_code(self) -> None:
        self.receipt_entered.emit(self.payment.reference_id, self.code.text())

    def show_error(self, text: str) -> None:
        self.advice.setText(text)
        self.advice.setStyleSheet(f"color:{theme.ERROR};font-weight:bold;")
        self.advice.setVisible(True)

    def show_payment(self, payment: Payment, now: datetime | None = None) -> None:
        if payment.status not in FINAL_STATES:
            self.finished_at = None
        elif self.finished_at is None or payment.status != self.payment.status:
            self.finished_at = time.monotonic()  # news: a correction counts as recent again
        self.payment = payment
        self.title.setText(
            ("−" if payment.refund_of else "") + f"{payment.amount.format(self._locale)} · "
            f"{registry.name(payment.provider)} · {mask_msisdn(payment.msisdn)}"
        )
        reason = registry.reason(payment.reason) if payment.reason else None
        state, advice = self._words(payment, reason, now or datetime.now(UTC))
        if self.unsaved:
            state = self.tr("{0} — not yet saved: {1}").format(state, self.unsaved)
        self.state.setText(state)
        self.advice.setText(advice)
        if self.advice.styleSheet():
            self.advice.setStyleSheet("")  # an error shown before is replaced
        self.advice.setVisible(bool(advice))
        # Where the provider's answer carries no receipt code, the customer's SMS has it.
        wants_code = (
            provider_facts.code_from_sms(payment.provider) is not None
            and payment.status == S.SUCCESSFUL
            and not payment.provider_transaction_id
        )
        self.code.setVisible(wants_code)
        self.save_code.setVisible(wants_code)
        if payment.status != self._styled:
            # Restyling is costly (Qt re-polishes every child): only when the colour changes.
            self._styled = payment.status
            background, border = theme.CARD_COLOURS[payment.status]
            self.setStyleSheet(
                f"QFrame#paymentCard {{ background:{background}; "
                f"border:3px solid {border}; border-radius:8px; }}"
                f"QFrame#paymentCard QLabel {{ color:{theme.TEXT}; }}"
            )
        self.receipt.setVisible(
            not self.unsaved
            and (
                payment.status in (S.SUCCESSFUL, S.REFUNDED)
                or provider_facts.needs_a_person(payment)
            )
        )
        closed = payment.status in (S.FAILED, S.EXPIRED)
        can_retry = closed and payment.refund_of is None and not self.unsaved
        self.retry.setVisible(can_retry)
        # Some refusals mean charging again at once cannot work (a provider refusing the same
        # amount to the same customer within minutes).
        self.retry.setEnabled(can_retry and (reason is None or reason.retry_helps))
        self.retry.setToolTip((reason_action(reason) or reason_message(reason)) if reason else "")
        waiting = payment.status in (S.CREATED, S.SUBMITTING, S.PENDING, S.UNKNOWN)
        self.hide_button.setText(self.tr("Stop waiting") if waiting else self.tr("Done"))
        self.hide_button.setToolTip(
            self.tr("Hide this card; the payment keeps being followed") if waiting else ""
        )

    def _words(self, payment: Payment, reason: Reason | None, now: datetime) -> tuple[str, str]:
        status = payment.status
        if payment.refund_of is not None:
            return self._refund_words(payment, reason)
        if status in (S.CREATED, S.SUBMITTING):
            return self.tr("Sending the prompt…"), ""
        if status == S.PENDING:
            seconds = max(0, int((now - payment.created_at).total_seconds()))
            return (
                self.tr("Waiting for the customer to approve · {0}").format(
                    f"{seconds // 60}:{seconds % 60:02d}"
                ),
                self.tr("Ask the customer to enter their PIN on the phone"),
            )
        if status == S.SUCCESSFUL:
            return self._paid_words(payment)
        if status == S.UNKNOWN:
            return (
                self.tr("? NOT KNOWN whether the customer paid"),
                self.tr("Check the customer's confirmation SMS before charging again"),
            )
        if status == S.REFUNDED:
            return self.tr("↩ REFUNDED"), ""
        label = self.tr("✖ REFUSED") if status == S.FAILED else self.tr("✖ EXPIRED")
        if reason is None:
            return label, ""
        return f"{label} · {reason_message(reason)}", reason_action(reason)

    def _paid_words(self, payment: Payment) -> tuple[str, str]:
        shape = provider_facts.receipt_code(payment.provider)
        code = payment.provider_transaction_id
        if payment.receipt_source == "cashier" and shape is not None:
            return (
                self.tr("✔ PAID · {0} {1}").format(code_name_within(shape), code),
                self.tr("Code typed from the customer's SMS"),
            )
        if code:
            return self.tr("✔ PAID · receipt {0}").format(code), ""
        if shape is None:
            return self.tr("✔ PAID"), ""
        return (
            self.tr("✔ PAID"),
            self.tr("The {0} is in the customer's SMS (optional to record)").format(
                code_name_within(shape)
            ),
        )

    def _refund_words(self, refund: Payment, reason: Reason | None) -> tuple[str, str]:
        if refund.status == S.SUCCESSFUL:
            return self.tr("↩ REFUND MADE · {0}").format(refund.provider_transaction_id or ""), ""
        if refund.status in (S.FAILED, S.EXPIRED):
            why = reason_message(reason) if reason else ""
            return self.tr("✖ REFUND NOT MADE · {0}").format(why), ""
        if provider_facts.needs_a_person(refund):
            return (
                self.tr("↩ Refund waiting for the owner's confirmation"),
                self.tr("Reverse it in {0} if not sent from here; then Receipt… → Resolve").format(
                    registry.name(refund.provider)
                ),
            )
        return self.tr("↩ Refund on its way…"), ""


class PaymentCards(QScrollArea):
    """The live cards, newest on top: every open payment, and the last few finished ones
    (KEEP_FINISHED, for FINISHED_STAYS at most)."""

    retry_requested = Signal(object)  # Payment
    receipt_entered = Signal(str, str)  # reference id, code as typed
    receipt_requested = Signal(object)  # Payment
    print_requested = Signal(object)  # Payment

    def __init__(self, locale: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._locale = locale
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget(self)
        self._layout = QVBoxLayout(inner)
        self._layout.addStretch(1)
        self.setWidget(inner)
        self.cards: dict[str, PaymentCard] = {}

    def update_payment(self, payment: Payment, unsaved: str = "") -> None:
        """Show `payment` as it stands; `unsaved`: why that is not yet on disk, or ""."""
        card = self.cards.get(payment.reference_id)
        if card is None:
            card = PaymentCard(payment, self._locale, self, unsaved)
            # Signal to signal: a connection to a signal's .emit (a Python callable) outlived
            # its card, about 230 bytes a card (benchmarks/soak.py).
            card.retry_requested.connect(self.retry_requested)
            card.receipt_entered.connect(self.receipt_entered)
            card.receipt_requested.connect(self.receipt_requested)
            card.print_requested.connect(self.print_requested)
            card.dismissed.connect(self.dismiss)
            self.cards[payment.reference_id] = card
            self._layout.insertWidget(0, card)
        else:
            card.unsaved = unsaved
            card.show_payment(payment)
        self._let_go()

    def dismiss(self, reference_id: str) -> None:
        card = self.cards.pop(reference_id, None)
        if card is not None:
            card.hide()
            card.deleteLater()

    def show_print_problem(self, reference_id: str, problem: str) -> None:
        if (card := self.cards.get(reference_id)) is not None:
            card.show_print_problem(problem)

    def clear_print_problem(self, reference_id: str) -> None:
        if (card := self.cards.get(reference_id)) is not None:
            card.clear_print_problem()

    def tick(self) -> None:
        """Refresh the waiting time shown on pending cards."""
        now = datetime.now(UTC)
        for card in self.cards.values():
            if card.payment.status == S.PENDING:
                card.show_payment(card.payment, now)
        self._let_go()  # also the cards kept for a problem since solved, or for too long

    def _let_go(self) -> None:
        """Take away the finished cards beyond the newest KEEP_FINISHED, and those finished
        longer than FINISHED_STAYS ago; never an open payment's, nor one still needing a
        person (PaymentCard.can_leave)."""
        now = time.monotonic()
        finished = []
        for card in self.cards.values():
            if card.finished_at is None:
                continue
            if card.can_leave():
                finished.append(card)
            else:
                card.finished_at = now  # its problem solved, the cashier sees it a while yet
        finished.sort(key=lambda card: card.finished_at or 0.0, reverse=True)
        for rank, card in enumerate(finished):
            if rank >= KEEP_FINISHED or now - (card.finished_at or now) > FINISHED_STAYS:
                self.dismiss(card.payment.reference_id)
