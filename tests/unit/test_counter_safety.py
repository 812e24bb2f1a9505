"""The amount guard and the network check of a till (issue 23), without a window."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pos_app.app.till import Till, build_till
from pos_app.domain.amount_guard import AmountGuard, AmountTooLarge
from pos_app.domain.money import Money
from pos_app.domain.phone import WrongNetwork
from pos_app.platform.config import Config, ConfigError, ShopConfig, parse_config
from pos_app.providers import registry
from pos_app.providers.mtn.spec import SPEC as MTN


def till_for(**shop: Any) -> Till:
    config = Config(shop=dataclasses.replace(ShopConfig(), **shop))
    return build_till(config, demo=True)


def test_default_limits_by_currency() -> None:
    guard = AmountGuard.for_currency("UGX")
    assert guard.largest == Money(5_000_000, "UGX")
    assert guard.confirm_above == Money(500_000, "UGX")
    kes = AmountGuard.for_currency("KES")
    assert kes.largest == Money(250_000_00, "KES")  # M-Pesa's own maximum


def test_an_extra_zero_is_refused_and_named() -> None:
    till = till_for()
    with pytest.raises(AmountTooLarge) as refused:
        till.parse_amount("mtn", "50000000")
    assert "USh50,000,000" in str(refused.value)
    assert "USh5,000,000" in str(refused.value)
    assert till.parse_amount("mtn", "5000000") == Money(5_000_000, "UGX")


def test_owner_settings_replace_the_defaults() -> None:
    till = till_for(largest_charge=200_000.0, confirm_above=50_000.0)
    with pytest.raises(AmountTooLarge):
        till.parse_amount("mtn", "200001")
    assert not till.needs_confirmation(Money(50_000, "UGX"))
    assert till.needs_confirmation(Money(50_001, "UGX"))


def test_settings_of_the_shops_currency_do_not_apply_to_another() -> None:
    # A Kenyan shop's limits are in shillings; the demo's MTN charges in EUR.
    till = till_for(country="KE", largest_charge=100.0)
    with pytest.raises(AmountTooLarge):
        till.parse_amount("mpesa", "101")
    assert till.parse_amount("mtn", "500") == Money(500_00, "EUR")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("largest_charge = -1", "must be zero"),
        ("confirm_above = -5", "must be zero"),
        ("largest_charge = 1000\nconfirm_above = 2000", "must not be more than"),
        ('country = "GH"\nlargest_charge = 10.555', "GHS"),
        ('allow_ported_numbers = "yes"', "true or false"),
    ],
)
def test_bad_limits_in_the_config_are_refused(text: str, problem: str) -> None:
    import tomllib

    with pytest.raises(ConfigError, match=problem):
        parse_config(
            tomllib.loads(f"[shop]\n{text}\n"), Path("config.toml"), registry.config_sections()
        )


def test_a_number_of_another_network_is_refused_naming_it() -> None:
    till = till_for()
    with pytest.raises(WrongNetwork, match="Airtel"):
        till.parse_phone("mtn", "0701 234 567")
    assert till.parse_phone("mtn", "0772 123 456").msisdn == "256772123456"
    assert till.parse_phone("mtn", "46733123450").region is None


def test_a_safaricom_number_passes_and_an_airtel_one_does_not_for_mpesa() -> None:
    till = till_for(country="KE")
    assert till.network_problem("mpesa", till.parse_phone("mpesa", "0712 345 678")) is None
    with pytest.raises(WrongNetwork, match="Airtel"):
        till.parse_phone("mpesa", "0733 123 456")


def test_ported_numbers_allowed_by_the_owner_are_charged_with_a_note() -> None:
    till = till_for(allow_ported_numbers=True)
    phone = till.parse_phone("mtn", "0701234567")
    assert phone.msisdn == "256701234567"
    note = till.network_problem("mtn", phone)
    assert note is not None and "Airtel" in str(note)


def test_guard_defaults_cover_every_country_currency() -> None:
    from pos_app.domain.amount_guard import DEFAULT_LARGEST
    from pos_app.domain.countries import COUNTRIES

    assert {c.currency for c in COUNTRIES.values()} <= set(DEFAULT_LARGEST)
    assert all(v > Decimal(0) for v in DEFAULT_LARGEST.values())


@pytest.mark.parametrize(
    ("country", "number"),
    [
        ("UG", "0772 123 456"),
        ("GH", "024 123 4567"),
        ("RW", "078 123 4567"),
        ("ZM", "096 123 4567"),
        ("NG", "0803 123 4567"),
        ("BJ", "01 96 12 34 56"),
        ("CM", "677 12 34 56"),
        ("CG", "06 123 4567"),
        ("CI", "05 01 23 45 67"),
        ("GW", "966 123 456"),  # MTN's network there is named Spacetel in the carrier data
        ("GN", "660 11 11 11"),  # and Areeba in Guinea
    ],
)
def test_an_mtn_number_of_every_mtn_country_passes(country: str, number: str) -> None:
    phone = till_for(country=country).parse_phone("mtn", number)
    assert phone.network is not None and MTN.serves(phone)
