"""The end-of-day report as an A4 PDF, from the same HTML the text report is made from."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtGui import QGuiApplication, QPageSize, QPdfWriter, QTextDocument


def check_writable(path: Path) -> None:
    """Raise OSError unless `path` can be written: Qt's PDF writers fail without a word."""
    path.open("wb").close()


def save_report_pdf(path: Path, html: str) -> None:
    """Raises OSError when the file cannot be written."""
    check_writable(path)
    if QGuiApplication.instance() is None:
        # Headless (`pos-app report` on a server): Qt lays out text without a screen.
        if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        QGuiApplication(sys.argv[:1])
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    # Lay the text out at screen resolution; at the writer's default 1200 dpi, fonts given in
    # points come out a twelfth of their size. Text stays vector either way.
    writer.setResolution(96)
    writer.setTitle("pos-app end-of-day report")
    document = QTextDocument()
    document.setHtml(html)
    document.setPageSize(writer.pageLayout().paintRectPixels(writer.resolution()).size().toSizeF())
    document.print_(writer)
