"""The hub sums a day in the database (fast over millions of payments); what it gives must be
exactly what the till's own report makes of the same payments (domain/report.py), in any time
zone, on a day the clocks change too."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest

from pos_app.domain.payment import PaymentStatus
from pos_app.domain.report import DayReport, day_report
from pos_app.hub import business
from tests.hub.conftest import Hub, run
from tests.hub.test_owner_web import add_till, payment, store

S = PaymentStatus


async def both(url: str, day: date, zone: ZoneInfo, **where: Any) -> tuple[DayReport, DayReport]:
    async with await psycopg.AsyncConnection.connect(url) as conn:
        summed = await business.report(conn, day, zone, **where)
        payments = await business.day_payments(conn, day, zone, **where)
    return summed, day_report(payments, day, zone, None)


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("Africa/Nairobi", date(2026, 3, 10)),
        ("Europe/London", date(2026, 3, 29)),  # 23 hours: the clocks go forward
        ("Europe/London", date(2026, 10, 25)),  # 25 hours: 01:00-01:59 twice
        ("Asia/Kathmandu", date(2026, 6, 1)),  # +05:45
    ],
)
def test_the_summed_report_is_the_tills_own(hub: Hub, zone: str, day: date) -> None:
    tz = ZoneInfo(zone)
    rng = random.Random(f"{zone} {day}")
    tills = [add_till(hub, shop, name, zone) for shop, name in (("A", "1"), ("A", "2"), ("B", "1"))]
    start = datetime(day.year, day.month, day.day, tzinfo=tz) - timedelta(hours=2)
    statuses = [S.SUCCESSFUL] * 6 + [S.FAILED, S.EXPIRED, S.PENDING, S.UNKNOWN, S.REFUNDED]
    for till in tills:
        made = []
        for _ in range(150):
            at = start + timedelta(seconds=rng.randrange(28 * 3600))  # and either side
            currency = rng.choice(["KES", "UGX"])
            made.append(
                payment(at, rng.randrange(100, 10**6), rng.choice(statuses), currency=currency)
            )
        paid = [p for p in made if p.status in (S.SUCCESSFUL, S.REFUNDED)]
        for original in rng.sample(paid, 10):
            later = original.created_at + timedelta(minutes=rng.randrange(600))
            made.append(
                payment(
                    later,
                    original.amount.minor_units // 2,
                    rng.choice([S.SUCCESSFUL, S.SUCCESSFUL, S.FAILED, S.PENDING]),
                    refund_of=original.reference_id,
                    currency=original.amount.currency,
                )
            )
        store(hub, till, *made)
    for where in ({}, {"shop": "A"}, {"till_id": tills[2].id}):
        summed, counted = run(both(hub.database_url, day, tz, **where))
        assert counted.count > 50 and counted.refund_count > 0 and counted.follow_up
        assert summed == counted, where


def test_a_till_asks_for_every_tills_day(hub: Hub) -> None:
    asking = hub.add_till("A", "1")
    other = add_till(hub, "B", "1", "Africa/Nairobi")
    store(hub, other, payment(datetime(2026, 3, 10, 9, tzinfo=ZoneInfo("Africa/Nairobi")), 5000))
    answer = asking.get("/v1/business", date="2026-03-10")
    assert answer.status_code == 200, answer.text
    tills = {t["shop"]: t for t in answer.json()["tills"]}
    assert tills["A"]["this_till"] and not tills["B"]["this_till"]
    assert tills["B"]["payments"] == 1
    assert tills["B"]["takings"] == [{"amount": "50.00", "currency": "KES"}]
    assert asking.get("/v1/business", date="10/03/2026").status_code == 400
    assert httpx.get(f"{hub.url}/v1/business").status_code == 401
