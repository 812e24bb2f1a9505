"""Sending a payment: once, or again while the provider proves it did not take it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from pos_app.domain.countries import Provider
from pos_app.domain.errors import message_of
from pos_app.domain.payment import (
    IllegalTransition,
    Payment,
    PaymentStatus,
)
from pos_app.domain.reasons import app_reason
from pos_app.engine.core import EngineCore, Move
from pos_app.engine.policy import CREDENTIALS_CHECK_SECONDS
from pos_app.providers.base import (
    ConfigurationProblem,
    PaymentProvider,
    ProviderError,
    RequestRejected,
    Submission,
)
from pos_app.store import StorageFault

log = logging.getLogger(__name__)
S = PaymentStatus


class Sending(EngineCore):
    async def _credentials_accepted(self, provider: Provider, *, refund: bool = False) -> None:
        """A refused API key is the owner's to fix, not a payment that failed: it is found
        (a token fetched, or the cached one taken) before anything is saved, and raises
        ConfigurationProblem. Anything else is left for the send to meet."""
        if provider not in self.providers:
            return  # saying so is create()'s and refund()'s
        check = self.providers[provider].credentials_accepted(refund=refund)
        try:
            # Bounded: on a network that drops packets the payment is saved (and shown) first.
            await asyncio.wait_for(check, CREDENTIALS_CHECK_SECONDS)
        except ConfigurationProblem as exc:
            self.problems[provider] = message_of(exc)
            raise
        except (ProviderError, TimeoutError) as exc:
            log.info("%s: credentials not checked before sending: %r", provider, exc)

    async def _send_new(self, payment: Payment) -> Payment:
        try:
            return await self._send(payment)
        except StorageFault:
            # Saved, but "being sent" could not be: it never leaves, and says so once it can.
            self._move(payment, S.FAILED, reason=app_reason("NOT_SENT"))
            raise

    async def _send(self, payment: Payment) -> Payment:
        """CREATED or UNKNOWN (never arrived) -> SUBMITTING -> PENDING, FAILED or UNKNOWN."""
        provider = self.providers[payment.provider]
        if payment.reference_id in self._kept:
            raise self._still_unsaved()  # marked as sending only after what came before
        try:
            payment = self._write(payment.reference_id, Move(S.SUBMITTING, self._clock(), {}))
        except IllegalTransition:
            # Another process (the window, a `sync`) marked it first: that one sends it.
            return self.current(payment.reference_id)
        self._announce(payment)
        self._checkpoint("submitting")
        self._created.discard(payment.reference_id)  # it never comes back to "created"
        self._sent_at[payment.reference_id] = self._clock()
        tries = 0
        first_try = asyncio.get_running_loop().time()
        while True:
            tries += 1
            try:
                submission = await self._call(payment.provider, self._request(provider, payment))
                break
            except ProviderError as exc:
                wait = self._resend_wait(payment, exc, first_try, tries)
                if wait is None:
                    return self._not_sent(payment, exc, tries)
                log.info("payment %s: not taken (%s), sent again", payment.reference_id, exc)
                await asyncio.sleep(wait)
                # Still ours to send? Another process (a `sync`) may have taken it up
                # meanwhile, or this one may have news it could not write.
                if payment.reference_id in self._kept:
                    return self.current(payment.reference_id)
                current = self.repository.get(payment.reference_id)
                if current.status != S.SUBMITTING:
                    return current
        self._checkpoint("sent")
        self.problems.pop(payment.provider, None)
        moved = self._move(
            payment,
            S.PENDING,
            request_id=submission.provider_request_id,
            detail={
                k: v
                for k, v in {
                    **submission.detail,
                    "already_existed": submission.already_existed or None,
                    "tries": tries if tries > 1 else None,
                }.items()
                if v is not None
            },
        )
        self._tell_relay(moved, submission)
        return moved

    def _tell_relay(self, payment: Payment, submission: Submission) -> None:
        """Tell the hub, if there is one, that this payment's callback is awaited."""

    def _not_sent(self, payment: Payment, exc: ProviderError, tries: int) -> Payment:
        """The move after a send that failed and is not tried again."""
        if isinstance(exc, RequestRejected):
            return self._move(
                payment,
                S.FAILED,
                reason=exc.reason or app_reason("REQUEST_REFUSED"),
                detail={"error": str(exc)},
            )
        if isinstance(exc, ConfigurationProblem):
            self.problems[payment.provider] = message_of(exc)
            return self._move(
                payment, S.FAILED, reason=app_reason("CONFIGURATION"), detail={"error": str(exc)}
            )
        if exc.delivered is False and not self.can(payment.provider).resends_with_same_id:
            # Certainly not sent, and no id to send it again with safely later.
            return self._move(
                payment,
                S.FAILED,
                reason=app_reason("REQUEST_REFUSED"),
                detail={"error": str(exc), "sent": False, "tries": tries},
            )
        # Maybe arrived: find out by asking, or leave it for a person.
        return self._move(
            payment,
            S.UNKNOWN,
            reason=app_reason("SEND_TIMEOUT"),
            detail={"error": str(exc), "delivered": exc.delivered, "tries": tries},
        )

    def _request(self, provider: PaymentProvider, payment: Payment) -> Any:
        """A fresh request (a coroutine) for each try."""
        if payment.refund_of is None:
            return provider.request_payment(payment, self.note)
        original = self.repository.get(payment.refund_of)
        return provider.refund(
            original, payment.reference_id, payment.amount, payment.payer_message or "Refund"
        )

    def _resend_wait(
        self, payment: Payment, exc: ProviderError, first_try: float, tries: int
    ) -> float | None:
        """How long to wait before sending again a request the provider proved it did not
        take, or None once the charge's deadline leaves no room (or it may have arrived, or
        sending it again cannot help: refused as it is, or refused settings)."""
        if exc.delivered is not False or isinstance(exc, RequestRejected | ConfigurationProblem):
            return None
        policy = self.policies[payment.provider]
        left = policy.send_deadline - (asyncio.get_running_loop().time() - first_try)
        wait = min(policy.offline_first_delay * 2.0 ** (tries - 1), policy.offline_max_backoff)
        wait *= self._rng.uniform(0.5, 1)
        return wait if wait < left else None
