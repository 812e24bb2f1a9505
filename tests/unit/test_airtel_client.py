"""Every request the Airtel Money client sends, pinned against the reference
(/work/shared/reference/airtel-api.md: §1.3-1.5 token and envelope, §2 push, §3 enquiry, §4 refund
and KYC, §5 codes, §7 signing, §10 retries, §11 the conformance checklist), and every answer path.
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import respx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment
from pos_app.domain.phone import parse_phone
from pos_app.platform.secret import Secret
from pos_app.providers.airtel import client as client_module
from pos_app.providers.airtel import signing as signing_module
from pos_app.providers.airtel.client import AirtelClient, AirtelCredentials, Signing
from pos_app.providers.airtel.provider import AirtelProvider
from pos_app.providers.base import (
    AccountHolder,
    ConfigurationProblem,
    MalformedResponse,
    ProviderError,
    ProviderUnavailable,
    RemoteStatus,
    RequestRejected,
    Submission,
    UnclearAnswer,
)
from pos_app.providers.resilience import RetryPolicy
from pos_app.providers.tokens import TokenCache

BASE = "https://openapiuat.airtel.ug"
CLIENT_ID = "airtel-CLIENT-ID-7c1e2f6a"
CLIENT_SECRET = "airtel-CLIENT-SECRET-8d9b7c11"
TOKEN = "DHeopO4IXBaAGUcZpXgymyfSkFtjvHJz"  # the recorded token (§12)
TOKEN_2 = "second-TOKEN-0f1e2d3c4b5a"
TOKEN_BODY = {"token_type": "bearer", "access_token": TOKEN, "expires_in": 180}
SECRETS = (CLIENT_ID, CLIENT_SECRET, TOKEN, TOKEN_2)
PUSH_PATH = "/merchant/v1/payments/"
SIGNED_PUSH_PATH = "/merchant/v2/payments/"
STATUS_PATH = r"^/standard/v1/payments/(?!refund$)[A-Za-z0-9]+$"
REFUND_PATH = "/standard/v1/payments/refund"
KEY_PATH = "/v1/rsa/encryption-keys"
NOW = 1_900_000_000.0  # a fixed wall-clock time for the encryption key's `valid_upto`

# §12, exactly as the sources give them.
ACCEPTED: dict[str, Any] = {
    "data": {"transaction": {"id": "ASDJBEJB4KRN5", "status": "SUCCESS"}},
    "status": {
        "code": "200",
        "message": "SUCCESS",
        "result_code": "ESB000010",
        "response_code": "DP00800001006",
        "success": True,
    },
}
TRXID_EXISTS = {
    "status": {
        "response_code": "DP00800001000",
        "code": "500",
        "success": False,
        "result_code": "ESB000041",
        "message": "External Transaction ID already exists.",
    }
}
IO_EXCEPTION = {"status_message": "I/O Exception", "status_code": "CONNECTION_TIMEOUT"}
INVALID_TOKEN = {
    "error_description": "The access token is invalid or has expired",
    "error": "invalid_token",
}
INVALID_CLIENT = {"error_description": "Invalid client authentication", "error": "invalid_client"}
REFUND_OK: dict[str, Any] = {
    "data": {"transaction": {"airtel_money_id": "CI210104.1549.C00029", "status": "SUCCESS"}},
    "status": {"code": "200", "message": "SUCCESS", "result_code": "ESB000010", "success": True},
}
KYC = {
    "data": {
        "first_name": "Dealer",
        "grade": "SUBS",
        "is_barred": False,
        "is_pin_set": False,
        "last_name": "Test1",
        "msisdn": "12****89",
        "registration": {"status": "SUBS"},
    },
    "status": {"code": "200", "message": "SUCCESS", "result_code": "ESB000010", "success": True},
}
RATE_HEADERS = {"x-ratelimit-limit-minute": "10", "x-ratelimit-remaining-minute": "7"}
IMPERVA_PAGE = (
    "<html><head><title>Request Rejected</title></head><body>The requested URL was rejected. "
    "Please consult with your administrator.<br>Your support ID is: 1234567890"
    "<br>Powered by Imperva</body></html>"
)
MAINTENANCE_PAGE = (
    "<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title></head>"
    "<body><h1>Service Temporarily Unavailable</h1></body></html>"
)


def envelope(
    response_code: str | None = None,
    result_code: str | None = None,
    *,
    success: bool = False,
    code: str | int = "400",
    message: str = "m",
    transaction: dict[str, Any] | None = None,
) -> dict[str, Any]:
    status: dict[str, Any] = {"code": code, "message": message, "success": success}
    if response_code is not None:
        status["response_code"] = response_code
    if result_code is not None:
        status["result_code"] = result_code
    body: dict[str, Any] = {"status": status}
    if transaction is not None:
        body["data"] = {"transaction": transaction}
    return body


def enquiry(status: str, response_code: str | None = "DP00800001006", **extra: Any) -> Any:
    success = status != "TF"
    return envelope(
        response_code,
        "ESB000010" if success else None,
        success=success,
        code="200",
        message="SUCCESS" if success else "FAILED",
        transaction={"id": "83****88", "status": status, **extra},
    )


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def make_client(signing: Signing | None = None, **options: Any) -> AirtelClient:
    return AirtelClient(
        base_url=BASE,
        country="UG",
        currency="UGX",
        credentials=AirtelCredentials(Secret(CLIENT_ID), Secret(CLIENT_SECRET)),
        signing=signing,
        timeout=2.0,
        sleep=options.pop("sleep", Sleeps()),
        retry=RetryPolicy(attempts=3),
        breaker_threshold=50,
        **options,
    )


@pytest.fixture
async def client() -> AsyncIterator[AirtelClient]:
    c = make_client()
    yield c
    await c.aclose()


@pytest.fixture
def airtel() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.post("/auth/oauth2/token", name="token").respond(200, json=TOKEN_BODY)
        yield router


def tid() -> str:
    return uuid.uuid4().hex


async def push(client: AirtelClient, transaction_id: str | None = None) -> Submission:
    return await client.push(transaction_id or tid(), "700123123", 1000, "Sale 1")


def sent(request: httpx.Request) -> Any:
    return json.loads(request.content)


def sent_ids(route: respx.Route) -> set[str]:
    return {sent(call.request)["transaction"]["id"] for call in route.calls}


# -- the token (§1.3; checklist 2, 3) ---------------------------------------------------------


async def test_token_request_is_json_client_credentials(
    client: AirtelClient, airtel: respx.MockRouter
) -> None:
    assert (await client.tokens.get()).reveal() == TOKEN
    request = airtel.routes["token"].calls.last.request
    assert request.method == "POST"
    assert request.url == f"{BASE}/auth/oauth2/token"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Accept"] == "*/*"
    assert "Authorization" not in request.headers
    assert sent(request) == {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "grant_type": "client_credentials",
    }


@pytest.mark.parametrize("expires_in", [180, "180"])
async def test_the_180_second_token_is_kept_and_renewed_before_it_expires(
    client: AirtelClient, airtel: respx.MockRouter, expires_in: int | str
) -> None:
    airtel.routes["token"].respond(200, json={**TOKEN_BODY, "expires_in": expires_in})
    now = [0.0]
    client.tokens = TokenCache(client._fetch_token, clock=lambda: now[0])
    route = airtel.get(path__regex=STATUS_PATH).respond(200, json=enquiry("TIP"))
    for at in (0.0, 60.0, 149.0):
        now[0] = at
        await client.status(tid())
    assert airtel.routes["token"].call_count == 1
    # Renewed at 5/6 of its life: 30 s before Airtel lets it expire (the checklist asks >= 15 s).
    now[0] = 150.5
    await client.status(tid())
    assert airtel.routes["token"].call_count == 2
    assert route.call_count == 4


@pytest.mark.parametrize(
    "body",
    [
        {"token_type": "bearer", "expires_in": 180},
        {"access_token": "", "expires_in": 180},
        {"access_token": "t", "expires_in": "soon"},
        {"access_token": "t", "expires_in": None},
        ["t"],
    ],
)
async def test_an_unreadable_token_answer_is_malformed_and_the_push_never_leaves(
    client: AirtelClient, airtel: respx.MockRouter, body: Any
) -> None:
    airtel.routes["token"].respond(200, json=body)
    route = airtel.post(PUSH_PATH).respond(200, json=ACCEPTED)
    with pytest.raises(MalformedResponse):
        await client.tokens.get()
    with pytest.raises(ProviderUnavailable) as info:
        await push(client)
    assert info.value.delivered is False
    assert route.call_count == 0


async def test_invalid_client_is_a_configuration_problem_naming_the_keys(
    client: AirtelClient, airtel: respx.MockRouter
) -> None:
    airtel.routes["token"].respond(400, json=INVALID_CLIENT)
    route = airtel.post(PUSH_PATH).respond(200, json=ACCEPTED)
    with pytest.raises(ConfigurationProblem) as info:
        await push(client)
    assert "AIRTEL_CLIENT_ID" in str(info.value)
    assert "INVALID_CLIENT" in str(info.value)
    assert route.call_count == 0
    assert airtel.routes["token"].call_count == 1  # not asked again: a person must act


# -- one refused token (§1.3, §10.3; checklist 4) ---------------------------------------------


async def test_one_invalid_token_is_refreshed_once_and_the_push_resent_with_the_same_id(
    client: AirtelClient, airtel: respx.MockRouter
) -> None:
    airtel.routes["token"].side_effect = [
        httpx.Response(200, json=TOKEN_BODY),
        httpx.Response(200, json={**TOKEN_BODY, "access_token": TOKEN_2}),
    ]
    route = airtel.post(PUSH_PATH).mock(
        side_effect=[
            httpx.Response(401, json=INVALID_TOKEN),
            httpx.Response(200, json=ACCEPTED),
        ]
    )
    transaction_id = tid()
    result = await push(client, transaction_id)
    assert result == Submission()
    assert airtel.routes["token"].call_count == 2
    assert route.call_count == 2
    assert sent_ids(route) == {transaction_id}
    first, second = (call.request for call in route.calls)
    assert first.content == second.content  # the very same request, under a fresh token
    assert first.headers["Authorization"] == f"Bearer {TOKEN}"
    assert second.headers["Authorization"] == f"Bearer {TOKEN_2}"


async def test_a_second_invalid_token_is_a_configuration_problem(
    client: AirtelClient, airtel: respx.MockRouter
) -> None:
    route = airtel.post(PUSH_PATH).respond(401, json=INVALID_TOKEN)
    with pytest.raises(ConfigurationProblem, match="fresh access tokens"):
        await push(client)
    assert route.call_count == 2
    assert airtel.routes["token"].call_count == 2


async def test_invalid_token_with_403_is_refreshed_like_a_401(
    client: AirtelClient, airtel: respx.MockRouter
) -> None:
    """[121]'s mock (observed Zambia behaviour) answers an expired token with 403 (§1.3)."""
    route = airtel.post(PUSH_PATH).mock(
        side_effect=[
            httpx.Response(403, json=INVALID_TOKEN),
            httpx.Response(200, json=ACCEPTED),
        ]
    )
    transaction_id = tid()
    assert await push(client, transaction_id) == Submission()
    assert airtel.routes["token"].call_count == 2
    assert sent_ids(route) == {transaction_id}


