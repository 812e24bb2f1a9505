"""When to ask a provider about a pending payment, and how fast one may ask at all."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

MIN_INTERVAL = 1.0  # never ask about one payment more than once a second


class Schedule(Protocol):
    def next_delay(self, age: float, rng: random.Random) -> float:
        """Seconds to wait before the next status query, `age` seconds after sending."""
        ...


@dataclass(frozen=True)
class AdaptiveSchedule:
    """Most customers answer a prompt 5 to 30 seconds after it appears: ask every second while
    an answer is likely, then back off geometrically to `max_interval`, so a payment that
    lingers costs few requests while a quick answer is known within about a second."""

    first_poll: float = 2.0  # the prompt needs a moment to reach the phone
    busy_until: float = 40.0  # seconds after sending during which answers are likely
    busy_interval: float = MIN_INTERVAL
    min_interval: float = MIN_INTERVAL
    growth: float = 1.5
    max_interval: float = 15.0
    jitter: float = 0.1  # +/- 10 %, so many tills do not poll in lockstep

    def next_delay(self, age: float, rng: random.Random) -> float:
        if age < self.first_poll:
            return self.first_poll - age
        if age < self.busy_until:
            base = self.busy_interval
        else:
            later = (age - self.busy_until) / 10 + 1
            base = min(self.max_interval, self.busy_interval * self.growth**later)
        delay = base * (1 + rng.uniform(-self.jitter, self.jitter))
        return max(self.min_interval, delay)


@dataclass(frozen=True)
class FixedSchedule:
    """The naive alternative, for comparison: the same interval throughout."""

    interval: float = 5.0

    def next_delay(self, age: float, rng: random.Random) -> float:
        return max(MIN_INTERVAL, self.interval)


class RateLimiter:
    """A token bucket: at most `rate` requests a second. With the default burst of 1 requests
    are evenly spaced, so no one-second window ever holds more than `rate` of them (providers
    count per second, not on average)."""

    def __init__(
        self, rate: float, burst: int | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = float(burst if burst is not None else 1)
        self._tokens = self.burst
        self._clock = clock
        self._updated = clock()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:  # first come, first served
            while True:
                now = self._clock()
                self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
                self._updated = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self.rate)
