"""What the window shows of a payment's provider, asked of the registry: its names, the code a
person types from the customer's SMS, what it can do.

A payment of a provider no longer installed still shows (by its id), and is treated as one
that can do nothing special: no code to type, nothing to resolve by hand.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from pos_app.domain.payment import Payment, needs_resolving
from pos_app.domain.receipt_codes import ReceiptCode
from pos_app.providers import registry
from pos_app.providers.spec import Capabilities

CODE_CONTEXT = "ReceiptCode"  # the translators' context of the receipt codes' names


def short_name(provider: str) -> str:
    """Where room is short: the status bar."""
    found = registry.spec(provider)
    return found.short_name if found is not None else provider


def capabilities(provider: str) -> Capabilities | None:
    found = registry.spec(provider)
    return found.capabilities if found is not None else None


def receipt_code(provider: str) -> ReceiptCode | None:
    """The code a person types from the customer's SMS, where the provider has one."""
    found = registry.spec(provider)
    return found.receipt_code if found is not None else None


def code_from_sms(provider: str) -> ReceiptCode | None:
    """The code the customer's SMS has and the provider's status answer does not: the one a
    cashier may type for a paid payment."""
    found = registry.spec(provider)
    if found is None or found.capabilities.status_gives_receipt:
        return None
    return found.receipt_code


def code_name(code: ReceiptCode) -> str:
    """The code's name in the cashier's language, as it starts a sentence."""
    translated = QCoreApplication.translate(CODE_CONTEXT, code.name)
    return translated[:1].upper() + translated[1:]


def code_name_within(code: ReceiptCode) -> str:
    """The code's name in the cashier's language, within a sentence."""
    return QCoreApplication.translate(CODE_CONTEXT, code.name)


def needs_a_person(payment: Payment) -> bool:
    """Whether only the owner can settle this payment (its provider tells the till nothing
    more about it)."""
    can = capabilities(payment.provider)
    refund = payment.refund_of is not None
    return needs_resolving(payment, by_hand=can is not None and can.by_hand(refund))
