"""Published clients, not ours, against the simulator over real HTTP on 127.0.0.1.

`pos-app sandbox` should take what other people's code sends to MTN and Daraja and answer so
that their code reaches the right end: token, push (request to pay / STK push), status. These
clients are synchronous; the server runs in a background thread (ThreadedServer), so the tests
are plain functions.

- MTN through mtnmomo-py (PyPI `mtnmomo-py`, import name `mtnmomo`), which takes a base URL.
- MTN as sparkplug/momoapi-python (PyPI `mtnmomo` 3.0.1) sends it: that package cannot be
  installed beside pos-app (it pins requests==2.21.0 and Click==7.0), so its requests are
  rebuilt here from its source, header for header, with requests.
- Daraja through mpesakit (PyPI `mpesakit`), pointed at the simulator by its client's
  `base_url` (its hosts are hard-wired in MpesaHttpClient._resolve_base_url).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import phonenumbers
import pytest
import requests
from mpesakit import MpesaClient
from mpesakit.errors import MpesaApiException
from mtnmomo import MoMoClient, MoMoConfig, MoMoServerError, ProductCredentials
from phonenumbers import carrier
from requests.auth import AuthBase, HTTPBasicAuth

from pos_app.sandbox import demo
from pos_app.sandbox.app import create_app
from pos_app.sandbox.mpesa import MpesaSandboxSettings, MpesaSimulator
from pos_app.sandbox.mtn import MtnSandboxSettings, MtnSimulator
from pos_app.sandbox.server import ThreadedServer
from tests.conftest import mtn_body as body

T = TypeVar("T")
# MTN subscription keys are 32 hex digits; sparkplug's client refuses any other form
# (config.py: validate_uuid on the product's primary key).
KEYS = {product: uuid.uuid4().hex for product in ("collection", "disbursement", "remittance")}
ORDINARY_UG = "0772123456"  # an MTN Uganda number: what sparkplug's client accepts


@dataclass
class Sandbox:
    mtn: MtnSimulator
    mpesa: MpesaSimulator
    url: str


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    mtn = MtnSimulator(
        MtnSandboxSettings(subscription_keys=dict(KEYS), approval_delay=0.3, delayed_success=0.5)
    )
    mpesa = MpesaSimulator(MpesaSandboxSettings(processing_seconds=0.3))
    with ThreadedServer(create_app(mtn, mpesa)) as server:
        yield Sandbox(mtn, mpesa, server.url)


def poll(read: Callable[[], T], done: Callable[[T], bool], seconds: float = 5.0) -> T:
    deadline = time.monotonic() + seconds
    while True:
        answer = read()
        if done(answer) or time.monotonic() > deadline:
            return answer
        time.sleep(0.1)


# -- MTN: mtnmomo-py, driven for real ----------------------------------------------------------


def momo_client(sandbox: Sandbox, api_user: str, api_key: str) -> MoMoClient:
    credentials = ProductCredentials(KEYS["collection"], api_user, api_key)
    return MoMoClient(MoMoConfig(collection=credentials, base_url=sandbox.url, timeout=5.0))


@pytest.mark.parametrize(
    ("msisdn", "status"),
    [
        ("256772123456", "SUCCESSFUL"),  # any other number: approved after a delay
        ("46733123454", "SUCCESSFUL"),  # PayerDelayed
        ("56733123453", "SUCCESSFUL"),  # MTN's notebook's success number
    ],
)
def test_mtnmomo_py_provisions_gets_a_token_requests_to_pay_and_polls(
    sandbox: Sandbox, msisdn: str, status: str
) -> None:
    with momo_client(sandbox, "", "") as bootstrap:
        assert bootstrap.sandbox is not None
        api_user = bootstrap.sandbox.create_api_user("shop.example")
        api_key = bootstrap.sandbox.create_api_key(api_user)
        user = bootstrap.sandbox.get_api_user(api_user)
        assert user is not None and user.provider_callback_host == "shop.example"
    with momo_client(sandbox, api_user, api_key) as client:
        collection = client.collection
        assert collection is not None
        token = collection.create_access_token()
        assert token.token_type == "access_token" and token.expires_in == 3600
        reference = collection.request_to_pay(body(msisdn))
        assert uuid.UUID(reference).version == 4
        result = poll(
            lambda: collection.get_request_to_pay_status(reference),
            lambda r: r.status not in ("PENDING", "CREATED"),
        )
    assert result.status == status
    assert result.financial_transaction_id and result.amount == "12.50"
    assert sandbox.mtn.charges() == 1
    assert sandbox.mtn.requests["token collection"] == 1  # it keeps its token


def test_mtnmomo_py_reads_a_failure_in_the_swagger_shape(sandbox: Sandbox) -> None:
    # mtnmomo-py parses `reason` as {code, message} only (models.ErrorReason.from_dict); MTN's
    # newer plain-string reason breaks it, so the simulator is asked for the swagger's shape.
    sandbox.mtn.settings.reason_as_object = True
    with momo_client(sandbox, demo.MTN_API_USER, demo.MTN_API_KEY) as client:
        assert client.collection is not None
        reference = client.collection.request_to_pay(body("46733123450"))
        result = client.collection.get_request_to_pay_status(reference)
    assert result.status == "FAILED"
    assert result.reason is not None and result.reason.code == "INTERNAL_PROCESSING_ERROR"
    assert sandbox.mtn.charges() == 0


def test_mtnmomo_py_sees_login_failed_as_the_live_api_sends_it(sandbox: Sandbox) -> None:
    with momo_client(sandbox, demo.MTN_API_USER, "not-the-key") as client:
        assert client.collection is not None
        with pytest.raises(MoMoServerError) as info:
            client.collection.create_access_token()
    assert info.value.args[1] == 500 and info.value.args[-1] == {"error": "login_failed"}


# -- MTN: what sparkplug/momoapi-python (PyPI mtnmomo 3.0.1) sends ------------------------------
# Rebuilt from src/mtnmomo/client.py (MomoApi.getAuthToken, request, getTransactionStatus),
# src/mtnmomo/collection.py (Collection.requestToPay) and src/mtnmomo/utils.py
# (validate_phone_number). Left out: `verify=False` (plain http here) and its misspelt,
# never-effective retry wrapper; a timeout is added so a broken simulator cannot hang the test.


class _MoMoAuth(AuthBase):
    """client.py MoMoAuth: sets `Authorization: Bearer <token>`."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = "Bearer " + self.token
        return r


