"""Every request the Daraja client sends, pinned, and every response path."""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment
from pos_app.platform.secret import Secret
from pos_app.providers import registry
from pos_app.providers.base import (
    ConfigurationProblem,
    MalformedResponse,
    ProviderUnavailable,
    RemoteStatus,
    RequestRejected,
)
from pos_app.providers.mpesa import rules
from pos_app.providers.mpesa.client import Initiator, MpesaClient, MpesaCredentials, StkSettings
from pos_app.providers.mpesa.provider import MpesaProvider
from pos_app.providers.mpesa.security import security_credential
from pos_app.providers.resilience import RetryPolicy

BASE = "https://sandbox.safaricom.co.ke"
PASSKEY = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"
KEY, SECRET = "consumer-KEY-1111", "consumer-SECRET-2222"
TOKEN = "daraja-TOKEN-3333"
FIXED = datetime(2024, 6, 7, 9, 30, 45, tzinfo=UTC)  # 12:30:45 in Nairobi
FIXED_PASSWORD = (
    "MTc0Mzc5YmZiMjc5ZjlhYTliZGJjZjE1OGU5N2RkNzFhNDY3Y2QyZTBjODkzMDU5YjEwZjc4ZTZi"
    "NzJhZGExZWQyYzkxOTIwMjQwNjA3MTIzMDQ1"
)  # the reference's test vector
CALLBACK = "https://shop.example/daraja/cb"
ACCEPTED = {
    "MerchantRequestID": "29115-34620561-1",
    "CheckoutRequestID": "ws_CO_191220191020363925",
    "ResponseCode": "0",
    "ResponseDescription": "Success. Request accepted for processing",
    "CustomerMessage": "Success. Request accepted for processing",
}
PUSH = "/mpesa/stkpush/v1/processrequest"
QUERY = "/mpesa/stkpushquery/v1/query"


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def make(stk: StkSettings | None = None, **kwargs: Any) -> MpesaClient:
    options: dict[str, Any] = {
        "sleep": Sleeps(),
        "retry": RetryPolicy(attempts=3),
        "clock": lambda: FIXED,
    }
    options.update(kwargs)
    return MpesaClient(
        base_url=BASE,
        credentials=MpesaCredentials(Secret(KEY), Secret(SECRET), Secret(PASSKEY)),
        stk=stk or StkSettings("174379", callback_url=CALLBACK),
        **options,
    )


@pytest.fixture
async def client() -> AsyncIterator[MpesaClient]:
    c = make()
    yield c
    await c.aclose()


@pytest.fixture
def daraja() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.get("/oauth/v1/generate", name="token").respond(
            200, json={"access_token": TOKEN, "expires_in": "3599"}
        )
        yield router


def push_body(
    client: MpesaClient, amount: int = 100, msisdn: str = "254708374149"
) -> dict[str, Any]:
    return client.stk_push_body(
        amount=amount, msisdn=msisdn, account_reference="SALE12", description="Groceries"
    )


