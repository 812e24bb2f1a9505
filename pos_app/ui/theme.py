"""One light, high-contrast look whatever the computer's theme: a counter screen is read from a
step away, often in daylight. Every text colour here reaches WCAG AAA (7:1) on its background,
except error red on the red, grey and blue cards (6.7:1 to 6.8:1, AA); tests/ui/test_theme.py
measures the rendered pixels."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from pos_app.domain.payment import PaymentStatus

TEXT = "#111827"
MUTED = "#4b5563"  # placeholders and hints: 7.6:1 on white
ERROR = "#991b1b"
BANNER = "#7c2d12"  # the DEMO banner, white text
CHARGE = "#166534"  # the Charge button, white text

S = PaymentStatus
# (background, border) per state: amber while waiting, green paid, red failed, grey unknown.
CARD_COLOURS = {
    S.CREATED: ("#fef3c7", "#d97706"),
    S.SUBMITTING: ("#fef3c7", "#d97706"),
    S.PENDING: ("#fef3c7", "#d97706"),
    S.SUCCESSFUL: ("#dcfce7", "#15803d"),
    S.FAILED: ("#fee2e2", "#b91c1c"),
    S.EXPIRED: ("#fee2e2", "#b91c1c"),
    S.UNKNOWN: ("#e5e7eb", "#4b5563"),
    S.REFUNDED: ("#e0e7ff", "#4338ca"),
}


def palette() -> QPalette:
    colours = {
        QPalette.ColorRole.Window: "#f9fafb",
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f3f4f6",
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: "#e5e7eb",
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.ToolTipBase: "#ffffff",
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.PlaceholderText: MUTED,
        QPalette.ColorRole.Highlight: "#1d4ed8",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Link: "#1d4ed8",
    }
    result = QPalette()
    for role, colour in colours.items():
        result.setColor(role, QColor(colour))
    result.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(MUTED))
    result.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(MUTED))
    result.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor(MUTED))
    return result


def apply(app: QApplication) -> None:
    app.setStyle("Fusion")  # the same widgets on Windows, macOS and Linux, and it obeys palettes
    app.setPalette(palette())
