"""The end-of-day (Z) report: every figure computed from the day's payments, counted into
tallies (by the store as payments are written, or here from the payments themselves: the same
figures, `report_of`).

Definitions, so that the owner can check each number by hand:
- the day is the shop's calendar day in its time zone; a payment or refund belongs to the day
  it was created;
- payments are the customers' payments (refunds are counted on their own);
- sales: payments paid that day, whether refunded later or not;
- refunds: refunds that succeeded, made that day (of that day's payments or earlier ones);
- takings: sales minus refunds, per currency: the money the day brought in; takings per hour
  subtract each refund in the hour it was made;
- success rate: paid payments ÷ payments with a final answer (paid, failed or expired);
  payments still open are left out of it and listed for follow-up instead, with refunds
  still open.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal

from pos_app.domain.countries import Provider
from pos_app.domain.money import Money
from pos_app.domain.payment import OPEN_STATES, Payment, PaymentStatus

S = PaymentStatus
PAID = frozenset({S.SUCCESSFUL, S.REFUNDED})
DECIDED = PAID | {S.FAILED, S.EXPIRED}


@dataclass(frozen=True)
class Line:
    kind: str  # "collection" (a customer's payment) or "refund"
    provider: Provider
    status: PaymentStatus
    count: int
    amount: Money


@dataclass(frozen=True)
class DayReport:
    day: date
    till: str | None  # None: every till in this database
    lines: list[Line]  # per kind, provider, status and currency
    sales: list[Money]  # per currency
    refunds: list[Money]
    refund_count: int
    takings: list[Money]  # sales minus refunds
    success_rate: Decimal | None  # 0..1; None when nothing has a final answer yet
    follow_up: list[Payment]  # payments and refunds still open, oldest first
    first: datetime | None  # local time of the day's first and last payment
    last: datetime | None
    per_hour: dict[int, list[Money]]  # local hour -> sales created in that hour
    refunds_per_hour: dict[int, list[Money]]  # local hour -> refunds made in that hour
    count: int  # payments (not refunds)

    def takings_per_hour(self) -> dict[int, list[Money]]:
        """Local hour -> sales minus refunds of that hour, per currency (may be negative)."""
        net: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for sign, hours in ((1, self.per_hour), (-1, self.refunds_per_hour)):
            for hour, amounts in hours.items():
                for money in amounts:
                    net[hour][money.currency] += sign * money.minor_units
        return {
            hour: [Money(minor, currency) for currency, minor in sorted(net[hour].items())]
            for hour in sorted(net)
        }


@dataclass(frozen=True)
class Tally:
    """The day's payments alike in all the report tells apart, created in one quarter hour:
    how many, their sum, the first and last. Every time zone's offset is a whole number of
    quarter hours, so a quarter hour (UTC) lies in one local hour of any shop."""

    product: str
    provider: Provider
    status: PaymentStatus
    currency: str
    refund: bool  # a refund (it gives back a payment), not a customer's payment
    quarter: datetime  # UTC start of the quarter hour
    count: int
    minor: int
    first: datetime
    last: datetime


def quarter_of(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return moment.replace(minute=moment.minute // 15 * 15, second=0, microsecond=0)


def tallies(rows: Iterable[Payment]) -> list[Tally]:
    """What the store's day tallies are, computed from the payments themselves."""
    groups: dict[tuple[str, Provider, PaymentStatus, str, bool, datetime], list[Payment]]
    groups = defaultdict(list)
    for p in rows:
        key = (p.product, p.provider, p.status, p.amount.currency, p.refund_of is not None)
        groups[(*key, quarter_of(p.created_at))].append(p)
    return [
        Tally(
            *key,
            count=len(group),
            minor=sum(p.amount.minor_units for p in group),
            first=min(p.created_at for p in group),
            last=max(p.created_at for p in group),
        )
        for key, group in groups.items()
    ]


def _sums(of: Iterable[Tally]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for tally in of:
        totals[tally.currency] += tally.minor
    return totals


def _money(totals: dict[str, int]) -> list[Money]:
    return [Money(minor, currency) for currency, minor in sorted(totals.items())]


def sums(payments: Iterable[Payment]) -> list[Money]:
    totals: dict[str, int] = defaultdict(int)
    for payment in payments:
        totals[payment.amount.currency] += payment.amount.minor_units
    return _money(totals)


def day_report(rows: list[Payment], day: date, tz: tzinfo, till: str | None) -> DayReport:
    """The report of `rows`, the day's payments (and refunds) of the till or every till."""
    follow_up = [p for p in rows if p.status in OPEN_STATES]
    return report_of(tallies(rows), follow_up, day, tz, till)


def report_of(
    counted: list[Tally], follow_up: list[Payment], day: date, tz: tzinfo, till: str | None
) -> DayReport:
    """The report from the day's tallies and its payments still open."""
    lines: dict[tuple[str, Provider, PaymentStatus, str], list[Tally]] = defaultdict(list)
    for tally in counted:
        lines[(tally.product, tally.provider, tally.status, tally.currency)].append(tally)
    payments = [t for t in counted if not t.refund]
    sales = [t for t in payments if t.status in PAID]
    refunds = [t for t in counted if t.refund and t.status == S.SUCCESSFUL]
    net = _sums(sales)
    for currency, minor in _sums(refunds).items():
        net[currency] -= minor

    def per_hour(of: list[Tally]) -> dict[int, list[Money]]:
        hours: dict[int, list[Tally]] = defaultdict(list)
        for tally in of:
            hours[tally.quarter.astimezone(tz).hour].append(tally)
        return {hour: _money(_sums(group)) for hour, group in sorted(hours.items())}

    sold = sum(t.count for t in sales)
    decided = sum(t.count for t in payments if t.status in DECIDED)
    return DayReport(
        day=day,
        till=till,
        lines=[
            Line(kind, provider, status, sum(t.count for t in group), _money(_sums(group))[0])
            for (kind, provider, status, _), group in sorted(lines.items())
        ],
        sales=_money(_sums(sales)),
        refunds=_money(_sums(refunds)),
        refund_count=sum(t.count for t in refunds),
        takings=_money(net),
        success_rate=Decimal(sold) / Decimal(decided) if decided else None,
        follow_up=sorted(follow_up, key=lambda p: p.created_at),
        first=min(t.first for t in payments).astimezone(tz) if payments else None,
        last=max(t.last for t in payments).astimezone(tz) if payments else None,
        per_hour=per_hour(sales),
        refunds_per_hour=per_hour(refunds),
        count=sum(t.count for t in payments),
    )
