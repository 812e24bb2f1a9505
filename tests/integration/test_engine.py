"""The engine with a real SQLite file and both simulators over real HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from pos_app.domain.money import Money
from pos_app.domain.payment import PaymentStatus
from pos_app.engine.engine import PaymentEngine
from pos_app.engine.events import PaymentUpdate
from tests.conftest import charge_request
from tests.integration.conftest import EUR, KES, World, lost_push

S = PaymentStatus


async def test_mtn_payment_is_saved_before_sending_and_succeeds(
    world: World, engine: PaymentEngine
) -> None:
    seen: list[PaymentUpdate] = []
    engine.bus.subscribe(seen.append)
    checks: list[tuple[str, PaymentStatus, bool]] = []

    def checkpoint(stage: str) -> None:
        reference = seen[0].payment.reference_id
        stored = world.repo.get(reference).status  # already committed at this point
        checks.append((stage, stored, ("requesttopay", reference) in world.mtn.resources))

    engine._checkpoint = checkpoint
    payment = await engine.charge(charge_request("mtn", EUR, "256772123456", external_id="ORDER-1"))
    assert await engine.settle([payment.reference_id], timeout=5)
    final = world.repo.get(payment.reference_id)
    assert final.status == S.SUCCESSFUL and final.provider_transaction_id
    assert [u.payment.status for u in seen] == [S.CREATED, S.SUBMITTING, S.PENDING, S.SUCCESSFUL]
    assert checks[:3] == [
        ("saved", S.CREATED, False),
        ("submitting", S.SUBMITTING, False),
        ("sent", S.SUBMITTING, True),
    ]
    assert [e.to_status for e in world.repo.events(payment.reference_id)] == [
        S.CREATED,
        S.SUBMITTING,
        S.PENDING,
        S.SUCCESSFUL,
    ]


async def test_mpesa_payment_keeps_its_checkout_request_id(
    world: World, engine: PaymentEngine
) -> None:
    payment = await engine.charge(charge_request("mpesa", KES, "254708374149"))
    assert await engine.settle([payment.reference_id], timeout=5)
    final = world.repo.get(payment.reference_id)
    assert final.status == S.SUCCESSFUL
    assert final.provider_request_id and final.provider_request_id.startswith("ws_CO_")
    assert final.provider_transaction_id is None  # STK Query has no receipt code
    pending = next(e for e in world.repo.events(payment.reference_id) if e.to_status == S.PENDING)
    assert pending.detail["MerchantRequestID"]


@pytest.mark.parametrize(
    ("provider", "amount", "msisdn", "reason"),
    [
        ("mtn", EUR, "46733123451", "mtn:APPROVAL_REJECTED"),
        ("mtn", EUR, "46733123455", "mtn:PAYER_NOT_FOUND"),
        ("mpesa", KES, "254711001032", "mpesa:1032"),
        ("mpesa", KES, "254711000001", "mpesa:1"),
    ],
)
async def test_failures_carry_their_reason(
    world: World, engine: PaymentEngine, provider: Any, amount: Money, msisdn: str, reason: str
) -> None:
    payment = await engine.charge(charge_request(provider, amount, msisdn))
    assert await engine.settle([payment.reference_id], timeout=5)
    final = world.repo.get(payment.reference_id)
    assert (final.status, final.reason) == (S.FAILED, reason)


async def test_refusal_before_sending_fails_with_the_reason(
    world: World, engine: PaymentEngine
) -> None:
    # The sandbox takes EUR only.
    payment = await engine.charge(charge_request("mtn", Money(1500, "UGX"), "256772123456"))
    assert (payment.status, payment.reason) == (S.FAILED, "app:CONFIGURATION")
    assert "mtn" in engine.problems and not engine.health()["mtn"].reachable
    assert not world.mtn.resources


async def test_expiry_then_a_late_answer_corrects_it(world: World) -> None:
    world.mtn.settings.delayed_success = 0.8
    engine = world.engine(approval_timeout=0.3)
    payment = await engine.charge(charge_request("mtn", EUR, "46733123454"))
    for _ in range(100):
        if world.repo.get(payment.reference_id).status == S.EXPIRED:
            break
        await asyncio.sleep(0.02)
    assert world.repo.get(payment.reference_id).status == S.EXPIRED
    assert engine.settled(payment.reference_id)  # the cashier is not kept waiting
    for _ in range(200):
        if world.repo.get(payment.reference_id).status == S.SUCCESSFUL:
            break
        await asyncio.sleep(0.02)
    final = world.repo.get(payment.reference_id)
    assert final.status == S.SUCCESSFUL
    events = world.repo.events(payment.reference_id)
    assert (events[-2].to_status, events[-1].to_status) == (S.EXPIRED, S.SUCCESSFUL)
    assert events[-1].is_correction
    await engine.aclose()


async def test_never_answering_customer_expires(world: World) -> None:
    engine = world.engine(approval_timeout=0.3, late_window=0.2)
    payment = await engine.charge(charge_request("mtn", EUR, "46733123453"))
    assert await engine.settle([payment.reference_id], timeout=5)
    final = world.repo.get(payment.reference_id)
    assert (final.status, final.reason) == (S.EXPIRED, "app:NO_ANSWER")
    await engine.aclose()


# -- recovery --------------------------------------------------------------------------------


async def test_a_payment_saved_but_never_sent_is_closed_on_resume_never_sent(
    world: World, engine: PaymentEngine
) -> None:
    """Only the process that created a payment sends it. Found later (that process died, or a
    full disk made it say "nothing was sent"), it is closed: the cashier may have charged
    again since, and a second prompt could charge the customer twice."""
    payment = engine.create(charge_request("mtn", EUR, "256772123456"))
    fresh = world.engine()
    assert [p.reference_id for p in fresh.resume()] == [payment.reference_id]
    assert await fresh.settle([payment.reference_id], timeout=5)
    closed = world.repo.get(payment.reference_id)
    assert (closed.status, closed.reason) == (S.FAILED, "app:NOT_SENT")
    assert world.mtn.requests["POST requesttopay"] == 0
    await fresh.aclose()


async def test_two_engines_following_one_payment_send_it_once(
    world: World, engine: PaymentEngine
) -> None:
    """Two processes (the window and a `sync`) may follow the same open payment: only the one
    whose "sending" mark is written sends, the other finds it marked and asks about it."""
    payment = engine.create(charge_request("mtn", EUR, "256772123456"))
    other = world.engine()
    other._created.add(payment.reference_id)  # as if both could send it
    await asyncio.gather(engine._send(payment), other._send(payment))
    assert world.mtn.requests["POST requesttopay"] == 1
    await other.aclose()


async def test_mtn_submitting_that_never_arrived_is_resent_with_the_same_id(
    world: World, engine: PaymentEngine
) -> None:
    payment = engine.create(charge_request("mtn", EUR, "256772123456"))
    world.repo.transition(payment.reference_id, S.SUBMITTING, payment.created_at)  # then "crash"
    fresh = world.engine()
    fresh.resume()
    assert await fresh.settle([payment.reference_id], timeout=5)
    assert world.repo.get(payment.reference_id).status == S.SUCCESSFUL
    assert world.mtn.accepted[payment.reference_id] == 1
    statuses = [e.to_status for e in world.repo.events(payment.reference_id)]
    assert statuses == [S.CREATED, S.SUBMITTING, S.UNKNOWN, S.SUBMITTING, S.PENDING, S.SUCCESSFUL]
    await fresh.aclose()


async def test_mtn_submitting_that_did_arrive_is_not_resent(
    world: World, engine: PaymentEngine
) -> None:
    payment = engine.create(charge_request("mtn", EUR, "256772123456"))
    world.repo.transition(payment.reference_id, S.SUBMITTING, payment.created_at)
    # The request left and arrived, then the till died before recording the answer.
    await engine.providers["mtn"].request_payment(world.repo.get(payment.reference_id), "Test shop")
    fresh = world.engine()
    fresh.resume()
    assert await fresh.settle([payment.reference_id], timeout=5)
    assert world.repo.get(payment.reference_id).status == S.SUCCESSFUL
    assert world.mtn.requests["POST requesttopay"] == 1
    await fresh.aclose()


async def test_mpesa_push_with_lost_answer_stays_unknown_and_is_never_repushed(
    world: World, engine: PaymentEngine
) -> None:
    payment = engine.create(charge_request("mpesa", KES, "254708374149"))
    world.repo.transition(payment.reference_id, S.SUBMITTING, payment.created_at)
    fresh = world.engine()
    fresh.resume()
    assert await fresh.settle([payment.reference_id], timeout=5)
    final = world.repo.get(payment.reference_id)
    assert (final.status, final.reason) == (S.UNKNOWN, "app:SEND_TIMEOUT")
    assert world.mpesa.requests["push"] == 0
    assert world.repo.list_open() == [final]  # left for a person, never silently dropped
    await fresh.aclose()


async def test_dropped_push_answer_makes_the_payment_unknown(
    world: World, engine: PaymentEngine
) -> None:
    payment = await lost_push(world, engine, "254722000099")
    assert (payment.status, payment.reason) == (S.UNKNOWN, "app:SEND_TIMEOUT")
    assert await engine.settle([payment.reference_id], timeout=2)
    assert world.mpesa.pushes_to("254722000099") == 1


# -- network faults --------------------------------------------------------------------------


async def test_provider_down_at_send_then_back_resumes_by_itself(
    world: World, engine: PaymentEngine
) -> None:
    await engine.providers["mtn"].client.tokens["collection"].get()  # type: ignore[attr-defined]
    world.mtn.faults.fail_next = 10_000
    payment = await engine.charge(charge_request("mtn", EUR, "256772123456"))
    assert payment.status == S.UNKNOWN
    await asyncio.sleep(0.3)
    assert world.repo.get(payment.reference_id).status == S.UNKNOWN  # waiting, not failed
    world.mtn.faults.fail_next = 0
    assert await engine.settle([payment.reference_id], timeout=8)
    assert world.repo.get(payment.reference_id).status == S.SUCCESSFUL
    assert world.mtn.accepted[payment.reference_id] == 1


async def test_every_payment_ends_right_through_network_faults(
    world: World, engine: PaymentEngine
) -> None:
    world.mtn.faults.latency = world.mpesa.faults.latency = 0.02
    world.mtn.faults.error_rate = world.mpesa.faults.error_rate = 0.15
    cases = [
        ("mtn", EUR, "256772123456", S.SUCCESSFUL),
        ("mtn", EUR, "46733123451", S.FAILED),
        ("mtn", EUR, "56733123453", S.SUCCESSFUL),
        ("mpesa", KES, "254722000101", S.SUCCESSFUL),
        ("mpesa", KES, "254711001032", S.FAILED),
        ("mpesa", KES, "254722000102", S.SUCCESSFUL),
    ]
    payments = []
    for index, (provider, amount, msisdn, _) in enumerate(cases):
        if index == 2:
            world.mtn.expire_tokens()
            world.mtn.faults.rate_limit_next = world.mpesa.faults.rate_limit_next = 2
            world.mtn.faults.retry_after = world.mpesa.faults.retry_after = 0
        if index == 4:
            world.mtn.faults.drop_next = 1  # an MTN answer lost mid-run
            world.mpesa.faults.fail_next = 2
        payments.append(await engine.charge(charge_request(provider, amount, msisdn)))
    assert await engine.settle([p.reference_id for p in payments], timeout=15)
    finals = [world.repo.get(p.reference_id) for p in payments]
    expected = [c[3] for c in cases]
    # A push whose answer was lost to an injected fault is unknown, never wrongly final.
    assert all(
        f.status == want or (f.provider == "mpesa" and f.status == S.UNKNOWN)
        for f, want in zip(finals, expected, strict=True)
    ), [f.status for f in finals]
    assert all(world.mtn.accepted[p.reference_id] <= 1 for p in payments)
    assert all(world.mpesa.pushes_to(p.msisdn) <= 1 for p in payments if p.provider == "mpesa")


async def test_200_concurrent_payments_with_bounded_concurrency(world: World) -> None:
    engine = world.engine(max_concurrent=8)
    world.mtn.settings.approval_delay = world.mpesa.settings.processing_seconds = 0.3
    jobs = []
    for i in range(100):
        jobs.append(
            engine.charge(
                charge_request("mtn", EUR, "46733123451" if i % 10 == 0 else f"2567721{i:05d}")
            )
        )
        jobs.append(
            engine.charge(
                charge_request("mpesa", KES, "254711001032" if i == 0 else f"2547220{i:05d}")
            )
        )
    payments = await asyncio.gather(*jobs)
    assert len({p.reference_id for p in payments}) == 200
    assert await engine.settle([p.reference_id for p in payments], timeout=60)
    finals = {p.reference_id: world.repo.get(p.reference_id) for p in payments}
    for p in payments:
        want = S.FAILED if p.msisdn in ("46733123451", "254711001032") else S.SUCCESSFUL
        assert finals[p.reference_id].status == want, (p.msisdn, finals[p.reference_id].status)
    assert engine.max_in_flight <= 8
    assert engine.max_in_flight >= 4  # they really ran side by side
    assert sum(world.mtn.accepted.values()) == 100 and max(world.mtn.accepted.values()) == 1
    assert world.mtn.charges() == 90 and world.mpesa.charges() == 99
    # Settled payments leave nothing behind in the engine: a day of them would stay in memory
    # until the till closes (benchmarks/soak.py found one task kept per payment).
    await asyncio.sleep(0)  # the followers' done callbacks
    kept = (engine._tasks, engine._sent_at, engine._created, engine._noted, engine._nudges)
    assert [len(of) for of in kept] == [0, 0, 0, 0, 0]
    assert engine.following() == 0 and all(engine.settled(p.reference_id) for p in payments)
    await engine.aclose()


async def test_payments_started_together_are_saved_one_loop_turn_each(
    world: World, engine: PaymentEngine
) -> None:
    """Their durable writes (and the window's cards) must not all land in one turn of the
    loop: the window would freeze for all of them at once."""
    loop = asyncio.get_running_loop()
    turn = 0

    def count_turns() -> None:
        nonlocal turn
        turn += 1
        loop.call_soon(count_turns)

    saved_in: dict[str, int] = {}
    engine.bus.subscribe(
        lambda u: (
            saved_in.setdefault(u.payment.reference_id, turn)
            if u.payment.status == S.CREATED
            else None
        )
    )
    loop.call_soon(count_turns)
    payments = await asyncio.gather(
        *(engine.charge(charge_request("mtn", EUR, f"2567721{i:05d}")) for i in range(6))
    )
    turns = [saved_in[p.reference_id] for p in payments]
    assert len(set(turns)) == 6, turns  # each in a turn of its own
    assert await engine.settle([p.reference_id for p in payments], timeout=10)


async def test_rate_limit_per_provider_is_respected(world: World) -> None:
    engine = world.engine(rate_limit=20.0, approval_timeout=120.0)
    never_answers = charge_request("mtn", EUR, "46733123453")
    payments = [await engine.charge(never_answers) for _ in range(5)]
    # Five payments polled every 0.05 s want 100 queries a second; the limiter allows 20.
    loop = asyncio.get_running_loop()
    start, before = loop.time(), engine.status_queries
    await asyncio.sleep(1.5)
    elapsed, sent = loop.time() - start, engine.status_queries - before
    assert sent <= 20 * elapsed + 2
    assert sent >= 20 * elapsed * 0.4  # and it was really near the limit (timing: loose)
    await engine.aclose()
    statuses = [world.repo.get(p.reference_id).status for p in payments]
    assert statuses == [S.PENDING] * 5, statuses
