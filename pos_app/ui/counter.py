"""The counter tab: the charge panel beside today's takings and the live payment cards, and
what links them to the engine (a charge, a charge again, a receipt code typed from the
customer's SMS, the account holder's name)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from pos_app.app.till import SetupProblem, Till
from pos_app.domain.countries import Provider
from pos_app.domain.errors import ValidationError
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.engine.engine import ChargeRequest, PaymentEngine
from pos_app.platform.config import ShopConfig
from pos_app.providers import registry
from pos_app.providers.base import ConfigurationProblem, PaymentProvider, ProviderError
from pos_app.store import StorageFault, StoreError
from pos_app.store.repository import Total
from pos_app.ui.charge_panel import ChargePanel
from pos_app.ui.field_notes import show_error
from pos_app.ui.incoming_payments import IncomingPayments
from pos_app.ui.payment_cards import PaymentCards
from pos_app.ui.storage_status import fault_words
from pos_app.ui.texts import error_text

Start = Callable[[Coroutine[Any, Any, Any]], None]  # runs work beside the window


class CounterTab(QWidget):
    receipt_requested = Signal(object)  # Payment

    def __init__(
        self,
        shop: ShopConfig,
        till: Till | None,
        engine: PaymentEngine | None,
        start: Start,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._shop, self._till, self._engine, self._start = shop, till, engine, start
        body = QHBoxLayout(self)
        self.panel: ChargePanel | None = None
        if till is not None and engine is not None:
            self.panel = ChargePanel(till, self)
            self.panel.setMaximumWidth(460)
            self.panel.charge_requested.connect(self._charge)
            self.panel.customer_check_requested.connect(self._check_customer)
            body.addWidget(self.panel)
        right = QVBoxLayout()
        heading = QLabel(shop.name, self)
        heading.setStyleSheet("font-size:26px;font-weight:bold;")
        right.addWidget(heading)
        self.today_label = QLabel(self)
        self.today_label.setObjectName("todaySummary")
        self.today_label.setStyleSheet("font-size:18px;")
        right.addWidget(self.today_label)
        self.cards = PaymentCards(shop.effective_locale, self)
        self.cards.retry_requested.connect(self._retry)
        self.cards.receipt_entered.connect(self._add_receipt)
        self.cards.receipt_requested.connect(self.receipt_requested.emit)
        right.addWidget(self.cards, 1)
        self.incoming: IncomingPayments | None = None
        if till is not None and till.link is not None:
            self.incoming = IncomingPayments(till.link, shop.effective_locale, start, self)
            right.addWidget(self.incoming)
        body.addLayout(right, 1)

    def _charge(self, request: ChargeRequest) -> None:
        assert self._engine is not None  # noqa: S101 - the panel exists only with an engine
        self._start(self._engine.charge(request))

    def _retry(self, payment: Payment) -> None:
        """Charge again: a new payment (new reference id) for the same sale, through the
        panel's amount guard like a typed charge."""
        if self.panel is None or self._till is None:
            return
        try:
            # The number as the provider read it the first time, whatever its network now.
            phone = self._till.read_phone(payment.provider, payment.msisdn)
        except (ValidationError, SetupProblem) as exc:
            show_error(self.panel.error, error_text(exc))
            return
        self.panel.charge_again(
            ChargeRequest(
                payment.provider,
                payment.amount,
                phone,
                external_id=payment.external_id,
                message=payment.payer_message,
            )
        )

    def _add_receipt(self, reference_id: str, text: str) -> None:
        if self._engine is None:
            return
        try:
            self._engine.add_receipt(reference_id, text)
        except (ValidationError, StoreError) as exc:
            card = self.cards.cards.get(reference_id)
            if card is not None:
                card.show_error(error_text(exc))

    def _check_customer(self, provider: Provider, msisdn: str) -> None:
        """The panel asks only of a provider whose capabilities include the lookup."""
        found = self._till.providers.get(provider) if self._till else None
        if found is not None and self.panel is not None:
            self._start(self._lookup(provider, found, msisdn))

    async def _lookup(self, provider: Provider, client: PaymentProvider, msisdn: str) -> None:
        assert self.panel is not None  # noqa: S101 - only called with a panel
        try:
            holder = await client.account_holder(msisdn)
        except ProviderError:
            self.panel.show_customer(self.tr("Name check unavailable — you can still charge"))
            return
        if not holder.active:
            self.panel.show_customer(
                self.tr("⚠ No active {0} account on this number").format(registry.name(provider))
            )
        else:
            self.panel.show_customer(self.tr("Account holder: {0}").format(holder.name or "?"))

    def not_sent(self, error: BaseException) -> None:
        """Why the charge just asked for was not sent, for the cashier (the owner's details
        on hover)."""
        if self.panel is None:
            return
        if isinstance(error, StorageFault):
            self.panel.error.setText(self.tr("Not sent: {0}").format(fault_words(error)))
        elif isinstance(error, ConfigurationProblem):  # for the owner to fix
            show_error(
                self.panel.error,
                self.tr(
                    "Not sent, nothing charged: the provider refused this till's settings. "
                    "The owner must check them (Settings)."
                ),
            )
            self.panel.error.setToolTip(error_text(error))
        else:
            self.panel.error.setText(error_text(error))

    def show_today(self, totals: list[Total]) -> None:
        """Today's takings by currency, and what was refunded."""
        paid = [t for t in totals if t.received]
        locale = self._shop.effective_locale
        if not paid:
            self.today_label.setText(self.tr("Today: no payments received yet"))
            return
        parts = [self.tr("{0} ({1} paid)").format(t.amount.format(locale), t.count) for t in paid]
        refunds = [t for t in totals if t.refund and t.status == PaymentStatus.SUCCESSFUL]
        if refunds:
            amounts = ", ".join(t.amount.format(locale) for t in refunds)
            parts.append(self.tr("refunded {0}").format(amounts))
        self.today_label.setText(self.tr("Today: {0}").format(", ".join(parts)))
