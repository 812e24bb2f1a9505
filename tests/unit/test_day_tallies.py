"""The day report from the tallies the store keeps (store/derived.py, store/tallies.py) says
exactly what the report computed from every payment of the day says (domain/report.py),
whatever the day holds and wherever the shop is: zones with half and three-quarter hour
offsets and days when clocks change; and the tallies kept are always those recounted from
scratch from the payments, also in a file that had payments before they existed."""

from __future__ import annotations

import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_app.domain.money import Money
from pos_app.domain.payment import IllegalTransition, Payment, PaymentStatus
from pos_app.domain.report import day_report
from pos_app.reports.day_report import day_filter, load
from pos_app.store import PaymentRepository, open_database
from pos_app.store.database import Database
from pos_app.store.derived import TALLIED, tally_key
from pos_app.store.migrations import MIGRATIONS, migrate
from tests.unit.test_repository import add, settle

S = PaymentStatus
# (zone, a day in it): clocks go forward or back that day, or the offset is not whole hours.
DAYS = [
    ("Africa/Nairobi", date(2026, 11, 23)),
    ("Asia/Kathmandu", date(2026, 11, 23)),  # +05:45
    ("America/St_Johns", date(2026, 11, 1)),  # -02:30 to -03:30 that night
    ("Europe/Paris", date(2026, 3, 29)),  # a 23-hour day
    ("Europe/Paris", date(2026, 10, 25)),  # a 25-hour day
]
FINAL = [S.SUCCESSFUL, S.SUCCESSFUL, S.FAILED, S.EXPIRED, S.PENDING, S.UNKNOWN, S.CREATED]


def recounted(db: Database) -> list[tuple[object, ...]]:
    """The tallies' counts and sums recomputed from every payment, by the very expressions
    the triggers use (first and last are not compared: they only widen)."""
    return db.execute(
        f"SELECT {', '.join(tally_key('payments'))}, count(*), sum(amount_minor)"
        " FROM payments GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7"
    ).fetchall()


def kept(db: Database) -> list[tuple[object, ...]]:
    """The tallies as the triggers kept them, without the emptied ones."""
    return db.execute(
        f"SELECT {', '.join(TALLIED)}, count, minor FROM payment_tallies WHERE count > 0"
        " ORDER BY 1, 2, 3, 4, 5, 6, 7"
    ).fetchall()


payment = st.tuples(
    st.integers(-6 * 3600, 30 * 3600),  # seconds from the local midnight starting the day
    st.integers(1, 10**7),
    st.sampled_from([("mtn", "UGX"), ("mtn", "XOF"), ("mpesa", "KES")]),
    st.sampled_from(FINAL),
    st.sampled_from(["Till 1", "Till 2"]),
    st.sampled_from([None, S.SUCCESSFUL, S.FAILED, S.PENDING]),  # a refund of it, if paid
)


def _fill(repo: PaymentRepository, midnight: datetime, rows: list[tuple]) -> None:  # type: ignore[type-arg]
    for seconds, minor, (provider, currency), final, till, refund in rows:
        at = midnight + timedelta(seconds=seconds)
        p = add(repo, at=at, minor=minor, provider=provider, currency=currency, till=till)
        if final in (S.SUCCESSFUL, S.FAILED, S.EXPIRED):
            settle(repo, p, final)
        elif final in (S.PENDING, S.UNKNOWN):
            repo.transition(p.reference_id, S.SUBMITTING, at)
            repo.transition(p.reference_id, final, at)
        if final == S.SUCCESSFUL and refund is not None:
            later = at + timedelta(seconds=seconds % 7200)  # sometimes the next day
            r, event = Payment.create(
                provider=provider,  # type: ignore[arg-type]
                amount=Money(max(1, minor // 2), currency),  # type: ignore[arg-type]
                msisdn=p.msisdn,
                now=later,
                till=till,
                product="refund",
                refund_of=p.reference_id,
            )
            repo.save_refund(r, event)
            repo.transition(r.reference_id, S.SUBMITTING, later)
            repo.transition(r.reference_id, S.PENDING, later)
            if refund != S.PENDING:
                repo.transition(r.reference_id, refund, later)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    where=st.sampled_from(DAYS),
    rows=st.lists(payment, max_size=25),
    till=st.sampled_from([None, "Till 1"]),
)
def test_the_counted_report_is_the_report_of_every_payment(
    where: tuple[str, date],
    rows: list[tuple],
    till: str | None,  # type: ignore[type-arg]
) -> None:
    zone, day = ZoneInfo(where[0]), where[1]
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
    with tempfile.TemporaryDirectory() as scratch:
        repo = PaymentRepository(open_database(Path(scratch) / "pos-app.sqlite3"))
        try:
            _fill(repo, midnight, rows)
            from_scratch = day_report(list(repo.each(day_filter(day, zone, till))), day, zone, till)
            assert load(repo, day, zone, till) == from_scratch
        finally:
            repo.close()


def test_a_day_with_payments_in_every_quarter_hour_has_them_in_their_local_hours(
    repo: PaymentRepository,
) -> None:
    zone, day = ZoneInfo("Asia/Kathmandu"), date(2026, 11, 23)
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
    for quarter in range(96):
        at = midnight + timedelta(minutes=15 * quarter + 14, seconds=59)
        settle(repo, add(repo, at=at, minor=100 + quarter), S.SUCCESSFUL)
    report = load(repo, day, zone, None)
    assert report.count == 96 and report.first and report.first.minute == 14
    assert report.per_hour == {
        hour: [Money(sum(100 + q for q in range(4 * hour, 4 * hour + 4)), "UGX")]
        for hour in range(24)
    }


def test_a_file_from_before_the_tallies_gets_them_for_every_payment(db_path: Path) -> None:
    zone, day = ZoneInfo("Africa/Nairobi"), date(2026, 11, 23)
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
    old = open_database(db_path, migrate=False)
    migrate(old, MIGRATIONS[:7])
    repo = PaymentRepository(old)
    rows = [
        (3600 * h, 1000 + h, ("mtn", "UGX"), FINAL[h % 7], "Till 1", S.SUCCESSFUL)
        for h in range(20)
    ]
    _fill(repo, midnight, rows)
    before = day_report(list(repo.each(day_filter(day, zone, None))), day, zone, None)
    repo.close()

    repo = PaymentRepository(open_database(db_path))  # migrates: the tallies counted once
    try:
        assert kept(repo._db) == recounted(repo._db) != []
        assert load(repo, day, zone, None) == before
        _fill(repo, midnight, rows[:3])  # and kept from then on
        assert kept(repo._db) == recounted(repo._db)
    finally:
        repo.close()


def test_the_tallies_are_kept_in_the_payment_s_own_transaction(repo: PaymentRepository) -> None:
    """A write that fails leaves the tallies as they were: they move with the payments."""
    p = add(repo, minor=500)
    before = kept(repo._db)
    with pytest.raises(IllegalTransition):
        repo.transition(p.reference_id, S.SUCCESSFUL, p.created_at)  # created -> paid: refused
    assert kept(repo._db) == before == recounted(repo._db)
    settle(repo, p, S.SUCCESSFUL)
    assert kept(repo._db) == recounted(repo._db) != before
