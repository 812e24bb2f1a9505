"""The demo's simulators as one in-process app, made when it is first needed."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]


class LazySandbox:
    """An ASGI app standing for the simulators until the first request (or the first look at
    their state): importing them (Starlette, cryptography, every provider's simulator) takes
    about 0.1 s the window need not wait for. `make` returns the simulators' Starlette app and
    the app to serve (the same, or one remembering what it is asked)."""

    def __init__(self, make: Callable[[], tuple[Any, Asgi]]) -> None:
        self._make = make
        self._made: tuple[Any, Asgi] | None = None
        self._lock = threading.Lock()  # a worker thread's first look and a request

    def _get(self) -> tuple[Any, Asgi]:
        with self._lock:
            if self._made is None:
                self._made = self._make()
            return self._made

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._get()[1](scope, receive, send)

    def __getattr__(self, name: str) -> Any:
        # The simulators' own app's attributes (`state`: tests and the owner's demo tools).
        return getattr(self._get()[0], name)
