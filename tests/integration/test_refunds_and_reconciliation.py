"""Refunds, manual resolutions and the reconciliation run: the engine with a real SQLite file
and both simulators over real HTTP."""

from __future__ import annotations

import asyncio

import pytest

from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.engine.engine import PaymentEngine
from pos_app.platform.secret import Secret
from pos_app.providers.mpesa.client import Initiator
from pos_app.providers.mpesa.provider import MpesaProvider
from pos_app.providers.mpesa.security import security_credential
from pos_app.sandbox import demo
from pos_app.store.repository import PaymentFilter
from tests.conftest import charge_request
from tests.integration.conftest import EUR, KES, World, lost_push

S = PaymentStatus
PAID_NUMBER = "256772123456"


async def paid(engine: PaymentEngine, amount: Money = EUR, provider: str = "mtn") -> Payment:
    msisdn = PAID_NUMBER if provider == "mtn" else "254708374149"
    payment = await engine.charge(charge_request(provider, amount, msisdn))
    assert await engine.settle([payment.reference_id], timeout=5)
    payment = engine.repository.get(payment.reference_id)
    assert payment.status == S.SUCCESSFUL
    return payment


async def settled(engine: PaymentEngine, refund: Payment) -> Payment:
    assert await engine.settle([refund.reference_id], timeout=5)
    return engine.repository.get(refund.reference_id)


async def test_full_mtn_refund_goes_through_disbursement(
    world: World, engine: PaymentEngine
) -> None:
    original = await paid(engine)
    refund = await engine.refund(original.reference_id, EUR, "Returned goods")
    assert (refund.product, refund.refund_of, refund.msisdn) == (
        "refund",
        original.reference_id,
        original.msisdn,
    )
    # The original is refunded only once the refund has succeeded.
    assert world.repo.get(original.reference_id).status == S.SUCCESSFUL
    done = await settled(engine, refund)
    assert done.status == S.SUCCESSFUL and done.provider_transaction_id
    sent = world.mtn.resources[("refund", refund.reference_id)]
    assert sent.body["referenceIdToRefund"] == original.reference_id
    assert (sent.body["amount"], sent.body["currency"]) == ("12.50", "EUR")
    after = world.repo.get(original.reference_id)
    assert after.status == S.REFUNDED
    last = world.repo.events(original.reference_id)[-1]
    assert (last.from_status, last.to_status) == (S.SUCCESSFUL, S.REFUNDED)
    assert last.detail == {"refund": refund.reference_id, "refunded": 1250}
    assert world.repo.verify().intact


async def test_partial_refunds_up_to_the_paid_amount(world: World, engine: PaymentEngine) -> None:
    original = await paid(engine)
    first = await settled(engine, await engine.refund(original.reference_id, Money(500, "EUR")))
    assert first.status == S.SUCCESSFUL
    still = world.repo.get(original.reference_id)
    assert still.status == S.SUCCESSFUL  # partly refunded: still a successful payment
    assert world.repo.events(original.reference_id)[-1].detail == {
        "refund": first.reference_id,
        "refunded": 500,
    }
    with pytest.raises(ValidationError, match=r"At most 7\.50 can still be refunded"):
        await engine.refund(original.reference_id, Money(751, "EUR"))
    second = await settled(engine, await engine.refund(original.reference_id, Money(750, "EUR")))
    assert second.status == S.SUCCESSFUL
    assert world.repo.get(original.reference_id).status == S.REFUNDED
    assert len(world.repo.refunds_of(original.reference_id)) == 2


