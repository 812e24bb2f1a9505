"""What the MTN simulator knows and decides, apart from HTTP: its settings, the payers' answers
by test number, the API users, tokens and resources it holds, when a payment settles, and the
callbacks it sends.

A creation (request-to-pay, refund, transfer, deposit) made with an X-Callback-Url gets one
callback when it settles: its final status, the body `GET .../{referenceId}` answers from then
on (amount, currency, externalId, payer or payee, status, financialTransactionId on success,
reason on failure), by PUT (`settings.callback_method`: MTN's pages say both PUT and POST,
callbacks.md §5.1). None while PENDING, none for a payment that never settles. Faults on these
callbacks: sandbox/faults.py."""

from __future__ import annotations

import dataclasses
import secrets
import time
from collections import Counter
from collections.abc import Callable, KeysView
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pos_app.sandbox import demo
from pos_app.sandbox.callbacks import Callback, CallbackSender, deliverable
from pos_app.sandbox.faults import Faults
from pos_app.sandbox.mtn_checks import MTN_SHAPES


@dataclass(frozen=True)
class Outcome:
    """How a payer (or payee) answers: final status and reason, after `delay` seconds;
    `delay=None` means never."""

    status: str
    reason: str | None = None
    delay: float | None = 0.0


# MTN's published "Sandbox Use Cases" table for RequestToPay (reference momo-api.md §3.2 (a)):
# 46733123453 PayerOngoing (never resolves), 46733123454 PayerDelayed (succeeds late). A third
# party's recorded runs agree (453 pending after 40 s, 454 CREATED -> SUCCESSFUL after ~25 s);
# MTN's Postman notebook (table (b)) calls 454 "Pending" and 56733123453 "Success".
TEST_NUMBERS: dict[str, Outcome] = {
    "46733123450": Outcome("FAILED", "INTERNAL_PROCESSING_ERROR"),
    "46733123451": Outcome("FAILED", "APPROVAL_REJECTED"),
    "46733123452": Outcome("FAILED", "EXPIRED"),
    "46733123453": Outcome("SUCCESSFUL", delay=None),  # ongoing: never resolves
    "46733123454": Outcome("SUCCESSFUL", delay=25.0),  # delayed success
    "46733123455": Outcome("FAILED", "PAYER_NOT_FOUND"),
    "46733123456": Outcome("FAILED", "PAYEE_NOT_ALLOWED_TO_RECEIVE"),
    "46733123457": Outcome("FAILED", "NOT_ALLOWED"),
    "46733123458": Outcome("FAILED", "NOT_ALLOWED_TARGET_ENVIRONMENT"),
    "46733123459": Outcome("FAILED", "INVALID_CALLBACK_URL_HOST"),
    "46733123460": Outcome("FAILED", "INVALID_CURRENCY"),
    "46733123461": Outcome("FAILED", "INTERNAL_PROCESSING_ERROR"),
    "46733123462": Outcome("FAILED", "SERVICE_UNAVAILABLE"),
    "46733123463": Outcome("FAILED", "COULD_NOT_PERFORM_TRANSACTION"),
    "56733123453": Outcome("SUCCESSFUL"),
}


@dataclass
class MtnSandboxSettings:
    subscription_keys: dict[str, str] = field(
        default_factory=lambda: dict(demo.MTN_SUBSCRIPTION_KEYS)
    )
    target_environment: str = "sandbox"
    currency: str = "EUR"
    approval_delay: float = 5.0  # how long an ordinary number takes to approve
    delayed_success: float = 25.0  # 46733123454
    reason_as_object: bool = False  # the swagger's {code, message} instead of a string
    numbers_unquoted: bool = False  # amount and financialTransactionId as JSON numbers
    outcome: Callable[[str], Outcome] | None = None  # overrides the test-number table
    # A wrong API user or API key on the token call: 500 {"error": "login_failed"} is what the
    # live API sends (laravel-mtn-momo #46); 401 is the reading of MTN's documented schema.
    login_failed_status: int = 500
    callback_method: str = "PUT"  # or "POST": MTN says both (callbacks.md §5.1)


@dataclass
class Resource:
    kind: str  # requesttopay, transfer, deposit, refund, cashtransfer
    product: str
    body: dict[str, Any]
    created: float
    outcome: Outcome
    party_key: str  # payer or payee
    transaction_id: str = field(default_factory=lambda: str(secrets.randbelow(10**10)))