def sent(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


# -- requests, pinned -------------------------------------------------------------------------


async def test_token_request(client: MpesaClient, daraja: respx.MockRouter) -> None:
    assert (await client.tokens.get()).reveal() == TOKEN
    request = daraja.routes["token"].calls.last.request
    assert request.method == "GET"
    assert str(request.url) == f"{BASE}/oauth/v1/generate?grant_type=client_credentials"
    assert (
        request.headers["Authorization"]
        == "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    )
    assert request.content == b""


async def test_stk_push_request_exactly(client: MpesaClient, daraja: respx.MockRouter) -> None:
    route = daraja.post(PUSH).respond(200, json=ACCEPTED)
    result = await client.stk_push(push_body(client))
    assert result.provider_request_id == "ws_CO_191220191020363925"
    assert result.detail["MerchantRequestID"] == "29115-34620561-1"
    request = route.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    assert sent(route) == {
        "BusinessShortCode": "174379",
        "Password": FIXED_PASSWORD,
        "Timestamp": "20240607123045",
        "TransactionType": "CustomerPayBillOnline",
        "Amount": 100,
        "PartyA": "254708374149",
        "PartyB": "174379",
        "PhoneNumber": "254708374149",
        "CallBackURL": CALLBACK,
        "AccountReference": "SALE12",
        "TransactionDesc": "Groceries",
    }


async def test_buy_goods_sends_the_till_as_party_b(daraja: respx.MockRouter) -> None:
    route = daraja.post(PUSH).respond(200, json=ACCEPTED)
    c = make(StkSettings("174379", rules.BUY_GOODS, party_b="600000", callback_url=CALLBACK))
    await c.stk_push(push_body(c))
    await c.aclose()
    assert sent(route)["TransactionType"] == "CustomerBuyGoodsOnline"
    assert (sent(route)["BusinessShortCode"], sent(route)["PartyB"]) == ("174379", "600000")
    with pytest.raises(ConfigurationProblem, match="till number"):
        make(StkSettings("174379", rules.BUY_GOODS, callback_url=CALLBACK)).stk_push_body(
            amount=1, msisdn="254708374149", account_reference="A", description="B"
        )


async def test_stk_query_request_exactly(client: MpesaClient, daraja: respx.MockRouter) -> None:
    route = daraja.post(QUERY).respond(
        200,
        json={
            "ResponseCode": "0",
            "ResultCode": "0",
            "ResultDesc": "The service request is processed successfully.",
        },
    )
    report = await client.stk_query("ws_CO_191220191020363925")
    assert report.status == RemoteStatus.SUCCESSFUL
    assert report.receipt is None  # STK Query never carries the M-Pesa code
    assert sent(route) == {
        "BusinessShortCode": "174379",
        "Password": FIXED_PASSWORD,
        "Timestamp": "20240607123045",
        "CheckoutRequestID": "ws_CO_191220191020363925",
    }


def test_timestamp_is_kenyan_time_whatever_the_computers_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for zone in ("America/New_York", "Pacific/Kiritimati", "UTC"):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        c = make(clock=lambda: datetime.now(UTC))
        body = push_body(c)
        nairobi_now = datetime.now(UTC) + timedelta(hours=3)
        stamp = datetime.strptime(body["Timestamp"], "%Y%m%d%H%M%S")
        assert abs((stamp - nairobi_now.replace(tzinfo=None)).total_seconds()) < 5, zone
        assert body["Password"] == rules.password("174379", PASSKEY, body["Timestamp"])
        local = datetime.now().astimezone()  # the local zone differs on purpose
        if local.utcoffset() != timedelta(hours=3):
            assert body["Timestamp"] != local.strftime("%Y%m%d%H%M%S")
    monkeypatch.delenv("TZ")
    time.tzset()
    assert os.environ.get("TZ") is None


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Money(1050, "KES"), "whole KES only"),
        (Money(1, "KES"), "whole KES only"),
        (Money(25_000_100, "KES"), "1 to 250,000"),
        (Money(100, "UGX"), "KES"),
    ],
)
def test_amounts_are_refused_before_sending(amount: Money, message: str) -> None:
    with pytest.raises(RequestRejected, match=message):
        rules.whole_shillings(amount)


def test_amount_limits() -> None:
    assert rules.whole_shillings(Money(100, "KES")) == 1
    assert rules.whole_shillings(Money(25_000_000, "KES")) == 250_000


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "needs"),
        ("http://shop.example/cb", "https"),
        ("https://shop.example/mpesa/cb", "mpesa"),
        ("https://localhost/cb", "public"),
        (" https://shop.example/cb", "https"),
        ("https://shop.example/a b", "https"),
    ],
)
def test_callback_url_must_be_acceptable_to_daraja(url: str, message: str) -> None:
    c = make(StkSettings("174379", callback_url=url))
    with pytest.raises(ConfigurationProblem, match=message):
        push_body(c)


def test_field_limits() -> None:
    assert rules.account_reference("Order #12345-ABCDEF", "x") == "Order12345AB"
    assert rules.account_reference(None, "3f1b8c1e-5d8a-4c4e") == "3f1b8c1e5d8a"
    assert rules.transaction_desc("Groceries and more") == "Groceries and"
    assert rules.transaction_desc("") == "Payment"
    with pytest.raises(RequestRejected, match="Safaricom"):
        rules.msisdn("255712345678")
    assert rules.msisdn("254110123456") == "254110123456"


def mpesa_code(text: str) -> str:
    """The code typed from the customer's SMS, as M-Pesa's spec reads it."""
    spec = registry.spec("mpesa")
    assert spec is not None and spec.receipt_code is not None
    return spec.receipt_code.parse(text)


@pytest.mark.parametrize("code", ["NLJ7RT61SV", "nlj7rt61sv", " QK12AB34CD "])
def test_receipt_codes_from_sms(code: str) -> None:
    assert mpesa_code(code) == code.strip().upper()


