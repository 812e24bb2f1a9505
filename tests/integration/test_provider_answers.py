"""What the engine does with the providers' answers, played back by the simulator over real
HTTP: refused credentials, status answers it does not understand, a gateway's refusals."""

from __future__ import annotations

import pytest

from pos_app.domain.payment import PaymentEvent, PaymentStatus
from pos_app.engine.engine import PaymentEngine
from pos_app.platform.secret import Secret
from pos_app.providers.base import ConfigurationProblem
from pos_app.providers.mtn.client import MtnCredentials
from pos_app.sandbox import demo
from pos_app.store.repository import PaymentFilter
from tests.conftest import charge_request
from tests.integration.conftest import EUR, KES, World

S = PaymentStatus
MPESA_QUERY = "POST /mpesa/stkpushquery/v1/query"
MTN_STATUS = "GET /collection/v1_0/requesttopay/"


def not_understood(events: list[PaymentEvent]) -> list[object]:
    return [e.detail["not_understood"] for e in events if "not_understood" in e.detail]


async def test_a_refused_api_key_saves_no_payment_and_sends_nothing(world: World) -> None:
    engine = world.engine()
    client = engine.providers["mtn"].client  # type: ignore[attr-defined]
    right = demo.mtn_credentials()
    client._credentials = MtnCredentials(right.api_user, Secret("wrong"), right.subscription_keys)
    try:
        with pytest.raises(ConfigurationProblem, match="API user or API key"):
            await engine.charge(charge_request("mtn", EUR, "256772123456"))
        assert world.repo.count(PaymentFilter()) == 0  # nothing saved, so nothing "failed"
        assert world.mtn.requests["POST requesttopay"] == 0
        assert not engine.health()["mtn"].reachable  # the window's status bar says why
    finally:
        await engine.aclose()


@pytest.mark.parametrize(
    ("provider", "target", "answers", "msisdn"),
    [
        (
            "mpesa",
            MPESA_QUERY,
            [
                (500, {"requestId": "1", "errorCode": "500.001.1001", "errorMessage": ""}),
                (500, {"requestId": "2", "errorCode": "500.001.1001", "errorMessage": ""}),
                (500, {"requestId": "3", "errorCode": "500.001.1001", "errorMessage": "Eh?"}),
                (500, {"requestId": "4", "errorCode": "500.001.1001", "errorMessage": ""}),
            ],
            "254722000101",
        ),
        (
            "mtn",
            MTN_STATUS,
            [
                (500, {"code": "SOMETHING_NEW", "message": "New"}),
                (200, {"status": "SUCCESSFUL", "amount": "99", "currency": "EUR"}),
                (500, {"code": "SOMETHING_NEW", "message": "New"}),
            ],
            "256772123456",
        ),
    ],
)
async def test_status_answers_not_understood_never_end_the_follow_up(
    world: World,
    engine: PaymentEngine,
    provider: str,
    target: str,
    answers: list[tuple[int, object]],
    msisdn: str,
) -> None:
    simulator = world.mpesa if provider == "mpesa" else world.mtn
    simulator.faults.target = target
    simulator.faults.script = list(answers)
    amount = KES if provider == "mpesa" else EUR
    payment = await engine.charge(charge_request(provider, amount, msisdn))
    assert await engine.settle([payment.reference_id], timeout=10)
    assert not simulator.faults.script  # every odd answer was heard
    assert world.repo.get(payment.reference_id).status == S.SUCCESSFUL
    # Each distinct answer once in the history, however many polls got it.
    heard = not_understood(world.repo.events(payment.reference_id))
    assert len(heard) == 2 and heard[0] != heard[1]
    assert all(isinstance(h, dict) and h.get("http") in (200, 500) for h in heard)


async def test_a_payment_only_ever_answered_unclearly_expires_and_is_not_refused(
    world: World,
) -> None:
    engine = world.engine(approval_timeout=0.6, late_window=0.4)
    world.mpesa.faults.target = MPESA_QUERY
    world.mpesa.faults.script = [
        (500, {"requestId": "", "errorCode": "500.001.1001", "errorMessage": ""})
    ] * 1000
    try:
        payment = await engine.charge(charge_request("mpesa", KES, "254722000101"))
        assert await engine.settle([payment.reference_id], timeout=10)
    finally:
        await engine.aclose()
    final = world.repo.get(payment.reference_id)
    assert final.status == S.EXPIRED and final.reason == "app:NO_ANSWER"
    assert len(not_understood(world.repo.events(payment.reference_id))) == 1
    assert len(world.mpesa.faults.script) < 1000 - 2  # asked again and again


@pytest.mark.parametrize("provider", ["mpesa", "mtn"])
async def test_a_push_refused_by_the_gateway_is_sent_again_and_charged_once(
    world: World, engine: PaymentEngine, provider: str
) -> None:
    simulator = world.mpesa if provider == "mpesa" else world.mtn
    msisdn = "254722000101" if provider == "mpesa" else "256772123456"
    simulator.faults.target = (
        "POST /mpesa/stkpush/" if provider == "mpesa" else "POST /collection/v1_0/requesttopay"
    )
    simulator.faults.fail_next = 5  # more than one call's attempts (3 in these tests)
    simulator.faults.fail_status = 503
    amount = KES if provider == "mpesa" else EUR
    payment = await engine.charge(charge_request(provider, amount, msisdn))
    assert payment.status == S.PENDING
    assert await engine.settle([payment.reference_id], timeout=10)
    assert world.repo.get(payment.reference_id).status == S.SUCCESSFUL
    if provider == "mpesa":
        assert world.mpesa.pushes_to(msisdn) == 1
    else:
        assert world.mtn.accepted[payment.reference_id] == 1
    sent = [e for e in world.repo.events(payment.reference_id) if e.to_status == S.PENDING]
    assert sent[0].detail["tries"] == 2


@pytest.mark.parametrize("status", [504, 500])
async def test_a_push_that_may_have_arrived_is_not_pushed_again(
    world: World, engine: PaymentEngine, status: int
) -> None:
    world.mpesa.faults.target = "POST /mpesa/stkpush/"
    world.mpesa.faults.script = [(status, {"unexpected": "body"})]
    await engine.providers["mpesa"].client.tokens.get()  # type: ignore[attr-defined]
    payment = await engine.charge(charge_request("mpesa", KES, "254722000101"))
    assert payment.status == S.UNKNOWN
    assert world.mpesa.requests["push"] == 0  # the one try was the played-back answer
    assert not world.mpesa.faults.script


async def test_a_push_whose_token_could_not_be_had_is_known_not_sent(
    world: World, engine: PaymentEngine
) -> None:
    world.mpesa.faults.target = "GET /oauth/v1/generate"
    world.mpesa.faults.fail_next = 10_000
    world.mpesa.faults.fail_status = 500  # Daraja's own 500: "may have arrived" for the token
    payment = await engine.charge(charge_request("mpesa", KES, "254722000101"))
    # The push itself never left: closed as not sent (charge again), not "unknown".
    assert payment.status == S.FAILED and payment.reason == "app:REQUEST_REFUSED"
    assert world.mpesa.requests["push"] == 0 and world.mpesa.pushes_to("254722000101") == 0
