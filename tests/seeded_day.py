"""One seeded shop day whose every report figure is computed by hand in tests/unit/test_report.py
(and drawn in the window's report view, tests/ui/test_report_view.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.store import PaymentRepository
from tests.unit.test_repository import add, settle

S = PaymentStatus
EAT = timezone(timedelta(hours=3), "EAT")  # the shop's zone (Africa/Nairobi: no DST)
DAY = date(2026, 11, 23)
# The shop of that day, as a config file (`seeded` in tests/unit/conftest.py holds the day).
SHOP_CONFIG = "[shop]\nname = 'Duka'\ntimezone = 'Africa/Nairobi'\nlocale = 'en_KE'\n"


def local(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=EAT)


def seed_day(repo: PaymentRepository) -> dict[str, str]:
    """Payments and refunds of DAY (and either side of it), by name -> reference id."""
    ids: dict[str, str] = {}

    def pay(name: str, when: datetime, minor: int, final: S | None, **kw: str) -> None:
        p = add(repo, at=when, minor=minor, **kw)  # type: ignore[arg-type]
        ids[name] = p.reference_id
        if final in (S.SUCCESSFUL, S.FAILED, S.EXPIRED):
            settle(repo, p, final)
        elif final == S.PENDING:
            repo.transition(p.reference_id, S.SUBMITTING, when)
            repo.transition(p.reference_id, S.PENDING, when)
        elif final == S.UNKNOWN:
            repo.transition(p.reference_id, S.SUBMITTING, when)
            repo.transition(p.reference_id, S.UNKNOWN, when)

    def refund(name: str, of: str, when: datetime, minor: int, final: S | None) -> None:
        original = repo.get(ids[of])
        r, event = Payment.create(
            provider=original.provider,
            amount=Money(minor, original.amount.currency),
            msisdn=original.msisdn,
            now=when,
            till=original.till,
            product="refund",
            refund_of=original.reference_id,
        )
        repo.save_refund(r, event)
        ids[name] = r.reference_id
        repo.transition(r.reference_id, S.SUBMITTING, when)
        repo.transition(r.reference_id, S.PENDING, when)
        if final is not None:
            repo.transition(r.reference_id, final, when)

    pay("a", local(9, 10), 1500, S.SUCCESSFUL)
    pay("b", local(9, 40), 2500, S.SUCCESSFUL)
    pay("c", local(10, 5), 1000, S.FAILED)
    pay("d", local(11, 20), 4000, S.SUCCESSFUL)
    pay("e", local(10, 30), 10000, S.SUCCESSFUL, provider="mpesa", currency="KES")
    pay("f", local(12), 5000, S.EXPIRED, provider="mpesa", currency="KES")
    pay("g", local(17, 45), 700, S.PENDING)
    pay("h", local(18), 300, S.UNKNOWN)
    pay("yesterday", local(23, 59, date(2026, 11, 22)), 9999, S.SUCCESSFUL)
    pay("tomorrow", local(0, 0, date(2026, 11, 24)), 8888, S.SUCCESSFUL)
    pay("other till", local(13), 5000, S.SUCCESSFUL, till="Till 2")
    refund("d back", "d", local(11, 30), 4000, S.SUCCESSFUL)  # d is now refunded
    refund("a part", "a", local(15), 500, S.SUCCESSFUL)
    refund("b refused", "b", local(16), 1000, S.FAILED)
    refund("yesterday's", "yesterday", local(8), 999, S.SUCCESSFUL)  # made today: counts today
    refund("e waiting", "e", local(12, 30), 2000, None)  # M-Pesa, awaiting the owner
    return ids
