"""The owner's dialogs: the PIN (set on first use, asked before each owner action), a refund,
resolving an M-Pesa payment by hand, and the reconciliation run's findings.

Every dialog is opened with open(), never exec(): a nested event loop would stall the engine's
tasks while the owner types."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment
from pos_app.domain.phone import mask_msisdn
from pos_app.domain.reasons import from_key
from pos_app.engine.engine import Finding
from pos_app.engine.owner import OwnerGate, OwnerLocked, WrongPin
from pos_app.ui.texts import error_text, reason_message, shown, status_name


class PinDialog(QDialog):
    """Asks for the owner's PIN, or has the owner choose one when none is set yet."""

    unlocked = Signal()

    def __init__(self, gate: OwnerGate, purpose: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._gate, self._purpose = gate, purpose
        self.creating = not gate.has_pin()
        self.setWindowTitle(self.tr("Owner PIN"))
        layout = QVBoxLayout(self)
        intro = (
            self.tr("Choose the owner's PIN (4 to 12 digits). Owner actions will ask for it.")
            if self.creating
            else self.tr("Owner only: enter the owner's PIN.")
        )
        label = QLabel(intro, self)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.setMinimumWidth(380)
        form = QFormLayout()
        self.pin = _pin_field(self)
        form.addRow(self.tr("PIN"), self.pin)
        self.again: QLineEdit | None = None
        if self.creating:
            self.again = _pin_field(self)
            form.addRow(self.tr("Same PIN again"), self.again)
        layout.addLayout(form)
        self.error = _error_and_buttons(self, layout, self.submit)
        if (wait := gate.locked_for()) > 0:
            self._locked(wait)

    def _locked(self, seconds: float) -> None:
        self.error.setText(locked_text(seconds))

    def submit(self) -> None:
        pin = self.pin.text().strip()
        try:
            if self.again is not None:
                self._gate.set_pin(pin, again=self.again.text().strip())
            self._gate.unlock(pin, self._purpose)
        except OwnerLocked as exc:
            self._locked(exc.seconds)
            self._start_again()
            return
        except (WrongPin, ValidationError) as exc:
            self.error.setText(error_text(exc))
            self._start_again()
            return
        self.accept()
        self.unlocked.emit()

    def _start_again(self) -> None:
        """After a refused PIN: every field empty, the cursor in the first one."""
        for field in (self.pin, self.again):
            if field is not None:
                field.clear()
        self.pin.setFocus()


class NewPinDialog(QDialog):
    """Change the owner's PIN: the current one, then the new one twice."""

    def __init__(self, gate: OwnerGate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._gate = gate
        self.setWindowTitle(self.tr("Change the owner PIN"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.current, self.new, self.again = (_pin_field(self) for _ in range(3))
        form.addRow(self.tr("Current PIN"), self.current)
        form.addRow(self.tr("New PIN"), self.new)
        form.addRow(self.tr("Same PIN again"), self.again)
        layout.addLayout(form)
        self.error = _error_and_buttons(self, layout, self.submit)

    def submit(self) -> None:
        try:
            self._gate.set_pin(
                self.new.text().strip(), self.current.text().strip(), self.again.text().strip()
            )
        except OwnerLocked as exc:
            self.error.setText(locked_text(exc.seconds))
            self._start_again()
            return
        except ValidationError as exc:
            self.error.setText(error_text(exc))
            self._start_again()
            return
        self.accept()

    def _start_again(self) -> None:
        """After a refused PIN: every field empty, the cursor in the first one."""
        for field in (self.current, self.new, self.again):
            field.clear()
        self.current.setFocus()


def _pin_field(parent: QWidget) -> QLineEdit:
    field = QLineEdit(parent)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(12)
    return field


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setStyleSheet("color:#b91c1c;font-weight:bold;")
    label.setWordWrap(True)
    return label


def _error_and_buttons(dialog: QDialog, layout: QVBoxLayout, submit: Callable[[], None]) -> QLabel:
    """The error line and OK / Cancel at the foot of a PIN dialog; returns the error line."""
    error = _error_label(dialog)
    layout.addWidget(error)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    buttons.accepted.connect(submit)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    return error


def locked_text(seconds: float) -> str:
    return QCoreApplication.translate(
        "PinDialog", "Too many wrong PINs: owner actions are locked for {0} s."
    ).format(f"{seconds:.0f}")


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
        form.addRow(self.tr("Amount ({0})").format(currency), self.amount)
        self.note = QLineEdit(self.tr("Refund"), self)
        self.note.setMaxLength(60)
        form.addRow(self.tr("Reason"), self.note)
        layout.addLayout(form)
        self.error = _error_label(self)
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


class ResolveDialog(QDialog):
    """The owner settles an M-Pesa payment or refund the app cannot ask M-Pesa about."""

    resolved = Signal(str, object)  # reference id, M-Pesa code or None (no money moved)

    def __init__(self, payment: Payment, locale: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.payment = payment
        refund = payment.refund_of is not None
        self.setWindowTitle(self.tr("Resolve by hand"))
        layout = QVBoxLayout(self)
        explain = (
            self.tr(
                "M-Pesa does not tell this till how a refund ends. Once it is reversed (in the "
                "M-Pesa portal, or by the reversal sent from here), enter the code of M-Pesa's "
                "reversal message."
            )
            if refund
            else self.tr(
                "Whether this customer paid is not known. Check the customer's M-Pesa SMS or "
                "the M-Pesa statement, then enter the code, or record that nothing was received."
            )
        )
        label = QLabel(
            f"{payment.amount.format(locale)} · {mask_msisdn(payment.msisdn)} · "
            f"{status_name(payment.status)}\n\n{explain}",
            self,
        )
        label.setWordWrap(True)
        layout.addWidget(label)
        self.code = QLineEdit(self)
        self.code.setPlaceholderText(self.tr("M-Pesa code, e.g. QKJ1XYZ123"))
        layout.addWidget(self.code)
        self.error = _error_label(self)
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


class FindingsDialog(QDialog):
    """What a reconciliation run found: each payment asked about, and what changed."""

    def __init__(self, findings: list[Finding], locale: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Reconcile day"))
        layout = QVBoxLayout(self)
        corrected = sum(1 for f in findings if f.corrected)
        self.summary = QLabel(
            self.tr("{0} payment(s) checked, {1} corrected.").format(len(findings), corrected),
            self,
        )
        layout.addWidget(self.summary)
        self.items = QListWidget(self)
        for finding in findings:
            p = finding.payment
            change = (
                f"{status_name(finding.before)} → {status_name(p.status)}"
                if finding.corrected
                else status_name(p.status)
            )
            why = (
                f" ({reason_message(from_key(p.reason))})" if finding.corrected and p.reason else ""
            )
            self.items.addItem(
                f"{p.amount.format(locale)} · {mask_msisdn(p.msisdn)} · {change}: "
                f"{shown(finding.note)}{why}"
            )
        layout.addWidget(self.items)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
