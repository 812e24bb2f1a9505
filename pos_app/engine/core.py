"""The engine's state and its record of each move: a payment's changes are written with
their event, or kept in memory (in order) while the disk cannot take them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pos_app.domain.countries import Provider
from pos_app.domain.errors import ValidationError
from pos_app.domain.payment import (
    IllegalTransition,
    Payment,
    PaymentStatus,
)
from pos_app.domain.reasons import Reason, reason_key
from pos_app.engine.events import EventBus, PaymentUpdate
from pos_app.engine.policy import (
    ChargeRequest,
    Checkpoint,
    PollPolicy,
    not_set_up,
    utc_now,
)
from pos_app.engine.relay import Heard
from pos_app.engine.schedule import RateLimiter
from pos_app.providers import registry
from pos_app.providers.base import (
    ConfigurationProblem,
    PaymentProvider,
)
from pos_app.providers.spec import Capabilities, ProviderSpec
from pos_app.store import PaymentRepository, StorageFault, StoreError

log = logging.getLogger(__name__)
S = PaymentStatus


@dataclass(frozen=True)
class Move:
    """A change the provider reported that the disk could not take yet, kept to be written."""

    target: PaymentStatus
    at: datetime
    fields: dict[str, Any]


@dataclass
class Kept:
    """A payment as it stands in memory, and the changes to write to get there, oldest first."""

    payment: Payment
    moves: list[Move]


class EngineCore:
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
        # Refused from the start: a provider whose plug-in is not installed could not be followed.
        if missing := [name for name in self.providers if registry.spec(name) is None]:
            raise ValueError(f"no provider {missing[0]!r} is installed (providers.registry)")
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
        self._kept: dict[str, Kept] = {}
        self._all_saved = asyncio.Event()
        self._all_saved.set()
        self._saver: asyncio.Task[None] | None = None
        self.storage_problem: StorageFault | None = None
        # Payments this engine created: only these are ever sent from "created" (below).
        self._created: set[str] = set()
        # Answers not understood already in each payment's history (the gist: no body).
        self._noted: dict[str, list[dict[str, Any]]] = {}
        # Callbacks relayed by the hub, waiting for the provider's answer to agree, and what
        # wakes a payment's follower early (engine/hearing.py).
        self._heard: dict[str, Heard] = {}
        self._confirming: set[str] = set()  # heard, asked, the provider says "pending" still
        self._to_hub: set[str] = set()  # sent naming the hub as callback: asked less meanwhile
        self._nudges: dict[str, asyncio.Event] = {}

    def spec(self, provider: Provider) -> ProviderSpec:
        """The provider's spec (raises ConfigurationProblem when it is not installed)."""
        found = registry.spec(provider)
        if found is None:
            raise ConfigurationProblem(not_set_up(provider))
        return found

    def can(self, provider: Provider) -> Capabilities:
        return self.spec(provider).capabilities

    def check(self, request: ChargeRequest) -> None:
        """Raises ValidationError (or ConfigurationProblem) unless the provider takes it."""
        if request.provider not in self.providers:
            raise ConfigurationProblem(not_set_up(request.provider))
        self.spec(request.provider).rules.check(request.amount, registry.name(request.provider))

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
        move = Move(
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

    def _write(self, reference_id: str, move: Move) -> Payment:
        return self.repository.transition(reference_id, move.target, move.at, **move.fields)

    def _announce(self, moved: Payment) -> None:
        self.bus.publish(PaymentUpdate(moved, self.repository.last_event(moved.reference_id)))
        if moved.refund_of is not None and moved.status == S.SUCCESSFUL:
            self._publish(moved.refund_of)  # the original now shows (part) refunded

    def _keep(self, move: Move, payment: Payment, fault: StorageFault | None) -> Payment:
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
        kept = self._kept.setdefault(payment.reference_id, Kept(changed, []))
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
        return self.can(payment.provider).reports_refunds

    def _can_ask(self, payment: Payment) -> bool:
        """Whether the provider can be asked about it: by our id, or by its request id."""
        return self.can(payment.provider).asks_without_request_id or bool(
            payment.provider_request_id
        )

    def _receipt_code(self, provider: Provider, text: str) -> str:
        shape = self.spec(provider).receipt_code
        if shape is None:
            raise ValidationError(
                "{provider} gives its own receipt codes: none is typed",
                provider=registry.name(provider),
            )
        return shape.parse(text)

    def _publish(self, reference_id: str) -> None:
        payment = self.repository.get(reference_id)
        self.bus.publish(PaymentUpdate(payment, self.repository.last_event(reference_id)))

    async def _call(self, provider: Provider, request: Any) -> Any:
        async with self._requests:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                return await request
            finally:
                self.in_flight -= 1

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
