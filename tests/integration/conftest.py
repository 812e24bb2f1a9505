"""The engine's world for integration tests: a real SQLite file and both simulators served
over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.engine.engine import PaymentEngine, PollPolicy
from pos_app.engine.schedule import AdaptiveSchedule
from pos_app.providers.mpesa.client import MpesaClient, StkSettings
from pos_app.providers.mpesa.provider import MpesaProvider
from pos_app.providers.mtn.client import MtnClient
from pos_app.providers.mtn.provider import MtnProvider
from pos_app.providers.resilience import RetryPolicy
from pos_app.sandbox import demo
from pos_app.sandbox.app import create_app
from pos_app.sandbox.mpesa import MpesaSandboxSettings, MpesaSimulator
from pos_app.sandbox.mtn import MtnSandboxSettings, MtnSimulator
from pos_app.sandbox.server import ThreadedServer
from pos_app.store import PaymentRepository, open_database
from tests.conftest import charge_request

S = PaymentStatus
FAST = AdaptiveSchedule(first_poll=0.05, busy_interval=0.05, min_interval=0.05, max_interval=0.2)


def policy(**changes: Any) -> PollPolicy:
    values: dict[str, Any] = {
        "schedule": FAST,
        "approval_timeout": 5.0,
        "late_window": 5.0,
        "rate_limit": 1000.0,
        "not_found_grace": 0.3,
        "late_interval": 0.1,
        "offline_first_delay": 0.05,
        "offline_max_backoff": 0.2,
        "send_deadline": 1.0,
    }
    values.update(changes)
    return PollPolicy(**values)


@dataclass
class World:
    mtn: MtnSimulator
    mpesa: MpesaSimulator
    server: ThreadedServer
    repo: PaymentRepository
    path: Path

    def engine(self, max_concurrent: int = 8, **policy_changes: Any) -> PaymentEngine:
        retry = RetryPolicy(attempts=3, base_delay=0.02)
        mtn = MtnClient(
            base_url=self.server.url,
            target_environment="sandbox",
            credentials=demo.mtn_credentials(),
            retry=retry,
            timeout=2.0,
            breaker_threshold=1000,
        )
        mpesa = MpesaClient(
            base_url=self.server.url,
            credentials=demo.mpesa_credentials(),
            retry=retry,
            timeout=2.0,
            breaker_threshold=1000,
            stk=StkSettings(demo.MPESA_SHORTCODE, callback_url=demo.MPESA_CALLBACK_URL),
        )
        return PaymentEngine(
            self.repo,
            {"mtn": MtnProvider(mtn, "EUR"), "mpesa": MpesaProvider(mpesa)},
            {"mtn": policy(**policy_changes), "mpesa": policy(**policy_changes)},
            note="Test shop",
            till="Till 1",
            max_concurrent_requests=max_concurrent,
        )


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    mtn = MtnSimulator(MtnSandboxSettings(approval_delay=0.2, delayed_success=0.3))
    mpesa = MpesaSimulator(MpesaSandboxSettings(processing_seconds=0.2))
    db = open_database(tmp_path / "pos.sqlite3")
    with ThreadedServer(create_app(mtn, mpesa)) as server:
        yield World(mtn, mpesa, server, PaymentRepository(db), tmp_path / "pos.sqlite3")
    db.close()


@pytest.fixture
async def engine(world: World) -> AsyncIterator[PaymentEngine]:
    e = world.engine()
    yield e
    await e.aclose()


EUR = Money(1250, "EUR")
KES = Money(10000, "KES")


async def lost_push(world: World, engine: PaymentEngine, msisdn: str) -> Payment:
    """An M-Pesa push whose answer is lost on the way back: the payment becomes unknown."""
    await engine.providers["mpesa"].client.tokens.get()  # type: ignore[attr-defined]
    world.mpesa.faults.drop_next = 1  # the token is fetched, so the push is what drops
    return await engine.charge(charge_request("mpesa", KES, msisdn))
