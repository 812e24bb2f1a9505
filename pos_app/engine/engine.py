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
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from pos_app.domain.countries import PROVIDER_NAMES, Provider
from pos_app.domain.errors import Text, ValidationError, message_of
from pos_app.domain.money import Money
from pos_app.domain.payment import (
    OPEN_STATES,
    IllegalTransition,
    Payment,
    PaymentStatus,
    needs_resolving,
)
from pos_app.domain.reasons import Reason, lookup, reason_key
from pos_app.domain.receipt_codes import mpesa_code
from pos_app.domain.refunds import REFUND
from pos_app.engine.events import EventBus, PaymentUpdate
from pos_app.engine.schedule import AdaptiveSchedule, RateLimiter, Schedule
from pos_app.providers.base import (
    ConfigurationProblem,
    Health,
    MalformedResponse,
    PaymentProvider,
    ProviderError,
    ProviderUnavailable,
    RemoteStatus,
    RequestRejected,
    StatusReport,
    UnclearAnswer,
)
from pos_app.store import PaymentRepository, StorageFault, StoreError
from pos_app.store.repository import PaymentFilter, local_day

log = logging.getLogger(__name__)
S = PaymentStatus
# What a reconciliation run asks about again: not final, or closed by expiry only.
TO_RECONCILE = OPEN_STATES | {S.EXPIRED}
Checkpoint = Callable[[str], None]
CREDENTIALS_CHECK_SECONDS = 5.0


@dataclass(frozen=True)
class PollPolicy:
    schedule: Schedule = field(default_factory=AdaptiveSchedule)
    approval_timeout: float = 300.0  # seconds after sending: then "expired"
    late_window: float = 900.0  # after expiry, keep listening this long for a late answer
    rate_limit: float = 10.0  # status queries per second to this provider, all payments
    not_found_grace: float = 30.0  # MTN: a 404 right after acceptance may be replication lag
    late_interval: float = 30.0  # how often to ask about an expired payment
    offline_first_delay: float = 2.0  # while the provider is unreachable: doubling from this
    offline_max_backoff: float = 60.0
    # A push refused before it was taken (a gateway's 503, a refused connection) is sent again
    # until this long after the first try; then it is left unknown (MTN, asked about) or
    # closed as not sent (M-Pesa).
    send_deadline: float = 20.0


@dataclass(frozen=True)
class _Move:
    """A change the provider reported that the disk could not take yet, kept to be written."""

    target: PaymentStatus
    at: datetime
    fields: dict[str, Any]


@dataclass
class _Kept:
    """A payment as it stands in memory, and the changes to write to get there, oldest first."""

    payment: Payment
    moves: list[_Move]


def not_set_up(provider: Provider) -> Text:
    return Text("{provider} is not set up at this till", provider=PROVIDER_NAMES[provider])


@dataclass(frozen=True)
class Finding:
    """One payment looked at by a reconciliation run."""

    payment: Payment  # as it is after the run
    before: PaymentStatus
    note: Text  # what the provider said, or what a person must do

    @property
    def corrected(self) -> bool:
        return self.payment.status != self.before


class _Stop:
    """Asking cannot help (a configuration problem a person must fix)."""


_STOP = _Stop()


def utc_now() -> datetime:
    return datetime.now(UTC)


