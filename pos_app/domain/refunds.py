"""When a payment may be refunded, and by how much.

A refund is its own payment (`product` "refund", `refund_of` the original), with its own
status. Money a refund may still pay out counts against the original until the refund has
*failed*: so two refunds in a row, or at once, can never give back more than was paid.
"""

from __future__ import annotations

from collections.abc import Iterable

from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus

S = PaymentStatus
REFUND = "refund"


def committed(refunds: Iterable[Payment]) -> int:
    """Minor units refunded or possibly on their way back (every refund not failed)."""
    return sum(r.amount.minor_units for r in refunds if r.status != S.FAILED)


def refunded(refunds: Iterable[Payment]) -> int:
    """Minor units certainly given back."""
    return sum(r.amount.minor_units for r in refunds if r.status == S.SUCCESSFUL)


def refundable(original: Payment, refunds: Iterable[Payment]) -> Money:
    """How much of `original` may still be refunded (zero if it cannot be)."""
    if original.product == REFUND or original.status != S.SUCCESSFUL:
        return Money(0, original.amount.currency)
    return Money(original.amount.minor_units - committed(refunds), original.amount.currency)


def check_refund(original: Payment, refunds: Iterable[Payment], amount: Money) -> None:
    """Raises ValidationError, in the owner's words, when this refund must not be made."""
    refunds = list(refunds)
    if original.product == REFUND:
        raise ValidationError("A refund cannot itself be refunded.")
    if original.status == S.REFUNDED:
        raise ValidationError("This payment has already been refunded in full.")
    if original.status != S.SUCCESSFUL:
        raise ValidationError(
            "Only a successful payment can be refunded; this one is {status}.",
            status=original.status.value,
        )
    if amount.currency != original.amount.currency:
        raise ValidationError(
            "The refund must be in {currency}, the payment's currency.",
            currency=original.amount.currency,
        )
    if amount.minor_units <= 0:
        raise ValidationError("The refund amount must be more than zero.")
    left = refundable(original, refunds)
    if amount.minor_units > left.minor_units:
        if left.minor_units == 0:
            raise ValidationError(
                "This payment is already being refunded in full: no more can be refunded."
            )
        raise ValidationError(
            "At most {left} can still be refunded ({pending} already refunded or on its way).",
            left=left.to_plain_string(),
            pending=Money(committed(refunds), amount.currency).to_plain_string(),
        )
