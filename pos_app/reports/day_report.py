"""The end-of-day report's content, once for every place it is shown: `pos-app report` (text,
PDF) and the owner's report view in the window.

Labels go through Qt's translation functions: headless, with no translator installed, they stay
English; in the window they are in the cashier's language (`resources/translations/update.py`
reads this file too).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from datetime import date, tzinfo

from PySide6.QtCore import QCoreApplication

from pos_app.domain.money import Money
from pos_app.domain.payment import CUSTOMER_PAYMENT, OPEN_STATES, PaymentStatus, status_word
from pos_app.domain.phone import mask_msisdn
from pos_app.domain.refunds import REFUND
from pos_app.domain.report import DayReport, report_of
from pos_app.platform import paths
from pos_app.platform.config import ShopConfig
from pos_app.providers import registry
from pos_app.store import PaymentRepository
from pos_app.store.repository import PaymentFilter, local_day

Section = tuple[str, list[tuple[str, str]]]
StatusName = Callable[[PaymentStatus], str]
translate = QCoreApplication.translate


def day_filter(day: date, tz: tzinfo, till: str | None) -> PaymentFilter:
    start, end = local_day(day, tz)
    return PaymentFilter(start=start, end=end, till=till)


def load(repository: PaymentRepository, day: date, tz: tzinfo, till: str | None) -> DayReport:
    """The day's report from the tallies the store keeps and the payments still open (a
    handful), not from every payment of the day (`domain.report.day_report` is that, and
    says the same)."""
    start, end = local_day(day, tz)
    open_ones = list(repository.each(replace(day_filter(day, tz, till), statuses=OPEN_STATES)))
    return report_of(repository.tallies(start, end, till), open_ones, day, tz, till)


def _amounts(amounts: list[Money], locale: str) -> str:
    return ", ".join(m.format(locale) for m in amounts) or "—"


def _plain(status: PaymentStatus) -> str:
    """Headless, the people's word in English (the window passes its translated one)."""
    return status_word(status)


def sections(
    report: DayReport,
    shop: ShopConfig,
    tz: tzinfo,
    status_name: StatusName = _plain,
) -> list[Section]:
    """The report as titled lists of (label, value); in the demo world its title says DEMO,
    and so do the text, the view and the PDF made from it."""
    title = translate("DayReport", "End-of-day report")
    if paths.in_demo_world():
        title = translate("DayReport", "DEMO — {0} (demo mode: no real money moved)").format(title)
    locale = shop.effective_locale
    refund_word = translate("DayReport", "refund")
    kind_words = {
        REFUND: refund_word + " ",
        CUSTOMER_PAYMENT: translate("DayReport", "paid to the shop's number") + " · ",
    }
    lines = [
        (
            f"{registry.name(line.provider)} · "
            f"{kind_words.get(line.kind, '')}{status_name(line.status)}",
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
            f"{p.created_at.astimezone(tz):%H:%M:%S} {refund_word + ' ' if p.refund_of else ''}"
            f"{status_name(p.status)}",
            f"{p.amount.format(locale)} · {registry.name(p.provider)} · {mask_msisdn(p.msisdn)} · "
            f"{p.reference_id}",
        )
        for p in report.follow_up
    ]
    return [
        (title, _summary(report, shop, locale)),
        (
            translate("DayReport", "Per provider and status"),
            lines or [("—", translate("DayReport", "no payments"))],
        ),
        (
            translate("DayReport", "Sales per hour"),
            hours or [("—", translate("DayReport", "no sales"))],
        ),
        (
            translate("DayReport", "To follow up (still open)"),
            follow_up or [("—", translate("DayReport", "none"))],
        ),
    ]


def _summary(report: DayReport, shop: ShopConfig, locale: str) -> list[tuple[str, str]]:
    rate = "—" if report.success_rate is None else f"{report.success_rate * 100:.1f} %"
    return [
        (translate("DayReport", "Shop"), shop.name),
        (
            translate("DayReport", "Till"),
            report.till or translate("DayReport", "all tills"),
        ),
        (translate("DayReport", "Day"), report.day.isoformat()),
        (translate("DayReport", "Payments"), str(report.count)),
        (translate("DayReport", "Sales (paid)"), _amounts(report.sales, locale)),
        (
            translate("DayReport", "Refunds"),
            f"{report.refund_count} · {_amounts(report.refunds, locale)}",
        ),
        (
            translate("DayReport", "Takings (sales − refunds)"),
            _amounts(report.takings, locale),
        ),
        (translate("DayReport", "Success rate"), rate),
        (
            translate("DayReport", "First payment"),
            f"{report.first:%H:%M:%S}" if report.first else "—",
        ),
        (
            translate("DayReport", "Last payment"),
            f"{report.last:%H:%M:%S}" if report.last else "—",
        ),
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
    title = html.escape(parts[0][0]) if parts else ""
    return (
        f"<html><head><title>{title}</title></head><body style='font-family: sans-serif'>"
        + "".join(body)
        + "</body></html>"
    )