# -- headers and bodies (§1.4, §2.2; checklist 5-8, 15) ---------------------------------------


@pytest.mark.parametrize("call", ["push", "status", "refund", "lookup"])
async def test_every_business_call_sends_airtels_headers(
    client: AirtelClient, airtel: respx.MockRouter, call: str
) -> None:
    transaction_id = tid()
    routes = {
        "push": airtel.post(PUSH_PATH).respond(200, json=ACCEPTED),
        "status": airtel.get(f"/standard/v1/payments/{transaction_id}").respond(
            200, json=enquiry("TIP")
        ),
        "refund": airtel.post(REFUND_PATH).respond(200, json=REFUND_OK),
        "lookup": airtel.get("/standard/v1/users/700123123").respond(200, json=KYC),
    }
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "push": lambda: push(client, transaction_id),
        "status": lambda: client.status(transaction_id),  # our id, not airtel_money_id
        "refund": lambda: client.refund("CI210104.1105.C00018"),
        "lookup": lambda: client.account_holder("700123123"),
    }
    await calls[call]()
    request = routes[call].calls.last.request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["X-Country"] == "UG"
    assert request.headers["X-Currency"] == "UGX"
    assert request.headers["Accept"] == "*/*"
    if request.method == "POST":
        assert request.headers["Content-Type"] == "application/json"
    else:
        assert request.content == b""
    assert "x-signature" not in request.headers and "x-key" not in request.headers


