"""The end-of-day (Z) report: every figure computed from the day's payments, nothing stored.

Definitions, so that the owner can check each number by hand:
- takings: the sum of payments that are *successful* now (a refunded payment is not takings);
- refunded: payments paid and then refunded, counted and summed separately;
- success rate: paid (successful or refunded) ÷ payments with a final answer (paid, failed or
  expired); payments still open are left out of it and listed for follow-up instead;
- the day is the shop's calendar day in its time zone; a payment belongs to the day it was
  created.
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
    provider: Provider
    status: PaymentStatus
    count: int
    amount: Money


@dataclass(frozen=True)
class DayReport:
    day: date
    till: str | None  # None: every till in this database
    lines: list[Line]  # per provider, status and currency
    takings: list[Money]  # per currency
    refunded: list[Money]
    refunded_count: int
    success_rate: Decimal | None  # 0..1; None when nothing has a final answer yet
    follow_up: list[Payment]  # still pending or unknown, oldest first
    first: datetime | None  # local time of the day's first and last payment
    last: datetime | None
    per_hour: dict[int, list[Money]]  # local hour -> takings created in that hour
    count: int


def _sums(payments: Iterable[Payment]) -> list[Money]:
    totals: dict[str, int] = defaultdict(int)
    for payment in payments:
        totals[payment.amount.currency] += payment.amount.minor_units
    return [Money(minor, currency) for currency, minor in sorted(totals.items())]


def day_report(payments: list[Payment], day: date, tz: tzinfo, till: str | None) -> DayReport:
    grouped: dict[tuple[Provider, PaymentStatus, str], list[Payment]] = defaultdict(list)
    for payment in payments:
        grouped[(payment.provider, payment.status, payment.amount.currency)].append(payment)
    lines = [
        Line(provider, status, len(group), _sums(group)[0])
        for (provider, status, _), group in sorted(grouped.items())
    ]
    paid = sum(1 for p in payments if p.status in PAID)
    decided = sum(1 for p in payments if p.status in DECIDED)
    successful = [p for p in payments if p.status == S.SUCCESSFUL]
    refunded = [p for p in payments if p.status == S.REFUNDED]
    hours: dict[int, list[Payment]] = defaultdict(list)
    for payment in successful:
        hours[payment.created_at.astimezone(tz).hour].append(payment)
    created = sorted(p.created_at for p in payments)
    return DayReport(
        day=day,
        till=till,
        lines=lines,
        takings=_sums(successful),
        refunded=_sums(refunded),
        refunded_count=len(refunded),
        success_rate=Decimal(paid) / Decimal(decided) if decided else None,
        follow_up=sorted(
            (p for p in payments if p.status in OPEN_STATES), key=lambda p: p.created_at
        ),
        first=created[0].astimezone(tz) if created else None,
        last=created[-1].astimezone(tz) if created else None,
        per_hour={hour: _sums(group) for hour, group in sorted(hours.items())},
        count=len(payments),
    )
