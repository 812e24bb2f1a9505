"""One LISTEN connection per hub process, waking that process's long-polls by shop."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator

from psycopg import AsyncConnection, OperationalError

from pos_app.hub.events import CHANNEL

log = logging.getLogger(__name__)


class Wakeups:
    def __init__(self, database_url: str) -> None:
        self._url = database_url
        # shop -> till id -> the events its waiting long-polls wait on
        self._waiting: defaultdict[str, defaultdict[str, set[asyncio.Event]]] = defaultdict(
            lambda: defaultdict(set)
        )
        self.listening = asyncio.Event()

    @contextlib.asynccontextmanager
    async def waiter(self, shop: str, till: str) -> AsyncIterator[asyncio.Event]:
        """An event set when something new may be there for this till (its own, or its
        shop's, or anything may have been missed): the waiter then reads the table again."""
        woken = asyncio.Event()
        self._waiting[shop][till].add(woken)
        try:
            yield woken
        finally:
            tills = self._waiting[shop]
            tills[till].discard(woken)
            if not tills[till]:
                del tills[till]
            if not tills:
                del self._waiting[shop]

    def _wake(self, payload: str | None) -> None:
        try:
            shop, till = json.loads(payload) if payload else (None, None)
        except (ValueError, TypeError):
            shop, till = None, None
        if not isinstance(shop, str):  # everyone reads again
            groups = [g for tills in self._waiting.values() for g in tills.values()]
        elif isinstance(till, str):
            groups = [self._waiting[shop][till]] if till in self._waiting.get(shop, {}) else []
        else:
            groups = list(self._waiting.get(shop, {}).values())
        for group in groups:
            for woken in group:
                woken.set()

    async def run(self) -> None:
        """Listen until cancelled, reconnecting after a lost connection."""
        pause = 0.2
        while True:
            try:
                # Keepalives: a half-open connection is noticed, not waited on for ever.
                async with await AsyncConnection.connect(
                    self._url,
                    autocommit=True,
                    keepalives=1,
                    keepalives_idle=30,
                    keepalives_interval=10,
                    keepalives_count=3,
                ) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    pause = 0.2
                    # Notifications sent while not listening are gone: everyone reads again.
                    self._wake(None)
                    async for notice in conn.notifies():
                        self._wake(notice.payload)
            except (OperationalError, OSError) as exc:
                self.listening.clear()
                log.warning("hub: lost the database's notifications (%s); reconnecting", exc)
                self._wake(None)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)
