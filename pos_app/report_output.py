"""`pos-app report`: the end-of-day report as text, CSV (one row per payment) or PDF."""

from __future__ import annotations

import argparse
import html
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any, TextIO

from pos_app.config import Config, ShopConfig
from pos_app.domain.countries import PROVIDER_NAMES
from pos_app.domain.money import Money
from pos_app.domain.phone import mask_msisdn
from pos_app.domain.refunds import REFUND
from pos_app.domain.report import DayReport, day_report
from pos_app.headless import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    database,
    fail,
    parse_day,
    write_receipts,
)
from pos_app.owner_commands import EXIT_REFUSED, Refused, authorise
from pos_app.store import PaymentRepository, StoreError
from pos_app.store.repository import PaymentFilter, local_day

Section = tuple[str, list[tuple[str, str]]]


def add_command(commands: Any) -> None:
    parser = commands.add_parser("report", help="the end-of-day (Z) report for one day")
    parser.add_argument("--date", type=parse_day, metavar="YYYY-MM-DD", help="default: today")
    parser.add_argument("--format", choices=["text", "csv", "pdf"], default="text")
    parser.add_argument("--till", help="only this till's payments (default: all in the database)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write here (required for pdf)")


def _amounts(amounts: list[Money], locale: str) -> str:
    return ", ".join(m.format(locale) for m in amounts) or "—"


def sections(report: DayReport, shop: ShopConfig, tz: tzinfo) -> list[Section]:
    """The report's content, once, for every output format."""
    locale = shop.effective_locale
    rate = "—" if report.success_rate is None else f"{report.success_rate * 100:.1f} %"
    summary = [
        ("Shop", shop.name),
        ("Till", report.till or "all tills"),
        ("Day", report.day.isoformat()),
        ("Payments", str(report.count)),
        ("Sales (paid)", _amounts(report.sales, locale)),
        ("Refunds", f"{report.refund_count} · {_amounts(report.refunds, locale)}"),
        ("Takings (sales − refunds)", _amounts(report.takings, locale)),
        ("Success rate", rate),
        ("First payment", f"{report.first:%H:%M:%S}" if report.first else "—"),
        ("Last payment", f"{report.last:%H:%M:%S}" if report.last else "—"),
    ]
    lines = [
        (
            f"{PROVIDER_NAMES[line.provider]} · "
            f"{'refund ' if line.kind == REFUND else ''}{line.status.value}",
            f"{line.count} · {line.amount.format(locale)}",
        )
        for line in report.lines
    ]
    hours = [
        (f"{hour:02d}:00–{hour:02d}:59", _amounts(amounts, locale))
        for hour, amounts in report.per_hour.items()
    ]
    follow_up = [
        (
            f"{p.created_at.astimezone(tz):%H:%M:%S} {'refund ' if p.refund_of else ''}"
            f"{p.status.value}",
            f"{p.amount.format(locale)} · {PROVIDER_NAMES[p.provider]} · {mask_msisdn(p.msisdn)} · "
            f"{p.reference_id}",
        )
        for p in report.follow_up
    ]
    return [
        ("End-of-day report", summary),
        ("Per provider and status", lines or [("—", "no payments")]),
        ("Sales per hour", hours or [("—", "no sales")]),
        ("To follow up (still open)", follow_up or [("—", "none")]),
    ]


def render_text(parts: list[Section]) -> str:
    width = max(len(label) for _, rows in parts for label, _ in rows)
    out: list[str] = []
    for title, rows in parts:
        out += [title, "=" * len(title)]
        out += [f"{label:<{width}}  {value}" for label, value in rows]
        out.append("")
    return "\n".join(out)


def render_html(parts: list[Section]) -> str:
    body = []
    for title, rows in parts:
        body.append(f"<h2>{html.escape(title)}</h2><table cellpadding='3'>")
        body += [
            f"<tr><td>{html.escape(label)}</td><td><b>{html.escape(value)}</b></td></tr>"
            for label, value in rows
        ]
        body.append("</table>")
    return "<html><body style='font-family: sans-serif'>" + "".join(body) + "</body></html>"


def day_filter(day: date, tz: tzinfo, till: str | None) -> PaymentFilter:
    start, end = local_day(day, tz)
    return PaymentFilter(start=start, end=end, till=till)


def load(repository: PaymentRepository, day: date, tz: tzinfo, till: str | None) -> DayReport:
    payments = list(repository.each(day_filter(day, tz, till)))
    return day_report(payments, day, tz, till)


def report(args: argparse.Namespace, config: Config) -> int:
    tz = config.zone()
    day = args.date or datetime.now(tz).date()
    if args.format == "pdf" and args.output is None:
        return fail("report", "--format pdf needs --output FILE", EXIT_USAGE)
    try:
        with database() as repository:
            if args.format in ("csv", "pdf"):  # exports are the owner's
                gate = authorise(repository, config, "export")
                gate.record("export", {"day": day.isoformat(), "format": args.format})
            if args.format == "csv":
                with _destination(args.output, sys.stdout) as target:
                    flt = day_filter(day, tz, args.till)
                    write_receipts(repository, flt, "csv", target, config.shop.effective_locale)
                return EXIT_OK
            parts = sections(load(repository, day, tz, args.till), config.shop, tz)
    except Refused as exc:
        return fail("report", str(exc), EXIT_REFUSED)
    except StoreError as exc:
        return fail("report", str(exc), EXIT_FAILED)
    if args.format == "pdf":
        from pos_app.ui.report_pdf import save_report_pdf

        save_report_pdf(args.output, render_html(parts))
        print(f"report for {day} saved to {args.output}")
        return EXIT_OK
    with _destination(args.output, sys.stdout) as target:
        target.write(render_text(parts))
    return EXIT_OK


@contextmanager
def _destination(path: Path | None, fallback: TextIO) -> Iterator[TextIO]:
    """The --output file, or the given stream."""
    if path is None:
        yield fallback
        return
    with path.open("w", encoding="utf-8", newline="") as file:
        yield file