async def test_the_push_body_is_airtels_sample_with_our_values(
    client: AirtelClient, airtel: respx.MockRouter
) -> None:
    route = airtel.post(PUSH_PATH).respond(200, json=ACCEPTED)
    transaction_id = tid()
    await push(client, transaction_id)
    assert sent(route.calls.last.request) == {
        "reference": "Sale 1",
        "subscriber": {"country": "UG", "currency": "UGX", "msisdn": "700123123"},
        "transaction": {"amount": 1000, "country": "UG", "currency": "UGX", "id": transaction_id},
    }


async def test_the_provider_sends_a_national_number_our_id_and_a_whole_number(
    client: AirtelClient, airtel: respx.MockRouter
) -> None:
    route = airtel.post(PUSH_PATH).respond(200, json=ACCEPTED)
    number = parse_phone("+256 70 012 3123", "UG")
    payment, _event = Payment.create(
        provider="airtel",
        amount=Money.from_decimal(Decimal(1000), "UGX"),
        msisdn=number.msisdn,
        now=datetime(2026, 12, 2, 10, 0, tzinfo=UTC),
        payer_message="Café #12 — thank you!",
    )
    provider = AirtelProvider(client, 9)
    await provider.request_payment(payment, "Sale")
    await provider.request_payment(payment, "Sale")  # a resend of the same payment
    first, second = (call.request for call in route.calls)
    body = sent(first)
    assert body["subscriber"]["msisdn"] == "700123123"  # no +, no 256, no spaces
    transaction = body["transaction"]
    assert transaction["id"] == payment.reference_id.replace("-", "")
    assert transaction["id"].isalnum() and len(transaction["id"]) <= 64
    assert sent(second)["transaction"]["id"] == transaction["id"]
    assert transaction["amount"] == 1000 and type(transaction["amount"]) is int
    assert b'"amount":1000,' in first.content  # a JSON number, not "1000" nor 1000.0
    assert body["reference"] == "Cafe 12 thank you"  # 4-64 letters, digits (and spaces)


async def test_the_provider_checks_the_numbers_length(client: AirtelClient) -> None:
    provider = AirtelProvider(client, 9)
    assert provider.national("256700123123") == "700123123"
    with pytest.raises(RequestRejected):
        provider.national("2567001231234")


# -- the push's answers (§2.3, §5; checklist 9-12) --------------------------------------------


async def test_dp00800001006_success_is_awaiting_the_pin(
    client: AirtelClient, airtel: respx.MockRouter
) -> None:
    airtel.post(PUSH_PATH).respond(200, json=ACCEPTED)
    result = await push(client)
    assert result == Submission()  # pending: the prompt is on its way, not paid
    assert not result.already_existed


@pytest.mark.parametrize(
    "body",
    [
        # [DOC-UG] sample: `"id": false`; [LAR] "Success."; codes as numbers ([121] mock).
        {**ACCEPTED, "data": {"transaction": {"id": False, "status": "SUCCESS"}}},
        {**ACCEPTED, "data": {"transaction": {"id": "x", "status": "Success."}}},
        {**ACCEPTED, "status": {**ACCEPTED["status"], "code": 200}},
    ],
)
async def test_accepted_push_variants(
    client: AirtelClient, airtel: respx.MockRouter, body: dict[str, Any]
) -> None:
    airtel.post(PUSH_PATH).respond(200, json=body)
    assert await push(client) == Submission()


async def test_a_resent_id_is_already_submitted_never_a_failure(
    client: AirtelClient, airtel: respx.MockRouter
) -> None:
    route = airtel.post(PUSH_PATH).respond(200, json=TRXID_EXISTS)
    assert (await push(client)).already_existed
    assert route.call_count == 1


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(408, json=IO_EXCEPTION, headers=RATE_HEADERS),
        httpx.Response(500, text="<html>Internal Server Error</html>"),
        httpx.Response(502, text=""),
        httpx.Response(504, json={"message": "upstream timed out"}),
        httpx.ReadError("[Errno 104] Connection reset by peer"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadTimeout("timed out"),
    ],
    ids=["408", "500", "502", "504", "reset", "disconnected", "read-timeout"],
)
async def test_an_answer_that_may_have_arrived_is_sent_again_with_the_same_id(
    client: AirtelClient, airtel: respx.MockRouter, failure: httpx.Response | Exception
) -> None:
    route = airtel.post(PUSH_PATH).mock(side_effect=[failure, httpx.Response(200, json=ACCEPTED)])
    transaction_id = tid()
    assert await push(client, transaction_id) == Submission()
    assert route.call_count == 2
    assert sent_ids(route) == {transaction_id}
    assert len({call.request.content for call in route.calls}) == 1


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (408, IO_EXCEPTION),
        (500, None),
        (502, None),
        (504, None),
        (503, MAINTENANCE_PAGE),
        (200, envelope("DP00800001000", code="500")),
        (200, envelope(None, "ESB000001", code="500")),
        (200, envelope("DP00800001000", "ESB000004", code="500")),
        (200, envelope(None, "0000900", code="500")),
        (200, {"status_message": "Request Timeout", "status_code": "ROUTER117"}),
        (408, {"status_message": "Request Timeout", "status_code": "ROUTER117"}),
        (200, envelope("DP00800001024", code="500")),
        (200, envelope("DP00800001099", code="400")),  # a code no table knows
        (200, envelope(None, None, code=500)),
    ],
)
async def test_a_maybe_is_never_rejected_nor_charged_under_a_new_id(
    client: AirtelClient, airtel: respx.MockRouter, status: int, body: Any
) -> None:
    answer = (
        httpx.Response(status, text=body or "")
        if body is None or isinstance(body, str)
        else httpx.Response(status, json=body)
    )
    route = airtel.post(PUSH_PATH).mock(return_value=answer)
    transaction_id = tid()
    with pytest.raises(ProviderUnavailable) as info:
        await push(client, transaction_id)
    assert info.value.delivered is None  # asked about by our id, never marked failed
    assert sent_ids(route) == {transaction_id}


