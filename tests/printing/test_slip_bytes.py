"""The layouts, byte for byte as python-escpos's Dummy printer composes them: a receipt, a
refund slip and the end-of-day (Z) report. A change of layout shows here as a changed file;
write the files again with POS_APP_WRITE_SLIPS=1 and read the .txt beside each to see it.
"""

from __future__ import annotations

import dataclasses
import os
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pos_app.domain.money import Money
from pos_app.domain.payment import PaymentStatus
from pos_app.domain.report import day_report
from pos_app.platform.printer_config import PrinterConfig
from pos_app.printing.escpos_out import slip_bytes
from pos_app.printing.layout import receipt_slip, refund_slip, report_slip
from pos_app.printing.slip import Slip
from pos_app.reports.day_report import sections
from tests.printing.conftest import NOW, paid, shop
from tests.printing.escpos_decode import decode

HERE = Path(__file__).parent / "slips"
ABIDJAN = ZoneInfo("Africa/Abidjan")
S = PaymentStatus
REFUND_REFERENCE = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"


def receipt() -> Slip:
    return receipt_slip(paid(), shop(name="Mama Rose"), ABIDJAN)


def refund() -> Slip:
    original = paid()
    money_back = dataclasses.replace(
        paid(amount=Money(5000, "XOF"), code="2718281828", reference_id=REFUND_REFERENCE),
        refund_of=original.reference_id,
        created_at=NOW + timedelta(minutes=40),
    )
    return refund_slip(money_back, original, shop(name="Mama Rose"), ABIDJAN)


def z_report() -> Slip:
    payments = [
        paid(),
        dataclasses.replace(
            paid(amount=Money(3000, "XOF"), code="1"), created_at=NOW.replace(hour=11)
        ),
        dataclasses.replace(paid(code=None), status=S.FAILED, reason="LOW_BALANCE"),
    ]
    report = day_report(payments, date(2026, 3, 14), ABIDJAN, "Caisse 2")
    the_shop = shop(name="Mama Rose")
    return report_slip(sections(report, the_shop, ABIDJAN), the_shop)


SLIPS = {"receipt-80": (receipt, 80), "refund-58": (refund, 58), "z-report-80": (z_report, 80)}


@pytest.mark.parametrize("name", sorted(SLIPS))
def test_the_layout_byte_for_byte(name: str) -> None:
    make, paper = SLIPS[name]
    data = slip_bytes(make(), PrinterConfig(paper_mm=paper))
    text = decode(data).text() + "\n"
    stored, readable = HERE / f"{name}.bin", HERE / f"{name}.txt"
    if os.environ.get("POS_APP_WRITE_SLIPS") == "1":
        HERE.mkdir(exist_ok=True)
        stored.write_bytes(data)
        readable.write_text(text, encoding="utf-8")
    assert text == readable.read_text(encoding="utf-8")
    assert data == stored.read_bytes()


def test_the_z_report_has_the_figures_of_pos_app_report() -> None:
    text = (HERE / "z-report-80.txt").read_text(encoding="utf-8")
    assert "Payments                                       3" in text
    assert "Sales (paid)" in text and "15 500 F CFA" in text
