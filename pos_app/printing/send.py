"""One job to one ESC/POS printer: connect, ask the printer how it is, send every byte, ask
again.

Blocking, every step with a time limit; the window runs it on a worker thread (`service.py`).
Asking first (DLE EOT, a real-time status request) finds a printer that is off, jammed or out of
paper before anything is sent, so "not printed" means it: a receipt the cashier prints again is
never a second copy. Asking after finds a printer that took the bytes and then stopped.
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
BUSY = str(QT_TRANSLATE_NOOP("Printer", "printer still busy with an earlier job"))
UNCONFIRMED = str(QT_TRANSLATE_NOOP("Printer", "the printer did not confirm it"))

_ONLINE = b"\x10\x04\x01"  # DLE EOT 1: printer status
_PAPER = b"\x10\x04\x04"  # DLE EOT 4: roll paper sensor
_OFFLINE_BIT = 0x08
_PAPER_END = 0x60


class PrinterFault(Exception):
    """The job did not print. `problem` is one of the texts above, `detail` says why; `sent`:
    the printer took the bytes (it may have printed them)."""

    def __init__(self, problem: str, detail: str = "", *, sent: bool = False) -> None:
        super().__init__(f"{problem} ({detail})" if detail else problem)
        self.problem, self.detail, self.sent = problem, detail, sent


def send(target: PrinterTarget, data: bytes, step: float, *, ask: bool = True) -> None:
    """Raises PrinterFault. `step`: the time limit of each step; `ask`: whether the printer
    answers status requests (some never do: then a job counts as printed once sent). With no
    data, only asks (doctor)."""
    ask = ask and target.kind != "win32"  # the Windows spooler takes jobs; it answers nothing
    device = _open(target, step)
    try:
        if ask:
            _check(device)
        if not data:
            return
        try:
            device._raw(data)
            if target.kind == "win32":
                device.close()  # ends the spooled document: the job goes to the printer here
        except Exception as exc:  # reset, broken pipe, write timeout: it did not take it all
            raise PrinterFault(NOT_ANSWERING, _said(exc)) from exc
        if ask:
            try:
                _check(device)
            except PrinterFault as fault:
                # A reset: the printer threw away what it had not read. Else it has the job
                # and did not say how it went.
                dropped = isinstance(fault.__cause__, ConnectionError)
                raise PrinterFault(fault.problem, fault.detail, sent=not dropped) from fault
    finally:
        _close(device, target)


def _close(device: Any, target: PrinterTarget) -> None:
    with suppress(Exception):
        port = device._device
        if target.kind == "serial" and port:
            # python-escpos's close() flushes first: a printer that stopped reading would
            # hold it. What was written is written.
            port.close()
            device._device = False
        else:
            device.close()


def _said(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _check(device: Any) -> None:
    status = _ask(device, _ONLINE)
    paper = _ask(device, _PAPER)
    if paper & _PAPER_END == _PAPER_END:
        raise PrinterFault(OUT_OF_PAPER, f"status {status:#04x}, paper {paper:#04x}")
    if status & _OFFLINE_BIT:
        raise PrinterFault(OFFLINE, f"status {status:#04x}, paper {paper:#04x}")


def _ask(device: Any, request: bytes) -> int:
    try:
        device._raw(request)
        answer: bytes = device._read()
    except TimeoutError as exc:
        raise PrinterFault(NOT_ANSWERING, "no answer to a status request") from exc
    except Exception as exc:
        raise PrinterFault(NOT_ANSWERING, _said(exc)) from exc
    if not answer:  # the printer closed the connection
        raise PrinterFault(NOT_ANSWERING, "the printer closed the connection")
    return answer[-1]


def _open(target: PrinterTarget, step: float) -> Any:
    try:
        escpos_module()
        from escpos import printer
    except Exception as exc:  # a broken install or an unwritable cache folder
        raise PrinterFault(CANNOT_REACH, _said(exc)) from exc
    try:
        device = _connector(printer, target, step)
        device.open()
        if target.kind == "serial":
            # python-escpos sets only the read timeout: a printer that never reads (off, or
            # DSR low) would hold a write for ever.
            device.device.write_timeout = step
    except PrinterFault:
        raise
    except Exception as exc:  # refused, unplugged, no such port, no USB library
        problem = CANNOT_REACH if type(exc).__name__ == "NoBackendError" else NOT_ANSWERING
        raise PrinterFault(problem, f"{target.url}: {_said(exc)}") from exc
    return device


def _connector(printer: Any, target: PrinterTarget, step: float) -> Any:
    if target.kind == "tcp":
        return printer.Network(host=target.host, port=target.port, timeout=step)
    if target.kind == "usb":
        return printer.Usb(target.vendor, target.product, timeout=int(step * 1000))
    if target.kind == "serial":
        return printer.Serial(devfile=target.device, baudrate=target.baud, timeout=step)
    if target.kind == "win32" and printer.Win32Raw.is_usable():
        return printer.Win32Raw(printer_name=target.name)
    raise PrinterFault(CANNOT_REACH, f"{target.url} needs Windows, or is not ESC/POS")
