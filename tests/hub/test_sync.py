"""A till's history uploaded to the hub: in chain order, batch by batch, exactly once in
effect; resumable after a lost answer; a history that was edited or forks is refused and shown
to the owner; bad uploads change nothing."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.domain.refunds import REFUND
from pos_app.hub import business, owner
from pos_app.hub import sync as hub_sync
from pos_app.link import outbox_sync
from pos_app.link.client import HubClient
from pos_app.link.outbox_sync import SYNCED, OutboxSync, SyncState
from pos_app.platform.secret import Secret
from pos_app.reports.day_report import load
from pos_app.store import PaymentRepository, open_database
from tests.hub.conftest import Hub, TillClient, run
from tests.unit.test_repository import T0, add, settle

S = PaymentStatus
KAMPALA = ZoneInfo("Africa/Kampala")


@dataclass
class Counter:
    path: Path
    repository: PaymentRepository
    till: TillClient
    sync: OutboxSync

    def upload(self, start: int, limit: int = 500, **changes: Any) -> Any:
        """Events after `start`, as the till would send them, with `changes` to the body."""
        batch = self.repository.outbox.batch(self.sync.till_id(), start, limit)
        return self.till.post("/v1/sync", self.sync._body(batch) | changes)


def a_day(repository: PaymentRepository) -> None:
    """Payments of every kind: paid, refused, expired, still open, one refunded in part."""
    for i in range(6):
        paid = settle(repository, add(repository, at=T0 + timedelta(minutes=i)), S.SUCCESSFUL)
    settle(repository, add(repository, minor=2500), S.FAILED)
    settle(repository, add(repository, minor=900), S.EXPIRED)
    add(repository, minor=700)  # still open
    refund, event = Payment.create(
        provider=paid.provider,
        amount=Money(500, paid.amount.currency),
        msisdn=paid.msisdn,
        now=paid.created_at + timedelta(minutes=30),
        till=paid.till,
        product=REFUND,
        refund_of=paid.reference_id,
    )
    repository.save_refund(refund, event)
    settle(repository, refund, S.SUCCESSFUL)


@pytest.fixture
async def counter(hub: Hub, tmp_path: Path) -> AsyncIterator[Counter]:
    path = tmp_path / "till.sqlite3"
    repository = PaymentRepository(open_database(path))
    till = hub.add_till("Duka", "Till 1")
    sync = OutboxSync(
        HubClient(hub.url, Secret(till.key)), repository, "Till 1", "Africa/Kampala", batch=7
    )
    yield Counter(path, repository, till, sync)
    await sync.client.aclose()
    repository.close()


async def until(sync: OutboxSync, state: SyncState, seconds: float = 20) -> None:
    """Run a sync session (a till's start) until it reaches `state`."""
    task = asyncio.create_task(sync.run())
    try:
        await until_state(sync, state, seconds)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def until_state(sync: OutboxSync, state: SyncState, seconds: float = 20) -> None:
    async with asyncio.timeout(seconds):
        while sync.state is not state:
            await asyncio.sleep(0.02)


def hub_events(hub: Hub, till: TillClient) -> list[tuple[Any, ...]]:
    return hub.sql(
        "SELECT seq, hash FROM till_events WHERE till_id = %s ORDER BY seq", till.till_id
    )


def till_events(path: Path) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT seq, till_hash FROM payment_events ORDER BY seq").fetchall()


async def test_every_event_reaches_the_hub_in_order_and_the_figures_agree(
    hub: Hub, counter: Counter
) -> None:
    a_day(counter.repository)
    await until(counter.sync, SyncState.SYNCED)
    assert hub_events(hub, counter.till) == till_events(counter.path)
    assert counter.sync.behind == 0
    assert counter.repository.link_state(SYNCED) == str(len(till_events(counter.path)))

    async def at_hub() -> Any:
        async with await psycopg.AsyncConnection.connect(hub.database_url) as conn:
            return await business.report(conn, T0.date(), KAMPALA), await business.till_states(conn)

    report, states = run(at_hub())
    assert report == load(counter.repository, T0.date(), KAMPALA, None)
    assert report.follow_up and report.refund_count == 1  # the day holds every kind
    (state,) = states
    assert (state.synced, state.behind, state.intact, state.timezone) == (
        len(till_events(counter.path)),
        0,
        True,
        "Africa/Kampala",
    )


async def test_a_batch_sent_again_after_a_lost_answer_is_taken_once(
    hub: Hub, counter: Counter
) -> None:
    a_day(counter.repository)
    first = counter.upload(0, 10)
    assert first.status_code == 200, first.text
    again = counter.upload(0, 10)  # the till never heard the first answer
    assert again.json() == first.json() == {"synced": 10}
    overlapping = counter.upload(5, 10)  # from an older point: the repeated part must match
    assert overlapping.status_code == 200 and overlapping.json() == {"synced": 15}
    assert [seq for seq, _ in hub_events(hub, counter.till)] == list(range(1, 16))
    gap = counter.upload(20, 5)
    assert gap.status_code == 409 and "send from event 16" in gap.json()["error"]
    assert len(hub_events(hub, counter.till)) == 15


async def test_a_batch_too_large_for_the_hub_goes_in_smaller_ones(
    hub: Hub, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_day(counter.repository)
    first = counter.repository.outbox.batch(counter.sync.till_id(), 0, counter.sync.full_batch)
    monkeypatch.setattr(hub_sync, "BODY_LIMIT", len(json.dumps(counter.sync._body(first))) - 1)
    await until(counter.sync, SyncState.SYNCED)
    assert hub_events(hub, counter.till) == till_events(counter.path)
    assert counter.sync.batch_size == counter.sync.full_batch  # whole batches again after


async def test_an_event_too_large_for_the_hub_is_shown_refused(
    hub: Hub, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_day(counter.repository)
    monkeypatch.setattr(hub_sync, "BODY_LIMIT", 200)  # less than any one event
    await until(counter.sync, SyncState.REFUSED)
    assert counter.sync.problem == "body too large" and counter.sync.batch_size == 1
    assert hub_events(hub, counter.till) == []


@pytest.mark.parametrize("restarted", [True, False], ids=["at the next start", "while running"])
async def test_an_edited_history_is_refused_and_shown_to_the_owner(
    hub: Hub, counter: Counter, monkeypatch: pytest.MonkeyPatch, restarted: bool
) -> None:
    a_day(counter.repository)
    monkeypatch.setattr(outbox_sync, "RECHECK", 0.5)  # checked again every 10 minutes
    running = asyncio.create_task(counter.sync.run())
    await until_state(counter.sync, SyncState.SYNCED)
    held = hub_events(hub, counter.till)
    if restarted:
        running.cancel()
    with closing(sqlite3.connect(counter.path)) as conn:  # what a SQLite shell can do
        conn.execute("DROP TRIGGER payment_events_no_update")
        conn.execute("UPDATE payment_events SET to_status = 'successful' WHERE seq = 9")
        conn.commit()
    add(counter.repository)  # something new to send
    if restarted:
        running = asyncio.create_task(counter.sync.run())
    await until_state(counter.sync, SyncState.REFUSED)
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    assert "history changed at event 9" in (counter.sync.problem or "")
    ((seq, problem),) = hub.sql(
        "SELECT broken_seq, broken_problem FROM tills WHERE id = %s", counter.till.till_id
    )
    assert seq == 9 and "does not match the chain" in problem
    assert hub_events(hub, counter.till) == held  # nothing more is taken
    refused = counter.upload(len(held), 5)
    assert refused.status_code == 409 and "history changed at event 9" in refused.text


async def test_a_rewritten_history_forks_from_what_the_hub_holds(
    hub: Hub, counter: Counter
) -> None:
    a_day(counter.repository)
    assert counter.upload(0, 10).status_code == 200
    forged = counter.upload(10, 5, previous="ab" * 32)  # event 10 is not what the hub holds
    assert forged.status_code == 409 and "event 10 differs" in forged.json()["error"]
    assert hub.sql("SELECT broken_seq FROM tills WHERE id = %s", counter.till.till_id) == [(10,)]


async def test_an_edited_payment_row_is_refused(hub: Hub, counter: Counter) -> None:
    a_day(counter.repository)
    with closing(sqlite3.connect(counter.path)) as conn:
        conn.execute("UPDATE payments SET amount_minor = 1 WHERE status = 'failed'")
        conn.commit()
    answer = counter.upload(0, 500)
    assert answer.status_code == 409 and "payments table was edited" in answer.json()["error"]
    assert hub.sql("SELECT count(*) FROM till_payments") == [(0,)]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"till_uid": "not a uuid"}, "till_uid"),
        ({"events": "all of them"}, "events must be a list"),
        ({"after": -1}, "after must be a whole number"),
        ({"after": "3"}, "after must be a whole number"),
        ({"previous": "00"}, "previous must be 64 hex"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"payments": [{"reference_id": "x", "extra": 1}]}, "payments row"),
        ({"payments": [{"reference_id": "x"}]}, "cannot be read"),
        ({"broken": "yes"}, "broken must say"),
    ],
)
async def test_a_malformed_upload_is_refused_and_changes_nothing(
    hub: Hub, counter: Counter, change: dict[str, Any], error: str
) -> None:
    a_day(counter.repository)
    answer = counter.upload(0, 5, **change)
    assert answer.status_code == 400 and error in answer.json()["error"]
    assert hub_events(hub, counter.till) == []
    assert hub.sql("SELECT synced_seq, broken_seq FROM tills") == [(0, None)]


