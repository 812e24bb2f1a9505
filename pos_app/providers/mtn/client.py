"""An async client for the MTN MoMo Open API, strict about what MTN is strict about.

Every call has a timeout; transient failures (network errors, 5xx, 429) are retried with
backoff and jitter, always with the same X-Reference-Id, so a retry can never charge twice:
a 409 on a resend means the first attempt arrived. A circuit breaker per product stops
hammering a provider that is down. No secret appears in a log line, exception or repr.
"""

from __future__ import annotations

import base64
import logging
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import httpx

from pos_app.domain.errors import Text
from pos_app.platform.secret import Secret
from pos_app.providers.answers import Call
from pos_app.providers.base import (
    AccountHolder,
    ConfigurationProblem,
    RequestRejected,
    StatusReport,
    Submission,
)
from pos_app.providers.http import Delivery, Reply, ResilientHttp, settings_refused
from pos_app.providers.mtn import replies
from pos_app.providers.mtn.answers import GATEWAY_REFUSED, TABLE, TOKEN_REFUSED
from pos_app.providers.mtn.callbacks import PAYMENT_ROUTE as HUB_PAYMENT_ROUTE
from pos_app.providers.mtn.callbacks import REFUND_ROUTE as HUB_REFUND_ROUTE
from pos_app.providers.resilience import CircuitBreaker, RetryPolicy, Sleep, default_sleep
from pos_app.providers.tokens import Token, TokenCache, with_fresh_token

log = logging.getLogger(__name__)

Product = Literal["collection", "disbursement", "remittance"]
PRODUCTS: tuple[Product, ...] = ("collection", "disbursement", "remittance")


@dataclass(frozen=True)
class MtnCredentials:
    api_user: str
    api_key: Secret
    subscription_keys: dict[Product, Secret] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"MtnCredentials(api_user={self.api_user!r}, api_key=***, subscription_keys=***)"


