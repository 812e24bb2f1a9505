"""The owner's hub as the engine sees it: told what the till awaits, and telling the engine
what the providers' callbacks said. The link (pos_app.link) is one; without one, the engine
polls alone."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from pos_app.domain.payment import Payment

# While the hub is up a payment's callback usually comes first: the provider is asked far less
# often (still asked: a callback can be lost). One provider's own advice is to ask 5 minutes
# after a request whose callback has not come; this keeps a final state within a minute.
RELAXED_FIRST = 30.0
RELAXED_INTERVAL = 30.0


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
    code: str | None = None
    receipt_code: str | None = None
    amount: Decimal | None = None
