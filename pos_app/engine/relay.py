"""The owner's hub as the engine sees it: told what the till awaits, and telling the engine
what the providers' callbacks said. The link (pos_app.link) is one; without one, the engine
polls alone."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment


class Relay(Protocol):
    @property
    def up(self) -> bool:
        """Whether the hub is reachable and relaying now."""
        ...

    def start(self) -> None:
        """Start relaying (idempotent; in the running loop)."""
        ...

    async def aclose(self) -> None: ...

    def expect(self, payment: Payment) -> None:
        """Tell the hub that the till awaits this payment's callback (in the background,
        again after an outage, never raising)."""
        ...


@dataclass(frozen=True)
class Heard:
    """A provider's callback as the hub relayed it, matched there against what the till sent
    (request id, amount, phone). Not trusted until the provider's own answer agrees."""

    provider: str
    payment_id: str
    succeeded: bool
    receipt_code: str | None = None
    amount: Decimal | None = None
    source_listed: bool | None = None  # from an address its provider publishes (None: no list)


@dataclass(frozen=True)
class CustomerPaid:
    """A payment the customer made from their own phone to the shop's number (C2B), claimed
    for this till at the hub (exactly one till can)."""

    provider: str
    sale_id: str  # the till's reference id for it, given to the hub with the claim
    code: str  # the provider's transaction code
    amount: Money
    payer_name: str | None = None
    paid_at: str | None = None
