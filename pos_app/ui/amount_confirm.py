"""The second look at a large amount: the amount in large type and in words, the customer's
number, and a deliberate confirmation.

"Go back" is the default: Enter and Escape go back to the fields as they were typed. Only a
click on (or Space on the focused) "Charge …" button sends the charge. Opened with open(),
never exec(): a nested event loop would stall the engine's tasks.
"""

from __future__ import annotations

from babel.numbers import get_currency_name
from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pos_app.domain.countries import Provider
from pos_app.domain.money import Money
from pos_app.domain.phone import mask_msisdn
from pos_app.providers import registry
from pos_app.ui import theme


def amount_in_words(amount: Money, language: str) -> str:
    """ "five hundred thousand Ugandan shillings", in English or French.

    num2words knows the names of a few currencies only (not UGX, XOF, KES…): the number is
    then written in words, followed by the currency's name from CLDR (babel)."""
    # Only big amounts are read back: num2words' many languages load then, not at start-up.
    from num2words import num2words

    lang = language if language in ("en", "fr") else "en"
    value = amount.amount
    whole = value == value.to_integral_value()
    if not whole:
        try:
            words: str = num2words(value, lang=lang, to="currency", currency=amount.currency)
        except (NotImplementedError, KeyError):
            pass
        else:
            return words
    number: str = num2words(int(value) if whole else value, lang=lang)
    count = int(value) if whole else 2  # the plural form for decimals
    name: str = get_currency_name(amount.currency, count=count, locale=lang)
    return f"{number} {name}"


class AmountConfirmDialog(QDialog):
    """Accepted: charge. Rejected (Go back, Enter, Escape): the fields keep what was typed."""

    def __init__(
        self,
        amount: Money,
        provider: Provider,
        msisdn: str,
        locale: str,
        language: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.amount = amount
        shown = amount.format(locale)
        self.setWindowTitle(self.tr("Check the amount"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("This is a large amount. Read it to the customer:"), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.big_amount = QLabel(shown, self)
        self.big_amount.setObjectName("bigAmount")
        self.big_amount.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.big_amount.setStyleSheet(f"font-size:40px;font-weight:bold;color:{theme.TEXT};")
        layout.addWidget(self.big_amount)
        self.words = QLabel(amount_in_words(amount, language), self)
        self.words.setObjectName("amountWords")
        self.words.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.words.setWordWrap(True)
        self.words.setStyleSheet("font-size:18px;font-style:italic;")
        layout.addWidget(self.words)
        self.customer = QLabel(
            self.tr("from {0} with {1}").format(mask_msisdn(msisdn), registry.name(provider)),
            self,
        )
        self.customer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.customer.setStyleSheet("font-size:16px;")
        layout.addWidget(self.customer)
        layout.addSpacing(12)
        buttons = QHBoxLayout()
        self.back_button = QPushButton(self.tr("Go back"), self)
        self.back_button.setObjectName("goBack")
        self.back_button.setDefault(True)  # Enter goes back
        self.back_button.setStyleSheet("font-size:18px;padding:8px 16px;")
        self.back_button.clicked.connect(self.reject)
        self.charge_button = QPushButton(self.tr("Charge {0}").format(shown), self)
        self.charge_button.setObjectName("confirmCharge")
        # Never pressed by Enter: neither the default button nor an auto-default one.
        self.charge_button.setAutoDefault(False)
        self.charge_button.setDefault(False)
        self.charge_button.setStyleSheet(
            f"font-size:18px;font-weight:bold;padding:8px 16px;background:{theme.CHARGE};"
            "color:white;"
        )
        self.charge_button.clicked.connect(self.accept)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.charge_button)
        layout.addLayout(buttons)
        self.back_button.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.back_button.setFocus()