async def test_over_refund_and_double_refund_are_refused_and_change_nothing(
    world: World, engine: PaymentEngine
) -> None:
    original = await paid(engine)
    with pytest.raises(ValidationError, match=r"At most 12\.50"):
        await engine.refund(original.reference_id, Money(1251, "EUR"))
    with pytest.raises(ValidationError, match="in EUR"):
        await engine.refund(original.reference_id, Money(100, "UGX"))
    with pytest.raises(ValidationError, match="more than zero"):
        await engine.refund(original.reference_id, Money(0, "EUR"))
    assert world.repo.refunds_of(original.reference_id) == []
    first = await engine.refund(original.reference_id, EUR)
    # While the first is still on its way, and after it succeeded: no second refund.
    with pytest.raises(ValidationError, match="already being refunded in full"):
        await engine.refund(original.reference_id, Money(1, "EUR"))
    await settled(engine, first)
    with pytest.raises(ValidationError, match="already been refunded in full"):
        await engine.refund(original.reference_id, Money(1, "EUR"))
    assert world.mtn.requests["POST refund"] == 1
    assert [r.reference_id for r in world.repo.refunds_of(original.reference_id)] == [
        first.reference_id
    ]


async def test_two_refunds_at_once_cannot_exceed_the_payment(
    world: World, engine: PaymentEngine
) -> None:
    original = await paid(engine)
    results = await asyncio.gather(
        engine.refund(original.reference_id, Money(1000, "EUR")),
        engine.refund(original.reference_id, Money(1000, "EUR")),
        return_exceptions=True,
    )
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert len(world.repo.refunds_of(original.reference_id)) == 1


async def test_refusing_to_refund_what_was_not_paid(world: World, engine: PaymentEngine) -> None:
    failed = await engine.charge(charge_request("mtn", EUR, "46733123450"))
    assert await engine.settle([failed.reference_id], timeout=5)
    with pytest.raises(ValidationError, match="Only a successful payment"):
        await engine.refund(failed.reference_id, EUR)
    original = await paid(engine)
    refund = await settled(engine, await engine.refund(original.reference_id, EUR))
    with pytest.raises(ValidationError, match="cannot itself be refunded"):
        await engine.refund(refund.reference_id, EUR)


async def test_a_failed_refund_leaves_the_payment_paid_and_refundable(
    world: World, engine: PaymentEngine
) -> None:
    # Paid according to this till, unknown to MTN: MTN answers the refund with FAILED.
    original = await paid(engine)
    del world.mtn.resources[("requesttopay", original.reference_id)]
    refund = await settled(engine, await engine.refund(original.reference_id, EUR))
    assert refund.status == S.FAILED and refund.reason
    assert world.repo.get(original.reference_id).status == S.SUCCESSFUL
    await engine.refund(original.reference_id, EUR)  # the failed one freed the amount
    assert len(world.repo.refunds_of(original.reference_id)) == 2


async def test_mpesa_refund_without_reversal_set_up_is_the_manual_path(
    world: World, engine: PaymentEngine
) -> None:
    original = await paid(engine, KES, "mpesa")
    refund = await engine.refund(original.reference_id, Money(4000, "KES"))
    assert refund.status == S.PENDING
    assert world.repo.events(refund.reference_id)[-1].detail == {"manual": True}
    assert world.mpesa.requests["TransactionReversal"] == 0  # nothing sent
    assert engine.following() == 0  # not followed: there is nothing to ask M-Pesa
    # The owner reversed it in M-Pesa's portal and types the reversal's code.
    done = engine.resolve(refund.reference_id, "qkj1xyz123")
    assert (done.status, done.provider_transaction_id, done.receipt_source) == (
        S.SUCCESSFUL,
        "QKJ1XYZ123",
        "cashier",
    )
    assert world.repo.events(refund.reference_id)[-1].detail == {"resolution": "manual"}
    assert world.repo.get(original.reference_id).status == S.SUCCESSFUL  # 40 of 100 KES back


async def test_mpesa_reversal_is_submitted_then_confirmed_by_the_owner(
    world: World, engine: PaymentEngine
) -> None:
    mpesa = engine.providers["mpesa"]
    assert isinstance(mpesa, MpesaProvider)
    mpesa.initiator = Initiator(
        demo.MPESA_INITIATOR,
        security_credential(Secret(demo.MPESA_INITIATOR_PASSWORD), world.mpesa.certificate_pem),
        "https://shop.example/result",
        "https://shop.example/timeout",
    )
    original = await paid(engine, KES, "mpesa")
    engine.add_receipt(original.reference_id, "QKJ1ABC123")  # from the customer's SMS
    refund = await engine.refund(original.reference_id, KES)
    assert refund.status == S.PENDING and refund.provider_request_id
    [reversal] = world.mpesa.async_requests
    assert (reversal["body"]["TransactionID"], reversal["body"]["Amount"]) == ("QKJ1ABC123", 100)
    assert await engine.settle([refund.reference_id], timeout=1)
    assert world.repo.get(refund.reference_id).status == S.PENDING  # waits for the owner
    not_made = engine.resolve(refund.reference_id, None)
    assert (not_made.status, not_made.reason) == (S.FAILED, "app:REFUND_NOT_MADE")
    assert world.repo.get(original.reference_id).status == S.SUCCESSFUL


