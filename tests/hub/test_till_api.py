"""The tills' side of the hub: enrolment, keys, long-polls and claiming customer payments."""

from __future__ import annotations

import concurrent.futures
import hashlib
import threading
import time
from typing import Any

import httpx
import pytest

from tests.hub.conftest import Hub, TillClient
from tests.hub.test_callbacks import C2B, CHECKOUT, STK_SUCCESS


def test_an_enrolment_code_works_once(hub: Hub) -> None:
    till = hub.add_till()
    assert till.key.startswith("till_")
    stored = hub.sql("SELECT key_hash FROM tills")[0][0]
    assert bytes(stored) == hashlib.sha256(till.key.encode()).digest()  # only its hash is kept
    code = hub.sql("SELECT count(*) FROM enrolments WHERE used_at IS NOT NULL")
    assert code == [(1,)]


def test_a_used_mistyped_or_expired_code_is_refused(hub: Hub) -> None:
    from pos_app.hub import owner
    from tests.hub.conftest import run

    async def add() -> str:
        import psycopg

        async with await psycopg.AsyncConnection.connect(hub.database_url, autocommit=True) as c:
            return (await owner.add_till(c, "Duka", "Till 9"))[1]

    code = run(add())
    assert httpx.post(f"{hub.url}/v1/link", json={"code": "AAAA-BBBB-CCCC-DDDD"}).status_code == 403
    hub.sql("UPDATE enrolments SET expires_at = now() - interval '1 minute'")
    expired = httpx.post(f"{hub.url}/v1/link", json={"code": code})
    assert expired.status_code == 410
    assert "expired" in expired.json()["error"]
    hub.sql("UPDATE enrolments SET expires_at = now() + interval '1 hour'")
    # Typed in lower case with spaces: the same code.
    typed = code.lower().replace("-", " ")
    assert httpx.post(f"{hub.url}/v1/link", json={"code": typed}).status_code == 200
    assert httpx.post(f"{hub.url}/v1/link", json={"code": code}).status_code == 403


@pytest.mark.parametrize("body", [b"", b"[]", b'{"code": 5}', b"x" * 100_000])
def test_a_bad_enrolment_body_is_refused(hub: Hub, body: bytes) -> None:
    answer = httpx.post(f"{hub.url}/v1/link", content=body)
    assert answer.status_code in (400, 413)
    assert hub.sql("SELECT count(*) FROM tills WHERE linked_at IS NOT NULL") == [(0,)]


def test_the_till_learns_its_callback_urls(hub: Hub) -> None:
    till = hub.add_till()
    answer = till.get("/v1/till").json()
    assert answer["shop"] == "Duka"
    assert answer["callbacks"] == hub.callback_urls


@pytest.mark.parametrize("key", ["", "Bearer", "Bearer till_nope", "Basic abc"])
def test_a_missing_or_unknown_key_is_refused(hub: Hub, key: str) -> None:
    answer = httpx.get(f"{hub.url}/v1/events", headers={"authorization": key})
    assert answer.status_code == 401


@pytest.mark.parametrize("after", ["-1", "abc", "1" + "0" * 30, "1.5", ""])
def test_a_bad_cursor_is_refused(hub: Hub, after: str) -> None:
    till = hub.add_till()
    assert till.get("/v1/events", after=after).status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"request_id": CHECKOUT, "payment_id": "p", "amount": 1},
        {"request_id": CHECKOUT, "payment_id": "p", "amount": "-1"},
        {"request_id": CHECKOUT, "payment_id": "p", "amount": "1.005"},
        {"request_id": CHECKOUT, "payment_id": "p", "amount": "NaN"},
        {"request_id": "a b", "payment_id": "p", "amount": "1.00"},
        {"request_id": CHECKOUT, "payment_id": "p", "amount": "1.00", "provider": "visa"},
        {"request_id": CHECKOUT, "payment_id": "p", "amount": "1.00", "phone": "+254"},
    ],
)
def test_a_bad_await_is_refused(hub: Hub, body: dict[str, Any]) -> None:
    till = hub.add_till()
    assert till.awaits(**body).status_code == 400
    assert hub.sql("SELECT count(*) FROM awaits") == [(0,)]


def test_a_request_id_awaited_by_another_till_is_refused(hub: Hub) -> None:
    first, second = hub.add_till("Duka", "Till 1"), hub.add_till("Duka", "Till 2")
    assert first.awaits(request_id=CHECKOUT, payment_id="p1", amount="1.00").status_code == 201
    assert first.awaits(request_id=CHECKOUT, payment_id="p1", amount="1.00").status_code == 200
    assert second.awaits(request_id=CHECKOUT, payment_id="p2", amount="1.00").status_code == 409


