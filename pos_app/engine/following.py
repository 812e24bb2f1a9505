"""Following a payment to its end: asking the provider on the payment's schedule, and
acting on each answer."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from pos_app.domain.errors import message_of
from pos_app.domain.payment import (
    Payment,
    PaymentStatus,
)
from pos_app.domain.reasons import app_reason
from pos_app.engine.sending import Sending
from pos_app.providers.base import (
    ConfigurationProblem,
    MalformedResponse,
    ProviderUnavailable,
    RemoteStatus,
    RequestRejected,
    StatusReport,
    UnclearAnswer,
)
from pos_app.store import StorageFault, StoreError

log = logging.getLogger(__name__)
S = PaymentStatus


class Stop:
    """Asking cannot help (a configuration problem a person must fix)."""


STOP = Stop()


class Following(Sending):
    async def _follow(self, reference_id: str) -> None:
        await self._take_turn()
        offline = 0
        not_found_since: float | None = None
        checkpointed = False
        while True:
            payment = self.current(reference_id)
            policy = self.policies[payment.provider]
            age = self._age(payment)
            if payment.status == S.CREATED and reference_id not in self._created:
                # Saved, never sent, by a process that ended first (or was told "nothing was
                # sent" by a full disk): sending it now would surprise a cashier who has
                # charged again since, so it is closed as never sent.
                self._move(payment, S.FAILED, reason=app_reason("NOT_SENT"))
                return
            if payment.status == S.CREATED:
                try:
                    await self._send(payment)
                except StorageFault as exc:
                    log.warning("payment %s: not sent yet: %s", reference_id, exc)
                    await asyncio.sleep(self.save_retry)
                continue
            if payment.status in (S.SUBMITTING, S.UNKNOWN) and not self._can_ask(payment):
                # A push whose answer was lost cannot be asked about and is never re-pushed.
                if payment.status == S.SUBMITTING:
                    self._move(
                        payment,
                        S.UNKNOWN,
                        reason=app_reason("SEND_TIMEOUT"),
                        detail={"recovered": True},
                    )
                return
            if self._done(payment, age):
                return
            if payment.status == S.PENDING and age > policy.approval_timeout:
                self._move(payment, S.EXPIRED, reason=app_reason("NO_ANSWER"))
                continue

            delay = self._next_delay(payment, age, offline, not_found_since)
            await self._pause(reference_id, delay)

            report = await self._ask(payment)
            if report is None:
                offline += 1
                continue
            offline = 0
            if isinstance(report, Stop):
                return
            if not checkpointed and payment.status == S.PENDING:
                checkpointed = True
                self._checkpoint("polling")
            try:
                not_found_since = await self._apply(payment, report, not_found_since)
            except StorageFault as exc:  # a re-send could not be marked: not sent, ask again
                log.warning("payment %s: not sent again yet: %s", reference_id, exc)
                await asyncio.sleep(self.save_retry)

    def _done(self, payment: Payment, age: float) -> bool:
        """Nothing more to ask: final, a refund the owner confirms, or an expired payment
        past its late window (unless a relayed callback is to be checked)."""
        if payment.status in (S.FAILED, S.SUCCESSFUL, S.REFUNDED):
            return True
        if payment.refund_of is not None and not self._reports_refunds(payment):
            return True  # the owner confirms it
        policy = self.policies[payment.provider]
        late = age > policy.approval_timeout + policy.late_window
        return payment.status == S.EXPIRED and late and payment.reference_id not in self._heard

    async def _pause(self, reference_id: str, delay: float) -> None:
        await asyncio.sleep(delay)

    def _next_delay(
        self, payment: Payment, age: float, offline: int, not_found_since: float | None
    ) -> float:
        """How long to wait before asking about the payment again."""
        policy = self.policies[payment.provider]
        if offline:
            backoff = policy.offline_first_delay * 2.0 ** (offline - 1)
            return min(policy.offline_max_backoff, backoff) * self._rng.uniform(0.5, 1)
        if payment.status in (S.SUBMITTING, S.UNKNOWN):
            return 0.0 if not_found_since is None else 2.0  # recovery: ask at once
        if payment.status == S.EXPIRED:
            return max(policy.schedule.next_delay(age, self._rng), policy.late_interval)
        return policy.schedule.next_delay(age, self._rng)

    async def _ask(self, payment: Payment) -> StatusReport | Stop | None:
        """The provider's answer; None when it could not be had (try again later); STOP when
        asking cannot help (a configuration problem a person must fix)."""
        provider = self.providers[payment.provider]
        await self._limiters[payment.provider].acquire()
        try:
            self.status_queries += 1
            asking = (
                provider.payment_status(payment)
                if payment.refund_of is None
                else provider.refund_status(payment)
            )
            report: StatusReport = await self._call(payment.provider, asking)
        except UnclearAnswer as exc:
            self._note_unclear(payment, exc)
            return None
        except (ProviderUnavailable, MalformedResponse) as exc:
            log.info("payment %s: %s", payment.reference_id, exc)
            return None
        except (ConfigurationProblem, RequestRejected) as exc:
            self.problems[payment.provider] = message_of(exc)
            log.warning("payment %s: stopped asking: %s", payment.reference_id, exc)
            return STOP
        self.problems.pop(payment.provider, None)
        return report

    def _note_unclear(self, payment: Payment, exc: UnclearAnswer) -> None:
        """Record an answer that was not understood, once per payment whatever the number of
        polls that get it (a body's preview may differ each time: it does not count); the
        payment is asked about again (with backoff)."""
        log.warning("payment %s: answer not understood: %s", payment.reference_id, exc)
        reference_id = payment.reference_id
        if reference_id in self._kept:
            return  # its history is written in order once the disk takes it

        gist = _gist(exc.answer)
        noted = self._noted.setdefault(reference_id, [])
        if gist in noted:
            return  # recorded already: asked again and again, it is not read again each time

        def same(answer: object) -> bool:
            return isinstance(answer, dict) and _gist(answer) == gist

        try:
            events = self.repository.events(reference_id)
            if not any(same(e.detail.get("not_understood")) for e in events):
                self.repository.note(reference_id, {"not_understood": exc.answer}, self._clock())
                self._publish(reference_id)
            noted.append(gist)
        except StoreError as problem:  # only history: the next such answer tries again
            log.warning("payment %s: answer not recorded: %s", reference_id, problem)

    async def _apply(
        self, payment: Payment, report: StatusReport, not_found_since: float | None
    ) -> float | None:
        """Record what the provider said; returns when "not found" was first heard, if it
        is still the story."""
        if report.status == RemoteStatus.NOT_FOUND:
            return await self._not_found(payment, not_found_since)
        self._record(payment, report, dict(report.detail))
        return None

    def _record(self, payment: Payment, report: StatusReport, detail: dict[str, Any]) -> None:
        """What an answer about a payment the provider has means for it."""
        if report.status == RemoteStatus.SUCCESSFUL:
            self._move(payment, S.SUCCESSFUL, receipt=report.receipt, detail=detail)
        elif report.status == RemoteStatus.FAILED:
            reason = report.reason or app_reason("UNKNOWN_REASON")
            self._move(payment, S.FAILED, reason=reason, detail=detail)
        elif report.status == RemoteStatus.PENDING and payment.status in (S.SUBMITTING, S.UNKNOWN):
            self._move(payment, S.PENDING, detail=detail)

    async def _not_found(self, payment: Payment, since: float | None) -> float | None:
        now = asyncio.get_running_loop().time()
        if (
            payment.status in (S.SUBMITTING, S.UNKNOWN)
            and self.can(payment.provider).resends_with_same_id
        ):
            # The earlier attempt never arrived: send it again with the same reference id
            # (a duplicate would be refused with 409, so this cannot charge twice).
            if payment.status == S.SUBMITTING:
                payment = self._move(
                    payment,
                    S.UNKNOWN,
                    reason=app_reason("NEVER_ARRIVED"),
                    detail={"recovered": True},
                )
            await self._send(payment)
            return None
        if payment.status == S.PENDING and self.can(payment.provider).asks_without_request_id:
            since = since if since is not None else now
            if now - since >= self.policies[payment.provider].not_found_grace:
                self._move(payment, S.FAILED, reason=app_reason("NEVER_ARRIVED"))
                return None
            return since
        return since


def _gist(answer: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answer.items() if key != "body"}
