"""Payment updates out of the engine: a plain observer, so the engine needs no Qt (the ui layer
turns updates into Qt signals)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from pos_app.domain.payment import Payment, PaymentEvent
from pos_app.domain.phone import mask_msisdn
from pos_app.store import StorageFault

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaymentUpdate:
    payment: Payment  # as it is now
    event: PaymentEvent  # what just happened to it
    # Heard from the provider but not yet written: why (the disk is full, ...).
    unsaved: StorageFault | None = None


Listener = Callable[[PaymentUpdate], None]


class EventBus:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with every update (on the event loop's thread); returns unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def queue(self) -> tuple[asyncio.Queue[PaymentUpdate], Callable[[], None]]:
        """Updates as an asyncio queue, for code that prefers to await them."""
        updates: asyncio.Queue[PaymentUpdate] = asyncio.Queue()
        return updates, self.subscribe(updates.put_nowait)

    def publish(self, update: PaymentUpdate) -> None:
        payment = update.payment
        log.info(
            "payment %s %s: %s %s %s%s",
            payment.reference_id,
            payment.status,
            payment.provider,
            payment.amount,
            mask_msisdn(payment.msisdn),
            f" ({payment.reason})" if payment.reason else "",
        )
        for listener in list(self._listeners):
            try:
                listener(update)
            except Exception:  # one broken listener must not stop the payment flow
                log.exception("payment update listener failed")
