"""The end-of-day (Z) report: every figure computed from the day's payments, nothing stored.

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
from datetime import date, datetime, tzinfo
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


def _minor(payments: Iterable[Payment]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for payment in payments:
        totals[payment.amount.currency] += payment.amount.minor_units
    return totals


def sums(payments: Iterable[Payment]) -> list[Money]:
    return [Money(minor, currency) for currency, minor in sorted(_minor(payments).items())]


def day_report(rows: list[Payment], day: date, tz: tzinfo, till: str | None) -> DayReport:
    grouped: dict[tuple[str, Provider, PaymentStatus, str], list[Payment]] = defaultdict(list)
    for row in rows:
        grouped[(row.product, row.provider, row.status, row.amount.currency)].append(row)
    lines = [
        Line(kind, provider, status, len(group), sums(group)[0])
        for (kind, provider, status, _), group in sorted(grouped.items())
    ]
    payments = [p for p in rows if p.refund_of is None]
    sales = [p for p in payments if p.status in PAID]
    refunds = [r for r in rows if r.refund_of is not None and r.status == S.SUCCESSFUL]
    net = _minor(sales)
    for currency, minor in _minor(refunds).items():
        net[currency] -= minor
    decided = sum(1 for p in payments if p.status in DECIDED)

    def per_hour(of: list[Payment]) -> dict[int, list[Money]]:
        hours: dict[int, list[Payment]] = defaultdict(list)
        for payment in of:
            hours[payment.created_at.astimezone(tz).hour].append(payment)
        return {hour: sums(group) for hour, group in sorted(hours.items())}

    created = sorted(p.created_at for p in payments)
    return DayReport(
        day=day,
        till=till,
        lines=lines,
        sales=sums(sales),
        refunds=sums(refunds),
        refund_count=len(refunds),
        takings=[Money(minor, currency) for currency, minor in sorted(net.items())],
        success_rate=Decimal(len(sales)) / Decimal(decided) if decided else None,
        follow_up=sorted((p for p in rows if p.status in OPEN_STATES), key=lambda p: p.created_at),
        first=created[0].astimezone(tz) if created else None,
        last=created[-1].astimezone(tz) if created else None,
        per_hour=per_hour(sales),
        refunds_per_hour=per_hour(refunds),
        count=len(payments),
    )
