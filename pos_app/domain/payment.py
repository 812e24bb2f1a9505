"""The Payment and the one table of states it may move between."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from pos_app.domain.countries import Provider
from pos_app.domain.money import Money

# Where a receipt code came from: the provider's status answer, its callback relayed by the
# hub (verified by a status answer), a customer-initiated payment claimed at the till, or
# the cashier's typing.
RECEIPT_SOURCES = ("provider", "callback", "c2b", "cashier")
PROVIDERS_RECEIPTS = ("provider", "callback", "c2b")
CUSTOMER_PAYMENT = "c2b"  # the kind (product) of a customer's own payment taken at the till


class PaymentStatus(StrEnum):
    CREATED = "created"  # saved, nothing sent yet
    SUBMITTING = "submitting"  # the request is (or may be) on its way to the provider
    PENDING = "pending"  # the provider accepted it; the customer is deciding
    SUCCESSFUL = "successful"
    FAILED = "failed"  # with a reason
    EXPIRED = "expired"  # no final answer within the approval window
    UNKNOWN = "unknown"  # whether the provider received the request is not known
    REFUNDED = "refunded"


S = PaymentStatus

# Every legal move. Anything else raises IllegalTransition.
TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    S.CREATED: frozenset({S.SUBMITTING, S.FAILED}),
    S.SUBMITTING: frozenset({S.PENDING, S.SUCCESSFUL, S.FAILED, S.UNKNOWN}),
    S.PENDING: frozenset({S.SUCCESSFUL, S.FAILED, S.EXPIRED}),
    # Unknown is resolved by asking the provider: found (pending or final), never arrived (send
    # again with the same reference id), or still nothing after the approval window.
    S.UNKNOWN: frozenset({S.SUBMITTING, S.PENDING, S.SUCCESSFUL, S.FAILED, S.EXPIRED}),
    # A late final answer from the provider corrects an expiry.
    S.EXPIRED: frozenset({S.SUCCESSFUL, S.FAILED}),
    S.SUCCESSFUL: frozenset({S.REFUNDED}),
    S.FAILED: frozenset(),
    S.REFUNDED: frozenset(),
}

FINAL_STATES = frozenset({S.SUCCESSFUL, S.FAILED, S.EXPIRED, S.REFUNDED})
OPEN_STATES = frozenset(PaymentStatus) - FINAL_STATES
# The only ways out of a final state: a provider's late answer, and a refund of a success.
CORRECTIONS = frozenset({(S.EXPIRED, S.SUCCESSFUL), (S.EXPIRED, S.FAILED)})
REFUND = (S.SUCCESSFUL, S.REFUNDED)

# The people's words for a status: the window, the CSV, the reports, the receipts table and the
# command line's filters all say these (JSON keeps the machine values). Several statuses share
# a word: the cashier cannot act differently on a payment saved, being sent or pending.
PAID, REFUSED, WAITING, EXPIRED, UNKNOWN, REFUNDED = (
    "paid",
    "refused",
    "waiting",
    "expired",
    "unknown",
    "refunded",
)
WORDS = (PAID, REFUSED, WAITING, EXPIRED, UNKNOWN, REFUNDED)
STATUS_WORDS: dict[PaymentStatus, str] = {
    S.CREATED: WAITING,
    S.SUBMITTING: WAITING,
    S.PENDING: WAITING,
    S.SUCCESSFUL: PAID,
    S.FAILED: REFUSED,
    S.EXPIRED: EXPIRED,
    S.UNKNOWN: UNKNOWN,
    S.REFUNDED: REFUNDED,
}


def status_word(status: PaymentStatus) -> str:
    return STATUS_WORDS[status]


def statuses_of(word: str) -> frozenset[PaymentStatus]:
    """The statuses a people's word (`paid`) or a machine value (`successful`) stands for;
    ValueError for anything else."""
    text = word.strip().lower()
    statuses = frozenset(s for s, w in STATUS_WORDS.items() if w == text)
    if statuses:
        return statuses
    try:
        return frozenset({PaymentStatus(text)})
    except ValueError:
        raise ValueError(
            f"{word!r} is not a status: use one of {', '.join(WORDS)} "
            f"(or {', '.join(s.value for s in PaymentStatus if s.value not in WORDS)})"
        ) from None


def needs_resolving(payment: Payment, *, by_hand: bool) -> bool:
    """Whether only a person can settle this payment, at a provider whose payments are
    resolved `by_hand` (one that tells a desktop nothing about a push whose answer was lost,
    nor after the approval window, nor about a reversal)."""
    if not by_hand:
        return False
    if payment.refund_of is not None:
        return payment.status in (S.SUBMITTING, S.PENDING, S.UNKNOWN)
    return payment.status in (S.UNKNOWN, S.EXPIRED)


class IllegalTransition(Exception):
    def __init__(self, reference_id: str, current: PaymentStatus, target: PaymentStatus) -> None:
        super().__init__(f"payment {reference_id}: {current.value} cannot become {target.value}")
        self.current = current
        self.target = target


def can_transition(current: PaymentStatus, target: PaymentStatus) -> bool:
    return target in TRANSITIONS[current]


def new_reference_id() -> str:
    """The client-chosen id (UUID4) that names the payment at the provider for its whole life."""
    return str(uuid.uuid4())


# The canonical lower-case form of a version 4, RFC 4122 variant UUID. A pattern, not
# uuid.UUID(): every payment read checks it, and parsing was a third of a receipts page's cost.
_UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def is_uuid4(text: str) -> bool:
    """Some providers refuse any other version; the canonical lower-case form is what is stored."""
    return isinstance(text, str) and _UUID4.fullmatch(text) is not None


@dataclass(frozen=True)
class PaymentEvent:
    reference_id: str
    at: datetime
    from_status: PaymentStatus | None  # None for the payment's creation
    to_status: PaymentStatus
    reason: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def is_correction(self) -> bool:
        return (self.from_status, self.to_status) in CORRECTIONS


@dataclass(frozen=True)
class Payment:
    reference_id: str
    provider: Provider
    amount: Money
    msisdn: str
    created_at: datetime
    product: str = "collection"
    external_id: str | None = None  # the shop's order reference
    payer_message: str | None = None
    status: PaymentStatus = S.CREATED
    reason: str | None = None  # reason catalog code when failed
    provider_transaction_id: str | None = None  # the provider's receipt number
    provider_request_id: str | None = None  # the provider's own id for the request, if any
    # Who gave the receipt number: "provider" (its answer) or "cashier" (typed from the
    # customer's SMS, where the provider's status answer never carries it).
    receipt_source: str | None = None
    updated_at: datetime | None = None
    finalised_at: datetime | None = None
    till: str | None = None
    cashier: str | None = None
    refund_of: str | None = None  # for a refund: the reference id of the payment it refunds

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None:
            raise ValueError("created_at must be timezone-aware")
        if not is_uuid4(self.reference_id):
            raise ValueError(f"reference id must be a UUID4, not {self.reference_id!r}")

    @classmethod
    def create(
        cls,
        *,
        provider: Provider,
        amount: Money,
        msisdn: str,
        now: datetime,
        external_id: str | None = None,
        payer_message: str | None = None,
        till: str | None = None,
        cashier: str | None = None,
        product: str = "collection",
        refund_of: str | None = None,
        reference_id: str | None = None,
    ) -> tuple[Payment, PaymentEvent]:
        payment = cls(
            reference_id=reference_id or new_reference_id(),
            provider=provider,
            amount=amount,
            msisdn=msisdn,
            created_at=now,
            updated_at=now,
            external_id=external_id,
            payer_message=payer_message,
            till=till,
            cashier=cashier,
            product=product,
            refund_of=refund_of,
        )
        detail = {"refund_of": refund_of} if refund_of else {}
        return payment, PaymentEvent(payment.reference_id, now, None, S.CREATED, detail=detail)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATES

    def transition(
        self,
        target: PaymentStatus,
        now: datetime,
        *,
        reason: str | None = None,
        provider_transaction_id: str | None = None,
        provider_request_id: str | None = None,
        detail: dict[str, Any] | None = None,
        receipt_source: str = "provider",
    ) -> tuple[Payment, PaymentEvent]:
        """The payment in its new state, and the event that records the move. A receipt
        number comes from the provider's answer unless `receipt_source` says a person typed
        it ("cashier")."""
        if not can_transition(self.status, target):
            raise IllegalTransition(self.reference_id, self.status, target)
        changed = replace(
            self,
            status=target,
            # A reason explains this state only; a later move clears an earlier one.
            reason=reason,
            provider_transaction_id=provider_transaction_id or self.provider_transaction_id,
            receipt_source=receipt_source if provider_transaction_id else self.receipt_source,
            provider_request_id=provider_request_id or self.provider_request_id,
            updated_at=now,
            finalised_at=now if target in FINAL_STATES else None,
        )
        event = PaymentEvent(
            self.reference_id, now, self.status, target, reason, dict(detail or {})
        )
        return changed, event

    def add_receipt(
        self, code: str, now: datetime, source: str = "cashier"
    ) -> tuple[Payment, PaymentEvent]:
        """A receipt number the cashier read from the customer's confirmation SMS, or (source
        "callback") the provider's own from its verified callback, relayed by the hub. It never
        replaces the provider's own, and only a paid payment has one."""
        if self.status not in (S.SUCCESSFUL, S.REFUNDED):
            raise ValueError(f"payment {self.reference_id} is {self.status.value}, not paid")
        if self.receipt_source in PROVIDERS_RECEIPTS:
            raise ValueError(f"payment {self.reference_id} already has the provider's receipt")
        if source == "callback" and self.receipt_source is not None:
            raise ValueError(f"payment {self.reference_id} already has a receipt typed in")
        changed = replace(self, provider_transaction_id=code, receipt_source=source, updated_at=now)
        event = PaymentEvent(
            self.reference_id,
            now,
            self.status,
            self.status,
            detail={"receipt": code, "source": source},
        )
        return changed, event

    def note(self, detail: dict[str, Any], now: datetime) -> tuple[Payment, PaymentEvent]:
        """Something heard about the payment that changes nothing (an answer from the
        provider that was not understood), kept in its history."""
        return replace(self, updated_at=now), PaymentEvent(
            self.reference_id, now, self.status, self.status, detail=detail
        )

    def refund_succeeded(
        self, refund_id: str, refunded_minor: int, now: datetime
    ) -> tuple[Payment, PaymentEvent]:
        """A refund of this payment succeeded, `refunded_minor` now given back in all: the
        payment shows refunded once all of it is; a partial refund is an event only."""
        detail = {"refund": refund_id, "refunded": refunded_minor}
        if refunded_minor >= self.amount.minor_units:
            return self.transition(S.REFUNDED, now, detail=detail)
        if self.status != S.SUCCESSFUL:
            raise IllegalTransition(self.reference_id, self.status, S.SUCCESSFUL)
        changed = replace(self, updated_at=now)
        return changed, PaymentEvent(
            self.reference_id, now, self.status, self.status, detail=detail
        )
