"""Slips through Qt: shown in the receipt dialog, printed by the computer's printer driver
(the `system` printer) or saved as PDF, all from the slip's HTML."""

from __future__ import annotations

import base64
import html
import io
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter

from pos_app.printing.slip import Centered, Heading, Qr, Row, Rule, Slip, Title
from pos_app.reports.pdf import check_writable

ROLL_LENGTH_MM = 160.0  # enough for one receipt; thermal printers cut where the text ends


@lru_cache(maxsize=64)
def qr_png(data: str) -> str:
    """The QR code as a PNG data URL (Qt's rich text shows data URLs)."""
    import qrcode

    image = qrcode.make(data, box_size=4, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def slip_html(slip: Slip, points: int = 8) -> str:
    """`points` is the size of the text: 8 on paper, larger on the screen."""
    parts: list[str] = []
    rows: list[str] = []
    for block in (*slip.blocks, None):
        if isinstance(block, Row):
            value = f"<b>{html.escape(block.value)}</b>"
            label = f"<b>{html.escape(block.label)}</b>" if block.bold else html.escape(block.label)
            rows.append(f"<tr><td width='38%'>{label}</td><td align='right'>{value}</td></tr>")
            continue
        if rows:  # a run of rows is one table
            parts.append(
                f"<table width='100%' cellspacing='0' cellpadding='1'>{''.join(rows)}</table>"
            )
            rows.clear()
        if block is not None:
            parts.append(_block_html(block, points))
    return f"<div style='font-family:sans-serif;font-size:{points}pt'>{''.join(parts)}</div>"


def _block_html(block: Title | Centered | Heading | Rule | Qr, points: int) -> str:
    if isinstance(block, Title):
        big = f"<b style='font-size:{points + 4}pt'>{html.escape(block.text)}</b>"
        return f"<p align='center'>{big}</p>"
    if isinstance(block, Centered):
        text = html.escape(block.text)
        return f"<p align='center'>{f'<b>{text}</b>' if block.bold else text}</p>"
    if isinstance(block, Heading):
        return f"<p><b>{html.escape(block.text)}</b></p>"
    if isinstance(block, Rule):
        return "<hr>"
    return f"<p align='center'><img src='{qr_png(block.data)}' width='{points * 12}'></p>"


def roll_printer(printer: QPrinter, paper_mm: int = 80) -> None:
    """Roll paper of the printer's width with small margins."""
    printer.setPageSize(
        QPageSize(QSizeF(paper_mm, ROLL_LENGTH_MM), QPageSize.Unit.Millimeter, f"{paper_mm}mm roll")
    )
    printer.setPageMargins(QMarginsF(3, 3, 3, 3), QPageLayout.Unit.Millimeter)


def print_slip(printer: QPrinter, slip: Slip) -> None:
    document = QTextDocument()
    # The roll's printable width (and no page numbers: those come only without a page size).
    area = printer.pageLayout().paintRectPoints()
    document.setPageSize(QSizeF(area.width(), area.height()))
    document.setDocumentMargin(0)
    document.setHtml(slip_html(slip))
    document.print_(printer)


def save_pdf(path: Path, slip: Slip, paper_mm: int = 80) -> None:
    """Raises OSError when the file cannot be written."""
    check_writable(path)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    roll_printer(printer, paper_mm)
    print_slip(printer, slip)


def print_on_system_printer(slip: Slip, paper_mm: int, copies: int) -> str | None:
    """Headless: `slip` on this computer's default printer, through its driver; the problem,
    or None."""
    from PySide6.QtPrintSupport import QPrinterInfo

    default = QPrinterInfo.defaultPrinter()
    if default.isNull():
        return "this computer has no default printer"
    printer = QPrinter(default, QPrinter.PrinterMode.HighResolution)
    roll_printer(printer, paper_mm)
    printer.setCopyCount(copies)
    print_slip(printer, slip)
    return None