class MtnState:
    def __init__(
        self,
        settings: MtnSandboxSettings | None = None,
        faults: Faults | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or MtnSandboxSettings()
        self.faults = faults or Faults(MTN_SHAPES)
        self.clock = clock
        self.api_users: dict[str, dict[str, str | None]] = {
            demo.MTN_API_USER: {
                "apiKey": demo.MTN_API_KEY,
                "providerCallbackHost": demo.MTN_CALLBACK_HOST,
            }
        }
        self.tokens: dict[str, tuple[str, float, str]] = {}  # token -> (product, expiry, user)
        self.resources: dict[tuple[str, str], Resource] = {}  # (kind, reference id)
        self.requests: Counter[str] = Counter()  # "POST requesttopay", "token collection", ...
        self.accepted: Counter[str] = Counter()  # reference id -> accepted creations (must be 1)
        self.callbacks = CallbackSender(lambda: self.faults)

    # -- accounting for tests and benchmarks --

    def charges(self) -> int:
        """Successful request-to-pay debits so far."""
        return sum(
            1
            for (kind, _), r in self.resources.items()
            if kind == "requesttopay" and self._state(r)[0] == "SUCCESSFUL"
        )

    def expire_tokens(self) -> None:
        """Every issued token stops working now (the client must notice and refresh)."""
        self.tokens.clear()

    def final_at(self, reference_id: str) -> float | None:
        """When (on the simulator's clock) the payment's final state became visible."""
        resource = self.resources.get(("requesttopay", reference_id))
        if resource is None or resource.outcome.delay is None:
            return None
        return resource.created + resource.outcome.delay

    # -- memory across restarts (demo mode keeps it in the demo folder) --

    def known(self) -> KeysView[tuple[str, str]]:
        return self.resources.keys()

    def remember(self, key: tuple[str, str]) -> dict[str, Any]:
        """What was asked under `key`, as JSON (a resource never changes once made)."""
        return {**dataclasses.asdict(self.resources[key]), "reference_id": key[1]}

    def recall(self, entry: dict[str, Any]) -> tuple[str, str]:
        """Know again what `remember` gave; raises TypeError, KeyError or ValueError."""
        fields = {k: v for k, v in entry.items() if k != "reference_id"}
        resource = Resource(**{**fields, "outcome": Outcome(**fields["outcome"])})
        key = (resource.kind, str(entry["reference_id"]))
        self.resources[key] = resource
        self.accepted[key[1]] += 1
        return key

    # -- how payments settle --

    def _outcome(self, msisdn: str, kind: str) -> Outcome:
        if self.settings.outcome is not None:
            return self.settings.outcome(msisdn)
        known = TEST_NUMBERS.get(msisdn)
        if known is not None:
            if msisdn == "46733123454":
                return Outcome("SUCCESSFUL", delay=self.settings.delayed_success)
            return known
        return Outcome(
            "SUCCESSFUL", delay=self.settings.approval_delay if kind == "requesttopay" else 0.0
        )

    def _refund_outcome(self, body: dict[str, Any]) -> Outcome:
        original = self.resources.get(("requesttopay", str(body.get("referenceIdToRefund"))))
        if original is None or self._state(original)[0] != "SUCCESSFUL":
            return Outcome("FAILED", "RESOURCE_NOT_FOUND")
        if Decimal(str(body["amount"])) > Decimal(str(original.body["amount"])):
            return Outcome("FAILED", "NOT_ALLOWED")
        return Outcome("SUCCESSFUL")

    def _state(self, resource: Resource) -> tuple[str, str | None]:
        delay = resource.outcome.delay
        if delay is None or self.clock() - resource.created < delay:
            return "PENDING", None
        return resource.outcome.status, resource.outcome.reason

    # -- what a status query answers, and the callback that says the same --

    def status_body(self, resource: Resource) -> dict[str, Any]:
        """The body of `GET .../{referenceId}` now."""
        status, reason = self._state(resource)
        body = {
            k: resource.body.get(k)
            for k in (
                "amount",
                "currency",
                "externalId",
                resource.party_key,
                "payerMessage",
                "payeeNote",
            )
            if k in resource.body
        }
        body["status"] = status
        if status == "SUCCESSFUL":
            body["financialTransactionId"] = resource.transaction_id
        if status == "FAILED":
            body["reason"] = (
                {"code": reason, "message": reason} if self.settings.reason_as_object else reason
            )
        if self.settings.numbers_unquoted:
            body["amount"] = float(Decimal(str(body.get("amount"))))
            if "financialTransactionId" in body:
                body["financialTransactionId"] = int(resource.transaction_id)
        return body

    def announce(self, resource: Resource, url: str) -> None:
        """Send the resource's final status to `url` once it settles (if `url` is called at
        all: sandbox/callbacks.py `deliverable`)."""
        if not deliverable(url) or resource.outcome.delay is None:
            return

        def remaining() -> float | None:
            delay = resource.outcome.delay
            return None if delay is None else resource.created + delay - self.clock()

        async def send() -> None:
            await self.callbacks.deliver(self.callback(resource, url))

        self.callbacks.after_settling(remaining, send)

    def callback(self, resource: Resource, url: str) -> Callback:
        body = self.status_body(resource)
        forged = None
        if body["status"] == "FAILED":
            forged = {k: v for k, v in body.items() if k != "reason"}
            forged["status"] = "SUCCESSFUL"
            forged["financialTransactionId"] = (
                int(resource.transaction_id)
                if self.settings.numbers_unquoted
                else resource.transaction_id
            )
        method = self.settings.callback_method.upper()
        return Callback("momo", url, body, method, forged=forged, essential=("status",))
