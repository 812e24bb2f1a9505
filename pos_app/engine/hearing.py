"""What the providers' callbacks, relayed by the owner's hub, change: a payment is asked
about at once (one status query) and moves only if the provider agrees; the receipt code only
a callback carries is kept; while the hub is up, payments are asked about far less often."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from pos_app.domain.errors import ValidationError
from pos_app.domain.payment import CUSTOMER_PAYMENT, Payment, PaymentStatus
from pos_app.domain.reasons import app_reason
from pos_app.engine.events import PaymentUpdate
from pos_app.engine.following import Following
from pos_app.engine.relay import CustomerPaid, Heard, Relay
from pos_app.providers.base import RemoteStatus, StatusReport, Submission
from pos_app.store import StoreError
from pos_app.store.repository import PaymentNotFound

log = logging.getLogger(__name__)
S = PaymentStatus


class Hearing(Following):
    relay: Relay | None = None

    def follow(self, reference_id: str) -> asyncio.Task[None]:
        """Drive one payment to its outcome in the background (once per payment)."""
        if self.relay is not None:
            self.relay.start()
        task = self._tasks.get(reference_id)
        if task is None or task.done():
            task = asyncio.create_task(self._follow(reference_id), name=f"payment {reference_id}")
            self._tasks[reference_id] = task
            task.add_done_callback(lambda done: self._forget(reference_id, done))
        return task

    def _forget(self, reference_id: str, task: asyncio.Task[None]) -> None:
        """A follower ends when its payment is final or nothing more can be done alone: what
        was kept while following it goes too, or a day's payments would stay in memory until
        the till closes (benchmarks/soak.py). A missing task reads as settled."""
        if self._tasks.get(reference_id) is task:
            del self._tasks[reference_id]
        self._nudges.pop(reference_id, None)
        self._sent_at.pop(reference_id, None)
        self._noted.pop(reference_id, None)
        self._to_hub.discard(reference_id)

    def heard(self, news: Heard) -> None:
        """A callback the hub relayed. It moves nothing by itself: a forged one (the URL's
        secret leaked) must not mark a payment paid."""
        try:
            payment = self.current(news.payment_id)
        except (KeyError, StoreError) as exc:
            log.warning("hub: a callback for payment %s not found here: %s", news.payment_id, exc)
            return
        if payment.provider != news.provider or (
            news.amount is not None and news.amount != payment.amount.amount
        ):
            log.warning("hub: a callback does not match payment %s: ignored", news.payment_id)
            return
        if payment.is_final and payment.status != S.EXPIRED:  # a late answer corrects an expiry
            code = self._callback_code(payment, news)
            if news.succeeded and code and payment.status in (S.SUCCESSFUL, S.REFUNDED):
                self._late_receipt(payment, code)
            return
        self._heard[payment.reference_id] = news
        self._confirming.discard(payment.reference_id)
        self.follow(payment.reference_id)
        self._nudge(payment.reference_id)

    def record_customer_payment(self, paid: CustomerPaid) -> Payment:
        """Record a claimed customer payment as this till's, paid (once: claimed again after
        a crash, the same sale id finds the same payment)."""
        try:
            return self.repository.get(paid.sale_id)
        except PaymentNotFound:
            pass
        payment, event = Payment.create(
            provider=paid.provider,
            amount=paid.amount,
            msisdn="",  # the provider gives it masked, if at all
            now=self._clock(),
            till=self.till,
            product=CUSTOMER_PAYMENT,
            reference_id=paid.sale_id,
        )
        detail = {"customer_payment": {"payer": paid.payer_name, "paid_at": paid.paid_at}}
        recorded = self.repository.save_claimed(payment, event, paid.code, detail)
        self._announce(recorded)
        return recorded

    def relay_changed(self) -> None:
        """The hub link came up or went down: every payment's next question is timed again
        (down: at once, as without a hub)."""
        for reference_id in list(self._nudges):
            self._nudge(reference_id)

    def _nudge(self, reference_id: str) -> None:
        self._nudges.setdefault(reference_id, asyncio.Event()).set()

    async def _pause(self, reference_id: str, delay: float) -> None:
        nudge = self._nudges.setdefault(reference_id, asyncio.Event())
        if not nudge.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await nudge.wait()
        nudge.clear()

    def _tell_relay(self, payment: Payment, submission: Submission) -> None:
        if self.relay is not None:
            self.relay.expect(payment)
            if submission.to_hub:
                self._to_hub.add(payment.reference_id)

    def _next_delay(
        self, payment: Payment, age: float, offline: int, not_found_since: float | None
    ) -> float:
        reference_id = payment.reference_id
        if reference_id in self._heard and reference_id not in self._confirming and not offline:
            return 0.0
        delay = super()._next_delay(payment, age, offline, not_found_since)
        if offline or payment.status != S.PENDING or self.relay is None or not self.relay.up:
            return delay
        if reference_id not in self._to_hub:
            return delay  # its callback does not come through the hub: asked as before
        if reference_id in self._confirming:
            return delay  # the provider has not caught up with its callback yet: soon, then
        policy = self.policies[payment.provider]
        relaxed = (
            policy.relaxed_first - age if age < policy.relaxed_first else policy.relaxed_interval
        )
        return max(delay, relaxed)

    def _record(self, payment: Payment, report: StatusReport, detail: dict[str, Any]) -> None:
        reference_id = payment.reference_id
        news = self._heard.get(reference_id)
        if news is None or report.status == RemoteStatus.PENDING:
            if news is not None:
                self._confirming.add(reference_id)
            super()._record(payment, report, detail)
            return
        del self._heard[reference_id]
        self._confirming.discard(reference_id)
        agrees = news.succeeded == (report.status == RemoteStatus.SUCCESSFUL)
        detail = {**detail, "callback": "confirmed" if agrees else "contradicted"}
        if news.source_listed is False:  # a signal for the owner, not proof either way
            detail["callback_from"] = "an address outside the provider's published list"
        if not agrees:
            log.warning(
                "payment %s: the relayed callback says %s, the provider does not: the provider's"
                " answer stands",
                payment.reference_id,
                "paid" if news.succeeded else "failed",
            )
        code = self._callback_code(payment, news)
        if agrees and news.succeeded and not report.receipt and code:
            self._move(
                payment, S.SUCCESSFUL, receipt=code, detail=detail, receipt_source="callback"
            )
            return
        if news.succeeded and report.status == RemoteStatus.FAILED:
            # The provider's answer stands, but a cashier must not charge again unchecked
            # (its query has said "failed" for paid payments, callbacks.md §1.1 #12).
            reason = app_reason("CALLBACK_SAID_PAID")
            self._move(payment, S.FAILED, reason=reason, detail=detail)
            return
        super()._record(payment, report, detail)

    def _callback_code(self, payment: Payment, news: Heard) -> str | None:
        """The callback's receipt code, if it has the provider's shape."""
        shape = self.spec(payment.provider).receipt_code
        if not news.receipt_code or shape is None:
            return news.receipt_code
        try:
            return shape.parse(news.receipt_code)
        except ValidationError:
            log.warning(
                "payment %s: a relayed receipt code of the wrong shape", payment.reference_id
            )
            return None

    def _late_receipt(self, payment: Payment, code: str) -> None:
        """A paid payment's receipt code, from its callback after the provider's answer: kept
        if none is; a different code the cashier typed is flagged for the owner, never
        overwritten."""
        if payment.provider_transaction_id == code or payment.reference_id in self._kept:
            return
        try:
            if payment.receipt_source is None:
                changed = self.repository.add_receipt(
                    payment.reference_id, code, self._clock(), "callback"
                )
            elif payment.receipt_source == "cashier":
                typed = payment.provider_transaction_id
                log.warning(
                    "payment %s: the typed receipt code is not the provider's", payment.reference_id
                )
                changed = self.repository.note(
                    payment.reference_id,
                    {"receipt_disagrees": {"provider": code, "typed": typed}},
                    self._clock(),
                )
            else:
                return
        except (ValueError, StoreError) as exc:
            log.warning(
                "payment %s: the callback's receipt code not kept: %s", payment.reference_id, exc
            )
            return
        self.bus.publish(PaymentUpdate(changed, self.repository.last_event(payment.reference_id)))
