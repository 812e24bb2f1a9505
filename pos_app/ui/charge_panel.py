"""The charge panel: amount, phone, provider, optional reference and message, Charge.

Keyboard first: type digits straight into the amount, Tab to the phone, Enter charges. The
on-screen keypad and quick amounts are for touch screens. What the cashier typed is checked by
the till (engine layer) before anything is sent; problems are explained inline.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from pos_app.app.till import SetupProblem, Till
from pos_app.domain.countries import Provider
from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money
from pos_app.domain.phone import WrongNetwork
from pos_app.engine.engine import ChargeRequest
from pos_app.platform.config import Config
from pos_app.providers import registry
from pos_app.ui import provider_facts, theme
from pos_app.ui.amount_confirm import AmountConfirmDialog
from pos_app.ui.field_notes import WARNING, reserved_line, show_error
from pos_app.ui.keypad import BACKSPACE, Keypad
from pos_app.ui.texts import error_text

PANEL_WIDTH = 420  # whatever is shown in it: switching provider or an error moves nothing
_NO_LIMIT = 32767  # QLineEdit's own maximum


class ChargePanel(QWidget):
    charge_requested = Signal(object)  # ChargeRequest
    customer_check_requested = Signal(str, str)  # provider, MSISDN: the account holder's name

    def __init__(self, till: Till, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._till = till
        self._provider_chosen_by_hand = False
        # The amount as last read (for which settings, provider and text: the Money or the
        # error): read once per text, as it is typed, and taken as it is when it is sent.
        self._read: tuple[Config, str, str, Money | Exception] | None = None
        self.confirm_dialog: AmountConfirmDialog | None = None  # while a large amount is checked
        layout = QVBoxLayout(self)
        # Every pixel counts at the window's smallest size (1000x640): all fits, nothing moves.
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.setMinimumWidth(PANEL_WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)

        self.amount = QLineEdit(self)
        self.amount.setObjectName("amount")
        self.amount.setPlaceholderText(self.tr("Amount"))
        self.amount.setStyleSheet("font-size:28px;padding:6px;")
        self.amount.setToolTip(self.tr("Type the amount; Enter charges"))
        # The amount as it will be charged ("USh1,500"), or what is wrong with it.
        self.amount_shown = reserved_line(self, "amountShown", 3)
        layout.addWidget(self.amount)
        layout.addWidget(self.amount_shown)

        self.keypad = Keypad(self)
        self.keypad.pressed.connect(self._press)
        self.keypad.chosen.connect(self.amount.setText)
        self.quick = self.keypad.quick
        layout.addWidget(self.keypad)

        self.phone = QLineEdit(self)
        self.phone.setObjectName("phone")
        self.phone.setPlaceholderText(self.tr("Phone, e.g. 0772 123 456"))
        self.phone.setToolTip(self.tr("The customer's phone number, in any usual form"))
        self.phone.setStyleSheet("font-size:20px;padding:4px;")
        layout.addWidget(self.phone)
        self.phone_error = reserved_line(self, "phoneError", 2)
        layout.addWidget(self.phone_error)

        row = QHBoxLayout()
        self.provider_buttons = QButtonGroup(self)
        self.provider_radio: dict[Provider, QRadioButton] = {}
        for provider in till.providers:
            radio = QRadioButton(registry.name(provider), self)
            radio.setObjectName(f"provider_{provider}")
            self.provider_buttons.addButton(radio)
            self.provider_radio[provider] = radio
            radio.toggled.connect(self._provider_toggled)
            # A click (unlike a suggestion) is the cashier's choice: stop suggesting.
            radio.clicked.connect(self._chosen_by_hand)
            row.addWidget(radio)
        self.check_customer = QPushButton(self.tr("Check customer"), self)
        self.check_customer.setShortcut(QKeySequence("Ctrl+K"))
        self.check_customer.clicked.connect(self._check_customer)
        # Hidden for a provider that cannot be asked, its room kept: switching provider moves
        # nothing.
        keep = self.check_customer.sizePolicy()
        keep.setRetainSizeWhenHidden(True)
        self.check_customer.setSizePolicy(keep)
        row.addWidget(self.check_customer)
        row.addStretch(1)
        layout.addLayout(row)
        # Under the provider choice, what is known of the number: that its network is not
        # the chosen provider's (with the one to choose), or the account holder's name.
        self.network_hint = reserved_line(self, "networkHint", 3)
        self.customer = self.network_hint
        layout.addWidget(self.network_hint)

        self.reference = QLineEdit(self)
        self.reference.setPlaceholderText(self.tr("Reference (optional)"))
        self.reference.setToolTip(self.tr("Your order or invoice reference, kept with the receipt"))
        self.message = QLineEdit(self)
        self.message.setPlaceholderText(self.tr("Message (optional)"))
        self.message.setToolTip(
            self.tr("A short message for the customer, sent with the payment request")
        )
        optional = QHBoxLayout()
        optional.addWidget(self.reference)
        optional.addWidget(self.message)
        layout.addLayout(optional)

        # What concerns no one field (no provider set up, the engine's failures).
        self.error = reserved_line(self, "chargeError", 2)
        layout.addWidget(self.error)
        self.charge_button = QPushButton(self.tr("Charge"), self)
        self.charge_button.setObjectName("charge")
        self.charge_button.setToolTip(self.tr("Send the payment prompt (Enter)"))
        self.charge_button.setStyleSheet(
            f"font-size:22px;font-weight:bold;padding:6px;background:{theme.CHARGE};color:white;"
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
        self._show_customer_check()
        self._fill_quick_amounts()

    def sizeHint(self) -> QSize:
        return QSize(PANEL_WIDTH, super().sizeHint().height())

    # -- state --

    @property
    def provider(self) -> Provider | None:
        return next((p for p, radio in self.provider_radio.items() if radio.isChecked()), None)

    def set_provider(self, provider: Provider) -> None:
        if provider in self.provider_radio:
            self.provider_radio[provider].setChecked(True)

    def _fill_quick_amounts(self) -> None:
        provider, shop = self.provider, self._till.config.shop
        self.keypad.show_amounts(
            [Decimal(str(a)) for a in shop.quick_amounts],
            self._till.currencies[provider] if provider is not None else None,
            shop.effective_locale,
        )

    # -- reactions --

    def _press(self, key: str) -> None:
        if key == BACKSPACE:
            self.amount.backspace()
        else:
            self.amount.insert(key)
        self.amount.setFocus()

    def _provider_toggled(self, checked: bool) -> None:
        if not checked:
            return
        self._show_customer_check()
        self._fill_quick_amounts()
        spec = registry.spec(self.provider) if self.provider is not None else None
        most = spec.rules.message_length if spec is not None else None
        self.message.setMaxLength(most or _NO_LIMIT)
        self._amount_changed(self.amount.text())
        self._update_network_hint()

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
            show_error(self.amount_shown, "")
            return
        try:
            money = self._amount(provider, text)
        except (ValidationError, SetupProblem) as exc:
            show_error(self.amount_shown, error_text(exc))
        else:
            # What will be charged: larger than an error, in the text colour.
            self.amount_shown.setStyleSheet(f"color:{theme.TEXT};font-size:20px;")
            self.amount_shown.setText(money.format(self._till.config.shop.effective_locale))
            self.amount_shown.setToolTip("")

    def _amount(self, provider: str, text: str) -> Money:
        """The amount typed for `provider`; raises ValidationError or SetupProblem."""
        config = self._till.config
        read = self._read
        if read is None or read[0] is not config or read[1:3] != (provider, text):
            try:
                read = (config, provider, text, self._till.parse_amount(provider, text))
            except (ValidationError, SetupProblem) as exc:
                read = (config, provider, text, exc)
            self._read = read
        found = read[3]
        if isinstance(found, Exception):
            raise found
        return found

    def _phone_changed(self, text: str) -> None:
        show_error(self.phone_error, "")  # it was about what was typed before
        if not self._provider_chosen_by_hand:
            suggestion = self._till.suggest_provider(text)
            if suggestion is not None:
                self.set_provider(suggestion)
        self._update_network_hint()

    def _update_network_hint(self) -> None:
        """As the number is typed: say so when its network is not the chosen provider's (in
        red when the charge will be refused, in amber when the owner allows ported numbers)."""
        provider, text = self.provider, self.phone.text()
        if provider is None or not text.strip():
            show_error(self.network_hint, "")
            return
        try:
            phone = self._till.parse_phone(provider, text)
        except WrongNetwork as exc:
            show_error(self.network_hint, error_text(exc))
            return
        except (ValidationError, SetupProblem):
            show_error(self.network_hint, "")  # not a whole number yet
            return
        problem = self._till.network_problem(provider, phone)
        show_error(self.network_hint, error_text(problem) if problem else "", WARNING)

    def _can_look_up(self) -> Provider | None:
        """The chosen provider, when it can tell the account holder's name."""
        provider = self.provider
        spec = registry.spec(provider) if provider is not None else None
        return provider if spec is not None and spec.capabilities.account_lookup else None

    def _show_customer_check(self) -> None:
        provider = self._can_look_up()
        self.check_customer.setVisible(provider is not None)
        if provider is not None:
            self.check_customer.setToolTip(
                self.tr("Show the {0} account holder's name (Ctrl+K)").format(
                    provider_facts.short_name(provider)
                )
            )

    def _check_customer(self) -> None:
        provider = self._can_look_up()
        if provider is None:
            return
        try:
            phone = self._till.parse_phone(provider, self.phone.text())
        except WrongNetwork as exc:
            show_error(self.network_hint, error_text(exc))
            return
        except ValidationError as exc:
            show_error(self.phone_error, error_text(exc))
            return
        except SetupProblem as exc:
            show_error(self.error, error_text(exc))
            return
        show_error(self.customer, self.tr("Checking…"), theme.TEXT)
        self.customer_check_requested.emit(provider, phone.msisdn)

    def show_customer(self, text: str) -> None:
        show_error(self.customer, text, theme.TEXT)

    def submit(self) -> None:
        """Check every field at once (each error beside its field); send the charge, or first
        have a large amount confirmed."""
        if self.confirm_dialog is not None:
            return  # the amount is being confirmed
        request = self._checked()
        if request is None:
            return
        if self._till.needs_confirmation(request.amount):
            self._confirm(request)
            return
        self._send(request)

    def _checked(self) -> ChargeRequest | None:
        # The amount's line already follows what is typed (the amount to charge, or why not).
        for label in (self.phone_error, self.error):
            show_error(label, "")
        provider = self.provider
        if provider is None:
            show_error(self.error, self.tr("No provider is set up at this till"))
            return None
        amount = phone = None
        try:
            amount = self._amount(provider, self.amount.text())
        except SetupProblem as exc:  # the provider's, not a field's
            show_error(self.error, error_text(exc))
            return None
        except ValidationError as exc:
            show_error(self.amount_shown, error_text(exc))
        try:  # checked too when the amount is wrong: every error at once
            phone = self._till.parse_phone(provider, self.phone.text())
        except WrongNetwork as exc:  # beside the provider choice, whose choice it is
            show_error(self.network_hint, error_text(exc))
        except ValidationError as exc:
            show_error(self.phone_error, error_text(exc))
        if amount is None:
            self.amount.setFocus()
            return None
        if phone is None:
            self.phone.setFocus()
            return None
        return ChargeRequest(
            provider,
            amount,
            phone,
            external_id=self.reference.text().strip() or None,
            message=self.message.text().strip() or None,
        )

    def charge_again(self, request: ChargeRequest) -> None:
        """*Charge again* on a card: the amount passes the same guard as a typed one (largest
        charge, confirmation above the owner's amount); what is typed for the next customer
        stays."""
        if self.confirm_dialog is not None:
            return
        try:
            self._till.guard(request.amount.currency).check(
                request.amount, self._till.config.shop.effective_locale
            )
        except ValidationError as exc:
            show_error(self.error, error_text(exc))
            return
        if self._till.needs_confirmation(request.amount):
            self._confirm(request, clear=False)
            return
        self.charge_requested.emit(request)

    def _confirm(self, request: ChargeRequest, *, clear: bool = True) -> None:
        shop = self._till.config.shop
        dialog = AmountConfirmDialog(
            request.amount,
            request.provider,
            request.phone.msisdn,
            shop.effective_locale,
            shop.effective_language,
            self,
        )
        dialog.accepted.connect(
            lambda: self._send(request) if clear else self.charge_requested.emit(request)
        )
        dialog.finished.connect(self._confirm_finished)
        self.confirm_dialog = dialog
        dialog.open()  # not exec(): a nested loop would stall the engine's tasks

    def _confirm_finished(self, result: int) -> None:
        dialog, self.confirm_dialog = self.confirm_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted:
            self.amount.setFocus()  # the fields keep what was typed

    def _send(self, request: ChargeRequest) -> None:
        self.clear()  # ready for the next customer at once
        self.charge_requested.emit(request)

    def clear(self) -> None:
        for field in (self.amount, self.phone, self.reference, self.message):
            field.clear()
        for label in (self.amount_shown, self.phone_error, self.network_hint, self.error):
            show_error(label, "")
        self._provider_chosen_by_hand = False
        self.amount.setFocus()