@pytest.mark.parametrize("code", ["NLJ7RT61S", "NLJ7RT61SVX", "1234567890", "NLJ7-T61SV", ""])
def test_bad_receipt_codes(code: str) -> None:
    with pytest.raises(ValidationError, match="M-Pesa code"):
        mpesa_code(code)


# -- push responses -----------------------------------------------------------------------------


async def test_invalid_token_refreshes_once(client: MpesaClient, daraja: respx.MockRouter) -> None:
    route = daraja.post(PUSH).mock(
        side_effect=[
            httpx.Response(
                404,
                json={
                    "requestId": "1",
                    "errorCode": "404.001.03",
                    "errorMessage": "Invalid Access Token",
                },
            ),
            httpx.Response(200, json=ACCEPTED),
        ]
    )
    await client.stk_push(push_body(client))
    assert route.call_count == 2 and daraja.routes["token"].call_count == 2


async def test_invalid_token_twice_is_configuration(
    client: MpesaClient, daraja: respx.MockRouter
) -> None:
    daraja.post(PUSH).respond(
        404, json={"errorCode": "404.001.03", "errorMessage": "Invalid Access Token"}
    )
    with pytest.raises(ConfigurationProblem, match="M-Pesa Express product"):
        await client.stk_push(push_body(client))


@pytest.mark.parametrize(
    ("status", "body", "error", "match"),
    [
        (
            500,
            {"errorCode": "500.001.1001", "errorMessage": "[MerchantValidate] - Wrong credentials"},
            ConfigurationProblem,
            "Wrong credentials",
        ),
        (
            500,
            {"errorCode": "500.001.1001", "errorMessage": "Merchant does not exist"},
            ConfigurationProblem,
            "Merchant",
        ),
        (
            400,
            {"errorCode": "400.002.02", "errorMessage": "Bad Request - Invalid CallBackURL"},
            ConfigurationProblem,
            "CallBackURL",
        ),
        (
            400,
            {"errorCode": "400.002.02", "errorMessage": "Bad Request - Invalid PhoneNumber"},
            RequestRejected,
            "PhoneNumber",
        ),
        (
            400,
            {"errorCode": "400.002.02", "errorMessage": "Bad Request - Invalid Amount"},
            RequestRejected,
            "Amount",
        ),
        (
            500,
            {
                "errorCode": "500.001.1001",
                "errorMessage": "Unable to lock subscriber, a transaction "
                "is already in process for the current subscriber",
            },
            RequestRejected,
            "lock",
        ),
        (
            200,
            {"ResponseCode": "1", "ResponseDescription": "Rejected"},
            RequestRejected,
            "Rejected",
        ),
        (200, {"ResponseCode": "0"}, MalformedResponse, "CheckoutRequestID"),
        (200, "<html>", MalformedResponse, "not JSON"),
    ],
)
async def test_push_refusals(
    client: MpesaClient,
    daraja: respx.MockRouter,
    status: int,
    body: Any,
    error: type[Exception],
    match: str,
) -> None:
    answer = (
        httpx.Response(status, text=body)
        if isinstance(body, str)
        else httpx.Response(status, json=body)
    )
    route = daraja.post(PUSH).mock(return_value=answer)
    with pytest.raises(error, match=match):
        await client.stk_push(push_body(client))
    assert route.call_count == 1


async def test_lock_carries_the_catalog_reason(
    client: MpesaClient, daraja: respx.MockRouter
) -> None:
    daraja.post(PUSH).respond(
        500, json={"errorCode": "500.001.1001", "errorMessage": "Unable to lock subscriber"}
    )
    with pytest.raises(RequestRejected) as info:
        await client.stk_push(push_body(client))
    assert info.value.reason is not None and info.value.reason.code == "1001"


@pytest.mark.parametrize(
    "limited",
    [
        httpx.Response(
            500,
            json={
                "errorCode": "500.003.02",
                "errorMessage": "Error Occurred: Spike Arrest Violation",
            },
        ),
        httpx.Response(500, json={"errorCode": "500.003.03", "errorMessage": "Quota Violation"}),
        httpx.Response(429, headers={"Retry-After": "2"}),
    ],
)
async def test_rate_limited_push_was_not_processed_and_is_retried(
    client: MpesaClient, daraja: respx.MockRouter, limited: httpx.Response
) -> None:
    route = daraja.post(PUSH).mock(side_effect=[limited, httpx.Response(200, json=ACCEPTED)])
    await client.stk_push(push_body(client))
    assert route.call_count == 2


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("lost"),
        httpx.RemoteProtocolError("dropped"),
        httpx.Response(
            500, json={"errorCode": "500.003.1001", "errorMessage": "Internal Server Error"}
        ),
        httpx.Response(503, text="Service Unavailable"),
    ],
)
async def test_push_that_may_have_arrived_is_never_sent_again(
    client: MpesaClient, daraja: respx.MockRouter, failure: Any
) -> None:
    route = daraja.post(PUSH).mock(side_effect=[failure, httpx.Response(200, json=ACCEPTED)])
    with pytest.raises(ProviderUnavailable, match="not sent again") as info:
        await client.stk_push(push_body(client))
    assert route.call_count == 1
    assert info.value.delivered is None  # the payment becomes unknown


