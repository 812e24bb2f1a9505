"""Every request the MTN client sends, pinned against the reference, and every response path."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx

from pos_app.platform.secret import Secret
from pos_app.providers.base import (
    ConfigurationProblem,
    MalformedResponse,
    ProviderUnavailable,
    RemoteStatus,
    RequestRejected,
)
from pos_app.providers.mtn.client import MtnClient, MtnCredentials
from pos_app.providers.resilience import RetryPolicy
from tests.conftest import mtn_body

BASE = "https://sandbox.momodeveloper.mtn.com"
API_USER = "0c3b2a1f-9e8d-4c7b-a6f5-e4d3c2b1a090"
API_KEY = "api-key-SECRET-1234"
SUB_KEYS = {
    "collection": "coll-SUBKEY-5678",
    "disbursement": "disb-SUBKEY-9012",
    "remittance": "remi-SUBKEY-3456",
}
TOKEN_BODY = {"access_token": "jwt-TOKEN-abcdef", "token_type": "access_token", "expires_in": 3600}
BODY = mtn_body("46733123454", amount="1500")
SECRETS = (API_KEY, *SUB_KEYS.values(), TOKEN_BODY["access_token"])


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def client(sleeps: Sleeps) -> AsyncIterator[MtnClient]:
    credentials = MtnCredentials(
        API_USER, Secret(API_KEY), {k: Secret(v) for k, v in SUB_KEYS.items()}
    )  # type: ignore[misc]
    c = MtnClient(
        base_url=BASE,
        target_environment="sandbox",
        credentials=credentials,
        timeout=2.0,
        sleep=sleeps,
        retry=RetryPolicy(attempts=3),
        breaker_threshold=50,
    )
    yield c
    await c.aclose()


@pytest.fixture
def mtn() -> respx.MockRouter:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        for product in SUB_KEYS:
            router.post(f"/{product}/token/", name=f"token-{product}").respond(200, json=TOKEN_BODY)
        yield router


def ref() -> str:
    return str(uuid.uuid4())


def sent_json(request: httpx.Request) -> Any:
    return json.loads(request.content)


# -- requests, pinned -------------------------------------------------------------------------


async def test_token_request(client: MtnClient, mtn: respx.MockRouter) -> None:
    await client.tokens["collection"].get()
    request = mtn.routes["token-collection"].calls.last.request
    assert request.method == "POST"
    assert request.url == f"{BASE}/collection/token/"
    expected = base64.b64encode(f"{API_USER}:{API_KEY}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert request.headers["Ocp-Apim-Subscription-Key"] == SUB_KEYS["collection"]
    assert request.content == b""  # MTN refuses a body here
    assert "X-Target-Environment" not in request.headers


async def test_request_to_pay_request(client: MtnClient, mtn: respx.MockRouter) -> None:
    route = mtn.post("/collection/v1_0/requesttopay").respond(202)
    reference = ref()
    result = await client.request_to_pay(reference, BODY)
    assert not result.already_existed
    request = route.calls.last.request
    assert request.headers["Authorization"] == "Bearer jwt-TOKEN-abcdef"
    assert request.headers["X-Reference-Id"] == reference
    assert request.headers["X-Target-Environment"] == "sandbox"
    assert request.headers["Ocp-Apim-Subscription-Key"] == SUB_KEYS["collection"]
    assert request.headers["Content-Type"] == "application/json"
    assert "X-Callback-Url" not in request.headers  # none configured
    assert sent_json(request) == BODY


async def test_callback_url_only_when_configured(mtn: respx.MockRouter) -> None:
    route = mtn.post("/collection/v1_0/requesttopay").respond(202)
    credentials = MtnCredentials(API_USER, Secret(API_KEY), {"collection": Secret("k")})
    c = MtnClient(
        base_url=BASE,
        target_environment="sandbox",
        credentials=credentials,
        callback_url="https://shop.example/cb",
    )
    await c.request_to_pay(ref(), BODY)
    await c.aclose()
    assert route.calls.last.request.headers["X-Callback-Url"] == "https://shop.example/cb"


@pytest.mark.parametrize(
    ("call", "method", "path", "product", "body"),
    [
        ("status", "GET", "/collection/v1_0/requesttopay/{ref}", "collection", None),
        (
            "active",
            "GET",
            "/collection/v1_0/accountholder/msisdn/46733123454/active",
            "collection",
            None,
        ),
        (
            "userinfo",
            "GET",
            "/collection/v1_0/accountholder/msisdn/46733123454/basicuserinfo",
            "collection",
            None,
        ),
        ("balance", "GET", "/collection/v1_0/account/balance", "collection", None),
        (
            "notify",
            "POST",
            "/collection/v1_0/requesttopay/{ref}/deliverynotification",
            "collection",
            {"notificationMessage": "Thank you"},
        ),
        ("transfer", "POST", "/disbursement/v1_0/transfer", "disbursement", "transfer"),
        ("transfer_status", "GET", "/disbursement/v1_0/transfer/{ref}", "disbursement", None),
        ("deposit", "POST", "/disbursement/v2_0/deposit", "disbursement", "transfer"),
        ("deposit_status", "GET", "/disbursement/v1_0/deposit/{ref}", "disbursement", None),
        ("refund", "POST", "/disbursement/v2_0/refund", "disbursement", "refund"),
        ("refund_status", "GET", "/disbursement/v1_0/refund/{ref}", "disbursement", None),
        ("remit", "POST", "/remittance/v1_0/transfer", "remittance", "transfer"),
        ("remit_status", "GET", "/remittance/v1_0/transfer/{ref}", "remittance", None),
    ],
)
async def test_every_operation_sends_what_mtn_documents(
    client: MtnClient,
    mtn: respx.MockRouter,
    call: str,
    method: str,
    path: str,
    product: str,
    body: Any,
) -> None:
    reference = ref()
    original = ref()
    transfer = {k: v for k, v in BODY.items() if k != "payer"} | {
        "payee": {"partyIdType": "MSISDN", "partyId": "46733123454"}
    }
    refund = {k: v for k, v in BODY.items() if k != "payer"} | {"referenceIdToRefund": original}
    bodies = {"transfer": transfer, "refund": refund}
    status_body = {"status": "PENDING"}
    answers: dict[str, httpx.Response] = {
        "active": httpx.Response(200, json={"result": True}),
        "userinfo": httpx.Response(200, json={"name": "Sand Box"}),
        "balance": httpx.Response(200, json={"availableBalance": "10", "currency": "EUR"}),
        "notify": httpx.Response(200, json={}),
    }
    answer = answers.get(
        call, httpx.Response(202) if method == "POST" else httpx.Response(200, json=status_body)
    )
    route = mtn.route(method=method, path=path.format(ref=reference)).mock(return_value=answer)
    calls = {
        "status": lambda: client.request_to_pay_status(reference),
        "active": lambda: client.account_holder_active("46733123454"),
        "userinfo": lambda: client.basic_user_info("46733123454"),
        "balance": lambda: client.balance(),
        "notify": lambda: client.delivery_notification(reference, "Thank you"),
        "transfer": lambda: client.transfer(reference, transfer),
        "transfer_status": lambda: client.transfer_status(reference),
        "deposit": lambda: client.deposit(reference, transfer),
        "deposit_status": lambda: client.deposit_status(reference),
        "refund": lambda: client.refund(reference, refund),
        "refund_status": lambda: client.refund_status(reference),
        "remit": lambda: client.transfer(reference, transfer, product="remittance"),
        "remit_status": lambda: client.transfer_status(reference, product="remittance"),
    }
    await calls[call]()
    request = route.calls.last.request
    assert request.headers["Ocp-Apim-Subscription-Key"] == SUB_KEYS[product]
    assert request.headers["X-Target-Environment"] == "sandbox"
    assert request.headers["Authorization"] == "Bearer jwt-TOKEN-abcdef"
    assert mtn.routes[f"token-{product}"].call_count == 1
    if method == "POST" and call != "notify":
        assert request.headers["X-Reference-Id"] == reference
        assert sent_json(request) == bodies[body]
    elif body is not None:
        assert sent_json(request) == body
    else:
        assert request.content == b""


# -- responses --------------------------------------------------------------------------------


async def test_409_on_resend_means_the_first_arrived(
    client: MtnClient, mtn: respx.MockRouter
) -> None:
    mtn.post("/collection/v1_0/requesttopay").respond(
        409, json={"code": "RESOURCE_ALREADY_EXIST", "message": "Duplicated reference id."}
    )
    assert (await client.request_to_pay(ref(), BODY)).already_existed


async def test_400_is_a_rejection_and_not_retried(client: MtnClient, mtn: respx.MockRouter) -> None:
    route = mtn.post("/collection/v1_0/requesttopay").respond(400)
    with pytest.raises(RequestRejected, match="HTTP 400"):
        await client.request_to_pay(ref(), BODY)
    assert route.call_count == 1


async def test_401_for_the_token_refreshes_once_and_retries_with_same_id(
    client: MtnClient, mtn: respx.MockRouter
) -> None:
    route = mtn.post("/collection/v1_0/requesttopay").mock(
        side_effect=[httpx.Response(401, json={"error": "invalid_token"}), httpx.Response(202)]
    )
    reference = ref()
    await client.request_to_pay(reference, BODY)
    assert route.call_count == 2
    assert mtn.routes["token-collection"].call_count == 2
    assert {c.request.headers["X-Reference-Id"] for c in route.calls} == {reference}


async def test_persistent_401_is_a_configuration_problem(
    client: MtnClient, mtn: respx.MockRouter
) -> None:
    route = mtn.get(path__regex=r"/collection/v1_0/requesttopay/.*").respond(401)
    with pytest.raises(ConfigurationProblem, match="fresh collection access tokens"):
        await client.request_to_pay_status(ref())
    assert route.call_count == 2  # refreshed once, retried once, then gave up


async def test_gateway_401_is_the_subscription_key(
    client: MtnClient, mtn: respx.MockRouter
) -> None:
    mtn.post("/collection/v1_0/requesttopay").respond(
        401, json={"statusCode": 401, "message": "Access denied due to invalid subscription key."}
    )
    with pytest.raises(ConfigurationProblem, match="subscription key"):
        await client.request_to_pay(ref(), BODY)
    assert mtn.routes["token-collection"].call_count == 1  # no pointless token refresh


async def test_login_failed_on_token_is_a_configuration_problem(
    client: MtnClient, mtn: respx.MockRouter
) -> None:
    mtn.routes["token-collection"].respond(401, json={"error": "login_failed"})
    with pytest.raises(ConfigurationProblem, match="API user or API key"):
        await client.request_to_pay(ref(), BODY)


async def test_status_404_means_never_arrived(client: MtnClient, mtn: respx.MockRouter) -> None:
    mtn.get(path__regex=r"/collection/v1_0/requesttopay/.*").respond(
        404, json={"code": "RESOURCE_NOT_FOUND", "message": "Requested resource was not found."}
    )
    report = await client.request_to_pay_status(ref())
    assert report.status == RemoteStatus.NOT_FOUND


async def test_429_honours_retry_after(
    client: MtnClient, mtn: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = mtn.get(path__regex=r"/collection/v1_0/requesttopay/.*").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(200, json={"status": "PENDING"}),
        ]
    )
    report = await client.request_to_pay_status(ref())
    assert report.status == RemoteStatus.PENDING
    assert route.call_count == 2
    assert sleeps.delays and sleeps.delays[0] >= 7


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_transient_5xx_is_retried_with_the_same_reference(
    client: MtnClient, mtn: respx.MockRouter, sleeps: Sleeps, status: int
) -> None:
    route = mtn.post("/collection/v1_0/requesttopay").mock(
        side_effect=[httpx.Response(status, text="<html>Bad gateway</html>"), httpx.Response(202)]
    )
    reference = ref()
    await client.request_to_pay(reference, BODY)
    assert route.call_count == 2
    assert {c.request.headers["X-Reference-Id"] for c in route.calls} == {reference}
    assert len(sleeps.delays) == 1


async def test_backoff_grows_and_gives_up_saying_delivery_is_unknown(
    client: MtnClient, mtn: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = mtn.post("/collection/v1_0/requesttopay").respond(
        500, json={"code": "INTERNAL_PROCESSING_ERROR", "message": "x"}
    )
    with pytest.raises(ProviderUnavailable, match="after 3 attempts") as info:
        await client.request_to_pay(ref(), BODY)
    assert route.call_count == 3
    assert info.value.delivered is None  # it may have arrived: ask its status, never resend anew
    assert len(sleeps.delays) == 2
    assert all(0 <= d <= 8 for d in sleeps.delays)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("NOT_ALLOWED_TARGET_ENVIRONMENT", ConfigurationProblem),
        ("INVALID_CURRENCY", ConfigurationProblem),
        ("INVALID_CALLBACK_URL_HOST", ConfigurationProblem),
        ("PAYER_NOT_FOUND", RequestRejected),
        ("NOT_ENOUGH_FUNDS", RequestRejected),
    ],
)
async def test_500_with_a_decision_code_is_not_retried(
    client: MtnClient, mtn: respx.MockRouter, code: str, error: type[Exception]
) -> None:
    route = mtn.post("/collection/v1_0/requesttopay").respond(
        500, json={"code": code, "message": "m"}
    )
    with pytest.raises(error, match=code):
        await client.request_to_pay(ref(), BODY)
    assert route.call_count == 1


async def test_synchronous_failure_carries_the_catalog_reason(
    client: MtnClient, mtn: respx.MockRouter
) -> None:
    mtn.post("/collection/v1_0/requesttopay").respond(500, json={"code": "NOT_ENOUGH_FUNDS"})
    with pytest.raises(RequestRejected) as info:
        await client.request_to_pay(ref(), BODY)
    assert info.value.reason is not None and info.value.reason.code == "NOT_ENOUGH_FUNDS"


async def test_403_forbidden_ip_is_configuration(client: MtnClient, mtn: respx.MockRouter) -> None:
    mtn.post("/disbursement/v1_0/transfer").respond(403, json={"code": "FORBIDDEN_IP"})
    with pytest.raises(ConfigurationProblem):
        await client.transfer(ref(), BODY)


async def test_connect_error_is_certainly_not_delivered(
    client: MtnClient, mtn: respx.MockRouter
) -> None:
    mtn.post("/collection/v1_0/requesttopay").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(ProviderUnavailable) as info:
        await client.request_to_pay(ref(), BODY)
    assert info.value.delivered is False


async def test_read_timeout_may_have_delivered(client: MtnClient, mtn: respx.MockRouter) -> None:
    route = mtn.post("/collection/v1_0/requesttopay").mock(
        side_effect=[
            httpx.ReadTimeout("slow"),
            httpx.Response(409, json={"code": "RESOURCE_ALREADY_EXIST"}),
        ]
    )
    result = await client.request_to_pay(ref(), BODY)
    assert result.already_existed  # the timed-out attempt had arrived; no second charge
    assert route.call_count == 2


async def test_a_hanging_provider_is_cut_off_by_the_deadline(mtn: respx.MockRouter) -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(202)

    mtn.post("/collection/v1_0/requesttopay").mock(side_effect=hang)
    credentials = MtnCredentials(API_USER, Secret(API_KEY), {"collection": Secret("k")})
    c = MtnClient(
        base_url=BASE,
        target_environment="sandbox",
        credentials=credentials,
        timeout=0.05,
        deadline=0.1,
        retry=RetryPolicy(attempts=1),
    )
    with pytest.raises(ProviderUnavailable, match="TimeoutError"):
        await c.request_to_pay(ref(), BODY)
    await c.aclose()


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="<html>gateway</html>"),
        httpx.Response(200, json=["PENDING"]),
        httpx.Response(200, json={"amount": "1"}),
        httpx.Response(200, json={"status": 3}),
        httpx.Response(200, json={"status": "FAILED", "reason": 12}),
        httpx.Response(200, json={"status": "SUCCESSFUL", "financialTransactionId": {"x": 1}}),
        httpx.Response(200, content=b"\xff\xfe"),
    ],
)
async def test_malformed_status_is_a_clear_error_not_a_status(
    client: MtnClient, mtn: respx.MockRouter, answer: httpx.Response
) -> None:
    mtn.get(path__regex=r"/collection/v1_0/requesttopay/.*").mock(return_value=answer)
    with pytest.raises(MalformedResponse):
        await client.request_to_pay_status(ref())


@pytest.mark.parametrize(
    ("body", "status", "reason", "receipt"),
    [
        ({"status": "PENDING"}, RemoteStatus.PENDING, None, None),
        ({"status": "CREATED"}, RemoteStatus.PENDING, None, None),
        ({"status": "ONGOING"}, RemoteStatus.PENDING, None, None),
        (
            {"status": "successful", "financialTransactionId": 23503452, "amount": 1500},
            RemoteStatus.SUCCESSFUL,
            None,
            "23503452",
        ),
        (
            {"status": "FAILED", "reason": "APPROVAL_REJECTED"},
            RemoteStatus.FAILED,
            "APPROVAL_REJECTED",
            None,
        ),
        (
            {"status": "FAILED", "reason": {"code": "NOT_ENOUGH_FUNDS", "message": "m"}},
            RemoteStatus.FAILED,
            "NOT_ENOUGH_FUNDS",
            None,
        ),
        (
            {"status": "FAILED", "reason": "BRAND_NEW_CODE"},
            RemoteStatus.FAILED,
            "BRAND_NEW_CODE",
            None,
        ),
        ({"status": "FAILED"}, RemoteStatus.FAILED, "UNKNOWN_REASON", None),
    ],
)
async def test_status_bodies_are_read_tolerantly(
    client: MtnClient,
    mtn: respx.MockRouter,
    body: dict[str, Any],
    status: RemoteStatus,
    reason: str | None,
    receipt: str | None,
) -> None:
    mtn.get(path__regex=r"/collection/v1_0/requesttopay/.*").respond(200, json=body)
    report = await client.request_to_pay_status(ref(), {"amount": "1500"})
    assert report.status == status
    assert (report.reason.code if report.reason else None) == reason
    assert report.receipt == receipt


async def test_success_that_disagrees_with_the_payment_is_not_believed(
    client: MtnClient, mtn: respx.MockRouter
) -> None:
    mtn.get(path__regex=r"/collection/v1_0/requesttopay/.*").respond(
        200,
        json={
            "status": "SUCCESSFUL",
            "amount": "15",
            "currency": "EUR",
            "payer": {"partyIdType": "MSISDN", "partyId": "46733123454"},
        },
    )
    with pytest.raises(MalformedResponse, match="amount"):
        await client.request_to_pay_status(
            ref(), {"amount": "1500", "currency": "EUR", "partyId": "46733123454"}
        )


# Fixed values: the ids of parametrized tests must be the same in every process.
@pytest.mark.parametrize(
    "bad",
    ["1234", "11e12f2a-ee2c-11f1-9353-02fc00000001", "7CD647F1-C916-4130-A5BA-731A920FD72B", ""],
)
async def test_non_uuid4_reference_never_leaves_the_machine(
    client: MtnClient, mtn: respx.MockRouter, bad: str
) -> None:
    route = mtn.post("/collection/v1_0/requesttopay").respond(202)
    with pytest.raises(RequestRejected, match="UUID4"):
        await client.request_to_pay(bad, BODY)
    assert route.call_count == 0


# -- tokens and the circuit -------------------------------------------------------------------


async def test_token_is_cached_and_concurrent_callers_share_one_fetch(
    client: MtnClient, mtn: respx.MockRouter
) -> None:
    async def slow_token(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.05)
        return httpx.Response(200, json=TOKEN_BODY)

    mtn.routes["token-collection"].mock(side_effect=slow_token)
    mtn.get(path__regex=r"/collection/v1_0/requesttopay/.*").respond(
        200, json={"status": "PENDING"}
    )
    await asyncio.gather(*(client.request_to_pay_status(ref()) for _ in range(20)))
    await client.request_to_pay_status(ref())
    assert mtn.routes["token-collection"].call_count == 1


async def test_token_with_string_expiry_and_bad_token_answers(
    client: MtnClient, mtn: respx.MockRouter
) -> None:
    mtn.routes["token-collection"].respond(200, json={"access_token": "t", "expires_in": "3599"})
    assert (await client.tokens["collection"].get()).reveal() == "t"
    for body in ({"expires_in": 3600}, {"access_token": "t", "expires_in": "soon"}):
        client.tokens["disbursement"].invalidate(Secret("x"))
        mtn.routes["token-disbursement"].respond(200, json=body)
        with pytest.raises(MalformedResponse):
            await client.tokens["disbursement"].get()


async def test_circuit_opens_after_repeated_failures_and_stops_sending(
    mtn: respx.MockRouter,
) -> None:
    credentials = MtnCredentials(API_USER, Secret(API_KEY), {"collection": Secret("k")})
    c = MtnClient(
        base_url=BASE,
        target_environment="sandbox",
        credentials=credentials,
        sleep=Sleeps(),
        retry=RetryPolicy(attempts=2),
        breaker_threshold=4,
        breaker_cooldown=60,
    )
    route = mtn.get(path__regex=r"/collection/v1_0/requesttopay/.*").respond(503)
    for _ in range(2):
        with pytest.raises(ProviderUnavailable):
            await c.request_to_pay_status(ref())
    assert c.breakers["collection"].state == "open"
    sent = route.call_count
    with pytest.raises(ProviderUnavailable, match="paused"):
        await c.request_to_pay_status(ref())
    assert route.call_count == sent  # nothing sent while open
    await c.aclose()


# -- secrets ------------------------------------------------------------------------------------


async def test_no_secret_in_logs_exceptions_or_reprs(
    client: MtnClient, mtn: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    mtn.post("/collection/v1_0/requesttopay").mock(
        side_effect=[
            httpx.Response(401, json={"error": "expired"}),
            httpx.Response(503),
            httpx.Response(202),
        ]
    )
    mtn.get(path__regex=r"/collection/v1_0/requesttopay/.*").respond(500, text="boom")
    await client.request_to_pay(ref(), BODY)
    texts = [caplog.text, repr(client), repr(client._credentials), str(client._credentials)]
    with pytest.raises(ProviderUnavailable) as info:
        await client.request_to_pay_status(ref())
    texts += [str(info.value), repr(info.value)]
    mtn.routes["token-remittance"].respond(401, json={"error": "login_failed"})
    with pytest.raises(ConfigurationProblem) as config_info:
        await client.balance("remittance")
    texts.append(str(config_info.value))
    basic = base64.b64encode(f"{API_USER}:{API_KEY}".encode()).decode()
    for text in texts:
        for secret in (*SECRETS, basic):
            assert secret not in text
