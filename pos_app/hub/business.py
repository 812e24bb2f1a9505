"""What the owner sees of the business at the hub, from the tills' synced histories: each
till's state, any day's report with the figures of a till's `pos-app report` (`day_report`'s
definitions, summed by the database: a busy day of the whole business is tens of thousands of
payments), and pages of payments."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import timezone as fixed_zone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from psycopg import AsyncConnection

from pos_app.domain.money import Money
from pos_app.domain.payment import OPEN_STATES, Payment, PaymentStatus
from pos_app.domain.report import DECIDED, PAID, DayReport, Line
from pos_app.store.payment_rows import payment_from_row
from pos_app.store.queries import local_day

PAGE_SIZE = 50


@dataclass(frozen=True)
class TillState:
    id: uuid.UUID
    shop: str
    name: str
    timezone: str | None
    revoked: bool
    last_seen_at: datetime | None
    synced_at: datetime | None
    synced: int  # events at the hub
    behind: int  # events the till said it holds that the hub has not received yet
    broken_seq: int | None  # the first link of its history the hub refused
    broken_problem: str | None

    @property
    def intact(self) -> bool:
        return self.broken_seq is None

    def zone(self, default: tzinfo) -> tzinfo:
        """The till's zone: an IANA name, or a fixed offset ("+03:00") from a computer that
        names none."""
        if not self.timezone:
            return default
        if self.timezone[0] in "+-":
            hours, minutes = self.timezone[1:].split(":")
            offset = timedelta(hours=int(hours), minutes=int(minutes))
            return fixed_zone(-offset if self.timezone[0] == "-" else offset)
        return ZoneInfo(self.timezone)


async def till_states(conn: AsyncConnection[Any]) -> list[TillState]:
    cursor = await conn.execute(
        "SELECT id, shop, name, timezone, revoked_at IS NOT NULL, last_seen_at, synced_at,"
        " synced_seq, greatest(till_head - synced_seq, 0), broken_seq, broken_problem"
        " FROM tills ORDER BY shop, name, created_at"
    )
    return [TillState(*row) for row in await cursor.fetchall()]


def _where(shop: str | None, till_id: uuid.UUID | None) -> tuple[str, list[Any]]:
    conditions: list[str] = []
    params: list[Any] = []
    if shop is not None:
        conditions.append("shop = %s")
        params.append(shop)
    if till_id is not None:
        conditions.append("till_id = %s")
        params.append(till_id)
    return "".join(f" AND {c}" for c in conditions), params


async def day_found(
    conn: AsyncConnection[Any],
    day: date,
    tz: tzinfo,
    *,
    shop: str | None = None,
    till_id: uuid.UUID | None = None,
) -> list[Found]:
    """The day's payments and refunds with their shop and till, oldest first."""
    start, end = local_day(day, tz)
    extra, params = _where(shop, till_id)
    cursor = await conn.execute(
        "SELECT shop, till_name, row FROM till_payments WHERE created_at >= %s AND created_at < %s"
        + extra
        + " ORDER BY created_at, reference_id",
        [start, end, *params],
    )
    return [Found(shop, till, payment_from_row(row)) for shop, till, row in await cursor.fetchall()]


async def day_payments(
    conn: AsyncConnection[Any],
    day: date,
    tz: tzinfo,
    *,
    shop: str | None = None,
    till_id: uuid.UUID | None = None,
) -> list[Payment]:
    return [found.payment for found in await day_found(conn, day, tz, shop=shop, till_id=till_id)]


async def report(
    conn: AsyncConnection[Any],
    day: date,
    tz: tzinfo,
    *,
    shop: str | None = None,
    till_id: uuid.UUID | None = None,
    till_name: str | None = None,
) -> DayReport:
    """The day's report of a till, a shop, or (neither given) every till at the hub: what
    `day_report` makes of `day_payments`, from the payments summed by the database per
    line (kind, provider, status, currency), refund or not, and local hour (see _Tally)."""
    start, end = local_day(day, tz)
    starts = _hour_starts(start, end, tz)
    extra, params = _where(shop, till_id)
    # One scan: the payments by group and stretch of the day; an open one (follow_up lists
    # it) in a group of its own, with its row.
    cursor = await conn.execute(
        "SELECT product, provider, status, currency, refund_of IS NOT NULL,"
        " width_bucket(created_at, %s::timestamptz[]), CASE WHEN status = ANY(%s) THEN row END,"
        " count(*), sum(amount_minor), min(created_at), max(created_at)"
        " FROM till_payments WHERE created_at >= %s AND created_at < %s"
        + extra
        + " GROUP BY 1, 2, 3, 4, 5, 6, 7",
        [[at for at, _ in starts], _OPEN, start, end, *params],
    )
    tally = _Tally()
    rows = await cursor.fetchall()
    for product, provider, status, currency, refund, bucket, row, *figures in rows:
        count, minor, first, last = figures
        tally.add(
            _Group(product, provider, PaymentStatus(status), currency, refund),
            starts[bucket - 1][1],
            (int(count), int(minor), first, last),
            [payment_from_row(row)] * count if row is not None else [],
        )
    return tally.report(day, tz, till_name)


_OPEN = sorted(status.value for status in OPEN_STATES)


