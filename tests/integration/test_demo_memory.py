"""The demo simulator's memory (sandbox/memory.py): shared by the demo processes of one till,
and robust to a damaged file."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pos_app.app.till import SANDBOX_MEMORY, Till, build_till
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment
from pos_app.platform import paths
from pos_app.platform.config import Config
from pos_app.providers.base import RemoteStatus


@pytest.fixture
def demo_world() -> None:
    paths.enter_demo_world(True)


def payment(msisdn: str = "256772123456") -> Payment:
    created, _ = Payment.create(
        provider="mtn", amount=Money(700, "UGX"), msisdn=msisdn, now=datetime.now(UTC)
    )
    return created


async def push(till: Till, msisdn: str = "256772123456") -> Payment:
    sent = payment(msisdn)
    await till.providers["mtn"].request_payment(sent, "demo")
    return sent


@pytest.mark.usefixtures("demo_world")
async def test_two_demo_processes_keep_each_others_payments() -> None:
    window, command = build_till(Config(), demo=True), build_till(Config(), demo=True)
    try:
        first = await push(window)
        second = await push(command, "256772123457")
        await push(window, "256772123458")  # saved after the other's: both still there
    finally:
        await window.aclose()
        await command.aclose()
    restarted = build_till(Config(), demo=True)
    try:
        for sent in (first, second):
            report = await restarted.providers["mtn"].payment_status(sent)
            assert report.status in (RemoteStatus.PENDING, RemoteStatus.SUCCESSFUL)
    finally:
        await restarted.aclose()


@pytest.mark.usefixtures("demo_world")
@pytest.mark.parametrize(
    "content",
    [
        "not json",
        json.dumps({"version": 99, "provider": "mtn", "entry": {}}),
        json.dumps({"version": 1, "provider": "mtn", "entry": {"kind": "requesttopay"}}),
        json.dumps({"version": 1, "provider": "mpesa", "entry": "nonsense"}),
        "\xff\xfe",
    ],
)
async def test_a_damaged_memory_starts_afresh_and_is_replaced(content: str) -> None:
    memory = paths.demo_data_dir() / SANDBOX_MEMORY
    memory.parent.mkdir(parents=True)
    memory.write_text(content)
    till = build_till(Config(), demo=True)
    try:
        sent = await push(till)
    finally:
        await till.aclose()
    saved = [json.loads(line) for line in memory.read_text().splitlines()]
    assert {record["version"] for record in saved} == {1}
    assert [r["entry"]["reference_id"] for r in saved if r["provider"] == "mtn"] == [
        sent.reference_id
    ]


async def test_outside_the_demo_world_nothing_is_remembered() -> None:
    till = build_till(Config(), demo=True)  # a test or a benchmark: the shop's folder untouched
    try:
        await push(till)
    finally:
        await till.aclose()
    assert not (paths.demo_data_dir() / SANDBOX_MEMORY).exists()
