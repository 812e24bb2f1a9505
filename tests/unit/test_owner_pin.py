"""The owner's PIN: scrypt hashing, what a PIN must look like, the growing lock-out after
wrong PINs (counted from the recorded attempts, so a restart does not reset it), and every
attempt and owner action in the tamper-evident owner log."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pos_app.domain import owner_pin
from pos_app.domain.errors import ValidationError
from pos_app.engine.owner import NoOwnerPin, OwnerGate, OwnerLocked, WrongPin
from pos_app.store import PaymentRepository, open_database
from tests.unit.test_repository import T0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def gate(repo: PaymentRepository, clock: Clock) -> OwnerGate:
    return OwnerGate(repo.owner_log, "Till 1", clock)


def test_hash_is_salted_scrypt_and_checks_only_the_right_pin() -> None:
    first, second = owner_pin.hash_pin("480213"), owner_pin.hash_pin("480213")
    assert first.startswith("scrypt$16384$8$1$") and "480213" not in first
    assert first != second  # a new salt each time
    assert owner_pin.pin_matches("480213", first) and owner_pin.pin_matches("480213", second)
    assert not owner_pin.pin_matches("480214", first)
    assert not owner_pin.pin_matches("480213", "scrypt$broken")
    assert not owner_pin.pin_matches("480213", first.replace("scrypt", "md5"))


def test_hash_matches_hashlib_scrypt_with_the_stored_salt() -> None:
    import hashlib

    stored = owner_pin.hash_pin("7391", salt=bytes(range(16)))
    expected = hashlib.scrypt(b"7391", salt=bytes(range(16)), n=2**14, r=8, p=1, dklen=32)
    assert stored == f"scrypt$16384$8$1${bytes(range(16)).hex()}${expected.hex()}"


@pytest.mark.parametrize(
    "pin", ["", "123", "1234567890123", "12a4", "١٢٣٤٥", "0000", "1234", "98765", " 4821"]
)
def test_weak_or_malformed_pins_are_refused(pin: str) -> None:
    with pytest.raises(ValidationError):
        owner_pin.check_new_pin(pin)


def test_lockout_grows_after_the_free_tries() -> None:
    delays = [owner_pin.lockout_seconds(n) for n in range(0, 12)]
    assert delays[:3] == [0, 0, 0]
    assert delays[3:7] == [30, 60, 120, 240]
    assert delays[-1] == 3600  # capped at an hour


def test_no_pin_yet_means_owner_actions_wait_for_one(gate: OwnerGate) -> None:
    assert not gate.has_pin()
    with pytest.raises(NoOwnerPin):
        gate.unlock("480213", "settings")


def test_first_pin_then_unlock_records_who_and_when(
    gate: OwnerGate, repo: PaymentRepository, clock: Clock, db_path: Path
) -> None:
    gate.set_pin("480213")
    clock.advance(60)
    gate.unlock("480213", "settings")
    gate.record("settings saved", {"changed": ["shop.name"]})
    actions = repo.owner_log.recent()
    assert [(a.action, a.role, a.till, a.at) for a in actions] == [
        ("settings saved", "owner", "Till 1", T0 + timedelta(seconds=60)),
        ("pin accepted", "owner", "Till 1", T0 + timedelta(seconds=60)),
        ("pin set", "owner", "Till 1", T0),
    ]
    assert actions[1].detail == {"for": "settings"}
    with closing(sqlite3.connect(db_path)) as conn:
        dump = "\n".join(conn.iterdump())
    assert "480213" not in dump  # only the hash is stored


def test_changing_the_pin_needs_the_current_one(gate: OwnerGate) -> None:
    gate.set_pin("480213")
    with pytest.raises(NoOwnerPin):
        gate.set_pin("715930")
    with pytest.raises(WrongPin):
        gate.set_pin("715930", current="111222")
    gate.set_pin("715930", current="480213")
    gate.unlock("715930", "refund")
    with pytest.raises(WrongPin):
        gate.unlock("480213", "refund")


def test_wrong_pins_lock_owner_actions_for_a_growing_delay(gate: OwnerGate, clock: Clock) -> None:
    gate.set_pin("480213")
    for _ in range(2):
        with pytest.raises(WrongPin):
            gate.unlock("000111", "refund")
    with pytest.raises(OwnerLocked) as locked:
        gate.unlock("000111", "refund")  # the third wrong PIN locks for 30 s
    assert locked.value.seconds == 30
    # While locked even the right PIN is not tried (and not counted).
    clock.advance(29)
    with pytest.raises(OwnerLocked):
        gate.unlock("480213", "refund")
    clock.advance(1)
    with pytest.raises(OwnerLocked) as locked:
        gate.unlock("000111", "refund")
    assert locked.value.seconds == 60  # the fourth doubles it
    clock.advance(60)
    gate.unlock("480213", "refund")  # the right PIN resets the count
    assert gate.locked_for() == 0
    with pytest.raises(WrongPin):
        gate.unlock("000111", "refund")


def test_lockout_survives_a_restart(repo: PaymentRepository, clock: Clock, db_path: Path) -> None:
    OwnerGate(repo.owner_log, "Till 1", clock).set_pin("480213")
    for _ in range(3):
        with pytest.raises((WrongPin, OwnerLocked)):
            OwnerGate(repo.owner_log, "Till 1", clock).unlock("999000", "export")
    reopened = PaymentRepository(open_database(db_path))
    try:
        clock.advance(10)
        assert OwnerGate(reopened.owner_log, "Till 1", clock).locked_for() == 20
    finally:
        reopened.close()


def test_owner_log_is_append_only_and_tamper_evident(
    gate: OwnerGate, repo: PaymentRepository, db_path: Path
) -> None:
    gate.set_pin("480213")
    gate.unlock("480213", "settings")
    verdict = repo.verify()
    assert verdict.intact and verdict.owner_actions == 2
    with closing(sqlite3.connect(db_path)) as conn:
        for sql in ("UPDATE owner_actions SET role = 'owner'", "DELETE FROM owner_actions"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(sql)
        # An intruder drops the trigger and swaps in a PIN hash of their own.
        conn.execute("DROP TRIGGER owner_actions_no_update")
        forged = owner_pin.hash_pin("111999")
        conn.execute(
            "UPDATE owner_actions SET detail = ? WHERE action = 'pin set'",
            [f'{{"pin_hash": "{forged}"}}'],
        )
        conn.commit()
    verdict = repo.verify()
    assert not verdict.intact
    assert verdict.problem is not None and "owner action 1 (pin set" in verdict.problem