class SparkplugCollection:
    def __init__(self, base_url: str, user_id: str, api_secret: str, primary_key: str) -> None:
        self.base_url, self.user_id, self.api_secret = base_url, user_id, api_secret
        self.primary_key = primary_key
        self.session = requests.Session()

    def get_auth_token(self) -> requests.Response:
        # MomoApi.getAuthToken: POST with the JSON text "{}" as body.
        return requests.post(
            f"{self.base_url}/collection/token/",
            auth=HTTPBasicAuth(self.user_id, self.api_secret),
            data=json.dumps({}),
            headers={
                "Content-Type": "application/json",
                "Ocp-Apim-Subscription-Key": self.primary_key,
            },
            timeout=10,
        )

    def request(
        self, method: str, url: str, headers: dict[str, str], post_data: Any = None
    ) -> requests.Response:
        # MomoApi.request: a new token for every call; the body is json.dumps(post_data),
        # so a GET carries the text "null".
        token = self.get_auth_token().json()["access_token"]
        prepared = self.session.prepare_request(
            requests.Request(
                method, url, data=json.dumps(post_data), headers=headers, auth=_MoMoAuth(token)
            )
        )
        return self.session.send(prepared, timeout=10)

    @staticmethod
    def validate_phone_number(number: str) -> str:
        parsed = phonenumbers.parse(number, "UG")
        assert phonenumbers.is_valid_number(parsed)
        assert carrier.name_for_number(parsed, "en") == "MTN"  # "Only MTN is supported"
        return f"256{parsed.national_number}"

    def request_to_pay(
        self,
        mobile: str,
        amount: str,
        external_id: str,
        payee_note: str = "",
        payer_message: str = "",
        currency: str = "EUR",
    ) -> tuple[str, requests.Response]:
        ref = str(uuid.uuid4())
        data = {
            "payer": {"partyIdType": "MSISDN", "partyId": self.validate_phone_number(mobile)},
            "payeeNote": payee_note,
            "payerMessage": payer_message,
            "externalId": external_id,
            "currency": currency,
            "amount": str(amount),
        }
        headers = {
            "X-Target-Environment": "sandbox",
            "Content-Type": "application/json",
            "X-Reference-Id": ref,
            "Ocp-Apim-Subscription-Key": self.primary_key,
        }
        url = f"{self.base_url}/collection/v1_0/requesttopay"
        return ref, self.request("POST", url, headers, data)

    def get_transaction_status(self, transaction_id: str) -> requests.Response:
        headers = {
            "X-Target-Environment": "sandbox",
            "Content-Type": "application/json",
            "Ocp-Apim-Subscription-Key": self.primary_key,
        }
        url = f"{self.base_url}/collection/v1_0/requesttopay/{transaction_id}"
        return self.request("GET", url, headers)


