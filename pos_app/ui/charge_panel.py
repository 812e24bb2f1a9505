"""The charge panel: amount, phone, provider, optional reference and message, Charge.

Keyboard first: type digits straight into the amount, Tab to the phone, Enter charges. The
on-screen keypad and quick amounts are for touch screens. What the cashier typed is checked by
the till (engine layer) before anything is sent; problems are explained inline.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.countries import PROVIDER_NAMES, Provider
from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money, currency_digits
from pos_app.engine.setup import SetupProblem, Till
from pos_app.ui import theme
from pos_app.ui.texts import error_text


@dataclass(frozen=True)
class ChargeInput:
    provider: Provider
    amount: Money
    msisdn: str
    reference: str | None
    message: str | None


def default_quick_amounts(currency: str) -> list[Decimal]:
    if currency_digits(currency) == 0:
        return [Decimal(v) for v in (500, 1000, 2000, 5000, 10000)]
    return [Decimal(v) for v in (50, 100, 200, 500, 1000)]


class ChargePanel(QWidget):
    charge_requested = Signal(object)  # ChargeInput
    customer_check_requested = Signal(str)  # MSISDN (MTN basic user info)

    def __init__(self, till: Till, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._till = till
        self._provider_chosen_by_hand = False
        layout = QVBoxLayout(self)

        self.amount = QLineEdit(self)
        self.amount.setObjectName("amount")
        self.amount.setPlaceholderText(self.tr("Amount"))
        self.amount.setStyleSheet("font-size:28px;padding:6px;")
        self.amount.setToolTip(self.tr("Type the amount; Enter charges"))
        self.amount_shown = QLabel(self)
        self.amount_shown.setObjectName("amountShown")
        self.amount_shown.setStyleSheet(f"font-size:20px;color:{theme.TEXT};")
        layout.addWidget(self.amount)
        layout.addWidget(self.amount_shown)

        pads = QHBoxLayout()
        keypad = QGridLayout()
        keys = ["7", "8", "9", "4", "5", "6", "1", "2", "3", "00", "0", "⌫"]
        for index, key in enumerate(keys):
            button = QPushButton(key, self)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes field to field
            button.setMinimumSize(64, 48)
            button.setStyleSheet("font-size:20px;")
            button.clicked.connect(lambda _=False, k=key: self._press(k))
            keypad.addWidget(button, index // 3, index % 3)
        pads.addLayout(keypad)
        self.quick = QVBoxLayout()
        pads.addLayout(self.quick)
        layout.addLayout(pads)

        self.phone = QLineEdit(self)
        self.phone.setObjectName("phone")
        self.phone.setPlaceholderText(self.tr("Customer's phone, e.g. 0772 123 456"))
        self.phone.setStyleSheet("font-size:20px;padding:4px;")
        layout.addWidget(self.phone)

        row = QHBoxLayout()
        self.provider_buttons = QButtonGroup(self)
        self.provider_radio: dict[Provider, QRadioButton] = {}
        for provider in till.providers:
            radio = QRadioButton(PROVIDER_NAMES[provider], self)
            radio.setObjectName(f"provider_{provider}")
            self.provider_buttons.addButton(radio)
            self.provider_radio[provider] = radio
            radio.toggled.connect(self._provider_toggled)
            # A click (unlike a suggestion) is the cashier's choice: stop suggesting.
            radio.clicked.connect(self._chosen_by_hand)
            row.addWidget(radio)
        self.check_customer = QPushButton(self.tr("Check customer"), self)
        self.check_customer.setToolTip(self.tr("Show the MTN account holder's name (Ctrl+K)"))
        self.check_customer.setShortcut(QKeySequence("Ctrl+K"))
        self.check_customer.clicked.connect(self._check_customer)
        row.addWidget(self.check_customer)
        row.addStretch(1)
        layout.addLayout(row)
        self.customer = QLabel(self)
        self.customer.setObjectName("customerName")
        layout.addWidget(self.customer)

        self.reference = QLineEdit(self)
        self.reference.setPlaceholderText(self.tr("Order reference (optional)"))
        self.message = QLineEdit(self)
        self.message.setPlaceholderText(self.tr("Message for the customer (optional)"))
        layout.addWidget(self.reference)
        layout.addWidget(self.message)

        self.error = QLabel(self)
        self.error.setObjectName("chargeError")
        self.error.setStyleSheet(f"color:{theme.ERROR};font-weight:bold;")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        self.charge_button = QPushButton(self.tr("Charge"), self)
        self.charge_button.setObjectName("charge")
        self.charge_button.setToolTip(self.tr("Send the payment prompt (Enter)"))
        self.charge_button.setStyleSheet(
            f"font-size:22px;font-weight:bold;padding:10px;background:{theme.CHARGE};color:white;"
        )
        self.charge_button.clicked.connect(self.submit)
        layout.addWidget(self.charge_button)
        layout.addStretch(1)

        for field in (self.amount, self.phone, self.reference, self.message):
            field.returnPressed.connect(self.submit)
        self.switch_provider = QShortcut(QKeySequence("Ctrl+M"), self)
        self.switch_provider.activated.connect(self._toggle_provider)
        self.amount.textChanged.connect(self._amount_changed)
        self.phone.textChanged.connect(self._phone_changed)
        if till.providers:
            first = next(iter(till.providers))
            self.provider_radio[first].setChecked(True)
        self._fill_quick_amounts()

    # -- state --

    @property
    def provider(self) -> Provider | None:
        return next((p for p, radio in self.provider_radio.items() if radio.isChecked()), None)

    def set_provider(self, provider: Provider) -> None:
        if provider in self.provider_radio:
            self.provider_radio[provider].setChecked(True)

    def _fill_quick_amounts(self) -> None:
        while self.quick.count():
            item = self.quick.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        provider = self.provider
        if provider is None:
            return
        currency = self._till.currencies[provider]
        configured = self._till.config.shop.quick_amounts
        amounts = [Decimal(str(a)) for a in configured] or default_quick_amounts(currency)
        locale = self._till.config.shop.effective_locale
        for value in amounts:
            try:
                money = Money.from_decimal(value, currency)
            except ValidationError:
                continue  # e.g. 12.5 configured for a whole-number currency
            button = QPushButton(money.format(locale), self)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setMinimumHeight(40)
            button.clicked.connect(
                lambda _=False, m=money: self.amount.setText(m.to_plain_string())
            )
            self.quick.addWidget(button)

    # -- reactions --

    def _press(self, key: str) -> None:
        if key == "⌫":
            self.amount.backspace()
        else:
            self.amount.insert(key)
        self.amount.setFocus()

    def _provider_toggled(self, checked: bool) -> None:
        if not checked:
            return
        self.check_customer.setVisible(self.provider == "mtn")
        self._fill_quick_amounts()
        self._amount_changed(self.amount.text())

    def _chosen_by_hand(self) -> None:
        self._provider_chosen_by_hand = True

    def _toggle_provider(self) -> None:
        providers = list(self.provider_radio)
        if len(providers) > 1 and self.provider is not None:
            self._provider_chosen_by_hand = True
            self.set_provider(providers[(providers.index(self.provider) + 1) % len(providers)])

    def _amount_changed(self, text: str) -> None:
        provider = self.provider
        if not text.strip() or provider is None:
            self.amount_shown.setText("")
            return
        try:
            money = self._till.parse_amount(provider, text)
        except (ValidationError, SetupProblem) as exc:
            self.amount_shown.setText(error_text(exc))
            self.amount_shown.setStyleSheet(f"font-size:16px;color:{theme.ERROR};")
        else:
            self.amount_shown.setText(money.format(self._till.config.shop.effective_locale))
            self.amount_shown.setStyleSheet(f"font-size:20px;color:{theme.TEXT};")

    def _phone_changed(self, text: str) -> None:
        self.customer.setText("")
        if self._provider_chosen_by_hand:
            return
        suggestion = self._till.suggest_provider(text)
        if suggestion is not None:
            self.set_provider(suggestion)

    def _check_customer(self) -> None:
        try:
            _, phone = self._till.parse_charge("mtn", self.amount.text() or "1", self.phone.text())
        except (ValidationError, SetupProblem) as exc:
            self.error.setText(error_text(exc))
            return
        self.customer.setText(self.tr("Checking…"))
        self.customer_check_requested.emit(phone.msisdn)

    def show_customer(self, text: str) -> None:
        self.customer.setText(text)

    def submit(self) -> None:
        provider = self.provider
        if provider is None:
            self.error.setText(self.tr("No provider is set up at this till"))
            return
        try:
            amount, phone = self._till.parse_charge(provider, self.amount.text(), self.phone.text())
        except (ValidationError, SetupProblem) as exc:
            self.error.setText(error_text(exc))
            return
        request = ChargeInput(
            provider,
            amount,
            phone.msisdn,
            self.reference.text().strip() or None,
            self.message.text().strip() or None,
        )
        self.clear()  # ready for the next customer at once
        self.charge_requested.emit(request)

    def clear(self) -> None:
        for field in (self.amount, self.phone, self.reference, self.message):
            field.clear()
        self.error.setText("")
        self.customer.setText("")
        self._provider_chosen_by_hand = False
        self.amount.setFocus()
