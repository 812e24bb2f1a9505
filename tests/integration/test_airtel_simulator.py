"""The Airtel Money simulator over real HTTP on 127.0.0.1, spoken to with plain httpx (the
client in providers/airtel is tested against it elsewhere): Airtel's codes and bodies as the
reference (airtel-api.md) records them. A fake clock makes customers answer when told."""

from __future__ import annotations

import base64
import json
import os
import re
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives import padding as block_padding
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from pos_app.platform.config import Config, ShopConfig
from pos_app.providers.airtel.settings import AirtelConfig
from pos_app.sandbox import demo
from pos_app.sandbox.airtel import AirtelSandboxSettings, AirtelSimulator
from pos_app.sandbox.airtel_checks import DUPLICATE
from pos_app.sandbox.app import create_app
from pos_app.sandbox.server import ThreadedServer
from pos_app.sandbox.simulators import simulator

DELAY = 5.0  # the customers' approval delay, on the fake clock
PUSH = "/merchant/v1/payments/"
MONEY_ID = re.compile(r"MP\d{6}\.\d{4}\.[A-Z]\d{5}")


class FakeClock:
    def __init__(self) -> None:
        self.now = 60 * 16_667.0  # the start of a minute (for the rate window)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> AirtelSimulator:
    return AirtelSimulator(AirtelSandboxSettings(approval_delay=DELAY), clock=clock)


class Current:
    """The app of the test running now: one server serves every test of the module (a
    server's start and stop cost more than most of these tests)."""

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
    shared: tuple[ThreadedServer, Current], sim: AirtelSimulator
) -> Iterator[ThreadedServer]:
    running, current = shared
    current.app = create_app(others={"airtel": sim})
    yield running
    current.app = None


@pytest.fixture
def http(server: ThreadedServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=5.0) as client:
        yield client