async def test_unknown_mpesa_payments_are_resolved_by_the_owner(
    world: World, engine: PaymentEngine
) -> None:
    unknown = await lost_push(world, engine, "254722000099")
    assert unknown.status == S.UNKNOWN
    with pytest.raises(ValidationError):
        engine.resolve(unknown.reference_id, "not a code")
    found = engine.resolve(unknown.reference_id, "QKJ1XYZ124")
    assert (found.status, found.provider_transaction_id, found.receipt_source) == (
        S.SUCCESSFUL,
        "QKJ1XYZ124",
        "cashier",
    )
    with pytest.raises(ValidationError, match="nothing to resolve"):
        engine.resolve(unknown.reference_id, None)
    lost = await lost_push(world, engine, "254722000098")
    gone = engine.resolve(lost.reference_id, None)
    assert (gone.status, gone.reason) == (S.FAILED, "app:NOT_RECEIVED")
    mtn = await paid(engine)
    with pytest.raises(ValidationError, match="not resolved by hand: the till asks MTN MoMo"):
        engine.resolve(mtn.reference_id, "QKJ1XYZ125")


async def test_reconciliation_corrects_by_events_and_lists_what_needs_a_person(
    world: World,
) -> None:
    world.mtn.settings.delayed_success = 0.6
    engine = world.engine(approval_timeout=0.2, late_window=0.0)
    # An MTN payment closed by expiry that the customer approved later.
    late = await engine.charge(charge_request("mtn", EUR, "46733123454"))
    # An MTN payment whose send was lost before it arrived.
    lost = engine.create(charge_request("mtn", EUR, PAID_NUMBER))
    world.repo.transition(lost.reference_id, S.SUBMITTING, lost.created_at)
    world.repo.transition(lost.reference_id, S.UNKNOWN, lost.created_at, reason="app:SEND_TIMEOUT")
    # An M-Pesa push whose answer was lost: M-Pesa cannot be asked about it.
    unknown = await lost_push(world, engine, "254722000097")
    done = await paid(engine)
    assert await engine.settle([late.reference_id], timeout=5)
    assert world.repo.get(late.reference_id).status == S.EXPIRED
    await asyncio.sleep(0.7)  # MTN now has the late approval; the engine stopped listening
    history = {p: world.repo.events(p) for p in (late.reference_id, lost.reference_id)}

    fresh = world.engine(approval_timeout=0.2, late_window=0.0)
    findings = await fresh.reconcile(world.repo.each(PaymentFilter()))
    by_id = {f.payment.reference_id: f for f in findings}
    assert set(by_id) == {late.reference_id, lost.reference_id, unknown.reference_id}
    assert done.reference_id not in by_id  # final by a provider's answer: not asked again
    assert (by_id[late.reference_id].before, by_id[late.reference_id].payment.status) == (
        S.EXPIRED,
        S.SUCCESSFUL,
    )
    assert by_id[lost.reference_id].payment.status == S.FAILED
    assert by_id[lost.reference_id].payment.reason == "app:NEVER_ARRIVED"
    assert not by_id[unknown.reference_id].corrected
    assert "customer's SMS" in by_id[unknown.reference_id].note
    # Corrections are new events after the untouched history.
    for reference_id, before in history.items():
        events = world.repo.events(reference_id)
        assert events[: len(before)] == before
        assert events[-1].detail.get("reconciled") is True
    assert world.repo.verify().intact
    await fresh.aclose()
    await engine.aclose()