def test_what_sparkplug_mtnmomo_sends_is_taken_to_a_successful_payment(
    sandbox: Sandbox,
) -> None:
    client = SparkplugCollection(
        sandbox.url, demo.MTN_API_USER, demo.MTN_API_KEY, KEYS["collection"]
    )
    # The package's README example: amount "600", notes "dd" (its default notes are empty,
    # which production refuses with a 500).
    reference, created = client.request_to_pay(
        mobile=ORDINARY_UG,
        amount="600",
        external_id="123456789",
        payee_note="dd",
        payer_message="dd",
    )
    assert created.status_code == 202 and created.content == b""
    answer = poll(
        lambda: client.get_transaction_status(reference),
        lambda r: r.json()["status"] != "PENDING",
    )
    client.session.close()
    assert answer.status_code == 200
    assert answer.json()["status"] == "SUCCESSFUL"
    assert answer.json()["payer"] == {"partyIdType": "MSISDN", "partyId": "256772123456"}
    assert sandbox.mtn.charges() == 1
    # One token per call, as that package does.
    assert sandbox.mtn.requests["token collection"] == 1 + sandbox.mtn.requests["GET requesttopay"]


def test_what_sparkplug_mtnmomo_sends_with_its_default_empty_notes_is_refused(
    sandbox: Sandbox,
) -> None:
    client = SparkplugCollection(
        sandbox.url, demo.MTN_API_USER, demo.MTN_API_KEY, KEYS["collection"]
    )
    _, created = client.request_to_pay(mobile=ORDINARY_UG, amount="600", external_id="1")
    client.session.close()
    # Empty payerMessage/payeeNote: production's 500 (laravel-mtn-momo #69).
    assert created.status_code == 500 and created.json()["code"] == "INTERNAL_PROCESSING_ERROR"
    assert not sandbox.mtn.resources


# -- Daraja: mpesakit, driven for real ---------------------------------------------------------


def mpesakit_client(sandbox: Sandbox) -> MpesaClient:
    client = MpesaClient(demo.MPESA_CONSUMER_KEY, demo.MPESA_CONSUMER_SECRET, "sandbox")
    client.http_client.base_url = sandbox.url  # its hosts are hard-wired: the one override
    return client


def stk_query_until_final(client: MpesaClient, checkout: str) -> str:
    """Polls as a user of mpesakit must: it raises on Daraja's pending error shape
    (500.001.1001 "being processed") and returns ResultCode 4999 for the other one."""

    def read() -> str:
        try:
            answer = client.stk_query(
                business_short_code=174379,
                checkout_request_id=checkout,
                passkey=demo.MPESA_PASSKEY,
            )
        except MpesaApiException as error:
            assert "being processed" in (error.error.error_message or ""), error
            return "pending"
        return str(answer.ResultCode)

    return poll(read, lambda code: code not in ("pending", "4999"))


@pytest.mark.parametrize(
    ("phone", "result_code"),
    [
        ("254708374149", "0"),  # Daraja's test number: paid
        ("0711001032", "1032"),  # mpesakit writes 07… as 2547…; cancelled by the customer
        ("254711000001", "1"),  # not enough money
    ],
)
def test_mpesakit_gets_a_token_pushes_and_queries_to_the_result(
    sandbox: Sandbox, phone: str, result_code: str
) -> None:
    client = mpesakit_client(sandbox)
    party_a = "254" + phone[-9:]
    # mpesakit stamps Timestamp/Password with datetime.now(): this machine's zone, not Nairobi's.
    pushed = client.stk_push(
        business_short_code=174379,
        transaction_type="CustomerPayBillOnline",
        amount=100,
        party_a=party_a,
        party_b="174379",
        phone_number=phone,
        callback_url="https://shop.example/daraja/cb",
        account_reference="SALE1",
        transaction_desc="Groceries",
        passkey=demo.MPESA_PASSKEY,
    )
    assert pushed.is_successful() and pushed.CheckoutRequestID.startswith("ws_CO_")
    assert stk_query_until_final(client, pushed.CheckoutRequestID) == result_code
    sent = sandbox.mpesa.pushes[pushed.CheckoutRequestID].body
    assert sent["BusinessShortCode"] == 174379 and sent["Amount"] == 100  # JSON numbers
    assert sent["PhoneNumber"] == party_a
    assert sandbox.mpesa.charges() == (1 if result_code == "0" else 0)
    assert sandbox.mpesa.requests["token"] == 1  # it keeps its token


def test_mpesakit_reads_wrong_keys_as_daraja_sends_them(sandbox: Sandbox) -> None:
    client = MpesaClient(demo.MPESA_CONSUMER_KEY, "not-the-secret", "sandbox")
    client.http_client.base_url = sandbox.url
    with pytest.raises(MpesaApiException) as info:
        client.token_manager.get_token()
    # Daraja's empty 400 for a wrong key or secret, which mpesakit names for what it is.
    assert info.value.error.error_code == "AUTH_INVALID_CREDENTIALS"
