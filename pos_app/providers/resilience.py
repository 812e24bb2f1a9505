"""Retries with backoff and jitter, Retry-After, and a circuit breaker: provider-agnostic."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # in all, the first included
    base_delay: float = 0.25
    max_delay: float = 8.0
    max_retry_after: float = 30.0  # never wait longer than this for a Retry-After

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Wait before attempt `attempt + 1` (attempt counts from 1). Full jitter spreads the
        retries of many tills; a server's Retry-After is honoured as a minimum."""
        backoff = rng.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))
        if retry_after is not None:
            return max(backoff, min(retry_after, self.max_retry_after))
        return backoff


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds, from either form (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """Opens after `threshold` consecutive failures; after `cooldown` seconds lets one probe
    through (half-open): its success closes the circuit, its failure opens it again."""

    def __init__(
        self, threshold: int = 5, cooldown: float = 30.0, clock: Clock = time.monotonic
    ) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> CircuitState:
        if self._opened_at is None:
            return CircuitState.CLOSED
        if self._clock() - self._opened_at >= self.cooldown:
            return CircuitState.HALF_OPEN
        return CircuitState.OPEN

    def allow(self) -> bool:
        """May a request go out now? In half-open, only one probe at a time."""
        state = self.state
        if state == CircuitState.CLOSED:
            return True
        if state == CircuitState.HALF_OPEN and not self._probing:
            self._probing = True
            return True
        return False

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._probing = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._probing or self._failures >= self.threshold:
            self._opened_at = self._clock()
        self._probing = False

    def release(self) -> None:
        """A probe ended without telling anything about the provider's health."""
        self._probing = False

    def seconds_until_probe(self) -> float:
        if self._opened_at is None:
            return 0.0
        return max(0.0, self.cooldown - (self._clock() - self._opened_at))


async def default_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)
