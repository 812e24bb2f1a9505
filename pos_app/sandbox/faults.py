"""Fault injection for a simulator instance: latency, errors, rate limiting, lost answers,
token expiry, and broken callbacks. Mutable while the simulator runs, so a test can break things
mid-flight.

The `callback_*` fields act on the callbacks the simulator sends (sandbox/callbacks.py), never
on its answers, and `target` does not narrow them. Each is decided when a callback falls due:

- `callback_copies = N`: duplicates, every callback is sent N times at once;
- `callback_delay = s`: late, every callback leaves s seconds after its payment settled;
- `callback_malformed_next = N`: the next N callbacks are broken, as `callback_malformed` says:
  "json" cuts the body short (not valid JSON), "status" sends valid JSON without its status
  (Daraja's ResultCode, MTN's status, Airtel's status_code; a C2B body's TransID);
- `callback_forged_next = N`: the next N payments that fail are announced as paid (a success
  body with a made-up receipt) while the status query still says failed; a callback that is a
  success already, or a C2B one, is sent as it is and does not count;
- `callback_lost_next = N` / `callback_loss_rate = p`: the next N callbacks (or each with
  probability p) are not sent at all.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send


class DropConnection(Exception):
    """Raised after the request was processed: the server closes the connection unanswered."""


class _DroppedResponse(Response):
    """Starts an answer and breaks off: the client sees the connection drop mid-response."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]}
        )
        await send({"type": "http.response.body", "body": b"{", "more_body": True})
        raise DropConnection("answer dropped by fault injection")


@dataclass(frozen=True)
class FaultShapes:
    """How a provider answers when it fails (with a status) or limits the rate (with a
    Retry-After in seconds)."""

    failure: Callable[[int], Response]
    rate_limited: Callable[[int], Response]


@dataclass
class Faults:
    shapes: FaultShapes  # the provider's own error bodies for what is injected
    latency: float = 0.0  # seconds added before every answer
    error_rate: float = 0.0  # probability of a 500 without processing the request
    fail_next: int = 0  # the next N requests get `fail_status` without being processed
    fail_status: int = 503
    rate_limit_next: int = 0  # the next N requests get 429 with Retry-After
    retry_after: int = 1
    drop_next: int = 0  # the next N requests are processed, then the connection is dropped
    hang_next: int = 0  # the next N requests are processed, then answered after `hang_seconds`
    hang_seconds: float = 30.0
    token_ttl: int = 3600  # expires_in of new access tokens
    seed: int | None = None
    # Only requests whose method and path contain this ("POST /collection/v1_0/requesttopay")
    # are affected by the counted faults; empty: every request.
    target: str = ""
    # The next requests (within `target`) get these answers, in order, instead of being
    # processed: (HTTP status, JSON body), to play back what a provider was seen to send.
    script: list[tuple[int, Any]] = field(default_factory=list)
    # -- the callbacks the simulator sends (see the module docstring) --
    callback_copies: int = 1  # each callback sent this many times
    callback_delay: float = 0.0  # seconds added after a payment settles, before its callback
    callback_malformed_next: int = 0  # the next N callbacks are malformed...
    callback_malformed: str = "json"  # ...cut short ("json") or without their status ("status")
    callback_forged_next: int = 0  # the next N failures are announced as successes
    callback_lost_next: int = 0  # the next N callbacks are not sent
    callback_loss_rate: float = 0.0  # probability that a callback is not sent
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 - simulation, not cryptography

    def endpoint(self, handler: Callable[..., Any], *args: str) -> Callable[[Request], Any]:
        """A route endpoint that runs `handler(request, *args)` with these faults around it."""

        async def endpoint(request: Request) -> Response:
            injected = await self.before(request)
            if injected is not None:
                return injected
            response: Response = await handler(request, *args)
            return await self.after(request) or response

        return endpoint

    async def before(self, request: Request) -> Response | None:
        """An injected answer that replaces processing, or None to process the request."""
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.target and self.target not in f"{request.method} {request.url.path}":
            request.state.faults_apply = False
            return None
        request.state.faults_apply = True
        if self.script:
            status, body = self.script.pop(0)
            return JSONResponse(body, status_code=status)
        if self.fail_next > 0:
            self.fail_next -= 1
            return self.shapes.failure(self.fail_status)
        if self.rate_limit_next > 0:
            self.rate_limit_next -= 1
            return self.shapes.rate_limited(self.retry_after)
        if self.error_rate and self.rng.random() < self.error_rate:
            return self.shapes.failure(500)
        return None

    async def after(self, request: Request) -> Response | None:
        """Called once the request was processed: lose or delay the answer if asked to."""
        if not getattr(request.state, "faults_apply", True):
            return None
        if self.drop_next > 0:
            self.drop_next -= 1
            return _DroppedResponse()
        if self.hang_next > 0:
            self.hang_next -= 1
            await asyncio.sleep(self.hang_seconds)
        return None
