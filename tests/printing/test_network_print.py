"""A receipt printed over the network to a real TCP printer on 127.0.0.1: the bytes it
received, decoded as ESC/POS, hold every field of the receipt, on 58 and 80 mm paper, in
English and French, with a long shop name and an accented name."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from pos_app.platform.printer_config import PrinterConfig
from pos_app.printing.layout import receipt_slip, refund_slip
from pos_app.printing.service import print_now
from tests.printing.conftest import LONG_SHOP, REFERENCE, paid, shop
from tests.printing.escpos_decode import Decoded, Line, decode
from tests.printing.fake_printer import FakePrinter

ABIDJAN = ZoneInfo("Africa/Abidjan")
LABELS = {
    "en": {
        "date": "Date",
        "amount": "Amount",
        "provider": "Paid with",
        "phone": "Phone",
        "status": "Status",
        "code": "Receipt no.",
        "order": "Reference",
        "cashier": "Served by",
        "ours": "Our reference",
    },
    "fr": {
        "date": "Date",
        "amount": "Montant",
        "provider": "Payé avec",
        "phone": "Téléphone",
        "status": "État",
        "code": "N° de reçu",
        "order": "Référence",
        "cashier": "Servi par",
        "ours": "Notre référence",
    },
}
PAID_WORD = {"en": "PAID", "fr": "PAYÉ"}
THANKS = {"en": "Thank you", "fr": "Merci"}


def field(lines: list[Line], label: str) -> str:
    """The value printed for `label`: on its line, or right-aligned on the lines below."""
    for index, line in enumerate(lines):
        if line.text.startswith(label):
            rest = line.text[len(label) :].strip()
            if rest:
                return rest
            following = []
            for below in lines[index + 1 :]:
                if not below.text.startswith(" "):
                    break
                following.append(below.text.strip())
            return " ".join(following)
    raise AssertionError(f"no line for {label!r} in:\n" + "\n".join(x.text for x in lines))


def printed(printer: PrinterConfig, slip_kind: str = "receipt") -> Decoded:
    with FakePrinter("ok") as fake:
        config = PrinterConfig(url=fake.url, paper_mm=printer.paper_mm, copies=printer.copies)
        payment = paid()
        slip = (
            receipt_slip(payment, shop(), ABIDJAN)
            if slip_kind == "receipt"
            else refund_slip(payment, paid(reference_id=REFERENCE), shop(), ABIDJAN)
        )
        print_now(config, slip)
        (job,) = fake.wait_for_jobs(1)
    return decode(job)


@pytest.mark.parametrize("paper", [58, 80])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_field_of_a_receipt_reaches_the_printer(
    request: pytest.FixtureRequest, language: str, paper: int
) -> None:
    if language == "fr":
        request.getfixturevalue("french")
    decoded = printed(PrinterConfig(paper_mm=paper))
    columns = {58: 32, 80: 48}[paper]
    lines = decoded.lines
    assert decoded.unknown == []
    assert all(len(line.text) <= columns for line in lines)
    title = [line for line in lines if line.double_width and line.double_height]
    assert all(line.bold and line.align == "center" for line in title)
    assert all(len(line.text) <= columns // 2 for line in title)
    assert " ".join(line.text for line in title) == LONG_SHOP  # whole, accents and all
    assert any(line.text == "Caisse 2" and line.align == "center" for line in lines)
    words = LABELS[language]
    assert field(lines, words["date"]) == "2026-03-14 09:05"  # the shop's zone
    assert field(lines, words["amount"]) == "12 500 F CFA"
    assert field(lines, words["provider"]) == "MTN MoMo"
    assert field(lines, words["phone"]) == "2250551***567"
    assert field(lines, words["status"]) == PAID_WORD[language]
    assert field(lines, words["code"]) == "1627092895"
    assert field(lines, words["order"]) == "CMD-0042"
    assert field(lines, words["cashier"]) == "Adélaïde Kouamé"
    assert field(lines, words["ours"]) == REFERENCE[:8]
    assert decoded.qr_codes == [f"{REFERENCE} 1627092895"]
    assert lines[-1].text == THANKS[language]
    assert decoded.cuts == 1
    assert decoded.status_queries == 4  # how the printer was, before and after the job


def test_copies_are_whole_receipts_one_after_another() -> None:
    decoded = printed(PrinterConfig(paper_mm=80, copies=2))
    assert decoded.cuts == 2
    assert len(decoded.qr_codes) == 2
    half = len(decoded.lines) // 2
    assert [x.text for x in decoded.lines[:half]] == [x.text for x in decoded.lines[half:]]


def test_a_refund_slip_names_the_payment_it_refunds() -> None:
    decoded = printed(PrinterConfig(paper_mm=58), "refund")
    texts = decoded.texts()
    assert "REFUND" in texts
    assert field(decoded.lines, "Refunded") == "12 500 F CFA"
    assert "Refund of" in texts
    assert decoded.cuts == 1 and decoded.unknown == []
