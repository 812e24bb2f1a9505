"""Assembling a till: which providers it talks to (real ones from the config and the secrets,
or the built-in simulators in demo mode), in which currency, and how a charge is checked.

The wiring: providers come from the registry and are asked, never named."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import httpx

from pos_app.app.demo_sandbox import Asgi, LazySandbox
from pos_app.app.hub_wiring import hub_callbacks, hub_link
from pos_app.domain.amount_guard import AmountGuard
from pos_app.domain.countries import Provider
from pos_app.domain.errors import ValidationError, message_of
from pos_app.domain.money import Money
from pos_app.domain.phone import PhoneNumber, WrongNetwork, parse_phone
from pos_app.engine.engine import Checkpoint, PaymentEngine, PollPolicy, not_set_up
from pos_app.engine.schedule import AdaptiveSchedule
from pos_app.link.hub_link import HubLink
from pos_app.platform import paths
from pos_app.platform.config import Config, ProviderSection
from pos_app.platform.credentials import SecretName, SecretStore
from pos_app.platform.secret import Secret
from pos_app.providers import registry
from pos_app.providers.base import ConfigurationProblem, Health, PaymentProvider
from pos_app.providers.spec import BuildContext, ProviderSpec
from pos_app.store import PaymentRepository

log = logging.getLogger(__name__)
SANDBOX_MEMORY = "sandbox.json"  # the demo simulators' memory, in the demo world's folder
DEMO_URL = "http://demo.sandbox.pos-app"  # never resolved: requests go to the in-process app


class SetupProblem(Exception):
    """A provider cannot be used as configured; the message says what to fix."""


@dataclass
class Till:
    config: Config
    demo: bool
    providers: dict[Provider, PaymentProvider] = field(default_factory=dict)
    currencies: dict[Provider, str] = field(default_factory=dict)
    policies: dict[Provider, PollPolicy] = field(default_factory=dict)
    unavailable: dict[Provider, str] = field(default_factory=dict)  # why a provider is missing
    notices: dict[Provider, list[str]] = field(default_factory=dict)  # what works less well
    sandbox: object | None = None  # the in-process simulator app, in demo mode
    secrets: SecretStore | None = None
    link: HubLink | None = None  # to the owner's hub, once an engine is made (if linked)

    def engine(
        self,
        repository: PaymentRepository,
        *,
        max_concurrent_requests: int = 8,
        checkpoint: Checkpoint | None = None,
    ) -> PaymentEngine:
        engine = PaymentEngine(
            repository,
            self.providers,
            self.policies,
            note=self.config.shop.name,
            till=self.config.shop.till,
            max_concurrent_requests=max_concurrent_requests,
            checkpoint=checkpoint,
        )
        self.link = hub_link(
            self.config, self.secrets or secret_store(), repository, self.currencies
        )
        if self.link is not None:
            engine.relay = self.link
            self.link.listener = engine
        return engine

    def _unavailable(self, provider: Provider) -> str:
        return self.unavailable.get(provider) or not_set_up(provider)

    def parse_amount(self, provider: Provider, amount_text: str) -> Money:
        """The amount typed for `provider`, within the provider's and the owner's limits."""
        if provider not in self.providers:
            raise SetupProblem(self._unavailable(provider))
        locale = self.config.shop.effective_locale
        amount = Money.parse(amount_text, self.currencies[provider], locale)
        self.spec(provider).rules.check(amount, registry.name(provider))
        self.guard(amount.currency).check(amount, locale)
        return amount

    def spec(self, provider: Provider) -> ProviderSpec:
        found = registry.spec(provider)
        if found is None:
            raise SetupProblem(not_set_up(provider))
        return found

    def guard(self, currency: str) -> AmountGuard:
        """The owner's limits apply to the shop's currency; another one (MTN's sandbox EUR)
        has its default limits."""
        shop = self.config.shop
        own = currency == shop.country_info.currency

        def setting(value: float) -> Decimal | None:
            return Decimal(str(value)) if own and value > 0 else None

        return AmountGuard.for_currency(
            currency, setting(shop.largest_charge), setting(shop.confirm_above)
        )

    def needs_confirmation(self, amount: Money) -> bool:
        """Whether the cashier must confirm this amount a second time before it is sent."""
        return self.guard(amount.currency).needs_confirmation(amount)

    def suggest_provider(self, phone_text: str) -> Provider | None:
        """This till's provider for the number's network, when the numbering plan tells. The
        number is read as the shop's country's first, then as each provider's own country's
        (a provider that charges one country's numbers wherever the shop is)."""
        shop = self.config.shop.country
        regions = {p: self.spec(p).number_region(shop) for p in self.providers}
        for region in dict.fromkeys([shop, *regions.values()]):
            readers = [p for p, there in regions.items() if there == region] or list(regions)
            phone = self._first_reading(readers, phone_text)
            if phone is not None:
                found = registry.for_number(phone, tuple(self.providers))
                return found.id if found is not None else None
        return None

    def _first_reading(self, providers: list[Provider], phone_text: str) -> PhoneNumber | None:
        for provider in providers:
            try:
                return self.read_phone(provider, phone_text)
            except ValidationError:
                continue
        return None

    def read_phone(self, provider: Provider, phone_text: str) -> PhoneNumber:
        """The number as `provider` reads it (its country's, or its sandbox's test numbers),
        whatever its network."""
        spec = self.spec(provider)
        sandbox = self.demo or spec.section(self.config).environment == "sandbox"
        return parse_phone(
            phone_text,
            spec.number_region(self.config.shop.country),
            test_numbers=spec.test_numbers if sandbox else None,
        )

    def parse_phone(self, provider: Provider, phone_text: str) -> PhoneNumber:
        """The customer's number for `provider`; raises WrongNetwork for a number of another
        network unless the owner allows ported numbers."""
        if provider not in self.providers:
            raise SetupProblem(self._unavailable(provider))
        phone = self.read_phone(provider, phone_text)
        if (problem := self.network_problem(provider, phone)) is not None and not (
            self.config.shop.allow_ported_numbers
        ):
            raise problem
        return phone

    def network_problem(self, provider: Provider, phone: PhoneNumber) -> WrongNetwork | None:
        """What is wrong when the number's network (by its prefix) is not `provider`'s, with
        the provider to choose instead when this till has it."""
        if self.spec(provider).serves(phone):
            return None
        other = registry.for_number(phone, tuple(self.providers))
        if other is not None:
            return WrongNetwork(
                "{text} is on the {network} network, not {provider}: choose {other}",
                text=phone.international(),
                network=phone.network,
                provider=registry.name(provider),
                other=other.name,
            )
        return WrongNetwork(
            "{text} is on the {network} network: {provider} cannot charge it. Ask the "
            "customer for another number, or another way to pay",
            text=phone.international(),
            network=phone.network,
            provider=registry.name(provider),
        )

    def parse_charge(
        self, provider: Provider, amount_text: str, phone_text: str
    ) -> tuple[Money, PhoneNumber]:
        """Check what the cashier typed; raises ValidationError (or SetupProblem)."""
        return self.parse_amount(provider, amount_text), self.parse_phone(provider, phone_text)

    async def aclose(self) -> None:
        for provider in self.providers.values():
            await provider.aclose()

    async def check_and_close(self) -> dict[str, Health]:
        """Each provider's health, by a real token fetch, then close: a one-off check (doctor,
        the settings' connection test), not for a till that goes on charging."""
        try:
            return {name: await p.check_health() for name, p in self.providers.items()}
        finally:
            await self.aclose()


def secret_store() -> SecretStore:
    """The keyring and environment, knowing every installed provider's secrets (its
    messages name their environment variables)."""
    return SecretStore(names=registry.secret_names())


def build_till(
    config: Config, *, demo: bool, secrets: SecretStore | None = None, approval_delay: float = 6.0
) -> Till:
    """A till with every installed provider its config enables: real ones with the secrets
    found, or in demo mode the simulators (in process, on the wall clock)."""
    store = secrets or secret_store()
    till = Till(config, demo, secrets=store)
    callbacks = hub_callbacks(config, store)
    enabled = [
        spec
        for spec in registry.specs()
        if spec.section(config).enabled and spec.offered_in(config.shop.country)
    ]
    transport = _demo_transport(till, enabled, approval_delay) if demo else None
    for spec in enabled:
        if demo:
            context = _demo_context(config, spec, transport)
        else:
            context = _real_context(config, spec, store)
        if context is None:
            till.unavailable[spec.id] = spec.not_set_up
            continue
        context = replace(context, callbacks=callbacks)
        try:
            built = spec.build(context)
        except ConfigurationProblem as exc:
            till.unavailable[spec.id] = message_of(exc)
            continue
        till.providers[spec.id] = built.provider
        till.currencies[spec.id] = built.currency
        if built.notices:
            till.notices[spec.id] = list(built.notices)
            log.warning("%s: %s", spec.id, "; ".join(built.notices))
        till.policies[spec.id] = poll_policy(spec, context.section)
    return till


def poll_policy(spec: ProviderSpec, section: ProviderSection) -> PollPolicy:
    """How a till asks `spec`'s provider about its payments, by its config section."""
    return PollPolicy(
        schedule=AdaptiveSchedule(
            first_poll=section.first_poll_seconds, max_interval=section.max_poll_interval_seconds
        ),
        approval_timeout=section.approval_timeout_seconds,
        rate_limit=spec.rate_limit,
        not_found_grace=spec.not_found_grace,
    )


def _real_context(config: Config, spec: ProviderSpec, store: SecretStore) -> BuildContext | None:
    """None when a required secret is missing."""
    found: dict[SecretName, Secret] = {}
    for name in spec.secrets:
        value = store.get(name)
        if value is not None:
            found[name] = value
        elif name.required:
            return None
    return BuildContext(config, spec.section(config), found)


def _demo_context(
    config: Config, spec: ProviderSpec, transport: httpx.AsyncBaseTransport | None
) -> BuildContext | None:
    from pos_app.sandbox.simulators import simulator

    found = simulator(spec.id)
    if found is None:
        return None  # a provider without a simulator has no demo
    section = found.demo_section(config, spec.section(config))
    return BuildContext(
        config, section, found.demo_secrets(), base_url=DEMO_URL, transport=transport
    )


def _demo_transport(
    till: Till, enabled: list[ProviderSpec], approval_delay: float
) -> httpx.AsyncBaseTransport:
    """Every enabled provider's simulator as one in-process app, made at its first request."""

    def make() -> tuple[Any, Asgi]:
        from pos_app.sandbox.app import create_app
        from pos_app.sandbox.memory import RememberingSandbox
        from pos_app.sandbox.simulators import simulator

        made = {}
        for spec in enabled:
            found = simulator(spec.id)
            if found is not None:
                # On the wall clock, remembered in the demo folder: a restart forgets none.
                made[spec.id] = found.make(till.config, approval_delay, time.time)
        app = create_app(others=made)
        # Only a process in the demo world (the demo window and commands) remembers: a test
        # or a benchmark building a demo till must not touch the shop's demo folder.
        if remembering:
            return app, RememberingSandbox(app, paths.demo_data_dir() / SANDBOX_MEMORY)
        return app, app

    remembering = paths.in_demo_world()
    sandbox = LazySandbox(make)
    till.sandbox = sandbox
    return httpx.ASGITransport(app=sandbox)