async def test_a_connection_reset_every_time_is_unknown_delivery(
    client: AirtelClient, airtel: respx.MockRouter
) -> None:
    route = airtel.post(PUSH_PATH).mock(side_effect=httpx.ReadError("connection reset"))
    transaction_id = tid()
    with pytest.raises(ProviderUnavailable, match="after 3 attempts") as info:
        await push(client, transaction_id)
    assert info.value.delivered is None
    assert route.call_count == 3 and sent_ids(route) == {transaction_id}


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, json=envelope("DP00800001099", code="400")),
        httpx.Response(200, json=envelope(None, None, success=False, code="200")),
        httpx.Response(200, json={}),
        httpx.Response(200, json=[]),
        httpx.Response(200, text="<html>ok</html>"),
        httpx.Response(200, json={"data": {"transaction": {"status": "TS"}}}),
    ],
)
async def test_a_200_that_is_not_an_acceptance_is_never_a_submission(
    client: AirtelClient, airtel: respx.MockRouter, answer: httpx.Response
) -> None:
    airtel.post(PUSH_PATH).mock(return_value=answer)
    with pytest.raises(ProviderError) as info:
        await push(client)
    assert not isinstance(info.value, RequestRejected | ConfigurationProblem)
    assert info.value.delivered is None


@pytest.mark.parametrize("http", [200, 400])
@pytest.mark.parametrize(
    ("body", "code"),
    [
        (envelope("DP00800001004", "ESB000008", message="Invalid Amount"), "DP00800001004"),
        (envelope("DP00800001010", "ESB000011", message="Not permitted"), "DP00800001010"),
        (
            envelope(None, "ESB000033", message="Invalid MSISDN Length. Should be 9"),
            "ESB000033",
        ),
        (envelope("DP00800001007", code=400), "DP00800001007"),
    ],
)
async def test_a_refusal_carries_the_catalog_reason_and_is_not_sent_again(
    client: AirtelClient, airtel: respx.MockRouter, http: int, body: dict[str, Any], code: str
) -> None:
    route = airtel.post(PUSH_PATH).respond(http, json=body)
    with pytest.raises(RequestRejected) as info:
        await push(client)
    assert info.value.reason is not None and info.value.reason.code == code
    assert info.value.reason.source == "airtel"
    assert route.call_count == 1


@pytest.mark.parametrize(
    ("http", "body"),
    [
        (200, envelope(None, "ROUTER006", message="Invalid country code provided.")),
        (200, envelope(None, "ESB000039", message="Vendor is not configured")),
        (200, envelope(None, "ROUTER112", message="Invalid Currency")),
        (400, {"status_message": "Partner 2d96 not found", "status_code": "ROUTER110"}),
        (
            200,
            envelope(
                None,
                "ESB000008",
                code=400,
                message="Missing request header 'x-wallet-id' for method parameter of type String",
            ),
        ),
    ],
)
async def test_a_set_up_refusal_is_a_configuration_problem_whatever_the_http_status(
    client: AirtelClient, airtel: respx.MockRouter, http: int, body: dict[str, Any]
) -> None:
    route = airtel.post(PUSH_PATH).respond(http, json=body)
    with pytest.raises(ConfigurationProblem, match=r"the shop.s country"):
        await push(client)
    assert route.call_count == 1


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(403, text=IMPERVA_PAGE, headers={"Content-Type": "text/html"}),
        httpx.Response(403, json={"status_message": "Forbidden", "status_code": "403"}),
        httpx.Response(403, text=""),
    ],
)
@pytest.mark.parametrize("call", ["token", "push", "status"])
async def test_403_tells_the_owner_about_the_allow_list_and_the_proxy(
    client: AirtelClient, airtel: respx.MockRouter, answer: httpx.Response, call: str
) -> None:
    if call == "token":
        airtel.routes["token"].mock(return_value=answer)
    route = airtel.route(path__regex=r"^/(merchant|standard)/").mock(return_value=answer)
    with pytest.raises(ConfigurationProblem) as info:
        await (push(client) if call != "status" else client.status(tid()))
    message = str(info.value)
    assert "Server IP Allowed List" in message and "proxy" in message
    assert route.call_count == (0 if call == "token" else 1)  # a person must act: not resent