def get_token(http: httpx.Client) -> str:
    answer = http.post(
        "/auth/oauth2/token",
        json={
            "client_id": demo.AIRTEL_CLIENT_ID,
            "client_secret": demo.AIRTEL_CLIENT_SECRET,
            "grant_type": "client_credentials",
        },
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


@pytest.fixture
def auth(http: httpx.Client) -> dict[str, str]:
    """The headers of a business call."""
    return {
        "Authorization": f"Bearer {get_token(http)}",
        "X-Country": "UG",
        "X-Currency": "UGX",
        "Accept": "*/*",
    }


def push_body(
    msisdn: str = "706218827", amount: Any = 1000, transaction_id: str | None = None
) -> dict[str, Any]:
    return {
        "reference": "Testing transaction",  # Airtel's own sample, with its space
        "subscriber": {"country": "UG", "currency": "UGX", "msisdn": msisdn},
        "transaction": {
            "amount": amount,
            "country": "UG",
            "currency": "UGX",
            "id": transaction_id or uuid.uuid4().hex,
        },
    }


def push(http: httpx.Client, auth: dict[str, str], body: dict[str, Any]) -> httpx.Response:
    return http.post(PUSH, json=body, headers=auth)


def enquire(http: httpx.Client, auth: dict[str, str], transaction_id: str) -> dict[str, Any]:
    answer = http.get(f"/standard/v1/payments/{transaction_id}", headers=auth)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def paid(http: httpx.Client, auth: dict[str, str], clock: FakeClock) -> str:
    """A settled (TS) payment's airtel_money_id."""
    body = push_body()
    assert push(http, auth, body).json()["status"]["success"] is True
    clock.advance(DELAY)
    found = enquire(http, auth, body["transaction"]["id"])["data"]["transaction"]
    assert found["status"] == "TS"
    return str(found["airtel_money_id"])


# -- token --


def test_token_as_recorded(http: httpx.Client, sim: AirtelSimulator, clock: FakeClock) -> None:
    good = {"client_id": demo.AIRTEL_CLIENT_ID, "client_secret": demo.AIRTEL_CLIENT_SECRET}
    grant = {"grant_type": "client_credentials"}
    ok = http.post("/auth/oauth2/token", json=good | grant)
    form = http.post("/auth/oauth2/token", data=good | grant)  # UNVERIFIED: taken too
    bad = http.post("/auth/oauth2/token", json=good | grant | {"client_secret": "nope"})
    no_grant = http.post("/auth/oauth2/token", json=good)
    assert ok.status_code == 200 and form.status_code == 200
    assert ok.json()["token_type"] == "bearer" and ok.json()["expires_in"] == 180
    assert len(ok.json()["access_token"]) == 32
    assert (bad.status_code, bad.json()) == (
        400,
        {"error_description": "Invalid client authentication", "error": "invalid_client"},
    )
    assert no_grant.status_code == 400 and no_grant.json()["error"] == "unsupported_grant_type"
    sim.settings.expires_in_as_text = True
    assert http.post("/auth/oauth2/token", json=good | grant).json()["expires_in"] == "180"
    assert sim.requests["token"] == 5


def test_missing_and_expired_tokens(
    http: httpx.Client, auth: dict[str, str], clock: FakeClock
) -> None:
    missing = http.get("/standard/v1/payments/x", headers=auth | {"Authorization": ""})
    assert (missing.status_code, missing.json()) == (
        401,
        {"error": "invalid_request", "error_description": "The access token is missing"},
    )
    clock.advance(179)
    assert enquire(http, auth, "x")["status"]["code"] == "404"  # still valid at 179 s
    clock.advance(1)
    expired = http.get("/standard/v1/payments/x", headers=auth)
    assert (expired.status_code, expired.json()) == (
        401,
        {
            "error_description": "The access token is invalid or has expired",
            "error": "invalid_token",
        },
    )
    assert expired.headers["www-authenticate"].startswith(
        'Bearer realm="service" error="invalid_token"'
    )


# -- the push and the enquiry --


def test_push_is_accepted_then_tip_then_ts(
    http: httpx.Client, auth: dict[str, str], sim: AirtelSimulator, clock: FakeClock
) -> None:
    body = push_body()
    answer = push(http, auth, body)
    assert answer.status_code == 200
    assert answer.json()["data"]["transaction"]["status"] == "SUCCESS"
    assert answer.json()["status"] == {
        "code": "200",
        "message": "SUCCESS",
        "success": True,
        "result_code": "ESB000010",
        "response_code": "DP00800001006",
    }
    transaction_id = body["transaction"]["id"]
    pending = enquire(http, auth, transaction_id)
    assert pending["data"]["transaction"]["status"] == "TIP"
    assert pending["data"]["transaction"]["airtel_money_id"] is None
    assert pending["status"]["response_code"] == "DP00800001006"
    assert pending["status"]["success"] is True
    clock.advance(DELAY)
    done = enquire(http, auth, transaction_id)
    assert done["data"]["transaction"]["id"] == transaction_id
    assert done["data"]["transaction"]["status"] == "TS"
    assert MONEY_ID.fullmatch(done["data"]["transaction"]["airtel_money_id"])
    assert done["status"]["response_code"] == "DP00800001001"
    sim.settings.ts_code_in_process = True  # Airtel's portal samples
    assert enquire(http, auth, transaction_id)["status"]["response_code"] == "DP00800001006"
    assert sim.charges() == 1 and sim.accepted[transaction_id] == 1


def test_push_ids_and_paths_as_clients_differ(
    http: httpx.Client, auth: dict[str, str], sim: AirtelSimulator
) -> None:
    body = push_body()
    random_id = push(http, auth, body).json()["data"]["transaction"]["id"]
    assert random_id != body["transaction"]["id"]  # a client keys on the id it sent
    sim.settings.push_id = "echo"
    echoed = http.post("/merchant/v1/payments", json=push_body("700123123"), headers=auth)
    assert echoed.status_code == 200 and echoed.json()["status"]["success"] is True
    lower = {k.lower(): v for k, v in auth.items()} | {"content-type": "application/json"}
    again = http.post(PUSH, content=json.dumps(push_body("744123123")), headers=lower)
    assert again.json()["status"]["success"] is True
    assert len(sim.payments) == 3


def test_duplicate_id_gives_the_recorded_body_and_one_prompt(
    http: httpx.Client, auth: dict[str, str], sim: AirtelSimulator
) -> None:
    body = push_body()
    assert push(http, auth, body).json()["status"]["success"] is True
    again = push(http, auth, body)
    assert (again.status_code, again.json()) == (200, DUPLICATE)
    assert again.json() == {
        "status": {
            "response_code": "DP00800001000",
            "code": "500",
            "success": False,
            "result_code": "ESB000041",
            "message": "External Transaction ID already exists.",
        }
    }
    assert sim.accepted[body["transaction"]["id"]] == 1 and sim.requests["push"] == 2


@pytest.mark.parametrize(
    ("change", "result_code", "response_code"),
    [
        ({"msisdn": "256706218827"}, "ESB000033", None),  # with the country code
        ({"msisdn": "+256706218827"}, "ESB000033", None),
        ({"msisdn": "0706218827"}, "ESB000033", None),
        ({"msisdn": "70621882"}, "ESB000033", None),
        ({"amount": "1000"}, "ESB000008", None),  # a string
        ({"amount": 499}, "ESB000008", "DP00800001004"),  # below the UG UAT minimum
        ({"amount": 500.78}, "ESB000008", "DP00800001004"),  # decimals in UGX
        ({"amount": 0}, "ESB000008", "DP00800001004"),
        ({"amount": -1000}, "ESB000008", "DP00800001004"),
        ({"reference": "ab"}, "ESB000008", None),
        ({"reference": "sale #12"}, "ESB000008", None),
        ({"transaction_id": "x" * 65}, "ESB000008", None),
        ({"currency": "KES"}, "ESB000035", None),
    ],
)
def test_push_refusals(
    http: httpx.Client,
    auth: dict[str, str],
    sim: AirtelSimulator,
    change: dict[str, Any],
    result_code: str,
    response_code: str | None,
) -> None:
    body = push_body(
        change.get("msisdn", "706218827"), change.get("amount", 1000), change.get("transaction_id")
    )
    body["reference"] = change.get("reference", body["reference"])
    body["transaction"]["currency"] = change.get("currency", "UGX")
    answer = push(http, auth, body)
    assert answer.status_code == 200
    shown = answer.json()["status"]
    assert (shown["code"], shown["success"], shown["result_code"]) == ("400", False, result_code)
    assert shown.get("response_code") == response_code
    if result_code == "ESB000033":
        assert shown["message"] == "Invalid MSISDN Length. MSISDN Length should be 9"
    assert not sim.payments and not sim.accepted


def test_push_refuses_what_is_not_a_json_object(
    http: httpx.Client, auth: dict[str, str], sim: AirtelSimulator
) -> None:
    json_type = {"Content-Type": "application/json"}
    broken = http.post(PUSH, content=b"{not json", headers=auth | json_type)
    listed = http.post(PUSH, content=b"[1, 2]", headers=auth | json_type)
    untyped = http.post(PUSH, content=json.dumps(push_body()).encode(), headers=auth)
    assert broken.status_code == 400 and broken.json()["status_code"] == "ROUTER003"
    assert listed.status_code == 400 and listed.json()["status_code"] == "ROUTER003"
    assert untyped.status_code == 415
    assert not sim.payments


@pytest.mark.parametrize(
    ("msisdn", "amount", "final", "code"),
    [
        ("752600157", 1000, "TF", "DP00800001010"),  # barred
        ("700000002", 1000, "TF", "DP00800001002"),
        ("700000003", 1000, "TF", "DP00800001003"),
        ("700000005", 1000, "TF", "DP00800001005"),
        ("700000007", 1000, "TF", "DP00800001007"),
        ("700000008", 1000, "TF", "DP00800001008"),
        ("700000009", 1000, "TF", "DP00800001009"),
        ("700000029", 1000, "TE", "DP00800001029"),
        ("706218827", 2_000_000, "TF", "DP00800001007"),  # over the balance
        ("706218827", 5_000_001, "TF", "DP00800001003"),  # over the limit
        ("700123123", 5_000_000, "TF", "DP00800001007"),
    ],
)
def test_each_failure_number_and_amount(
    http: httpx.Client,
    auth: dict[str, str],
    sim: AirtelSimulator,
    clock: FakeClock,
    msisdn: str,
    amount: int,
    final: str,
    code: str,
) -> None:
    body = push_body(msisdn, amount)
    assert push(http, auth, body).json()["status"]["response_code"] == "DP00800001006"
    transaction_id = body["transaction"]["id"]
    assert enquire(http, auth, transaction_id)["data"]["transaction"]["status"] == "TIP"
    clock.advance(DELAY)
    answer = enquire(http, auth, transaction_id)
    assert answer["data"]["transaction"]["status"] == final
    assert "airtel_money_id" not in answer["data"]["transaction"]
    assert answer["status"]["code"] == "200" and answer["status"]["success"] is False
    assert answer["status"]["response_code"] == code and answer["status"]["message"] == "FAILED"
    assert sim.charges() == 0


def test_ambiguous_then_settled_and_never_answered(
    http: httpx.Client, auth: dict[str, str], clock: FakeClock
) -> None:
    ambiguous, silent = push_body("700000000"), push_body("700000001")
    push(http, auth, ambiguous)
    push(http, auth, silent)
    for _ in range(3):
        seen = enquire(http, auth, ambiguous["transaction"]["id"])
        assert seen["data"]["transaction"]["status"] == "TA"
        assert seen["status"]["response_code"] == "DP00800001000"
        clock.advance(DELAY * 0.99)
    clock.advance(DELAY)
    settled = enquire(http, auth, ambiguous["transaction"]["id"])
    assert settled["data"]["transaction"]["status"] == "TS"
    clock.advance(3600)
    auth = auth | {"Authorization": f"Bearer {get_token(http)}"}  # the old one has expired
    assert enquire(http, auth, silent["transaction"]["id"])["data"]["transaction"]["status"] == (
        "TIP"
    )


def test_unregistered_number_is_refused_at_once(
    http: httpx.Client, auth: dict[str, str], sim: AirtelSimulator
) -> None:
    answer = push(http, auth, push_body("700000010"))
    assert answer.status_code == 200
    shown = answer.json()["status"]
    assert (shown["code"], shown["success"], shown["response_code"]) == (
        "400",
        False,
        "DP00800001010",
    )
    assert not sim.payments and not sim.accepted


def test_unknown_id(http: httpx.Client, auth: dict[str, str], sim: AirtelSimulator) -> None:
    assert enquire(http, auth, "nothing-like-it") == {
        "status": {
            "code": "404",
            "message": "No Transaction Found With Provided Transaction Id.",
            "success": False,
            "result_code": "ESB000045",
            "response_code": "DP00800001025",
        }
    }
    sim.settings.not_found_status = 404
    answer = http.get("/standard/v1/payments/nothing-like-it", headers=auth)
    assert answer.status_code == 404 and answer.json()["status"]["result_code"] == "ESB000045"


# -- refund and KYC --


def test_refund_once_then_refused(
    http: httpx.Client, auth: dict[str, str], sim: AirtelSimulator, clock: FakeClock
) -> None:
    money_id = paid(http, auth, clock)
    refund = {"transaction": {"airtel_money_id": money_id}}
    first = http.post("/standard/v1/payments/refund", json=refund, headers=auth)
    second = http.post("/standard/v1/payments/refund", json=refund, headers=auth)
    unknown = http.post(
        "/standard/v1/payments/refund",
        json={"transaction": {"airtel_money_id": "MP210101.0000.A00000"}},
        headers=auth,
    )
    assert first.status_code == 200
    assert first.json()["data"]["transaction"]["status"] == "SUCCESS"
    assert first.json()["data"]["transaction"]["airtel_money_id"] not in ("", money_id)
    assert first.json()["status"] == {
        "code": "200",
        "message": "SUCCESS",
        "success": True,
        "result_code": "ESB000010",
    }
    assert second.status_code == 200 and second.json()["status"]["success"] is False
    assert second.json()["status"]["response_code"] == "DP00800001008"
    assert unknown.json()["status"]["response_code"] == "DP00800001025"
    assert sim.requests["refund"] == 3 and len(sim.refunds) == 1


def test_only_a_settled_payment_is_refunded(
    http: httpx.Client, auth: dict[str, str], sim: AirtelSimulator
) -> None:
    body = push_body()
    push(http, auth, body)
    pending_id = sim.payments[body["transaction"]["id"]].airtel_money_id  # not shown before TS
    answer = http.post(
        "/standard/v1/payments/refund",
        json={"transaction": {"airtel_money_id": pending_id}},
        headers=auth,
    )
    assert answer.json()["status"]["result_code"] == "ESB000045"
    empty = http.post("/standard/v1/payments/refund", json={"transaction": {}}, headers=auth)
    assert empty.json()["status"]["result_code"] == "ESB000008"
    assert not sim.refunds


@pytest.mark.parametrize(
    ("number", "barred", "masked"),
    [
        ("706218827", False, "70****27"),
        ("256706218827", False, "70****27"),  # with the country code: UNVERIFIED, taken
        ("752600157", True, "75****57"),
        ("700555123", False, "70****23"),
    ],
)
def test_kyc_of_registered_numbers(
    http: httpx.Client, auth: dict[str, str], number: str, barred: bool, masked: str
) -> None:
    answer = http.get(f"/standard/v1/users/{number}", headers=auth)
    assert answer.status_code == 200
    data = answer.json()["data"]
    assert (data["is_barred"], data["msisdn"], data["grade"]) == (barred, masked, "SUBS")
    assert data["registration"] == {"status": "SUBS"} and data["is_pin_set"] is True
    assert answer.json()["status"]["response_code"] == "DP02200000001"


@pytest.mark.parametrize("number", ["700000010", "7500002240"])
def test_kyc_of_unregistered_numbers(http: httpx.Client, auth: dict[str, str], number: str) -> None:
    answer = http.get(f"/standard/v1/users/{number}", headers=auth)
    assert answer.status_code == 200
    assert answer.json()["status"]["success"] is False
    assert answer.json()["status"]["response_code"] == "DP02200000000"


# -- message signing --


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def sign(key_b64: str, raw: bytes, wrapping: padding.AsymmetricPadding) -> dict[str, str]:
    """x-signature and x-key as Airtel documents them (reference §7.3)."""
    public = serialization.load_der_public_key(base64.b64decode(key_b64))
    assert isinstance(public, rsa.RSAPublicKey)
    aes_key, iv = os.urandom(32), os.urandom(16)
    padder = block_padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).encryptor()
    sealed = encryptor.update(padder.update(raw) + padder.finalize()) + encryptor.finalize()
    wrapped = public.encrypt(f"{_b64(aes_key)}:{_b64(iv)}".encode(), wrapping)
    return {"x-signature": _b64(sealed), "x-key": _b64(wrapped)}


