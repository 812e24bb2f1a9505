"""Slips as ESC/POS commands, written by python-escpos (its `Dummy` printer collects them).

The whole job is composed first, then sent in one piece (`send.py`): a printer that fails half
way never gets half a layout followed by the next job's start.
"""

from __future__ import annotations

import logging
import os
import tempfile
import textwrap
import unicodedata
from typing import TYPE_CHECKING

from pos_app.platform.printer_config import PrinterConfig
from pos_app.printing.slip import Centered, Heading, Row, Rule, Slip, Title

if TYPE_CHECKING:
    from escpos.escpos import Escpos

# Typography the printers' code pages do not have, as the nearest they do.
_FOLD = str.maketrans(
    {
        "—": "-",
        "–": "-",
        "−": "-",
        "\u202f": " ",
        "\u00a0": " ",
        "\u2009": " ",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "₵": "C",
        "₦": "N",
    }
)


def escpos_module() -> None:
    """Import python-escpos without its side effects: at import it writes its printer database
    into a new temporary folder each time (unless told where) and calls logging.basicConfig()."""
    os.environ.setdefault(
        "ESCPOS_CAPABILITIES_PICKLE_DIR", os.path.join(tempfile.gettempdir(), "pos-app-escpos")
    )
    os.makedirs(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"], exist_ok=True)
    root = logging.getLogger()
    guard = logging.NullHandler()
    root.addHandler(guard)  # basicConfig() does nothing when the root logger has a handler
    try:
        import escpos.printer  # noqa: F401
    finally:
        root.removeHandler(guard)


def plain(text: str) -> str:
    return unicodedata.normalize("NFC", text).translate(_FOLD)


def row_lines(label: str, value: str, columns: int) -> list[str]:
    """`label .... value` on one line, or the label and then the value right-aligned below."""
    label, value = plain(label), plain(value)
    if len(label) + 1 + len(value) <= columns:
        return [label + " " * (columns - len(label) - len(value)) + value]
    return _wrap(label, columns) + [part.rjust(columns) for part in _wrap(value, columns)]


def _wrap(text: str, columns: int) -> list[str]:
    return textwrap.wrap(plain(text), columns, break_long_words=True) or [""]


def slip_bytes(slip: Slip, printer: PrinterConfig, copies: int = 1) -> bytes:
    escpos_module()
    from escpos.printer import Dummy

    out = Dummy()
    out.hw("INIT")
    if printer.code_page != "AUTO":
        out.charcode(printer.code_page)
    for _ in range(copies):
        render(slip, out, printer.columns, qr_size=6 if printer.paper_mm >= 80 else 4)
    return bytes(out.output)


def render(slip: Slip, out: Escpos, columns: int, qr_size: int) -> None:
    for block in slip.blocks:
        if isinstance(block, Title):
            out.set_with_default(align="center", bold=True, double_width=True, double_height=True)
            lines = _wrap(block.text, columns // 2)
        elif isinstance(block, Centered):
            out.set_with_default(align="center", bold=block.bold)
            lines = _wrap(block.text, columns)
        elif isinstance(block, Heading):
            out.set_with_default(bold=True)
            lines = _wrap(block.text, columns)
        elif isinstance(block, Row):
            out.set_with_default(bold=block.bold)
            lines = row_lines(block.label, block.value, columns)
        elif isinstance(block, Rule):
            out.set_with_default()
            lines = ["-" * columns]
        else:  # a QR code
            out.set_with_default(align="center")
            out.qr(block.data, native=True, size=qr_size)
            continue
        for line in lines:
            out.textln(line)
    out.set_with_default()
    out.cut()
