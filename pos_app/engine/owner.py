"""The owner's PIN in use: set it once, ask for it before each owner-only action, lock those
actions for a growing delay after repeated wrong PINs, and record every attempt and action.

The lock-out is counted from the recorded attempts, so closing the app does not reset it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from pos_app.domain.errors import ValidationError
from pos_app.domain.owner_pin import check_new_pin, hash_pin, lockout_seconds, pin_matches
from pos_app.domain.payment import Payment
from pos_app.engine.engine import Finding
from pos_app.store.owner_log import (
    PIN_ACCEPTED,
    PIN_REFUSED,
    PIN_SET,
    OwnerAction,
    OwnerLog,
    Role,
)


class NoOwnerPin(Exception):
    """Owner actions need a PIN and none has been set."""


class OwnerLocked(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"too many wrong PINs: owner actions are locked for {seconds:.0f} s")
        self.seconds = seconds


class WrongPin(ValidationError):
    pass


class OwnerGate:
    def __init__(
        self,
        log: OwnerLog,
        till: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._log = log
        self._till = till
        self._clock = clock

    def has_pin(self) -> bool:
        return self._stored() is not None

    def _stored(self) -> str | None:
        latest = self._log.latest([PIN_SET])
        return str(latest.detail["pin_hash"]) if latest else None

    def locked_for(self) -> float:
        """Seconds until a PIN may be tried again (0 when it may now)."""
        wrong, last = self._log.refused_in_a_row()
        if last is None:
            return 0.0
        remaining = lockout_seconds(wrong) - (self._clock() - last).total_seconds()
        return max(0.0, remaining)

    def set_pin(self, new: str, current: str | None = None, again: str | None = None) -> None:
        """Set the first PIN, or change it given the current one; `again`, when given, is
        the new PIN typed a second time."""
        if again is not None and again != new:
            raise ValidationError("The two PINs differ; nothing was changed.")
        pin = check_new_pin(new)
        if self.has_pin():
            if current is None:
                raise NoOwnerPin("give the current PIN to change it")
            self.unlock(current, "change PIN")
        self._log.record(
            OwnerAction(self._clock(), "owner", PIN_SET, self._till, {"pin_hash": hash_pin(pin)})
        )

    def unlock(self, pin: str, purpose: str) -> None:
        """Check the PIN for one owner action; raises NoOwnerPin, OwnerLocked or WrongPin."""
        stored = self._stored()
        if stored is None:
            raise NoOwnerPin("set the owner PIN first")
        if (wait := self.locked_for()) > 0:
            raise OwnerLocked(wait)
        if not pin_matches(pin, stored):
            self._record(PIN_REFUSED, "cashier", {"for": purpose})
            wrong, _ = self._log.refused_in_a_row()
            if (wait := lockout_seconds(wrong)) > 0:
                raise OwnerLocked(wait)
            raise WrongPin("Wrong PIN.")
        self._record(PIN_ACCEPTED, "owner", {"for": purpose})

    def record(self, action: str, detail: dict[str, Any] | None = None) -> None:
        """An owner action done (after `unlock`)."""
        self._record(action, "owner", detail or {})

    def refunded(self, refund: Payment) -> None:
        self.record(
            "refund",
            {
                "payment": refund.refund_of,
                "refund": refund.reference_id,
                "amount": refund.amount.to_plain_string(),
                "currency": refund.amount.currency,
            },
        )

    def resolved(self, payment: Payment, receipt: str | None) -> None:
        self.record(
            "resolve",
            {"payment": payment.reference_id, "status": payment.status.value, "receipt": receipt},
        )

    def reconciled(self, day: date, findings: Sequence[Finding]) -> None:
        self.record(
            "reconcile day",
            {
                "day": day.isoformat(),
                "checked": len(findings),
                "corrected": [f.payment.reference_id for f in findings if f.corrected],
            },
        )

    def exported(self, day: date, fmt: str, till: str | None) -> None:
        self.record("export", {"day": day.isoformat(), "format": fmt, "till": till})

    def _record(self, action: str, role: Role, detail: dict[str, Any]) -> None:
        self._log.record(OwnerAction(self._clock(), role, action, self._till, detail))
