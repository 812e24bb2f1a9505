"""The wiring (app/till.py): what the demo takes from the live settings, and a setting that
only refunds need."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pos_app.app.till import build_till
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.engine.engine import ChargeRequest, PaymentEngine
from pos_app.platform.config import Config, ShopConfig
from pos_app.platform.credentials import SecretStore
from pos_app.providers import registry
from pos_app.providers.mpesa.settings import MpesaConfig
from pos_app.providers.mtn.settings import MtnConfig
from pos_app.store import PaymentRepository, open_database


async def test_the_demo_charges_whatever_production_target_the_live_settings_name(
    tmp_path: Path,
) -> None:
    live = MtnConfig(environment="production", target_environment="mtnrwanda")
    config = Config(shop=ShopConfig(country="RW"), providers={"mtn": live})
    till = build_till(config, demo=True, approval_delay=0.2)
    engine = till.engine(PaymentRepository(open_database(tmp_path / "demo.db")))
    try:
        amount, phone = till.parse_charge("mtn", "1000", "0788 123 456")
        payment = await engine.charge(ChargeRequest("mtn", amount, phone))
        assert await engine.settle([payment.reference_id], timeout=15)
        assert engine.current(payment.reference_id).status == PaymentStatus.SUCCESSFUL
    finally:
        await engine.aclose()


def test_an_unreadable_refund_certificate_leaves_charging_on_and_says_so(tmp_path: Path) -> None:
    section = MpesaConfig(
        callback_url="https://shop.example/cb",
        initiator_name="api",
        certificate=str(tmp_path / "missing.cer"),
        result_url="https://shop.example/result",
    )
    environ = {
        "MPESA_CONSUMER_KEY": "k",
        "MPESA_CONSUMER_SECRET": "s",
        "MPESA_PASSKEY": "p",
        "MPESA_INITIATOR_PASSWORD": "pw",
    }
    config = Config(shop=ShopConfig(country="KE"), providers={"mpesa": section})
    secrets = SecretStore(environ=environ, names=registry.secret_names())
    till = build_till(config, demo=False, secrets=secrets)
    assert "mpesa" in till.providers and "mpesa" not in till.unavailable
    [notice] = till.notices["mpesa"]
    assert "missing.cer" in notice and "by hand" in notice
    assert not till.providers["mpesa"].sends_refund(_paid_with_code())  # the owner reverses


def _paid_with_code() -> Payment:
    payment, _ = Payment.create(
        provider="mpesa", amount=Money(10_000, "KES"), msisdn="254712345678", now=datetime.now(UTC)
    )
    return dataclasses.replace(payment, provider_transaction_id="NLJ7RT61SV")


def test_an_engine_refuses_a_provider_whose_plug_in_is_not_installed(tmp_path: Path) -> None:
    till = build_till(Config(), demo=True)
    repository = PaymentRepository(open_database(tmp_path / "till.db"))
    with pytest.raises(ValueError, match="no provider 'ghost' is installed"):
        PaymentEngine(repository, {"ghost": till.providers["mtn"]})


async def test_a_local_provider_is_offered_only_in_its_countries() -> None:
    # Airtel wallets are of one country: a Ghanaian shop's till has no Airtel (and says
    # nothing of it being "not set up"); a Ugandan one has it, with its own enquiry grace.
    ghana = build_till(Config(shop=ShopConfig(country="GH")), demo=True)
    uganda = build_till(Config(shop=ShopConfig(country="UG")), demo=True)
    try:
        assert "airtel" not in ghana.providers and "airtel" not in ghana.unavailable
        assert "mtn" in ghana.providers
        assert "airtel" in uganda.providers
        assert uganda.policies["airtel"].not_found_grace == 90.0
        assert uganda.policies["mtn"].not_found_grace == 30.0
    finally:
        await ghana.aclose()
        await uganda.aclose()
