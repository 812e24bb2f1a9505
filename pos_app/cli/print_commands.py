"""`pos-app print REFERENCE_ID`: a receipt (or a refund's slip) on the till's printer, and the
printing behind `pos-app report --print`. `--printer URL` or POS_APP_PRINTER stands in for
the owner's printer setting."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from pos_app.cli.common import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    database,
    fail,
    store_failure,
)
from pos_app.platform import paths
from pos_app.platform.config import Config
from pos_app.platform.printer_config import (
    COPIES_MAX,
    ENV_VARIABLE,
    PrinterConfig,
    PrinterUrlError,
    parse_printer_url,
)
from pos_app.printing.slip import Slip
from pos_app.store import PaymentRepository, StoreError
from pos_app.store.queries import PaymentFilter

NO_PRINTER = (
    f"no printer: give one with --printer URL or {ENV_VARIABLE} (tcp://HOST:PORT, "
    "usb://VID:PID, serial:///dev/ttyUSB0?baud=9600, win32://NAME, system), or set it in the "
    "window (Owner… → Receipt printer…)"
)


def add_printer_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--printer",
        metavar="URL",
        help=f"this printer instead of the setting (also {ENV_VARIABLE}): tcp://HOST:PORT, "
        "usb://VID:PID, serial:///dev/ttyUSB0?baud=9600, win32://NAME, system, none",
    )
    parser.add_argument(
        "--copies", type=int, metavar="N", help=f"copies, 1 to {COPIES_MAX} (default: the setting)"
    )


def add_command(commands: Any, demo_parent: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "print",
        parents=[demo_parent],
        help="print a payment's receipt (or a refund's slip) on the till's printer",
    )
    parser.add_argument(
        "reference_id", metavar="REFERENCE_ID", help="the payment's reference (8 characters do)"
    )
    add_printer_options(parser)


def chosen_printer(command: str, args: argparse.Namespace, config: Config) -> PrinterConfig | int:
    """The printer to use, or the exit code after saying why there is none."""
    printer = config.printer
    try:
        if args.printer is not None:
            parse_printer_url(args.printer)
            printer = dataclasses.replace(printer, url=args.printer)
    except PrinterUrlError as exc:
        return fail(command, f"--printer: {exc}", EXIT_USAGE)
    if args.copies is not None:
        if not 1 <= args.copies <= COPIES_MAX:
            return fail(command, f"--copies must be from 1 to {COPIES_MAX}", EXIT_USAGE)
        printer = dataclasses.replace(printer, copies=args.copies)
    if printer.target.kind == "none":
        return fail(command, NO_PRINTER, EXIT_CONFIG)
    return printer


def print_payment(args: argparse.Namespace, config: Config, demo: bool) -> int:
    printer = chosen_printer("print", args, config)
    if isinstance(printer, int):
        return printer
    tz = config.zone()
    try:
        with database(read_only_ok=True) as repository:
            found = _find(repository, args.reference_id.strip().lower())
            if isinstance(found, str):
                return fail("print", found, EXIT_USAGE)
            original = repository.get(found.refund_of) if found.refund_of else None
    except StoreError as exc:
        return store_failure("print", exc)
    _translators = start_qt(config.shop.effective_language)
    from pos_app.printing.layout import payment_slip

    slip = payment_slip(found, original, config.shop, tz, demo=paths.in_demo_world())
    return print_out("print", printer, slip)


def _find(repository: PaymentRepository, reference: str) -> Any:
    """The payment whose reference starts with `reference`, or why there is none."""
    if len(reference) < 8:
        return "give at least the first 8 characters of the reference"
    matches = [
        p
        for p in repository.each(PaymentFilter(search=reference))
        if p.reference_id.startswith(reference)
    ]
    if not matches:
        return f"no payment with reference {reference} (see `pos-app receipts`)"
    if len(matches) > 1:
        return f"{len(matches)} payments start with {reference}: give more of it"
    return matches[0]


def start_qt(language: str) -> list[Any]:
    """Qt for a headless command: translations in the shop's language (and a GUI application,
    which the system printer needs, drawing offscreen without a display)."""
    from PySide6.QtGui import QGuiApplication

    from pos_app.app.translations import install_translators

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    return install_translators(app, language)


def print_out(command: str, printer: PrinterConfig, slip: Slip, copies: int | None = None) -> int:
    """Print `slip` (`copies`: else the setting's); says where, or why not."""
    copies = copies or printer.copies
    if printer.target.is_escpos:
        from pos_app.printing.send import PrinterFault
        from pos_app.printing.service import print_now

        try:
            print_now(printer, slip, copies)
        except PrinterFault as fault:
            if fault.sent:
                return fail(command, f"sent, but {fault}: see whether it came out", EXIT_FAILED)
            return fail(command, f"not printed: {fault}", EXIT_FAILED)
    else:
        from pos_app.printing.qt_out import print_on_system_printer

        problem = print_on_system_printer(slip, printer.paper_mm, copies)
        if problem:
            return fail(command, f"not printed: {problem}", EXIT_FAILED)
    print(f"{slip.kind} printed on {printer.target.url}")
    return EXIT_OK
