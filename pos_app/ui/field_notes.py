"""The lines under the counter's fields: an error, a hint or the amount as it will be charged,
each in room reserved for it, so that nothing moves when one appears."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from pos_app.ui import theme

ERROR_PIXELS = 12
# Amber, 8.7:1 on the window: a network hint that does not block (ported numbers allowed).
WARNING = "#78350f"


def reserved_line(parent: QWidget, name: str, lines: int) -> QLabel:
    """A label for an error, its height reserved for `lines` lines whether it shows one or not:
    an error appearing moves nothing. A longer text is cut, and shown whole as its tool tip."""
    label = QLabel(parent)
    label.setObjectName(name)
    font = QFont(label.font())
    font.setPixelSize(ERROR_PIXELS)
    font.setBold(True)
    label.setFont(font)
    label.setStyleSheet(f"color:{theme.ERROR};")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setFixedHeight(label.fontMetrics().lineSpacing() * lines + 2)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    return label


def show_error(label: QLabel, text: str, colour: str = theme.ERROR) -> None:
    label.setStyleSheet(f"color:{colour};font-size:{ERROR_PIXELS}px;font-weight:bold;")
    label.setText(text)
    label.setToolTip(text)
