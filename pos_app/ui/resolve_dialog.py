"""Settling by hand a payment or refund the till cannot ask its provider about."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.payment import Payment
from pos_app.domain.phone import mask_msisdn
from pos_app.providers import registry
from pos_app.ui import provider_facts
from pos_app.ui.owner_parts import error_label
from pos_app.ui.provider_facts import code_name
from pos_app.ui.texts import error_text, status_name


class ResolveDialog(QDialog):
    """The owner settles a payment or refund whose provider tells the till nothing more: with
    the code from the provider's message, or as no money moved."""

    resolved = Signal(str, object)  # reference id, the code as typed or None (no money moved)

    def __init__(self, payment: Payment, locale: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.payment = payment
        refund = payment.refund_of is not None
        provider = registry.name(payment.provider)
        self.setWindowTitle(self.tr("Resolve by hand"))
        layout = QVBoxLayout(self)
        explain = (
            self.tr(
                "{0} does not tell this till how a refund ends. Once it is reversed (in the "
                "{0} portal, or by the reversal sent from here), enter the code of {0}'s "
                "reversal message."
            )
            if refund
            else self.tr(
                "Whether this customer paid is not known. Check the customer's {0} SMS or "
                "the {0} statement, then enter the code, or record that nothing was received."
            )
        ).format(provider)
        label = QLabel(
            f"{payment.amount.format(locale)} · {mask_msisdn(payment.msisdn)} · "
            f"{status_name(payment.status)}\n\n{explain}",
            self,
        )
        label.setWordWrap(True)
        layout.addWidget(label)
        self.code = QLineEdit(self)
        if (shape := provider_facts.receipt_code(payment.provider)) is not None:
            self.code.setPlaceholderText(
                self.tr("{0}, e.g. {1}").format(code_name(shape), shape.example)
            )
        layout.addWidget(self.code)
        self.error = error_label(self)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.confirm = QPushButton(self.tr("Confirm with this code"), self)
        self.none = QPushButton(
            self.tr("Refund was not made") if refund else self.tr("Nothing was received"), self
        )
        buttons.addButton(self.confirm, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.none, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.confirm.clicked.connect(
            lambda: self.resolved.emit(payment.reference_id, self.code.text())
        )
        self.none.clicked.connect(lambda: self.resolved.emit(payment.reference_id, None))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def refused(self, error: Exception) -> None:
        self.error.setText(error_text(error))
