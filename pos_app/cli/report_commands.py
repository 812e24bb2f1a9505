"""`pos-app report`: the end-of-day report as text, CSV (one row per payment) or PDF."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from pos_app.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    database,
    fail,
    parse_day,
    store_failure,
)
from pos_app.cli.owner_commands import Refused, authorise
from pos_app.cli.payment_commands import write_receipts
from pos_app.cli.print_commands import add_printer_options, chosen_printer, print_out, start_qt
from pos_app.platform.config import Config
from pos_app.printing.layout import report_slip, status_name
from pos_app.reports.day_report import day_filter, load, render_html, render_text, sections
from pos_app.store import StoreError


def add_command(commands: Any, demo_parent: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "report", parents=[demo_parent], help="the end-of-day (Z) report for one day"
    )
    parser.add_argument("--date", type=parse_day, metavar="YYYY-MM-DD", help="default: today")
    parser.add_argument("--format", choices=["text", "csv", "pdf"], default="text")
    parser.add_argument("--till", help="only this till's payments (default: all in the database)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write here (required for pdf)")
    parser.add_argument(
        "--print", action="store_true", help="print it on the till's receipt printer"
    )
    add_printer_options(parser)


def report(args: argparse.Namespace, config: Config) -> int:
    tz = config.zone()
    day = args.date or datetime.now(tz).date()
    if args.format == "pdf" and args.output is None:
        return fail("report", "--format pdf needs --output FILE", EXIT_USAGE)
    if args.print:
        return _print_report(args, config)
    try:
        with database(read_only_ok=args.format == "text") as repository:
            if args.format in ("csv", "pdf"):  # exports are the owner's
                gate = authorise(repository, config, "export")
                gate.exported(day, args.format, args.till)
            if args.format == "csv":
                with _destination(args.output, sys.stdout) as target:
                    flt = day_filter(day, tz, args.till)
                    write_receipts(repository, flt, "csv", target, config.shop.effective_locale)
                return EXIT_OK
            parts = sections(load(repository, day, tz, args.till), config.shop, tz)
        if args.format == "pdf":
            from pos_app.reports.pdf import save_report_pdf

            save_report_pdf(args.output, render_html(parts))
            print(f"report for {day} saved to {args.output}")
            return EXIT_OK
        with _destination(args.output, sys.stdout) as target:
            target.write(render_text(parts))
    except Refused as exc:
        return fail("report", str(exc), EXIT_REFUSED)
    except StoreError as exc:
        return store_failure("report", exc)
    except OSError as exc:  # the --output file, or the database's folder
        where = exc.filename or args.output
        return fail("report", f"cannot write {where}: {exc.strerror or exc}", EXIT_FAILED)
    return EXIT_OK


def _print_report(args: argparse.Namespace, config: Config) -> int:
    """The Z report on the receipt printer, in the shop's language."""
    printer = chosen_printer("report", args, config)
    if isinstance(printer, int):
        return printer
    tz = config.zone()
    day = args.date or datetime.now(tz).date()
    _translators = start_qt(config.shop.effective_language)
    try:
        with database(read_only_ok=True) as repository:
            parts = sections(load(repository, day, tz, args.till), config.shop, tz, status_name)
    except StoreError as exc:
        return store_failure("report", exc)
    return print_out("report", printer, report_slip(parts, config.shop), copies=1)


@contextmanager
def _destination(path: Path | None, fallback: TextIO) -> Iterator[TextIO]:
    """The --output file, or the given stream."""
    if path is None:
        yield fallback
        return
    with path.open("w", encoding="utf-8", newline="") as file:
        yield file
