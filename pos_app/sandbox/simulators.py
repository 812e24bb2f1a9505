"""The simulators, one per provider, found by the provider's id (as the provider registry
finds specs): what demo mode and `pos-app sandbox` serve.

`pos-app sandbox` sends callbacks to a hub on this machine: its Daraja simulator takes http://
and loopback callback URLs (`local_callbacks`), and two environment variables set what a
provider's portal would: POS_APP_SANDBOX_AIRTEL_CALLBACK_URL (Airtel's one callback URL) and
POS_APP_SANDBOX_MTN_CALLBACK_METHOD (PUT, the default, or POST). The demo sends none: its
Daraja callback host is `.invalid`, and it gives MTN and Airtel no callback URL."""

from __future__ import annotations

import dataclasses
import importlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, cast

from pos_app.platform.config import Config, ProviderSection
from pos_app.platform.credentials import SecretName
from pos_app.platform.secret import Secret
from pos_app.providers.airtel.countries import COUNTRIES as AIRTEL_COUNTRIES
from pos_app.providers.airtel.secrets import CLIENT_ID, CLIENT_SECRET
from pos_app.providers.airtel.settings import AirtelConfig
from pos_app.providers.mpesa.secrets import CONSUMER_KEY, CONSUMER_SECRET, PASSKEY
from pos_app.providers.mpesa.settings import MpesaConfig
from pos_app.providers.mtn import environments
from pos_app.providers.mtn.secrets import API_KEY, API_USER, DISBURSEMENT_KEY, SUBSCRIPTION_KEY
from pos_app.providers.mtn.settings import MtnConfig
from pos_app.sandbox import demo

# The simulators themselves (with Starlette and cryptography, about 0.1 s to import) load when
# one is made: a demo till reads only its section and secrets from here when it is built.
if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from pos_app.sandbox.airtel import AirtelSandboxSettings, AirtelSimulator
    from pos_app.sandbox.mpesa import MpesaSimulator
    from pos_app.sandbox.mtn import MtnSimulator

Clock = Callable[[], float]
AIRTEL_CALLBACK_ENV = "POS_APP_SANDBOX_AIRTEL_CALLBACK_URL"
MTN_CALLBACK_METHOD_ENV = "POS_APP_SANDBOX_MTN_CALLBACK_METHOD"


class Simulator(Protocol):
    def routes(self) -> list[BaseRoute]: ...


@dataclass(frozen=True)
class SimulatorSpec:
    provider: str  # the provider's id
    # A simulator for a shop (its config), whose customers answer after `approval_delay` s.
    make: Callable[[Config, float, Clock], Simulator]
    secrets: Mapping[SecretName, str]  # the simulator's public demo credentials
    # The provider's section as the demo uses it (sandbox environment, demo callback...).
    demo_section: Callable[[Config, ProviderSection], ProviderSection]
    # As the provider's own sandbox behaves, for `pos-app sandbox` (customers answer after
    # the given delay).
    standalone: Callable[[float], Simulator]

    def demo_secrets(self) -> dict[SecretName, Secret]:
        return {name: Secret(value) for name, value in self.secrets.items()}


def _demo_currency(shop_country: str) -> str:
    """The demo charges in the shop's own currency, so that it looks like the real till (the
    sandbox's EUR where MTN does not serve the shop's country)."""
    region = shop_country.upper()
    known = region in environments.TARGETS
    return environments.currency(region) if known else environments.SANDBOX_CURRENCY


def _mtn(config: Config, approval_delay: float, clock: Clock) -> MtnSimulator:
    from pos_app.sandbox.mtn import MtnSandboxSettings, MtnSimulator

    currency = _demo_currency(config.shop.country)
    return MtnSimulator(
        MtnSandboxSettings(currency=currency, approval_delay=approval_delay), clock=clock
    )


def _mtn_section(config: Config, section: ProviderSection) -> ProviderSection:
    return dataclasses.replace(
        cast(MtnConfig, section),
        environment="sandbox",
        currency=_demo_currency(config.shop.country),
        target_environment="",  # a production target (mtnrwanda...) is refused by the sandbox
        callback_url="",
    )


def _mpesa(config: Config, approval_delay: float, clock: Clock) -> MpesaSimulator:
    from pos_app.sandbox.mpesa import MpesaSandboxSettings, MpesaSimulator

    # A hub on this machine (`pos-app hub serve`) takes the demo's callbacks too.
    settings = MpesaSandboxSettings(processing_seconds=approval_delay, local_callbacks=True)
    return MpesaSimulator(settings, clock=clock)


