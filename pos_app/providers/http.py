"""One resilient HTTP exchange, shared by the provider clients: a deadline on every attempt,
retries with backoff and jitter only where safe, Retry-After, and a circuit breaker."""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from typing import Any

import httpx

from pos_app.domain.errors import Text
from pos_app.domain.reasons import Reason
from pos_app.providers.answers import RETRIED, Answer, AnswerTable, Call, Rule, Said, unclear
from pos_app.providers.base import (
    ConfigurationProblem,
    MalformedResponse,
    ProviderError,
    ProviderUnavailable,
    RequestRejected,
    UnclearAnswer,
)
from pos_app.providers.resilience import (
    CircuitBreaker,
    RetryPolicy,
    Sleep,
    default_sleep,
    parse_retry_after,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reply:
    response: httpx.Response
    rule: Rule  # the provider's table row this answer matched
    # An earlier attempt of the same call may have arrived (its answer was lost).
    maybe_delivered: bool = False


def settings_refused(text: str, maybe_delivered: bool) -> ProviderError:
    """Refused settings are the owner's to fix; but where an earlier attempt of the same
    request may have arrived, that attempt may have charged: it is asked about, never
    called failed."""
    if maybe_delivered:
        return ProviderUnavailable(text, delivered=None)
    return ConfigurationProblem(text)


def error_for(reply: Reply, said: Said, text: str, reason: Reason | None = None) -> ProviderError:
    """The error an answer other than the expected one stands for, by its row of the table
    (`reason`: the catalog's, for a final refusal)."""
    answer = reply.rule.answer
    if answer is Answer.CREDENTIALS:
        return settings_refused(text, reply.maybe_delivered)
    if answer is Answer.KEEP_ASKING:
        return UnclearAnswer(str(text), unclear(reply.response, said))
    if answer is Answer.FINAL and reply.rule.result == "refused":
        return RequestRejected(text, reason)
    return MalformedResponse(text)


# What a proxy answers a refused password (tinyproxy: 401 for a wrong one) or host.
PROXY_REFUSALS = ("401", "403", "407")


def _from_proxy(response: httpx.Response) -> bool:
    """A proxy's own refusal of a plain-HTTP request (through a tunnel, the provider's answers
    are its own): 407, or a 401 asking for Basic credentials, as tinyproxy answers a wrong
    password (a provider asks for a Bearer)."""
    if response.url.scheme != "http":
        return False
    asked = response.headers.get("proxy-authenticate") or response.headers.get(
        "www-authenticate", ""
    )
    return response.status_code == 407 or (
        response.status_code == 401 and asked.lower().startswith("basic")
    )


def _proxy_refused(label: str, detail: str) -> Text:
    return Text(
        "the proxy refused the way to {provider} ({detail}): check the proxy setting and "
        "its password (Settings)",
        provider=label,
        detail=detail,
    )


@dataclass(frozen=True)
class _Failed:
    """An attempt that gave no answer to return."""

    problem: str  # for the log and the error: the exception's name or the HTTP status
    safe: bool  # sending again cannot make it happen twice
    retry_after: float | None = None


@dataclass
class Delivery:
    """What the attempts of one call established: could the request have arrived?"""

    maybe: bool = False

    @property
    def delivered(self) -> bool | None:
        return None if self.maybe else False


class ResilientHttp:
    def __init__(
        self,
        *,
        label: str,
        base_url: str,
        table: AnswerTable,
        timeout: float = 15.0,
        deadline: float | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = default_sleep,
        rng: random.Random | None = None,
        proxy: httpx.Proxy | None = None,
    ) -> None:
        self.label = label
        self.table = table
        # httpx's timeouts are per phase; the deadline bounds a whole attempt.
        self._deadline = deadline if deadline is not None else timeout + 5.0
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
            # TLS to the provider stays end to end through the proxy's CONNECT.
            proxy=proxy,
        )
        self._proxied = proxy is not None
        self.requests_sent = 0  # attempts that left the machine, for tests and benchmarks

    async def aclose(self) -> None:
        await self._client.aclose()

    async def post_once(
        self, path: str, json_body: dict[str, Any], headers: dict[str, str]
    ) -> httpx.Response:
        """One plain POST through this client's connection (proxy, transport): for an owner's
        one-off set-up call, whose answer the owner reads (raises httpx.HTTPError)."""
        return await self._client.post(path, json=json_body, headers=headers)

    async def send(
        self,
        breaker: CircuitBreaker,
        what: str,
        call: Call,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        delivery: Delivery,
        idempotent: bool = True,
        json_body: dict[str, Any] | None = None,
        content: bytes | None = None,
        params: dict[str, str] | None = None,
    ) -> Reply:
        """The first answer that is not a failure to retry. A request that is not idempotent
        is never sent twice unless the first attempt certainly did not arrive."""
        attempt = 0
        while True:
            attempt += 1
            if not breaker.allow():
                raise ProviderUnavailable(
                    Text(
                        "{provider} {what} is unreachable (paused for {seconds} s after "
                        "repeated failures)",
                        provider=self.label,
                        what=what,
                        seconds=f"{breaker.seconds_until_probe():.0f}",
                    ),
                    delivered=delivery.delivered,
                )
            result = await self._attempt(
                breaker,
                call,
                method,
                path,
                headers=headers,
                delivery=delivery,
                idempotent=idempotent,
                json_body=json_body,
                content=content,
                params=params,
            )
            if isinstance(result, Reply):
                return result
            log.info("%s %s %s attempt %d: %s", self.label, method, path, attempt, result.problem)
            breaker.record_failure()
            stop = self._stop(what, attempt, result, delivery)
            if stop is not None:
                raise stop
            await self._sleep(self._retry.delay(attempt, result.retry_after, self._rng))

    async def _attempt(
        self,
        breaker: CircuitBreaker,
        call: Call,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        delivery: Delivery,
        idempotent: bool,
        json_body: dict[str, Any] | None,
        content: bytes | None,
        params: dict[str, str] | None,
    ) -> Reply | _Failed:
        try:
            self.requests_sent += 1
            # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a cancellation
            # that comes as the answer arrives, and a follow-up then outlives engine.aclose().
            async with asyncio.timeout(self._deadline):
                response = await self._client.request(
                    method, path, headers=headers, json=json_body, content=content, params=params
                )
        except httpx.ProxyError as exc:
            # The tunnel was refused: the request never reached the provider. A refused
            # password or host is the owner's to fix; anything else (the proxy cannot reach the
            # provider: 502, 503) is a network failure like another.
            if str(exc).split(" ", 1)[0] in PROXY_REFUSALS:
                breaker.release()
                text = _proxy_refused(self.label, str(exc))
                raise settings_refused(text, delivery.maybe) from exc
            return _Failed(type(exc).__name__, safe=True)
        except (httpx.TransportError, TimeoutError) as exc:
            # A refused connection never carried the request; anything later might have.
            arrived = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
            delivery.maybe = delivery.maybe or arrived
            return _Failed(type(exc).__name__, safe=not arrived or idempotent)
        except BaseException:
            # Cancelled (or worse) mid-flight: the half-open probe slot must not stay taken.
            breaker.release()
            raise
        if self._proxied and _from_proxy(response):
            breaker.release()
            text = _proxy_refused(self.label, f"HTTP {response.status_code}")
            raise settings_refused(text, delivery.maybe)
        rule = self.table.rule(call, response)
        if rule.answer not in RETRIED:
            breaker.record_success()
            log.debug("%s %s %s -> %d", self.label, method, path, response.status_code)
            return Reply(response, rule, maybe_delivered=delivery.maybe)
        delivery.maybe = delivery.maybe or rule.answer is Answer.MAY_HAVE_ARRIVED
        return _Failed(
            f"HTTP {response.status_code}",
            safe=rule.answer is Answer.NOT_PROCESSED or idempotent,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )

    def _stop(
        self, what: str, attempt: int, failed: _Failed, delivery: Delivery
    ) -> ProviderUnavailable | None:
        """The error that ends the attempts, or None to send again."""
        if not failed.safe:
            return ProviderUnavailable(
                Text(
                    "{provider} {what}: no clear answer ({problem}); not sent again, it "
                    "may have arrived",
                    provider=self.label,
                    what=what,
                    problem=failed.problem,
                ),
                delivered=None,
            )
        if attempt >= self._retry.attempts:
            return ProviderUnavailable(
                Text(
                    "{provider} {what} did not answer properly after {attempts} attempts "
                    "(last: {problem})",
                    provider=self.label,
                    what=what,
                    attempts=attempt,
                    problem=failed.problem,
                ),
                delivered=delivery.delivered,
            )
        return None
