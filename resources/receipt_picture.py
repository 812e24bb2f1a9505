"""Draw the README's pictures of printed receipts from the same lines the thermal printer gets
(pos_app.printing.escpos_out.print_lines), at the printer's own resolution: 8 dots per mm,
12x24-dot characters, a QR code of 6 (80 mm) or 4 (58 mm) dots per module.

    .venv/bin/python resources/receipt_picture.py
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import qrcode  # noqa: E402
from PySide6.QtCore import QRect, Qt  # noqa: E402
from PySide6.QtGui import (  # noqa: E402
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPainter,
)

from pos_app.app.translations import install_translators  # noqa: E402
from pos_app.domain.money import Money  # noqa: E402
from pos_app.domain.payment import Payment, PaymentStatus  # noqa: E402
from pos_app.platform.config import ShopConfig  # noqa: E402
from pos_app.printing.escpos_out import PrintLine, print_lines  # noqa: E402
from pos_app.printing.layout import receipt_slip  # noqa: E402

DOT_W, DOT_H, SPACING, MARGIN = 12, 24, 30, 24  # a character's dots, a line's, the paper's edge


def draw(lines: list[PrintLine], columns: int, module: int) -> QImage:
    width = columns * DOT_W + 2 * MARGIN
    height = 2 * MARGIN + sum(_height(line, module) for line in lines)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#fbfaf6"))  # thermal paper
    painter = QPainter(image)
    painter.setPen(QColor("#222222"))
    y = MARGIN
    for line in lines:
        if line.qr is not None:
            code = _qr(line.qr, module)
            painter.drawImage((width - code.width()) // 2, y, code)
        else:
            font = QFont("DejaVu Sans Mono")
            font.setPixelSize(DOT_H * (2 if line.big else 1) * 5 // 6)
            font.setBold(line.bold)
            font.setStretch(int(100 * DOT_W * (2 if line.big else 1) / _advance(font)))
            painter.setFont(font)
            flags = (
                Qt.AlignmentFlag.AlignHCenter
                if line.align == "center"
                else Qt.AlignmentFlag.AlignLeft
            )
            painter.drawText(
                QRect(MARGIN, y, width - 2 * MARGIN, _height(line, module)), flags, line.text
            )
        y += _height(line, module)
    painter.end()
    return image


def _advance(font: QFont) -> float:
    return QFontMetricsF(font).horizontalAdvance("M")


def _height(line: PrintLine, module: int) -> int:
    if line.qr is not None:
        return _qr(line.qr, module).height() + SPACING // 2
    return SPACING * (2 if line.big else 1)


@lru_cache(maxsize=8)  # measured for the height, then drawn
def _qr(data: str, module: int) -> QImage:
    code = qrcode.QRCode(box_size=module, border=0)
    code.add_data(data)
    matrix = code.get_matrix()
    image = QImage(len(matrix) * module, len(matrix) * module, QImage.Format.Format_RGB32)
    image.fill(QColor("#fbfaf6"))
    painter = QPainter(image)
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            if dark:
                painter.fillRect(column * module, row * module, module, module, QColor("#222222"))
    painter.end()
    return image


def example(amount: Money, msisdn: str, cashier: str) -> Payment:
    payment, _ = Payment.create(
        provider="mtn",
        amount=amount,
        msisdn=msisdn,
        now=datetime(2026, 12, 2, 10, 42, tzinfo=UTC),
        external_id="SALE-1042",
        cashier=cashier,
        reference_id="5f0c2a9e-7d41-4b8a-9c3e-2b6d1f4a8e07",
    )
    return replace(payment, status=PaymentStatus.SUCCESSFUL, provider_transaction_id="1627092895")


def main() -> None:
    app = QGuiApplication(sys.argv[:1])
    out = ROOT / "resources" / "screenshots"
    uganda = ShopConfig(name="Mama Rose Groceries", country="UG", till="Counter 1")
    paid = example(Money(1500000, "UGX"), "256772123456", "Grace")
    lines = print_lines(receipt_slip(paid, uganda, ZoneInfo("Africa/Kampala")), 48)
    draw(lines, 48, 6).save(str(out / "receipt-80mm.png"))
    installed = install_translators(app, "fr")
    ivory = ShopConfig(name="Épicerie Adélaïde", country="CI", till="Caisse 2")
    payée = example(Money(12500, "XOF"), "2250551234567", "Adélaïde")
    lines = print_lines(receipt_slip(payée, ivory, ZoneInfo("Africa/Abidjan")), 32)
    draw(lines, 32, 4).save(str(out / "receipt-58mm-fr.png"))
    del installed
    print(f"wrote {out / 'receipt-80mm.png'} and {out / 'receipt-58mm-fr.png'}")


if __name__ == "__main__":
    main()
