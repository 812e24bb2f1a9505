"""A till linked to the hub: callbacks move payments only when the provider agrees, carry
the M-Pesa code to the receipt, and spare status queries; without the hub, polling as before."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.engine.engine import PaymentEngine
from pos_app.link.client import HubClient, HubError
from pos_app.link.hub_link import CURSOR, HubLink, LinkState
from pos_app.platform.secret import Secret
from pos_app.providers.mpesa.client import MpesaClient, StkSettings
from pos_app.providers.mpesa.provider import MpesaProvider
from pos_app.providers.resilience import RetryPolicy
from pos_app.sandbox import demo
from pos_app.sandbox.app import create_app
from pos_app.sandbox.mpesa import MpesaSandboxSettings, MpesaSimulator
from pos_app.sandbox.server import ThreadedServer
from pos_app.store import PaymentRepository, open_database
from tests.conftest import charge_request
from tests.hub.conftest import Hub, TillClient
from tests.hub.test_callbacks import C2B, STK_CANCELLED, STK_SUCCESS
from tests.integration.conftest import policy

S = PaymentStatus
KES = Money(10000, "KES")


def _paid(amount: float) -> dict[str, Any]:
    body = copy.deepcopy(STK_SUCCESS)
    for item in body["Body"]["stkCallback"]["CallbackMetadata"]["Item"]:
        if item["Name"] == "Amount":
            item["Value"] = amount
    return body


STK_SUCCESS_100 = _paid(100.0)
PAID = "254708374149"
PROCESSING = 0.4  # the simulated customer's time to answer
CANCELS = "254711001032"


@dataclass
class Counter:
    """A till on the M-Pesa simulator, linked to the hub."""

    hub: Hub
    till: TillClient
    sim: MpesaSimulator
    engine: PaymentEngine
    link: HubLink
    repo: PaymentRepository

    async def connected(self) -> None:
        self.link.start()
        for _ in range(200):
            if self.link.up:
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"the link is {self.link.state}")

    async def pending(self, msisdn: str = PAID) -> Payment:
        payment = await self.engine.charge(charge_request("mpesa", KES, msisdn))
        for _ in range(200):
            payment = self.engine.current(payment.reference_id)
            if payment.status == S.PENDING:
                return payment
            await asyncio.sleep(0.01)
        raise AssertionError(f"payment is {payment.status}")

    async def callback(self, payment: Payment, body: dict[str, Any]) -> None:
        """Post the provider's callback for `payment`, once the customer has answered (as
        the provider does)."""
        await asyncio.sleep(PROCESSING)
        text = json.dumps(body).replace(
            "ws_CO_191220191020363925", str(payment.provider_request_id)
        )
        answer = await asyncio.to_thread(self.hub.callback, "daraja/stk", json.loads(text))
        assert answer.status_code == 200

    async def final(self, payment: Payment, timeout: float = 10) -> Payment:
        assert await self.engine.settle([payment.reference_id], timeout=timeout)
        return self.engine.current(payment.reference_id)


@pytest.fixture
def simulator() -> Iterator[tuple[MpesaSimulator, ThreadedServer]]:
    # The test posts the provider's callbacks itself: the simulator's own go nowhere.
    sim = MpesaSimulator(MpesaSandboxSettings(processing_seconds=PROCESSING))
    with ThreadedServer(create_app(None, sim)) as server:
        yield sim, server


@pytest.fixture
async def counter(
    hub: Hub, simulator: tuple[MpesaSimulator, ThreadedServer], tmp_path: Path
) -> AsyncIterator[Counter]:
    sim, server = simulator
    till = hub.add_till()
    db = open_database(tmp_path / "till.sqlite3")
    repo = PaymentRepository(db)
    client = MpesaClient(
        base_url=server.url,
        credentials=demo.mpesa_credentials(),
        retry=RetryPolicy(attempts=3, base_delay=0.02),
        timeout=2.0,
        stk=StkSettings(
            demo.MPESA_SHORTCODE, callback_url=hub.callback_urls["daraja/stk"], to_hub=True
        ),
    )
    # While the hub is up, asked soon all the same (a till's default is half a minute).
    relaxed = policy(relaxed_first=0.3, relaxed_interval=0.3)
    engine = PaymentEngine(repo, {"mpesa": MpesaProvider(client)}, {"mpesa": relaxed})
    link = HubLink(HubClient(hub.url, Secret(till.key)), repo, currencies={"mpesa": "KES"})
    engine.relay, link.listener = link, engine
    yield Counter(hub, till, sim, engine, link, repo)
    await engine.aclose()
    db.close()


async def test_the_callback_brings_the_receipt_code_with_one_status_query(
    counter: Counter,
) -> None:
    counter.engine.policies["mpesa"] = policy()  # half a minute before asking, hub up
    await counter.connected()
    payment = await counter.pending()
    queries = counter.engine.status_queries
    await counter.callback(payment, STK_SUCCESS_100)
    final = await counter.final(payment)
    assert final.status == S.SUCCESSFUL
    assert (final.provider_transaction_id, final.receipt_source) == ("NLJ7RT61SV", "callback")
    # The callback came before the first poll (the hub is up): asked once, to confirm.
    assert counter.engine.status_queries - queries <= 2
    events = counter.repo.events(payment.reference_id)
    assert events[-1].detail.get("callback") == "confirmed"


async def test_a_forged_success_moves_nothing(counter: Counter) -> None:
    await counter.connected()
    payment = await counter.pending(CANCELS)
    forged = copy.deepcopy(STK_SUCCESS_100)  # right secret and number, wrong story
    forged["Body"]["stkCallback"]["CallbackMetadata"]["Item"][3]["Value"] = int(CANCELS)
    await counter.callback(payment, forged)
    final = await counter.final(payment)
    assert final.status == S.FAILED
    assert final.provider_transaction_id is None


async def test_twenty_duplicates_make_one_state_change(counter: Counter) -> None:
    await counter.connected()
    payment = await counter.pending()
    await asyncio.gather(*(counter.callback(payment, STK_SUCCESS_100) for _ in range(20)))
    final = await counter.final(payment)
    assert final.status == S.SUCCESSFUL
    events = counter.repo.events(payment.reference_id)
    moves = [e for e in events if e.to_status == S.SUCCESSFUL and e.from_status != S.SUCCESSFUL]
    assert len(moves) == 1
    assert counter.hub.sql("SELECT count(*) FROM events") == [(1,)]


async def test_a_code_typed_by_the_cashier_is_flagged_not_overwritten(counter: Counter) -> None:
    # Paid by polling (no callback yet), the cashier typed the SMS's code: a typo.
    await counter.connected()
    payment = await counter.pending()
    assert (await counter.final(payment)).status == S.SUCCESSFUL
    counter.engine.add_receipt(payment.reference_id, "NLJ7RT61SX")
    await counter.callback(payment, STK_SUCCESS_100)
    for _ in range(200):
        events = counter.repo.events(payment.reference_id)
        if "receipt_disagrees" in events[-1].detail:
            break
        await asyncio.sleep(0.02)
    assert events[-1].detail["receipt_disagrees"] == {
        "provider": "NLJ7RT61SV",
        "typed": "NLJ7RT61SX",
    }
    assert counter.engine.current(payment.reference_id).provider_transaction_id == "NLJ7RT61SX"


async def test_a_late_callback_adds_the_code_to_a_paid_payment(counter: Counter) -> None:
    await counter.connected()
    payment = await counter.pending()
    assert (await counter.final(payment)).status == S.SUCCESSFUL
    await counter.callback(payment, STK_SUCCESS_100)
    for _ in range(200):
        current = counter.engine.current(payment.reference_id)
        if current.provider_transaction_id:
            break
        await asyncio.sleep(0.02)
    assert (current.provider_transaction_id, current.receipt_source) == ("NLJ7RT61SV", "callback")


async def test_without_the_hub_the_till_polls_as_before(counter: Counter) -> None:
    counter.link.client = HubClient("http://127.0.0.1:9", Secret(counter.till.key))
    counter.link.start()
    payment = await counter.pending()
    final = await counter.final(payment)
    assert final.status == S.SUCCESSFUL
    assert counter.link.state is LinkState.RECONNECTING
    assert final.receipt_source is None  # no code without the callback


async def test_the_cursor_is_kept_across_restarts(counter: Counter) -> None:
    await counter.connected()
    payment = await counter.pending()
    await counter.callback(payment, STK_CANCELLED)
    await counter.final(payment)
    for _ in range(100):
        if counter.repo.link_state(CURSOR):
            break
        await asyncio.sleep(0.02)
    assert int(counter.repo.link_state(CURSOR) or 0) > 0


async def test_an_expired_payment_is_corrected_by_its_callback(counter: Counter) -> None:
    """A callback after the till gave up waiting: the payment is asked about at once."""
    counter.engine.policies["mpesa"] = policy(
        approval_timeout=0.1, late_window=0.0, relaxed_first=0.05, relaxed_interval=0.05
    )
    counter.sim.settings.processing_seconds = 1.5  # the customer answers after the till gave up
    await counter.connected()
    payment = await counter.pending()
    for _ in range(250):
        if counter.engine.current(payment.reference_id).status == S.EXPIRED:
            break
        await asyncio.sleep(0.02)
    assert counter.engine.current(payment.reference_id).status == S.EXPIRED
    await asyncio.sleep(1.5)  # the customer answers: the provider calls back
    await counter.callback(payment, STK_SUCCESS_100)
    for _ in range(200):
        current = counter.engine.current(payment.reference_id)
        if current.status == S.SUCCESSFUL:
            break
        await asyncio.sleep(0.02)
    assert (current.status, current.provider_transaction_id) == (S.SUCCESSFUL, "NLJ7RT61SV")


async def test_a_paid_callback_the_provider_contradicts_says_check_the_sms(
    counter: Counter,
) -> None:
    await counter.connected()
    payment = await counter.pending(CANCELS)
    forged = copy.deepcopy(STK_SUCCESS_100)
    forged["Body"]["stkCallback"]["CallbackMetadata"]["Item"][3]["Value"] = int(CANCELS)
    await counter.callback(payment, forged)
    final = await counter.final(payment)
    assert (final.status, final.reason) == (S.FAILED, "app:CALLBACK_SAID_PAID")


async def test_taking_a_customer_payment_again_after_a_lost_answer(counter: Counter) -> None:
    counter.hub.bind_shortcode("Duka", "600966")
    await asyncio.to_thread(counter.hub.callback, "daraja/c2b/confirmation", C2B)
    (listed,) = await counter.link.client.customer_payments()
    # The first try reached the hub, its answer did not reach the till.
    sale = "9f8e7d6c-5b4a-4321-8765-0123456789ab"
    counter.repo.set_link_state(f"claim:{listed.trans_id}", sale)
    await counter.link.client.claim(listed.trans_id, sale)
    taken = await counter.link.take(listed)  # the cashier presses again: the same sale
    assert (taken.reference_id, taken.provider_transaction_id) == (sale, "RKL51ZDR4F")
    assert (taken.product, taken.receipt_source) == ("c2b", "c2b")


async def test_a_customer_payment_this_till_cannot_record_is_not_claimed(
    counter: Counter,
) -> None:
    counter.hub.bind_shortcode("Duka", "600966")
    await asyncio.to_thread(counter.hub.callback, "daraja/c2b/confirmation", C2B)
    (listed,) = await counter.link.client.customer_payments()
    counter.link.currencies.clear()  # M-Pesa is not set up at this till
    with pytest.raises(HubError):
        await counter.link.take(listed)
    assert counter.hub.sql("SELECT claimed_by FROM c2b_payments") == [(None,)]
