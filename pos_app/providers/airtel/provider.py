"""Airtel Money behind the engine's PaymentProvider interface."""

from __future__ import annotations

import re

import phonenumbers

from pos_app.domain.countries import Provider
from pos_app.domain.errors import Text
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment
from pos_app.providers.airtel.client import AirtelClient
from pos_app.providers.base import (
    AccountHolder,
    ConfigurationProblem,
    Health,
    RemoteStatus,
    RequestRejected,
    StatusReport,
    Submission,
    UnclearAnswer,
    circuit_health,
    token_health,
)
from pos_app.providers.plain_text import plain

REFERENCE_LENGTH = 64  # Airtel's `reference`: 4 to 64 letters and digits
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9 ]")


def transaction_id(payment: Payment) -> str:
    """Our payment id as Airtel's transaction id: letters and digits only (a UUID's hex), the
    same on every resend, so Airtel recognises it and it can be asked about."""
    return payment.reference_id.replace("-", "")


def reference(text: str | None, fallback: str) -> str:
    cleaned = plain(text, _NOT_ALLOWED, REFERENCE_LENGTH)
    return cleaned if len(cleaned) >= 4 else fallback[:REFERENCE_LENGTH]


class AirtelProvider:
    name: Provider = "airtel"

    def __init__(self, client: AirtelClient, digits: int | None) -> None:
        self.client = client
        self.currency = client.currency
        self.digits = digits  # of the national number, where known

    def national(self, msisdn: str) -> str:
        """The number without its country code, as Airtel wants it."""
        try:
            number = phonenumbers.parse(f"+{msisdn}")
        except phonenumbers.NumberParseException as exc:
            raise RequestRejected(f"{msisdn!r} is not a phone number") from exc
        # With its leading zero where the plan keeps one (Congo, Gabon).
        national = phonenumbers.national_significant_number(number)
        if self.digits is not None and len(national) != self.digits:
            raise RequestRejected(
                Text(
                    "Airtel {country} numbers have {digits} digits after the country code",
                    country=self.client.country,
                    digits=self.digits,
                )
            )
        return national

    def _check_currency(self, amount: Money) -> None:
        if amount.currency != self.currency:
            raise ConfigurationProblem(
                Text(
                    "this Airtel account takes {currency}, not {other}",
                    currency=self.currency,
                    other=amount.currency,
                )
            )

    async def credentials_accepted(self, *, refund: bool = False) -> None:
        await self.client.tokens.get()

    async def request_payment(self, payment: Payment, note: str) -> Submission:
        self._check_currency(payment.amount)
        amount = payment.amount.amount
        number = int(amount) if amount == amount.to_integral_value() else float(amount)
        return await self.client.push(
            transaction_id(payment),
            self.national(payment.msisdn),
            number,
            reference(payment.payer_message or note, transaction_id(payment)),
        )

    async def payment_status(self, payment: Payment) -> StatusReport:
        return await self.client.status(transaction_id(payment))

    async def refund(
        self, payment: Payment, refund_reference_id: str, amount: Money, note: str
    ) -> Submission:
        if amount != payment.amount:
            raise RequestRejected("Airtel refunds a payment in full only")
        if not payment.provider_transaction_id:
            raise RequestRejected("Airtel refunds only a paid payment with its Airtel id")
        return await self.client.refund(payment.provider_transaction_id)

    def sends_refund(self, original: Payment) -> bool:
        return bool(original.provider_transaction_id)

    async def refund_status(self, refund: Payment) -> StatusReport:
        # Airtel answers a refund at once and documents no way to ask about one later.
        if refund.provider_request_id:
            receipt = refund.provider_request_id
            return StatusReport(RemoteStatus.SUCCESSFUL, receipt=receipt, detail={"id": receipt})
        raise UnclearAnswer(
            "Airtel cannot be asked about a refund whose answer was lost: check it on Airtel's "
            "portal",
            {"refund": "no answer kept"},
        )

    async def account_holder(self, msisdn: str) -> AccountHolder:
        return await self.client.account_holder(self.national(msisdn))

    async def check_health(self) -> Health:
        return await token_health("Airtel", self.client.breaker, self.client.tokens)

    def health(self) -> Health:
        return circuit_health("Airtel", self.client.breaker)

    async def aclose(self) -> None:
        await self.client.aclose()
