"""Airtel Money through the engine: the real client and provider, a real SQLite file, and the
Airtel simulator over real HTTP on 127.0.0.1 (reference airtel-api.md §3 statuses, §5 codes,
§10 retries and limits)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.engine.engine import PaymentEngine
from pos_app.platform.secret import Secret
from pos_app.providers import registry
from pos_app.providers.airtel.client import AirtelClient, AirtelCredentials
from pos_app.providers.airtel.provider import AirtelProvider
from pos_app.providers.airtel.reasons import CATALOG
from pos_app.providers.base import RemoteStatus
from pos_app.providers.resilience import RetryPolicy
from pos_app.sandbox import demo
from pos_app.sandbox.airtel import AirtelSandboxSettings, AirtelSimulator
from pos_app.sandbox.app import create_app
from pos_app.sandbox.server import ThreadedServer
from pos_app.store import PaymentRepository, open_database
from pos_app.store.repository import PaymentFilter
from tests.conftest import charge_request
from tests.integration.conftest import policy

S = PaymentStatus
UGX = Money(5000, "UGX")
APPROVES = "256706218827"  # UAT registered subscriber
ORDINARY = "256752123456"  # any other Airtel number: approves after the approval delay
PUSH = "POST /merchant"
ENQUIRY = "GET /standard/v1/payments"


@dataclass
class Airtel:
    sim: AirtelSimulator
    server: ThreadedServer
    repo: PaymentRepository

    def engine(self, **policy_changes: Any) -> PaymentEngine:
        client = AirtelClient(
            base_url=self.server.url,
            country="UG",
            currency="UGX",
            credentials=AirtelCredentials(
                Secret(demo.AIRTEL_CLIENT_ID), Secret(demo.AIRTEL_CLIENT_SECRET)
            ),
            retry=RetryPolicy(attempts=3, base_delay=0.02),
            timeout=2.0,
            breaker_threshold=1000,
        )
        return PaymentEngine(
            self.repo,
            {"airtel": AirtelProvider(client, 9)},
            {"airtel": policy(**policy_changes)},
            note="Test shop",
            till="Till 1",
        )


@pytest.fixture
def airtel(tmp_path: Path) -> Iterator[Airtel]:
    sim = AirtelSimulator(AirtelSandboxSettings(approval_delay=0.2, ambiguous_seconds=1.0))
    db = open_database(tmp_path / "pos.sqlite3")
    with ThreadedServer(create_app(others={"airtel": sim})) as server:
        yield Airtel(sim, server, PaymentRepository(db))
    db.close()


@pytest.fixture
async def engine(airtel: Airtel) -> AsyncIterator[PaymentEngine]:
    made = airtel.engine()
    yield made
    await made.aclose()


def airtel_id(payment: Payment) -> str:
    """The transaction id Airtel knows the payment by: our reference without hyphens."""
    return payment.reference_id.replace("-", "")


async def charged(
    engine: PaymentEngine, msisdn: str, amount: Money = UGX, timeout: float = 5
) -> Payment:
    payment = await engine.charge(charge_request("airtel", amount, msisdn))
    assert await engine.settle([payment.reference_id], timeout=timeout)
    return engine.repository.get(payment.reference_id)


# -- outcomes --------------------------------------------------------------------------------


async def test_a_charge_succeeds_with_airtels_money_id_as_receipt(
    airtel: Airtel, engine: PaymentEngine
) -> None:
    final = await charged(engine, APPROVES)
    sim, tid = airtel.sim, airtel_id(final)
    assert tid in sim.payments and "-" not in tid
    assert (final.status, final.receipt_source) == (S.SUCCESSFUL, "provider")
    assert final.provider_transaction_id == sim.payments[tid].airtel_money_id
    sent = sim.payments[tid].body
    assert sent["subscriber"]["msisdn"] == "706218827"  # national, no country code (§2.2)
    assert sent["transaction"]["amount"] == 5000 and sent["transaction"]["currency"] == "UGX"
    assert sim.accepted[tid] == 1 and sim.requests["push"] == 1
    assert [e.to_status for e in airtel.repo.events(final.reference_id)] == [
        S.CREATED,
        S.SUBMITTING,
        S.PENDING,
        S.SUCCESSFUL,
    ]
    assert sim.charges() == 1


@pytest.mark.parametrize(
    ("msisdn", "amount", "code"),
    [
        ("256752600157", UGX, "DP00800001010"),  # UAT barred number
        ("256700000002", UGX, "DP00800001002"),  # wrong PIN
        ("256700000003", UGX, "DP00800001003"),  # over the wallet's limit
        ("256700000005", UGX, "DP00800001005"),  # PIN not entered
        ("256700000007", UGX, "DP00800001007"),  # not enough balance
        ("256700000008", UGX, "DP00800001008"),  # refused
        ("256700000009", UGX, "DP00800001009"),  # do not honor
        (ORDINARY, Money(2_000_000, "UGX"), "DP00800001007"),  # UG UAT: over the balance
    ],
)
async def test_each_failure_fails_with_the_catalog_reason(
    airtel: Airtel, engine: PaymentEngine, msisdn: str, amount: Money, code: str
) -> None:
    final = await charged(engine, msisdn, amount)
    assert (final.status, final.reason) == (S.FAILED, f"airtel:{code}")
    reason = registry.reason(final.reason or "")
    assert reason.source == "airtel" and reason == CATALOG.lookup(code)
    assert airtel.sim.accepted[airtel_id(final)] == 1  # accepted first, failed on enquiry
    assert final.provider_transaction_id is None and airtel.sim.charges() == 0


async def test_an_expired_prompt_te_is_a_failure_with_its_reason(
    airtel: Airtel, engine: PaymentEngine
) -> None:
    final = await charged(engine, "256700000029")
    # TE is final (§3.3): the engine records it as FAILED with "Transaction Expired".
    assert (final.status, final.reason) == (S.FAILED, "airtel:DP00800001029")
    assert registry.reason(final.reason or "").message == "The payment prompt expired"
    assert airtel.repo.events(final.reference_id)[-1].detail["status"] == "TE"


async def test_an_ambiguous_ta_keeps_being_asked_until_it_settles(
    airtel: Airtel, engine: PaymentEngine
) -> None:
    payment = await engine.charge(charge_request("airtel", UGX, "256700000000"))
    provider = engine.providers["airtel"]
    early = await provider.payment_status(airtel.repo.get(payment.reference_id))
    assert (early.status, early.detail["status"]) == (RemoteStatus.PENDING, "TA")
    assert await engine.settle([payment.reference_id], timeout=5)
    final = airtel.repo.get(payment.reference_id)
    assert final.status == S.SUCCESSFUL and final.provider_transaction_id
    assert airtel.sim.requests["enquiry"] >= 3  # asked again and again while TA
    assert airtel.sim.accepted[airtel_id(final)] == 1


async def test_a_customer_who_never_answers_expires_without_a_second_prompt(
    airtel: Airtel,
) -> None:
    engine = airtel.engine(approval_timeout=0.5, late_window=0.2)
    try:
        final = await charged(engine, "256700000001")
    finally:
        await engine.aclose()
    assert (final.status, final.reason) == (S.EXPIRED, "app:NO_ANSWER")
    assert airtel.sim.requests["push"] == 1 and airtel.sim.accepted[airtel_id(final)] == 1
    assert airtel.sim.requests["enquiry"] >= 3  # TIP, TIP, ... until the till gave up


async def test_a_push_refused_at_once_fails_and_nothing_is_asked(
    airtel: Airtel, engine: PaymentEngine
) -> None:
    payment = await engine.charge(charge_request("airtel", UGX, "256700000010"))
    assert (payment.status, payment.reason) == (S.FAILED, "airtel:DP00800001010")
    assert await engine.settle([payment.reference_id], timeout=2)
    await asyncio.sleep(0.2)
    assert airtel.sim.requests["push"] == 1 and airtel.sim.requests["enquiry"] == 0
    assert airtel_id(payment) not in airtel.sim.payments  # no prompt, no transaction
    assert engine.following() == 0


# -- what the network does to a push ---------------------------------------------------------


async def test_a_lost_push_answer_is_resent_with_the_same_id_and_prompts_once(
    airtel: Airtel, engine: PaymentEngine
) -> None:
    airtel.sim.faults.target = PUSH
    airtel.sim.faults.drop_next = 1  # processed, then the connection drops before the answer
    final = await charged(engine, APPROVES)
    tid = airtel_id(final)
    assert final.status == S.SUCCESSFUL
    assert airtel.sim.requests["push"] == 2 and airtel.sim.accepted[tid] == 1  # ESB000041
    pending = next(e for e in airtel.repo.events(final.reference_id) if e.to_status == S.PENDING)
    assert pending.detail.get("already_existed") is True
    assert airtel.sim.charges() == 1


@pytest.mark.parametrize("status", [500, 408])
async def test_a_server_failure_or_timeout_on_the_push_prompts_once(
    airtel: Airtel, engine: PaymentEngine, status: int
) -> None:
    # 408: the recorded "I/O Exception" body of Airtel's gateway (§2.3); not processed here.
    airtel.sim.faults.target = PUSH
    airtel.sim.faults.fail_next, airtel.sim.faults.fail_status = 1, status
    final = await charged(engine, APPROVES)
    assert final.status == S.SUCCESSFUL
    assert list(airtel.sim.payments) == [airtel_id(final)]  # the same id, sent again
    assert airtel.sim.accepted[airtel_id(final)] == 1 and airtel.sim.charges() == 1


async def test_expired_tokens_are_renewed_and_the_same_payment_goes_on(
    airtel: Airtel, engine: PaymentEngine
) -> None:
    stages: list[str] = []

    def checkpoint(stage: str) -> None:
        stages.append(stage)
        if stage in ("submitting", "polling"):
            airtel.sim.expire_tokens()  # before the push, then mid-payment

    engine._checkpoint = checkpoint
    final = await charged(engine, APPROVES)
    assert {"submitting", "polling"} <= set(stages)
    assert final.status == S.SUCCESSFUL
    # One token, one refused push (401) resent with the same id, one refused enquiry.
    assert airtel.sim.requests["token"] == 3
    assert airtel.sim.requests["push"] == 2 and airtel.sim.accepted[airtel_id(final)] == 1


async def test_short_lived_tokens_are_renewed_in_time_mid_payment(
    airtel: Airtel, engine: PaymentEngine
) -> None:
    airtel.sim.faults.token_ttl = 1  # renewed at 5/6 of its life: several during the payment
    airtel.sim.settings.approval_delay = 1.5  # a slow customer
    final = await charged(engine, ORDINARY)
    assert final.status == S.SUCCESSFUL and airtel.sim.accepted[airtel_id(final)] == 1
    assert airtel.sim.requests["token"] >= 2


async def test_429_on_the_enquiry_is_ridden_out(airtel: Airtel, engine: PaymentEngine) -> None:
    sim = airtel.sim
    sim.faults.target = ENQUIRY
    sim.faults.rate_limit_next, sim.faults.retry_after = 4, 0  # more than one question's tries
    final = await charged(engine, APPROVES)
    assert final.status == S.SUCCESSFUL and sim.faults.rate_limit_next == 0
    assert sim.accepted[airtel_id(final)] == 1


# -- refunds, reconciliation, KYC ------------------------------------------------------------


async def test_a_full_refund_is_answered_at_once_and_a_second_is_refused(
    airtel: Airtel, engine: PaymentEngine
) -> None:
    original = await charged(engine, APPROVES)
    refund = await engine.refund(original.reference_id, UGX, "Returned goods")
    assert (refund.product, refund.refund_of, refund.msisdn) == (
        "refund",
        original.reference_id,
        original.msisdn,
    )
    assert await engine.settle([refund.reference_id], timeout=5)
    done = airtel.repo.get(refund.reference_id)
    made = airtel.sim.refunds[original.provider_transaction_id or ""]
    assert done.status == S.SUCCESSFUL
    assert done.provider_transaction_id == made.airtel_money_id  # the refund's own Airtel id
    assert made.airtel_money_id != original.provider_transaction_id
    assert airtel.repo.get(original.reference_id).status == S.REFUNDED
    with pytest.raises(ValidationError, match="already been refunded in full"):
        await engine.refund(original.reference_id, UGX)
    assert airtel.sim.requests["refund"] == 1
    assert airtel.repo.verify().intact


async def test_a_refund_whose_answer_was_lost_is_confirmed_by_the_owner(
    airtel: Airtel, engine: PaymentEngine
) -> None:
    original = await charged(engine, APPROVES)
    airtel.sim.faults.target = "POST /standard/v1/payments/refund"
    airtel.sim.faults.drop_next = 1  # Airtel refunds, the answer never reaches the till
    refund = await engine.refund(original.reference_id, UGX)
    await engine.settle([refund.reference_id], timeout=1)
    lost = airtel.repo.get(refund.reference_id)
    assert lost.status == S.UNKNOWN and airtel.sim.requests["refund"] == 1  # never sent again
    # Airtel has no refund enquiry: the owner checks the portal, then confirms with its id.
    with pytest.raises(ValidationError, match="Airtel Money id"):
        engine.resolve(refund.reference_id, "0752123456")  # a phone number, not an id
    made = airtel.sim.refunds[original.provider_transaction_id or ""]
    done = engine.resolve(refund.reference_id, made.airtel_money_id)
    assert done.status == S.SUCCESSFUL and done.provider_transaction_id == made.airtel_money_id
    assert airtel.repo.get(original.reference_id).status == S.REFUNDED
    # A payment itself is never settled by hand: the till asks Airtel.
    with pytest.raises(ValidationError, match="not resolved by hand"):
        engine.resolve(original.reference_id, None)


async def test_a_partial_refund_is_not_sent_to_airtel(
    airtel: Airtel, engine: PaymentEngine
) -> None:
    original = await charged(engine, APPROVES)
    with pytest.raises(ValidationError, match="in full only"):  # before anything is saved
        await engine.refund(original.reference_id, Money(2000, "UGX"))
    assert [p.reference_id for p in airtel.repo.refunds_of(original.reference_id)] == []
    assert airtel.sim.requests["refund"] == 0  # Airtel refunds in full only (§4.1)
    assert airtel.repo.get(original.reference_id).status == S.SUCCESSFUL
    full = await engine.refund(original.reference_id, UGX)  # the whole amount still can be
    assert await engine.settle([full.reference_id], timeout=5)
    assert airtel.repo.get(full.reference_id).status == S.SUCCESSFUL


async def test_reconciliation_asks_about_unknown_payments_by_our_id(airtel: Airtel) -> None:
    engine = airtel.engine(approval_timeout=0.3, late_window=0.0)
    repo = airtel.repo
    # Sent and taken by Airtel, then the till died before it recorded the answer.
    arrived = engine.create(charge_request("airtel", UGX, APPROVES))
    repo.transition(arrived.reference_id, S.SUBMITTING, arrived.created_at)
    await engine.providers["airtel"].request_payment(repo.get(arrived.reference_id), "Shop")
    repo.transition(arrived.reference_id, S.UNKNOWN, arrived.created_at, reason="app:SEND_TIMEOUT")
    # Marked as sending, never arrived.
    lost = engine.create(charge_request("airtel", UGX, APPROVES))
    repo.transition(lost.reference_id, S.SUBMITTING, lost.created_at)
    repo.transition(lost.reference_id, S.UNKNOWN, lost.created_at, reason="app:SEND_TIMEOUT")
    await engine.aclose()
    await asyncio.sleep(0.4)  # the customer approved; the lost one is older than the window

    fresh = airtel.engine(approval_timeout=0.3, late_window=0.0)
    try:
        findings = await fresh.reconcile(repo.each(PaymentFilter()))
    finally:
        await fresh.aclose()
    by_id = {f.payment.reference_id: f for f in findings}
    assert set(by_id) == {arrived.reference_id, lost.reference_id}
    found = by_id[arrived.reference_id]
    assert (found.before, found.payment.status) == (S.UNKNOWN, S.SUCCESSFUL)
    assert found.payment.provider_transaction_id == (
        airtel.sim.payments[airtel_id(arrived)].airtel_money_id
    )
    never = by_id[lost.reference_id].payment
    assert (never.status, never.reason) == (S.FAILED, "app:NEVER_ARRIVED")
    assert airtel.sim.requests["enquiry"] == 2 and airtel.sim.requests["push"] == 1
    assert repo.events(arrived.reference_id)[-1].detail.get("reconciled") is True
    assert repo.verify().intact


async def test_a_push_marked_sending_that_never_arrived_is_resent_on_resume(
    airtel: Airtel,
) -> None:
    engine = airtel.engine()
    payment = engine.create(charge_request("airtel", UGX, APPROVES))
    airtel.repo.transition(payment.reference_id, S.SUBMITTING, payment.created_at)  # "crash"
    await engine.aclose()
    fresh = airtel.engine()
    try:
        fresh.resume()
        assert await fresh.settle([payment.reference_id], timeout=5)
    finally:
        await fresh.aclose()
    assert airtel.repo.get(payment.reference_id).status == S.SUCCESSFUL
    assert airtel.sim.accepted[airtel_id(payment)] == 1


async def test_kyc_names_the_holder_and_says_when_a_number_is_barred(
    airtel: Airtel, engine: PaymentEngine
) -> None:
    provider = engine.providers["airtel"]
    holder = await provider.account_holder(APPROVES)
    assert holder.active and holder.name == "Sand Box"
    barred = await provider.account_holder("256752600157")
    assert not barred.active
    assert airtel.sim.requests["kyc"] == 2 and not airtel.sim.payments