# -- the enquiry (§3; checklist 13-15, 17) ----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "reason", "receipt"),
    [
        (
            enquiry("TS", "DP00800001001", airtel_money_id="133410367531"),
            RemoteStatus.SUCCESSFUL,
            None,
            "133410367531",
        ),
        # The portal sample pairs TS with DP00800001006: the status decides (§3.4).
        (
            enquiry("TS", airtel_money_id="C3648.00993.538XX.XX67"),
            RemoteStatus.SUCCESSFUL,
            None,
            "C3648.00993.538XX.XX67",
        ),
        (
            enquiry("ts", airtel_money_id=133410367531),
            RemoteStatus.SUCCESSFUL,
            None,
            "133410367531",
        ),
        (enquiry("TS"), RemoteStatus.SUCCESSFUL, None, None),  # stored only when present
        (enquiry("TF", "DP00800001002"), RemoteStatus.FAILED, "DP00800001002", None),
        (enquiry("TF", "DP00800001005"), RemoteStatus.FAILED, "DP00800001005", None),
        (enquiry("TF", "DP00800001007"), RemoteStatus.FAILED, "DP00800001007", None),
        (enquiry("TF", "DP00800001006"), RemoteStatus.FAILED, "ESB000011", None),
        (enquiry("TF", None), RemoteStatus.FAILED, "ESB000011", None),
        (enquiry("TE", "DP00800001006"), RemoteStatus.FAILED, "DP00800001029", None),
        (enquiry("TIP"), RemoteStatus.PENDING, None, None),
        (enquiry("TA", "DP00800001000"), RemoteStatus.PENDING, None, None),
        (enquiry("TI"), RemoteStatus.PENDING, None, None),
        (enquiry("XYZ"), RemoteStatus.PENDING, None, None),
        (enquiry("SUCCESS"), RemoteStatus.PENDING, None, None),  # a push's word, not paid
        (
            envelope(
                "DP00800001001",
                "ESB000010",
                success=True,
                code=200,
                transaction={"status": "TS", "airtel_money_id": "MP1"},
            ),
            RemoteStatus.SUCCESSFUL,
            None,
            "MP1",
        ),
    ],
)
async def test_the_enquiry_is_decided_by_the_transaction_status(
    client: AirtelClient,
    airtel: respx.MockRouter,
    body: dict[str, Any],
    status: RemoteStatus,
    reason: str | None,
    receipt: str | None,
) -> None:
    airtel.get(path__regex=STATUS_PATH).respond(200, json=body)
    report = await client.status(tid())
    assert report.status == status
    assert (report.reason.code if report.reason else None) == reason
    assert report.receipt == receipt


async def test_tf_with_only_a_result_code_gives_that_reason(
    client: AirtelClient, airtel: respx.MockRouter
) -> None:
    """When `response_code` is absent, `result_code` explains (§1.5)."""
    body = envelope(None, "ESB000033", code="200", transaction={"status": "TF"})
    airtel.get(path__regex=STATUS_PATH).respond(200, json=body)
    report = await client.status(tid())
    assert report.status == RemoteStatus.FAILED
    assert report.reason is not None and report.reason.code == "ESB000033"


@pytest.mark.parametrize("http", [200, 404])
@pytest.mark.parametrize(
    "body",
    [
        envelope("DP00800001025", code="404", message="Transaction Not Found."),
        envelope(None, "ESB000045", code="404", message="No Transaction Found"),
        envelope("DP00800001025", "ESB000045", code=404, message="No Transaction Found"),
    ],
)
async def test_an_unknown_id_is_not_found(
    client: AirtelClient, airtel: respx.MockRouter, http: int, body: dict[str, Any]
) -> None:
    route = airtel.get(path__regex=STATUS_PATH).respond(http, json=body)
    report = await client.status(tid())
    assert report.status == RemoteStatus.NOT_FOUND
    assert route.call_count == 1


@pytest.mark.parametrize(
    "body",
    [
        envelope(None, "ESB000014", code="500", message="Error fetching transaction status"),
        envelope("DP00800001006", "ESB000010", success=True, code="200"),  # no transaction
        {"data": {"transaction": "TS"}},
    ],
)
async def test_an_enquiry_that_says_nothing_is_asked_again(
    client: AirtelClient, airtel: respx.MockRouter, body: dict[str, Any]
) -> None:
    airtel.get(path__regex=STATUS_PATH).respond(200, json=body)
    with pytest.raises(UnclearAnswer):
        await client.status(tid())


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (httpx.Response(200, text="<html>hello</html>"), MalformedResponse),
        (httpx.Response(200, json=["TS"]), MalformedResponse),
        (httpx.Response(200, content=b"\xff\xfe"), MalformedResponse),
        (httpx.Response(503, text=MAINTENANCE_PAGE), ProviderUnavailable),
        (httpx.Response(500, json=envelope(None, "ESB000014", code=500)), ProviderUnavailable),
        (httpx.Response(401, json={"error": "invalid_request"}), ConfigurationProblem),
        (httpx.Response(400, json={"status_code": "ROUTER110"}), ConfigurationProblem),
        (httpx.Response(418, json={"status": "teapot", "error": 7}), UnclearAnswer),
        (httpx.Response(400, json={"status": {"code": 400, "result_code": 8}}), UnclearAnswer),
        (httpx.Response(200, json=envelope(None, "ROUTER006", code=400)), ConfigurationProblem),
    ],
)
async def test_any_enquiry_answer_is_read_without_crashing(
    client: AirtelClient,
    airtel: respx.MockRouter,
    answer: httpx.Response,
    error: type[ProviderError],
) -> None:
    airtel.get(path__regex=STATUS_PATH).mock(return_value=answer)
    with pytest.raises(error):
        await client.status(tid())


# -- refund (§4.1) ----------------------------------------------------------------------------


async def test_refund_sends_the_airtel_money_id_and_reads_the_refund_id(
    client: AirtelClient, airtel: respx.MockRouter
) -> None:
    route = airtel.post(REFUND_PATH).respond(200, json=REFUND_OK)
    result = await client.refund("CI210104.1105.C00018")
    assert sent(route.calls.last.request) == {
        "transaction": {"airtel_money_id": "CI210104.1105.C00018"}
    }
    assert result.provider_request_id == "CI210104.1549.C00029"
    assert not result.already_existed


