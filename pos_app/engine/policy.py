"""What the engine is given and gives back: a charge request, each provider's polling policy,
a reconciliation's findings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pos_app.domain.countries import Provider
from pos_app.domain.errors import Text
from pos_app.domain.money import Money
from pos_app.domain.payment import (
    OPEN_STATES,
    Payment,
    PaymentStatus,
)
from pos_app.domain.phone import PhoneNumber
from pos_app.engine.schedule import AdaptiveSchedule, Schedule
from pos_app.providers import registry

S = PaymentStatus
# What a reconciliation run asks about again: not final, or closed by expiry only.
TO_RECONCILE = OPEN_STATES | {S.EXPIRED}
Checkpoint = Callable[[str], None]
CREDENTIALS_CHECK_SECONDS = 5.0


@dataclass(frozen=True)
class PollPolicy:
    schedule: Schedule = field(default_factory=AdaptiveSchedule)
    approval_timeout: float = 300.0  # seconds after sending: then "expired"
    late_window: float = 900.0  # after expiry, keep listening this long for a late answer
    rate_limit: float = 10.0  # status queries per second to this provider, all payments
    not_found_grace: float = 30.0  # a 404 right after acceptance may be replication lag
    late_interval: float = 30.0  # how often to ask about an expired payment
    offline_first_delay: float = 2.0  # while the provider is unreachable: doubling from this
    offline_max_backoff: float = 60.0
    # A push refused before it was taken (a gateway's 503, a refused connection) is sent again
    # until this long after the first try; then it is left unknown (to be asked about) or
    # closed as not sent (a provider that cannot take a resend).
    send_deadline: float = 20.0
    # While the owner's hub relays callbacks, a payment's callback usually comes first: the
    # provider is asked far less often (still asked: a callback can be lost). One provider's
    # advice is to ask 5 minutes after a request whose callback has not come; these keep a
    # payment's final state within a minute.
    relaxed_first: float = 30.0
    relaxed_interval: float = 30.0


def not_set_up(provider: Provider) -> Text:
    return Text("{provider} is not set up at this till", provider=registry.name(provider))


@dataclass(frozen=True)
class ChargeRequest:
    """What the cashier asked for, already read: the engine checks the provider's rules."""

    provider: Provider
    amount: Money
    phone: PhoneNumber
    external_id: str | None = None  # the shop's order reference
    message: str | None = None  # shown to the customer, where the provider shows one
    cashier: str | None = None


@dataclass(frozen=True)
class Finding:
    """One payment looked at by a reconciliation run."""

    payment: Payment  # as it is after the run
    before: PaymentStatus
    note: Text  # what the provider said, or what a person must do

    @property
    def corrected(self) -> bool:
        return self.payment.status != self.before


def utc_now() -> datetime:
    return datetime.now(UTC)
