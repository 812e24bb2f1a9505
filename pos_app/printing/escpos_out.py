"""Slips as ESC/POS commands, written by python-escpos (its `Dummy` printer collects them).

The whole job is composed first, then sent in one piece (`send.py`): a printer that fails half
way never gets half a layout followed by the next job's start.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import sys
import tempfile
import textwrap
import unicodedata
from dataclasses import dataclass
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
    """Import python-escpos without its side effects. At import it pickles its printer database
    into a folder (a new temporary one each time unless told where, never removed); here a
    private one per process, removed at exit, so no other user or process can hand it a pickle.
    It also logs through `logging.info()`, which sets up logging to stderr when the root logger
    has no handler."""
    if "escpos.printer" in sys.modules:
        return
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
        folder = tempfile.mkdtemp(prefix="pos-app-escpos-")
        atexit.register(shutil.rmtree, folder, True)
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = folder
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.NullHandler())
    import escpos.printer  # noqa: F401


def plain(text: str) -> str:
    """Printable text: a control character from outside (a name, a reference) would be a
    command to the printer."""
    text = unicodedata.normalize("NFC", text).translate(_FOLD)
    return "".join(" " if ch < " " or ch == "\x7f" else ch for ch in text)


def row_lines(label: str, value: str, columns: int) -> list[str]:
    """`label .... value` on one line, or the label and then the value right-aligned below."""
    label, value = plain(label), plain(value)
    if len(label) + 1 + len(value) <= columns:
        return [label + " " * (columns - len(label) - len(value)) + value]
    return _wrap(label, columns) + [part.rjust(columns) for part in _wrap(value, columns)]


def _wrap(text: str, columns: int) -> list[str]:
    return textwrap.wrap(plain(text), columns, break_long_words=True) or [""]


@dataclass(frozen=True)
class PrintLine:
    """One line as a thermal printer prints it, or a QR code."""

    text: str = ""
    align: str = "left"  # left | center
    bold: bool = False
    big: bool = False  # double width and height: half as many characters fit
    qr: str | None = None


def print_lines(slip: Slip, columns: int) -> list[PrintLine]:
    """The slip on paper `columns` characters wide: what the printer gets, and what the
    README's picture of a receipt shows (resources/receipt_picture.py)."""
    lines: list[PrintLine] = []
    for block in slip.blocks:
        if isinstance(block, Title):
            lines += [
                PrintLine(part, "center", bold=True, big=True)
                for part in _wrap(block.text, columns // 2)
            ]
        elif isinstance(block, Centered):
            lines += [PrintLine(part, "center", block.bold) for part in _wrap(block.text, columns)]
        elif isinstance(block, Heading):
            lines += [PrintLine(part, bold=True) for part in _wrap(block.text, columns)]
        elif isinstance(block, Row):
            rows = row_lines(block.label, block.value, columns)
            lines += [PrintLine(part, bold=block.bold) for part in rows]
        elif isinstance(block, Rule):
            lines.append(PrintLine("-" * columns))
        else:
            lines.append(PrintLine(align="center", qr=block.data))
    return lines


def slip_bytes(slip: Slip, printer: PrinterConfig, copies: int = 1) -> bytes:
    escpos_module()
    from escpos.printer import Dummy

    out = Dummy()
    out.hw("INIT")
    if printer.code_page != "AUTO":
        out.charcode(printer.code_page)
    lines = print_lines(slip, printer.columns)
    for _ in range(copies):
        render(lines, out, qr_size=6 if printer.paper_mm >= 80 else 4)
    return bytes(out.output)


def render(lines: list[PrintLine], out: Escpos, qr_size: int) -> None:
    style: tuple[str, bool, bool] | None = None
    for line in lines:
        if (line.align, line.bold, line.big) != style:  # only what changes
            style = (line.align, line.bold, line.big)
            out.set_with_default(
                align=line.align, bold=line.bold, double_width=line.big, double_height=line.big
            )
        if line.qr is not None:
            out.qr(line.qr, native=True, size=qr_size)
        else:
            out.textln(line.text)
    out.set_with_default()
    out.cut()
