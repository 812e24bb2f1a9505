"""What the owner's dialogs share: the PIN field, the error line, OK / Cancel.

Every owner dialog is opened with open(), never exec(): a nested event loop would stall the
engine's tasks while the owner types."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget


def pin_field(parent: QWidget) -> QLineEdit:
    field = QLineEdit(parent)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(12)
    return field


def error_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setStyleSheet("color:#b91c1c;font-weight:bold;")
    label.setWordWrap(True)
    return label


def error_and_buttons(dialog: QDialog, layout: QVBoxLayout, submit: Callable[[], None]) -> QLabel:
    """The error line and OK / Cancel at the foot of a PIN dialog; returns the error line."""
    error = error_label(dialog)
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
