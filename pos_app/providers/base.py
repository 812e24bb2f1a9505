"""The small async interface the engine uses for any mobile-money provider.

Providers return domain types (status, catalog reason, receipt number), never raw JSON, and
raise the errors below; each error says whether the request may have reached the provider.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from pos_app.domain.countries import Provider
from pos_app.domain.errors import Text, message_of
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment
from pos_app.domain.reasons import Reason
from pos_app.providers.resilience import CircuitBreaker

if TYPE_CHECKING:  # tokens.py raises the errors defined here
    from pos_app.providers.tokens import TokenCache


class RemoteStatus(StrEnum):
    PENDING = "pending"  # still in progress (incl. MTN's CREATED and any unknown status)
    SUCCESSFUL = "successful"
    FAILED = "failed"
    NOT_FOUND = "not_found"  # the provider has no such request: it never arrived


@dataclass(frozen=True)
class Submission:
    """The provider accepted a request (it is now pending at the provider)."""

    provider_request_id: str | None = None  # e.g. M-Pesa CheckoutRequestID
    already_existed: bool = False  # a resend found the first attempt had arrived
    detail: dict[str, Any] = field(default_factory=dict)
    # The request named the owner's hub as its callback URL: the outcome will come through it.
    to_hub: bool = False


@dataclass(frozen=True)
class StatusReport:
    status: RemoteStatus
    reason: Reason | None = None
    receipt: str | None = None  # the provider's transaction id, printed on the receipt
    detail: dict[str, Any] = field(default_factory=dict)  # safe to store (no secrets)


@dataclass(frozen=True)
class Health:
    reachable: bool
    circuit: str  # "closed", "open" or "half-open"
    message: str = ""


@dataclass(frozen=True)
class AccountHolder:
    active: bool
    name: str | None = None


class ProviderError(Exception):
    """Base of every provider failure. `delivered` tells whether the request may have arrived."""

    delivered: bool | None = None  # True: arrived, False: certainly not, None: cannot know


class ConfigurationProblem(ProviderError):
    """Wrong credentials, subscription key, environment or account set-up: a person must act."""

    delivered = False


class RequestRejected(ProviderError):
    """The provider refused this request as it is (bad input); sending it again cannot help."""

    delivered = False

    def __init__(self, message: str, reason: Reason | None = None) -> None:
        super().__init__(message)
        self.reason = reason


class ProviderUnavailable(ProviderError):
    """Network down, provider failing or rate limiting after retries, or circuit open."""

    def __init__(self, message: str, *, delivered: bool | None) -> None:
        super().__init__(message)
        self.delivered = delivered


class MalformedResponse(ProviderError):
    """The provider answered with something we cannot read; the answer is ignored."""

    delivered = None


class UnclearAnswer(MalformedResponse):
    """An answer to a status question that is not understood. It never ends the follow-up:
    the payment is asked about again, with backoff, until it settles or expires, and its
    history records each such answer once (`answer` is what to record: no secrets)."""

    def __init__(self, message: str, answer: dict[str, Any]) -> None:
        super().__init__(message)
        self.answer = answer


class PaymentProvider(Protocol):
    name: Provider

    async def credentials_accepted(self, *, refund: bool = False) -> None:
        """Raises ConfigurationProblem when the provider refuses this till's credentials for
        payments (or for refunds): a token fetched, or the cached one taken."""
        ...

    async def request_payment(self, payment: Payment, note: str) -> Submission: ...

    async def payment_status(self, payment: Payment) -> StatusReport: ...

    async def refund(
        self, payment: Payment, refund_reference_id: str, amount: Money, note: str
    ) -> Submission: ...

    async def refund_status(self, refund: Payment) -> StatusReport: ...

    def sends_refund(self, original: Payment) -> bool:
        """Whether this till can send a refund of `original` itself (else a person makes it
        with the provider, then confirms it here)."""
        ...

    async def account_holder(self, msisdn: str) -> AccountHolder:
        """The wallet's holder, for the cashier's "Check customer" (raises RequestRejected
        where the provider has no such question: its spec says whether it has)."""
        ...

    async def check_health(self) -> Health: ...

    def health(self) -> Health: ...

    async def aclose(self) -> None: ...


def circuit_health(label: str, breaker: CircuitBreaker) -> Health:
    state = breaker.state.value
    if state == "closed":
        return Health(True, state, Text("{provider} reachable", provider=label))
    return Health(
        False,
        state,
        Text(
            "{provider} unreachable (retrying in {seconds} s)",
            provider=label,
            seconds=f"{breaker.seconds_until_probe():.0f}",
        ),
    )


async def token_health(label: str, breaker: CircuitBreaker, tokens: TokenCache) -> Health:
    """Reachable and credentials accepted: a token fetch (cached when still fresh)."""
    try:
        await tokens.get()
    except ProviderError as exc:
        return Health(False, breaker.state.value, message_of(exc))
    return circuit_health(label, breaker)