def encryption_key(http: httpx.Client, auth: dict[str, str]) -> str:
    answer = http.get("/v1/rsa/encryption-keys", headers=auth)
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"]["response_code"] == "DP02010001001"
    assert body["data"]["key_id"] == 100
    assert re.fullmatch(r"\d\d-\d\d-\d{4} \d\d:\d\d:\d\d", body["data"]["valid_upto"])
    return str(body["data"]["key"])


WRAPPINGS = {
    "pkcs1": padding.PKCS1v15(),
    "oaep-sha1": padding.OAEP(padding.MGF1(hashes.SHA1()), hashes.SHA1(), None),  # noqa: S303
    "oaep-sha256": padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None),
}


@pytest.mark.parametrize("wrapping", sorted(WRAPPINGS))
def test_signed_push_is_accepted(
    http: httpx.Client, auth: dict[str, str], sim: AirtelSimulator, wrapping: str
) -> None:
    key = encryption_key(http, auth)
    raw = json.dumps(push_body()).encode()
    signed = auth | sign(key, raw, WRAPPINGS[wrapping]) | {"Content-Type": "application/json"}
    answer = http.post("/merchant/v2/payments/", content=raw, headers=signed)
    assert answer.json()["status"]["response_code"] == "DP00800001006"
    assert len(sim.payments) == 1


