"""Changing the owner's PIN."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFormLayout, QVBoxLayout, QWidget

from pos_app.domain.errors import ValidationError
from pos_app.engine.owner import OwnerGate, OwnerLocked
from pos_app.ui.owner_parts import error_and_buttons, locked_text, pin_field
from pos_app.ui.texts import error_text


class NewPinDialog(QDialog):
    """Change the owner's PIN: the current one, then the new one twice."""

    def __init__(self, gate: OwnerGate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._gate = gate
        self.setWindowTitle(self.tr("Change the owner PIN"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.current, self.new, self.again = (pin_field(self) for _ in range(3))
        form.addRow(self.tr("Current PIN"), self.current)
        form.addRow(self.tr("New PIN"), self.new)
        form.addRow(self.tr("Same PIN again"), self.again)
        layout.addLayout(form)
        self.error = error_and_buttons(self, layout, self.submit)

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
