"""TestPay: a third mobile-money provider that exists only in the tests, plugged in through
the registries exactly as a real one would be (its spec, its client and its simulator), to
prove that pos-app runs a provider it has never heard of without a change to its code.

Its customers are Uganda Telecom (UTL) numbers; it charges UGX in Uganda, answers over HTTP
with a key in a header, recognises a resend by our id, and says PENDING until the customer
answers (after `approval_delay`; numbers ending in 13 decline with code LOW_FUNDS)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from pos_app.domain.errors import Text
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment
from pos_app.domain.reasons import Catalog, Reason
from pos_app.platform.config import Config, ProviderSection
from pos_app.platform.credentials import SecretName
from pos_app.platform.secret import Secret
from pos_app.providers import registry
from pos_app.providers.base import (
    AccountHolder,
    ConfigurationProblem,
    Health,
    MalformedResponse,
    ProviderUnavailable,
    RemoteStatus,
    RequestRejected,
    StatusReport,
    Submission,
)
from pos_app.providers.spec import (
    BuildContext,
    Built,
    Capabilities,
    ChargeRules,
    ProviderSpec,
    SettingRow,
    connection_rows,
)
from pos_app.sandbox import simulators
from pos_app.sandbox.simulators import SimulatorSpec

ID = "testpay"
NAME = "TestPay"
API_KEY = SecretName("testpay.api_key", "TESTPAY_API_KEY", "API key")
DEMO_KEY = "demo-testpay-key"
PREFIX = "/testpay/v1/charges"


@dataclass(frozen=True)
class TestPayConfig(ProviderSection):
    base_url_env: ClassVar[str] = "TESTPAY_BASE_URL"

    merchant: str = "SHOP1"


CATALOG = Catalog(
    ID,
    (
        Reason(
            ID,
            "LOW_FUNDS",
            "Not enough money on the customer's TestPay wallet",
            True,
            "Ask the customer to top up, then charge again",
        ),
    ),
)


class TestPayProvider:
    name = ID

    def __init__(self, client: httpx.AsyncClient, key: Secret) -> None:
        self.client = client
        self.key = key
        self.reachable = True

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self.client.request(
                method, path, headers={"X-Api-Key": self.key.reveal()}, **kwargs
            )
        except httpx.HTTPError as exc:
            self.reachable = False
            raise ProviderUnavailable(f"TestPay unreachable: {exc}", delivered=None) from exc
        self.reachable = True
        if response.status_code == 401:
            raise ConfigurationProblem(Text("TestPay refused this till's API key"))
        return response

    async def credentials_accepted(self, *, refund: bool = False) -> None:
        await self._call("GET", "/testpay/v1/me")

    async def request_payment(self, payment: Payment, note: str) -> Submission:
        response = await self._call(
            "POST",
            PREFIX,
            json={
                "id": payment.reference_id,
                "amount": payment.amount.to_plain_string(),
                "currency": payment.amount.currency,
                "phone": payment.msisdn,
            },
        )
        if response.status_code not in (200, 202):
            raise RequestRejected(f"TestPay refused the charge ({response.status_code})")
        return Submission(already_existed=response.status_code == 200)

    async def payment_status(self, payment: Payment) -> StatusReport:
        response = await self._call("GET", f"{PREFIX}/{payment.reference_id}")
        if response.status_code == 404:
            return StatusReport(RemoteStatus.NOT_FOUND)
        body = response.json()
        if not isinstance(body, dict) or "status" not in body:
            raise MalformedResponse("TestPay's answer has no status")
        if body["status"] == "PAID":
            return StatusReport(RemoteStatus.SUCCESSFUL, receipt=body["receipt"])
        if body["status"] == "DECLINED":
            return StatusReport(RemoteStatus.FAILED, reason=CATALOG.lookup(body["code"]))
        return StatusReport(RemoteStatus.PENDING)

    async def refund(
        self, payment: Payment, refund_reference_id: str, amount: Money, note: str
    ) -> Submission:
        raise RequestRejected("TestPay takes no refunds from a till")

    async def refund_status(self, refund: Payment) -> StatusReport:
        raise RequestRejected("TestPay takes no refunds from a till")

    def sends_refund(self, original: Payment) -> bool:
        return False

    async def account_holder(self, msisdn: str) -> AccountHolder:
        raise RequestRejected("TestPay does not say who holds a number")

    async def check_health(self) -> Health:
        try:
            await self.credentials_accepted()
        except (ProviderUnavailable, ConfigurationProblem) as exc:
            return Health(False, "open", str(exc))
        return self.health()

    def health(self) -> Health:
        return Health(self.reachable, "closed" if self.reachable else "open", "TestPay")

    async def aclose(self) -> None:
        await self.client.aclose()


def build(context: BuildContext) -> Built:
    section = context.section
    client = httpx.AsyncClient(
        base_url=context.base_url or section.base_url or "https://api.testpay.invalid",
        transport=context.transport,
        timeout=section.request_timeout_seconds,
    )
    return Built(TestPayProvider(client, context.secrets[API_KEY]), "UGX")


SPEC = ProviderSpec(
    id=ID,
    name=NAME,
    short_name=NAME,
    countries={"UG": "UGX"},
    networks=("utl",),
    config=TestPayConfig,
    secrets=(API_KEY,),
    reasons=CATALOG,
    rules=ChargeRules(smallest=Decimal(500), largest=Decimal(5_000_000)),
    capabilities=Capabilities(
        resends_with_same_id=True,
        asks_without_request_id=True,
        status_gives_receipt=True,
        resolved_by_hand=False,
        account_lookup=False,
        refunds=False,
        reports_refunds=False,
    ),
    settings=(
        *connection_rows(NAME, "empty: TestPay's URL"),
        SettingRow("merchant", "Merchant code"),
    ),
    rate_limit=10.0,
    build=build,
    not_set_up=Text("TestPay is not set up: its API key is missing"),
)


class TestPaySimulator:
    """TestPay's API as its documentation would describe it."""

    def __init__(self, approval_delay: float = 0.3, clock: Callable[[], float] = time.monotonic):
        self.approval_delay = approval_delay
        self.clock = clock
        self.charges: dict[str, dict[str, Any]] = {}
        self.posts = 0

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/testpay/v1/me", self._me, methods=["GET"]),
            Route(PREFIX, self._charge, methods=["POST"]),
            Route(PREFIX + "/{id}", self._status, methods=["GET"]),
        ]

    @staticmethod
    def _authorised(request: Request) -> bool:
        return request.headers.get("X-Api-Key") == DEMO_KEY

    async def _me(self, request: Request) -> Response:
        if not self._authorised(request):
            return JSONResponse({"error": "bad key"}, 401)
        return JSONResponse({"merchant": "SHOP1"})

    async def _charge(self, request: Request) -> Response:
        if not self._authorised(request):
            return JSONResponse({"error": "bad key"}, 401)
        self.posts += 1
        body = await request.json()
        if body["id"] in self.charges:
            return JSONResponse({"id": body["id"]}, 200)  # a resend: the same charge
        self.charges[body["id"]] = {**body, "at": self.clock()}
        return JSONResponse({"id": body["id"]}, 202)

    async def _status(self, request: Request) -> Response:
        if not self._authorised(request):
            return JSONResponse({"error": "bad key"}, 401)
        charge = self.charges.get(request.path_params["id"])
        if charge is None:
            return JSONResponse({"error": "not found"}, 404)
        if self.clock() - charge["at"] < self.approval_delay:
            return JSONResponse({"status": "PENDING"})
        if charge["phone"].endswith("13"):
            return JSONResponse({"status": "DECLINED", "code": "LOW_FUNDS"})
        return JSONResponse({"status": "PAID", "receipt": f"TP{charge['id'][:8].upper()}"})


SIMULATOR = SimulatorSpec(
    ID,
    lambda config, delay, clock: TestPaySimulator(delay, clock),
    {API_KEY: DEMO_KEY},
    lambda config, section: dataclasses.replace(section, environment="sandbox"),
    TestPaySimulator,
)


@contextmanager
def registered(spec: ProviderSpec) -> Iterator[None]:
    """`spec` installed as a plug-in, for the length of a test."""
    registry.register(spec)
    try:
        yield
    finally:
        registry.unregister(spec.id)


@contextmanager
def installed() -> Iterator[None]:
    """TestPay registered as a plug-in (and its simulator), for the length of a test."""
    with registered(SPEC):
        simulators.register(SIMULATOR)
        try:
            yield
        finally:
            simulators.unregister(ID)


def shop(**shop_settings: Any) -> Config:
    """A Ugandan shop whose till has every provider, TestPay included."""
    from pos_app.platform.config import ShopConfig

    return Config(shop=ShopConfig(country="UG", **shop_settings))