def test_signatures_that_do_not_match_are_forbidden(
    http: httpx.Client, auth: dict[str, str], sim: AirtelSimulator, clock: FakeClock
) -> None:
    key = encryption_key(http, auth)
    json_type = {"Content-Type": "application/json"}
    body = push_body()
    raw = json.dumps(body).encode()
    # Signed compact, sent with other spacing: not the exact bytes.
    other_bytes = auth | sign(
        key, json.dumps(body, separators=(",", ":")).encode(), WRAPPINGS["pkcs1"]
    )
    unsigned = http.post("/merchant/v2/payments/", content=raw, headers=auth | json_type)
    mismatched = http.post("/merchant/v2/payments/", content=raw, headers=other_bytes | json_type)
    sim.settings.signing_required = True
    plain = push(http, auth, body)
    for refused in (unsigned, mismatched, plain):
        assert refused.status_code == 200
        assert refused.json()["status"]["response_code"] == "DP00800001026"
        assert refused.json()["status"]["success"] is False
    assert not sim.payments
    sim.rotate_key()  # a cached key goes stale: signatures with it are refused
    stale = http.post(
        PUSH, content=raw, headers=auth | sign(key, raw, WRAPPINGS["pkcs1"]) | json_type
    )
    assert stale.json()["status"]["response_code"] == "DP00800001026"
    fresh = encryption_key_after_rotation(http, auth)
    accepted = http.post(
        PUSH, content=raw, headers=auth | sign(fresh, raw, WRAPPINGS["pkcs1"]) | json_type
    )
    assert accepted.json()["status"]["success"] is True


