"""A day report as the owner reads it on the web: the figures and labels of the till's
`pos-app report` (pos_app/reports/day_report.py `sections()`), in the owner's language."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo

from pos_app.domain.money import Money
from pos_app.domain.payment import CUSTOMER_PAYMENT, Payment, PaymentStatus, status_word
from pos_app.domain.phone import mask_msisdn
from pos_app.domain.refunds import REFUND
from pos_app.domain.report import DayReport, Line
from pos_app.hub.web.words import N_, Words
from pos_app.providers import registry

NONE = "—"


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    key: str = ""  # names the figure in the page (data-figure), for a reader or a test


def amounts(moneys: Iterable[Money], locale: str) -> str:
    return ", ".join(m.format(locale) for m in moneys) or NONE


def status(words: Words, value: PaymentStatus) -> str:
    return words(status_word(value))


def summary(report: DayReport, words: Words, shop: str) -> list[Figure]:
    locale = words.locale
    rate = NONE if report.success_rate is None else f"{report.success_rate * 100:.1f} %"
    return [
        Figure(words("Shop"), shop, "shop"),
        Figure(words("Till"), report.till or words("all tills"), "till"),
        Figure(words("Day"), report.day.isoformat(), "day"),
        Figure(words("Payments"), str(report.count), "payments"),
        Figure(words("Sales (paid)"), amounts(report.sales, locale), "sales"),
        Figure(
            words("Refunds"),
            f"{report.refund_count} · {amounts(report.refunds, locale)}",
            "refunds",
        ),
        Figure(words("Takings (sales − refunds)"), amounts(report.takings, locale), "takings"),
        Figure(words("Success rate"), rate, "success-rate"),
        Figure(
            words("First payment"), f"{report.first:%H:%M:%S}" if report.first else NONE, "first"
        ),
        Figure(words("Last payment"), f"{report.last:%H:%M:%S}" if report.last else NONE, "last"),
    ]


def lines(report_lines: list[Line], words: Words) -> list[Figure]:
    kinds = {
        REFUND: words("refund") + " ",
        CUSTOMER_PAYMENT: words("paid to the shop's number") + " · ",
    }
    return [
        Figure(
            f"{registry.name(line.provider)} · {kinds.get(line.kind, '')}"
            f"{status(words, line.status)}",
            f"{line.count} · {line.amount.format(words.locale)}",
            f"line-{line.kind}-{line.provider}-{line.status.value}-{line.amount.currency}",
        )
        for line in report_lines
    ]


def hours(report: DayReport, words: Words) -> list[Figure]:
    return [
        Figure(f"{hour:02d}:00–{hour:02d}:59", amounts(moneys, words.locale), f"hour-{hour:02d}")
        for hour, moneys in report.per_hour.items()
    ]


def follow_up(payments: Iterable[Payment], zone: tzinfo, words: Words) -> list[Figure]:
    refund = words("refund") + " "
    return [
        Figure(
            f"{p.created_at.astimezone(zone):%H:%M:%S} {refund if p.refund_of else ''}"
            f"{status(words, p.status)}",
            f"{p.amount.format(words.locale)} · {registry.name(p.provider)} · "
            f"{mask_msisdn(p.msisdn)} · {p.reference_id}",
            f"open-{p.reference_id}",
        )
        for p in payments
    ]


def add_up(amount_lists: Iterable[list[Money]]) -> list[Money]:
    """Per currency, the sum of several reports' amounts."""
    totals: dict[str, int] = defaultdict(int)
    for moneys in amount_lists:
        for money in moneys:
            totals[money.currency] += money.minor_units
    return [Money(minor, currency) for currency, minor in sorted(totals.items())]


def merged_lines(reports: Iterable[DayReport]) -> list[Line]:
    """The lines of several reports (tills, or shops in their own zones) as one report's."""
    counts: dict[tuple[str, str, PaymentStatus, str], int] = defaultdict(int)
    minor: dict[tuple[str, str, PaymentStatus, str], int] = defaultdict(int)
    for report in reports:
        for line in report.lines:
            key = (line.kind, line.provider, line.status, line.amount.currency)
            counts[key] += line.count
            minor[key] += line.amount.minor_units
    return [
        Line(kind, provider, state, counts[key], Money(minor[key], currency))
        for key in sorted(counts)
        for kind, provider, state, currency in [key]
    ]


# The people's words for statuses, and the report's own, as the catalogue must hold them.
WORDS = (
    N_("paid"),
    N_("refused"),
    N_("waiting"),
    N_("expired"),
    N_("unknown"),
    N_("refunded"),
    N_("refund"),
    N_("paid to the shop's number"),
    N_("all tills"),
)
