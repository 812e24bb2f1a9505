"""The engine when the disk stops taking writes, at each moment of a payment. The errors are
SQLite's own, raised inside the real write transactions of a real file (the same moments are
met on a real full file system in tests/e2e/test_storage_faults.py and the window's test).

Persist-before-send holds: nothing is sent that is not on disk as being sent. An outcome heard
while the disk is full is kept in memory and written, in order, once the disk takes it again."""

from __future__ import annotations

import sqlite3

import pytest

from pos_app.domain.payment import PaymentStatus
from pos_app.engine.engine import PaymentEngine
from pos_app.engine.events import PaymentUpdate
from pos_app.store import DiskFull
from tests.conftest import charge_request
from tests.integration.conftest import EUR, World

S = PaymentStatus


class FullDisk:
    """From `after` more writes on, every write transaction fails as on a full disk."""

    def __init__(self, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
        self.writes_left: int | None = None
        append = world.repo._append

        def append_or_fail(event: object) -> None:
            if self.writes_left is not None:
                if self.writes_left <= 0:
                    error = sqlite3.OperationalError("database or disk is full")
                    error.sqlite_errorcode = 13
                    error.sqlite_errorname = "SQLITE_FULL"
                    raise error
                self.writes_left -= 1
            append(event)  # type: ignore[arg-type]

        monkeypatch.setattr(world.repo, "_append", append_or_fail)

    def fill(self, after: int = 0) -> None:
        self.writes_left = after

    def free(self) -> None:
        self.writes_left = None


@pytest.fixture
def disk(world: World, monkeypatch: pytest.MonkeyPatch) -> FullDisk:
    return FullDisk(world, monkeypatch)


def pushes(world: World) -> int:
    return world.mtn.requests["POST requesttopay"]


async def test_no_room_for_a_new_payment_sends_nothing(
    world: World, engine: PaymentEngine, disk: FullDisk
) -> None:
    disk.fill()
    with pytest.raises(DiskFull, match="full"):
        await engine.charge(charge_request("mtn", EUR, "256772123456"))
    assert pushes(world) == 0
    assert world.repo.list_open() == []
    disk.free()
    payment = await engine.charge(charge_request("mtn", EUR, "256772123456"))
    assert await engine.settle([payment.reference_id], timeout=5)
    assert world.repo.get(payment.reference_id).status == S.SUCCESSFUL


async def test_no_room_to_mark_it_as_sending_sends_nothing_and_records_so(
    world: World, engine: PaymentEngine, disk: FullDisk
) -> None:
    engine.save_retry = 0.05
    disk.fill(after=1)  # the new payment fits; its "sending" mark does not
    with pytest.raises(DiskFull):
        await engine.charge(charge_request("mtn", EUR, "256772123456"))
    assert pushes(world) == 0
    (kept,) = engine.unsaved()
    assert kept.status == S.FAILED and kept.reason == "app:NOT_SENT"
    assert world.repo.get(kept.reference_id).status == S.CREATED
    disk.free()
    assert await engine.all_saved(timeout=5)
    saved = world.repo.get(kept.reference_id)
    assert saved.status == S.FAILED and saved.reason == "app:NOT_SENT"
    assert pushes(world) == 0  # never sent, not even later
    assert world.repo.verify().intact


async def test_an_outcome_the_disk_cannot_take_is_kept_and_saved_once_it_can(
    world: World, engine: PaymentEngine, disk: FullDisk
) -> None:
    engine.save_retry = 0.05
    updates: list[PaymentUpdate] = []
    engine.bus.subscribe(updates.append)
    payment = await engine.charge(charge_request("mtn", EUR, "256772123456"))
    assert payment.status == S.PENDING
    disk.fill()  # the customer approves while the disk is full
    assert await engine.settle([payment.reference_id], timeout=5)
    assert engine.current(payment.reference_id).status == S.SUCCESSFUL
    assert world.repo.get(payment.reference_id).status == S.PENDING
    assert isinstance(updates[-1].unsaved, DiskFull)
    assert isinstance(engine.storage_problem, DiskFull)
    assert not await engine.all_saved(timeout=0.3)  # retried, still full

    disk.free()
    assert await engine.all_saved(timeout=5)
    saved = world.repo.get(payment.reference_id)
    assert saved.status == S.SUCCESSFUL and saved.provider_transaction_id
    assert updates[-1].unsaved is None and updates[-1].payment.status == S.SUCCESSFUL
    assert engine.storage_problem is None
    assert [e.to_status for e in world.repo.events(payment.reference_id)] == [
        S.CREATED,
        S.SUBMITTING,
        S.PENDING,
        S.SUCCESSFUL,
    ]
    assert world.mtn.accepted[payment.reference_id] == 1 and pushes(world) == 1
    assert world.repo.verify().intact


async def test_kept_changes_are_written_in_the_order_they_were_heard(
    world: World, engine: PaymentEngine, disk: FullDisk
) -> None:
    engine.save_retry = 0.05
    disk.fill(after=2)  # created and sending fit; accepted and paid wait
    payment = await engine.charge(charge_request("mtn", EUR, "256772123456"))
    assert payment.status == S.PENDING  # as heard, in memory
    assert await engine.settle([payment.reference_id], timeout=5)
    assert world.repo.get(payment.reference_id).status == S.SUBMITTING
    disk.free()
    assert await engine.all_saved(timeout=5)
    events = world.repo.events(payment.reference_id)
    assert [e.to_status for e in events] == [S.CREATED, S.SUBMITTING, S.PENDING, S.SUCCESSFUL]
    # Each change keeps the moment it was heard, not the moment it reached the disk.
    assert events[2].at <= events[3].at
    assert pushes(world) == 1


async def test_an_owner_decision_is_never_kept_in_memory(
    world: World, engine: PaymentEngine, disk: FullDisk
) -> None:
    """The owner is at the keyboard: a decision that cannot be saved is refused at once."""
    engine.save_retry = 0.05
    payment = await engine.charge(charge_request("mtn", EUR, "256772123456"))
    assert await engine.settle([payment.reference_id], timeout=5)
    disk.fill()
    with pytest.raises(DiskFull):
        await engine.refund(payment.reference_id, EUR)
    assert engine.unsaved() == []
    assert world.repo.refunds_of(payment.reference_id) == []


async def test_what_is_still_unsaved_at_the_end_is_written_to_the_log_in_full(
    world: World, disk: FullDisk, caplog: pytest.LogCaptureFixture
) -> None:
    engine = world.engine()
    engine.save_retry = 60  # no retry before the end
    payment = await engine.charge(charge_request("mtn", EUR, "256772123456"))
    disk.fill()
    assert await engine.settle([payment.reference_id], timeout=5)
    await engine.aclose()
    [line] = [r.getMessage() for r in caplog.records if "NOT SAVED" in r.getMessage()]
    assert payment.reference_id in line and "successful" in line
    assert "provider_transaction_id" in line  # the receipt, to record it by hand


async def test_a_last_pass_at_the_end_saves_what_the_disk_takes_again(
    world: World, disk: FullDisk
) -> None:
    engine = world.engine()
    engine.save_retry = 60
    payment = await engine.charge(charge_request("mtn", EUR, "256772123456"))
    disk.fill()
    assert await engine.settle([payment.reference_id], timeout=5)
    disk.free()
    await engine.aclose()
    assert world.repo.get(payment.reference_id).status == S.SUCCESSFUL
