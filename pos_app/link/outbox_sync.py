"""The till's side of sync: its own history uploaded to the hub in chain order, batch by
batch, from wherever the hub says it holds it up to (so an answer lost on the way, a crash or
an outage only means asking again), with backoff while the hub is away. Nothing the till holds
is changed by it; it only keeps how far the hub has confirmed, for the status bar."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from pos_app.domain.chain import RESEND
from pos_app.link.client import HubClient, HubError, HubRefused
from pos_app.store import PaymentRepository, StoreError
from pos_app.store.outbox import Batch

log = logging.getLogger(__name__)
SYNCED = "hub_synced"  # link_state: the hub's last confirmed event of this till
BATCH = 250
IDLE = 2.0  # seconds between looks for new events when nothing pokes
FIRST_PAUSE = 1.0
LONGEST_PAUSE = 60.0
REFUSED_PAUSE = 300.0
CHECK_PAGE = 2000  # events checked between turns of the event loop
RECHECK = 600.0  # seconds between checks of the till's own chain while all is at the hub


class SyncState(StrEnum):
    STARTING = "starting"
    BEHIND = "behind"  # events to send, the hub reachable
    SYNCED = "synced"
    AWAY = "away"  # the hub cannot be reached: sending again later
    REFUSED = "refused"  # the hub refuses this till's history (or key)


class OutboxSync:
    def __init__(
        self,
        client: HubClient,
        repository: PaymentRepository,
        till: str,
        timezone: str | None,
        *,
        chain_key: str | None = None,
        batch: int = BATCH,
        idle: float = IDLE,
        rng: random.Random | None = None,
    ) -> None:
        self.client = client
        self.repository = repository
        self.till_name = till
        self.timezone = timezone
        self.chain_key = chain_key  # which link this till's history goes up through
        self.batch_size = self.full_batch = batch
        self._failures = 0  # uploads failed in a row
        self._checked_at = 0.0  # when its own chain was last checked (monotonic)
        self.idle = idle
        self.state = SyncState.STARTING
        self.behind = 0  # events this till holds that the hub has not confirmed
        self.problem: str | None = None  # why the hub refuses, in its words
        self.changed: list[Callable[[], None]] = []
        self._rng = rng or random.Random()  # noqa: S311 - jitter
        self._poked = asyncio.Event()
        self._settled = asyncio.Event()  # the state changed
        self._till_id: str | None = None
        self._task: asyncio.Task[None] | None = None
        self.synced = -1  # the hub's last event of this till, as it last said; -1: not asked

    def start(self) -> None:
        """Start uploading in the background (once; needs the running loop)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name="hub sync")

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def catch_up(self, timeout: float) -> bool:
        """Upload until the hub holds every event there is now (True), or `timeout` passes
        (False)."""
        wanted = self.repository.outbox.head(self.till_id())
        self.start()
        try:
            async with asyncio.timeout(timeout):
                while self.synced < wanted:
                    if self.state is SyncState.REFUSED:
                        return False
                    self.poke()  # now, not after the pause of an earlier failure; once a second
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(1.0):
                            await self._settled.wait()
                    self._settled.clear()
            return True
        except TimeoutError:
            return False

    def poke(self) -> None:
        """Something was written: look for new events now rather than at the next idle turn."""
        self._poked.set()

    def till_id(self) -> str:
        if self._till_id is None:
            self._till_id = self.repository.outbox.till_id(self.till_name, self.chain_key)
        return self._till_id

    async def run(self) -> None:
        while True:
            try:
                await self._session()
            except HubRefused as exc:
                if RESEND in str(exc) or (exc.status in (400, 413) and self._smaller_batches()):
                    log.info("hub sync: %s", exc)
                    continue  # asked again at once: from where the hub stands, or in less
                self.problem = str(exc)
                log.warning("hub sync: refused: %s", exc)
                self._set(SyncState.REFUSED)
                await asyncio.sleep(REFUSED_PAUSE)
            except Exception as exc:  # unreachable, or a fault: never an end of the uploads
                self._failures += 1
                if isinstance(exc, HubError | StoreError):
                    log.info("hub sync: %s", exc)
                else:
                    log.exception("hub sync: failed")
                with contextlib.suppress(StoreError):
                    self._confirmed(int(self.repository.link_state(SYNCED) or 0), by_hub=False)
                self._set(SyncState.AWAY)
                await self._rest(self._pause(self._failures), hurried=FIRST_PAUSE)

    async def _rest(self, seconds: float, *, hurried: float = 0.0) -> None:
        """Wait before trying again; a poke (`pos-app sync` waiting for it) cuts it short, to
        `hurried` seconds at least: a failure notifies the waiter, whose poke would otherwise
        start the next attempt at once, a hundred a second while the hub is down."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        self._poked.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._poked.wait()
                await asyncio.sleep(started + hurried - loop.time())

    def _smaller_batches(self) -> bool:
        """The hub refused a batch as too large or unreadable: smaller ones, down to one
        event (which, refused too, is shown)."""
        if self.batch_size == 1:
            return False
        self.batch_size = max(1, self.batch_size // 2)
        return True

    async def _session(self) -> None:
        """From where the hub stands: this till's own check, then every batch, then new
        events as they come. Returns only by raising."""
        till = self.till_id()
        where = await self.client.sync_state()
        synced = int(where["synced"])
        self._confirmed(synced)
        upload: dict[str, Any] = {"broken": await self._own_check(till)}
        while True:
            batch = self.repository.outbox.batch(till, synced, self.batch_size)
            self.behind = max(batch.head - synced, 0)
            if batch.events or upload:
                self._set(SyncState.BEHIND if batch.events else self.state)
                reply = await self.client.upload(self._body(batch) | upload)
                upload = {}
                self.batch_size = self.full_batch  # a batch went: whole ones again
                self._failures = 0  # and the next outage's pauses start short
                synced = int(reply["synced"])
                self._confirmed(synced)
                continue
            self._set(SyncState.SYNCED)
            await self._rest(self.idle)
            if time.monotonic() - self._checked_at > RECHECK:  # an edit made meanwhile
                upload = {"broken": await self._own_check(till)}

    def _body(self, batch: Batch) -> dict[str, Any]:
        return {
            "till_uid": batch.till_id,
            "timezone": self.timezone,
            "head": batch.head,
            "after": batch.after,
            "previous": batch.previous,
            "events": batch.events,
            "payments": batch.payments,
        }

    async def _own_check(self, till: str) -> dict[str, Any] | None:
        """This till's chain checked link by link (a page at a time, the window never
        waits long): an edit made to the file by hand is told to the hub."""
        self._checked_at = time.monotonic()
        after, previous = 0, None
        while True:
            page = self.repository.outbox.check_page(till, after, previous, CHECK_PAGE)
            if page.problem is not None:
                return {"seq": page.seq, "problem": page.problem}
            if page.seq == after:
                return None
            after, previous = page.seq, page.hash
            await asyncio.sleep(0)

    def _confirmed(self, synced: int, *, by_hub: bool = True) -> None:
        if by_hub:
            self.synced = synced
        self.behind = max(self.repository.outbox.head(self.till_id()) - synced, 0)
        if self.repository.link_state(SYNCED) != str(synced):
            with contextlib.suppress(StoreError):  # asked of the hub again next time: harmless
                self.repository.set_link_state(SYNCED, str(synced))
        self._notify()

    def _set(self, state: SyncState) -> None:
        if state is not self.state:
            log.info("hub sync: %s", state)
            self.state = state
            if state is not SyncState.REFUSED:
                self.problem = None
            self._notify()

    def _notify(self) -> None:
        self._settled.set()
        for notify in self.changed:
            notify()

    def _pause(self, failures: int) -> float:
        longest = min(LONGEST_PAUSE, FIRST_PAUSE * 2.0 ** (failures - 1))
        return longest * self._rng.uniform(0.5, 1)