def _hour_starts(start: datetime, end: datetime, tz: tzinfo) -> list[tuple[datetime, int]]:
    """The instants in [start, end) from which `astimezone(tz).hour` (what day_report groups
    by) may differ from the instant before, each with that hour, `start` first: within each
    stretch it is the same, so a payment's hour is its stretch's (found by width_bucket).

    The offset from UTC is followed in steps of 15 minutes (changes are months apart), and a
    change is found to the microsecond; then each whole local hour starts a stretch."""
    starts: list[datetime] = []
    step = timedelta(minutes=15)
    at, end = start.astimezone(UTC), end.astimezone(UTC)  # UTC: no gaps, no folds
    while at < end:
        offset = _offset(at, tz)
        change = at + step
        while change < end and _offset(change, tz) == offset:
            change += step
        change = min(change, end)
        if change < end:  # the first instant of the new offset, after `change - step`
            low, high = change - step, change
            while high - low > _MICROSECOND:
                middle = low + (high - low) / 2
                low, high = (middle, high) if _offset(middle, tz) == offset else (low, middle)
            change = high
        starts.append(at)
        local = at + offset
        hour = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1) - offset
        while hour < change:
            starts.append(hour)
            hour += timedelta(hours=1)
        at = change
    return [(at, at.astimezone(tz).hour) for at in starts]


_MICROSECOND = timedelta(microseconds=1)


def _offset(at: datetime, tz: tzinfo) -> timedelta:
    """What astimezone adds to the UTC time at `at` (its local wall time minus UTC)."""
    return at.astimezone(tz).replace(tzinfo=None) - at.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class _Group:
    product: str
    provider: str
    status: PaymentStatus
    currency: str
    is_refund: bool


class _Tally:
    """day_report's sums, from the day's payments added up by group and local hour: each
    figure is defined as day_report defines it, over the groups instead of the payments
    (`benchmarks/hub_report.py` checks both agree on every report it times)."""

    def __init__(self) -> None:
        self.lines: dict[tuple[str, str, PaymentStatus, str], list[int]] = defaultdict(
            lambda: [0, 0]
        )
        self.sales: dict[str, int] = defaultdict(int)
        self.refunds: dict[str, int] = defaultdict(int)
        self.sales_by_hour: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.refunds_by_hour: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.refund_count = self.count = self.sold = self.decided = 0
        self.created: list[datetime] = []
        self.open: list[Payment] = []

    def add(
        self,
        group: _Group,
        hour: int,
        figures: tuple[int, int, datetime, datetime],
        open_payments: list[Payment],
    ) -> None:
        count, minor, first, last = figures
        line = self.lines[group.product, group.provider, group.status, group.currency]
        line[0] += count
        line[1] += minor
        self.open += open_payments
        if group.is_refund:
            if group.status == PaymentStatus.SUCCESSFUL:
                self.refunds[group.currency] += minor
                self.refunds_by_hour[hour][group.currency] += minor
                self.refund_count += count
            return
        self.count += count
        self.created += [first, last]
        if group.status in PAID:
            self.sales[group.currency] += minor
            self.sales_by_hour[hour][group.currency] += minor
            self.sold += count
        if group.status in DECIDED:
            self.decided += count

    def report(self, day: date, tz: tzinfo, till: str | None) -> DayReport:
        net = dict(self.sales)
        for currency, minor in self.refunds.items():
            net[currency] = net.get(currency, 0) - minor
        return DayReport(
            day=day,
            till=till,
            lines=[
                Line(product, provider, status, count, Money(minor, currency))
                for (product, provider, status, currency), (count, minor) in sorted(
                    self.lines.items()
                )
            ],
            sales=_moneys(self.sales),
            refunds=_moneys(self.refunds),
            refund_count=self.refund_count,
            takings=_moneys(net),
            success_rate=Decimal(self.sold) / Decimal(self.decided) if self.decided else None,
            follow_up=sorted(self.open, key=lambda p: p.created_at),
            first=min(self.created).astimezone(tz) if self.created else None,
            last=max(self.created).astimezone(tz) if self.created else None,
            per_hour={h: _moneys(self.sales_by_hour[h]) for h in sorted(self.sales_by_hour)},
            refunds_per_hour={
                h: _moneys(self.refunds_by_hour[h]) for h in sorted(self.refunds_by_hour)
            },
            count=self.count,
        )


def _moneys(minor_by_currency: dict[str, int]) -> list[Money]:
    return [Money(minor, currency) for currency, minor in sorted(minor_by_currency.items())]


@dataclass(frozen=True)
class Found:
    shop: str
    till: str
    payment: Payment


async def payments_page(
    conn: AsyncConnection[Any],
    *,
    search: str = "",
    shop: str | None = None,
    till_id: uuid.UUID | None = None,
    before: tuple[datetime, str] | None = None,
    limit: int = PAGE_SIZE,
) -> list[Found]:
    """The newest payments first, `before` a (created_at, reference_id) of the page before;
    `search`: the end of a phone number (4 digits or more), a receipt code or a reference,
    each answered through an index."""
    extra, params = _where(shop, till_id)
    term = search.strip()
    if term:
        digits = "".join(ch for ch in term if ch.isdigit())
        alternatives = ["upper(provider_transaction_id) = upper(%s)", "reference_id = %s"]
        params += [term, term]
        if len(digits) >= 4 and len(digits) >= len(term.replace(" ", "")) - 1:
            alternatives.append("phone_reversed LIKE %s")
            params.append(_escape_like(digits.lstrip("0")[::-1]) + "%")
        extra += " AND (" + " OR ".join(alternatives) + ")"
    if before is not None:
        extra += " AND (created_at, reference_id) < (%s, %s)"
        params += list(before)
    cursor = await conn.execute(
        "SELECT shop, till_name, row FROM till_payments WHERE true"
        + extra
        + " ORDER BY created_at DESC, reference_id DESC LIMIT %s",
        [*params, limit],
    )
    return [Found(shop, till, payment_from_row(row)) for shop, till, row in await cursor.fetchall()]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