def encryption_key_after_rotation(http: httpx.Client, auth: dict[str, str]) -> str:
    body = http.get("/v1/rsa/encryption-keys", headers=auth).json()
    assert body["data"]["key_id"] == 101
    return str(body["data"]["key"])


def test_signed_refund(
    http: httpx.Client, auth: dict[str, str], sim: AirtelSimulator, clock: FakeClock
) -> None:
    money_id = paid(http, auth, clock)
    key = encryption_key(http, auth)
    raw = json.dumps({"transaction": {"airtel_money_id": money_id}}).encode()
    headers = auth | sign(key, raw, WRAPPINGS["oaep-sha1"]) | {"Content-Type": "application/json"}
    answer = http.post("/standard/v2/payments/refund", content=raw, headers=headers)
    assert answer.json()["data"]["transaction"]["status"] == "SUCCESS"
    assert len(sim.refunds) == 1


# -- the gateway: allow list, rate limit, headers, faults --


def test_allow_list(http: httpx.Client, auth: dict[str, str], sim: AirtelSimulator) -> None:
    sim.settings.allowed_addresses = frozenset({"10.9.9.9"})
    declined = push(http, auth, push_body())
    assert declined.status_code == 403
    assert declined.json()["status"]["result_code"] == "ROUTER007"
    assert "127.0.0.1" in declined.json()["status"]["message"]
    assert http.get("/standard/v1/payments/x", headers=auth).status_code == 403
    assert get_token(http)  # the token call is not filtered
    assert http.get("/standard/v1/users/706218827", headers=auth).status_code == 200
    assert not sim.payments
    sim.settings.allowed_addresses = frozenset({"127.0.0.1"})
    assert push(http, auth, push_body()).json()["status"]["success"] is True