def test_a_till_sees_only_its_own_outcomes(hub: Hub) -> None:
    mine, neighbour = hub.add_till("Duka", "Till 1"), hub.add_till("Duka", "Till 2")
    other_shop = hub.add_till("Other", "Till 1")
    mine.awaits(request_id=CHECKOUT, payment_id="p1", amount="1.00")
    hub.callback("daraja/stk", STK_SUCCESS)
    assert len(mine.events()) == 1
    assert neighbour.events() == []
    assert other_shop.events() == []


def test_a_long_poll_is_woken_by_a_callback(hub: Hub) -> None:
    till = hub.add_till()
    till.awaits(request_id=CHECKOUT, payment_id="p1", amount="1.00")
    got: list[Any] = []
    poll = threading.Thread(target=lambda: got.extend(till.events(wait=20)))
    poll.start()
    time.sleep(0.5)
    assert poll.is_alive()  # held: nothing yet
    hub.callback("daraja/stk", STK_SUCCESS)
    poll.join(timeout=15)
    assert not poll.is_alive()
    assert [e["body"]["receipt_code"] for e in got] == ["NLJ7RT61SV"]


def test_an_empty_long_poll_keeps_the_cursor(hub: Hub) -> None:
    till = hub.add_till()
    till.awaits(request_id=CHECKOUT, payment_id="p1", amount="1.00")
    hub.callback("daraja/stk", STK_SUCCESS)
    assert len(till.events()) == 1
    cursor = till.cursor
    assert till.events(wait=0.3) == []
    assert till.cursor == cursor


def test_a_cursor_past_the_hubs_last_event_reads_on_from_there(hub: Hub) -> None:
    """A hub restored from an older backup hands out lower ids again: a till that had read
    further must not skip what comes next."""
    till = hub.add_till()
    till.cursor = 41
    assert till.events(wait=0.3) == []
    assert till.cursor == 0
    till.cursor = 41
    till.awaits(request_id=CHECKOUT, payment_id="p1", amount="1.00")
    hub.callback("daraja/stk", STK_SUCCESS)
    assert [e["body"]["payment_id"] for e in till.events()] == ["p1"]


def test_a_revoked_till_is_refused_at_once_even_while_waiting(hub: Hub) -> None:
    from pos_app.hub import owner
    from tests.hub.conftest import run

    till = hub.add_till()
    statuses: list[int] = []

    def poll() -> None:
        answer = httpx.get(
            f"{hub.url}/v1/events", params={"wait": 20}, headers=till.headers, timeout=30
        )
        statuses.append(answer.status_code)

    thread = threading.Thread(target=poll)
    thread.start()
    time.sleep(0.5)

    async def revoke() -> None:
        import psycopg

        async with await psycopg.AsyncConnection.connect(hub.database_url, autocommit=True) as c:
            await owner.revoke(c, till.till_id)

    run(revoke())
    thread.join(timeout=10)
    assert statuses == [401]
    assert till.get("/v1/events").status_code == 401


def _unclaimed(till: TillClient) -> list[str]:
    return [p["trans_id"] for p in till.get("/v1/c2b").json()["payments"]]


def test_one_of_two_tills_claims_a_customer_payment(hub: Hub) -> None:
    hub.bind_shortcode("Duka", "600966")
    first, second = hub.add_till("Duka", "Till 1"), hub.add_till("Duka", "Till 2")
    hub.callback("daraja/c2b/confirmation", C2B)
    assert _unclaimed(first) == _unclaimed(second) == ["RKL51ZDR4F"]
    barrier = threading.Barrier(2)

    def claim(till: TillClient) -> int:
        barrier.wait()
        return till.post("/v1/c2b/RKL51ZDR4F/claim", {"sale": f"sale-{till.till_id}"}).status_code

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(claim, (first, second)))
    assert statuses == [200, 409]
    assert _unclaimed(first) == _unclaimed(second) == []
    assert hub.sql("SELECT count(*) FROM c2b_payments WHERE claimed_by IS NOT NULL") == [(1,)]
    kinds = [e["kind"] for e in second.events()]
    assert kinds == ["c2b", "c2b_claimed"]


def test_another_shops_till_cannot_claim(hub: Hub) -> None:
    hub.bind_shortcode("Duka", "600966")
    hub.add_till("Duka", "Till 1")
    stranger = hub.add_till("Other", "Till 1")
    hub.callback("daraja/c2b/confirmation", C2B)
    assert stranger.post("/v1/c2b/RKL51ZDR4F/claim", {"sale": "s"}).status_code == 409
    assert hub.sql("SELECT claimed_by FROM c2b_payments") == [(None,)]
