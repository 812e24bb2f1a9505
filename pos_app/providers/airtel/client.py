"""An async client for Airtel Money's Open API (Collections), strict about what Airtel is
strict about.

Every request carries the country and currency headers; the 180-second access token is kept
and renewed 30 s early, and one refused token is renewed once and the request sent again with
the same transaction id, which Airtel recognises (ESB000041), so no retry can charge twice. A
refund is sent again only when it certainly did not arrive: Airtel documents no refund id.
No secret appears in a log line, exception or repr.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from pos_app.domain.errors import Text
from pos_app.platform.secret import Secret
from pos_app.providers.airtel import replies
from pos_app.providers.airtel.answers import TABLE, TOKEN_REFUSED
from pos_app.providers.airtel.signing import EncryptionKey, read_key, signature_headers
from pos_app.providers.answers import Call
from pos_app.providers.base import (
    AccountHolder,
    ConfigurationProblem,
    MalformedResponse,
    ProviderUnavailable,
    StatusReport,
    Submission,
)
from pos_app.providers.http import Delivery, Reply, ResilientHttp
from pos_app.providers.resilience import CircuitBreaker, RetryPolicy, Sleep, default_sleep
from pos_app.providers.tokens import Token, TokenCache, with_fresh_token

T = TypeVar("T")
# The one recorded gateway answer says 10 requests a minute (reference §10.1); questions slow
# down when no more than 2 are left.
DOCUMENTED_LIMIT = 10
LOW_REMAINING = 2


@dataclass(frozen=True)
class AirtelCredentials:
    client_id: Secret
    client_secret: Secret

    def __repr__(self) -> str:
        return "AirtelCredentials(client_id=***, client_secret=***)"


@dataclass(frozen=True)
class Signing:
    """Signed pushes and refunds (the v2 paths), with the RSA padding Airtel wants."""

    oaep: bool = False


class AirtelClient:
    def __init__(
        self,
        *,
        base_url: str,
        country: str,
        currency: str,
        credentials: AirtelCredentials,
        signing: Signing | None = None,
        timeout: float = 15.0,
        deadline: float | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        proxy: httpx.Proxy | None = None,
        sleep: Sleep = default_sleep,
        rng: random.Random | None = None,
        breaker_threshold: int = 5,
        breaker_cooldown: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.country = country
        self.currency = currency
        self.signing = signing
        self._credentials = credentials
        self.http = ResilientHttp(
            label="Airtel",
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
        self.tokens = TokenCache(self._fetch_token)
        self.breaker = CircuitBreaker(breaker_threshold, breaker_cooldown)
        self._key: EncryptionKey | None = None
        self._sleep = sleep
        # What Airtel's gateway said of this minute's requests (None: not said).
        self.remaining_this_minute: int | None = None
        self.limit_per_minute: int | None = None

    def __repr__(self) -> str:
        return f"AirtelClient({self.base_url!r}, country={self.country!r})"

    @property
    def requests_sent(self) -> int:
        return self.http.requests_sent

    async def aclose(self) -> None:
        await self.http.aclose()

    # -- plumbing --

    async def _fetch_token(self) -> Token:
        body = {
            "client_id": self._credentials.client_id.reveal(),
            "client_secret": self._credentials.client_secret.reveal(),
            "grant_type": "client_credentials",
        }
        reply = await self.http.send(
            self.breaker,
            "token",
            "token",
            "POST",
            "/auth/oauth2/token",
            headers={"Accept": "*/*"},
            delivery=Delivery(),
            json_body=body,
        )
        return replies.access_token(reply)

    async def _call(
        self,
        call: Call,
        method: str,
        path: str,
        what: str,
        *,
        body: dict[str, Any] | None = None,
        idempotent: bool = True,
    ) -> Reply:
        """An authenticated business call. A refused token is renewed once and the request
        sent again unchanged (the same transaction id)."""
        content = json.dumps(body, separators=(",", ":")).encode() if body is not None else None
        delivery = Delivery()

        async def send(token: Secret) -> Reply:
            headers = {
                "Authorization": f"Bearer {token.reveal()}",
                "X-Country": self.country,
                "X-Currency": self.currency,
                "Accept": "*/*",
            }
            if content is not None:
                headers["Content-Type"] = "application/json"
            if content is not None and self.signing is not None:
                # Every creation is signed (its v2 path); the bytes encrypted are the bytes
                # sent (serialised once, above).
                headers.update(await self._key_headers(content, self.signing))
            reply = await self.http.send(
                self.breaker,
                what,
                call,
                method,
                path,
                headers=headers,
                delivery=delivery,
                idempotent=idempotent,
                content=content,
            )
            self._note_limit(reply.response)
            return reply

        return await with_fresh_token(
            self.tokens, send, TOKEN_REFUSED, Text("Airtel refuses fresh access tokens")
        )

    def _note_limit(self, response: httpx.Response) -> None:
        left = response.headers.get("x-ratelimit-remaining-minute", "").strip()
        limit = response.headers.get("x-ratelimit-limit-minute", "").strip()
        if left.isdigit():
            self.remaining_this_minute = int(left)
        if limit.isdigit() and int(limit) > 0:
            self.limit_per_minute = int(limit)

    async def _pace(self) -> None:
        """A question waits its share of the minute when the gateway says the minute is nearly
        spent (pushes never wait: the customer is at the counter, and a limited push is sent
        again with its id)."""
        left = self.remaining_this_minute
        if left is not None and left <= LOW_REMAINING:
            # Its share of the minute: questions then go no faster than the gateway allows,
            # and the last requests of the minute stay for pushes.
            await self._sleep(60.0 / (self.limit_per_minute or DOCUMENTED_LIMIT))

    async def _key_headers(self, content: bytes, signing: Signing) -> dict[str, str]:
        """The signature headers; failing to get Airtel's key proves the request never left
        (as a token that could not be fetched does)."""
        try:
            return await self._signature(content, signing)
        except (ProviderUnavailable, MalformedResponse) as exc:
            raise ProviderUnavailable(
                exc.args[0] if exc.args else str(exc), delivered=False
            ) from exc

    async def _signature(self, content: bytes, signing: Signing) -> dict[str, str]:
        key = self._key
        if key is None or key.renew_at <= time.time():
            reply = await self._call(
                "lookup", "GET", "/v1/rsa/encryption-keys", "an encryption-key request"
            )
            key = self._key = read_key(replies.encryption_key(reply))
        return signature_headers(content, key.key, signing.oaep)

    def forget_key(self) -> None:
        """After Airtel refused a signature: the key may have expired early."""
        self._key = None

    # -- collection --

    async def push(
        self, transaction_id: str, msisdn: str, amount: int | float, reference: str
    ) -> Submission:
        body = {
            "reference": reference,
            "subscriber": {"country": self.country, "currency": self.currency, "msisdn": msisdn},
            "transaction": {
                "amount": amount,
                "country": self.country,
                "currency": self.currency,
                "id": transaction_id,
            },
        }
        reply = await self._call(
            "push", "POST", self._path("/merchant/{v}/payments/"), "a payment request", body=body
        )
        return self._read(reply, lambda: replies.submission(reply, "the payment request"))

    async def status(self, transaction_id: str) -> StatusReport:
        await self._pace()
        reply = await self._call(
            "status", "GET", f"/standard/v1/payments/{transaction_id}", "a payment enquiry"
        )
        return replies.status(reply)

    async def refund(self, airtel_money_id: str) -> Submission:
        reply = await self._call(
            "push",
            "POST",
            self._path("/standard/{v}/payments/refund"),
            "a refund",
            body={"transaction": {"airtel_money_id": airtel_money_id}},
            idempotent=False,
        )
        return self._read(reply, lambda: replies.refund(reply))

    def _path(self, template: str) -> str:
        """A creation's path: its signed version (v2) where pushes are signed."""
        return template.format(v="v2" if self.signing else "v1")

    def _read(self, reply: Reply, read: Callable[[], T]) -> T:
        """`read()`; a refused set-up (a signature among the causes) forgets the key."""
        try:
            return read()
        except ConfigurationProblem:
            self.forget_key()
            raise

    async def account_holder(self, msisdn: str) -> AccountHolder:
        reply = await self._call(
            "lookup", "GET", f"/standard/v1/users/{msisdn}", "a customer check"
        )
        return replies.account_holder(reply)
