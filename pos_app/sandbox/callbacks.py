"""The callbacks the simulators send, as the providers do (../shared/reference/callbacks.md):
Daraja's STK result and C2B validation and confirmation (§1, §2), MTN's final status (§5),
Airtel's collection result (§6). With them the whole path runs on one machine:
`pos-app sandbox` + `pos-app hub serve` + a till.

A simulator decides when a callback falls due with the very clock and outcome its status
answers use, so a callback never disagrees with the status query (unless forged on purpose).
Each is sent by a background task in the event loop that serves the simulator, with one
`httpx.AsyncClient` request of a short timeout and no retry (Daraja and MTN document none);
the simulator's answers never wait for it. A callback that cannot be delivered is logged (host
only: a callback URL's path holds the receiver's secret) and forgotten.

Only http(s) URLs whose host is not reserved for documentation are called: `.invalid` (the
demo's `https://pos-app.invalid/...`), `.example` and example.com/.net/.org (RFC 2606) are
never contacted, so a test or a demo that names one sends nothing.

An https receiver's certificate is checked against httpx's CA bundle, or SSL_CERT_FILE /
SSL_CERT_DIR when set (a hub on this machine with its own CA); `CallbackSender.verify = False`
takes any certificate.

What goes out is in `CallbackSender.attempts` (kind, method, host, HTTP status or error, and
whether it was true, forged or malformed). Faults (duplicates, late, malformed, forged, lost)
are fields of the simulator's `Faults` (sandbox/faults.py). When the simulator app shuts down
(its lifespan, see sandbox/app.py) pending callbacks are cancelled; when the loop ends without
a lifespan, asyncio.run cancels them the same way.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import ssl
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.requests import Request
from starlette.responses import Response

from pos_app.sandbox.faults import Faults

log = logging.getLogger(__name__)

POLL_SECONDS = 0.1  # how often a pending payment is looked at (a test's fake clock may jump)
TIMEOUT_SECONDS = 5.0  # one try; Daraja wants a validation answer within 8 s
_RESERVED_SUFFIXES = (".invalid", ".example", ".example.com", ".example.net", ".example.org")
_RESERVED_HOSTS = frozenset({"invalid", "example", "example.com", "example.net", "example.org"})


def deliverable(url: str) -> bool:
    """Whether a callback to `url` is sent: an http(s) URL whose host is not reserved."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.scheme not in ("http", "https") or not host:
        return False
    return host not in _RESERVED_HOSTS and not host.endswith(_RESERVED_SUFFIXES)