def test_rate_limit_headers_and_429(
    http: httpx.Client, auth: dict[str, str], sim: AirtelSimulator, clock: FakeClock
) -> None:
    sim.settings.rate_limit_per_minute = 3
    seen = [http.get("/standard/v1/payments/x", headers=auth) for _ in range(4)]
    assert [a.status_code for a in seen] == [200, 200, 200, 429]
    assert [a.headers["x-ratelimit-remaining-minute"] for a in seen] == ["2", "1", "0", "0"]
    assert all(a.headers["x-ratelimit-limit-minute"] == "3" for a in seen)
    assert seen[3].json() == {"status_message": "API rate limit exceeded", "status_code": "429"}
    assert seen[3].headers["Retry-After"] == "60"
    assert push(http, auth, push_body()).status_code == 429
    kyc = http.get("/standard/v1/users/706218827", headers=auth)  # not counted, but told
    assert kyc.status_code == 200 and kyc.headers["x-ratelimit-remaining-minute"] == "0"
    clock.advance(60)
    assert push(http, auth, push_body()).headers["x-ratelimit-remaining-minute"] == "2"


@pytest.mark.parametrize(
    ("change", "status", "body"),
    [
        (
            {"X-Country": ""},
            400,
            {
                "status_message": f"Partner {demo.AIRTEL_CLIENT_ID} not found",
                "status_code": "ROUTER110",
            },
        ),
        (
            {"X-Country": "KE"},
            200,
            {
                "status": {
                    "code": "400",
                    "message": "Invalid country code provided.",
                    "success": False,
                    "result_code": "ROUTER006",
                }
            },
        ),
        (
            {"X-Currency": ""},
            200,
            {
                "status": {
                    "code": "400",
                    "message": "Missing request header 'x-wallet-id' "
                    "for method parameter of type String",
                    "success": False,
                    "result_code": "ESB000008",
                }
            },
        ),
        (
            {"X-Currency": "KES"},
            200,
            {
                "status": {
                    "code": "400",
                    "message": "Invalid Currency",
                    "success": False,
                    "result_code": "ROUTER112",
                }
            },
        ),
    ],
)
def test_country_and_currency_headers(
    http: httpx.Client,
    auth: dict[str, str],
    sim: AirtelSimulator,
    change: dict[str, str],
    status: int,
    body: dict[str, Any],
) -> None:
    headers = {k: v for k, v in (auth | change).items() if v}
    answer = http.post(PUSH, json=push_body(), headers=headers)
    assert (answer.status_code, answer.json()) == (status, body)
    assert not sim.payments