async def test_push_that_never_connected_is_retried(
    client: MpesaClient, daraja: respx.MockRouter
) -> None:
    route = daraja.post(PUSH).mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json=ACCEPTED)]
    )
    await client.stk_push(push_body(client))
    assert route.call_count == 2


# -- query responses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "expected", "reason"),
    [
        (
            500,
            {
                "requestId": "ws_CO_1",
                "errorCode": "500.001.1001",
                "errorMessage": "The transaction is being processed",
            },
            RemoteStatus.PENDING,
            None,
        ),
        (
            200,
            {
                "ResponseCode": "0",
                "ResultCode": "4999",
                "ResultDesc": "The transaction is still under processing",
            },
            RemoteStatus.PENDING,
            None,
        ),
        (200, {"ResponseCode": "0"}, RemoteStatus.PENDING, None),
        (200, {"ResultCode": 0}, RemoteStatus.SUCCESSFUL, None),
        (
            200,
            {"ResultCode": "1032", "ResultDesc": "Request cancelled by user."},
            RemoteStatus.FAILED,
            "1032",
        ),
        (200, {"ResultCode": 1}, RemoteStatus.FAILED, "1"),
        (200, {"ResultCode": "17"}, RemoteStatus.FAILED, "17"),
        (200, {"ResultCode": "SFC_IC0003"}, RemoteStatus.FAILED, "SFC_IC0003"),
        (200, {"ResultCode": "77777"}, RemoteStatus.FAILED, "77777"),
        (
            500,
            {"errorCode": "500.001.1001", "errorMessage": "The transaction does not exist"},
            RemoteStatus.NOT_FOUND,
            None,
        ),
    ],
)
async def test_query_answers(
    client: MpesaClient,
    daraja: respx.MockRouter,
    status: int,
    body: dict[str, Any],
    expected: RemoteStatus,
    reason: str | None,
) -> None:
    daraja.post(QUERY).respond(status, json=body)
    report = await client.stk_query("ws_CO_1")
    assert report.status == expected
    assert (report.reason.code if report.reason else None) == reason


async def test_query_rate_limits_slow_down_then_give_up_without_failing(
    daraja: respx.MockRouter,
) -> None:
    sleeps = Sleeps()
    c = make(sleep=sleeps)
    route = daraja.post(QUERY).respond(
        500,
        json={"errorCode": "500.003.02", "errorMessage": "Spike Arrest Violation"},
        headers={"Retry-After": "4"},
    )
    with pytest.raises(ProviderUnavailable) as info:
        await c.stk_query("ws_CO_1")
    await c.aclose()
    assert route.call_count == 3
    assert len(sleeps.delays) == 2 and min(sleeps.delays) >= 4  # waited as asked, between tries
    assert "did not answer properly" in str(info.value)  # a pause, not a failed payment


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="not json"),
        httpx.Response(200, json=[1]),
        httpx.Response(200, json={"ResultCode": {"x": 1}}),
        httpx.Response(
            500, json={"errorCode": "500.001.1001", "errorMessage": "Wrong credentials"}
        ),
    ],
)
async def test_query_oddities_are_clear_errors(
    client: MpesaClient, daraja: respx.MockRouter, answer: httpx.Response
) -> None:
    daraja.post(QUERY).mock(return_value=answer)
    with pytest.raises((MalformedResponse, ConfigurationProblem)):
        await client.stk_query("ws_CO_1")


async def test_token_answers(daraja: respx.MockRouter) -> None:
    daraja.routes["token"].respond(400)  # wrong key or secret: empty body
    c = make()
    with pytest.raises(ConfigurationProblem, match="consumer key"):
        await c.tokens.get()
    daraja.routes["token"].respond(200, json={"access_token": "t", "expires_in": "soon"})
    with pytest.raises(MalformedResponse):
        await c.tokens.get()
    await c.aclose()


# -- initiator APIs -----------------------------------------------------------------------------


