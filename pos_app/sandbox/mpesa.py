"""A simulator of Safaricom's Daraja API (OAuth, STK Push, STK Query, Transaction Status,
Reversal, C2B Register URL and Simulate), strict like the real service and answering with
Daraja's error shapes and codes. It posts the callbacks Daraja posts: each push's result to its
CallBackURL, and each customer payment's validation and confirmation to the URLs registered for
the shortcode (sandbox/mpesa_state.py).

No stricter than Daraja where published clients differ: shortcodes, phone numbers and whole
amounts as JSON numbers or strings (Daraja's own sample mixes both), extra fields ignored, and
a Timestamp in the client machine's local time or UTC (Safaricom's Node library sends UTC)."""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from pos_app.sandbox.callbacks import sending_from_its_loop
from pos_app.sandbox.mpesa_state import (
    NAIROBI,
    RESULT_DESCRIPTIONS,
    MpesaState,
    Push,
)
from pos_app.sandbox.mpesa_state import (
    MpesaSandboxSettings as MpesaSandboxSettings,  # built with it
)

# Daraja refuses URLs with these words in any case (callbacks.md §3).
_REFUSED = re.compile(r"mpesa|m-pesa|safaricom|exe|exec|cmd|sql|query", re.IGNORECASE)


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


class MpesaSimulator(MpesaState):
    # -- routes --

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
            *(
                Route(
                    f"/mpesa/c2b/{version}/registerurl",
                    self._bind(self.register_urls, version),
                    methods=["POST"],
                )
                for version in ("v1", "v2")
            ),
            *(
                Route(f"/mpesa/c2b/{version}/simulate", self._bind(self.simulate), methods=["POST"])
                for version in ("v1", "v2")
            ),
        ]

    def _bind(
        self, handler: Callable[..., Any], *args: str
    ) -> Callable[[Request], Awaitable[Response]]:
        return sending_from_its_loop(self.faults.endpoint(handler, *args), self.callbacks)

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
        self.pushes[checkout] = Push(checkout, merchant, body, now, outcome)
        self.announce(self.pushes[checkout])
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
        if not self._callback_url_ok(url, ("https",)) or "mpesa" in url.lower():
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

    def _callback_url_ok(self, url: str, schemes: tuple[str, ...]) -> bool:
        """A URL Daraja would call: one of `schemes`, a host, no spaces, not this machine (both
        http and loopback hosts are taken when `settings.local_callbacks`)."""
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            return False
        local = self.settings.local_callbacks
        return (
            (parts.scheme in schemes or (local and parts.scheme in ("http", "https")))
            and bool(parts.hostname)
            and " " not in url
            and url == url.strip()
            and (local or parts.hostname not in ("localhost", "127.0.0.1"))
        )

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

    # -- C2B: Register URL and Simulate (callbacks.md §2.1) --

    async def register_urls(self, request: Request, version: str) -> Response:
        self.requests["registerurl"] += 1
        body = await self._authorised_body(request)
        if isinstance(body, Response):
            return body
        shortcode = str(body.get("ShortCode", ""))
        if not re.fullmatch(r"\d{5,7}", shortcode):
            return _bad("ShortCode")
        response_type = body.get("ResponseType")
        if response_type not in ("Completed", "Cancelled"):  # sentence case, well spelled
            return _bad("ResponseType")
        confirmation = body.get("ConfirmationURL")
        if not isinstance(confirmation, str) or not self._c2b_url_ok(confirmation):
            return _bad("ConfirmationURL")
        validation = body.get("ValidationURL") or ""
        if not isinstance(validation, str) or (validation and not self._c2b_url_ok(validation)):
            return _bad("ValidationURL")
        if self.settings.register_once and shortcode in self.c2b_urls:
            return _error(500, "500.003.1001", "Urls are already registered")
        self.register_c2b_urls(shortcode, confirmation, validation, response_type, version)
        if version == "v1":
            conversation = f"{secrets.randbelow(10**4)}-{secrets.randbelow(10**8)}-1"
        else:
            conversation = f"{secrets.token_hex(2)}-{secrets.token_hex(2)}-{secrets.token_hex(15)}"
        return JSONResponse(
            {
                "OriginatorCoversationID": conversation,  # sic, as Daraja spells it
                "ResponseCode": "0",
                "ResponseDescription": "success" if version == "v1" else "Success",
            }
        )

    def _c2b_url_ok(self, url: str) -> bool:
        # "On Sandbox you're allowed to simulate using HTTP" (§3); no refused word (§3).
        return self._callback_url_ok(url, ("http", "https")) and not _REFUSED.search(url)

    async def simulate(self, request: Request) -> Response:
        self.requests["c2b simulate"] += 1
        body = await self._authorised_body(request)
        if isinstance(body, Response):
            return body
        command = body.get("CommandID")
        if command not in ("CustomerPayBillOnline", "CustomerBuyGoodsOnline"):
            return _bad("CommandID")
        shortcode = str(body.get("ShortCode", ""))
        if not re.fullmatch(r"\d{5,7}", shortcode):
            return _bad("ShortCode")
        amount = body.get("Amount")
        if isinstance(amount, bool) or not (
            (isinstance(amount, int) and amount >= 1)
            or (isinstance(amount, str) and amount.isdigit() and int(amount) >= 1)
        ):
            return _bad("Amount")  # "Only whole numbers are supported"
        msisdn = str(body.get("Msisdn", ""))
        if not re.fullmatch(r"254[17]\d{8}", msisdn):
            return _bad("Msisdn")
        reference = body.get("BillRefNumber")
        if reference is not None and (not isinstance(reference, str) or len(reference) > 20):
            return _bad("BillRefNumber")
        self.pay_c2b(
            int(str(amount)),
            msisdn,
            shortcode=shortcode,
            bill_ref=reference or "",
            command=str(command),
        )
        return JSONResponse(
            {
                "OriginatorCoversationID": f"{secrets.token_hex(2)}-{secrets.token_hex(2)}-"
                f"{secrets.token_hex(15)}",
                "ResponseCode": "0",
                "ResponseDescription": "Accept the service request successfully.",
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
