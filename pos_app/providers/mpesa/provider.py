"""M-Pesa behind the engine's PaymentProvider interface (STK Push for payments, Reversal for
refunds)."""

from __future__ import annotations

from pos_app.domain.countries import Provider
from pos_app.domain.errors import Text
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment
from pos_app.providers.base import (
    AccountHolder,
    ConfigurationProblem,
    Health,
    RequestRejected,
    StatusReport,
    Submission,
    circuit_health,
    token_health,
)
from pos_app.providers.mpesa import rules
from pos_app.providers.mpesa.client import Initiator, MpesaClient


class MpesaProvider:
    name: Provider = "mpesa"

    def __init__(self, client: MpesaClient, initiator: Initiator | None = None) -> None:
        self.client = client
        self.initiator = initiator

    async def credentials_accepted(self, *, refund: bool = False) -> None:
        await self.client.tokens.get()

    async def request_payment(self, payment: Payment, note: str) -> Submission:
        body = self.client.stk_push_body(
            amount=rules.whole_shillings(payment.amount),
            msisdn=payment.msisdn,
            account_reference=rules.account_reference(
                payment.external_id, fallback=payment.reference_id
            ),
            description=rules.transaction_desc(payment.payer_message or note),
        )
        return await self.client.stk_push(body)

    async def payment_status(self, payment: Payment) -> StatusReport:
        if not payment.provider_request_id:
            raise RequestRejected(
                Text(
                    "this M-Pesa payment has no CheckoutRequestID (its prompt's answer was "
                    "lost): check the customer's confirmation SMS"
                )
            )
        return await self.client.stk_query(payment.provider_request_id)

    async def refund(
        self, payment: Payment, refund_reference_id: str, amount: Money, note: str
    ) -> Submission:
        """Submits a Reversal. Its result goes to the ResultURL, not to this desktop."""
        if self.initiator is None:
            raise ConfigurationProblem(
                Text(
                    "M-Pesa refunds need [mpesa] initiator_name, certificate, result_url and "
                    "the initiator password"
                )
            )
        if not payment.provider_transaction_id:
            raise RequestRejected(
                Text("add the M-Pesa code from the customer's SMS before refunding")
            )
        return await self.client.reversal(
            self.initiator,
            payment.provider_transaction_id,
            rules.whole_shillings(amount),
            note or "Refund",
        )

    def sends_refund(self, original: Payment) -> bool:
        """A Reversal needs an API initiator and the payment's M-Pesa code."""
        return self.initiator is not None and bool(original.provider_transaction_id)

    async def refund_status(self, refund: Payment) -> StatusReport:
        raise RequestRejected(
            Text(
                "M-Pesa sends a reversal's result to the ResultURL only: confirm the refund "
                "with the code from M-Pesa's reversal message"
            )
        )

    async def account_holder(self, msisdn: str) -> AccountHolder:
        raise RequestRejected(Text("M-Pesa does not tell a till who holds a number"))

    async def check_health(self) -> Health:
        return await token_health("M-Pesa", self.client.breaker, self.client.tokens)

    def health(self) -> Health:
        return circuit_health("M-Pesa", self.client.breaker)

    async def aclose(self) -> None:
        await self.client.aclose()
