from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QApplication

from pos_app.app.translations import install_translators
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.platform.config import ShopConfig

S = PaymentStatus
NOW = datetime(2026, 3, 14, 9, 5, tzinfo=UTC)  # 09:05 in Abidjan and Accra, 12:05 in Nairobi
REFERENCE = "5f0c2a9e-7d41-4b8a-9c3e-2b6d1f4a8e07"
LONG_SHOP = "Épicerie Générale de la Côte d'Ivoire chez Tantie Adélaïde et Fils"


def shop(country: str = "CI", name: str = LONG_SHOP, language: str = "") -> ShopConfig:
    return ShopConfig(name=name, country=country, till="Caisse 2", language=language)


def paid(
    provider: str = "mtn",
    amount: Money | None = None,
    msisdn: str = "2250551234567",
    *,
    cashier: str | None = "Adélaïde Kouamé",
    code: str | None = "1627092895",
    reference_id: str = REFERENCE,
) -> Payment:
    payment, _ = Payment.create(
        provider=provider,
        amount=amount or Money(12500, "XOF"),
        msisdn=msisdn,
        now=NOW,
        external_id="CMD-0042",
        cashier=cashier,
        reference_id=reference_id,
    )
    return dataclasses.replace(payment, status=S.SUCCESSFUL, provider_transaction_id=code)


@pytest.fixture
def french(qapp: QApplication) -> Iterator[None]:
    installed = install_translators(qapp, "fr")
    assert installed
    yield
    for translator in installed:
        qapp.removeTranslator(translator)
