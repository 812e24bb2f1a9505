"""One job to one ESC/POS printer: connect, send every byte, then ask the printer how it is.

Blocking, with a time limit on every step; the window runs it on a worker thread
(`service.py`). A printer that takes the bytes into its network buffer but never prints them
does not answer the status request (DLE EOT) that follows them: that is how a printer that is
off, jammed or out of paper is told from one that printed.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP

from pos_app.platform.printer_config import PrinterTarget
from pos_app.printing.escpos_out import escpos_module

log = logging.getLogger(__name__)

# What the cashier is told (context "Printer"); the detail goes to the log.
NOT_ANSWERING = str(QT_TRANSLATE_NOOP("Printer", "printer not answering"))
OUT_OF_PAPER = str(QT_TRANSLATE_NOOP("Printer", "printer out of paper"))
OFFLINE = str(QT_TRANSLATE_NOOP("Printer", "printer offline (cover open or paper out?)"))
CANNOT_REACH = str(QT_TRANSLATE_NOOP("Printer", "this computer cannot drive that printer"))

_ONLINE = b"\x10\x04\x01"  # DLE EOT 1: printer status
_PAPER = b"\x10\x04\x04"  # DLE EOT 4: roll paper sensor
_OFFLINE_BIT = 0x08
_PAPER_END = 0x60


class PrinterFault(Exception):
    """The job did not print. `problem` is one of the texts above, `detail` says why."""

    def __init__(self, problem: str, detail: str = "") -> None:
        super().__init__(f"{problem} ({detail})" if detail else problem)
        self.problem = problem
        self.detail = detail


def send(target: PrinterTarget, data: bytes, timeout: float) -> None:
    """Raises PrinterFault when the printer did not take the job or is not well."""
    device = _open(target, timeout)
    try:
        device._raw(data)
        if target.kind != "win32":  # the Windows spooler takes the job; it answers nothing
            _check(device)
    except PrinterFault:
        raise
    except Exception as exc:  # socket, USB and serial errors: all mean the same to the cashier
        raise PrinterFault(NOT_ANSWERING, f"{type(exc).__name__}: {exc}") from exc
    finally:
        with suppress(Exception):
            device.close()


def _check(device: Any) -> None:
    status = _ask(device, _ONLINE)
    if status[0] & _OFFLINE_BIT:
        paper = _ask(device, _PAPER)
        problem = OUT_OF_PAPER if paper[0] & _PAPER_END == _PAPER_END else OFFLINE
        raise PrinterFault(problem, f"status {status[0]:#04x}, paper {paper[0]:#04x}")
    paper = _ask(device, _PAPER)
    if paper[0] & _PAPER_END == _PAPER_END:
        raise PrinterFault(OUT_OF_PAPER, f"paper {paper[0]:#04x}")


def _ask(device: Any, request: bytes) -> bytes:
    device._raw(request)
    answer: bytes = device._read()
    if not answer:  # the printer closed the connection
        raise PrinterFault(NOT_ANSWERING, "no answer to a status request")
    return answer


def _open(target: PrinterTarget, timeout: float) -> Any:
    escpos_module()
    from escpos import printer

    try:
        if target.kind == "tcp":
            device: Any = printer.Network(host=target.host, port=target.port, timeout=timeout)
        elif target.kind == "usb":
            device = printer.Usb(target.vendor, target.product, timeout=int(timeout * 1000))
        elif target.kind == "serial":
            device = printer.Serial(devfile=target.device, baudrate=target.baud, timeout=timeout)
        elif target.kind == "win32" and printer.Win32Raw.is_usable():
            device = printer.Win32Raw(printer_name=target.name)
        else:
            raise PrinterFault(CANNOT_REACH, f"{target.url} needs Windows or is not ESC/POS")
        device.open()
    except PrinterFault:
        raise
    except Exception as exc:  # refused, unplugged, no such port, no USB library
        raise PrinterFault(NOT_ANSWERING, f"{target.url}: {type(exc).__name__}: {exc}") from exc
    return device
