"""High contrast, measured on the rendered pixels of the real widgets, also when the computer's
own theme is dark."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from pos_app.app.till import build_till
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.platform.config import Config, ShopConfig
from pos_app.store import PaymentRepository
from pos_app.ui import theme
from pos_app.ui.main_window import MainWindow
from pos_app.ui.payment_cards import PaymentCard

AAA = 7.0


def luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(image: QImage) -> float:
    """WCAG ratio between the background (the commonest colour) and the text's strongest pixel."""
    pixels = Counter(image.pixel(x, y) for x in range(image.width()) for y in range(image.height()))
    background = luminance(QColor.fromRgb(pixels.most_common(1)[0][0]))
    ink = max(
        (luminance(QColor.fromRgb(p)) for p in pixels), key=lambda value: abs(value - background)
    )
    light, dark = max(background, ink), min(background, ink)
    return (light + 0.05) / (dark + 0.05)


def region(widget: QWidget, child: QWidget) -> QImage:
    return widget.grab(QRect(child.mapTo(widget, child.rect().topLeft()), child.size())).toImage()


@pytest.fixture
def dark_computer(qapp: QApplication) -> Iterator[QApplication]:
    """The computer's theme is dark; the app's own theme must still win."""
    style, palette = qapp.style().name(), qapp.palette()
    dark = QPalette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base, QPalette.ColorRole.Button):
        dark.setColor(role, QColor("#111111"))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text):
        dark.setColor(role, QColor("#eeeeee"))
    qapp.setPalette(dark)
    theme.apply(qapp)
    yield qapp
    qapp.setStyle(style)
    qapp.setPalette(palette)


@pytest.mark.parametrize("status", list(PaymentStatus))
def test_every_card_state_is_readable_from_a_step_away(
    qtbot: QtBot, dark_computer: QApplication, status: PaymentStatus
) -> None:
    payment, _ = Payment.create(
        provider="mtn", amount=Money(1500, "UGX"), msisdn="256772123456", now=datetime.now(UTC)
    )
    card = PaymentCard(dataclasses.replace(payment, status=status), "en_UG")
    qtbot.addWidget(card)
    card.resize(600, 200)
    card.show()
    qtbot.waitExposed(card)
    assert contrast(region(card, card.state)) >= AAA
    assert contrast(region(card, card.title)) >= AAA
    card.show_error("That is not an M-Pesa code")
    assert contrast(region(card, card.advice)) >= 6.5


def test_banner_button_and_errors_keep_their_contrast(
    qtbot: QtBot, dark_computer: QApplication, repo: PaymentRepository
) -> None:
    config = Config(shop=ShopConfig(name="Mama Rose", country="UG"))
    till = build_till(config, demo=True)
    window = MainWindow(config, repo, demo=True, engine=till.engine(repo), till=till)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    assert window.panel is not None
    assert contrast(window.demo_banner.grab().toImage()) >= AAA
    assert contrast(window.panel.charge_button.grab().toImage()) >= AAA
    window.panel.amount.setText("12.5.0")
    window.panel.submit()
    assert window.panel.amount_shown.text()  # the error, under the amount
    assert contrast(region(window, window.panel.amount_shown)) >= AAA
    qtbot.waitUntil(lambda: window.today_label.text() != "")
    assert contrast(region(window, window.today_label)) >= AAA
    window.close()
