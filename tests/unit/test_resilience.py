from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.platform.secret import Secret
from pos_app.providers.resilience import (
    CircuitBreaker,
    CircuitState,
    RetryPolicy,
    parse_retry_after,
)
from pos_app.providers.tokens import Token, TokenCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@given(attempt=st.integers(1, 20), seed=st.integers(0, 2**32))
def test_backoff_has_full_jitter_under_an_exponential_cap(attempt: int, seed: int) -> None:
    policy = RetryPolicy(base_delay=0.25, max_delay=8.0)
    delay = policy.delay(attempt, None, random.Random(seed))
    assert 0 <= delay <= min(8.0, 0.25 * 2 ** (attempt - 1))


def test_retry_after_is_a_floor_but_capped() -> None:
    policy = RetryPolicy(max_retry_after=30)
    assert policy.delay(1, 5, random.Random(1)) >= 5
    assert policy.delay(1, 3600, random.Random(1)) == 30


def test_parse_retry_after_both_forms() -> None:
    now = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7
    assert parse_retry_after("Mon, 23 Nov 2026 12:00:10 GMT", now) == 10
    assert parse_retry_after("Mon, 23 Nov 2026 11:00:00 GMT", now) == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_circuit_breaker_opens_probes_and_recovers() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=3, cooldown=10, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.record_failure()
    assert breaker.state == CircuitState.CLOSED
    breaker.record_failure()
    assert breaker.state == CircuitState.OPEN
    assert not breaker.allow()
    assert breaker.seconds_until_probe() == 10
    clock.now += 10
    assert breaker.state == CircuitState.HALF_OPEN
    assert breaker.allow()  # one probe
    assert not breaker.allow()  # and only one
    breaker.record_failure()  # the probe failed: open again, for a full cooldown
    assert breaker.state == CircuitState.OPEN
    clock.now += 10
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state == CircuitState.CLOSED
    assert breaker.allow() and breaker.allow()


def test_success_resets_the_failure_count() -> None:
    breaker = CircuitBreaker(threshold=3, cooldown=10, clock=Clock())
    for _ in range(5):
        breaker.record_failure()
        breaker.record_failure()
        breaker.record_success()
    assert breaker.state == CircuitState.CLOSED


def test_released_probe_lets_another_probe_through() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=1, cooldown=5, clock=clock)
    breaker.record_failure()
    clock.now += 5
    assert breaker.allow()
    breaker.release()
    assert breaker.allow()


async def test_token_cache_refreshes_before_expiry() -> None:
    clock = Clock()
    issued = 0

    async def fetch() -> Token:
        nonlocal issued
        issued += 1
        return Token(Secret(f"t{issued}"), 3600)

    cache = TokenCache(fetch, clock=clock)
    assert (await cache.get()).reveal() == "t1"
    clock.now += 2999  # MTN: refresh 10 minutes before the hour is up
    assert (await cache.get()).reveal() == "t1"
    clock.now += 1
    assert (await cache.get()).reveal() == "t2"
    assert cache.fetches == 2


async def test_token_cache_single_flight_and_invalidate() -> None:
    calls = 0

    async def fetch() -> Token:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.02)
        return Token(Secret(f"t{calls}"), 60)

    cache = TokenCache(fetch)
    tokens = await asyncio.gather(*(cache.get() for _ in range(50)))
    assert calls == 1 and {t.reveal() for t in tokens} == {"t1"}
    cache.invalidate(Secret("someone-elses-old-token"))
    assert (await cache.get()).reveal() == "t1"
    cache.invalidate(tokens[0])
    assert (await cache.get()).reveal() == "t2"


async def test_failed_fetch_is_not_cached() -> None:
    attempts = 0

    async def fetch() -> Token:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise RuntimeError("provider down")
        return Token(Secret("ok"), 60)

    cache = TokenCache(fetch)
    with pytest.raises(RuntimeError):
        await cache.get()
    assert (await cache.get()).reveal() == "ok"


def test_adaptive_schedule_never_polls_faster_than_once_a_second() -> None:
    from pos_app.engine.schedule import MIN_INTERVAL, AdaptiveSchedule, FixedSchedule

    rng = random.Random(3)
    schedule = AdaptiveSchedule()
    ages = [2.0 + i * 0.37 for i in range(1000)]
    delays = [schedule.next_delay(age, rng) for age in ages]
    assert min(delays) >= MIN_INTERVAL
    assert max(delays) <= schedule.max_interval * 1.1
    assert schedule.next_delay(0.5, rng) == pytest.approx(1.5)  # first poll at 2 s
    busy = [schedule.next_delay(age, rng) for age in (5, 10, 20, 30)]
    late = [schedule.next_delay(age, rng) for age in (120, 200, 290)]
    assert max(busy) <= 1.1 and min(late) >= 10
    assert FixedSchedule(0.2).next_delay(10, rng) == MIN_INTERVAL


async def test_rate_limiter_never_exceeds_its_rate_in_any_second() -> None:
    from pos_app.engine.schedule import RateLimiter

    limiter = RateLimiter(rate=20)
    loop = asyncio.get_running_loop()
    times: list[float] = []

    async def worker() -> None:
        for _ in range(10):
            await limiter.acquire()
            times.append(loop.time())

    await asyncio.gather(*(worker() for _ in range(5)))
    times.sort()
    assert len(times) == 50
    busiest = max(sum(1 for u in times if t <= u < t + 1) for t in times)
    assert busiest <= 21  # 20 a second; one more only where a window's edges both land on a request
    assert times[-1] - times[0] >= 49 / 20 * 0.95