def certificate() -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(FIXED)
        .not_valid_after(FIXED + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM)


def test_security_credential_decrypts_to_the_password() -> None:
    key, pem = certificate()
    credential = security_credential(Secret("Safaricom999!*!"), pem)
    assert (
        key.decrypt(base64.b64decode(credential.reveal()), padding.PKCS1v15()) == b"Safaricom999!*!"
    )
    der = x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    assert (
        key.decrypt(
            base64.b64decode(security_credential(Secret("p"), der).reveal()), padding.PKCS1v15()
        )
        == b"p"
    )
    with pytest.raises(ConfigurationProblem, match=r"X\.509"):
        security_credential(
            Secret("p"), b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----"
        )


async def test_transaction_status_and_reversal_bodies(
    client: MpesaClient, daraja: respx.MockRouter
) -> None:
    accepted = {
        "OriginatorConversationID": "1-1",
        "ConversationID": "AG_1",
        "ResponseCode": "0",
        "ResponseDescription": "Accept the service request successfully.",
    }
    status_route = daraja.post("/mpesa/transactionstatus/v1/query").respond(200, json=accepted)
    reversal_route = daraja.post("/mpesa/reversal/v1/request").respond(200, json=accepted)
    initiator = Initiator(
        "testapi",
        Secret("ENCRYPTED=="),
        "https://shop.example/result",
        "https://shop.example/timeout",
    )
    submitted = await client.transaction_status(initiator, "NLJ7RT61SV")
    assert submitted.provider_request_id == "AG_1" and submitted.detail["asynchronous"]
    assert sent(status_route) == {
        "Initiator": "testapi",
        "SecurityCredential": "ENCRYPTED==",
        "CommandID": "TransactionStatusQuery",
        "TransactionID": "NLJ7RT61SV",
        "PartyA": "174379",
        "IdentifierType": "4",
        "ResultURL": "https://shop.example/result",
        "QueueTimeOutURL": "https://shop.example/timeout",
        "Remarks": "Status check",
        "Occasion": "",
    }
    await client.reversal(initiator, "NLJ7RT61SV", 150, "Refund sale 12")
    assert sent(reversal_route) == {
        "Initiator": "testapi",
        "SecurityCredential": "ENCRYPTED==",
        "CommandID": "TransactionReversal",
        "TransactionID": "NLJ7RT61SV",
        "Amount": 150,
        "ReceiverParty": "174379",
        "RecieverIdentifierType": "11",
        "ResultURL": "https://shop.example/result",
        "QueueTimeOutURL": "https://shop.example/timeout",
        "Remarks": "Refund sale 12",
        "Occasion": "",
    }
    daraja.post("/mpesa/reversal/v1/request").respond(
        400, json={"errorCode": "400.002.02", "errorMessage": "Bad Request - Invalid Initiator"}
    )
    with pytest.raises(ConfigurationProblem, match="Initiator"):
        await client.reversal(initiator, "NLJ7RT61SV", 150)


async def test_provider_refund_needs_the_receipt_code_and_an_initiator(client: MpesaClient) -> None:
    payment, _ = Payment.create(
        provider="mpesa", amount=Money(10000, "KES"), msisdn="254708374149", now=FIXED
    )
    with pytest.raises(ConfigurationProblem, match="initiator"):
        await MpesaProvider(client).refund(payment, "r", Money(10000, "KES"), "x")
    initiator = Initiator("testapi", Secret("c"), "https://a.example/r", "https://a.example/t")
    with pytest.raises(RequestRejected, match="SMS"):
        await MpesaProvider(client, initiator).refund(payment, "r", Money(10000, "KES"), "x")
    with pytest.raises(RequestRejected, match="CheckoutRequestID"):
        await MpesaProvider(client).payment_status(payment)


async def test_no_secret_in_logs_or_errors(
    client: MpesaClient, daraja: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    daraja.post(PUSH).mock(
        side_effect=[
            httpx.Response(
                404, json={"errorCode": "404.001.03", "errorMessage": "Invalid Access Token"}
            ),
            httpx.Response(200, json=ACCEPTED),
        ]
    )
    await client.stk_push(push_body(client))
    daraja.post(QUERY).respond(503)
    with pytest.raises(ProviderUnavailable) as info:
        await client.stk_query("ws_CO_1")
    texts = [caplog.text, str(info.value), repr(client), repr(client._credentials)]
    basic = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    for text in texts:
        for secret in (KEY, SECRET, TOKEN, PASSKEY, basic, FIXED_PASSWORD):
            assert secret not in text
