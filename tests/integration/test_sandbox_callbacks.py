"""The simulators send callbacks like the real providers, over real HTTP on 127.0.0.1: the
simulator on one ThreadedServer, a small receiving app on another that records what it gets.
Pushes are made with plain httpx, as in the other sandbox tests, with short approval delays."""

from __future__ import annotations

import asyncio
import base64
import gc
import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from pos_app.providers.airtel import callbacks as airtel_callbacks
from pos_app.providers.callbacks import Outcome, read_json
from pos_app.providers.mpesa import callbacks as mpesa_callbacks
from pos_app.providers.mpesa import rules
from pos_app.providers.mtn import callbacks as mtn_callbacks
from pos_app.sandbox import demo
from pos_app.sandbox.airtel import AirtelSandboxSettings, AirtelSimulator
from pos_app.sandbox.app import create_app
from pos_app.sandbox.callbacks import deliverable
from pos_app.sandbox.mpesa import MpesaSandboxSettings, MpesaSimulator
from pos_app.sandbox.mpesa_callbacks import receipt_code
from pos_app.sandbox.mtn import MtnSandboxSettings, MtnSimulator
from pos_app.sandbox.server import ThreadedServer
from pos_app.sandbox.simulators import AIRTEL_CALLBACK_ENV, simulator
from tests.conftest import mtn_body

DELAY = 0.1  # every customer answers after this long
NAIROBI = timedelta(hours=3)
RECEIPT = re.compile(r"[A-Z0-9]{10}")

# -- the receiving end ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    raw: bytes
    at: float  # time.monotonic() on arrival

    def json(self) -> Any:
        return json.loads(self.raw)

    def read(self) -> Any:
        """As the hub reads it (numbers with a fraction as Decimal)."""
        return read_json(self.raw)


class Receiver:
    """Records every request; answers 200 with Daraja's STK answer unless told otherwise."""

    def __init__(self) -> None:
        self.got: list[Received] = []
        self.answers: dict[str, tuple[int, Any]] = {}

    async def endpoint(self, request: Request) -> Response:
        raw = await request.body()
        path = request.url.path
        self.got.append(Received(request.method, path, raw, time.monotonic()))
        status, body = self.answers.get(path, (200, {"ResultCode": 0, "ResultDesc": "Accepted"}))
        return JSONResponse(body, status_code=status)


@pytest.fixture(scope="module")
def receiving() -> Iterator[tuple[ThreadedServer, Receiver]]:
    receiver = Receiver()
    app = Starlette(
        routes=[Route("/{path:path}", receiver.endpoint, methods=["GET", "POST", "PUT"])]
    )
    with ThreadedServer(app) as running:
        yield running, receiver


