"""The till's link to the owner's hub: one long-poll at a time, resumable from the cursor kept
in the till's own database; what the till awaits is told to the hub, again after an outage."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Protocol

from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, new_reference_id
from pos_app.engine.relay import CustomerPaid, Heard
from pos_app.link.client import POLL_WAIT, CustomerPayment, HubClient, HubError, HubRefused
from pos_app.link.outbox_sync import OutboxSync
from pos_app.providers import registry
from pos_app.store import PaymentRepository, StoreError

log = logging.getLogger(__name__)
CURSOR = "hub_cursor"
FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0
REFUSED_PAUSE = 300.0  # a revoked key stays revoked: ask again rarely


class LinkState(StrEnum):
    NOT_SET_UP = "not set up"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    REFUSED = "refused"  # the hub refuses this till's key (revoked)


class Listener(Protocol):
    def heard(self, news: Heard) -> None: ...

    def relay_changed(self) -> None: ...

    def record_customer_payment(self, paid: CustomerPaid) -> Payment: ...


def awaited(payment: Payment) -> dict[str, Any] | None:
    """What the hub needs to match this payment's callback; None when its provider sends
    none the hub receives, or it has no id a callback would carry yet."""
    spec = registry.spec(payment.provider)
    if spec is None or not spec.callbacks:
        return None
    request_id = spec.callback_id(payment)
    if not request_id:
        return None
    return {
        "provider": payment.provider,
        "request_id": request_id,
        "kind": "refund" if payment.refund_of else "payment",
        "payment_id": payment.reference_id,
        "amount": f"{payment.amount.amount:.2f}",
        "currency": payment.amount.currency,
        "phone": re.sub(r"\D", "", payment.msisdn) or None,
    }


def heard(body: dict[str, Any]) -> Heard | None:
    try:
        amount = Decimal(body["amount"]) if body.get("amount") is not None else None
        return Heard(
            provider=str(body["provider"]),
            payment_id=str(body["payment_id"]),
            succeeded=body["outcome"] == "succeeded",
            receipt_code=body.get("receipt_code"),
            amount=amount,
            source_listed=body.get("source_listed"),
        )
    except (KeyError, TypeError, InvalidOperation):
        return None


class HubLink:
    def __init__(
        self,
        client: HubClient,
        repository: PaymentRepository,
        *,
        currencies: Mapping[str, str] | None = None,
        rng: random.Random | None = None,
        sync: OutboxSync | None = None,
    ) -> None:
        self.client = client
        self.sync = sync  # this till's history, uploaded
        self.repository = repository
        self.currencies = dict(currencies or {})  # what this till charges in, by provider
        self.listener: Listener | None = None
        self.state = LinkState.CONNECTING
        self.state_changed: list[Callable[[LinkState], None]] = []
        self.shop_events: list[Callable[[str, dict[str, Any]], None]] = []  # (kind, body)
        self._rng = rng or random.Random()  # noqa: S311 - jitter
        self._pending: dict[str, dict[str, Any]] = {}
        self._send_now = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def up(self) -> bool:
        return self.state is LinkState.CONNECTED

    def start(self) -> None:
        """Start fetching and telling (once; needs the running loop)."""
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._fetch(), name="hub link: events"),
                asyncio.create_task(self._tell(), name="hub link: awaits"),
            ]
            if self.sync is not None:
                self.sync.start()

    def expect(self, payment: Payment) -> None:
        body = awaited(payment)
        if body is not None:
            self._pending[payment.reference_id] = body
            self._send_now.set()
            self.start()

    async def aclose(self) -> None:
        if self.sync is not None:
            await self.sync.aclose()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.client.aclose()

    def _set_state(self, state: LinkState) -> None:
        if state is self.state:
            return
        log.info("hub link: %s", state)
        self.state = state
        if state is LinkState.CONNECTED:
            # What the hub may have missed while away (or since a restart): told again.
            for payment in self.repository.list_open():
                self.expect(payment)
            self._tasks = [task for task in self._tasks if not task.done()]
            self._tasks.append(asyncio.create_task(self._recover_claims(), name="hub claims"))
        if self.listener is not None:
            self.listener.relay_changed()
        for notify in self.state_changed:
            notify(state)

    async def take(self, payment: CustomerPayment) -> Payment:
        """Claim a customer payment for this till and record it, paid. Raises HubRefused when
        another till has it already, HubError when the hub cannot be reached."""
        if self.listener is None or payment.provider not in self.currencies:
            raise HubError(f"this till does not take {payment.provider} payments")
        # The sale's id is kept before the claim leaves: asked again after a lost answer, the
        # hub recognises the same sale (another id would be refused as "taken elsewhere").
        kept = f"claim:{payment.trans_id}"
        sale = self.repository.link_state(kept) or new_reference_id()
        self.repository.set_link_state(kept, sale)
        return self._record(await self.client.claim(payment.trans_id, sale))

    def _record(self, claimed: CustomerPayment) -> Payment:
        currency = self.currencies.get(claimed.provider)
        if self.listener is None or claimed.sale is None or currency is None:
            raise HubError(f"this till does not take {claimed.provider} payments")
        return self.listener.record_customer_payment(
            CustomerPaid(
                claimed.provider,
                claimed.sale,
                claimed.trans_id,
                Money.from_decimal(claimed.amount, currency),
                claimed.payer_name,
                claimed.paid_at,
            )
        )

    async def _recover_claims(self) -> None:
        """Claims this till made but did not record (it stopped in between): recorded now."""
        try:
            for claimed in await self.client.claimed():
                self._record(claimed)
        except (HubError, StoreError, ValidationError) as exc:
            log.warning("hub link: claimed payments not checked: %s", exc)

    def _pause(self, failures: int) -> float:
        longest = min(LONGEST_PAUSE, FIRST_PAUSE * 2.0 ** (failures - 1))
        return longest * self._rng.uniform(0.5, 1)

    async def _fetch(self) -> None:
        cursor = int(self.repository.link_state(CURSOR) or 0)
        failures = 0
        while True:
            try:
                # Not held while (re)connecting: the state shows at once.
                wait = POLL_WAIT if self.state is LinkState.CONNECTED else 0.0
                events, after = await self.client.events(cursor, wait)
            except HubRefused as exc:
                log.warning("hub link: refused: %s", exc)
                self._set_state(LinkState.REFUSED)
                await asyncio.sleep(REFUSED_PAUSE)
                continue
            except HubError as exc:
                failures += 1
                log.info("hub link: %s", exc)
                self._set_state(LinkState.RECONNECTING)
                await asyncio.sleep(self._pause(failures))
                continue
            failures = 0
            self._set_state(LinkState.CONNECTED)
            for event in events:
                self._deliver(event)
            if after != cursor:
                cursor = after
                with contextlib.suppress(StoreError):  # read again next start: harmless
                    self.repository.set_link_state(CURSOR, str(cursor))

    def _deliver(self, event: dict[str, Any]) -> None:
        kind, body = event.get("kind"), event.get("body")
        if not isinstance(body, dict):
            return
        if kind == "outcome":
            news = heard(body)
            if news is not None and self.listener is not None:
                self.listener.heard(news)
        elif isinstance(kind, str):
            for notify in self.shop_events:
                notify(kind, body)

    async def _tell(self) -> None:
        failures = 0
        while True:
            await self._send_now.wait()
            self._send_now.clear()
            for reference_id, body in list(self._pending.items()):
                try:
                    await self.client.expect(body)
                except HubRefused as exc:  # refused as it is: sending it again cannot help
                    log.warning(
                        "hub link: payment %s not awaited at the hub: %s", reference_id, exc
                    )
                except HubError:
                    failures += 1
                    self._send_now.set()
                    await asyncio.sleep(self._pause(failures))
                    break
                failures = 0
                if self._pending.get(reference_id) is body:
                    del self._pending[reference_id]
