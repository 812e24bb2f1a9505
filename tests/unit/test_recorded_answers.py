"""Real answers recorded from MTN MoMo, Safaricom Daraja and Airtel Money, fed through the real
clients.

Each file in tests/fixtures/recorded/ is one answer someone saw from the real API or sandbox
(or the providers' own documentation example), with where it was published. The client is
built on an httpx.MockTransport that gives the token call a normal token and answers the call
under test with the recorded status, headers and body every time it is asked, so retries see
the same answer. What the client does with it is mapped to the outcome the classification
table expects: final (with a result), not_processed, may_have_arrived, credentials or
keep_asking.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from pos_app.domain.reasons import Reason, reason_key
from pos_app.platform.secret import Secret
from pos_app.providers.airtel import replies as airtel_replies
from pos_app.providers.airtel.client import AirtelClient, AirtelCredentials
from pos_app.providers.airtel.signing import EncryptionKey, read_key
from pos_app.providers.base import (
    AccountHolder,
    ConfigurationProblem,
    MalformedResponse,
    ProviderUnavailable,
    RequestRejected,
    StatusReport,
    Submission,
    UnclearAnswer,
)
from pos_app.providers.mpesa.client import MpesaClient, MpesaCredentials, StkSettings
from pos_app.providers.mtn.client import MtnClient, MtnCredentials
from pos_app.providers.resilience import RetryPolicy
from tests.conftest import mtn_body as body

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "recorded"
FILES = sorted(RECORDED.glob("*.json"))

PROVIDERS = {"mtn", "mpesa", "airtel"}
CALLS = {"token", "push", "status", "refund", "refund_status", "lookup", "key"}
OUTCOMES = {"final", "not_processed", "may_have_arrived", "credentials", "keep_asking"}
RESULTS = {
    "accepted",
    "already_existed",
    "refused",
    "successful",
    "failed",
    "pending",
    "not_found",
    "token",
    "lookup",
    "key",
}
TOKEN_PATHS = re.compile(
    r"^/(collection|disbursement|remittance)/token/$|^/oauth/v1/generate$|^/auth/oauth2/token$"
)
MTN_TOKEN = {
    "access_token": "recorded-test-token",
    "token_type": "access_token",
    "expires_in": 3600,
}
MPESA_TOKEN = {"access_token": "recorded-test-token", "expires_in": "3599"}
AIRTEL_TOKEN = {"token_type": "bearer", "access_token": "recorded-test-token", "expires_in": 180}
TOKENS = {"mtn": MTN_TOKEN, "mpesa": MPESA_TOKEN, "airtel": AIRTEL_TOKEN}
# The sources the Airtel reference names (airtel-api.md §0) for the bodies it quotes (§12).
AIRTEL_SOURCES = (
    "https://github.com/robin-001/airtelmoney-py/",  # [PM] the Postman collection
    "https://github.com/mtvbrianking/laravel-airtel-money/",  # [LAR]
    "https://github.com/dramac-main/dmsuite/",  # [DOC-ZM]
    "https://github.com/fredpatch/ono_ticketr_server/",  # [DOC-UG]
    "https://github.com/global-121/121-platform/",  # [121] the mock of observed answers
)
API_USER = "0b5d1a4c-4a3e-4b7e-9c1e-2f6a8d9b7c11"


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def recorded_response(fixture: dict[str, Any]) -> httpx.Response:
    body = fixture["body"]
    if body is None:
        content = b""
    elif isinstance(body, str):
        content = body.encode()
    else:
        content = json.dumps(body).encode()
    return httpx.Response(fixture["http_status"], headers=fixture["headers"], content=content)


def transport_for(fixture: dict[str, Any]) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    token = TOKENS[fixture["provider"]]

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if fixture["call"] != "token" and TOKEN_PATHS.match(request.url.path):
            return httpx.Response(200, json=token)
        return recorded_response(fixture)

    return httpx.MockTransport(answer), seen


async def no_sleep(_seconds: float) -> None:
    return None


def mtn_client(transport: httpx.MockTransport) -> MtnClient:
    return MtnClient(
        base_url="https://mtn.test",
        target_environment="sandbox",
        credentials=MtnCredentials(
            API_USER,
            Secret("key"),
            {"collection": Secret("sub"), "disbursement": Secret("sub")},
        ),
        transport=transport,
        sleep=no_sleep,
        retry=RetryPolicy(attempts=3),
    )


def mpesa_client(transport: httpx.MockTransport) -> MpesaClient:
    return MpesaClient(
        base_url="https://daraja.test",
        credentials=MpesaCredentials(Secret("ck"), Secret("cs"), Secret("pk")),
        stk=StkSettings("174379", callback_url="https://example.com/cb"),
        transport=transport,
        sleep=no_sleep,
        retry=RetryPolicy(attempts=3),
    )


def airtel_client(transport: httpx.MockTransport) -> AirtelClient:
    return AirtelClient(
        base_url="https://openapiuat.airtel.test",
        country="UG",
        currency="UGX",
        credentials=AirtelCredentials(Secret("client-id"), Secret("client-secret")),
        transport=transport,
        sleep=no_sleep,
        retry=RetryPolicy(attempts=3),
    )


def mtn_call(client: MtnClient, fixture: dict[str, Any]) -> Callable[[], Awaitable[Any]]:
    call = fixture["call"]
    if call == "token":
        return client.tokens["collection"].get
    if call == "push":
        return lambda: client.request_to_pay(str(uuid.uuid4()), body())
    if call == "status":
        return lambda: client.request_to_pay_status(str(uuid.uuid4()), fixture.get("sent"))
    if call == "refund":
        refund = body(referenceIdToRefund=str(uuid.uuid4()))
        refund.pop("payer")
        return lambda: client.refund(str(uuid.uuid4()), refund)
    if call == "refund_status":
        return lambda: client.refund_status(str(uuid.uuid4()))
    if call == "lookup":
        return lambda: client.account_holder("46733123450")
    raise AssertionError(f"no MTN call {call!r}")


def mpesa_call(client: MpesaClient, fixture: dict[str, Any]) -> Callable[[], Awaitable[Any]]:
    call = fixture["call"]
    if call == "token":
        return client.tokens.get
    if call == "push":
        body = client.stk_push_body(
            amount=1, msisdn="254708374149", account_reference="Test", description="Test"
        )
        return lambda: client.stk_push(body)
    if call == "status":
        return lambda: client.stk_query("ws_CO_191220191020363925")
    raise AssertionError(f"no M-Pesa call {call!r}")


def airtel_call(client: AirtelClient, fixture: dict[str, Any]) -> Callable[[], Awaitable[Any]]:
    call = fixture["call"]
    if call == "token":
        return client.tokens.get
    if call == "push":
        return lambda: client.push(uuid.uuid4().hex, "700123123", 1000, "Testing transaction")
    if call == "status":
        return lambda: client.status(uuid.uuid4().hex)
    if call == "refund":
        return lambda: client.refund("CI210104.1105.C00018")
    if call == "lookup":
        return lambda: client.account_holder("700123123")
    if call == "key":
        return lambda: airtel_key(client)
    raise AssertionError(f"no Airtel call {call!r}")


async def airtel_key(client: AirtelClient) -> EncryptionKey:
    """The encryption key as a signed push reads it (client._signature, before signing)."""
    reply = await client._call(
        "lookup", "GET", "/v1/rsa/encryption-keys", "an encryption-key request"
    )
    return read_key(airtel_replies.encryption_key(reply))


def key_of(reason: Reason | None) -> str | None:
    return None if reason is None else reason_key(reason)


async def outcome_of(fixture: dict[str, Any]) -> dict[str, Any]:
    """What the real client made of the recorded answer, in the fixture's `expect` terms."""
    transport, _seen = transport_for(fixture)
    client: MtnClient | MpesaClient | AirtelClient
    if fixture["provider"] == "mtn":
        client = mtn_client(transport)
        run = mtn_call(client, fixture)
    elif fixture["provider"] == "airtel":
        client = airtel_client(transport)
        run = airtel_call(client, fixture)
    else:
        client = mpesa_client(transport)
        run = mpesa_call(client, fixture)
    try:
        value = await run()
    except ConfigurationProblem as exc:
        return {"outcome": "credentials", "error": repr(exc)}
    except RequestRejected as exc:
        return {"outcome": "final", "result": "refused", "reason": key_of(exc.reason)}
    except ProviderUnavailable as exc:
        outcome = "not_processed" if exc.delivered is False else "may_have_arrived"
        return {"outcome": outcome, "error": repr(exc)}
    except UnclearAnswer as exc:
        return {"outcome": "keep_asking", "error": repr(exc)}
    except MalformedResponse as exc:  # read as unreadable: delivery unknown, not "keep asking"
        return {"outcome": "may_have_arrived", "error": repr(exc)}
    finally:
        await client.aclose()
    if isinstance(value, Submission):
        result = "already_existed" if value.already_existed else "accepted"
        return {"outcome": "final", "result": result}
    if isinstance(value, StatusReport):
        return {
            "outcome": "final",
            "result": value.status.value,
            "reason": key_of(value.reason),
            "receipt": value.receipt,
        }
    if isinstance(value, Secret):
        return {"outcome": "final", "result": "token"}
    if isinstance(value, AccountHolder):
        return {"outcome": "final", "result": "lookup", "active": value.active, "name": value.name}
    if isinstance(value, EncryptionKey):
        return {"outcome": "final", "result": "key"}
    raise AssertionError(f"the client returned {value!r}")


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
async def test_recorded_answer_is_classified_as_the_table_says(path: Path) -> None:
    fixture = load(path)
    expect = fixture["expect"]
    got = await outcome_of(fixture)
    want = {"outcome": expect["outcome"]}
    if "result" in expect:
        want["result"] = expect["result"]
    for key in ("reason", "receipt", "active", "name"):
        if key in expect:
            want[key] = expect[key]
    assert {k: got.get(k) for k in want} == want, f"{path.name}: got {got}"