@pytest.mark.parametrize(
    "body",
    [
        # [DOC-UG]: Airtel's own sample says success: false beside a successful refund.
        {**REFUND_OK, "status": {**REFUND_OK["status"], "success": False}},
        # [LAR] and [DOC-ZM]: "Success." and the in-process code.
        envelope(
            "DP00800001006",
            "ESB000010",
            success=True,
            code="200",
            message="Success.",
            transaction={"airtel_money_id": "133410367531", "status": "Success."},
        ),
    ],
)
async def test_refund_success_variants_are_a_refund(
    client: AirtelClient, airtel: respx.MockRouter, body: dict[str, Any]
) -> None:
    airtel.post(REFUND_PATH).respond(200, json=body)
    result = await client.refund("CI210104.1105.C00018")
    assert result.provider_request_id is not None


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("timed out"),
        httpx.ReadError("connection reset"),
        httpx.Response(408, json=IO_EXCEPTION),
        httpx.Response(500),
        httpx.Response(504),
    ],
    ids=["read-timeout", "reset", "408", "500", "504"],
)
async def test_a_refund_that_may_have_arrived_is_never_sent_again(
    client: AirtelClient, airtel: respx.MockRouter, failure: httpx.Response | Exception
) -> None:
    route = airtel.post(REFUND_PATH).mock(
        side_effect=[failure, httpx.Response(200, json=REFUND_OK)]
    )
    with pytest.raises(ProviderUnavailable) as info:
        await client.refund("CI210104.1105.C00018")
    assert info.value.delivered is None
    assert route.call_count == 1


async def test_a_refund_that_certainly_did_not_leave_is_sent_again(
    client: AirtelClient, airtel: respx.MockRouter
) -> None:
    route = airtel.post(REFUND_PATH).mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json=REFUND_OK)]
    )
    assert (await client.refund("CI210104.1105.C00018")).provider_request_id
    assert route.call_count == 2


async def test_a_refused_refund_is_rejected_with_its_reason(
    client: AirtelClient, airtel: respx.MockRouter
) -> None:
    airtel.post(REFUND_PATH).respond(
        200, json=envelope("DP00800001008", "ESB000011", message="Refused")
    )
    with pytest.raises(RequestRejected) as info:
        await client.refund("CI210104.1105.C00018")
    assert info.value.reason is not None and info.value.reason.code == "DP00800001008"


# -- KYC (§4.2) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "holder"),
    [
        (KYC, AccountHolder(active=True, name="Dealer Test1")),
        ({**KYC, "data": {**KYC["data"], "is_barred": True}}, AccountHolder(active=False)),
        (
            envelope("DP02200000000", "ESB000011", code="400", message="Subscriber not found"),
            AccountHolder(active=False),
        ),
        (
            {
                "data": {
                    "is_barred": False,
                    "grade": "MCOM",
                    "last_name": "JOHN",
                    "registration": {"status": "MCOM"},
                    "msisdn": "700123123",
                    "first_name": "DOE",
                    "is_pin_set": True,
                },
                "status": {
                    "response_code": "DP02200000001",
                    "code": "200",
                    "success": True,
                    "result_code": "ESB000010",
                    "message": "SUCCESS",
                },
            },
            AccountHolder(active=True, name="DOE JOHN"),
        ),
    ],
    ids=["registered", "barred", "unregistered", "lar"],
)
async def test_kyc_reads_the_name_barred_and_unregistered(
    client: AirtelClient, airtel: respx.MockRouter, body: dict[str, Any], holder: AccountHolder
) -> None:
    route = airtel.get("/standard/v1/users/700123123").respond(200, json=body)
    got = await AirtelProvider(client, 9).account_holder("256700123123")  # the national number
    assert (got.active, got.name if holder.active else None) == (holder.active, holder.name)
    assert route.call_count == 1


# -- message signing (§7; checklist 21) -------------------------------------------------------


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    # 1024 bits: the size of Airtel's keys ("MIGf...", §7.2).
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505


def key_body(private: rsa.RSAPrivateKey, valid_upto: float, *, top_level: bool = False) -> Any:
    der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    data = {
        "key_id": 100,
        "key": base64.b64encode(der).decode(),
        "valid_upto": datetime.fromtimestamp(valid_upto, UTC).strftime("%d-%m-%Y %H:%M:%S"),
    }
    status = {
        "code": "200",
        "message": "Success",
        "response_code": "DP02010001001",
        "result_code": "ESB000010",
        "success": True,
    }
    return {**data, "status": status} if top_level else {"data": data, "status": status}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The wall clock the key's `valid_upto` is compared with."""
    now = [NOW]
    fake = SimpleNamespace(time=lambda: now[0])
    monkeypatch.setattr(client_module, "time", fake)
    monkeypatch.setattr(signing_module, "time", fake)
    return now


def unsign(private: rsa.RSAPrivateKey, request: httpx.Request, oaep: bool) -> bytes:
    """What Airtel does with x-key and x-signature: the AES pair, then the encrypted body."""
    wrap = (
        padding.OAEP(padding.MGF1(hashes.SHA1()), hashes.SHA1(), None)  # noqa: S303
        if oaep
        else padding.PKCS1v15()
    )
    pair = private.decrypt(base64.b64decode(request.headers["x-key"]), wrap).decode()
    b64key, b64iv = pair.split(":")
    key, iv = base64.b64decode(b64key), base64.b64decode(b64iv)
    assert (len(key), len(iv)) == (32, 16)  # AES-256, a 128-bit IV
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(base64.b64decode(request.headers["x-signature"]))
    padded += decryptor.finalize()
    unpadder = sym_padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


