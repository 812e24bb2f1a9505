"""The MTN client against the simulator, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from pos_app.cli.main import main
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment
from pos_app.platform.credentials import SERVICE
from pos_app.platform.secret import Secret
from pos_app.providers.base import ConfigurationProblem, ProviderUnavailable, RemoteStatus
from pos_app.providers.mtn.client import MtnClient, MtnCredentials
from pos_app.providers.mtn.provider import MtnProvider
from pos_app.providers.mtn.provisioning import get_api_user, provision_sandbox_user
from pos_app.providers.resilience import RetryPolicy
from pos_app.sandbox import demo
from pos_app.sandbox.app import create_app
from pos_app.sandbox.mtn import MtnSandboxSettings, MtnSimulator
from pos_app.sandbox.mtn_checks import GATEWAY_401
from pos_app.sandbox.server import ThreadedServer
from tests.conftest import MemoryKeyring
from tests.conftest import mtn_body as body

ORDINARY = "256772123456"


@pytest.fixture
def sim() -> MtnSimulator:
    return MtnSimulator(MtnSandboxSettings(approval_delay=0.2, delayed_success=0.3))


@pytest.fixture
def server(sim: MtnSimulator) -> Iterator[ThreadedServer]:
    with ThreadedServer(create_app(sim)) as running:
        yield running


def make_client(server: ThreadedServer, **kwargs: Any) -> MtnClient:
    options: dict[str, Any] = {"timeout": 2.0, "retry": RetryPolicy(attempts=4, base_delay=0.05)}
    options.update(kwargs)
    return MtnClient(
        base_url=server.url,
        target_environment="sandbox",
        credentials=demo.mtn_credentials(),
        **options,
    )


@pytest.fixture
async def client(server: ThreadedServer) -> AsyncIterator[MtnClient]:
    c = make_client(server)
    yield c
    await c.aclose()


async def settle(client: MtnClient, reference: str, seconds: float = 3.0) -> RemoteStatus:
    deadline = time.monotonic() + seconds
    while True:
        report = await client.request_to_pay_status(reference)
        if report.status != RemoteStatus.PENDING or time.monotonic() > deadline:
            return report.status
        await asyncio.sleep(0.05)


async def test_ordinary_number_is_approved_after_a_delay(
    client: MtnClient, sim: MtnSimulator
) -> None:
    reference = str(uuid.uuid4())
    await client.request_to_pay(reference, body())
    assert (await client.request_to_pay_status(reference)).status == RemoteStatus.PENDING
    assert await settle(client, reference) == RemoteStatus.SUCCESSFUL
    report = await client.request_to_pay_status(
        reference, {"amount": "12.50", "currency": "EUR", "partyId": ORDINARY}
    )
    assert report.receipt and report.receipt.isdigit()
    assert sim.charges() == 1


@pytest.mark.parametrize(
    ("msisdn", "reason"),
    [
        ("46733123450", "INTERNAL_PROCESSING_ERROR"),
        ("46733123451", "APPROVAL_REJECTED"),
        ("46733123452", "EXPIRED"),
        ("46733123455", "PAYER_NOT_FOUND"),
        ("46733123456", "PAYEE_NOT_ALLOWED_TO_RECEIVE"),
        ("46733123457", "NOT_ALLOWED"),
        ("46733123458", "NOT_ALLOWED_TARGET_ENVIRONMENT"),
        ("46733123459", "INVALID_CALLBACK_URL_HOST"),
        ("46733123460", "INVALID_CURRENCY"),
        ("46733123461", "INTERNAL_PROCESSING_ERROR"),
        ("46733123462", "SERVICE_UNAVAILABLE"),
        ("46733123463", "COULD_NOT_PERFORM_TRANSACTION"),
    ],
)
async def test_each_sandbox_failure_number(
    client: MtnClient, sim: MtnSimulator, msisdn: str, reason: str
) -> None:
    reference = str(uuid.uuid4())
    await client.request_to_pay(reference, body(msisdn))
    report = await client.request_to_pay_status(reference)
    assert report.status == RemoteStatus.FAILED
    assert report.reason is not None and report.reason.code == reason
    assert sim.charges() == 0


async def test_ongoing_never_resolves_and_delayed_succeeds(client: MtnClient) -> None:
    ongoing, delayed = str(uuid.uuid4()), str(uuid.uuid4())
    await client.request_to_pay(ongoing, body("46733123453"))
    await client.request_to_pay(delayed, body("46733123454"))
    assert (await client.request_to_pay_status(delayed)).status == RemoteStatus.PENDING
    assert await settle(client, delayed) == RemoteStatus.SUCCESSFUL
    assert await settle(client, ongoing, seconds=0.5) == RemoteStatus.PENDING
    quick = str(uuid.uuid4())
    await client.request_to_pay(quick, body("56733123453"))
    assert (await client.request_to_pay_status(quick)).status == RemoteStatus.SUCCESSFUL


async def test_unknown_reference_is_not_found(client: MtnClient) -> None:
    assert (await client.request_to_pay_status(str(uuid.uuid4()))).status == RemoteStatus.NOT_FOUND


async def test_token_expiry_mid_run_refreshes_once(client: MtnClient, sim: MtnSimulator) -> None:
    reference = str(uuid.uuid4())
    await client.request_to_pay(reference, body())
    await client.request_to_pay_status(reference)
    assert sim.requests["token collection"] == 1
    sim.expire_tokens()
    assert (await client.request_to_pay_status(reference)).status in (
        RemoteStatus.PENDING,
        RemoteStatus.SUCCESSFUL,
    )
    assert sim.requests["token collection"] == 2


async def test_short_lived_tokens_are_renewed_before_they_expire(
    server: ThreadedServer, sim: MtnSimulator
) -> None:
    sim.faults.token_ttl = 1
    c = make_client(server)
    for _ in range(4):
        await c.request_to_pay_status(str(uuid.uuid4()))
        await asyncio.sleep(0.4)
    await c.aclose()
    assert sim.requests["token collection"] >= 2
    assert sim.requests["GET requesttopay"] == 4  # no 401 round trips: renewed in time


async def test_resend_after_a_dropped_answer_does_not_charge_twice(
    client: MtnClient, sim: MtnSimulator
) -> None:
    reference = str(uuid.uuid4())
    await client.tokens["collection"].get()
    sim.faults.drop_next = 1  # processed, then the connection drops before the answer
    result = await client.request_to_pay(reference, body())
    assert result.already_existed
    assert sim.requests["POST requesttopay"] == 2
    assert sim.accepted[reference] == 1
    assert await settle(client, reference) == RemoteStatus.SUCCESSFUL
    assert sim.charges() == 1


async def test_resend_after_a_timeout_does_not_charge_twice(
    server: ThreadedServer, sim: MtnSimulator
) -> None:
    c = make_client(server, timeout=0.3, deadline=0.5)
    await c.tokens["collection"].get()
    sim.faults.hang_next, sim.faults.hang_seconds = 1, 1.0
    reference = str(uuid.uuid4())
    result = await c.request_to_pay(reference, body())
    await c.aclose()
    assert result.already_existed and sim.accepted[reference] == 1


async def test_5xx_burst_and_429_are_ridden_out(client: MtnClient, sim: MtnSimulator) -> None:
    sim.faults.fail_next = 2
    reference = str(uuid.uuid4())
    await client.request_to_pay(reference, body())
    sim.faults.rate_limit_next, sim.faults.retry_after = 1, 1
    started = time.monotonic()
    await client.request_to_pay_status(reference)
    assert time.monotonic() - started >= 1.0  # Retry-After honoured
    assert sim.accepted[reference] == 1


async def test_circuit_opens_then_recovers(server: ThreadedServer, sim: MtnSimulator) -> None:
    c = make_client(
        server,
        retry=RetryPolicy(attempts=2, base_delay=0.01),
        breaker_threshold=3,
        breaker_cooldown=0.3,
    )
    await c.tokens["collection"].get()
    sim.faults.fail_next = 1000
    for _ in range(2):
        with pytest.raises(ProviderUnavailable):
            await c.request_to_pay_status(str(uuid.uuid4()))
    provider = MtnProvider(c, "EUR")
    assert provider.health().circuit == "open" and not provider.health().reachable
    seen = sim.requests["GET requesttopay"]
    with pytest.raises(ProviderUnavailable, match="paused"):
        await c.request_to_pay_status(str(uuid.uuid4()))
    assert sim.requests["GET requesttopay"] == seen  # nothing sent while open
    sim.faults.fail_next = 0
    await asyncio.sleep(0.35)
    assert provider.health().circuit == "half-open"
    assert (await c.request_to_pay_status(str(uuid.uuid4()))).status == RemoteStatus.NOT_FOUND
    assert provider.health().reachable and provider.health().circuit == "closed"
    await c.aclose()


async def test_network_down_is_not_delivered() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once closed
    c = MtnClient(
        base_url=f"http://127.0.0.1:{port}",
        target_environment="sandbox",
        credentials=demo.mtn_credentials(),
        retry=RetryPolicy(attempts=2, base_delay=0.01),
    )
    with pytest.raises(ProviderUnavailable) as info:
        await c.request_to_pay(str(uuid.uuid4()), body())
    assert info.value.delivered is False
    await c.aclose()


async def test_quirky_answers_are_still_understood(client: MtnClient, sim: MtnSimulator) -> None:
    sim.settings.reason_as_object = True
    sim.settings.numbers_unquoted = True
    failed, paid = str(uuid.uuid4()), str(uuid.uuid4())
    await client.request_to_pay(failed, body("46733123451"))
    await client.request_to_pay(paid, body("56733123453"))
    report = await client.request_to_pay_status(failed)
    assert report.reason is not None and report.reason.code == "APPROVAL_REJECTED"
    ok = await client.request_to_pay_status(paid, {"amount": "12.50", "currency": "EUR"})
    assert ok.status == RemoteStatus.SUCCESSFUL and ok.receipt


async def test_account_holder_balance_and_notification(client: MtnClient) -> None:
    holder = await client.account_holder("46733123454")
    assert holder.active and holder.name == "Sand Box"
    assert not (await client.account_holder("46733123450")).active
    reference = str(uuid.uuid4())
    await client.request_to_pay(reference, body("56733123453"))
    assert await client.balance() == ("12.50", "EUR")
    await client.delivery_notification(reference, "Thank you for shopping")


async def test_refunds_and_transfers(client: MtnClient, sim: MtnSimulator) -> None:
    paid = str(uuid.uuid4())
    await client.request_to_pay(paid, body("56733123453"))
    refund = str(uuid.uuid4())
    note = {
        "amount": "5",
        "currency": "EUR",
        "externalId": "R1",
        "payerMessage": "Refund",
        "payeeNote": "Refund",
        "referenceIdToRefund": paid,
    }
    await client.refund(refund, note)
    assert (await client.refund_status(refund)).status == RemoteStatus.SUCCESSFUL
    too_much = str(uuid.uuid4())
    await client.refund(too_much, note | {"amount": "100"})
    assert (await client.refund_status(too_much)).status == RemoteStatus.FAILED
    transfer = {k: v for k, v in body().items() if k != "payer"} | {
        "payee": {"partyIdType": "MSISDN", "partyId": ORDINARY}
    }
    for product in ("disbursement", "remittance"):
        reference = str(uuid.uuid4())
        await client.transfer(reference, transfer, product=product)  # type: ignore[arg-type]
        status = await client.transfer_status(reference, product=product)  # type: ignore[arg-type]
        assert status.status == RemoteStatus.SUCCESSFUL
    deposit = str(uuid.uuid4())
    await client.deposit(deposit, transfer)
    assert (await client.deposit_status(deposit)).status == RemoteStatus.SUCCESSFUL


async def test_provider_sanitises_notes_the_strict_service_would_refuse(
    client: MtnClient, sim: MtnSimulator
) -> None:
    provider = MtnProvider(client, "EUR")
    payment, _ = Payment.create(
        provider="mtn",
        amount=Money(1250, "EUR"),
        msisdn=ORDINARY,
        now=datetime.now(UTC),
        payer_message="Mama's shop & co " + "x" * 300,
    )
    await provider.request_payment(payment, note="")
    sent = sim.resources[("requesttopay", payment.reference_id)].body
    assert sent["payerMessage"].startswith("Mama s shop co") and len(sent["payerMessage"]) == 160
    assert sent["payeeNote"] == "Payment" and sent["amount"] == "12.50"
    other, _ = Payment.create(
        provider="mtn", amount=Money(1500, "UGX"), msisdn=ORDINARY, now=datetime.now(UTC)
    )
    with pytest.raises(ConfigurationProblem, match="EUR"):
        await provider.request_payment(other, note="Sale")
    assert ("requesttopay", other.reference_id) not in sim.resources
    assert (await provider.check_health()).reachable


# -- the simulator is as strict as MTN ---------------------------------------------------------


async def token(server: ThreadedServer, product: str = "collection") -> str:
    async with httpx.AsyncClient(base_url=server.url) as http:
        response = await http.post(
            f"/{product}/token/",
            auth=(demo.MTN_API_USER, demo.MTN_API_KEY),
            headers={"Ocp-Apim-Subscription-Key": demo.MTN_SUBSCRIPTION_KEYS[product]},
        )
    return str(response.json()["access_token"])


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"Ocp-Apim-Subscription-Key": "wrong"}, 401, None),
        ({"Ocp-Apim-Subscription-Key": demo.MTN_SUBSCRIPTION_KEYS["disbursement"]}, 401, None),
        ({"Authorization": "Bearer not-a-token"}, 401, None),
        ({"X-Target-Environment": "mtnuganda"}, 500, "NOT_ALLOWED_TARGET_ENVIRONMENT"),
        ({"X-Reference-Id": "12345"}, 400, None),
        ({"X-Reference-Id": str(uuid.uuid1())}, 400, None),
        ({"X-Callback-Url": "https://evil.example/cb"}, 500, "INVALID_CALLBACK_URL_HOST"),
        ({"X-Callback-Url": ""}, 400, None),
        ({"body": body(currency="UGX", amount="1500")}, 500, "INVALID_CURRENCY"),
        ({"body": body(payerMessage="")}, 500, "INTERNAL_PROCESSING_ERROR"),
        ({"body": body(payeeNote="Mama's")}, 400, None),
        ({"body": body(payeeNote="A & B")}, 400, None),
        ({"body": body(payerMessage="x" * 161)}, 400, None),
        ({"body": body(amount="-5")}, 400, None),
        ({"body": body(amount="lots")}, 400, None),
        ({"body": body(payer={"partyIdType": "MSISDN", "partyId": "+256 772"})}, 400, None),
        ({"body": "not json"}, 400, None),
    ],
)
async def test_simulator_refuses_what_mtn_refuses(
    server: ThreadedServer, sim: MtnSimulator, change: dict[str, Any], status: int, code: str | None
) -> None:
    headers = {
        "Authorization": f"Bearer {await token(server)}",
        "X-Target-Environment": "sandbox",
        "X-Reference-Id": str(uuid.uuid4()),
        "Ocp-Apim-Subscription-Key": demo.MTN_SUBSCRIPTION_KEYS["collection"],
    }
    payload = change.pop("body", body())
    headers.update(change)
    async with httpx.AsyncClient(base_url=server.url) as http:
        if isinstance(payload, str):
            response = await http.post(
                "/collection/v1_0/requesttopay",
                content=payload,
                headers=headers | {"Content-Type": "application/json"},
            )
        else:
            response = await http.post(
                "/collection/v1_0/requesttopay", json=payload, headers=headers
            )
    assert response.status_code == status
    if code:
        assert response.json()["code"] == code
    if status == 401 and "Ocp-Apim-Subscription-Key" in change:
        assert response.json()["statusCode"] == 401
    assert not sim.resources


async def test_simulator_token_rules(server: ThreadedServer, sim: MtnSimulator) -> None:
    key = {"Ocp-Apim-Subscription-Key": demo.MTN_SUBSCRIPTION_KEYS["collection"]}
    good = (demo.MTN_API_USER, demo.MTN_API_KEY)
    async with httpx.AsyncClient(base_url=server.url) as http:
        wrong_key = await http.post(
            "/collection/token/", auth=(demo.MTN_API_USER, "nope"), headers=key
        )
        wrong_user = await http.post(
            "/collection/token/", auth=(str(uuid.uuid4()), demo.MTN_API_KEY), headers=key
        )
        no_auth = await http.post("/collection/token/", headers=key)
        wrong_subscription = await http.post(
            "/collection/token/", auth=good, headers={"Ocp-Apim-Subscription-Key": "wrong"}
        )
        other_product = await http.post(
            "/collection/token/",
            auth=good,
            headers={"Ocp-Apim-Subscription-Key": demo.MTN_SUBSCRIPTION_KEYS["remittance"]},
        )
        ok = await http.post("/collection/token/", auth=good, headers=key)
        sim.settings.login_failed_status = 401  # the documented schema's reading
        documented = await http.post(
            "/collection/token/", auth=(demo.MTN_API_USER, "nope"), headers=key
        )
    # A bad API user or API key: 500 login_failed, as the live sandbox answered in
    # laravel-mtn-momo #46.
    for refused in (wrong_key, wrong_user, no_auth):
        assert (refused.status_code, refused.json()) == (500, {"error": "login_failed"})
    # A bad subscription key: the API gateway's 401, body word for word.
    for refused in (wrong_subscription, other_product):
        assert (refused.status_code, refused.json()) == (401, GATEWAY_401)
    assert GATEWAY_401 == {
        "statusCode": 401,
        "message": "Access denied due to invalid subscription key. "
        "Make sure to provide a valid key for an active subscription.",
    }
    assert ok.json()["expires_in"] == 3600 and ok.json()["token_type"] == "access_token"
    assert (documented.status_code, documented.json()) == (401, {"error": "login_failed"})
    assert sim.requests["token collection"] == 7


@pytest.mark.parametrize(
    ("body_kwargs", "status"),
    [
        ({}, 200),  # no body: MTN's own examples
        ({"content": b""}, 200),
        ({"json": {}}, 200),  # sparkplug/momoapi-python
        ({"json": {"grant_type": "client_credentials"}}, 200),  # laravel-mtn-momo
        ({"json": {"grant_type": "password"}}, 400),
        ({"json": {"grant_type": "client_credentials", "scope": "all"}}, 400),
        ({"json": ["grant_type", "client_credentials"]}, 400),
        ({"data": {"grant_type": "client_credentials"}}, 400),  # form-encoded
        ({"content": b"not json", "headers": {"Content-Type": "application/json"}}, 400),
    ],
)
async def test_simulator_token_body_as_real_clients_send_it(
    server: ThreadedServer, body_kwargs: dict[str, Any], status: int
) -> None:
    headers = {"Ocp-Apim-Subscription-Key": demo.MTN_SUBSCRIPTION_KEYS["collection"]}
    headers |= body_kwargs.pop("headers", {})
    async with httpx.AsyncClient(base_url=server.url) as http:
        answer = await http.post(
            "/collection/token/",
            auth=(demo.MTN_API_USER, demo.MTN_API_KEY),
            headers=headers,
            **body_kwargs,
        )
    assert answer.status_code == status
    if status == 200:
        assert answer.json()["access_token"]
    else:
        assert answer.json()["code"] == "BAD_REQUEST"


async def test_simulator_takes_header_names_in_any_case(
    server: ThreadedServer, sim: MtnSimulator
) -> None:
    """HTTP header names are case-insensitive (HTTP/2 clients send them lower-case)."""
    headers = {
        "authorization": f"Bearer {await token(server)}",
        "x-target-environment": "sandbox",
        "x-reference-id": str(uuid.uuid4()),
        "OCP-APIM-SUBSCRIPTION-KEY": demo.MTN_SUBSCRIPTION_KEYS["collection"],
        "content-type": "application/json",
    }
    async with httpx.AsyncClient(base_url=server.url) as http:
        answer = await http.post(
            "/collection/v1_0/requesttopay", content=json.dumps(body()), headers=headers
        )
    assert answer.status_code == 202
    assert len(sim.resources) == 1


async def test_duplicate_reference_id_is_409(server: ThreadedServer, sim: MtnSimulator) -> None:
    headers = {
        "Authorization": f"Bearer {await token(server)}",
        "X-Target-Environment": "sandbox",
        "X-Reference-Id": str(uuid.uuid4()),
        "Ocp-Apim-Subscription-Key": demo.MTN_SUBSCRIPTION_KEYS["collection"],
    }
    async with httpx.AsyncClient(base_url=server.url) as http:
        first = await http.post("/collection/v1_0/requesttopay", json=body(), headers=headers)
        second = await http.post("/collection/v1_0/requesttopay", json=body(), headers=headers)
    assert first.status_code == 202 and first.content == b""
    assert second.status_code == 409 and second.json()["code"] == "RESOURCE_ALREADY_EXIST"
    assert sum(sim.accepted.values()) == 1


# -- provisioning ---------------------------------------------------------------------------


async def test_provisioned_user_can_take_payments(server: ThreadedServer) -> None:
    key = Secret(demo.MTN_SUBSCRIPTION_KEYS["collection"])
    user = await provision_sandbox_user(server.url, key, callback_host="shop.example")
    assert (await get_api_user(server.url, key, user.user_id)) == {
        "providerCallbackHost": "shop.example",
        "targetEnvironment": "sandbox",
    }
    credentials = MtnCredentials(user.user_id, user.api_key, {"collection": key})
    c = MtnClient(
        base_url=server.url,
        target_environment="sandbox",
        credentials=credentials,
        callback_url="https://shop.example/momo",
    )
    await c.request_to_pay(str(uuid.uuid4()), body())
    await c.aclose()
    with pytest.raises(ConfigurationProblem, match="HTTP 401"):
        await provision_sandbox_user(server.url, Secret("wrong-key"))


def test_mtn_setup_stores_credentials_in_the_keyring(
    server: ThreadedServer, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MTN_MOMO_BASE_URL", server.url)
    monkeypatch.setenv("MTN_MOMO_SUBSCRIPTION_KEY", demo.MTN_SUBSCRIPTION_KEYS["collection"])
    assert main(["mtn-setup", "--callback-host", "shop.example"]) == 0
    user = memory_keyring.store[(SERVICE, "mtn.api_user")]
    assert uuid.UUID(user).version == 4
    assert memory_keyring.store[(SERVICE, "mtn.api_key")]
    assert (SERVICE, "mtn.subscription_key") not in memory_keyring.store  # it came from the env


def test_mtn_setup_refuses_production_and_missing_key(
    tmp_path: Any,
    server: ThreadedServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[mtn]\nenvironment = "production"\n')
    assert main(["--config", str(config), "mtn-setup"]) == 4
    assert "only in MTN's sandbox" in capsys.readouterr().err
    monkeypatch.setenv("MTN_MOMO_BASE_URL", server.url)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    assert main(["mtn-setup"]) == 4
    assert "MTN_MOMO_SUBSCRIPTION_KEY" in capsys.readouterr().err


def test_pos_app_sandbox_serves_over_http() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "pos_app", "sandbox", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(100):
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("pos-app sandbox did not start")
        assert response.json()["status"] == "ok"
        token_answer = httpx.post(
            f"http://127.0.0.1:{port}/collection/token/",
            auth=(demo.MTN_API_USER, demo.MTN_API_KEY),
            headers={"Ocp-Apim-Subscription-Key": demo.MTN_SUBSCRIPTION_KEYS["collection"]},
        )
        assert token_answer.status_code == 200
        # As MTN's own sandbox: it takes EUR, whatever country the shop is in.
        pushed = httpx.post(
            f"http://127.0.0.1:{port}/collection/v1_0/requesttopay",
            json=body("46733123450"),
            headers={
                "Authorization": f"Bearer {token_answer.json()['access_token']}",
                "X-Reference-Id": str(uuid.uuid4()),
                "X-Target-Environment": "sandbox",
                "Ocp-Apim-Subscription-Key": demo.MTN_SUBSCRIPTION_KEYS["collection"],
            },
        )
        assert pushed.status_code == 202, pushed.text
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}" in out and "MTN_MOMO_API_USER=" in out


async def test_simulator_mounts_in_process_for_demo_mode() -> None:
    sim = MtnSimulator(MtnSandboxSettings(approval_delay=0))
    c = MtnClient(
        base_url="http://sandbox.local",
        target_environment="sandbox",
        credentials=demo.mtn_credentials(),
        transport=httpx.ASGITransport(app=create_app(sim)),
    )
    reference = str(uuid.uuid4())
    await c.request_to_pay(reference, body())
    assert (await c.request_to_pay_status(reference)).status == RemoteStatus.SUCCESSFUL
    await c.aclose()
    assert sim.charges() == 1


async def test_injected_latency_and_error_rate(server: ThreadedServer, sim: MtnSimulator) -> None:
    c = make_client(server, retry=RetryPolicy(attempts=10, base_delay=0.01), breaker_threshold=100)
    await c.tokens["collection"].get()
    sim.faults.latency = 0.2
    started = time.monotonic()
    await c.request_to_pay_status(str(uuid.uuid4()))
    assert time.monotonic() - started >= 0.2
    sim.faults.latency, sim.faults.error_rate = 0.0, 0.5
    # Seeded: unseeded, ten 500s in a row for one of the ten charges came once in ~100 runs.
    sim.faults.rng.seed(11)
    references = [str(uuid.uuid4()) for _ in range(10)]
    sent = c.requests_sent
    for reference in references:
        await c.request_to_pay(reference, body("56733123453"))
    await c.aclose()
    assert c.requests_sent - sent > 10  # some attempts got an injected 500 and were retried
    assert all(sim.accepted[r] == 1 for r in references)
    assert sim.charges() == 10
