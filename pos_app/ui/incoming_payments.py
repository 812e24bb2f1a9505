"""Payments customers made from their own phones to the shop's number (C2B), as the owner's
hub lists them: the cashier takes one for the sale in front of them, and the other tills see
it gone (only one till can take it)."""

from __future__ import annotations

import html
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.money import Money
from pos_app.link.client import CustomerPayment, HubError, HubRefused
from pos_app.link.hub_link import HubLink, LinkState
from pos_app.providers import registry
from pos_app.store import StoreError
from pos_app.ui import theme

Start = Callable[[Coroutine[Any, Any, Any]], None]
NAME_ROOM = 40  # the payer's name as the provider gives it, cut to fit a row


class IncomingPayments(QGroupBox):
    shop_event = Signal(str, object)  # (kind, body), from the link on the event loop
    link_state = Signal(object)

    def __init__(self, link: HubLink, locale: str, start: Start, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("incomingPayments")
        self.setTitle(self.tr("Paid to the shop's number"))
        self._link, self._locale, self._start = link, locale, start
        layout = QVBoxLayout(self)
        self.list = QListWidget(self)
        self.list.setObjectName("incomingList")
        self.list.setMaximumHeight(150)
        layout.addWidget(self.list)
        self.take_button = QPushButton(self.tr("Take for this sale"), self)
        self.take_button.setObjectName("takeIncoming")
        self.take_button.clicked.connect(self._take_selected)
        layout.addWidget(self.take_button)
        self.message = QLabel(self)
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # codes come from outside
        self.message.setWordWrap(True)
        self.message.setObjectName("incomingMessage")
        layout.addWidget(self.message)
        self.shop_event.connect(self._on_shop_event)
        self.link_state.connect(self._on_link_state)
        link.shop_events.append(self.shop_event.emit)
        link.state_changed.append(self.link_state.emit)
        self._update_button()
        if link.up:
            self.refresh()

    def refresh(self) -> None:
        self._start(self._load())

    async def _load(self) -> None:
        try:
            payments = await self._link.client.customer_payments()
        except HubError as exc:
            self._say(self.tr("Cannot reach the hub: {0}").format(exc), error=True)
            return
        self.list.clear()
        for payment in payments:
            self._add(payment)
        self._update_button()

    def _row_text(self, payment: CustomerPayment) -> str:
        amount = self._money(payment)
        name = (payment.payer_name or "").strip()[:NAME_ROOM] or "—"
        when = payment.paid_at or ""
        clock = f"{when[8:10]}:{when[10:12]}" if len(when) == 14 and when.isdigit() else ""
        return " · ".join(part for part in (amount, name, payment.trans_id, clock) if part)

    def _money(self, payment: CustomerPayment) -> str:
        currency = self._link.currencies.get(payment.provider)
        if currency is None:
            return f"{payment.amount}"
        try:
            return Money.from_decimal(payment.amount, currency).format(self._locale)
        except ValueError:
            return f"{payment.amount} {currency}"

    def _add(self, payment: CustomerPayment) -> None:
        if (
            self._item(payment.trans_id) is not None
            or payment.provider not in self._link.currencies
        ):
            return  # listed already, or a provider this till does not take
        item = QListWidgetItem(self._row_text(payment))
        item.setData(Qt.ItemDataRole.UserRole, payment)
        # What the customer typed is theirs: shown as text, never as markup.
        item.setToolTip(f"<p>{html.escape(payment.account or '')}</p>")
        self.list.insertItem(0, item)
        if self.list.currentRow() < 0:
            self.list.setCurrentRow(0)

    def _item(self, trans_id: str) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole).trans_id == trans_id:
                return item
        return None

    def _remove(self, trans_id: str) -> None:
        item = self._item(trans_id)
        if item is not None:
            self.list.takeItem(self.list.row(item))
        self._update_button()

    def _on_shop_event(self, kind: str, body: dict[str, Any]) -> None:
        if kind == "c2b":
            try:
                self._add(CustomerPayment.of(body))
            except HubError:
                return
        elif kind == "c2b_claimed":
            self._remove(str(body.get("trans_id")))
        self._update_button()

    def _on_link_state(self, state: LinkState) -> None:
        if state is LinkState.CONNECTED:
            self.refresh()
        self._update_button()

    def _update_button(self) -> None:
        self.take_button.setEnabled(self._link.up and self.list.count() > 0)

    def _take_selected(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.take_button.setEnabled(False)
            self._start(self._take(item.data(Qt.ItemDataRole.UserRole)))

    async def _take(self, payment: CustomerPayment) -> None:
        try:
            recorded = await self._link.take(payment)
        except HubRefused:
            self._say(self.tr("Already taken at another till: not for this sale."), error=True)
            self._remove(payment.trans_id)
            return
        except (HubError, StoreError) as exc:
            self._say(self.tr("Not taken: {0}").format(exc), error=True)
            self._update_button()
            return
        self._remove(payment.trans_id)
        self._say(
            self.tr("Taken: {0} {1}, code {2}, recorded paid.").format(
                registry.name(recorded.provider),
                recorded.amount.format(self._locale),
                recorded.provider_transaction_id,
            )
        )

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color:{theme.ERROR};" if error else "")
