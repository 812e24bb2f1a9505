"""An async client for Safaricom's Daraja API: STK Push and Query, Transaction Status, Reversal.

An STK Push is not idempotent (Daraja has no client-chosen id for it), so it is never sent a
second time unless the first attempt certainly did not arrive; a push whose answer was lost
becomes "unknown" for a person to resolve. Queries are retried freely.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from pos_app.domain.errors import Text
from pos_app.platform.secret import Secret
from pos_app.providers.answers import Call, unclear
from pos_app.providers.base import (
    ConfigurationProblem,
    MalformedResponse,
    ProviderError,
    RemoteStatus,
    RequestRejected,
    StatusReport,
    Submission,
    UnclearAnswer,
)
from pos_app.providers.http import Delivery, Reply, ResilientHttp, error_for
from pos_app.providers.mpesa import rules
from pos_app.providers.mpesa.answers import TABLE, TOKEN_REFUSED, read
from pos_app.providers.mpesa.reasons import CATALOG
from pos_app.providers.resilience import CircuitBreaker, RetryPolicy, Sleep, default_sleep
from pos_app.providers.tokens import Token, TokenCache, with_fresh_token

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class MpesaCredentials:
    consumer_key: Secret
    consumer_secret: Secret
    passkey: Secret

    def __repr__(self) -> str:
        return "MpesaCredentials(***)"


@dataclass(frozen=True)
class StkSettings:
    shortcode: str  # PayBill number, or a till's store number
    transaction_type: str = rules.PAYBILL
    party_b: str = ""  # PayBill: the shortcode; Buy Goods: the till number
    callback_url: str = ""
    local_callback: bool = False  # a hub on this machine (sandbox only)
    to_hub: bool = False  # the callback URL is the owner's hub's

    @property
    def receiver(self) -> str:
        return self.party_b or self.shortcode


@dataclass(frozen=True)
class Initiator:
    """An API operator of the organisation, for Transaction Status and Reversal."""

    name: str
    security_credential: Secret
    result_url: str
    queue_timeout_url: str

    def __repr__(self) -> str:
        return f"Initiator({self.name!r}, ***)"


def _json(response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MalformedResponse(f"M-Pesa answered {what} with a body that is not JSON") from exc
    if not isinstance(body, dict):
        raise MalformedResponse(f"M-Pesa answered {what} with JSON that is not an object")
    return body


def _text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedResponse(f"M-Pesa sent {type(value).__name__} for {key}")
    return str(value)


class MpesaClient:
    def __init__(
        self,
        *,
        base_url: str,
        credentials: MpesaCredentials,
        stk: StkSettings,
        timeout: float = 15.0,
        deadline: float | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        proxy: httpx.Proxy | None = None,
        sleep: Sleep = default_sleep,
        rng: random.Random | None = None,
        breaker_threshold: int = 5,
        breaker_cooldown: float = 30.0,
        clock: Clock = lambda: datetime.now(UTC),
        reuse_tokens: bool = True,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.stk = stk
        self._credentials = credentials
        self._clock = clock
        self.http = ResilientHttp(
            label="M-Pesa",
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
        self.tokens = TokenCache(self._fetch_token, reuse=reuse_tokens)
        self.breaker = CircuitBreaker(breaker_threshold, breaker_cooldown)

    def __repr__(self) -> str:
        return f"MpesaClient({self.base_url!r}, shortcode={self.stk.shortcode!r})"

    @property
    def requests_sent(self) -> int:
        return self.http.requests_sent

    async def aclose(self) -> None:
        await self.http.aclose()

    # -- plumbing --

    async def _fetch_token(self) -> Token:
        basic = base64.b64encode(
            f"{self._credentials.consumer_key.reveal()}:"
            f"{self._credentials.consumer_secret.reveal()}".encode()
        ).decode()
        reply = await self.http.send(
            self.breaker,
            "token",
            "token",
            "GET",
            "/oauth/v1/generate",
            params={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {basic}"},
            delivery=Delivery(),
        )
        response = reply.response
        if response.status_code != 200:
            said = read(response)
            raise ConfigurationProblem(
                Text(
                    "M-Pesa refused the consumer key or secret ({detail}): in Settings, or "
                    "the keyring entries mpesa.consumer_key and mpesa.consumer_secret "
                    "(MPESA_CONSUMER_KEY, MPESA_CONSUMER_SECRET), enter the pair of the Daraja "
                    "app made for this environment",
                    detail=f"{said.code}: {said.message}"
                    if said.code
                    else f"HTTP {response.status_code}",
                )
            )
        body = _json(response, "the token request")
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise MalformedResponse("M-Pesa token answer has no access_token")
        try:
            expires_in = float(body.get("expires_in", 3599))  # a string in practice
        except (TypeError, ValueError) as exc:
            raise MalformedResponse("M-Pesa token answer has an unreadable expires_in") from exc
        return Token(Secret(token), expires_in)

    async def _post(
        self,
        what: str,
        call: Call,
        path: str,
        body: dict[str, Any],
        *,
        idempotent: bool,
        delivery: Delivery | None = None,
    ) -> Reply:
        """An authenticated POST; an invalid-token answer refreshes the token once and retries
        once (the rejected attempt was not processed, so this is safe even for a push)."""
        sent = delivery or Delivery()

        async def send(token: Secret) -> Reply:
            return await self.http.send(
                self.breaker,
                what,
                call,
                "POST",
                path,
                json_body=body,
                delivery=sent,
                idempotent=idempotent,
                headers={"Authorization": f"Bearer {token.reveal()}"},
            )

        return await with_fresh_token(
            self.tokens,
            send,
            TOKEN_REFUSED,
            Text(
                "M-Pesa refuses fresh access tokens: is the M-Pesa Express product "
                "enabled for this Daraja app, and are the keys for this environment?"
            ),
        )

    def _refusal(self, reply: Reply, what: str) -> ProviderError:
        """The error an answer other than the expected one stands for, by the table."""
        response = reply.response
        said = read(response)
        text = f"M-Pesa refused {what}: {said.message or f'HTTP {response.status_code}'}"
        if said.code:
            text += f" ({said.code})"
        busy = "lock subscriber" in said.message.lower()
        return error_for(reply, said, text, CATALOG.lookup("1001") if busy else None)

    def _password(self) -> tuple[str, str]:
        # One clock reading for both: a Password built from another second is "Wrong credentials".
        stamp = rules.timestamp(self._clock())
        return stamp, rules.password(self.stk.shortcode, self._credentials.passkey.reveal(), stamp)

    # -- STK Push and Query --

    def stk_push_body(
        self, *, amount: int, msisdn: str, account_reference: str, description: str
    ) -> dict[str, Any]:
        stamp, password = self._password()
        if self.stk.transaction_type == rules.BUY_GOODS and not self.stk.party_b:
            raise ConfigurationProblem(
                Text("[mpesa] party_b must be the till number for Buy Goods")
            )
        return {
            "BusinessShortCode": self.stk.shortcode,
            "Password": password,
            "Timestamp": stamp,
            "TransactionType": self.stk.transaction_type,
            "Amount": amount,
            "PartyA": rules.msisdn(msisdn),
            "PartyB": self.stk.receiver,
            "PhoneNumber": msisdn,
            "CallBackURL": rules.callback_url(self.stk.callback_url, local=self.stk.local_callback),
            "AccountReference": account_reference,
            "TransactionDesc": description,
        }

    async def stk_push(self, body: dict[str, Any]) -> Submission:
        reply = await self._post(
            "an STK push", "push", "/mpesa/stkpush/v1/processrequest", body, idempotent=False
        )
        if reply.response.status_code != 200:
            raise self._refusal(reply, "the payment prompt")
        answer = _json(reply.response, "the STK push")
        if _text(answer, "ResponseCode") != "0":
            raise RequestRejected(
                Text(
                    "M-Pesa refused the payment prompt: {why}",
                    why=answer.get("ResponseDescription"),
                )
            )
        checkout = _text(answer, "CheckoutRequestID")
        if not checkout:
            # Accepted but unnamed: nothing to ask about later, so the caller must treat the
            # payment as unknown (MalformedResponse says delivery is unknown).
            raise MalformedResponse("M-Pesa accepted the prompt without a CheckoutRequestID")
        return Submission(
            provider_request_id=checkout,
            detail={
                "CheckoutRequestID": checkout,
                "MerchantRequestID": _text(answer, "MerchantRequestID"),
                "CustomerMessage": _text(answer, "CustomerMessage"),
            },
            to_hub=self.stk.to_hub,
        )

    async def stk_query(self, checkout_request_id: str) -> StatusReport:
        stamp, password = self._password()
        body = {
            "BusinessShortCode": self.stk.shortcode,
            "Password": password,
            "Timestamp": stamp,
            "CheckoutRequestID": checkout_request_id,
        }
        reply = await self._post(
            "a status query", "status", "/mpesa/stkpushquery/v1/query", body, idempotent=True
        )
        response = reply.response
        if response.status_code != 200:
            said = read(response)
            if reply.rule.result == "pending":
                return StatusReport(
                    RemoteStatus.PENDING,
                    detail={"errorCode": said.code, "errorMessage": said.message},
                )
            if reply.rule.result == "not found":
                return StatusReport(RemoteStatus.NOT_FOUND, detail={"errorMessage": said.message})
            raise self._refusal(reply, "the status query")
        try:
            answer = _json(response, "the status query")
            code = _text(answer, "ResultCode")
        except MalformedResponse as exc:
            said = read(response)
            raise UnclearAnswer(str(exc), unclear(response, said)) from exc
        detail = {"ResultCode": code, "ResultDesc": _text(answer, "ResultDesc")}
        if code is None or code == "4999":
            return StatusReport(RemoteStatus.PENDING, detail=detail)
        if code == "0":
            # STK Query never carries the M-Pesa receipt code: the payment is proven paid,
            # named by its CheckoutRequestID; the code can be added from the customer's SMS.
            return StatusReport(RemoteStatus.SUCCESSFUL, detail=detail)
        return StatusReport(RemoteStatus.FAILED, reason=CATALOG.lookup(code), detail=detail)

    # -- Transaction Status and Reversal (answers arrive at ResultURL, not here) --

    async def transaction_status(
        self, initiator: Initiator, transaction_id: str, remarks: str = "Status check"
    ) -> Submission:
        body = {
            "Initiator": initiator.name,
            "SecurityCredential": initiator.security_credential.reveal(),
            "CommandID": "TransactionStatusQuery",
            "TransactionID": transaction_id,
            "PartyA": self.stk.shortcode,
            "IdentifierType": "4",
            "ResultURL": initiator.result_url,
            "QueueTimeOutURL": initiator.queue_timeout_url,
            "Remarks": remarks[:100] or "Status check",
            "Occasion": "",
        }
        reply = await self._post(
            "a transaction status query",
            "lookup",
            "/mpesa/transactionstatus/v1/query",
            body,
            idempotent=True,
        )
        return self._accepted(reply, "the transaction status query")

    async def reversal(
        self, initiator: Initiator, transaction_id: str, amount: int, remarks: str = "Refund"
    ) -> Submission:
        body = {
            "Initiator": initiator.name,
            "SecurityCredential": initiator.security_credential.reveal(),
            "CommandID": "TransactionReversal",
            "TransactionID": transaction_id,
            "Amount": amount,
            "ReceiverParty": self.stk.shortcode,
            "RecieverIdentifierType": "11",  # sic: Daraja's spelling
            "ResultURL": initiator.result_url,
            "QueueTimeOutURL": initiator.queue_timeout_url,
            "Remarks": (remarks[:100] if len(remarks) >= 2 else "Refund"),
            "Occasion": "",
        }
        reply = await self._post(
            "a reversal", "push", "/mpesa/reversal/v1/request", body, idempotent=False
        )
        return self._accepted(reply, "the reversal")

    def _accepted(self, reply: Reply, what: str) -> Submission:
        """Only "accepted for processing": the result goes to ResultURL."""
        if reply.response.status_code != 200:
            raise self._refusal(reply, what)
        answer = _json(reply.response, what)
        if _text(answer, "ResponseCode") != "0":
            raise RequestRejected(
                Text(
                    "M-Pesa refused {what}: {why}", what=what, why=answer.get("ResponseDescription")
                )
            )
        return Submission(
            provider_request_id=_text(answer, "ConversationID"),
            detail={
                "ConversationID": _text(answer, "ConversationID"),
                "OriginatorConversationID": _text(answer, "OriginatorConversationID"),
                "asynchronous": True,
            },
        )
