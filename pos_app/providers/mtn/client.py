"""An async client for the MTN MoMo Open API, strict about what MTN is strict about.

Every call has a timeout; transient failures (network errors, 5xx, 429) are retried with
backoff and jitter, always with the same X-Reference-Id, so a retry can never charge twice:
a 409 on a resend means the first attempt arrived. A circuit breaker per product stops
hammering a provider that is down. No secret appears in a log line, exception or repr.
"""

from __future__ import annotations

import base64
import random
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from pos_app.credentials import Secret
from pos_app.domain.errors import Text
from pos_app.domain.reasons import lookup
from pos_app.providers.base import (
    AccountHolder,
    ConfigurationProblem,
    MalformedResponse,
    ProviderError,
    RemoteStatus,
    RequestRejected,
    StatusReport,
    Submission,
)
from pos_app.providers.http import Delivery, ResilientHttp, Transience
from pos_app.providers.mtn.parsing import (
    error_fields,
    is_gateway_401,
    json_object,
    status_report,
)
from pos_app.providers.resilience import CircuitBreaker, RetryPolicy, Sleep, default_sleep
from pos_app.providers.tokens import Token, TokenCache

Product = Literal["collection", "disbursement", "remittance"]
PRODUCTS: tuple[Product, ...] = ("collection", "disbursement", "remittance")

