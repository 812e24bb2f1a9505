"""A provider pos-app has never heard of (tests/testpay.py), plugged in through the registries:
offered for its customers' numbers, charged end to end, in the records and the day report, and
an open payment survives a restart. No line of pos_app/ knows it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pos_app.app.till import build_till
from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money
from pos_app.domain.payment import PaymentStatus
from pos_app.engine.engine import ChargeRequest
from pos_app.platform.credentials import SecretStore
from pos_app.providers import registry
from pos_app.reports.day_report import load, render_text, sections
from pos_app.reports.records import write_csv
from pos_app.sandbox.app import create_app
from pos_app.sandbox.server import ThreadedServer
from pos_app.store import PaymentRepository, open_database
from pos_app.store.repository import PaymentFilter
from tests import testpay


@pytest.fixture(autouse=True)
def _installed() -> Iterator[None]:
    with testpay.installed():
        yield


def _repository(folder: Path) -> PaymentRepository:
    return PaymentRepository(open_database(folder / "till.db"))


def test_it_is_offered_for_its_own_customers_numbers_and_no_other() -> None:
    till = build_till(testpay.shop(), demo=True, approval_delay=0.2)
    assert "testpay" in till.providers and till.currencies["testpay"] == "UGX"
    assert till.suggest_provider("0712 123 456") == "testpay"  # a UTL number
    assert till.suggest_provider("0772 123 456") == "mtn"
    problem = till.network_problem("testpay", till.read_phone("testpay", "0772123456"))
    assert problem is not None and "choose MTN MoMo" in str(problem)
    with pytest.raises(ValueError, match="TestPay takes 500 to 5,000,000 UGX per payment"):
        till.parse_amount("testpay", "100")  # its own rules, checked by the till
    assert till.parse_amount("mtn", "100").amount == 100  # not another provider's


async def test_it_charges_end_to_end_and_shows_in_records_and_report(tmp_path: Path) -> None:
    till = build_till(testpay.shop(), demo=True, approval_delay=0.2)
    engine = till.engine(_repository(tmp_path))
    try:
        paid_amount, paid_phone = till.parse_charge("testpay", "25000", "0712123456")
        paid = await engine.charge(ChargeRequest("testpay", paid_amount, paid_phone))
        declined_amount, declined_phone = till.parse_charge("testpay", "1000", "0712000013")
        declined = await engine.charge(ChargeRequest("testpay", declined_amount, declined_phone))
        assert await engine.settle([paid.reference_id, declined.reference_id], timeout=15)
        with pytest.raises(ValidationError, match="TestPay takes 500 to"):
            await engine.charge(ChargeRequest("testpay", Money(100, "UGX"), paid_phone))
    finally:
        await engine.aclose()
    repository = engine.repository
    paid, declined = repository.get(paid.reference_id), repository.get(declined.reference_id)
    assert paid.status == PaymentStatus.SUCCESSFUL
    assert paid.provider_transaction_id == f"TP{paid.reference_id[:8].upper()}"
    assert declined.status == PaymentStatus.FAILED
    reason = registry.reason(declined.reason or "")
    assert reason.message == "Not enough money on the customer's TestPay wallet"

    out = io.StringIO()
    write_csv([paid, declined], out)
    rows = out.getvalue().splitlines()
    assert sum("testpay" in row for row in rows[1:]) == 2
    assert repository.count(PaymentFilter()) == 2  # the amount it refused was never saved

    config = testpay.shop()
    report = load(repository, datetime.now(UTC).date(), UTC, None)
    text = render_text(sections(report, config.shop, UTC))
    assert "TestPay · paid" in text and "TestPay · refused" in text


def test_an_open_payment_survives_a_restart(tmp_path: Path) -> None:
    import asyncio

    simulator = testpay.TestPaySimulator(approval_delay=1.5)
    with ThreadedServer(create_app(others={"testpay": simulator})) as server:
        environ = {"TESTPAY_API_KEY": testpay.DEMO_KEY, "TESTPAY_BASE_URL": server.url}
        config = testpay.shop()
        from pos_app.platform.config import apply_env

        with pytest.MonkeyPatch.context() as patch:
            for name, value in environ.items():
                patch.setenv(name, value)
            config = apply_env(config, registry.config_sections())
        secrets = SecretStore(environ=environ, names=registry.secret_names())

        async def first() -> str:
            till = build_till(config, demo=False, secrets=secrets)
            engine = till.engine(_repository(tmp_path))
            amount, phone = till.parse_charge("testpay", "5000", "0712123456")
            payment = await engine.charge(ChargeRequest("testpay", amount, phone))
            assert payment.status == PaymentStatus.PENDING
            await engine.aclose()  # the till stops before the customer answers
            return payment.reference_id

        async def second(reference_id: str) -> PaymentStatus:
            till = build_till(config, demo=False, secrets=secrets)
            engine = till.engine(_repository(tmp_path))
            try:
                assert [p.reference_id for p in engine.resume()] == [reference_id]
                assert await engine.settle([reference_id], timeout=15)
                return engine.current(reference_id).status
            finally:
                await engine.aclose()

        reference_id = asyncio.run(first())
        assert asyncio.run(second(reference_id)) == PaymentStatus.SUCCESSFUL
        assert simulator.posts == 1  # asked about after the restart, never charged again
