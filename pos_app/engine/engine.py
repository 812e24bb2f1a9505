"""The payment engine: durable payments driven to their outcome by asking the providers.

Every payment is committed before any request leaves the machine, and every change is one
transaction with its event. One task follows each open payment until it is final: it sends it
(or, after a crash, finds out whether an earlier attempt arrived), then polls on an adaptive
schedule, within a bound on concurrent requests and each provider's rate limit. A payment with
no answer within the approval window is marked expired, but a late answer still corrects it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from datetime import date, tzinfo

from pos_app.domain.countries import Provider
from pos_app.domain.errors import Text, ValidationError
from pos_app.domain.money import Money
from pos_app.domain.payment import (
    Payment,
    PaymentStatus,
    needs_resolving,
)
from pos_app.domain.reasons import app_reason
from pos_app.domain.refunds import REFUND
from pos_app.engine.events import PaymentUpdate
from pos_app.engine.following import Stop
from pos_app.engine.hearing import Hearing
from pos_app.engine.policy import (
    TO_RECONCILE,
    ChargeRequest,
    Checkpoint,
    Finding,
    PollPolicy,
    not_set_up,
)
from pos_app.providers import registry
from pos_app.providers.base import (
    ConfigurationProblem,
    Health,
    RemoteStatus,
)
from pos_app.store.repository import PaymentFilter, local_day

log = logging.getLogger(__name__)
S = PaymentStatus

_SAID = {
    RemoteStatus.SUCCESSFUL: Text("the provider says it succeeded"),
    RemoteStatus.FAILED: Text("the provider says it failed"),
    RemoteStatus.PENDING: Text("still pending at the provider"),
}
__all__ = ["ChargeRequest", "Checkpoint", "Finding", "PaymentEngine", "PollPolicy", "not_set_up"]


class PaymentEngine(Hearing):
    """Durable payments driven to their outcome (the module's docstring)."""

    def create(self, request: ChargeRequest) -> Payment:
        """Check and commit a new payment (nothing is sent yet)."""
        self.check(request)
        return self._save(request)

    def _save(self, request: ChargeRequest) -> Payment:
        payment, event = Payment.create(
            provider=request.provider,
            amount=request.amount,
            msisdn=request.phone.msisdn,
            now=self._clock(),
            external_id=request.external_id,
            payer_message=request.message,
            till=self.till,
            cashier=request.cashier,
        )
        self.repository.save_new(payment, event)
        self._created.add(payment.reference_id)
        self.bus.publish(PaymentUpdate(payment, event))
        self._checkpoint("saved")
        return payment

    async def charge(self, request: ChargeRequest) -> Payment:
        """Create, send and follow a payment; returns once the provider has the request (or
        refused it), while polling goes on in the background."""
        self.check(request)  # before waiting for anything: a wrong amount is said at once
        await self._take_turn()
        await self._credentials_accepted(request.provider)
        payment = await self._send_new(self._save(request))
        self.follow(payment.reference_id)
        return payment

    async def refund(self, reference_id: str, amount: Money, note: str = "Refund") -> Payment:
        """Refund (part of) a successful payment: a new payment of its own, checked and
        committed before anything is sent (raises ValidationError when it must not be made),
        then sent and followed like a payment. A provider without a configured initiator, or
        whose reversal was submitted, waits for the owner to confirm it (`resolve`)."""
        original = self.repository.get(reference_id)
        if original.provider not in self.providers:
            raise ConfigurationProblem(not_set_up(original.provider))
        if not self.can(original.provider).partial_refunds and amount != original.amount:
            raise ValidationError(
                "{provider} refunds a payment in full only ({amount} {currency})",
                provider=registry.name(original.provider),
                amount=original.amount.to_plain_string(),
                currency=original.amount.currency,
            )
        sent_from_here = self.providers[original.provider].sends_refund(original)
        if sent_from_here:
            await self._credentials_accepted(original.provider, refund=True)
        refund, event = Payment.create(
            provider=original.provider,
            amount=amount,
            msisdn=original.msisdn,
            now=self._clock(),
            external_id=original.external_id,
            payer_message=note,
            till=self.till,
            product=REFUND,
            refund_of=original.reference_id,
        )
        self.repository.save_refund(refund, event)
        self._created.add(refund.reference_id)
        self.bus.publish(PaymentUpdate(refund, event))
        if not sent_from_here:
            # The documented manual path (no API initiator, or no receipt code of the
            # payment): the owner reverses it in the provider's portal, then
            # confirms it here.
            refund = self._move(refund, S.SUBMITTING, detail={"manual": True}, must_save=True)
            return self._move(refund, S.PENDING, detail={"manual": True}, must_save=True)
        refund = await self._send_new(refund)
        self.follow(refund.reference_id)
        return refund

    def resolve(self, reference_id: str, receipt: str | None) -> Payment:
        """The owner's answer where the provider gives none to a desktop: an unknown or expired
        payment, or a refund, confirmed with the receipt code from the SMS (or the portal),
        or recorded as not made. Recorded as a manual resolution."""
        payment = self.repository.get(reference_id)
        is_refund = payment.refund_of is not None
        if not self.can(payment.provider).by_hand(is_refund):
            raise ValidationError(
                "{provider} payments are not resolved by hand: the till asks {provider}.",
                provider=registry.name(payment.provider),
            )
        if not needs_resolving(payment, by_hand=True):
            raise ValidationError(
                "This payment is {status}: there is nothing to resolve.",
                status=payment.status.value,
            )
        detail = {"resolution": "manual"}
        if receipt is None:
            why = "REFUND_NOT_MADE" if is_refund else "NOT_RECEIVED"
            return self._move(
                payment, S.FAILED, reason=app_reason(why), detail=detail, must_save=True
            )
        return self._move(
            payment,
            S.SUCCESSFUL,
            receipt=self._receipt_code(payment.provider, receipt),
            detail=detail,
            receipt_source="cashier",
            must_save=True,
        )

    async def reconcile_day(self, day: date, tz: tzinfo) -> list[Finding]:
        """`reconcile` the payments created on `day` in the shop's time zone."""
        start, end = local_day(day, tz)
        return await self.reconcile(
            self.repository.each(PaymentFilter(start=start, end=end, statuses=TO_RECONCILE))
        )

    async def reconcile(self, payments: Iterable[Payment]) -> list[Finding]:
        """Ask the provider again about every payment that is not final or was closed by
        expiry, and record each correction as an event (history is never rewritten)."""
        findings = []
        for payment in payments:
            if payment.status in TO_RECONCILE:
                note = await self._reconcile_one(payment)
                findings.append(
                    Finding(self.repository.get(payment.reference_id), payment.status, note)
                )
        return findings

    async def _reconcile_one(self, payment: Payment) -> Text:
        if payment.provider not in self.providers:
            return Text(
                "{provider} is not set up at this till: check it there",
                provider=registry.name(payment.provider),
            )
        if payment.status == S.CREATED:
            return Text("never sent: nothing was charged")
        name = registry.name(payment.provider)
        if payment.refund_of is not None and not self._reports_refunds(payment):
            return Text(
                "confirm it by hand with the code from {provider}'s reversal message", provider=name
            )
        if not self._can_ask(payment):
            return Text(
                "{provider} cannot be asked: enter the code from the customer's SMS, "
                "or record it as not received",
                provider=name,
            )
        report = await self._ask(payment)
        if report is None:
            return Text("no clear answer from the provider: run the reconciliation again later")
        if isinstance(report, Stop):
            return Text(
                "the provider refused the question: {problem}",
                problem=self.problems.get(payment.provider, "?"),
            )
        detail = {"reconciled": True, **report.detail}
        if report.status != RemoteStatus.NOT_FOUND:
            self._record(payment, report, detail)
            return _SAID[report.status]  # a failure's reason is the payment's
        if self._age(payment) <= self.policies[payment.provider].approval_timeout:
            return Text("not found at the provider yet: run the reconciliation again later")
        self._move(payment, S.FAILED, reason=app_reason("NEVER_ARRIVED"), detail=detail)
        return Text("the provider never received it: nothing was charged")

    def add_receipt(self, reference_id: str, text: str) -> Payment:
        """Record the receipt code the cashier read from the customer's SMS (validated)."""
        code = self._receipt_code(self.repository.get(reference_id).provider, text)
        try:
            payment = self.repository.add_receipt(reference_id, code, self._clock())
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        self.bus.publish(PaymentUpdate(payment, self.repository.last_event(reference_id)))
        return payment

    def resume(self) -> list[Payment]:
        """Follow every payment that is not final: after a start, a crash or a lost network."""
        open_payments = [p for p in self.repository.list_open() if p.provider in self.providers]
        for payment in open_payments:
            self.follow(payment.reference_id)
        return open_payments

    def settled(self, reference_id: str) -> bool:
        """Final (expired included), or nothing more the engine can do on its own."""
        task = self._tasks.get(reference_id)
        return self.current(reference_id).is_final or task is None or task.done()

    async def settle(self, reference_ids: Iterable[str], timeout: float | None = None) -> bool:
        """Wait until every payment is settled; False if the timeout came first."""
        ids = set(reference_ids)
        changed = asyncio.Event()
        unsubscribe = self.bus.subscribe(
            lambda update: changed.set() if update.payment.reference_id in ids else None
        )
        for reference_id in ids:
            if (task := self._tasks.get(reference_id)) is not None:
                task.add_done_callback(lambda _: changed.set())
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        try:
            while not all(self.settled(r) for r in ids):
                remaining = None if deadline is None else deadline - loop.time()
                if remaining is not None and remaining <= 0:
                    return False
                changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), remaining)
            return True
        finally:
            unsubscribe()

    def following(self) -> int:
        return sum(1 for task in self._tasks.values() if not task.done())

    def health(self) -> dict[Provider, Health]:
        report = {}
        for name, provider in self.providers.items():
            health = provider.health()
            if name in self.problems:
                health = Health(False, health.circuit, self.problems[name])
            report[name] = health
        return report

    async def aclose(self) -> None:
        if self._kept:
            self.save_kept_now()
        for reference_id, kept in self._kept.items():
            for move in kept.moves:  # what a person needs to record it by hand, at least
                log.error(
                    "payment %s: NOT SAVED: %s at %s %s",
                    reference_id,
                    move.target,
                    move.at.isoformat(),
                    {k: v for k, v in move.fields.items() if v},
                )
        tasks = [*self._tasks.values(), *([self._saver] if self._saver else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for provider in self.providers.values():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(provider.aclose(), 3)
        if self.relay is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.relay.aclose(), 3)
