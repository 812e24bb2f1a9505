"""MTN MoMo behind the engine's PaymentProvider interface (Collection for payments,
Disbursement for refunds)."""

from __future__ import annotations

from pos_app.domain.countries import Provider
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment
from pos_app.providers.base import (
    AccountHolder,
    ConfigurationProblem,
    Health,
    StatusReport,
    Submission,
    circuit_health,
    token_health,
)
from pos_app.providers.mtn.client import MtnClient
from pos_app.providers.mtn.text import sanitize_note


class MtnProvider:
    name: Provider = "mtn"

    def __init__(self, client: MtnClient, currency: str) -> None:
        self.client = client
        self.currency = currency

    def _check_currency(self, amount: Money) -> None:
        if amount.currency != self.currency:
            raise ConfigurationProblem(
                f"this MTN account takes {self.currency}, not {amount.currency}"
                + (" (the MTN sandbox takes EUR only)" if self.currency == "EUR" else "")
            )

    @staticmethod
    def _external_id(payment: Payment) -> str:
        return payment.external_id or payment.reference_id

    async def credentials_accepted(self, *, refund: bool = False) -> None:
        await self.client.tokens["disbursement" if refund else "collection"].get()

    async def request_payment(self, payment: Payment, note: str) -> Submission:
        self._check_currency(payment.amount)
        body = {
            "amount": payment.amount.to_plain_string(),
            "currency": payment.amount.currency,
            "externalId": self._external_id(payment),
            "payer": {"partyIdType": "MSISDN", "partyId": payment.msisdn},
            "payerMessage": sanitize_note(payment.payer_message, fallback=note),
            "payeeNote": sanitize_note(note),
        }
        return await self.client.request_to_pay(payment.reference_id, body)

    async def payment_status(self, payment: Payment) -> StatusReport:
        expected = {
            "amount": payment.amount.to_plain_string(),
            "currency": payment.amount.currency,
            "partyId": payment.msisdn,
            "externalId": self._external_id(payment),
        }
        return await self.client.request_to_pay_status(payment.reference_id, expected)

    async def refund(
        self, payment: Payment, refund_reference_id: str, amount: Money, note: str
    ) -> Submission:
        self._check_currency(amount)
        body = {
            "amount": amount.to_plain_string(),
            "currency": amount.currency,
            "externalId": self._external_id(payment),
            "payerMessage": sanitize_note(note, fallback="Refund"),
            "payeeNote": sanitize_note(note, fallback="Refund"),
            "referenceIdToRefund": payment.reference_id,
        }
        return await self.client.refund(refund_reference_id, body)

    def sends_refund(self, original: Payment) -> bool:
        return True

    async def refund_status(self, refund: Payment) -> StatusReport:
        return await self.client.refund_status(refund.reference_id)

    async def account_holder(self, msisdn: str) -> AccountHolder:
        return await self.client.account_holder(msisdn)

    async def check_health(self) -> Health:
        client = self.client
        return await token_health("MTN", client.breakers["collection"], client.tokens["collection"])

    def health(self) -> Health:
        return circuit_health("MTN", self.client.breakers["collection"])

    async def aclose(self) -> None:
        await self.client.aclose()