# Answers that are a decision, not an accident: sending again cannot change them.
_CONFIG_CODES = frozenset(
    {
        "NOT_ALLOWED_TARGET_ENVIRONMENT",
        "INVALID_CALLBACK_URL_HOST",
        "INVALID_CURRENCY",
        "FORBIDDEN_IP",
        "ACCESS_DENIED",
    }
)
# A 500 with one of these (or none) may be passing: retried with the same reference id.
_RETRYABLE_500_CODES = frozenset({None, "INTERNAL_PROCESSING_ERROR", "SERVICE_UNAVAILABLE"})
_RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


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
        transport: httpx.AsyncBaseTransport | None = None,
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
        self.http = ResilientHttp(
            label="MTN",
            base_url=self.base_url,
            classify=_classify,
            timeout=timeout,
            deadline=deadline,
            retry=retry,
            transport=transport,
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
        response = await self._send(
            product, "POST", f"/{product}/token/", headers=headers, delivery=Delivery()
        )
        if response.status_code == 401:
            code, _ = error_fields(response)
            raise ConfigurationProblem(
                Text(
                    "MTN refused the {product} API user or API key ({code})",
                    product=product,
                    code=code or "HTTP 401",
                )
                if not is_gateway_401(response)
                else self._gateway_refusal(product)
            )
        if response.status_code != 200:
            raise self._unexpected(response, f"{product} token")
        body = json_object(response)
        token, expires_in = body.get("access_token"), body.get("expires_in", 3600)
        if not isinstance(token, str) or not token:
            raise MalformedResponse("MTN token answer has no access_token")
        try:
            seconds = float(expires_in)
        except (TypeError, ValueError) as exc:
            raise MalformedResponse("MTN token answer has an unreadable expires_in") from exc
        return Token(Secret(token), seconds)

    def _gateway_refusal(self, product: Product) -> Text:
        return Text(
            "MTN refused the {product} subscription key (is it the key of the {title} "
            "product, and is the subscription active?)",
            product=product,
            title=product.title(),
        )

    async def _send(
        self,
        product: Product,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        delivery: Delivery,
        json_body: dict[str, Any] | None = None,
    ) -> httpx.Response:
        # Every MTN request is idempotent: creations carry their X-Reference-Id.
        return await self.http.send(
            self.breakers[product],
            product,
            method,
            path,
            headers=headers,
            delivery=delivery,
            json_body=json_body,
        )

    async def _call(
        self,
        product: Product,
        method: str,
        path: str,
        *,
        reference_id: str | None = None,
        json_body: dict[str, Any] | None = None,
        callback: bool = False,
        delivery: Delivery | None = None,
    ) -> httpx.Response:
        """An authenticated business call. A 401 for the token refreshes it once and retries
        once (same reference id); a gateway 401 is a configuration problem."""
        delivery = delivery or Delivery()
        refreshed = False
        while True:
            token = await self.tokens[product].get()
            headers = {
                "Authorization": f"Bearer {token.reveal()}",
                "X-Target-Environment": self.target_environment,
                "Ocp-Apim-Subscription-Key": self._subscription_key(product).reveal(),
            }
            if reference_id is not None:
                headers["X-Reference-Id"] = reference_id
            if callback and self._callback_url:
                headers["X-Callback-Url"] = self._callback_url
            response = await self._send(
                product, method, path, headers=headers, json_body=json_body, delivery=delivery
            )
            if response.status_code != 401:
                return response
            if is_gateway_401(response):
                raise ConfigurationProblem(self._gateway_refusal(product))
            if refreshed:
                raise ConfigurationProblem(
                    Text("MTN refuses fresh {product} access tokens", product=product)
                )
            self.tokens[product].invalidate(token)
            refreshed = True

    def _unexpected(self, response: httpx.Response, what: str) -> ProviderError:
        code, message = error_fields(response)
        detail = f" ({code}: {message})" if code else (f" ({message})" if message else "")
        text = Text(
            "MTN answered HTTP {status} to {what}{detail}",
            status=response.status_code,
            what=what,
            detail=detail,
        )
        if response.status_code == 403 or code in _CONFIG_CODES:
            return ConfigurationProblem(text)
        if response.status_code == 404:
            return ConfigurationProblem(
                Text(
                    "MTN answered HTTP {status} to {what} (check mtn.base_url)",
                    status=response.status_code,
                    what=what,
                )
            )
        if response.status_code == 400:
            return RequestRejected(text)
        if code:
            return RequestRejected(text, lookup("mtn", code))
        return MalformedResponse(text)

    # -- creating and reading resources --

    async def _create(
        self, product: Product, path: str, reference_id: str, body: dict[str, Any], what: str
    ) -> Submission:
        _check_uuid4(reference_id)
        response = await self._call(
            product, "POST", path, reference_id=reference_id, json_body=body, callback=True
        )
        if response.status_code == 202:
            return Submission()
        if response.status_code == 409:
            # The same id arrived before (a lost answer, or a resend after a crash).
            return Submission(already_existed=True)
        raise self._unexpected(response, what)

    async def _status(
        self, product: Product, path: str, *, party_key: str, expected: dict[str, str]
    ) -> StatusReport:
        response = await self._call(product, "GET", path)
        if response.status_code == 404:
            return StatusReport(RemoteStatus.NOT_FOUND, detail={"status": "RESOURCE_NOT_FOUND"})
        if response.status_code != 200:
            raise self._unexpected(response, f"a {product} status query")
        return status_report(json_object(response), party_key=party_key, expected=expected)

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
        response = await self._call(
            product, "GET", f"/{product}/v1_0/accountholder/msisdn/{_digits(msisdn)}/active"
        )
        if response.status_code != 200:
            raise self._unexpected(response, "an account holder check")
        result = json_object(response).get("result")
        if not isinstance(result, bool):
            raise MalformedResponse("MTN account holder answer has no true/false result")
        return result

    async def basic_user_info(self, msisdn: str, product: Product = "collection") -> str | None:
        """The account holder's name, for the cashier to confirm before charging."""
        response = await self._call(
            product, "GET", f"/{product}/v1_0/accountholder/msisdn/{_digits(msisdn)}/basicuserinfo"
        )
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._unexpected(response, "a basic user info query")
        body = json_object(response)
        name = body.get("name")
        if not name:
            parts = [body.get("given_name"), body.get("family_name")]
            name = " ".join(str(p) for p in parts if p)
        return str(name) if name else None

    async def account_holder(self, msisdn: str) -> AccountHolder:
        active = await self.account_holder_active(msisdn)
        name = await self.basic_user_info(msisdn) if active else None
        return AccountHolder(active=active, name=name)

    async def balance(self, product: Product = "collection") -> tuple[str, str]:
        response = await self._call(product, "GET", f"/{product}/v1_0/account/balance")
        if response.status_code != 200:
            raise self._unexpected(response, "a balance query")
        body = json_object(response)
        amount, currency = body.get("availableBalance"), body.get("currency")
        if amount is None or not isinstance(currency, str):
            raise MalformedResponse("MTN balance answer lacks availableBalance or currency")
        return str(amount), currency

    async def delivery_notification(
        self, reference_id: str, message: str, product: Product = "collection"
    ) -> None:
        path = {
            "collection": f"/collection/v1_0/requesttopay/{reference_id}",
            "disbursement": f"/disbursement/v1_0/transfer/{reference_id}",
            "remittance": f"/remittance/v1_0/transfer/{reference_id}",
        }[product]
        response = await self._call(
            product,
            "POST",
            f"{path}/deliverynotification",
            json_body={"notificationMessage": message[:160]},
        )
        if not response.is_success:
            raise self._unexpected(response, "a delivery notification")

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


def _classify(response: httpx.Response) -> Transience:
    if response.status_code == 429:
        return Transience.NOT_PROCESSED
    if response.status_code in _RETRYABLE_STATUS:
        if response.status_code == 500 and error_fields(response)[0] not in _RETRYABLE_500_CODES:
            return Transience.FINAL
        return Transience.MAYBE_PROCESSED
    return Transience.FINAL


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
