"""What a provider plug-in tells the rest of the app: one `ProviderSpec` per package.

Nothing outside a provider's package (and the wiring in `app/`) knows a provider by name: the
engine, the store, the window, the reports and the commands loop over the registry's specs
and ask them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import httpx

from pos_app.domain.errors import Text, ValidationError
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment
from pos_app.domain.phone import PhoneNumber, TestNumbers
from pos_app.domain.reasons import Catalog
from pos_app.domain.receipt_codes import ReceiptCode
from pos_app.platform.config import ENVIRONMENTS, Config, ProviderSection
from pos_app.platform.credentials import SecretName, SecretStore, proxy_password
from pos_app.platform.secret import Secret
from pos_app.providers.base import PaymentProvider
from pos_app.providers.callbacks import CallbackRoute


@dataclass(frozen=True)
class Capabilities:
    # A request sent again with the same id is recognised, never charged twice: a push whose
    # answer was lost may be sent again.
    resends_with_same_id: bool
    # A payment can be asked about by our own id (else only by the provider's request id).
    asks_without_request_id: bool
    # The status answer carries the provider's receipt code (else the customer's SMS has it).
    status_gives_receipt: bool
    # What the provider never tells a till (a lost push, a reversal) is settled by a person.
    resolved_by_hand: bool
    account_lookup: bool  # the account holder's name can be asked for (Check customer)
    refunds: bool  # a refund can be sent from the till
    reports_refunds: bool  # a refund's outcome can be asked about
    partial_refunds: bool = True  # part of a payment can be refunded (else all of it only)
    # A refund whose answer was lost cannot be asked about: a person settles it.
    lost_refunds_by_hand: bool = False

    def by_hand(self, refund: bool) -> bool:
        """Whether a person settles a payment (or a refund) the provider tells a till no
        more about."""
        return self.resolved_by_hand or (refund and self.lost_refunds_by_hand)


@dataclass(frozen=True)
class ChargeRules:
    """What the provider takes in one charge, checked once before anything is saved."""

    whole_units: bool = False  # no minor units (cents)
    smallest: Decimal | None = None  # in the currency's major units
    largest: Decimal | None = None
    # How much of the cashier's message reaches the customer's prompt (the window takes no
    # more; the client cuts what a script sends).
    message_length: int | None = None

    def check(self, amount: Money, provider: str) -> None:
        """Raises ValidationError in words for the cashier."""
        if self.whole_units and amount.minor_units % (10**amount.digits):
            raise ValidationError(
                "{provider} takes whole {currency} only",
                provider=provider,
                currency=amount.currency,
            )
        value = amount.amount
        if (self.smallest is not None and value < self.smallest) or (
            self.largest is not None and value > self.largest
        ):
            raise ValidationError(
                "{provider} takes {smallest} to {largest} {currency} per payment",
                provider=provider,
                smallest=f"{self.smallest or 0:,}",
                largest=f"{self.largest:,}" if self.largest is not None else "any",
                currency=amount.currency,
            )


@dataclass(frozen=True)
class SettingRow:
    """One key of the provider's config section, as the owner edits it in the settings."""

    key: str
    label: str  # English; the window translates it (context "SettingsDialog")
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)


def connection_rows(name: str, url_hint: str) -> tuple[SettingRow, ...]:
    """The rows every provider has: on/off, environment, base URL and proxy."""
    return (
        SettingRow("enabled", f"Use {name}"),
        SettingRow(
            "environment",
            "Environment",
            choices=tuple((value, value) for value in ENVIRONMENTS),
        ),
        SettingRow("base_url", "Base URL", url_hint),
        SettingRow("proxy", "Proxy", "http://user@host:port; empty: direct"),
    )