class Inbox:
    """One test's share of the receiver: URLs under a path of its own."""

    def __init__(self, server: ThreadedServer, receiver: Receiver) -> None:
        self.port = server.port
        self.receiver = receiver
        self.prefix = f"/{uuid.uuid4().hex}"

    def url(self, name: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{self.prefix}/{name}"

    def answer(self, name: str, status: int, body: Any) -> None:
        self.receiver.answers[f"{self.prefix}/{name}"] = (status, body)

    def received(self, name: str = "") -> list[Received]:
        start = f"{self.prefix}/{name}"
        return [got for got in list(self.receiver.got) if got.path.startswith(start)]

    def wait(self, count: int, name: str = "", timeout: float = 3.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received(name)) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        found = self.received(name)
        assert len(found) >= count, f"{len(found)} of {count} callbacks arrived"
        return found

    def quiet(self, name: str = "", seconds: float = 0.2) -> list[Received]:
        """What arrived after waiting `seconds` (to show that nothing more comes)."""
        time.sleep(seconds)
        return self.received(name)


@pytest.fixture
def inbox(receiving: tuple[ThreadedServer, Receiver]) -> Inbox:
    return Inbox(*receiving)


# -- the simulators ------------------------------------------------------------------------------


@pytest.fixture
def mpesa() -> MpesaSimulator:
    return MpesaSimulator(MpesaSandboxSettings(processing_seconds=DELAY, local_callbacks=True))


@pytest.fixture
def mtn() -> MtnSimulator:
    return MtnSimulator(MtnSandboxSettings(approval_delay=DELAY))


@pytest.fixture
def airtel(inbox: Inbox) -> AirtelSimulator:
    settings = AirtelSandboxSettings(approval_delay=DELAY, callback_url=inbox.url("airtel"))
    return AirtelSimulator(settings)


class Current:
    """The app of the test running now: one server serves every test of the module (its start
    and stop would cost more than most of these tests)."""

    def __init__(self) -> None:
        self.app: Starlette | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def shared() -> Iterator[tuple[ThreadedServer, Current]]:
    current = Current()
    with ThreadedServer(Starlette(routes=[Mount("", app=current)])) as running:
        yield running, current


@pytest.fixture
def server(
    shared: tuple[ThreadedServer, Current],
    mpesa: MpesaSimulator,
    mtn: MtnSimulator,
    airtel: AirtelSimulator,
) -> Iterator[ThreadedServer]:
    running, current = shared
    current.app = create_app(mtn, mpesa, others={"airtel": airtel})
    yield running
    current.app = None
    for sim in (mpesa, mtn, airtel):  # what the app's shut-down does when it has its own server
        loop = sim.callbacks.loop
        if loop is not None:
            asyncio.run_coroutine_threadsafe(sim.callbacks.aclose(), loop).result(timeout=5)
        assert sim.callbacks.pending() == 0


@pytest.fixture
def http(server: ThreadedServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=5.0) as client:
        yield client


# -- Daraja --------------------------------------------------------------------------------------


def daraja_auth(http: httpx.Client) -> dict[str, str]:
    basic = base64.b64encode(
        f"{demo.MPESA_CONSUMER_KEY}:{demo.MPESA_CONSUMER_SECRET}".encode()
    ).decode()
    answer = http.get(
        "/oauth/v1/generate",
        params={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def signed() -> dict[str, str]:
    stamp = rules.timestamp(datetime.now(UTC))
    return {
        "BusinessShortCode": demo.MPESA_SHORTCODE,
        "Password": rules.password(demo.MPESA_SHORTCODE, demo.MPESA_PASSKEY, stamp),
        "Timestamp": stamp,
    }


def stk_push(
    http: httpx.Client, callback: str, phone: str = "254708374149", amount: int = 5
) -> str:
    answer = http.post(
        "/mpesa/stkpush/v1/processrequest",
        json={
            **signed(),
            "TransactionType": "CustomerPayBillOnline",
            "Amount": amount,
            "PartyA": phone,
            "PartyB": demo.MPESA_SHORTCODE,
            "PhoneNumber": phone,
            "CallBackURL": callback,
            "AccountReference": "SALE1",
            "TransactionDesc": "Sale",
        },
        headers=daraja_auth(http),
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["CheckoutRequestID"])


def stk_query(http: httpx.Client, checkout: str) -> dict[str, Any]:
    for _ in range(50):
        answer = http.post(
            "/mpesa/stkpushquery/v1/query",
            json={**signed(), "CheckoutRequestID": checkout},
            headers=daraja_auth(http),
        )
        body: dict[str, Any] = answer.json()
        if answer.status_code == 200 and body["ResultCode"] != "4999":
            return body
        time.sleep(0.05)
    raise AssertionError("STK Query never settled")


def stk_result(received: Received) -> dict[str, Any]:
    result: dict[str, Any] = received.json()["Body"]["stkCallback"]
    return result


def test_stk_success_callback_as_daraja_sends_it_and_agreeing_with_the_query(
    http: httpx.Client, mpesa: MpesaSimulator, inbox: Inbox
) -> None:
    pushed_at = datetime.now(UTC)
    checkout = stk_push(http, inbox.url("stk"))
    (got,) = inbox.wait(1)
    assert got.method == "POST"
    result = stk_result(got)
    assert set(result) == {
        "MerchantRequestID",
        "CheckoutRequestID",
        "ResultCode",
        "ResultDesc",
        "CallbackMetadata",
    }
    assert result["CheckoutRequestID"] == checkout and result["ResultCode"] == 0
    items = {item["Name"]: item["Value"] for item in result["CallbackMetadata"]["Item"]}
    assert list(items) == ["Amount", "MpesaReceiptNumber", "TransactionDate", "PhoneNumber"]
    assert items["Amount"] == 5 and items["PhoneNumber"] == 254708374149
    assert RECEIPT.fullmatch(items["MpesaReceiptNumber"])
    assert items["MpesaReceiptNumber"] == receipt_code(checkout)  # the same code every time
    assert isinstance(items["TransactionDate"], int)
    paid_at = datetime.strptime(str(items["TransactionDate"]), "%Y%m%d%H%M%S")
    assert abs(paid_at - (pushed_at + NAIROBI).replace(tzinfo=None)) < timedelta(seconds=30)
    query = stk_query(http, checkout)
    assert query["ResultCode"] == "0" and query["ResultDesc"] == result["ResultDesc"]
    assert query["MerchantRequestID"] == result["MerchantRequestID"]
    notice = mpesa_callbacks.parse_stk(got.read())
    assert notice.outcome is Outcome.SUCCEEDED and not notice.problems
    assert inbox.quiet() == [got]  # one callback per push


def test_stk_cancelled_callback_has_the_code_the_query_reports(
    http: httpx.Client, inbox: Inbox
) -> None:
    checkout = stk_push(http, inbox.url("stk"), phone="254711001032")
    result = stk_result(inbox.wait(1)[0])
    query = stk_query(http, checkout)
    assert result == {
        "MerchantRequestID": query["MerchantRequestID"],
        "CheckoutRequestID": checkout,
        "ResultCode": 1032,
        "ResultDesc": query["ResultDesc"],
    }
    assert query["ResultCode"] == "1032"


def test_a_push_that_never_settles_sends_nothing(
    http: httpx.Client, mpesa: MpesaSimulator, inbox: Inbox
) -> None:
    stk_push(http, inbox.url("stk"), phone="254711000000")
    assert inbox.quiet(seconds=DELAY * 2) == []
    assert mpesa.callbacks.pending() == 0


def test_an_invalid_host_is_never_called_and_an_unreachable_one_fails_nothing(
    http: httpx.Client, mpesa: MpesaSimulator, inbox: Inbox
) -> None:
    demo_push = stk_push(http, demo.MPESA_CALLBACK_URL)  # https://pos-app.invalid/...
    assert mpesa.callbacks.pending() == 0
    with ThreadedServer(Starlette()) as gone:
        closed = f"{gone.url}/cb"  # a port nobody listens on once it stops
    dead_push = stk_push(http, closed, phone="254722000001")
    assert stk_query(http, demo_push)["ResultCode"] == "0"
    assert stk_query(http, dead_push)["ResultCode"] == "0"
    deadline = time.monotonic() + 3
    while not mpesa.callbacks.attempts and time.monotonic() < deadline:
        time.sleep(0.01)
    (attempt,) = mpesa.callbacks.attempts
    assert attempt.status is None and attempt.error == "ConnectError"
    assert "/cb" not in attempt.host  # the log and record keep no path (it holds a secret)
    assert not deliverable("https://pos-app.invalid/daraja/callback")
    assert not deliverable("https://shop.example/cb") and not deliverable("https://example.com/x")
    assert not deliverable("ftp://hub.test/cb") and not deliverable("https:///cb")
    assert deliverable("http://localhost:8000/callbacks/x") and deliverable("https://hub.shop.ke/")


# -- Daraja C2B ----------------------------------------------------------------------------------


def register(http: httpx.Client, version: str = "v2", **body: Any) -> httpx.Response:
    return http.post(f"/mpesa/c2b/{version}/registerurl", json=body, headers=daraja_auth(http))


def test_c2b_register_and_simulate_deliver_validation_then_confirmation(
    http: httpx.Client, mpesa: MpesaSimulator, inbox: Inbox
) -> None:
    registered = register(
        http,
        ShortCode="600984",
        ResponseType="Completed",
        ConfirmationURL=inbox.url("confirmation"),
        ValidationURL=inbox.url("validation"),
    )
    assert registered.status_code == 200
    assert set(registered.json()) == {
        "OriginatorCoversationID",
        "ResponseCode",
        "ResponseDescription",
    }
    assert registered.json()["ResponseCode"] == "0"
    inbox.answer("validation", 200, {"ResultCode": "0", "ResultDesc": "Accepted",
                                     "ThirdPartyTransID": "T-42"})  # fmt: skip
    simulated = http.post(
        "/mpesa/c2b/v2/simulate",
        json={
            "ShortCode": 600984,
            "CommandID": "CustomerPayBillOnline",
            "Amount": 100,
            "Msisdn": 254708374149,
            "BillRefNumber": "INV-7",
        },
        headers=daraja_auth(http),
    )
    assert simulated.status_code == 200
    assert simulated.json()["ResponseDescription"] == "Accept the service request successfully."
    validation, confirmation = inbox.wait(2)
    assert validation.path.endswith("/validation") and confirmation.path.endswith("/confirmation")
    first, then = validation.json(), confirmation.json()
    assert set(then) == {
        "TransactionType", "TransID", "TransTime", "TransAmount", "BusinessShortCode",
        "BillRefNumber", "InvoiceNumber", "OrgAccountBalance", "ThirdPartyTransID", "MSISDN",
        "FirstName", "MiddleName", "LastName",
    }  # fmt: skip
    assert first["TransID"] == then["TransID"] and RECEIPT.fullmatch(then["TransID"])
    assert then["TransactionType"] == "Pay Bill" and then["TransAmount"] == "100.00"
    assert then["BusinessShortCode"] == "600984" and then["BillRefNumber"] == "INV-7"
    assert then["MSISDN"] == "2547 ***** 149" and re.fullmatch(r"\d{14}", then["TransTime"])
    assert (first["OrgAccountBalance"], then["OrgAccountBalance"]) == ("", "100.00")
    assert then["ThirdPartyTransID"] == "T-42"
    assert mpesa.c2b_payments[then["TransID"]].state == "completed"
    assert not mpesa_callbacks.parse_validation(validation.read()).problems
    assert not mpesa_callbacks.parse_confirmation(confirmation.read()).problems
    # The sandbox lets URLs be registered again; each payment gets a TransID of its own.
    again = register(http, ShortCode="600984", ResponseType="Completed",
                     ConfirmationURL=inbox.url("second"))  # fmt: skip
    assert again.status_code == 200
    mpesa.pay_c2b(50, shortcode="600984")
    (second,) = inbox.wait(1, "second")
    assert second.json()["TransID"] != then["TransID"]
    assert second.json()["OrgAccountBalance"] == "150.00"


def test_c2b_from_a_plain_method_refused_by_validation_and_hashed_with_v1(
    http: httpx.Client, mpesa: MpesaSimulator, inbox: Inbox
) -> None:
    daraja_auth(http)  # once the simulator serves, a payment can be made from any thread
    mpesa.register_c2b_urls(
        demo.MPESA_TILL,
        inbox.url("confirmation"),
        inbox.url("validation"),
        response_type="Completed",
        version="v1",
    )
    inbox.answer("validation", 200, {"ResultCode": "C2B00012", "ResultDesc": "Rejected"})
    refused = mpesa.pay_c2b(
        20, "254712345678", shortcode=demo.MPESA_TILL, command="CustomerBuyGoodsOnline"
    )
    (validation,) = inbox.wait(1)
    body = validation.json()
    assert body["TransactionType"] == "Buy Goods"
    assert re.fullmatch(r"[0-9a-f]{64}", body["MSISDN"])  # v1 sends the number hashed
    assert inbox.quiet() == [validation]  # no confirmation for a refused payment
    assert refused.state == "cancelled"
    # A validation that cannot be reached leaves it to ResponseType.
    mpesa.register_c2b_urls(
        demo.MPESA_TILL, inbox.url("kept"), "http://pos-app.invalid/v", response_type="Completed"
    )
    kept = mpesa.pay_c2b(30, shortcode=demo.MPESA_TILL)
    assert inbox.wait(1, "kept")[0].json()["TransID"] == kept.trans_id
    mpesa.register_c2b_urls(
        demo.MPESA_TILL, inbox.url("dropped"), "http://pos-app.invalid/v", "Cancelled"
    )
    assert mpesa.pay_c2b(30, shortcode=demo.MPESA_TILL).state == "cancelled"
    # Without URLs M-PESA completes it silently.
    assert mpesa.pay_c2b(40, shortcode="600111").state == "completed"
    assert inbox.quiet("dropped") == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ResponseType": "completed"}, "Invalid ResponseType"),
        ({"ResponseType": "Canceled"}, "Invalid ResponseType"),
        ({"ShortCode": "12"}, "Invalid ShortCode"),
        ({"ConfirmationURL": "https://shop.ke/mpesa/confirm"}, "Invalid ConfirmationURL"),
        ({"ConfirmationURL": "https://shop.ke/c?cmd=1"}, "Invalid ConfirmationURL"),
        ({"ValidationURL": "ftp://shop.ke/v"}, "Invalid ValidationURL"),
    ],
)
def test_c2b_registration_refuses_what_daraja_refuses(
    http: httpx.Client, changes: dict[str, str], message: str
) -> None:
    body = {
        "ShortCode": "600984",
        "ResponseType": "Completed",
        "ConfirmationURL": "https://shop.ke/c",
        "ValidationURL": "https://shop.ke/v",
    } | changes
    answer = register(http, "v1", **body)
    assert answer.status_code == 400 and message in answer.json()["errorMessage"]


def test_c2b_registration_needs_a_token_and_can_be_made_once_only(
    http: httpx.Client, mpesa: MpesaSimulator
) -> None:
    body = {"ShortCode": "600984", "ResponseType": "Completed",
            "ConfirmationURL": "https://shop.ke/c"}  # fmt: skip
    unauthorised = http.post("/mpesa/c2b/v2/registerurl", json=body)
    assert unauthorised.status_code == 404
    assert unauthorised.json()["errorCode"] == "404.001.03"
    mpesa.settings.register_once = True
    assert register(http, **body).status_code == 200
    twice = register(http, **body)
    assert (twice.status_code, twice.json()["errorMessage"]) == (
        500,
        "Urls are already registered",
    )


# -- Daraja faults (the same machinery serves MTN and Airtel) ----------------------------------


def test_duplicates_carry_the_same_receipt(
    http: httpx.Client, mpesa: MpesaSimulator, inbox: Inbox
) -> None:
    mpesa.faults.callback_copies = 3
    checkout = stk_push(http, inbox.url("stk"))
    copies = inbox.wait(3)
    assert len({got.raw for got in copies}) == 1
    assert receipt_code(checkout) in copies[0].raw.decode()
    assert inbox.quiet() == copies


def test_a_late_callback_comes_after_the_query_settled(
    http: httpx.Client, mpesa: MpesaSimulator, inbox: Inbox
) -> None:
    mpesa.faults.callback_delay = 0.8
    start = time.monotonic()
    checkout = stk_push(http, inbox.url("stk"))
    assert stk_query(http, checkout)["ResultCode"] == "0"
    assert inbox.received() == []  # settled, the callback still on its way
    (got,) = inbox.wait(1)
    assert got.at - start >= DELAY + 0.8


@pytest.mark.parametrize("shape", ["json", "status"])
def test_malformed_callbacks(
    http: httpx.Client, mpesa: MpesaSimulator, inbox: Inbox, shape: str
) -> None:
    mpesa.faults.callback_malformed_next = 1
    mpesa.faults.callback_malformed = shape
    stk_push(http, inbox.url("stk"))
    (broken,) = inbox.wait(1)
    if shape == "json":
        with pytest.raises(json.JSONDecodeError):
            broken.json()
    else:
        assert "ResultCode" not in stk_result(broken)
        assert mpesa_callbacks.parse_stk(broken.read()).outcome is None
    stk_push(http, inbox.url("stk"), phone="254722000002")
    assert stk_result(inbox.wait(2)[1])["ResultCode"] == 0  # the next one is whole again


def test_a_forged_success_disagrees_with_the_query(
    http: httpx.Client, mpesa: MpesaSimulator, inbox: Inbox
) -> None:
    mpesa.faults.callback_forged_next = 1
    checkout = stk_push(http, inbox.url("stk"), phone="254711001032")
    result = stk_result(inbox.wait(1)[0])
    assert result["ResultCode"] == 0 and "CallbackMetadata" in result
    assert stk_query(http, checkout)["ResultCode"] == "1032"  # the provider knows better
    assert mpesa.charges() == 0
    assert mpesa.callbacks.attempts[-1].shape == "forged"


def test_a_lost_callback_is_never_sent(
    http: httpx.Client, mpesa: MpesaSimulator, inbox: Inbox
) -> None:
    mpesa.faults.callback_lost_next = 1
    lost = stk_push(http, inbox.url("lost"))
    assert stk_query(http, lost)["ResultCode"] == "0"
    stk_push(http, inbox.url("kept"), phone="254722000003")
    inbox.wait(1, "kept")
    assert inbox.received("lost") == [] and mpesa.callbacks.lost["stk"] == 1


# -- MTN -----------------------------------------------------------------------------------------


def mtn_headers(http: httpx.Client, product: str = "collection") -> dict[str, str]:
    key = demo.MTN_SUBSCRIPTION_KEYS[product]
    token = http.post(
        f"/{product}/token/",
        auth=(demo.MTN_API_USER, demo.MTN_API_KEY),
        headers={"Ocp-Apim-Subscription-Key": key},
    ).json()["access_token"]
    return {
        "Authorization": f"Bearer {token}",
        "X-Target-Environment": "sandbox",
        "Ocp-Apim-Subscription-Key": key,
    }


def request_to_pay(http: httpx.Client, msisdn: str, callback: str | None) -> str:
    reference = str(uuid.uuid4())
    headers = mtn_headers(http) | {"X-Reference-Id": reference}
    if callback is not None:
        headers["X-Callback-Url"] = callback
    answer = http.post("/collection/v1_0/requesttopay", json=mtn_body(msisdn), headers=headers)
    assert answer.status_code == 202, answer.text
    return reference


def mtn_status(http: httpx.Client, path: str) -> dict[str, Any]:
    product = path.split("/")[1]
    body: dict[str, Any] = http.get(path, headers=mtn_headers(http, product)).json()
    return body


@pytest.mark.parametrize(
    ("msisdn", "status", "method"),
    [
        ("256772123456", "SUCCESSFUL", "PUT"),
        ("46733123451", "FAILED", "PUT"),
        ("256772123456", "SUCCESSFUL", "POST"),
        ("46733123455", "FAILED", "POST"),
    ],
)
def test_mtn_sends_the_final_status_as_its_status_query_answers_it(
    http: httpx.Client, mtn: MtnSimulator, inbox: Inbox, msisdn: str, status: str, method: str
) -> None:
    mtn.settings.callback_method = method
    reference = request_to_pay(http, msisdn, inbox.url("momo", host=demo.MTN_CALLBACK_HOST))
    (got,) = inbox.wait(1)
    assert got.method == method
    body = got.json()
    assert body == mtn_status(http, f"/collection/v1_0/requesttopay/{reference}")
    assert body["status"] == status and body["payer"]["partyId"] == msisdn
    assert ("financialTransactionId" in body) == (status == "SUCCESSFUL")
    assert ("reason" in body) == (status == "FAILED")
    assert not mtn_callbacks.parse_payment(got.read(), reference).problems
    assert inbox.quiet() == [got]  # the final status only: nothing while PENDING


def test_mtn_refund_callback_and_none_without_a_callback_url(
    http: httpx.Client, mtn: MtnSimulator, inbox: Inbox
) -> None:
    paid = request_to_pay(http, "56733123453", None)  # paid at once, no callback asked
    refund = str(uuid.uuid4())
    headers = mtn_headers(http, "disbursement") | {
        "X-Reference-Id": refund,
        "X-Callback-Url": inbox.url("refund", host=demo.MTN_CALLBACK_HOST),
    }
    note = {"amount": "5", "currency": "EUR", "externalId": "R1", "payerMessage": "Refund",
            "payeeNote": "Refund", "referenceIdToRefund": paid}  # fmt: skip
    assert http.post("/disbursement/v1_0/refund", json=note, headers=headers).status_code == 202
    (got,) = inbox.wait(1)
    assert got.method == "PUT" and got.json()["status"] == "SUCCESSFUL"
    assert got.json() == mtn_status(http, f"/disbursement/v1_0/refund/{refund}")
    assert not mtn_callbacks.parse_refund(got.read(), refund).problems
    assert inbox.quiet() == [got]


def test_mtn_forged_and_duplicated(http: httpx.Client, mtn: MtnSimulator, inbox: Inbox) -> None:
    mtn.faults.callback_forged_next = 1
    mtn.faults.callback_copies = 2
    reference = request_to_pay(http, "46733123451", inbox.url("momo", host="localhost"))
    first, second = inbox.wait(2)
    assert first.raw == second.raw and first.json()["status"] == "SUCCESSFUL"
    assert "reason" not in first.json() and first.json()["financialTransactionId"]
    assert mtn_status(http, f"/collection/v1_0/requesttopay/{reference}")["status"] == "FAILED"


# -- Airtel --------------------------------------------------------------------------------------


def airtel_headers(http: httpx.Client) -> dict[str, str]:
    token = http.post(
        "/auth/oauth2/token",
        json={
            "client_id": demo.AIRTEL_CLIENT_ID,
            "client_secret": demo.AIRTEL_CLIENT_SECRET,
            "grant_type": "client_credentials",
        },
    ).json()["access_token"]
    return {
        "Authorization": f"Bearer {token}",
        "X-Country": "UG",
        "X-Currency": "UGX",
        "Accept": "*/*",
    }


def airtel_push(http: httpx.Client, msisdn: str) -> str:
    transaction_id = uuid.uuid4().hex
    body = {
        "reference": "Sale",
        "subscriber": {"country": "UG", "currency": "UGX", "msisdn": msisdn},
        "transaction": {"amount": 5000, "country": "UG", "currency": "UGX", "id": transaction_id},
    }
    answer = http.post("/merchant/v1/payments/", json=body, headers=airtel_headers(http))
    assert answer.json()["status"]["success"] is True, answer.text
    return transaction_id


def airtel_enquiry(http: httpx.Client, transaction_id: str) -> dict[str, Any]:
    answer = http.get(f"/standard/v1/payments/{transaction_id}", headers=airtel_headers(http))
    found: dict[str, Any] = answer.json()["data"]["transaction"]
    return found


def test_airtel_posts_a_settled_collection_to_its_configured_url(
    http: httpx.Client, inbox: Inbox
) -> None:
    paid = airtel_push(http, "706218827")
    (got,) = inbox.wait(1)
    assert got.method == "POST" and got.path == f"{inbox.prefix}/airtel"
    transaction = got.json()["transaction"]
    enquiry = airtel_enquiry(http, paid)
    assert set(transaction) == {"id", "message", "status_code", "airtel_money_id"}
    assert transaction["id"] == paid and transaction["status_code"] == "TS"
    assert transaction["airtel_money_id"] == enquiry["airtel_money_id"]
    assert "UGX 5,000" in transaction["message"]
    notice = airtel_callbacks.parse_payment(got.read())
    assert notice.outcome is Outcome.SUCCEEDED and not notice.problems
    failed = airtel_push(http, "700000002")  # wrong PIN
    transaction = inbox.wait(2)[1].json()["transaction"]
    assert (transaction["id"], transaction["status_code"]) == (failed, "TF")
    assert transaction["airtel_money_id"] is None
    assert airtel_enquiry(http, failed)["status"] == "TF"


def test_airtel_forged_and_malformed(
    http: httpx.Client, airtel: AirtelSimulator, inbox: Inbox
) -> None:
    airtel.faults.callback_forged_next = 1
    forged = airtel_push(http, "700000007")  # not enough money
    assert inbox.wait(1)[0].json()["transaction"]["status_code"] == "TS"
    assert airtel_enquiry(http, forged)["status"] == "TF"
    airtel.faults.callback_malformed_next = 1
    airtel.faults.callback_malformed = "status"
    airtel_push(http, "706218827")
    transaction = inbox.wait(2)[1].json()["transaction"]
    assert "status_code" not in transaction and transaction["id"]


def test_pos_app_sandbox_takes_local_callbacks_and_airtels_url_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(AIRTEL_CALLBACK_ENV, "http://localhost:8000/callbacks/airtel/x")
    mpesa_spec, airtel_spec = simulator("mpesa"), simulator("airtel")
    assert mpesa_spec is not None and airtel_spec is not None
    standalone = mpesa_spec.standalone(1.0)
    assert isinstance(standalone, MpesaSimulator) and standalone.settings.local_callbacks
    airtel_sim = airtel_spec.standalone(1.0)
    assert isinstance(airtel_sim, AirtelSimulator)
    assert airtel_sim.settings.callback_url == "http://localhost:8000/callbacks/airtel/x"


# -- shutting down -------------------------------------------------------------------------------


@pytest.mark.parametrize("lifespan", [True, False])
def test_pending_callbacks_are_cancelled_cleanly_when_the_simulator_stops(
    inbox: Inbox, caplog: pytest.LogCaptureFixture, lifespan: bool
) -> None:
    caplog.set_level(logging.ERROR, logger="asyncio")
    sim = MpesaSimulator(MpesaSandboxSettings(processing_seconds=30, local_callbacks=True))
    running = ThreadedServer(create_app(mpesa=sim), lifespan=lifespan).start()
    with httpx.Client(base_url=running.url, timeout=5.0) as http:
        stk_push(http, inbox.url("stk"))
    assert sim.callbacks.pending() == 1
    start = time.monotonic()
    running.stop()
    assert time.monotonic() - start < 3
    gc.collect()
    assert sim.callbacks.pending() == 0
    assert not [r for r in caplog.records if "destroyed" in r.getMessage()]
    assert inbox.received() == []


def test_a_customer_payment_needs_a_served_simulator_to_announce_it() -> None:
    sim = MpesaSimulator()
    sim.register_c2b_urls("600984", "http://127.0.0.1:9/confirmation")
    with pytest.raises(RuntimeError, match="not served"):
        sim.pay_c2b(10, shortcode="600984")
    assert sim.c2b_payments == {} and sim.c2b_balance["600984"] == 0