class MtnClient:
    def __init__(
        self,
        *,
        base_url: str,
        target_environment: str,
        credentials: MtnCredentials,
        timeout: float = 15.0,
        deadline: float | None = None,
        retry: RetryPolicy | None = None,
        callback_url: str | None = None,
        hub_callbacks: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        proxy: httpx.Proxy | None = None,
        sleep: Sleep = default_sleep,
        rng: random.Random | None = None,
        breaker_threshold: int = 5,
        breaker_cooldown: float = 30.0,
        reuse_tokens: bool = True,
    ) -> None:
        self._reuse_tokens = reuse_tokens
        self.base_url = base_url.rstrip("/")
        self.target_environment = target_environment
        self._credentials = credentials
        self._callback_url = callback_url or None
        self._hub_callbacks = dict(hub_callbacks or {})
        self.http = ResilientHttp(
            label="MTN",
            base_url=self.base_url,
            table=TABLE,
            timeout=timeout,
            deadline=deadline,
            retry=retry,
            transport=transport,
            proxy=proxy,
            sleep=sleep,
            rng=rng,
        )
        self.tokens: dict[Product, TokenCache] = {p: self._token_cache(p) for p in PRODUCTS}
        self.breakers: dict[Product, CircuitBreaker] = {
            product: CircuitBreaker(breaker_threshold, breaker_cooldown) for product in PRODUCTS
        }

    def __repr__(self) -> str:
        return f"MtnClient({self.base_url!r}, target={self.target_environment!r})"

    @property
    def requests_sent(self) -> int:
        return self.http.requests_sent

    async def aclose(self) -> None:
        await self.http.aclose()

    # -- plumbing --

    def _token_cache(self, product: Product) -> TokenCache:
        return TokenCache(lambda: self._fetch_token(product), reuse=self._reuse_tokens)

    def _subscription_key(self, product: Product) -> Secret:
        key = self._credentials.subscription_keys.get(product)
        if key is None:
            raise ConfigurationProblem(
                Text("no MTN {product} subscription key is configured", product=product)
            )
        return key

    async def _fetch_token(self, product: Product) -> Token:
        basic = base64.b64encode(
            f"{self._credentials.api_user}:{self._credentials.api_key.reveal()}".encode()
        ).decode()
        headers = {
            "Authorization": f"Basic {basic}",
            "Ocp-Apim-Subscription-Key": self._subscription_key(product).reveal(),
        }
        # MTN refuses a body on the token call.
        reply = await self._send(
            product, "token", "POST", f"/{product}/token/", headers=headers, delivery=Delivery()
        )
        return replies.access_token(reply, product)

    async def _send(
        self,
        product: Product,
        call: Call,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        delivery: Delivery,
        json_body: dict[str, Any] | None = None,
    ) -> Reply:
        # Every MTN request is idempotent: creations carry their X-Reference-Id.
        return await self.http.send(
            self.breakers[product],
            product,
            call,
            method,
            path,
            headers=headers,
            delivery=delivery,
            json_body=json_body,
        )

    async def _call(
        self,
        product: Product,
        call: Call,
        method: str,
        path: str,
        *,
        reference_id: str | None = None,
        json_body: dict[str, Any] | None = None,
        callback: bool = False,
        delivery: Delivery | None = None,
    ) -> Reply:
        """An authenticated business call. A 401 for the token refreshes it once and retries
        once (same reference id); a gateway 401 is a configuration problem."""
        sent = delivery or Delivery()

        async def send(token: Secret) -> Reply:
            headers = {
                "Authorization": f"Bearer {token.reveal()}",
                "X-Target-Environment": self.target_environment,
                "Ocp-Apim-Subscription-Key": self._subscription_key(product).reveal(),
            }
            if reference_id is not None:
                headers["X-Reference-Id"] = reference_id
            if callback and (url := self._callback_for(path, reference_id)):
                headers["X-Callback-Url"] = url
            return await self._send(
                product, call, method, path, headers=headers, json_body=json_body, delivery=sent
            )

        reply = await with_fresh_token(
            self.tokens[product],
            send,
            TOKEN_REFUSED,
            Text("MTN refuses fresh {product} access tokens", product=product),
        )
        if reply.rule is GATEWAY_REFUSED:
            raise settings_refused(replies.gateway_refusal(product), reply.maybe_delivered)
        return reply

    def _hub_url(self, path: str, reference_id: str | None) -> str | None:
        """The hub's URL for this request: MTN puts no id in the body, so it ends the path."""
        route = HUB_REFUND_ROUTE if "refund" in path else HUB_PAYMENT_ROUTE
        base = self._hub_callbacks.get(route)
        return f"{base}/{reference_id}" if base and reference_id else None

    def _callback_for(self, path: str, reference_id: str | None) -> str | None:
        """The hub's URL, else the configured one, else none (never an empty header: MTN
        refuses it)."""
        return self._hub_url(path, reference_id) or self._callback_url

    # -- creating and reading resources --

    async def _create(
        self, product: Product, path: str, reference_id: str, body: dict[str, Any], what: str
    ) -> Submission:
        _check_uuid4(reference_id)
        reply = await self._call(
            product,
            "push",
            "POST",
            path,
            reference_id=reference_id,
            json_body=body,
            callback=True,
        )
        if self._hub_callbacks and _callback_host_refused(reply):
            # The API user's callback host is not the hub's: MTN created nothing. Sent again
            # without (the till asks, as without a hub) rather than charge nothing at all.
            log.warning("MTN refuses the hub's callback host: set it as the API user's host")
            self._hub_callbacks = {}
            return await self._create(product, path, reference_id, body, what)
        submission = replies.submission(reply, what)
        return replace(submission, to_hub=self._hub_url(path, reference_id) is not None)

    async def _status(
        self, product: Product, path: str, *, party_key: str, expected: dict[str, str]
    ) -> StatusReport:
        reply = await self._call(product, "status", "GET", path)
        return replies.status(reply, product, party_key=party_key, expected=expected)

    # -- collection --

    async def request_to_pay(self, reference_id: str, body: dict[str, Any]) -> Submission:
        return await self._create(
            "collection", "/collection/v1_0/requesttopay", reference_id, body, "request to pay"
        )

    async def request_to_pay_status(
        self, reference_id: str, expected: dict[str, str] | None = None
    ) -> StatusReport:
        _check_uuid4(reference_id)
        return await self._status(
            "collection",
            f"/collection/v1_0/requesttopay/{reference_id}",
            party_key="payer",
            expected=expected or {},
        )

    async def account_holder_active(self, msisdn: str, product: Product = "collection") -> bool:
        reply = await self._call(
            product,
            "lookup",
            "GET",
            f"/{product}/v1_0/accountholder/msisdn/{_digits(msisdn)}/active",
        )
        return replies.account_active(reply)

    async def basic_user_info(self, msisdn: str, product: Product = "collection") -> str | None:
        """The account holder's name, for the cashier to confirm before charging."""
        reply = await self._call(
            product,
            "lookup",
            "GET",
            f"/{product}/v1_0/accountholder/msisdn/{_digits(msisdn)}/basicuserinfo",
        )
        return replies.user_name(reply)

    async def account_holder(self, msisdn: str) -> AccountHolder:
        active = await self.account_holder_active(msisdn)
        name = await self.basic_user_info(msisdn) if active else None
        return AccountHolder(active=active, name=name)

    async def balance(self, product: Product = "collection") -> tuple[str, str]:
        reply = await self._call(product, "lookup", "GET", f"/{product}/v1_0/account/balance")
        return replies.balance(reply)

    async def delivery_notification(
        self, reference_id: str, message: str, product: Product = "collection"
    ) -> None:
        path = {
            "collection": f"/collection/v1_0/requesttopay/{reference_id}",
            "disbursement": f"/disbursement/v1_0/transfer/{reference_id}",
            "remittance": f"/remittance/v1_0/transfer/{reference_id}",
        }[product]
        reply = await self._call(
            product,
            "lookup",
            "POST",
            f"{path}/deliverynotification",
            json_body={"notificationMessage": message[:160]},
        )
        replies.notified(reply)

    # -- disbursement and remittance --

    async def transfer(
        self,
        reference_id: str,
        body: dict[str, Any],
        product: Literal["disbursement", "remittance"] = "disbursement",
    ) -> Submission:
        return await self._create(
            product, f"/{product}/v1_0/transfer", reference_id, body, f"a {product} transfer"
        )

    async def transfer_status(
        self,
        reference_id: str,
        expected: dict[str, str] | None = None,
        product: Literal["disbursement", "remittance"] = "disbursement",
    ) -> StatusReport:
        _check_uuid4(reference_id)
        return await self._status(
            product,
            f"/{product}/v1_0/transfer/{reference_id}",
            party_key="payee",
            expected=expected or {},
        )

    async def deposit(
        self, reference_id: str, body: dict[str, Any], version: int = 2
    ) -> Submission:
        return await self._create(
            "disbursement", f"/disbursement/v{version}_0/deposit", reference_id, body, "a deposit"
        )

    async def deposit_status(self, reference_id: str) -> StatusReport:
        _check_uuid4(reference_id)
        return await self._status(
            "disbursement",
            f"/disbursement/v1_0/deposit/{reference_id}",
            party_key="payee",
            expected={},
        )

    async def refund(self, reference_id: str, body: dict[str, Any], version: int = 2) -> Submission:
        """Refund a collection: `body["referenceIdToRefund"]` is the original X-Reference-Id."""
        _check_uuid4(str(body.get("referenceIdToRefund", "")))
        return await self._create(
            "disbursement", f"/disbursement/v{version}_0/refund", reference_id, body, "a refund"
        )

    async def refund_status(self, reference_id: str) -> StatusReport:
        _check_uuid4(reference_id)
        return await self._status(
            "disbursement",
            f"/disbursement/v1_0/refund/{reference_id}",
            party_key="payee",
            expected={},
        )


def _callback_host_refused(reply: Reply) -> bool:
    if reply.response.status_code != 500:
        return False
    try:
        body = reply.response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("code") == "INVALID_CALLBACK_URL_HOST"


def _check_uuid4(reference_id: str) -> None:
    try:
        parsed = uuid.UUID(reference_id)
    except ValueError:
        parsed = None
    if parsed is None or parsed.version != 4 or str(parsed) != reference_id:
        raise RequestRejected(f"MTN needs a UUID4 reference id, not {reference_id!r}")


def _digits(msisdn: str) -> str:
    digits = "".join(ch for ch in msisdn if ch.isdigit())
    if not digits:
        raise RequestRejected(f"{msisdn!r} is not a phone number")
    return digits
