"""A simulator of Safaricom's Daraja API (OAuth, STK Push, STK Query, Transaction Status,
Reversal), strict like the real service and answering with Daraja's error shapes and codes.

No stricter than Daraja where published clients differ: shortcodes, phone numbers and whole
amounts as JSON numbers or strings (Daraja's own sample mixes both), extra fields ignored, and
a Timestamp in the client machine's local time or UTC (Safaricom's Node library sends UTC)."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import itertools
import json
import re
import secrets
import time
from collections import Counter
from collections.abc import Callable, KeysView
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from pos_app.sandbox import demo
from pos_app.sandbox.faults import Faults

NAIROBI = timezone(timedelta(hours=3))
RESULT_DESCRIPTIONS = {
    "0": "The service request is processed successfully.",
    "1": "The balance is insufficient for the transaction.",
    "3": "Declined due to limit rule: greater than the maximum transaction amount.",
    "17": "Rule limited.",
    "1019": "Transaction has expired.",
    "1032": "Request cancelled by user.",
    "1037": "DS timeout user cannot be reached.",
    "2001": "The initiator information is invalid.",
    "2028": "The request is not permitted according to product assignment.",
}


@dataclass(frozen=True)
class StkOutcome:
    """The customer's answer: a ResultCode after the processing phase; `None` means never."""

    result_code: str | None = "0"


# Scripted answers by phone number (every other number pays after the processing phase).
TEST_NUMBERS: dict[str, StkOutcome] = {
    "254708374149": StkOutcome("0"),  # Daraja's own test number
    "254711000001": StkOutcome("1"),  # not enough money
    "254711001032": StkOutcome("1032"),  # cancelled by the customer
    "254711002001": StkOutcome("2001"),  # wrong PIN
    "254711001037": StkOutcome("1037"),  # phone unreachable
    "254711001019": StkOutcome("1019"),  # prompt expired
    "254711000000": StkOutcome(None),  # never answers
}


@dataclass
class MpesaSandboxSettings:
    consumer_key: str = demo.MPESA_CONSUMER_KEY
    consumer_secret: str = demo.MPESA_CONSUMER_SECRET
    shortcode: str = demo.MPESA_SHORTCODE
    passkey: str = demo.MPESA_PASSKEY
    till_numbers: tuple[str, ...] = (demo.MPESA_TILL,)
    initiator_name: str = demo.MPESA_INITIATOR
    initiator_password: str = demo.MPESA_INITIATOR_PASSWORD
    processing_seconds: float = 4.0  # how long the customer takes to answer
    pending_shape: str = "alternate"  # "error" (500.001.1001), "4999", or "alternate"
    # Seconds from Kenyan time before `Invalid Timestamp`. Daraja "tolerates at least a few hours
    # of skew" (reference mpesa-api.md §1.2.1): Safaricom's own Node library stamps in UTC,
    # mpesakit and django-daraja in the machine's local time; a server "a day behind" failed.
    max_timestamp_skew: float = 12 * 3600.0
    outcome: Callable[[str], StkOutcome] | None = None  # overrides the test-number table


@dataclass
class _Push:
    checkout_id: str
    merchant_id: str
    body: dict[str, Any]
    created: float
    outcome: StkOutcome
    queries: int = 0


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {
            "requestId": f"{secrets.randbelow(10**5)}-{secrets.randbelow(10**8)}-1",
            "errorCode": code,
            "errorMessage": message,
        },
        status_code=status,
    )


def _bad(field_name: str) -> JSONResponse:
    return _error(400, "400.002.02", f"Bad Request - Invalid {field_name}")