def _mpesa_section(config: Config, section: ProviderSection) -> ProviderSection:
    return dataclasses.replace(
        cast(MpesaConfig, section),
        environment="sandbox",
        shortcode=demo.MPESA_SHORTCODE,
        transaction_type="CustomerPayBillOnline",
        party_b="",
        callback_url=demo.MPESA_CALLBACK_URL,
        initiator_name="",  # a reversal's result never reaches a till: none in the demo
    )


def _airtel_settings(shop_country: str, approval_delay: float) -> AirtelSandboxSettings:
    """The OpCo of the shop's country (Uganda's for `pos-app sandbox`), with its currency and
    number length."""
    from pos_app.sandbox.airtel import AirtelSandboxSettings

    region = shop_country.upper() if shop_country.upper() in AIRTEL_COUNTRIES else "UG"
    return AirtelSandboxSettings(
        country=region,
        currency=AIRTEL_COUNTRIES[region].currency,
        approval_delay=approval_delay,
    )


def _standalone_mtn(approval_delay: float) -> MtnSimulator:
    from pos_app.sandbox.mtn import MtnSandboxSettings, MtnSimulator

    method = os.environ.get(MTN_CALLBACK_METHOD_ENV, "").strip().upper() or "PUT"
    if method not in ("PUT", "POST"):
        raise ValueError(f"{MTN_CALLBACK_METHOD_ENV} must be PUT or POST, not {method!r}")
    return MtnSimulator(MtnSandboxSettings(approval_delay=approval_delay, callback_method=method))


def _standalone_mpesa(approval_delay: float) -> MpesaSimulator:
    from pos_app.sandbox.mpesa import MpesaSandboxSettings, MpesaSimulator

    return MpesaSimulator(
        MpesaSandboxSettings(processing_seconds=approval_delay, local_callbacks=True)
    )


def _standalone_airtel(approval_delay: float) -> AirtelSimulator:
    from pos_app.sandbox.airtel import AirtelSimulator

    settings = _airtel_settings("UG", approval_delay)
    settings.callback_url = os.environ.get(AIRTEL_CALLBACK_ENV, "").strip()
    return AirtelSimulator(settings)


def _airtel(config: Config, approval_delay: float, clock: Clock) -> AirtelSimulator:
    from pos_app.sandbox.airtel import AirtelSimulator

    return AirtelSimulator(_airtel_settings(config.shop.country, approval_delay), clock=clock)


def _airtel_section(config: Config, section: ProviderSection) -> ProviderSection:
    return dataclasses.replace(
        cast(AirtelConfig, section),
        environment="sandbox",
        currency="",
        message_signing="off",  # the simulator of the shop's country does not ask for it
        callback_url="",
    )


_SIMULATORS: dict[str, SimulatorSpec] = {
    spec.provider: spec
    for spec in (
        SimulatorSpec(
            "mtn",
            _mtn,
            {
                API_USER: demo.MTN_API_USER,
                API_KEY: demo.MTN_API_KEY,
                SUBSCRIPTION_KEY: demo.MTN_SUBSCRIPTION_KEYS["collection"],
                DISBURSEMENT_KEY: demo.MTN_SUBSCRIPTION_KEYS["disbursement"],
            },
            _mtn_section,
            _standalone_mtn,
        ),
        SimulatorSpec(
            "mpesa",
            _mpesa,
            {
                CONSUMER_KEY: demo.MPESA_CONSUMER_KEY,
                CONSUMER_SECRET: demo.MPESA_CONSUMER_SECRET,
                PASSKEY: demo.MPESA_PASSKEY,
            },
            _mpesa_section,
            _standalone_mpesa,
        ),
        SimulatorSpec(
            "airtel",
            _airtel,
            {CLIENT_ID: demo.AIRTEL_CLIENT_ID, CLIENT_SECRET: demo.AIRTEL_CLIENT_SECRET},
            _airtel_section,
            _standalone_airtel,
        ),
    )
}


def register(spec: SimulatorSpec) -> None:
    if spec.provider in _SIMULATORS:
        raise ValueError(f"a simulator for {spec.provider!r} is already installed")
    _SIMULATORS[spec.provider] = spec


def unregister(provider: str) -> None:
    _SIMULATORS.pop(provider, None)


def simulator(provider: str) -> SimulatorSpec | None:
    return _SIMULATORS.get(provider)


def load_simulators() -> None:
    """Import every built-in simulator ahead of its first use (pos_app/app/deferred.py)."""
    importlib.import_module("pos_app.sandbox.mtn")
    importlib.import_module("pos_app.sandbox.mpesa")
    importlib.import_module("pos_app.sandbox.airtel")