def test_the_corpus_is_large_enough() -> None:
    assert len(FILES) >= 30, f"only {len(FILES)} recorded answers"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_answer_names_where_it_was_seen(path: Path) -> None:
    fixture = load(path)
    assert fixture["provider"] in PROVIDERS
    assert fixture["call"] in CALLS
    assert isinstance(fixture["http_status"], int)
    assert isinstance(fixture["headers"], dict)
    assert "body" in fixture
    expect = fixture["expect"]
    assert expect["outcome"] in OUTCOMES
    assert ("result" in expect) == (expect["outcome"] == "final")
    if "result" in expect:
        assert expect["result"] in RESULTS
    if "reason" in expect:
        assert re.fullmatch(r"(mtn|mpesa|airtel):[A-Za-z0-9_]+", expect["reason"])
    # An MTN success is matched against what we sent, so the fixture must say it.
    if (fixture["provider"], fixture["call"], expect.get("result")) == (
        "mtn",
        "status",
        "successful",
    ):
        assert isinstance(fixture.get("sent"), dict), "an MTN success needs `sent`"
    if "sent" in fixture:
        assert all(isinstance(v, str) for v in fixture["sent"].values())
    source = fixture["source"]
    url = source.get("url", "")
    assert url.startswith("https://") or (source.get("repo") and source.get("path")), source
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", source.get("seen", "")), source
    assert source.get("what"), source
    if fixture["provider"] == "airtel":
        # The source the reference names, and whether the body was recorded or is a sample.
        assert url.startswith(AIRTEL_SOURCES), url
        note = fixture["note"].lower()
        assert "recorded" in note or "sample" in note, fixture["note"]


def test_every_airtel_body_the_reference_quotes_is_played() -> None:
    """§12's bodies (and §11 item 24): one file each, by the call and the answer it is."""
    airtel = [load(path) for path in FILES if path.name.startswith("airtel_")]
    assert all(fixture["provider"] == "airtel" for fixture in airtel)
    seen = {
        (f["call"], f["http_status"], f["expect"].get("result", f["expect"]["outcome"]))
        for f in airtel
    }
    assert {
        ("push", 200, "accepted"),
        ("push", 200, "already_existed"),
        ("push", 408, "may_have_arrived"),
        ("push", 401, "credentials"),
        ("token", 200, "token"),
        ("token", 400, "credentials"),
        ("status", 200, "successful"),
        ("status", 200, "failed"),
        ("refund", 200, "accepted"),
        ("lookup", 200, "lookup"),
        ("key", 200, "may_have_arrived"),
        ("push", 200, "credentials"),
    } <= seen