class MpesaSimulator:
    def __init__(
        self,
        settings: MpesaSandboxSettings | None = None,
        faults: Faults | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings or MpesaSandboxSettings()
        self.faults = faults or Faults(flavour="mpesa")
        self.clock = clock
        self.wall_clock = wall_clock
        self.tokens: dict[str, float] = {}
        self.pushes: dict[str, _Push] = {}
        self.requests: Counter[str] = Counter()
        self.async_requests: list[dict[str, Any]] = []  # transaction status and reversals
        self._ids = itertools.count(1)

    @cached_property
    def _key(self) -> rsa.RSAPrivateKey:
        # Made on first use: generating an RSA key takes a noticeable moment.
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @cached_property
    def certificate_pem(self) -> bytes:
        """The simulator's 'Safaricom certificate' for encrypting the initiator password."""
        return _self_signed(self._key)

    # -- accounting --

    def charges(self) -> int:
        return sum(1 for p in self.pushes.values() if self._state(p) == "0")

    def pushes_to(self, msisdn: str) -> int:
        return sum(1 for p in self.pushes.values() if str(p.body.get("PhoneNumber")) == msisdn)

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def final_at(self, checkout_id: str) -> float | None:
        push = self.pushes.get(checkout_id)
        if push is None or push.outcome.result_code is None:
            return None
        return push.created + self.settings.processing_seconds

    # -- routes --

    # -- memory across restarts (demo mode keeps it in the demo folder) --

    def known(self) -> KeysView[str]:
        return self.pushes.keys()

    def remember(self, key: str) -> dict[str, Any]:
        """The push `key` as JSON, as it was made."""
        return dataclasses.asdict(self.pushes[key])

    def recall(self, entry: dict[str, Any]) -> str:
        """Know again what `remember` gave; raises TypeError, KeyError or ValueError."""
        push = _Push(**{**entry, "outcome": StkOutcome(**entry["outcome"])})
        self.pushes[push.checkout_id] = push
        self._ids = itertools.count(len(self.pushes) + 1)  # checkout ids stay unique
        return push.checkout_id

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/oauth/v1/generate", self._bind(self.token), methods=["GET"]),
            Route("/mpesa/stkpush/v1/processrequest", self._bind(self.stk_push), methods=["POST"]),
            Route("/mpesa/stkpushquery/v1/query", self._bind(self.stk_query), methods=["POST"]),
            Route(
                "/mpesa/transactionstatus/v1/query",
                self._bind(self.initiator_request, "TransactionStatusQuery"),
                methods=["POST"],
            ),
            Route(
                "/mpesa/reversal/v1/request",
                self._bind(self.initiator_request, "TransactionReversal"),
                methods=["POST"],
            ),
        ]

    def _bind(self, handler: Callable[..., Any], *args: str) -> Callable[[Request], Any]:
        return self.faults.endpoint(handler, *args)

    # -- auth --

    async def token(self, request: Request) -> Response:
        self.requests["token"] += 1
        if request.query_params.get("grant_type") != "client_credentials":
            return _error(400, "400.008.02", "Invalid grant type passed")
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return _error(400, "400.008.01", "Invalid authentication type passed")
        try:
            key, _, secret = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            key, secret = "", ""
        if (key, secret) != (self.settings.consumer_key, self.settings.consumer_secret):
            return Response(status_code=400)  # Daraja answers wrong keys with an empty 400
        token = secrets.token_urlsafe(24)
        self.tokens[token] = self.clock() + self.faults.token_ttl
        return JSONResponse({"access_token": token, "expires_in": str(self.faults.token_ttl)})

    async def _authorised_body(self, request: Request) -> dict[str, Any] | Response:
        header = request.headers.get("Authorization", "")
        expiry = self.tokens.get(header[7:]) if header.startswith("Bearer ") else None
        if expiry is None or expiry <= self.clock():
            return _error(404, "404.001.03", "Invalid Access Token")
        if "application/json" not in request.headers.get("Content-Type", ""):
            return _bad("BusinessShortCode")  # what Daraja says to a form-encoded body
        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return _bad("BusinessShortCode")
        return body if isinstance(body, dict) else _bad("BusinessShortCode")

    def _check_password(self, body: dict[str, Any]) -> Response | None:
        if str(body.get("BusinessShortCode", "")) != self.settings.shortcode:
            return _error(500, "500.001.1001", "Merchant does not exist")
        stamp = str(body.get("Timestamp", ""))
        try:
            when = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=NAIROBI)
        except ValueError:
            return _bad("Timestamp")
        if abs((when - self.wall_clock()).total_seconds()) > self.settings.max_timestamp_skew:
            return _bad("Timestamp")
        expected = base64.b64encode(
            f"{self.settings.shortcode}{self.settings.passkey}{stamp}".encode()
        ).decode()
        if body.get("Password") != expected:
            return _error(500, "500.001.1001", "[MerchantValidate] - Wrong credentials")
        return None

    # -- STK --

    async def stk_push(self, request: Request) -> Response:
        self.requests["push"] += 1
        body = await self._authorised_body(request)
        if isinstance(body, Response):
            return body
        refused = self._check_password(body) or self._validate_push(body)
        if refused is not None:
            return refused
        phone, amount = str(body["PhoneNumber"]), int(str(body["Amount"]))
        now = self.clock()
        if any(
            # str(): a client may send the number as a JSON number or a string.
            str(p.body["PhoneNumber"]) == phone and self._state(p) is None
            for p in self.pushes.values()
        ):
            return _error(
                500,
                "500.001.1001",
                "Unable to lock subscriber, a transaction is "
                "already in process for the current subscriber",
            )
        outcome = self._outcome(body, phone, amount, now)
        stamp = self.wall_clock().astimezone(NAIROBI).strftime("%d%m%Y%H%M%S%f")[:17]
        number = next(self._ids)
        checkout = f"ws_CO_{stamp}{number:04d}{phone[-6:]}"
        merchant = f"{secrets.randbelow(90000) + 10000}-{number}-1"
        self.pushes[checkout] = _Push(checkout, merchant, body, now, outcome)
        return JSONResponse(
            {
                "MerchantRequestID": merchant,
                "CheckoutRequestID": checkout,
                "ResponseCode": "0",
                "ResponseDescription": "Success. Request accepted for processing",
                "CustomerMessage": "Success. Request accepted for processing",
            }
        )

    def _validate_push(self, body: dict[str, Any]) -> Response | None:
        if body.get("TransactionType") not in ("CustomerPayBillOnline", "CustomerBuyGoodsOnline"):
            return _bad("TransactionType")
        amount = body.get("Amount")
        if isinstance(amount, bool) or not (
            isinstance(amount, int) or (isinstance(amount, str) and amount.isdigit())
        ):
            return _bad("Amount")  # decimals included
        if int(str(amount)) < 1:
            return _bad("Amount")
        for key in ("PartyA", "PhoneNumber"):
            if not re.fullmatch(r"254[17]\d{8}", str(body.get(key, ""))):
                return _bad(key)
        if not str(body.get("PartyB", "")).isdigit():
            return _bad("PartyB")
        url = str(body.get("CallBackURL", ""))
        parts = urlsplit(url)
        if (
            parts.scheme != "https"
            or not parts.hostname
            or " " in url
            or url != url.strip()
            or "mpesa" in url.lower()
            or parts.hostname in ("localhost", "127.0.0.1")
        ):
            return _bad("CallBackURL")
        reference = body.get("AccountReference")
        if not isinstance(reference, str) or not 1 <= len(reference) <= 12:
            return _bad("AccountReference")
        description = body.get("TransactionDesc")
        if description is None or description == "":
            return _bad("Remarks")
        if not isinstance(description, str) or len(description) > 13:
            return _bad("TransactionDesc")
        return None

    def _outcome(self, body: dict[str, Any], phone: str, amount: int, now: float) -> StkOutcome:
        receiver = str(body["PartyB"])
        if body["TransactionType"] == "CustomerPayBillOnline":
            wrong_receiver = receiver != self.settings.shortcode
        else:
            wrong_receiver = receiver not in self.settings.till_numbers
        if wrong_receiver:
            return StkOutcome("2028")
        if amount > 250_000:
            return StkOutcome("3")
        # The same amount to the same customer within 2 minutes is refused.
        if any(
            str(p.body["PhoneNumber"]) == phone
            and int(str(p.body["Amount"])) == amount
            and now - p.created < 120
            for p in self.pushes.values()
        ):
            return StkOutcome("17")
        if self.settings.outcome is not None:
            return self.settings.outcome(phone)
        return TEST_NUMBERS.get(phone, StkOutcome("0"))

    def _state(self, push: _Push) -> str | None:
        """The ResultCode once the customer has answered, else None (still processing)."""
        code = push.outcome.result_code
        if code is None or self.clock() - push.created < self.settings.processing_seconds:
            return None
        return code

    async def stk_query(self, request: Request) -> Response:
        self.requests["query"] += 1
        body = await self._authorised_body(request)
        if isinstance(body, Response):
            return body
        refused = self._check_password(body)
        if refused is not None:
            return refused
        push = self.pushes.get(str(body.get("CheckoutRequestID", "")))
        if push is None:
            return _error(500, "500.001.1001", "The transaction does not exist")
        push.queries += 1
        code = self._state(push)
        ids = {"MerchantRequestID": push.merchant_id, "CheckoutRequestID": push.checkout_id}
        if code is None:
            shape = self.settings.pending_shape
            if shape == "error" or (shape == "alternate" and push.queries % 2 == 1):
                return _error(500, "500.001.1001", "The transaction is being processed")
            return JSONResponse(
                {
                    "ResponseCode": "0",
                    "ResponseDescription": "The service request has been accepted successsfully",
                    **ids,
                    "ResultCode": "4999",
                    "ResultDesc": "The transaction is still under processing",
                }
            )
        return JSONResponse(
            {
                "ResponseCode": "0",
                "ResponseDescription": "The service request has been accepted successsfully",
                **ids,
                "ResultCode": code,
                "ResultDesc": RESULT_DESCRIPTIONS.get(code, "Failed"),
            }
        )

    # -- Transaction Status and Reversal (results would go to ResultURL) --

    async def initiator_request(self, request: Request, command: str) -> Response:
        self.requests[command] += 1
        body = await self._authorised_body(request)
        if isinstance(body, Response):
            return body
        if body.get("CommandID") != command:
            return _bad("CommandID")
        for key in ("ResultURL", "QueueTimeOutURL"):
            if not str(body.get(key, "")).startswith("https://"):
                return _bad(key)
        if not body.get("TransactionID"):
            return _bad("TransactionID")
        valid = (
            body.get("Initiator") == self.settings.initiator_name
            and self._decrypt(str(body.get("SecurityCredential", "")))
            == self.settings.initiator_password
        )
        # Wrong initiator details are reported asynchronously, as ResultCode 2001.
        conversation = f"AG_{self.wall_clock():%Y%m%d}_{secrets.token_hex(10)}"
        self.async_requests.append(
            {
                "command": command,
                "body": body,
                "result_code": "0" if valid else "2001",
                "conversation_id": conversation,
            }
        )
        return JSONResponse(
            {
                "OriginatorConversationID": f"{secrets.randbelow(10**5)}-1",
                "ConversationID": conversation,
                "ResponseCode": "0",
                "ResponseDescription": "Accept the service request successfully.",
            }
        )

    def _decrypt(self, credential: str) -> str | None:
        try:
            return self._key.decrypt(base64.b64decode(credential), padding.PKCS1v15()).decode()
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None


def _self_signed(key: rsa.RSAPrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pos-app sandbox M-Pesa")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)
