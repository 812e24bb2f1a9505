"""One LISTEN connection per hub process, waking that process's long-polls by shop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator

from psycopg import AsyncConnection, OperationalError

from pos_app.hub.events import CHANNEL

log = logging.getLogger(__name__)


class Wakeups:
    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._waiting: defaultdict[str, set[asyncio.Event]] = defaultdict(set)
        self.listening = asyncio.Event()

    @contextlib.asynccontextmanager
    async def waiter(self, shop: str) -> AsyncIterator[asyncio.Event]:
        """An event set when something new may be there for `shop` (or anything may have
        been missed): the waiter then reads the table again."""
        woken = asyncio.Event()
        self._waiting[shop].add(woken)
        try:
            yield woken
        finally:
            self._waiting[shop].discard(woken)
            if not self._waiting[shop]:
                del self._waiting[shop]

    def _wake(self, shop: str | None) -> None:
        groups = [self._waiting.get(shop, set())] if shop else list(self._waiting.values())
        for group in groups:
            for woken in group:
                woken.set()

    async def run(self) -> None:
        """Listen until cancelled, reconnecting after a lost connection."""
        pause = 0.2
        while True:
            try:
                async with await AsyncConnection.connect(self._url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    pause = 0.2
                    # Notifications sent while not listening are gone: everyone reads again.
                    self._wake(None)
                    async for notice in conn.notifies():
                        self._wake(notice.payload)
            except OperationalError as exc:
                self.listening.clear()
                log.warning("hub: lost the database's notifications (%s); reconnecting", exc)
                self._wake(None)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)
