"""The owner's PIN: set on first use, asked before each owner action."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from pos_app.domain.errors import ValidationError
from pos_app.engine.owner import OwnerGate, OwnerLocked, WrongPin
from pos_app.ui.owner_parts import error_and_buttons, locked_text, pin_field
from pos_app.ui.texts import error_text


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
        self.pin = pin_field(self)
        form.addRow(self.tr("PIN"), self.pin)
        self.again: QLineEdit | None = None
        if self.creating:
            self.again = pin_field(self)
            form.addRow(self.tr("Same PIN again"), self.again)
        layout.addLayout(form)
        self.error = error_and_buttons(self, layout, self.submit)
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