def test_injected_faults_have_airtel_shapes(
    http: httpx.Client, auth: dict[str, str], sim: AirtelSimulator
) -> None:
    sim.faults.fail_next, sim.faults.fail_status = 1, 408
    timed_out = push(http, auth, push_body())
    assert (timed_out.status_code, timed_out.json()) == (
        408,
        {"status_message": "I/O Exception", "status_code": "CONNECTION_TIMEOUT"},
    )
    sim.faults.fail_next, sim.faults.fail_status = 1, 503
    down = http.get("/standard/v1/payments/x", headers=auth)
    assert down.status_code == 503 and down.headers["content-type"].startswith("text/html")
    sim.faults.rate_limit_next, sim.faults.retry_after = 1, 7
    limited = http.get("/standard/v1/payments/x", headers=auth)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert not sim.payments


def test_codes_as_numbers(http: httpx.Client, auth: dict[str, str], sim: AirtelSimulator) -> None:
    sim.settings.codes_as_numbers = True
    assert push(http, auth, push_body()).json()["status"]["code"] == 200
    assert enquire(http, auth, "x")["status"]["code"] == 404


# -- memory and wiring --


def test_a_restarted_simulator_still_settles_and_refunds_once(clock: FakeClock) -> None:
    first = AirtelSimulator(AirtelSandboxSettings(approval_delay=DELAY), clock=clock)
    payment = first.create("sale-1", push_body(), first.answer_for("706218827", Decimal(1000)))
    clock.advance(DELAY)
    first.refund_payment(payment)
    lines = [json.dumps(first.remember(key)) for key in first.known()]
    again = AirtelSimulator(AirtelSandboxSettings(approval_delay=DELAY), clock=clock)
    keys = {again.recall(json.loads(line)) for line in lines}
    assert keys == {("payment", "sale-1"), ("refund", payment.airtel_money_id)}
    assert again.state_of(again.payments["sale-1"]) == ("TS", "DP00800001001")
    assert again.by_money_id(payment.airtel_money_id) is not None
    assert payment.airtel_money_id in again.refunds and again.accepted["sale-1"] == 1
    with pytest.raises((TypeError, KeyError, ValueError)):
        again.recall({"kind": "payment", "created": 1.0})


def test_registered_for_demo_mode_in_the_shop_country() -> None:
    spec = simulator("airtel")
    assert spec is not None
    made = spec.make(Config(shop=ShopConfig(country="KE")), 0.5, lambda: 0.0)
    assert isinstance(made, AirtelSimulator)
    assert (made.settings.country, made.settings.currency) == ("KE", "KES")
    assert made.settings.msisdn_digits == 9 and made.settings.approval_delay == 0.5
    elsewhere = spec.make(Config(shop=ShopConfig(country="GH")), 0.5, lambda: 0.0)
    assert isinstance(elsewhere, AirtelSimulator) and elsewhere.settings.country == "UG"
    section = spec.demo_section(Config(), AirtelConfig(environment="production", currency="USD"))
    assert isinstance(section, AirtelConfig)
    assert (section.environment, section.currency) == ("sandbox", "")
    assert section.message_signing == "off"
    assert {name.env_var: v for name, v in spec.secrets.items()} == {
        "AIRTEL_CLIENT_ID": demo.AIRTEL_CLIENT_ID,
        "AIRTEL_CLIENT_SECRET": demo.AIRTEL_CLIENT_SECRET,
    }
    standalone = spec.standalone(1.0)
    assert isinstance(standalone, AirtelSimulator) and standalone.settings.country == "UG"
