from __future__ import annotations

import pytest

from pos_app.domain.countries import COUNTRIES
from pos_app.providers import registry
from pos_app.providers.airtel.spec import SPEC as AIRTEL
from pos_app.providers.mpesa.spec import SPEC as MPESA
from pos_app.providers.mtn.environments import SANDBOX_URL, TARGETS, resolve
from pos_app.providers.mtn.settings import MtnConfig
from pos_app.providers.mtn.spec import SPEC as MTN
from pos_app.providers.mtn.text import sanitize_note

MTN_COUNTRIES = sorted(MTN.countries)


def test_every_mtn_country_has_a_target_environment() -> None:
    assert sorted(TARGETS) == MTN_COUNTRIES
    assert len(MTN_COUNTRIES) == 11
    # Every country the app serves has a built-in provider; MTN and M-Pesa never meet.
    assert set(MTN_COUNTRIES).isdisjoint(MPESA.countries)
    served = set(MTN_COUNTRIES) | set(MPESA.countries) | set(AIRTEL.countries)
    assert served == set(COUNTRIES)
    assert registry.spec("mtn") is MTN
    assert all(MTN.countries[r] == COUNTRIES[r].currency for r in MTN_COUNTRIES)


@pytest.mark.parametrize("region", MTN_COUNTRIES)
def test_sandbox_is_eur_everywhere(region: str) -> None:
    env = resolve(MtnConfig(environment="sandbox"), region)
    assert (env.base_url, env.target_environment, env.currency) == (SANDBOX_URL, "sandbox", "EUR")
    assert env.is_sandbox


@pytest.mark.parametrize(
    ("region", "target", "currency", "host"),
    [
        ("UG", "mtnuganda", "UGX", "proxy.momoapi.mtn.com"),
        ("GH", "mtnghana", "GHS", "proxy.momoapi.mtn.com"),
        ("CI", "mtnivorycoast", "XOF", "proxy.momoapi.mtn.com"),
        ("CM", "mtncameroon", "XAF", "proxy.momoapi.mtn.com"),
        ("GN", "mtnguineaconakry", "GNF", "proxy.momoapi.mtn.com"),
        ("RW", "mtnrwanda", "RWF", "proxy.momoapi.mtn.co.rw"),
        ("ZM", "mtnzambia", "ZMW", "proxy.momoapi.mtn.com"),
        ("BJ", "mtnbenin", "XOF", "proxy.momoapi.mtn.com"),
        ("CG", "mtncongo", "XAF", "proxy.momoapi.mtn.com"),
    ],
)
def test_production_uses_the_country(region: str, target: str, currency: str, host: str) -> None:
    env = resolve(MtnConfig(environment="production"), region)
    assert (env.target_environment, env.currency) == (target, currency)
    assert env.base_url == f"https://{host}"
    assert not env.is_sandbox


def test_config_overrides_win() -> None:
    config = MtnConfig(
        environment="production",
        base_url="http://127.0.0.1:9",
        target_environment="mtnguineac",
        currency="GNF",
    )
    env = resolve(config, "GN")
    assert (env.base_url, env.target_environment, env.currency) == (
        "http://127.0.0.1:9",
        "mtnguineac",
        "GNF",
    )


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("Mama's shop & co", "Mama s shop co"),
        ("", "Payment"),
        (None, "Payment"),
        ("   ", "Payment"),
        ("Café <b>", "Cafe b"),
        ("Order #12: 3×bread", "Order 12 3 bread"),
        ("x" * 200, "x" * 160),
    ],
)
def test_notes_are_what_mtn_accepts(typed: str | None, sent: str) -> None:
    assert sanitize_note(typed) == sent


def test_note_fallback() -> None:
    assert sanitize_note("'&'", fallback="Sale 12") == "Sale 12"
