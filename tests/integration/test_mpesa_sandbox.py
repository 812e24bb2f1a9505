"""The Daraja client against the simulator, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment
from pos_app.platform.secret import Secret
from pos_app.providers.base import (
    ConfigurationProblem,
    ProviderUnavailable,
    RemoteStatus,
    RequestRejected,
)
from pos_app.providers.mpesa import rules
from pos_app.providers.mpesa.client import Initiator, MpesaClient, StkSettings
from pos_app.providers.mpesa.provider import MpesaProvider
from pos_app.providers.mpesa.security import security_credential
from pos_app.providers.resilience import RetryPolicy
from pos_app.sandbox import demo
from pos_app.sandbox.app import create_app
from pos_app.sandbox.mpesa import MpesaSandboxSettings, MpesaSimulator
from pos_app.sandbox.server import ThreadedServer

PAYBILL = StkSettings(demo.MPESA_SHORTCODE, callback_url=demo.MPESA_CALLBACK_URL)


@pytest.fixture
def sim() -> MpesaSimulator:
    return MpesaSimulator(MpesaSandboxSettings(processing_seconds=0.3))


@pytest.fixture
def server(sim: MpesaSimulator) -> Iterator[ThreadedServer]:
    with ThreadedServer(create_app(mpesa=sim)) as running:
        yield running


def make_client(server: ThreadedServer, stk: StkSettings = PAYBILL, **kwargs: Any) -> MpesaClient:
    options: dict[str, Any] = {"timeout": 2.0, "retry": RetryPolicy(attempts=4, base_delay=0.05)}
    options.update(kwargs)
    return MpesaClient(
        base_url=server.url, credentials=demo.mpesa_credentials(), stk=stk, **options
    )


@pytest.fixture
async def client(server: ThreadedServer) -> AsyncIterator[MpesaClient]:
    c = make_client(server)
    yield c
    await c.aclose()


async def push(client: MpesaClient, msisdn: str = "254708374149", amount: int = 100) -> str:
    body = client.stk_push_body(
        amount=amount, msisdn=msisdn, account_reference="SALE1", description="Groceries"
    )
    submission = await client.stk_push(body)
    assert submission.provider_request_id
    return submission.provider_request_id


async def settle(
    client: MpesaClient, checkout: str, seconds: float = 3.0
) -> tuple[RemoteStatus, str | None]:
    deadline = time.monotonic() + seconds
    while True:
        report = await client.stk_query(checkout)
        if report.status != RemoteStatus.PENDING or time.monotonic() > deadline:
            return report.status, report.reason.code if report.reason else None
        await asyncio.sleep(0.05)


async def test_success_after_the_processing_phase(client: MpesaClient, sim: MpesaSimulator) -> None:
    checkout = await push(client)
    first, second = await client.stk_query(checkout), await client.stk_query(checkout)
    # Both of Daraja's pending shapes are read as pending.
    assert {first.detail.get("errorCode"), second.detail.get("ResultCode")} == {
        "500.001.1001",
        "4999",
    }
    assert first.status == second.status == RemoteStatus.PENDING
    assert await settle(client, checkout) == (RemoteStatus.SUCCESSFUL, None)
    assert sim.charges() == 1


@pytest.mark.parametrize(
    ("msisdn", "code"),
    [
        ("254711000001", "1"),
        ("254711001032", "1032"),
        ("254711002001", "2001"),
        ("254711001037", "1037"),
        ("254711001019", "1019"),
    ],
)
async def test_scripted_failures(
    client: MpesaClient, sim: MpesaSimulator, msisdn: str, code: str
) -> None:
    checkout = await push(client, msisdn)
    assert await settle(client, checkout) == (RemoteStatus.FAILED, code)
    assert sim.charges() == 0


async def test_silent_customer_stays_pending(client: MpesaClient) -> None:
    checkout = await push(client, "254711000000")
    assert (await settle(client, checkout, seconds=0.6))[0] == RemoteStatus.PENDING


async def test_same_amount_to_same_customer_within_two_minutes_is_rule_17(
    client: MpesaClient,
) -> None:
    first = await push(client, "254722000017", 500)
    assert await settle(client, first) == (RemoteStatus.SUCCESSFUL, None)
    again = await push(client, "254722000017", 500)
    assert await settle(client, again) == (RemoteStatus.FAILED, "17")
    other_amount = await push(client, "254722000017", 501)
    assert await settle(client, other_amount) == (RemoteStatus.SUCCESSFUL, None)


async def test_a_second_push_while_one_is_open_is_refused(client: MpesaClient) -> None:
    await push(client, "254722000001", 100)
    with pytest.raises(RequestRejected, match="lock subscriber") as info:
        await push(client, "254722000001", 200)
    assert info.value.reason is not None and info.value.reason.code == "1001"


async def test_token_expiry_mid_run(client: MpesaClient, sim: MpesaSimulator) -> None:
    checkout = await push(client)
    sim.expire_tokens()
    await client.stk_query(checkout)
    assert sim.requests["token"] == 2


async def test_spike_arrest_slows_the_poller_but_fails_nothing(
    client: MpesaClient, sim: MpesaSimulator
) -> None:
    checkout = await push(client)
    sim.faults.rate_limit_next, sim.faults.retry_after = 2, 0
    assert await settle(client, checkout) == (RemoteStatus.SUCCESSFUL, None)
    sim.faults.rate_limit_next = 100
    with pytest.raises(ProviderUnavailable):
        await client.stk_query(checkout)


async def test_a_lost_push_answer_becomes_unknown_and_is_never_resent(
    client: MpesaClient, sim: MpesaSimulator
) -> None:
    await client.tokens.get()
    sim.faults.drop_next = 1
    with pytest.raises(ProviderUnavailable, match="not sent again") as info:
        await push(client, "254733000001")
    assert info.value.delivered is None
    assert sim.pushes_to("254733000001") == 1  # it arrived once; nothing was re-pushed
    assert sim.requests["push"] == 1


async def test_timed_out_push_is_not_resent(server: ThreadedServer, sim: MpesaSimulator) -> None:
    c = make_client(server, timeout=0.3, deadline=0.5)
    await c.tokens.get()
    sim.faults.hang_next, sim.faults.hang_seconds = 1, 1.0
    with pytest.raises(ProviderUnavailable):
        await push(c, "254733000002")
    await c.aclose()
    assert sim.pushes_to("254733000002") == 1


async def test_5xx_burst_on_queries_is_ridden_out(client: MpesaClient, sim: MpesaSimulator) -> None:
    checkout = await push(client)
    sim.faults.fail_next = 2
    await asyncio.sleep(0.35)
    assert (await client.stk_query(checkout)).status == RemoteStatus.SUCCESSFUL


async def test_buy_goods_till(server: ThreadedServer, sim: MpesaSimulator) -> None:
    till = make_client(
        server,
        StkSettings(
            demo.MPESA_SHORTCODE, rules.BUY_GOODS, demo.MPESA_TILL, demo.MPESA_CALLBACK_URL
        ),
    )
    checkout = await push(till, "254722000033")
    assert await settle(till, checkout) == (RemoteStatus.SUCCESSFUL, None)
    wrong = make_client(
        server,
        StkSettings(demo.MPESA_SHORTCODE, rules.BUY_GOODS, "123456", demo.MPESA_CALLBACK_URL),
    )
    checkout = await push(wrong, "254722000034")
    assert await settle(wrong, checkout) == (RemoteStatus.FAILED, "2028")
    await till.aclose()
    await wrong.aclose()


async def test_provider_charges_from_a_payment(client: MpesaClient, sim: MpesaSimulator) -> None:
    provider = MpesaProvider(client)
    payment, _ = Payment.create(
        provider="mpesa",
        amount=Money(15000, "KES"),
        msisdn="254722000044",
        now=datetime.now(UTC),
        external_id="ORDER-0042/B",
    )
    submission = await provider.request_payment(payment, "Mama Rose shop, Nairobi")
    sent = sim.pushes[submission.provider_request_id or ""].body
    assert (sent["Amount"], sent["AccountReference"], sent["TransactionDesc"]) == (
        150,
        "ORDER0042B",
        "Mama Rose sho",
    )
    fractional, _ = Payment.create(
        provider="mpesa", amount=Money(15050, "KES"), msisdn="254722000045", now=datetime.now(UTC)
    )
    with pytest.raises(RequestRejected, match="whole KES only"):
        await provider.request_payment(fractional, "Sale")
    assert sim.pushes_to("254722000045") == 0
    assert (await provider.check_health()).reachable


async def test_transaction_status_and_reversal_are_only_submitted(
    client: MpesaClient, sim: MpesaSimulator
) -> None:
    good = Initiator(
        demo.MPESA_INITIATOR,
        security_credential(Secret(demo.MPESA_INITIATOR_PASSWORD), sim.certificate_pem),
        "https://shop.example/result",
        "https://shop.example/timeout",
    )
    status = await client.transaction_status(good, "NLJ7RT61SV")
    assert status.detail["asynchronous"] and status.provider_request_id
    await client.reversal(good, "NLJ7RT61SV", 150)
    bad = Initiator(
        demo.MPESA_INITIATOR,
        security_credential(Secret("wrong"), sim.certificate_pem),
        good.result_url,
        good.queue_timeout_url,
    )
    await client.reversal(bad, "NLJ7RT61SV", 150)  # accepted now; refused at the ResultURL
    assert [r["result_code"] for r in sim.async_requests] == ["0", "0", "2001"]


# -- the simulator is as strict as Daraja ------------------------------------------------------


async def bearer(server: ThreadedServer) -> str:
    basic = base64.b64encode(
        f"{demo.MPESA_CONSUMER_KEY}:{demo.MPESA_CONSUMER_SECRET}".encode()
    ).decode()
    async with httpx.AsyncClient(base_url=server.url) as http:
        answer = await http.get(
            "/oauth/v1/generate",
            params={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {basic}"},
        )
    assert answer.json()["expires_in"] == "3600"
    return str(answer.json()["access_token"])


async def raw_push(
    server: ThreadedServer, body: dict[str, Any], token: str | None = None
) -> httpx.Response:
    """An STK push as any client would send it, with a fresh token unless one is given."""
    token = token or await bearer(server)
    async with httpx.AsyncClient(base_url=server.url) as http:
        return await http.post(
            "/mpesa/stkpush/v1/processrequest",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )


def good_body(**changes: Any) -> dict[str, Any]:
    stamp = rules.timestamp(datetime.now(UTC))
    body = {
        "BusinessShortCode": "174379",
        "Password": rules.password("174379", demo.MPESA_PASSKEY, stamp),
        "Timestamp": stamp,
        "TransactionType": "CustomerPayBillOnline",
        "Amount": 1,
        "PartyA": "254708374149",
        "PartyB": "174379",
        "PhoneNumber": "254708374149",
        "CallBackURL": "https://shop.example/cb",
        "AccountReference": "SALE1",
        "TransactionDesc": "Sale",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def stamp_at(when: datetime) -> dict[str, str]:
    stamp = when.strftime("%Y%m%d%H%M%S")
    return {"Timestamp": stamp, "Password": rules.password("174379", demo.MPESA_PASSKEY, stamp)}


def utc_stamp() -> dict[str, str]:
    return stamp_at(datetime.now(UTC))  # Nairobi is UTC+3: what Safaricom's Node library sends


def day_behind_stamp() -> dict[str, str]:
    return stamp_at(datetime.now(UTC) + timedelta(hours=3) - timedelta(days=1))


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"Password": "d3Jvbmc="}, 500, "Wrong credentials"),
        (day_behind_stamp(), 400, "Invalid Timestamp"),
        ({"Timestamp": "2024-06-07 12:30"}, 400, "Invalid Timestamp"),
        ({"BusinessShortCode": "999999"}, 500, "Merchant does not exist"),
        ({"Amount": "1.5"}, 400, "Invalid Amount"),
        ({"Amount": 1.5}, 400, "Invalid Amount"),
        ({"Amount": 0}, 400, "Invalid Amount"),
        ({"PhoneNumber": "0708374149"}, 400, "Invalid PhoneNumber"),
        ({"PartyA": "255708374149"}, 400, "Invalid PartyA"),
        ({"AccountReference": "ABCDEFGHIJKLM"}, 400, "Invalid AccountReference"),
        ({"TransactionDesc": None}, 400, "Invalid Remarks"),
        ({"TransactionDesc": "Fourteen chars"}, 400, "Invalid TransactionDesc"),
        ({"CallBackURL": "https://shop.example/mpesa/cb"}, 400, "Invalid CallBackURL"),
        ({"CallBackURL": "http://shop.example/cb"}, 400, "Invalid CallBackURL"),
        ({"TransactionType": "PayBill"}, 400, "Invalid TransactionType"),
    ],
)
async def test_simulator_refuses_what_daraja_refuses(
    server: ThreadedServer, sim: MpesaSimulator, changes: dict[str, Any], status: int, message: str
) -> None:
    answer = await raw_push(server, good_body(**changes))
    assert answer.status_code == status
    assert message in answer.json()["errorMessage"]
    assert set(answer.json()) == {"requestId", "errorCode", "errorMessage"}
    assert not sim.pushes


@pytest.mark.parametrize(
    "changes",
    [
        # Daraja's own sample mixes JSON numbers and strings; published clients send either.
        {"BusinessShortCode": 174379, "PartyB": 174379},  # mpesakit, python-daraja
        {"Amount": "1"},  # Daraja's sample
        {"PartyA": 254708374149, "PhoneNumber": 254708374149},  # python-daraja's int phone
        utc_stamp(),  # UTC, not Nairobi time
        {"Passkey": demo.MPESA_PASSKEY},  # mpesakit sends its model's extra field
    ],
)
async def test_simulator_takes_what_published_clients_send(
    server: ThreadedServer, sim: MpesaSimulator, changes: dict[str, Any]
) -> None:
    token = await bearer(server)
    answer = await raw_push(server, good_body(**changes), token)
    again = await raw_push(server, good_body(**changes), token)
    assert answer.status_code == 200 and answer.json()["ResponseCode"] == "0"
    # The same phone, however it is written, is locked while its prompt is open.
    assert "Unable to lock subscriber" in again.json()["errorMessage"]
    assert sim.pushes_to("254708374149") == 1


async def test_simulator_auth_rules(server: ThreadedServer) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        expired = await http.post(
            "/mpesa/stkpush/v1/processrequest",
            json=good_body(),
            headers={"Authorization": "Bearer stale"},
        )
        wrong = await http.get(
            "/oauth/v1/generate", params={"grant_type": "client_credentials"}, auth=("nope", "nope")
        )
        grant = await http.get(
            "/oauth/v1/generate",
            params={"grant_type": "password"},
            auth=(demo.MPESA_CONSUMER_KEY, demo.MPESA_CONSUMER_SECRET),
        )
        form = await http.post(
            "/mpesa/stkpush/v1/processrequest",
            data={"a": "b"},
            headers={"Authorization": f"Bearer {await bearer(server)}"},
        )
    assert (expired.status_code, expired.json()["errorCode"]) == (404, "404.001.03")
    assert (wrong.status_code, wrong.content) == (400, b"")
    assert grant.json()["errorCode"] == "400.008.02"
    assert "BusinessShortCode" in form.json()["errorMessage"]


async def test_in_process_mount() -> None:
    sim = MpesaSimulator(MpesaSandboxSettings(processing_seconds=0))
    c = MpesaClient(
        base_url="http://sandbox.local",
        credentials=demo.mpesa_credentials(),
        stk=PAYBILL,
        transport=httpx.ASGITransport(app=create_app(mpesa=sim)),
    )
    checkout = await push(c)
    assert (await c.stk_query(checkout)).status == RemoteStatus.SUCCESSFUL
    await c.aclose()


async def test_wrong_passkey_is_a_configuration_problem(server: ThreadedServer) -> None:
    from pos_app.providers.mpesa.client import MpesaCredentials

    c = MpesaClient(
        base_url=server.url,
        stk=PAYBILL,
        credentials=MpesaCredentials(
            Secret(demo.MPESA_CONSUMER_KEY),
            Secret(demo.MPESA_CONSUMER_SECRET),
            Secret("not-the-passkey"),
        ),
    )
    with pytest.raises(ConfigurationProblem, match="Wrong credentials"):
        await push(c)
    skewed = make_client(server, clock=lambda: datetime.now(UTC) - timedelta(days=1))
    with pytest.raises(ConfigurationProblem, match="Timestamp"):
        await push(skewed)
    await c.aclose()
    await skewed.aclose()