@pytest.mark.parametrize("oaep", [False, True], ids=["pkcs1", "oaep"])
async def test_a_signed_push_encrypts_exactly_the_bytes_it_sends(
    airtel: respx.MockRouter, rsa_key: rsa.RSAPrivateKey, clock: list[float], oaep: bool
) -> None:
    keys = airtel.get(KEY_PATH).respond(200, json=key_body(rsa_key, NOW + 30 * 86400))
    route = airtel.post(SIGNED_PUSH_PATH).respond(200, json=ACCEPTED)
    c = make_client(Signing(oaep=oaep))
    transaction_id = tid()
    assert await push(c, transaction_id) == Submission()
    request = route.calls.last.request
    assert request.headers["Content-Type"] == "application/json"
    assert unsign(rsa_key, request, oaep) == request.content
    assert sent(request)["transaction"]["id"] == transaction_id
    key_request = keys.calls.last.request
    assert key_request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert (key_request.headers["X-Country"], key_request.headers["X-Currency"]) == ("UG", "UGX")
    await c.aclose()


async def test_a_signed_refund_goes_to_v2_signed(
    airtel: respx.MockRouter, rsa_key: rsa.RSAPrivateKey, clock: list[float]
) -> None:
    airtel.get(KEY_PATH).respond(200, json=key_body(rsa_key, NOW + 86400, top_level=True))
    route = airtel.post("/standard/v2/payments/refund").respond(200, json=REFUND_OK)
    c = make_client(Signing())
    await c.refund("CI210104.1105.C00018")
    request = route.calls.last.request
    assert unsign(rsa_key, request, False) == request.content
    await c.aclose()


@pytest.mark.parametrize(
    "lifetime",
    [30 * 86400.0, 2 * 86400.0, 6 * 3600.0, 2 * 3600.0, 1800.0],
    ids=["30d", "2d", "6h", "2h", "30min"],
)
async def test_the_key_is_fetched_once_and_again_after_valid_upto(
    airtel: respx.MockRouter, rsa_key: rsa.RSAPrivateKey, clock: list[float], lifetime: float
) -> None:
    keys = airtel.get(KEY_PATH).respond(200, json=key_body(rsa_key, NOW + lifetime))
    route = airtel.post(SIGNED_PUSH_PATH).respond(200, json=ACCEPTED)
    airtel.get(path__regex=STATUS_PATH).respond(200, json=enquiry("TIP"))
    c = make_client(Signing())
    for _ in range(3):
        await push(c)  # cached, however little time it has left
        await c.status(tid())  # an enquiry is not signed
    assert keys.call_count == 1
    clock[0] = NOW + lifetime + 1  # valid_upto has passed
    keys.respond(200, json=key_body(rsa_key, clock[0] + lifetime))
    await push(c)
    assert keys.call_count == 2
    assert route.call_count == 4
    await c.aclose()


@pytest.mark.parametrize("zone", [1, 2, 3, 4], ids=["WAT", "CAT-Lusaka", "EAT", "Seychelles"])
async def test_a_key_is_never_used_past_valid_upto_in_airtels_local_time(
    airtel: respx.MockRouter, rsa_key: rsa.RSAPrivateKey, clock: list[float], zone: int
) -> None:
    """`valid_upto` names no zone (§7.2): written in Lusaka time (UTC+2), a key valid for six
    hours says eight hours in UTC. A key used past its expiry is refused (DP00800001026)."""
    local = NOW + 6 * 3600 + zone * 3600  # the wall clock of the country, written as UTC
    keys = airtel.get(KEY_PATH).respond(200, json=key_body(rsa_key, local))
    airtel.post(SIGNED_PUSH_PATH).respond(200, json=ACCEPTED)
    c = make_client(Signing())
    await push(c)
    clock[0] = NOW + 6 * 3600 - 1  # a second before it really expires
    await push(c)
    assert keys.call_count == 2  # renewed before, never after
    await c.aclose()


@pytest.mark.parametrize("valid_upto", [None, "2024-08-12T21:29:26Z", 1723498166])
async def test_a_key_with_an_unreadable_expiry_is_kept_an_hour(
    airtel: respx.MockRouter,
    rsa_key: rsa.RSAPrivateKey,
    clock: list[float],
    valid_upto: object,
) -> None:
    body = key_body(rsa_key, NOW)
    body["data"]["valid_upto"] = valid_upto
    keys = airtel.get(KEY_PATH).respond(200, json=body)
    airtel.post(SIGNED_PUSH_PATH).respond(200, json=ACCEPTED)
    c = make_client(Signing())
    await push(c)
    clock[0] = NOW + 3599
    await push(c)
    assert keys.call_count == 1
    clock[0] = NOW + 3601
    await push(c)
    assert keys.call_count == 2
    await c.aclose()


async def test_a_refused_signature_is_configuration_and_the_key_fetched_again(
    airtel: respx.MockRouter, rsa_key: rsa.RSAPrivateKey, clock: list[float]
) -> None:
    keys = airtel.get(KEY_PATH).respond(200, json=key_body(rsa_key, NOW + 30 * 86400))
    forbidden = envelope(
        "DP00800001026", code="401", message="Forbidden: X-signature and payload did not match."
    )
    route = airtel.post(SIGNED_PUSH_PATH).mock(
        side_effect=[
            httpx.Response(200, json=forbidden),
            httpx.Response(403, json=forbidden),
            httpx.Response(200, json=ACCEPTED),
        ]
    )
    c = make_client(Signing())
    for _ in range(2):
        with pytest.raises(ConfigurationProblem, match="signing"):
            await push(c)
    assert route.call_count == 2  # a person must act: not sent again
    assert await push(c) == Submission()
    assert keys.call_count == 3  # forgotten after each refusal
    await c.aclose()


@pytest.mark.parametrize(
    "body",
    [
        # [PM]'s sample, whose key is masked: not a key to sign with.
        {
            "data": {"key_id": 100, "key": "MIG********AB", "valid_upto": "12-08-2024 21:29:26"},
            "status": {"code": "200", "response_code": "DP02010001001", "success": True},
        },
        envelope("DP02010001000", "ESB000011", code="500", message="Error fetching key"),
    ],
)
async def test_an_unusable_key_stops_the_push_before_it_leaves(
    airtel: respx.MockRouter, clock: list[float], body: dict[str, Any]
) -> None:
    airtel.get(KEY_PATH).respond(200, json=body)
    route = airtel.post(SIGNED_PUSH_PATH).respond(200, json=ACCEPTED)
    c = make_client(Signing())
    with pytest.raises(ProviderUnavailable) as raised:
        await push(c)
    assert raised.value.delivered is False  # the push never left: safe to send again
    assert route.call_count == 0
    await c.aclose()


