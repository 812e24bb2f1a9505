"""One till's day as a real process, for tests/hub/test_simulated_day.py: it charges until its
database holds PAYMENTS payments (outcomes mixed by the simulator's test numbers, now and then
a refund), its history going to the hub all along, then waits until the hub holds all of it
and exits 0. Killed at any moment and started again, it carries on from what its database
holds; it never learns what happened to the hub in between.

    python -m tests.hub.day_till PAYMENTS SEED
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
import sys

from pos_app.app.till import build_till
from pos_app.cli.common import database
from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money
from pos_app.domain.payment import PaymentStatus
from pos_app.domain.phone import PhoneNumber
from pos_app.engine.engine import ChargeRequest, PaymentEngine
from pos_app.engine.schedule import FixedSchedule
from pos_app.platform import paths
from pos_app.platform.config import load_config
from pos_app.providers import registry
from pos_app.store import PaymentRepository
from pos_app.store.queries import PaymentFilter

# The M-Pesa simulator's numbers that are refused (any other number pays), a few times more
# often than at a real counter.
REFUSED = ["254711000001", "254711001032", "254711002001"]
WORKERS = 48  # payments in flight: the simulator answers at once, the till asks each second


async def charge_one(engine: PaymentEngine, rng: random.Random) -> None:
    amount = Money(rng.randint(1, 400) * 50 * 100, "KES")
    phone = rng.choice(REFUSED) if rng.random() < 0.2 else f"2547{rng.randrange(10**8):08d}"
    payment = await engine.charge(ChargeRequest("mpesa", amount, PhoneNumber(phone, None, None)))
    await engine.settle([payment.reference_id], timeout=60)
    paid = engine.current(payment.reference_id)
    if paid.status is PaymentStatus.SUCCESSFUL and rng.random() < 0.05:
        with contextlib.suppress(ValidationError):
            await engine.refund(paid.reference_id, paid.amount)


async def day(target: int, seed: int) -> int:
    # The sync's every turn in the run's log, for the test's message when a till falls behind.
    logging.basicConfig(format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("pos_app.link").setLevel(logging.INFO)
    paths.enter_demo_world()
    config = load_config(None, registry.config_sections())
    till = build_till(config, demo=True, approval_delay=0.02)
    for provider, policy in till.policies.items():  # a day in a minute
        till.policies[provider] = dataclasses.replace(
            policy,
            schedule=FixedSchedule(0.05),
            rate_limit=1000.0,
            relaxed_first=0.05,
            relaxed_interval=0.05,
        )
    with database() as repository:
        engine = till.engine(repository)
        engine.resume()  # what the last run left open
        rng = random.Random(seed * 100_003 + _count(repository))

        async def worker() -> None:
            while _count(repository) < target:
                await charge_one(engine, rng)

        try:
            # What is still open stays open (a reversal waits for the owner): the hub must
            # hold the day as the till does, not a finished one.
            await asyncio.gather(*(worker() for _ in range(WORKERS)))
            # And what is still followed (resumed from a killed run, or slower than a worker
            # waits) is settled first: its events would come after the hub had caught up.
            following = [p.reference_id for p in repository.list_open()]
            await engine.settle(following, timeout=60)
            sync = till.link.sync if till.link is not None else None
            caught_up = sync is not None and await sync.catch_up(120)
            if not caught_up:  # why, for the test's message
                print("not caught up:", sync and (sync.state, sync.problem, sync.synced))
        finally:
            await engine.aclose()
    return 0 if caught_up else 3


def _count(repository: PaymentRepository) -> int:
    return repository.count(PaymentFilter())


if __name__ == "__main__":
    sys.exit(asyncio.run(day(int(sys.argv[1]), int(sys.argv[2]))))
