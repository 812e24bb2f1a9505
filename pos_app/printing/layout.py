"""What each slip says: a customer's receipt, a refund slip, the end-of-day (Z) report and a
printer's test page. Thermal printers and Qt's printers/PDF print these same slips.

Labels go through Qt's translation functions ("Receipt" context): in the window and for
`pos-app print` they are in the shop's language.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from PySide6.QtCore import QCoreApplication

from pos_app.domain.errors import Text
from pos_app.domain.payment import Payment, PaymentStatus, status_word
from pos_app.domain.phone import mask_msisdn
from pos_app.domain.receipt_qr import qr_text
from pos_app.platform.config import ShopConfig
from pos_app.platform.printer_config import PrinterConfig
from pos_app.printing.slip import Block, Centered, Heading, Qr, Row, Rule, Slip, Title
from pos_app.providers import registry
from pos_app.reports.day_report import Section

translate = QCoreApplication.translate


def demo_note() -> str:
    return translate("Receipt", "DEMO — no real money moved")


def receipt_code_text(payment: Payment) -> str:
    """The provider's receipt code as the customer knows it, or what to look at instead."""
    if payment.provider_transaction_id:
        code = payment.provider_transaction_id
        return (
            code + translate("Receipt", " (from SMS)")
            if payment.receipt_source == "cashier"
            else code
        )
    spec = registry.spec(payment.provider)
    from_sms = spec is not None and not spec.capabilities.status_gives_receipt
    if from_sms and payment.status == PaymentStatus.SUCCESSFUL:
        return translate("Receipt", "see the customer's {0} SMS").format(
            registry.name(payment.provider)
        )
    return "-"


def status_name(status: PaymentStatus) -> str:
    """The people's word for a status, as the window says it (ui.texts.WORD_NAMES)."""
    return QCoreApplication.translate("Status", status_word(status))


def reason_text(code: str) -> str:
    message = registry.reason(code).message
    if isinstance(message, Text):  # a code the catalog does not know: its own words
        return str(message)
    return QCoreApplication.translate("Reasons", message)


def receipt_lines(payment: Payment, shop: ShopConfig, tz: tzinfo) -> list[tuple[str, str]]:
    """(label, value) pairs of a payment, in printing order."""
    locale = shop.effective_locale
    lines = [
        (
            translate("Receipt", "Date"),
            payment.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        ),
        (translate("Receipt", "Amount"), payment.amount.format(locale)),
        (translate("Receipt", "Paid with"), registry.name(payment.provider)),
        (translate("Receipt", "Phone"), mask_msisdn(payment.msisdn)),
        (translate("Receipt", "Status"), status_name(payment.status).upper()),
        (translate("Receipt", "Receipt no."), receipt_code_text(payment)),
    ]
    if payment.reason:
        lines.append((translate("Receipt", "Reason"), reason_text(payment.reason)))
    if payment.external_id:
        lines.append((translate("Receipt", "Reference"), payment.external_id))
    if payment.cashier:
        lines.append((translate("Receipt", "Served by"), payment.cashier))
    # The shop's own reference of the payment, to find it again (pos-app receipts).
    lines.append((translate("Receipt", "Our reference"), payment.reference_id[:8]))
    return lines


def _head(shop: ShopConfig, demo: bool) -> list[Block]:
    blocks: list[Block] = [Centered(demo_note(), bold=True)] if demo else []
    return [*blocks, Title(shop.name), Centered(shop.till), Rule()]


def _qr(payment: Payment) -> Qr:
    return Qr(qr_text(payment.reference_id, payment.provider_transaction_id))


def receipt_slip(payment: Payment, shop: ShopConfig, tz: tzinfo, *, demo: bool = False) -> Slip:
    rows = [Row(label, value) for label, value in receipt_lines(payment, shop, tz)]
    return Slip(
        "receipt",
        (
            *_head(shop, demo),
            *rows,
            Rule(),
            _qr(payment),
            Centered(translate("Receipt", "Thank you")),
        ),
    )


def refund_slip(
    refund: Payment,
    original: Payment | None,
    shop: ShopConfig,
    tz: tzinfo,
    *,
    demo: bool = False,
) -> Slip:
    """The money sent back to a customer, tied to the payment it refunds."""
    rows = [Row(label, value) for label, value in receipt_lines(refund, shop, tz)]
    rows[1] = Row(
        translate("Receipt", "Refunded"), refund.amount.format(shop.effective_locale), bold=True
    )
    if refund.status == PaymentStatus.SUCCESSFUL:  # "paid" is the customer's payment's word
        rows[4] = Row(translate("Receipt", "Status"), translate("Receipt", "REFUND MADE"))
    tied: list[Block] = []
    if original is not None:
        tied = [
            Heading(translate("Receipt", "Refund of")),
            Row(
                translate("Receipt", "Date"),
                original.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            ),
            Row(translate("Receipt", "Amount"), original.amount.format(shop.effective_locale)),
            Row(translate("Receipt", "Receipt no."), receipt_code_text(original)),
            Row(translate("Receipt", "Our reference"), original.reference_id[:8]),
        ]
    return Slip(
        "refund",
        (
            *_head(shop, demo),
            Centered(translate("Receipt", "REFUND"), bold=True),
            *rows,
            *tied,
            Rule(),
            _qr(refund),
        ),
    )


def payment_slip(
    payment: Payment, original: Payment | None, shop: ShopConfig, tz: tzinfo, *, demo: bool
) -> Slip:
    """A payment's receipt, or a refund's slip (`original`: the payment it refunds)."""
    if payment.refund_of is None:
        return receipt_slip(payment, shop, tz, demo=demo)
    return refund_slip(payment, original, shop, tz, demo=demo)


def report_slip(parts: list[Section], shop: ShopConfig) -> Slip:
    """The end-of-day report's sections (`reports.day_report.sections`: in the demo world,
    its title says so), on a roll."""
    blocks: list[Block] = [Title(shop.name)]
    for title, lines in parts:
        blocks += [Rule(), Heading(title)]
        blocks += [Row(label, value) for label, value in lines]
    return Slip("report", (*blocks, Rule()))


def test_page_slip(shop: ShopConfig, printer: PrinterConfig, now: datetime) -> Slip:
    """What the owner prints to see the printer works: the paper's width, accents and a QR."""
    width = printer.columns
    return Slip(
        "test",
        (
            Title(shop.name),
            Centered(shop.till),
            Rule(),
            Centered(translate("Receipt", "Printer test page"), bold=True),
            Row(translate("Receipt", "Printer"), printer.target.url),
            Row(translate("Receipt", "Paper"), f"{printer.paper_mm} mm · {width}"),
            Row(translate("Receipt", "Code page"), printer.code_page),
            Row(translate("Receipt", "Date"), now.strftime("%Y-%m-%d %H:%M")),
            Centered("é è à ç ô ï É À"),
            Centered("0123456789" * (width // 10) + "0123456789"[: width % 10]),
            Rule(),
            Qr("pos-app test"),
        ),
    )
