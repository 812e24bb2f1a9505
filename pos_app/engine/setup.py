"""Assembling a till: which providers it talks to (real ones from the config and the secrets,
or the built-in simulator in demo mode), in which currency, and how a charge is checked."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx

from pos_app import paths
from pos_app.config import Config
from pos_app.credentials import MPESA_SECRETS, MTN_SECRETS, Secret, SecretName, SecretStore
from pos_app.domain.amount_guard import AmountGuard
from pos_app.domain.countries import PROVIDER_NAMES, Provider
from pos_app.domain.errors import Text, ValidationError, message_of
from pos_app.domain.money import Money
from pos_app.domain.phone import PhoneNumber, WrongNetwork, parse_phone
from pos_app.engine.engine import Checkpoint, PaymentEngine, PollPolicy, not_set_up
from pos_app.engine.schedule import AdaptiveSchedule
from pos_app.providers.base import ConfigurationProblem, Health, PaymentProvider
from pos_app.providers.mpesa import rules
from pos_app.providers.mpesa.client import (
    Initiator,
    MpesaClient,
    MpesaCredentials,
    StkSettings,
)
from pos_app.providers.mpesa.provider import MpesaProvider
from pos_app.providers.mpesa.security import security_credential
from pos_app.providers.mtn import environments
from pos_app.providers.mtn.client import MtnClient, MtnCredentials, Product
from pos_app.providers.mtn.provider import MtnProvider
from pos_app.store import PaymentRepository

SANDBOX_MEMORY = "sandbox.json"  # the demo simulator's memory, in the demo world's folder
DEMO_URL = "http://demo.sandbox.pos-app"  # never resolved: requests go to the in-process app
# Status queries per second: MTN documents 10 (since raised to 150 per IP); Daraja publishes no
# figure, so stay gentle.
RATE_LIMITS: dict[Provider, float] = {"mtn": 10.0, "mpesa": 5.0}


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
    sandbox: object | None = None  # the in-process simulator app, in demo mode

    def engine(
        self,
        repository: PaymentRepository,
        *,
        max_concurrent_requests: int = 8,
        checkpoint: Checkpoint | None = None,
    ) -> PaymentEngine:
        return PaymentEngine(
            repository,
            self.providers,
            self.policies,
            note=self.config.shop.name,
            till=self.config.shop.till,
            max_concurrent_requests=max_concurrent_requests,
            checkpoint=checkpoint,
        )

    def _unavailable(self, provider: Provider) -> str:
        return self.unavailable.get(provider) or not_set_up(provider)

    def parse_amount(self, provider: Provider, amount_text: str) -> Money:
        """The amount typed for `provider`, within the provider's and the owner's limits."""
        if provider not in self.providers:
            raise SetupProblem(self._unavailable(provider))
        locale = self.config.shop.effective_locale
        amount = Money.parse(amount_text, self.currencies[provider], locale)
        if provider == "mpesa":
            if amount.minor_units % 100:
                raise ValidationError("M-Pesa takes whole shillings only")
            shillings = amount.minor_units // 100
            if not rules.MIN_AMOUNT <= shillings <= rules.MAX_AMOUNT:
                raise ValidationError(
                    "M-Pesa takes 1 to {most:,} KES per payment", most=rules.MAX_AMOUNT
                )
        self.guard(amount.currency).check(amount, locale)
        return amount

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
        """MTN or M-Pesa by the number's network, when the numbering plan tells."""
        regions = [self.config.shop.country] + (["KE"] if "mpesa" in self.providers else [])
        for region in dict.fromkeys(regions):
            try:
                phone = parse_phone(phone_text, region, mtn_sandbox="mtn" in self.providers)
            except ValidationError:
                continue
            suggestion = phone.suggested_provider
            return suggestion if suggestion in self.providers else None
        return None

    def parse_phone(self, provider: Provider, phone_text: str) -> PhoneNumber:
        """The customer's number for `provider`; raises WrongNetwork for a number of another
        network unless the owner allows ported numbers."""
        if provider not in self.providers:
            raise SetupProblem(self._unavailable(provider))
        if provider == "mpesa":
            phone = parse_phone(phone_text, "KE")  # M-Pesa is Kenyan
        else:
            sandbox_numbers = self.demo or self.config.mtn.environment == "sandbox"
            phone = parse_phone(phone_text, self.config.shop.country, mtn_sandbox=sandbox_numbers)
        if (problem := self.network_problem(provider, phone)) is not None and not (
            self.config.shop.allow_ported_numbers
        ):
            raise problem
        return phone

    def network_problem(self, provider: Provider, phone: PhoneNumber) -> WrongNetwork | None:
        """What is wrong when the number's network (by its prefix) is not `provider`'s, with
        the provider to choose instead when this till has it."""
        if phone.belongs_to(provider):
            return None
        other = phone.suggested_provider
        if other is not None and other in self.providers:
            return WrongNetwork(
                "{text} is on the {network} network, not {provider}: choose {other}",
                text=phone.international(),
                network=phone.network,
                provider=PROVIDER_NAMES[provider],
                other=PROVIDER_NAMES[other],
            )
        return WrongNetwork(
            "{text} is on the {network} network: {provider} cannot charge it. Ask the "
            "customer for another number, or another way to pay",
            text=phone.international(),
            network=phone.network,
            provider=PROVIDER_NAMES[provider],
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


def _policy(
    first_poll: float, max_interval: float, approval_timeout: float, provider: Provider
) -> PollPolicy:
    return PollPolicy(
        schedule=AdaptiveSchedule(first_poll=first_poll, max_interval=max_interval),
        approval_timeout=approval_timeout,
        rate_limit=RATE_LIMITS[provider],
    )


def build_till(
    config: Config, *, demo: bool, secrets: SecretStore | None = None, approval_delay: float = 6.0
) -> Till:
    till = Till(config, demo)
    mtn, mpesa = config.mtn, config.mpesa
    if mtn.enabled:
        till.policies["mtn"] = _policy(
            mtn.first_poll_seconds,
            mtn.max_poll_interval_seconds,
            mtn.approval_timeout_seconds,
            "mtn",
        )
    if mpesa.enabled:
        till.policies["mpesa"] = _policy(
            mpesa.first_poll_seconds,
            mpesa.max_poll_interval_seconds,
            mpesa.approval_timeout_seconds,
            "mpesa",
        )
    if demo:
        _demo_providers(till, approval_delay)
    else:
        _real_providers(till, secrets or SecretStore())
    for name in list(till.policies):
        if name not in till.providers:
            del till.policies[name]
    return till


def _demo_providers(till: Till, approval_delay: float) -> None:
    from pos_app.sandbox import demo
    from pos_app.sandbox.app import create_app
    from pos_app.sandbox.memory import RememberingSandbox
    from pos_app.sandbox.mpesa import MpesaSandboxSettings, MpesaSimulator
    from pos_app.sandbox.mtn import MtnSandboxSettings, MtnSimulator

    config = till.config
    # The demo charges in the shop's own currency, so it looks like the real till.
    currency = config.shop.country_info.currency if config.shop.country != "KE" else "EUR"
    # On the wall clock, remembered in the demo folder: a restart forgets no open payment.
    app = create_app(
        MtnSimulator(
            MtnSandboxSettings(currency=currency, approval_delay=approval_delay), clock=time.time
        ),
        MpesaSimulator(MpesaSandboxSettings(processing_seconds=approval_delay), clock=time.time),
    )
    till.sandbox = app
    # Only a process in the demo world (the demo window and commands) remembers: a test or
    # a benchmark building a demo till must not touch the shop's demo folder.
    served = (
        RememberingSandbox(app, paths.demo_data_dir() / SANDBOX_MEMORY)
        if paths.in_demo_world()
        else app
    )
    transport = httpx.ASGITransport(app=served)
    if config.mtn.enabled:
        client = MtnClient(
            base_url=DEMO_URL,
            target_environment="sandbox",
            credentials=demo.mtn_credentials(),
            transport=transport,
        )
        till.providers["mtn"] = MtnProvider(client, currency)
        till.currencies["mtn"] = currency
    if config.mpesa.enabled:
        client_mpesa = MpesaClient(
            base_url=DEMO_URL,
            credentials=demo.mpesa_credentials(),
            transport=transport,
            stk=StkSettings(demo.MPESA_SHORTCODE, callback_url=demo.MPESA_CALLBACK_URL),
        )
        till.providers["mpesa"] = MpesaProvider(client_mpesa)
        till.currencies["mpesa"] = "KES"


def _real_providers(till: Till, secrets: SecretStore) -> None:
    config = till.config
    if config.mtn.enabled:
        if not secrets.has_all(MTN_SECRETS):
            till.unavailable["mtn"] = Text(
                "MTN is not set up: its API user, API key and subscription key are missing "
                "(run `pos-app mtn-setup` for the sandbox)"
            )
        else:
            env = environments.resolve(config.mtn, config.shop.country)
            credentials = MtnCredentials(
                # The API user is an id, sent in clear in the Basic header: not a secret.
                api_user=_secret(secrets, SecretName.MTN_API_USER).reveal(),
                api_key=_secret(secrets, SecretName.MTN_API_KEY),
                subscription_keys=_mtn_subscription_keys(secrets),
            )
            client = MtnClient(
                base_url=env.base_url,
                target_environment=env.target_environment,
                credentials=credentials,
                timeout=config.mtn.request_timeout_seconds,
                callback_url=config.mtn.callback_url or None,
            )
            till.providers["mtn"] = MtnProvider(client, env.currency)
            till.currencies["mtn"] = env.currency
    if config.mpesa.enabled:
        if not secrets.has_all(MPESA_SECRETS):
            till.unavailable["mpesa"] = Text(
                "M-Pesa is not set up: its consumer key, consumer secret and passkey are missing"
            )
            return
        try:
            rules.callback_url(config.mpesa.callback_url)
        except ConfigurationProblem as exc:
            till.unavailable["mpesa"] = message_of(exc)
            return
        mpesa = config.mpesa
        base = mpesa.base_url or (
            rules.SANDBOX_URL if mpesa.environment == "sandbox" else rules.PRODUCTION_URL
        )
        client_mpesa = MpesaClient(
            base_url=base,
            credentials=MpesaCredentials(
                _secret(secrets, SecretName.MPESA_CONSUMER_KEY),
                _secret(secrets, SecretName.MPESA_CONSUMER_SECRET),
                _secret(secrets, SecretName.MPESA_PASSKEY),
            ),
            stk=StkSettings(
                mpesa.shortcode, mpesa.transaction_type, mpesa.party_b, mpesa.callback_url
            ),
            timeout=mpesa.request_timeout_seconds,
        )
        till.providers["mpesa"] = MpesaProvider(client_mpesa, _initiator(config, secrets))
        till.currencies["mpesa"] = "KES"


def _mtn_subscription_keys(secrets: SecretStore) -> dict[Product, Secret]:
    """Collection for payments; Disbursement, when given, for refunds."""
    keys: dict[Product, Secret] = {"collection": _secret(secrets, SecretName.MTN_SUBSCRIPTION_KEY)}
    if (disbursement := secrets.get(SecretName.MTN_DISBURSEMENT_KEY)) is not None:
        keys["disbursement"] = disbursement
    return keys


def _initiator(config: Config, secrets: SecretStore) -> Initiator | None:
    mpesa = config.mpesa
    password = secrets.get(SecretName.MPESA_INITIATOR_PASSWORD)
    if not (mpesa.initiator_name and mpesa.certificate and mpesa.result_url and password):
        return None
    try:
        certificate = Path(mpesa.certificate).read_bytes()
    except OSError as exc:
        raise SetupProblem(
            Text(
                "cannot read [mpesa] certificate {path}: {why}",
                path=mpesa.certificate,
                why=exc.strerror,
            )
        ) from exc
    return Initiator(
        mpesa.initiator_name,
        security_credential(password, certificate),
        mpesa.result_url,
        mpesa.queue_timeout_url or mpesa.result_url,
    )


def _secret(secrets: SecretStore, name: SecretName) -> Secret:
    value = secrets.get(name)
    if value is None:  # pragma: no cover - checked by has_all
        raise SetupProblem(f"{name.value} is missing")
    return value