class PaymentEngine:
    def __init__(
        self,
        repository: PaymentRepository,
        providers: Mapping[Provider, PaymentProvider],
        policies: Mapping[Provider, PollPolicy] | None = None,
        *,
        note: str = "Payment",
        till: str | None = None,
        max_concurrent_requests: int = 8,
        clock: Callable[[], datetime] = utc_now,
        rng: random.Random | None = None,
        checkpoint: Checkpoint | None = None,
        save_retry: float = 3.0,
    ) -> None:
        self.repository = repository
        self.providers = dict(providers)
        self.policies = {p: (policies or {}).get(p, PollPolicy()) for p in self.providers}
        self.note = note
        self.till = till
        self.bus = EventBus()
        self._clock = clock
        self._rng = rng or random.Random()  # noqa: S311 - jitter
        self._checkpoint = checkpoint or (lambda stage: None)
        self._requests = asyncio.Semaphore(max_concurrent_requests)
        self._turns = asyncio.Lock()
        self._limiters = {p: RateLimiter(policy.rate_limit) for p, policy in self.policies.items()}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._sent_at: dict[str, datetime] = {}
        self.problems: dict[Provider, str] = {}  # configuration problems seen, for the UI
        self.in_flight = 0
        self.max_in_flight = 0  # highest number of provider requests at once, for tests
        self.status_queries = 0
        # Outcomes heard but not yet written (the disk is full, read-only or held).
        self.save_retry = save_retry
        self._kept: dict[str, _Kept] = {}
        self._all_saved = asyncio.Event()
        self._all_saved.set()
        self._saver: asyncio.Task[None] | None = None
        self.storage_problem: StorageFault | None = None
        # Payments this engine created: only these are ever sent from "created" (below).
        self._created: set[str] = set()

    # -- public API --

    def create(
        self,
        provider: Provider,
        amount: Money,
        msisdn: str,
        *,
        external_id: str | None = None,
        message: str | None = None,
        cashier: str | None = None,
    ) -> Payment:
        """Commit a new payment (nothing is sent yet)."""
        if provider not in self.providers:
            raise ConfigurationProblem(not_set_up(provider))
        payment, event = Payment.create(
            provider=provider,
            amount=amount,
            msisdn=msisdn,
            now=self._clock(),
            external_id=external_id,
            payer_message=message,
            till=self.till,
            cashier=cashier,
        )
        self.repository.save_new(payment, event)
        self._created.add(payment.reference_id)
        self.bus.publish(PaymentUpdate(payment, event))
        self._checkpoint("saved")
        return payment

    async def charge(
        self,
        provider: Provider,
        amount: Money,
        msisdn: str,
        *,
        external_id: str | None = None,
        message: str | None = None,
        cashier: str | None = None,
    ) -> Payment:
        """Create, send and follow a payment; returns once the provider has the request (or
        refused it), while polling goes on in the background."""
        await self._take_turn()
        await self._credentials_accepted(provider)
        payment = self.create(
            provider, amount, msisdn, external_id=external_id, message=message, cashier=cashier
        )
        payment = await self._send_new(payment)
        self.follow(payment.reference_id)
        return payment

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
            self._move(payment, S.FAILED, reason=lookup("app", "NOT_SENT"))
            raise

    async def refund(self, reference_id: str, amount: Money, note: str = "Refund") -> Payment:
        """Refund (part of) a successful payment: a new payment of its own, checked and
        committed before anything is sent (raises ValidationError when it must not be made),
        then sent and followed like a payment. M-Pesa without a configured initiator, or
        whose reversal was submitted, waits for the owner to confirm it (`resolve`)."""
        original = self.repository.get(reference_id)
        if original.provider not in self.providers:
            raise ConfigurationProblem(not_set_up(original.provider))
        if self.providers[original.provider].sends_refund(original):
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
        if not self.providers[original.provider].sends_refund(original):
            # The documented manual path (M-Pesa without an API initiator, or without the
            # payment's M-Pesa code): the owner reverses it in M-Pesa's portal, then
            # confirms it here.
            refund = self._move(refund, S.SUBMITTING, detail={"manual": True}, must_save=True)
            return self._move(refund, S.PENDING, detail={"manual": True}, must_save=True)
        refund = await self._send_new(refund)
        self.follow(refund.reference_id)
        return refund

    def resolve(self, reference_id: str, receipt: str | None) -> Payment:
        """The owner's answer where M-Pesa gives none to a desktop: an unknown or expired
        payment, or a refund, confirmed with the M-Pesa code from the SMS (or the portal),
        or recorded as not made. Recorded as a manual resolution."""
        payment = self.repository.get(reference_id)
        is_refund = payment.refund_of is not None
        if payment.provider != "mpesa":
            raise ValidationError("Only M-Pesa payments are resolved by hand: MTN is asked.")
        if not needs_resolving(payment):
            raise ValidationError(
                "This payment is {status}: there is nothing to resolve.",
                status=payment.status.value,
            )
        detail = {"resolution": "manual"}
        if receipt is None:
            why = "REFUND_NOT_MADE" if is_refund else "NOT_RECEIVED"
            return self._move(
                payment, S.FAILED, reason=lookup("app", why), detail=detail, must_save=True
            )
        return self._move(
            payment,
            S.SUCCESSFUL,
            receipt=mpesa_code(receipt),
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
                provider=PROVIDER_NAMES[payment.provider],
            )
        if payment.status == S.CREATED:
            return Text("never sent: nothing was charged")
        if payment.refund_of is not None and not self._reports_refunds(payment):
            return Text("confirm it by hand with the code from M-Pesa's reversal message")
        if payment.provider == "mpesa" and not payment.provider_request_id:
            return Text(
                "M-Pesa cannot be asked: enter the code from the customer's SMS, "
                "or record it as not received"
            )
        report = await self._ask(payment)
        if report is None:
            return Text("no clear answer from the provider: run the reconciliation again later")
        if isinstance(report, _Stop):
            return Text(
                "the provider refused the question: {problem}",
                problem=self.problems.get(payment.provider, "?"),
            )
        detail = {"reconciled": True, **report.detail}
        if report.status == RemoteStatus.SUCCESSFUL:
            self._move(payment, S.SUCCESSFUL, receipt=report.receipt, detail=detail)
            return Text("the provider says it succeeded")
        if report.status == RemoteStatus.FAILED:
            reason = report.reason or lookup("app", "UNKNOWN_REASON")
            self._move(payment, S.FAILED, reason=reason, detail=detail)
            return Text("the provider says it failed")  # the reason is the payment's
        if report.status == RemoteStatus.PENDING:
            if payment.status in (S.SUBMITTING, S.UNKNOWN):
                self._move(payment, S.PENDING, detail=detail)
            return Text("still pending at the provider")
        if self._age(payment) <= self.policies[payment.provider].approval_timeout:
            return Text("not found at the provider yet: run the reconciliation again later")
        self._move(payment, S.FAILED, reason=lookup("app", "NEVER_ARRIVED"), detail=detail)
        return Text("the provider never received it: nothing was charged")

    def add_receipt(self, reference_id: str, text: str) -> Payment:
        """Record the M-Pesa code the cashier read from the customer's SMS (validated)."""
        code = mpesa_code(text)
        try:
            payment = self.repository.add_receipt(reference_id, code, self._clock())
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        self.bus.publish(PaymentUpdate(payment, self.repository.events(reference_id)[-1]))
        return payment

    def follow(self, reference_id: str) -> asyncio.Task[None]:
        """Drive one payment to its outcome in the background (once per payment)."""
        task = self._tasks.get(reference_id)
        if task is None or task.done():
            task = asyncio.create_task(self._follow(reference_id), name=f"payment {reference_id}")
            self._tasks[reference_id] = task
        return task

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

    def current(self, reference_id: str) -> Payment:
        """The payment as it stands, including what is heard but not yet saved."""
        kept = self._kept.get(reference_id)
        return kept.payment if kept is not None else self.repository.get(reference_id)

    def unsaved(self) -> list[Payment]:
        """Payments whose latest news is only in memory (see `storage_problem`)."""
        return [kept.payment for kept in self._kept.values()]

    def kept(self, reference_id: str) -> bool:
        """Whether this payment's latest news is only in memory."""
        return reference_id in self._kept

    async def all_saved(self, timeout: float | None = None) -> bool:
        """Wait until nothing is held in memory only; False if the timeout came first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._all_saved.wait(), timeout)
        return not self._kept

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

    # -- moving a payment --

    def _move(
        self,
        payment: Payment,
        target: PaymentStatus,
        *,
        reason: Reason | None = None,
        receipt: str | None = None,
        request_id: str | None = None,
        detail: dict[str, Any] | None = None,
        receipt_source: str = "provider",
        must_save: bool = False,
    ) -> Payment:
        """Record a move. A storage fault raises when `must_save` (what follows depends on
        it being on disk: sending, an owner's decision); otherwise the move is kept in memory
        and written in order once the disk takes it."""
        move = _Move(
            target,
            self._clock(),
            {
                "reason": reason_key(reason) if reason else None,
                "provider_transaction_id": receipt,
                "provider_request_id": request_id,
                "detail": detail,
                "receipt_source": receipt_source,
            },
        )
        reference_id = payment.reference_id
        if (kept := self._kept.get(reference_id)) is not None:  # earlier news waits: in order
            if must_save:
                raise self._still_unsaved()
            return self._keep(move, kept.payment, None)
        try:
            moved = self._write(reference_id, move)
        except IllegalTransition:
            # Another process (the window, a `sync`) got there first: take what it recorded.
            log.info("payment %s moved elsewhere", reference_id)
            return self.current(reference_id)
        except StorageFault as exc:
            if must_save:
                raise
            return self._keep(move, payment, exc)
        self._announce(moved)
        return moved

    def _still_unsaved(self) -> StorageFault:
        """A fresh error (a raised one grows its traceback) for a write that must wait."""
        problem = self.storage_problem
        if problem is None:
            return StorageFault("earlier changes of this payment are not saved yet")
        return type(problem)(*problem.args)

    def _write(self, reference_id: str, move: _Move) -> Payment:
        return self.repository.transition(reference_id, move.target, move.at, **move.fields)

    def _announce(self, moved: Payment) -> None:
        self._publish(moved.reference_id)
        if moved.refund_of is not None and moved.status == S.SUCCESSFUL:
            self._publish(moved.refund_of)  # the original now shows (part) refunded

    def _keep(self, move: _Move, payment: Payment, fault: StorageFault | None) -> Payment:
        try:
            changed, event = payment.transition(move.target, move.at, **move.fields)
        except IllegalTransition:
            return payment
        if fault is not None:
            self.storage_problem = fault
        log.error(
            "payment %s %s: not yet saved: %s",
            payment.reference_id,
            move.target,
            self.storage_problem,
        )
        kept = self._kept.setdefault(payment.reference_id, _Kept(changed, []))
        kept.payment = changed
        kept.moves.append(move)
        self._all_saved.clear()
        self.bus.publish(PaymentUpdate(changed, event, unsaved=self.storage_problem))
        if self._saver is None or self._saver.done():
            self._saver = asyncio.create_task(self._save_kept(), name="saving kept outcomes")
        return changed

    async def _save_kept(self) -> None:
        """Every few seconds, write what was kept, in order, until the disk takes it all."""
        while self._kept:
            await asyncio.sleep(self.save_retry)
            self.save_kept_now()
        log.info("every kept outcome is saved")

    def save_kept_now(self) -> None:
        """One pass over what was kept; what the disk does not take stays kept."""
        try:
            # A held file must not freeze the window for the whole busy timeout on each pass.
            with self.repository.brief_waits():
                for reference_id in list(self._kept):
                    self._save_payment(reference_id)
        except StorageFault as exc:
            self.storage_problem = exc
        except StoreError as exc:  # damaged meanwhile: keep what was heard, keep saying so
            log.error("kept outcomes cannot be saved: %s", exc)

    def _save_payment(self, reference_id: str) -> None:
        moves = self._kept[reference_id].moves
        while moves:
            try:
                self._write(reference_id, moves[0])
            except IllegalTransition:
                # Another process recorded this change otherwise meanwhile: its record stands.
                log.warning("payment %s: kept %s superseded", reference_id, moves[0].target)
            moves.pop(0)
        del self._kept[reference_id]
        if not self._kept:
            self.storage_problem = None  # before the update, so listeners see it is over
            self._all_saved.set()
        self._announce(self.repository.get(reference_id))

    def _reports_refunds(self, payment: Payment) -> bool:
        return self.providers[payment.provider].reports_refunds

    def _publish(self, reference_id: str) -> None:
        payment = self.repository.get(reference_id)
        self.bus.publish(PaymentUpdate(payment, self.repository.events(reference_id)[-1]))

    async def _call(self, provider: Provider, request: Any) -> Any:
        async with self._requests:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                return await request
            finally:
                self.in_flight -= 1

    async def _send(self, payment: Payment) -> Payment:
        """CREATED or UNKNOWN (never arrived) -> SUBMITTING -> PENDING, FAILED or UNKNOWN."""
        provider = self.providers[payment.provider]
        if payment.reference_id in self._kept:
            raise self._still_unsaved()  # marked as sending only after what came before
        try:
            payment = self._write(payment.reference_id, _Move(S.SUBMITTING, self._clock(), {}))
        except IllegalTransition:
            # Another process (the window, a `sync`) marked it first: that one sends it.
            return self.current(payment.reference_id)
        self._announce(payment)
        self._checkpoint("submitting")
        self._sent_at[payment.reference_id] = self._clock()
        tries = 0
        first_try = asyncio.get_running_loop().time()
        while True:
            tries += 1
            try:
                submission = await self._call(payment.provider, self._request(provider, payment))
                break
            except RequestRejected as exc:
                return self._move(
                    payment,
                    S.FAILED,
                    reason=exc.reason or lookup("app", "REQUEST_REFUSED"),
                    detail={"error": str(exc)},
                )
            except ConfigurationProblem as exc:
                self.problems[payment.provider] = message_of(exc)
                return self._move(
                    payment,
                    S.FAILED,
                    reason=lookup("app", "CONFIGURATION"),
                    detail={"error": str(exc)},
                )
            except ProviderError as exc:
                wait = self._resend_wait(payment, exc, first_try, tries)
                if wait is not None:
                    log.info("payment %s: not taken (%s), sent again", payment.reference_id, exc)
                    await asyncio.sleep(wait)
                    # Still ours to send? Another process (a `sync`) may have taken it up
                    # meanwhile, or this one may have news it could not write.
                    if payment.reference_id in self._kept:
                        return self.current(payment.reference_id)
                    current = self.repository.get(payment.reference_id)
                    if current.status != S.SUBMITTING:
                        return current
                    continue
                if exc.delivered is False and payment.provider == "mpesa":
                    # Certainly not sent, and Daraja has no id to re-send with safely later.
                    return self._move(
                        payment,
                        S.FAILED,
                        reason=lookup("app", "REQUEST_REFUSED"),
                        detail={"error": str(exc), "sent": False, "tries": tries},
                    )
                # Maybe arrived: find out by asking (MTN) or leave it for a person (M-Pesa).
                return self._move(
                    payment,
                    S.UNKNOWN,
                    reason=lookup("app", "SEND_TIMEOUT"),
                    detail={"error": str(exc), "delivered": exc.delivered, "tries": tries},
                )
        self._checkpoint("sent")
        self.problems.pop(payment.provider, None)
        return self._move(
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
        take, or None once the charge's deadline leaves no room (or it may have arrived)."""
        if exc.delivered is not False:
            return None
        policy = self.policies[payment.provider]
        left = policy.send_deadline - (asyncio.get_running_loop().time() - first_try)
        wait = min(policy.offline_first_delay * 2.0 ** (tries - 1), policy.offline_max_backoff)
        wait *= self._rng.uniform(0.5, 1)
        return wait if wait < left else None

    # -- following a payment to its end --

    def _age(self, payment: Payment) -> float:
        sent = self._sent_at.get(payment.reference_id, payment.created_at)
        return (self._clock() - sent).total_seconds()

    async def _take_turn(self) -> None:
        """Wait until the payments started before this one have done their first durable
        writes, one per turn of the event loop. Twenty payments started at once (a resume
        after a crash, a burst of charges) would otherwise commit and show all theirs in one
        turn: about 10 ms each, a 200 ms freeze of the window (benchmarks/ui_responsiveness.py)."""
        await self._turns.acquire()
        # Free the next one on the loop's next turn, after what came due meanwhile has run.
        asyncio.get_running_loop().call_soon(self._turns.release)

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
                self._move(payment, S.FAILED, reason=lookup("app", "NOT_SENT"))
                return
            if payment.status == S.CREATED:
                try:
                    await self._send(payment)
                except StorageFault as exc:
                    log.warning("payment %s: not sent yet: %s", reference_id, exc)
                    await asyncio.sleep(self.save_retry)
                continue
            if (
                payment.status in (S.SUBMITTING, S.UNKNOWN)
                and payment.provider == "mpesa"
                and not payment.provider_request_id
            ):
                # A push whose answer was lost cannot be asked about and is never re-pushed.
                if payment.status == S.SUBMITTING:
                    self._move(
                        payment,
                        S.UNKNOWN,
                        reason=lookup("app", "SEND_TIMEOUT"),
                        detail={"recovered": True},
                    )
                return
            if payment.status in (S.FAILED, S.SUCCESSFUL, S.REFUNDED):
                return
            if payment.refund_of is not None and not self._reports_refunds(payment):
                return  # the owner confirms it
            if payment.status == S.EXPIRED and age > policy.approval_timeout + policy.late_window:
                return
            if payment.status == S.PENDING and age > policy.approval_timeout:
                self._move(payment, S.EXPIRED, reason=lookup("app", "NO_ANSWER"))
                continue

            if offline:
                backoff = policy.offline_first_delay * 2.0 ** (offline - 1)
                delay = min(policy.offline_max_backoff, backoff) * self._rng.uniform(0.5, 1)
            elif payment.status in (S.SUBMITTING, S.UNKNOWN):
                delay = 0.0 if not_found_since is None else 2.0  # recovery: ask at once
            elif payment.status == S.EXPIRED:
                delay = max(policy.schedule.next_delay(age, self._rng), policy.late_interval)
            else:
                delay = policy.schedule.next_delay(age, self._rng)
            await asyncio.sleep(delay)

            report = await self._ask(payment)
            if report is None:
                offline += 1
                continue
            offline = 0
            if isinstance(report, _Stop):
                return
            if not checkpointed and payment.status == S.PENDING:
                checkpointed = True
                self._checkpoint("polling")
            try:
                not_found_since = await self._apply(payment, report, not_found_since)
            except StorageFault as exc:  # a re-send could not be marked: not sent, ask again
                log.warning("payment %s: not sent again yet: %s", reference_id, exc)
                await asyncio.sleep(self.save_retry)

    async def _ask(self, payment: Payment) -> StatusReport | _Stop | None:
        """The provider's answer; None when it could not be had (try again later); _STOP when
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
            return _STOP
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

        def same(answer: object) -> bool:
            return isinstance(answer, dict) and _gist(answer) == _gist(exc.answer)

        try:
            events = self.repository.events(reference_id)
            if not any(same(e.detail.get("not_understood")) for e in events):
                self.repository.note(reference_id, {"not_understood": exc.answer}, self._clock())
                self._publish(reference_id)
        except StoreError as problem:  # only history: the next such answer tries again
            log.warning("payment %s: answer not recorded: %s", reference_id, problem)

    async def _apply(
        self, payment: Payment, report: StatusReport, not_found_since: float | None
    ) -> float | None:
        """Record what the provider said; returns when "not found" was first heard, if it
        is still the story."""
        detail = dict(report.detail)
        if report.status == RemoteStatus.SUCCESSFUL:
            self._move(payment, S.SUCCESSFUL, receipt=report.receipt, detail=detail)
        elif report.status == RemoteStatus.FAILED:
            self._move(
                payment,
                S.FAILED,
                reason=report.reason or lookup("app", "UNKNOWN_REASON"),
                detail=detail,
            )
        elif report.status == RemoteStatus.PENDING:
            if payment.status in (S.SUBMITTING, S.UNKNOWN):
                self._move(payment, S.PENDING, detail=detail)
        elif report.status == RemoteStatus.NOT_FOUND:
            return await self._not_found(payment, not_found_since)
        return None

    async def _not_found(self, payment: Payment, since: float | None) -> float | None:
        now = asyncio.get_running_loop().time()
        if payment.status in (S.SUBMITTING, S.UNKNOWN) and payment.provider == "mtn":
            # The earlier attempt never arrived: send it again with the same reference id
            # (a duplicate would be refused with 409, so this cannot charge twice).
            if payment.status == S.SUBMITTING:
                payment = self._move(
                    payment,
                    S.UNKNOWN,
                    reason=lookup("app", "NEVER_ARRIVED"),
                    detail={"recovered": True},
                )
            await self._send(payment)
            return None
        if payment.status == S.PENDING and payment.provider == "mtn":
            since = since if since is not None else now
            if now - since >= self.policies[payment.provider].not_found_grace:
                self._move(payment, S.FAILED, reason=lookup("app", "NEVER_ARRIVED"))
                return None
            return since
        return since


def _gist(answer: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answer.items() if key != "body"}