async def test_events_out_of_order_or_not_json_or_too_large_are_refused(
    hub: Hub, counter: Counter
) -> None:
    a_day(counter.repository)
    batch = counter.repository.outbox.batch(counter.sync.till_id(), 0, 5)
    body = counter.sync._body(batch)
    body["events"] = body["events"][::-1]
    assert counter.till.post("/v1/sync", body).status_code == 400
    body["events"] = [dict(body["events"][0], seq=True)]
    assert counter.till.post("/v1/sync", body).status_code == 400
    url = f"{hub.url}/v1/sync"
    assert httpx.post(url, content=b"{", headers=counter.till.headers).status_code == 400
    huge = b'{"events": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    assert httpx.post(url, content=huge, headers=counter.till.headers).status_code == 413
    assert httpx.post(url, json={}).status_code == 401
    assert hub_events(hub, counter.till) == []


async def test_a_till_gone_mid_upload_is_no_fault_of_the_hub(
    hub: Hub,
    counter: Counter,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a_day(counter.repository)
    # uvicorn's own loggers stop short of the root logger, where caplog listens.
    monkeypatch.setattr(logging.getLogger("uvicorn"), "handlers", [caplog.handler])
    caplog.set_level(logging.ERROR, logger="uvicorn.error")  # the test hub's is critical
    address = httpx.URL(hub.url)
    with socket.create_connection((address.host, address.port)) as gone:
        gone.sendall(
            b"POST /v1/sync HTTP/1.1\r\nhost: hub\r\ncontent-type: application/json\r\n"
            + f"authorization: {counter.till.headers['authorization']}\r\n".encode()
            + b'content-length: 1000\r\n\r\n{"events": ['
        )
        await asyncio.sleep(0.5)  # the hub has begun reading it
    async with asyncio.timeout(10):
        while not hub.sql("SELECT 1 FROM tills WHERE last_seen_at IS NOT NULL"):
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    assert "Exception in ASGI application" not in caplog.text
    assert hub_events(hub, counter.till) == []
    assert counter.upload(0, 5).status_code == 200  # and the next upload is taken


async def test_a_key_stays_with_the_till_that_first_used_it(hub: Hub, counter: Counter) -> None:
    a_day(counter.repository)
    assert counter.upload(0, 3).status_code == 200
    other = counter.upload(3, 3, till_uid="6f1f4c1e-5d8a-4c4e-9f57-6c1a2b3c4d5e")
    assert other.status_code == 409 and "another till" in other.json()["error"]
    assert len(hub_events(hub, counter.till)) == 3


def away_sync(counter: Counter, port: int) -> OutboxSync:
    """The counter's till syncing to a hub that is not there (nothing listens on `port`)."""
    return OutboxSync(
        HubClient(f"http://127.0.0.1:{port}", Secret("k")), counter.repository, "Till 1", None
    )


async def test_while_the_hub_is_away_the_till_counts_what_is_not_there_yet(
    counter: Counter, unused_tcp_port: int
) -> None:
    a_day(counter.repository)
    away = away_sync(counter, unused_tcp_port)
    changed: list[int] = []
    away.changed.append(lambda: changed.append(away.behind))
    await until(away, SyncState.AWAY)
    await away.client.aclose()
    assert away.behind == len(till_events(counter.path)) > 0
    assert changed and changed[-1] == away.behind


async def test_a_till_waiting_for_an_away_hub_asks_it_about_once_a_second(
    counter: Counter, unused_tcp_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_day(counter.repository)
    away = away_sync(counter, unused_tcp_port)
    asked: list[None] = []
    ask = away.client.sync_state

    async def counted() -> dict[str, Any]:
        asked.append(None)
        return await ask()

    monkeypatch.setattr(away.client, "sync_state", counted)
    assert not await away.catch_up(3)
    await away.aclose()
    await away.client.aclose()
    # Each failure wakes the waiter, whose poke once started the next attempt at once.
    assert 2 <= len(asked) <= 6, len(asked)


async def test_a_till_linked_again_goes_on_with_its_history(hub: Hub, counter: Counter) -> None:
    a_day(counter.repository)
    assert counter.upload(0, 10).status_code == 200

    async def revoke() -> None:
        async with await psycopg.AsyncConnection.connect(hub.database_url) as conn:
            await owner.revoke(conn, counter.till.till_id)

    run(revoke())  # its key leaked: the owner revokes it and links it again
    again = hub.add_till("Duka", "Till 1")
    relinked = OutboxSync(
        HubClient(hub.url, Secret(again.key)),
        counter.repository,
        "Till 1",
        "Africa/Kampala",
        chain_key=again.till_id,
    )
    await until(relinked, SyncState.SYNCED)
    await relinked.client.aclose()
    assert hub_events(hub, again) == till_events(counter.path)  # moved, then the rest sent
    assert hub_events(hub, counter.till) == []
    assert hub.sql("SELECT DISTINCT till_id::text FROM till_payments") == [(again.till_id,)]


async def test_a_hub_restored_from_an_older_copy_is_sent_the_rest_at_once(
    hub: Hub, counter: Counter
) -> None:
    a_day(counter.repository)
    states: list[SyncState] = []
    counter.sync.changed.append(lambda: states.append(counter.sync.state))
    running = asyncio.create_task(counter.sync.run())
    await until_state(counter.sync, SyncState.SYNCED)
    hub.sql("DELETE FROM till_events WHERE seq > 10")  # the copy held only ten events
    hub.sql(
        "UPDATE tills SET synced_seq = 10,"
        " synced_hash = (SELECT hash FROM till_events WHERE seq = 10)"
    )
    add(counter.repository)
    counter.sync.poke()  # its next batch starts past what the hub holds now
    async with asyncio.timeout(10):
        while hub_events(hub, counter.till) != till_events(counter.path):
            await asyncio.sleep(0.05)
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    assert SyncState.REFUSED not in states and SyncState.AWAY not in states


@pytest.mark.parametrize("zone", ["+03:00", "-05:30", "Africa/Nairobi"])
async def test_a_till_without_a_named_zone_says_its_offset(
    hub: Hub, counter: Counter, zone: str
) -> None:
    a_day(counter.repository)
    assert counter.upload(0, 5, timezone=zone).status_code == 200

    async def states() -> Any:
        async with await psycopg.AsyncConnection.connect(hub.database_url) as conn:
            return await business.till_states(conn)

    (state,) = run(states())
    assert state.timezone == zone
    assert datetime(2026, 3, 10, 12, tzinfo=UTC).astimezone(state.zone(UTC)).utcoffset() == (
        datetime(2026, 3, 10, 12, tzinfo=UTC).astimezone(ZoneInfo("Africa/Nairobi")).utcoffset()
        if zone == "Africa/Nairobi"
        else (1 if zone[0] == "+" else -1) * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:]))
    )