@dataclass(frozen=True)
class BuildContext:
    """What `ProviderSpec.build` is given to make a client."""

    config: Config
    section: ProviderSection
    secrets: Mapping[SecretName, Secret]  # those found (the required ones are all there)
    base_url: str | None = None  # the demo's in-process simulator, instead of the section's
    transport: httpx.AsyncBaseTransport | None = None
    # The owner's hub's callback URLs by route path (CallbackRoute.path), once the till is
    # linked: given to the provider with each request, so its callback reaches the hub.
    callbacks: Mapping[str, str] = field(default_factory=dict)

    def proxy(self, provider: str) -> httpx.Proxy | None:
        """The section's proxy with its password from the keyring (None: direct; the demo's
        in-process simulator is never behind one)."""
        url = self.section.proxy
        if not url or self.transport is not None:
            return None
        parts = urlsplit(url)
        password = self.secrets.get(proxy_password(provider))
        if parts.username is None or password is None:
            return httpx.Proxy(url)
        # httpx takes a user in the URL over `auth`: the URL goes without it.
        bare = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        return httpx.Proxy(bare, auth=(parts.username, password.reveal()))


@dataclass(frozen=True)
class Built:
    provider: PaymentProvider
    currency: str  # what this till charges in with it
    # What works less well than configured (the provider charges all the same), for the owner.
    notices: tuple[Text, ...] = ()


@dataclass(frozen=True)
class ProviderCommand:
    """A command of the provider's own on the command line (e.g. making sandbox keys)."""

    name: str
    help: str
    add_arguments: Callable[[Any], None]  # given the argparse sub-parser
    run: Callable[[Any, Config, Any], int]  # (arguments, config, secret store) -> exit code


@dataclass(frozen=True)
class Provisioning:
    """Credentials the provider's sandbox makes on request (the owner's "Create" button): the
    owner types `key` first; `run(store, config, key, remember_key)` makes the rest, keeps
    them in the keyring and returns what to tell the owner."""

    key: SecretName
    ask_for_key: Text  # when the key is missing
    run: Callable[[SecretStore, Config, Secret, bool], Awaitable[Text]]


@dataclass(frozen=True)
class ProviderSpec:
    id: str  # stored with each payment: never change it
    name: str  # the brand, e.g. "MTN MoMo"
    short_name: str  # where room is short, e.g. "MTN"
    countries: Mapping[str, str]  # region -> the currency it charges there
    networks: tuple[str, ...]  # lower-case parts of phonenumbers' carrier names it serves
    config: type[ProviderSection]
    secrets: tuple[SecretName, ...]
    reasons: Catalog
    rules: ChargeRules
    capabilities: Capabilities
    settings: tuple[SettingRow, ...]
    rate_limit: float  # status questions per second, all payments together
    build: Callable[[BuildContext], Built]  # raises ConfigurationProblem with what to fix
    not_set_up: Text  # what to do when a required secret is missing
    receipt_code: ReceiptCode | None = None  # the code a person types from the customer's SMS
    test_numbers: TestNumbers | None = None  # the sandbox's, accepted in its environment
    commands: tuple[ProviderCommand, ...] = ()
    provisioning: Provisioning | None = None  # in the sandbox environment only
    home: str | None = None  # the one country whose numbers it charges, wherever the shop is
    # Offered only in its countries (else everywhere: a sandbox can be tried from anywhere).
    local: bool = False
    # How long "no such payment" right after a push may only mean "not visible yet".
    not_found_grace: float = 30.0
    # The callbacks the owner's hub receives for it (nothing: the hub relays none), and the
    # id a payment's callback carries (the hub matches it with what the till awaits).
    callbacks: tuple[CallbackRoute, ...] = ()
    callback_id: Callable[[Payment], str | None] = lambda payment: payment.provider_request_id
    # Registers the hub's URLs for customers' own payments to the shop's number with the
    # provider (an owner's action); returns the number. Raises ProviderError with what to do.
    customer_payments: Callable[[Config, SecretStore], Awaitable[str]] | None = None

    def section(self, config: Config) -> ProviderSection:
        return config.section(self.id, self.config)

    def required_secrets(self) -> tuple[SecretName, ...]:
        return tuple(name for name in self.secrets if name.required)

    def serves(self, phone: PhoneNumber) -> bool:
        """Whether the number's network, by its prefix, is this provider's (unknown: yes)."""
        return phone.network is None or phone.on_network(self.networks)

    def offered_in(self, shop_country: str) -> bool:
        return not self.local or self.number_region(shop_country).upper() in self.countries

    def number_region(self, shop_country: str) -> str:
        """The country whose numbers this provider charges at a shop in `shop_country`."""
        return self.home or shop_country
