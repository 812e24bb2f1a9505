"""The on-screen keypad and the quick amounts beside it, for touch screens."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money, currency_digits

KEY_HEIGHT = 36  # the keys grow with the window, from this
QUICK_HEIGHT = 28  # five quick amounts beside the keypad's four rows
QUICK_COLUMN_WIDTH = 130  # whatever the currency's amounts: switching provider moves nothing
BACKSPACE = "⌫"


def default_quick_amounts(currency: str) -> list[Decimal]:
    if currency_digits(currency) == 0:
        return [Decimal(v) for v in (500, 1000, 2000, 5000, 10000)]
    return [Decimal(v) for v in (50, 100, 200, 500, 1000)]


class Keypad(QWidget):
    pressed = Signal(str)  # a key: a digit, "00" or BACKSPACE
    chosen = Signal(str)  # a quick amount, as plain digits to type

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        pads = QHBoxLayout(self)
        pads.setContentsMargins(0, 0, 0, 0)
        pads.setSpacing(4)
        keypad = QGridLayout()
        keypad.setSpacing(4)
        keys = ["7", "8", "9", "4", "5", "6", "1", "2", "3", "00", "0", BACKSPACE]
        for index, key in enumerate(keys):
            button = QPushButton(key, self)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes field to field
            button.setMinimumSize(56, KEY_HEIGHT)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.setStyleSheet("font-size:20px;")
            button.clicked.connect(lambda _=False, k=key: self.pressed.emit(k))
            keypad.addWidget(button, index // 3, index % 3)
        pads.addLayout(keypad, 1)
        quick_column = QWidget(self)
        quick_column.setFixedWidth(QUICK_COLUMN_WIDTH)
        self.quick = QVBoxLayout(quick_column)
        self.quick.setContentsMargins(0, 0, 0, 0)
        self.quick.setSpacing(4)
        pads.addWidget(quick_column)

    def show_amounts(self, amounts: list[Decimal], currency: str | None, locale: str) -> None:
        """One button per amount in `currency` (none without one)."""
        while self.quick.count():
            item = self.quick.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.hide()  # at once: deleted later
                widget.deleteLater()
        if currency is None:
            return
        for value in amounts or default_quick_amounts(currency):
            try:
                money = Money.from_decimal(value, currency)
            except ValidationError:
                continue  # e.g. 12.5 configured for a whole-number currency
            button = QPushButton(money.format(locale), self)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setMinimumHeight(QUICK_HEIGHT)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.clicked.connect(lambda _=False, m=money: self.chosen.emit(m.to_plain_string()))
            self.quick.addWidget(button)
