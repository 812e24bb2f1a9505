"""Receipts on paper: laid out for an 80 mm thermal roll, printed or saved as PDF (QPrinter)."""

from __future__ import annotations

import html
from datetime import tzinfo
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter

from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.domain.phone import mask_msisdn
from pos_app.platform.config import ShopConfig
from pos_app.providers import registry
from pos_app.reports.pdf import check_writable
from pos_app.ui import provider_facts
from pos_app.ui.texts import reason_message, status_name

ROLL_WIDTH_MM = 80.0
ROLL_LENGTH_MM = 160.0  # enough for one receipt; thermal printers cut where the text ends


def demo_note() -> str:
    return QCoreApplication.translate("Receipt", "DEMO — no real money moved")


def receipt_lines(
    payment: Payment, shop: ShopConfig, tz: tzinfo, *, demo: bool = False
) -> list[tuple[str, str]]:
    """(label, value) pairs, in printing order; a demo receipt says so first."""
    locale = shop.effective_locale
    when = payment.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    if payment.provider_transaction_id:
        receipt = payment.provider_transaction_id
        if payment.receipt_source == "cashier":
            receipt += QCoreApplication.translate("Receipt", " (from SMS)")
    elif (
        provider_facts.code_from_sms(payment.provider) is not None
        and payment.status == PaymentStatus.SUCCESSFUL
    ):
        receipt = QCoreApplication.translate("Receipt", "see the customer's {0} SMS").format(
            registry.name(payment.provider)
        )
    else:
        receipt = "-"
    demo_line = ("DEMO", QCoreApplication.translate("Receipt", "no real money moved"))
    lines = [demo_line] if demo else []
    lines += [
        (QCoreApplication.translate("Receipt", "Date"), when),
        (QCoreApplication.translate("Receipt", "Amount"), payment.amount.format(locale)),
        (QCoreApplication.translate("Receipt", "Paid with"), registry.name(payment.provider)),
        (QCoreApplication.translate("Receipt", "Phone"), mask_msisdn(payment.msisdn)),
        (QCoreApplication.translate("Receipt", "Status"), status_name(payment.status).upper()),
        (QCoreApplication.translate("Receipt", "Receipt no."), receipt),
    ]
    if payment.reason:
        reason = reason_message(registry.reason(payment.reason))
        lines.append((QCoreApplication.translate("Receipt", "Reason"), reason))
    if payment.external_id:
        lines.append((QCoreApplication.translate("Receipt", "Reference"), payment.external_id))
    # The shop's own reference of the payment, to find it again (pos-app receipts).
    lines.append((QCoreApplication.translate("Receipt", "Our reference"), payment.reference_id[:8]))
    return lines


def receipt_html(
    payment: Payment, shop: ShopConfig, tz: tzinfo, *, demo: bool = False, points: int = 8
) -> str:
    """The receipt as printed, saved as PDF and shown in the receipt dialog (there, in larger
    type: `points` is the size of its text)."""
    rows = "".join(
        f"<tr><td width='38%'>{html.escape(label)}</td>"
        f"<td align='right'><b>{html.escape(value)}</b></td></tr>"
        for label, value in receipt_lines(payment, shop, tz)
    )
    banner = (
        f"<p align='center' style='font-size:{points + 3}pt'><b>{html.escape(demo_note())}</b></p>"
        if demo
        else ""
    )
    return (
        f"<div style='font-family:sans-serif;font-size:{points}pt'>{banner}"
        f"<p align='center'><b style='font-size:{points + 4}pt'>{html.escape(shop.name)}</b><br>"
        f"{html.escape(shop.till)}</p>"
        f"<table width='100%' cellspacing='0' cellpadding='1'>{rows}</table>"
        f"<p align='center'>{html.escape(QCoreApplication.translate('Receipt', 'Thank you'))}"
        "</p></div>"
    )


def roll_printer(printer: QPrinter) -> None:
    """80 mm wide paper with small margins."""
    printer.setPageSize(
        QPageSize(QSizeF(ROLL_WIDTH_MM, ROLL_LENGTH_MM), QPageSize.Unit.Millimeter, "80mm roll")
    )
    printer.setPageMargins(QMarginsF(3, 3, 3, 3), QPageLayout.Unit.Millimeter)


def print_receipt(
    printer: QPrinter, payment: Payment, shop: ShopConfig, tz: tzinfo, *, demo: bool = False
) -> None:
    document = QTextDocument()
    # The roll's printable width (and no page numbers: those come only without a page size).
    area = printer.pageLayout().paintRectPoints()
    document.setPageSize(QSizeF(area.width(), area.height()))
    document.setDocumentMargin(0)
    document.setHtml(receipt_html(payment, shop, tz, demo=demo))
    document.print_(printer)


def save_pdf(
    path: Path, payment: Payment, shop: ShopConfig, tz: tzinfo, *, demo: bool = False
) -> None:
    """Raises OSError when the file cannot be written."""
    check_writable(path)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    roll_printer(printer)
    print_receipt(printer, payment, shop, tz, demo=demo)
