"""A refund of (part of) a paid payment, asked of the owner."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment
from pos_app.domain.phone import mask_msisdn
from pos_app.providers import registry
from pos_app.ui.owner_parts import error_label
from pos_app.ui.texts import error_text


class RefundDialog(QDialog):
    """How much of a paid payment to give back, and why."""

    requested = Signal(object, object, str)  # original Payment, Money, note

    def __init__(
        self, original: Payment, refundable: Money, locale: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.original, self._locale = original, locale
        currency = original.amount.currency
        self.setWindowTitle(self.tr("Refund"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                self.tr("Paid {0} by {1}. At most {2} can be refunded.").format(
                    original.amount.format(locale),
                    mask_msisdn(original.msisdn),
                    refundable.format(locale),
                ),
                self,
            )
        )
        form = QFormLayout()
        self.amount = QLineEdit(refundable.to_plain_string(), self)
        found = registry.spec(original.provider)
        # A provider that refunds whole payments only: the amount is not the owner's to choose.
        self.amount.setReadOnly(found is not None and not found.capabilities.partial_refunds)
        form.addRow(self.tr("Amount ({0})").format(currency), self.amount)
        self.note = QLineEdit(self.tr("Refund"), self)
        self.note.setMaxLength(60)
        form.addRow(self.tr("Reason"), self.note)
        layout.addLayout(form)
        self.error = error_label(self)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.refund_button = QPushButton(self.tr("Refund"), self)
        buttons.addButton(self.refund_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def submit(self) -> None:
        try:
            amount = Money.parse(self.amount.text(), self.original.amount.currency, self._locale)
        except ValidationError as exc:
            self.error.setText(error_text(exc))
            return
        self.refund_button.setEnabled(False)
        self.requested.emit(self.original, amount, self.note.text().strip() or "Refund")

    def refused(self, error: Exception) -> None:
        """The refund was not made (and nothing was saved): say why, let the owner fix it."""
        self.error.setText(error_text(error))
        self.refund_button.setEnabled(True)