def where(url: str) -> str:
    """A URL for the log: scheme, host and port, never the path (it holds a secret)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


@dataclass(frozen=True)
class Callback:
    """One callback as the provider would send it."""

    kind: str  # "stk", "c2b-validation", "c2b-confirmation", "momo", "airtel"
    url: str
    body: dict[str, Any]
    method: str = "POST"
    # A success body claiming this failed payment was paid (None: nothing to forge).
    forged: dict[str, Any] | None = None
    # The key path a "status"-malformed copy lacks (ResultCode, status, status_code...).
    essential: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attempt:
    """One request that left the simulator (a duplicate is one attempt per copy)."""

    kind: str
    method: str
    host: str  # scheme://host:port, without the path
    status: int | None  # the receiver's HTTP status; None when nothing came back
    error: str = ""  # the exception's name when nothing came back
    shape: str = "true"  # "true", "forged", "malformed-json" or "malformed-status"


def _without(body: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    stripped = copy.deepcopy(body)
    node: Any = stripped
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    if path and isinstance(node, dict):
        node.pop(path[-1], None)
    return stripped


class CallbackSender:
    """A simulator's outgoing callbacks, sent from background tasks of the loop serving it."""

    def __init__(
        self,
        faults: Callable[[], Faults],
        *,
        timeout: float = TIMEOUT_SECONDS,
        verify: bool = True,  # False: a receiver's self-signed certificate is taken
    ) -> None:
        self._faults = faults
        self.timeout = timeout
        self.verify = verify
        self.loop: asyncio.AbstractEventLoop | None = None
        self.attempts: deque[Attempt] = deque(maxlen=10_000)
        self.lost: Counter[str] = Counter()  # by kind: callbacks not sent by a "lost" fault
        self._tasks: set[asyncio.Task[None]] = set()
        self._ssl: ssl.SSLContext | None = None

    def attach(self) -> None:
        """Remember the running loop as the one serving the simulator (so that a payment made
        from another thread, such as a test's, can still send its callbacks)."""
        self.loop = asyncio.get_running_loop()

    def pending(self) -> int:
        """Callbacks waiting for their payment to settle, or on their way."""
        return sum(1 for task in self._tasks if not task.done())

    # -- scheduling --

    def start(self, job: Callable[[], Awaitable[None]]) -> None:
        """Run `job()` as a background task of the loop serving the simulator, from that loop
        or from any other thread. Raises RuntimeError when no loop serves it yet."""
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None:
            self.loop = running
            self._spawn(job)
            return
        loop = self.loop
        if loop is None or loop.is_closed():
            raise RuntimeError("the simulator is not served yet: it cannot send callbacks")
        # The coroutine is made in the loop's thread, so none is left un-awaited if the loop
        # stops first.
        loop.call_soon_threadsafe(self._spawn, job)

    def after_settling(
        self,
        remaining: Callable[[], float | None],
        send: Callable[[], Awaitable[None]],
    ) -> None:
        """Once `remaining()` (seconds until the payment settles on the simulator's clock;
        None: it never will) reaches zero, run `send()`."""
        if remaining() is None:
            return

        async def job() -> None:
            while True:
                left = remaining()
                if left is None:
                    return
                if left <= 0:
                    break
                await asyncio.sleep(min(left, POLL_SECONDS))
            await send()

        self.start(job)

    def _spawn(self, job: Callable[[], Awaitable[None]]) -> None:
        task = asyncio.get_running_loop().create_task(self._guarded(job))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _guarded(job: Callable[[], Awaitable[None]]) -> None:
        try:
            await job()
        except Exception:
            log.exception("a sandbox callback failed")  # never the simulator's answers

    async def aclose(self) -> None:
        """Cancel the callbacks still pending in this loop and wait until they have stopped."""
        loop = asyncio.get_running_loop()
        tasks = [task for task in self._tasks if task.get_loop() is loop and not task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- delivery --

    async def deliver(self, callback: Callback) -> httpx.Response | None:
        """Send `callback` once (or as the faults say); the receiver's answer, or None when
        none came back or nothing was sent."""
        faults = self._faults()
        if faults.callback_lost_next > 0 or (
            faults.callback_loss_rate and faults.rng.random() < faults.callback_loss_rate
        ):
            faults.callback_lost_next = max(0, faults.callback_lost_next - 1)
            self.lost[callback.kind] += 1
            log.info("sandbox %s callback lost on purpose", callback.kind)
            return None
        body, shape = callback.body, "true"
        if callback.forged is not None and faults.callback_forged_next > 0:
            faults.callback_forged_next -= 1
            body, shape = callback.forged, "forged"
        content = json.dumps(body).encode()
        if faults.callback_malformed_next > 0:
            faults.callback_malformed_next -= 1
            if faults.callback_malformed == "status":
                content = json.dumps(_without(body, callback.essential)).encode()
                shape = "malformed-status"
            else:
                content = content[: len(content) // 2]
                shape = "malformed-json"
        copies = max(1, faults.callback_copies)
        if faults.callback_delay > 0:
            await asyncio.sleep(faults.callback_delay)
        async with httpx.AsyncClient(
            timeout=self.timeout, verify=self._context(), trust_env=False
        ) as http:
            answers = await asyncio.gather(
                *(self._send(http, callback, content, shape) for _ in range(copies))
            )
        return next((answer for answer in answers if answer is not None), None)

    async def _send(
        self, http: httpx.AsyncClient, callback: Callback, content: bytes, shape: str
    ) -> httpx.Response | None:
        host = where(callback.url)
        try:
            answer = await http.request(
                callback.method,
                callback.url,
                content=content,
                headers={"Content-Type": "application/json"},
            )
        except httpx.HTTPError as exc:
            error = type(exc).__name__
            log.warning("sandbox %s callback to %s not delivered: %s", callback.kind, host, error)
            self.attempts.append(Attempt(callback.kind, callback.method, host, None, error, shape))
            return None
        self.attempts.append(
            Attempt(callback.kind, callback.method, host, answer.status_code, "", shape)
        )
        if not answer.is_success:
            log.info(
                "sandbox %s callback to %s answered %d", callback.kind, host, answer.status_code
            )
        return answer

    def _context(self) -> ssl.SSLContext:
        # Made once: a new context per request would load the CA bundle every time.
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context(verify=self.verify)
        return self._ssl


def json_of(answer: httpx.Response | None) -> Any:
    """A successful answer's JSON; None for no answer, a refusal, or a body that is not JSON."""
    try:
        return answer.json() if answer is not None and answer.is_success else None
    except ValueError:
        return None


def sending_from_its_loop(
    endpoint: Callable[[Request], Awaitable[Response]], sender: CallbackSender
) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint, remembering the loop that serves it as the one its callbacks go from."""

    async def bound(request: Request) -> Response:
        sender.attach()
        return await endpoint(request)

    return bound