# -- the rate-limit headers (§10.1) -----------------------------------------------------------


async def test_the_minutes_remaining_requests_are_read_from_every_answer(
    client: AirtelClient, airtel: respx.MockRouter
) -> None:
    assert client.remaining_this_minute is None
    airtel.post(PUSH_PATH).mock(
        side_effect=[
            httpx.Response(200, json=TRXID_EXISTS, headers=RATE_HEADERS),
            httpx.Response(200, json=ACCEPTED, headers={"x-ratelimit-remaining-minute": "x"}),
        ]
    )
    airtel.get(path__regex=STATUS_PATH).respond(
        200, json=enquiry("TIP"), headers={"X-RateLimit-Remaining-Minute": " 2 "}
    )
    await push(client)
    assert client.remaining_this_minute == 7
    await push(client)
    assert client.remaining_this_minute == 7  # unreadable: the last known value stays
    await client.status(tid())
    assert client.remaining_this_minute == 2


async def test_questions_wait_their_share_when_the_minute_is_nearly_spent(
    airtel: respx.MockRouter,
) -> None:
    sleeps = Sleeps()
    c = make_client(sleep=sleeps)
    left = iter(["5", "2", "0", "9"])
    airtel.get(path__regex=STATUS_PATH).mock(
        side_effect=lambda request: httpx.Response(
            200,
            json=enquiry("TIP"),
            headers={"x-ratelimit-limit-minute": "10", "x-ratelimit-remaining-minute": next(left)},
        )
    )
    await c.status(tid())  # nothing said yet: asked at once
    await c.status(tid())  # 5 left: at once
    assert sleeps.delays == []
    await c.status(tid())  # 2 left: a tenth of the minute (the last ones kept for pushes)
    assert sleeps.delays == [6.0]
    await c.status(tid())  # none left: its share again (a 429 would then be waited out)
    assert sleeps.delays == [6.0, 6.0]
    airtel.post(PUSH_PATH).respond(200, json=ACCEPTED)
    await push(c)  # a push never waits: the customer is at the counter
    assert len(sleeps.delays) == 2
    await c.aclose()


# -- secrets (checklist 20) -------------------------------------------------------------------


async def test_no_secret_in_logs_errors_or_reprs(
    airtel: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    c = make_client()
    airtel.routes["token"].side_effect = [
        httpx.Response(200, json=TOKEN_BODY),
        httpx.Response(200, json={**TOKEN_BODY, "access_token": TOKEN_2}),
        httpx.Response(400, json=INVALID_CLIENT),
    ]
    airtel.post(PUSH_PATH).mock(
        side_effect=[
            httpx.Response(401, json=INVALID_TOKEN),
            httpx.Response(503, text=MAINTENANCE_PAGE),
            httpx.Response(200, json=ACCEPTED),
            httpx.Response(403, text=IMPERVA_PAGE),
        ]
    )
    airtel.get(path__regex=STATUS_PATH).respond(500, text="boom")
    await push(c)
    texts = [repr(c), str(c), repr(c._credentials), str(c._credentials), repr(c.tokens)]
    errors: list[BaseException] = []
    for attempt in (lambda: push(c), lambda: c.status(tid())):
        with pytest.raises(ProviderError) as info:
            await attempt()
        errors.append(info.value)
    c.tokens.invalidate(Secret(TOKEN_2))
    with pytest.raises(ConfigurationProblem) as config:
        await c.status(tid())
    errors.append(config.value)
    texts += [text for error in errors for text in (str(error), repr(error))]
    texts += [caplog.text, *(record.getMessage() for record in caplog.records)]
    texts += [repr(record.args) for record in caplog.records]
    await c.aclose()
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


# -- refused settings after an attempt that may have arrived (money safety) -------------------


@pytest.mark.parametrize(
    "second",
    [
        httpx.Response(403, text="<html>Access denied</html>"),  # a firewall, the allow-list
        httpx.Response(200, json=envelope("DP00800001026", None, code="401", success=False)),
    ],
)
async def test_settings_refused_after_a_lost_answer_are_asked_about_not_failed(
    client: AirtelClient, airtel: respx.MockRouter, second: httpx.Response
) -> None:
    # The first push may have reached Airtel (its answer was lost): the customer may pay it,
    # so a refusal of the resend must not make the sale "failed" (it is asked about).
    route = airtel.post(PUSH_PATH).mock(side_effect=[httpx.ReadTimeout("lost"), second])
    with pytest.raises(ProviderUnavailable) as raised:
        await push(client)
    assert not isinstance(raised.value, ConfigurationProblem)
    assert raised.value.delivered is None and route.call_count == 2


async def test_a_refused_proxy_password_is_the_owners_to_fix_and_frees_the_breaker(
    client: AirtelClient, airtel: respx.MockRouter
) -> None:
    route = airtel.post(PUSH_PATH).mock(
        side_effect=httpx.ProxyError("407 Proxy Authentication Required")
    )
    with pytest.raises(ConfigurationProblem, match="proxy refused the way to Airtel"):
        await push(client)
    assert route.call_count == 1 and client.breaker.allow()


async def test_a_proxy_that_cannot_reach_airtel_is_a_network_failure(
    client: AirtelClient, airtel: respx.MockRouter
) -> None:
    # 502 from the proxy: it never reached Airtel, so sending again is safe, and it is not
    # the owner's settings.
    route = airtel.post(PUSH_PATH).mock(
        side_effect=[httpx.ProxyError("502 Bad Gateway"), httpx.Response(200, json=ACCEPTED)]
    )
    assert await push(client) == Submission()
    assert route.call_count == 2
