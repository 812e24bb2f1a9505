"""A simulator of Airtel Money's Open API (Collections), as strict as the real service
(reference airtel-api.md): the client-credentials token, the USSD push (`/merchant/v1/payments/`
and the signed `/merchant/v2/payments/`), the enquiry, the full refund, KYC, and the RSA key of
message signing.

It refuses what Airtel refuses with Airtel's codes and body shapes, most of them as HTTP 200
with `status.success` false: an expired token, missing or foreign X-Country / X-Currency, a
number with a country code or of the wrong length, an amount as a string, below the minimum or
with decimals in a whole-unit currency, a reused transaction id, a signature that is not of the
exact body bytes, a caller off the IP allow list. It answers pushes by test number (airtel_state
.TEST_NUMBERS); any other number approves after a configurable delay, as a customer would.
A settled collection is POSTed to the callback URL of its settings (sandbox/airtel_state.py).

It is no stricter than Airtel where the reference leaves it open (UNVERIFIED): a token body
form-encoded or JSON, the push path with or without its trailing slash, x-key wrapped with
PKCS#1 v1.5 or OAEP, spaces in `reference`, KYC numbers with or without the country code, and
header names in any case."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from pos_app.sandbox.airtel_checks import (
    BAD_CLIENT,
    BAD_GRANT,
    CHALLENGE_INVALID,
    CHALLENGE_MISSING,
    DUPLICATE,
    ESB_SUCCESS,
    IN_PROCESS,
    KEY_OK,
    KYC_FAILED,
    KYC_OK,
    NOT_PERMITTED,
    RATE_LIMITED,
    TOKEN_INVALID,
    TOKEN_MISSING,
    field_refusal,
    forbidden,
    header_problem,
    json_content,
    msisdn_refusal,
    not_found,
    parse_json,
    push_problem,
    refusal,
    router,
    signature_ok,
    status,
    token_fields,
)
from pos_app.sandbox.airtel_state import MESSAGES, ORDINARY, TEST_NUMBERS, AirtelState, Payment
from pos_app.sandbox.airtel_state import (
    AirtelSandboxSettings as AirtelSandboxSettings,  # built with it
)
from pos_app.sandbox.callbacks import sending_from_its_loop

_BEARER = re.compile(r"\s*[Bb]earer\s+(\S+)\s*")  # as Kong's OAuth2 plug-in reads it


def _enquiry_body(payment: Payment, state: str, code: str) -> dict[str, Any]:
    transaction: dict[str, Any] = {
        "id": payment.id,
        "message": MESSAGES.get(code, ""),
        "status": state,
    }
    if state == "TS":
        transaction["airtel_money_id"] = payment.airtel_money_id
    elif state in ("TIP", "TA"):
        # Not generated before TS ([DOC-CG]); present as null here, absent on TF/TE.
        transaction["airtel_money_id"] = None
    if state in ("TIP", "TA", "TS"):
        return {
            "data": {"transaction": transaction},
            "status": status("200", "SUCCESS", success=True, result=ESB_SUCCESS, response=code),
        }
    # A failed payment: HTTP 200, code "200", success false, message "FAILED" ([DOC-ZM]).
    # ESB000011 ("Failed") is our choice; the sample shows no result_code.
    return {
        "data": {"transaction": transaction},
        "status": status("200", "FAILED", success=False, result="ESB000011", response=code),
    }


def _push_id(shape: str, transaction_id: str) -> str | bool:
    """data.transaction.id of an accepted push, as each source shows it (settings.push_id)."""
    if shape == "echo":
        return transaction_id
    if shape == "false":
        return False
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(13))


class AirtelSimulator(AirtelState):
    # -- routes --

    def routes(self) -> list[BaseRoute]:
        push_v1, push_v2 = self._bind(self.push, "v1"), self._bind(self.push, "v2")
        return [
            Route("/auth/oauth2/token", self._bind(self.token), methods=["POST"]),
            # Documented with the trailing slash; real clients send both, and Starlette
            # would answer the other with a redirect a POST does not follow.
            Route("/merchant/v1/payments/", push_v1, methods=["POST"]),
            Route("/merchant/v1/payments", push_v1, methods=["POST"]),
            Route("/merchant/v2/payments/", push_v2, methods=["POST"]),
            Route("/merchant/v2/payments", push_v2, methods=["POST"]),
            Route("/standard/v1/payments/refund", self._bind(self.refund, "v1"), methods=["POST"]),
            Route("/standard/v2/payments/refund", self._bind(self.refund, "v2"), methods=["POST"]),
            Route("/standard/v1/payments/{id}", self._bind(self.enquiry), methods=["GET"]),
            Route("/standard/v1/users/{msisdn}", self._bind(self.kyc), methods=["GET"]),
            Route("/v1/rsa/encryption-keys", self._bind(self.encryption_key), methods=["GET"]),
        ]

    def _bind(
        self, handler: Callable[..., Any], *args: str
    ) -> Callable[[Request], Awaitable[Response]]:
        return sending_from_its_loop(self.faults.endpoint(handler, *args), self.callbacks)

    def _reply(
        self, body: dict[str, Any], status_code: int = 200, headers: dict[str, str] | None = None
    ) -> JSONResponse:
        """A business answer: with the gateway's rate-limit headers, and `status.code` as a
        number when the settings say so."""
        shape = body.get("status")
        if self.settings.codes_as_numbers and isinstance(shape, dict) and "code" in shape:
            body = {**body, "status": {**shape, "code": int(shape["code"])}}
        return JSONResponse(body, status_code, headers={**self.rate_headers(), **(headers or {})})

    # -- checks shared by the business calls --

    def _declined(self, request: Request) -> Response | None:
        allowed = self.settings.allowed_addresses
        address = request.client.host if request.client else ""
        if allowed is None or address in allowed:
            return None
        # Airtel's answer is UNVERIFIED (§6.4): the shape and ROUTER007 ("User not authorized
        # for provided country") are a guess; only "declined" is documented.
        message = f"Request declined: source IP {address} is not on the Server IP Allowed List"
        return JSONResponse(
            refusal("403", message, result="ROUTER007", response="ROUTER007"), status_code=403
        )

    def _unauthorised(self, request: Request) -> Response | None:
        header = request.headers.get("Authorization", "")
        found = _BEARER.fullmatch(header)
        if found is None:
            return JSONResponse(
                TOKEN_MISSING, status_code=401, headers={"www-authenticate": CHALLENGE_MISSING}
            )
        expiry = self.tokens.get(found.group(1))
        if expiry is None or expiry <= self.clock():
            self.tokens.pop(found.group(1), None)
            return JSONResponse(
                TOKEN_INVALID, status_code=401, headers={"www-authenticate": CHALLENGE_INVALID}
            )
        return None

    def _gate(self, request: Request, *, collection: bool, counted: bool) -> Response | None:
        """The gateway's refusal of a business call, or None. Only collection and refund calls
        are filtered by address: whether Airtel filters token, KYC and key calls too is
        UNVERIFIED (§6.4), and a till must at least be able to fetch a token. Only pushes and
        enquiries count in the per-minute window, which Kong checks after the token."""
        refused = (self._declined(request) if collection else None) or self._unauthorised(request)
        if refused is not None:
            return refused
        if counted and not self.take_rate():
            # UNVERIFIED body (§10.1); Kong's rate limiter sends a Retry-After.
            return self._reply(RATE_LIMITED, 429, {"Retry-After": str(self.window_left())})
        settings = self.settings
        problem = header_problem(request, settings.country, settings.currency, settings.client_id)
        return self._reply(problem[1], problem[0]) if problem is not None else None

    def _unsigned(self, request: Request, raw: bytes, version: str) -> Response | None:
        """The refusal of a v2 call (or of a v1 call where signing is required) whose
        x-signature is not the body encrypted with the key in x-key."""
        if version == "v1" and not self.settings.signing_required:
            return None
        signature = request.headers.get("x-signature", "")
        wrapped = request.headers.get("x-key", "")
        if signature and wrapped and signature_ok(self.private_key, raw, signature, wrapped):
            return None
        return self._reply(forbidden())

    async def _body(self, request: Request, version: str) -> dict[str, Any] | Response:
        """The POST's JSON object, or the refusal of its content type, signature or shape."""
        if not json_content(request):
            # UNVERIFIED shape: a Java backend's 415, in the router's body shape.
            return self._reply(router("415", "Unsupported Media Type"), 415)
        raw = await request.body()
        refused = self._unsigned(request, raw, version)
        if refused is not None:
            return refused
        body = parse_json(raw)
        if not isinstance(body, dict):
            return self._reply(router("ROUTER003", "Missing header/body params"), 400)
        return body

    # -- token --

    async def token(self, request: Request) -> Response:
        self.requests["token"] += 1
        fields = token_fields(await request.body(), request.headers.get("Content-Type", ""))
        if fields.get("grant_type") != "client_credentials":
            return JSONResponse(BAD_GRANT, status_code=400)
        if (fields.get("client_id"), fields.get("client_secret")) != (
            self.settings.client_id,
            self.settings.client_secret,
        ):
            return JSONResponse(BAD_CLIENT, status_code=400)
        alphabet = string.ascii_letters + string.digits
        token = "".join(secrets.choice(alphabet) for _ in range(32))  # like the recorded one
        ttl = self.faults.token_ttl
        self.tokens[token] = self.clock() + ttl
        expires_in: int | str = str(ttl) if self.settings.expires_in_as_text else ttl
        return JSONResponse(
            {"token_type": "bearer", "access_token": token, "expires_in": expires_in}
        )

    # -- collections --

    async def push(self, request: Request, version: str) -> Response:
        self.requests["push"] += 1
        refused = self._gate(request, collection=True, counted=True)
        if refused is not None:
            return refused
        body = await self._body(request, version)
        if isinstance(body, Response):
            return body
        settings = self.settings
        problem = push_problem(body, settings.country, settings.currency, settings.msisdn_digits)
        if problem is not None:
            return self._reply(problem)
        transaction_id = str(body["transaction"]["id"])
        if transaction_id in self.payments:
            return self._reply(DUPLICATE)  # and no second prompt
        msisdn = body["subscriber"]["msisdn"]
        answer = self.answer_for(msisdn, Decimal(str(body["transaction"]["amount"])))
        if not answer.registered:
            return self._reply(
                refusal("400", MESSAGES[NOT_PERMITTED], result="ESB000011", response=NOT_PERMITTED)
            )
        self.create(transaction_id, body, answer)
        return self._reply(
            {
                "data": {
                    "transaction": {
                        "id": _push_id(settings.push_id, transaction_id),
                        "status": "SUCCESS",
                    }
                },
                "status": status(
                    "200", "SUCCESS", success=True, result=ESB_SUCCESS, response=IN_PROCESS
                ),
            }
        )

    async def enquiry(self, request: Request) -> Response:
        self.requests["enquiry"] += 1
        refused = self._gate(request, collection=True, counted=True)
        if refused is not None:
            return refused
        payment = self.payments.get(request.path_params["id"])
        if payment is None:
            return self._reply(not_found(), self.settings.not_found_status)
        state, code = self.state_of(payment)
        return self._reply(_enquiry_body(payment, state, code))

    async def refund(self, request: Request, version: str) -> Response:
        self.requests["refund"] += 1
        refused = self._gate(request, collection=True, counted=False)
        if refused is not None:
            return refused
        body = await self._body(request, version)
        if isinstance(body, Response):
            return body
        transaction = body.get("transaction")
        money_id = transaction.get("airtel_money_id") if isinstance(transaction, dict) else None
        if not isinstance(money_id, str) or not money_id:
            return self._reply(field_refusal("transaction.airtel_money_id is mandatory"))
        payment = self.by_money_id(money_id)
        if payment is None or self.state_of(payment)[0] != "TS":
            return self._reply(not_found())  # only a TS payment has an airtel_money_id
        if money_id in self.refunds:
            # Refunds are full (§4.1), so a second one can only be refused. Airtel's words
            # for it are not recorded: DP00800001008 "Refused" is the collection table's
            # plain refusal (not "not found": the payment exists).
            return self._reply(
                refusal(
                    "400",
                    "Refused: the transaction has already been refunded.",
                    result="ESB000011",
                    response="DP00800001008",
                )
            )
        refund = self.refund_payment(payment)
        return self._reply(
            {
                "data": {
                    "transaction": {"airtel_money_id": refund.airtel_money_id, "status": "SUCCESS"}
                },
                "status": status("200", "SUCCESS", success=True, result=ESB_SUCCESS),
            }
        )

    # -- KYC and the signing key --

    async def kyc(self, request: Request) -> Response:
        self.requests["kyc"] += 1
        refused = self._gate(request, collection=False, counted=False)
        if refused is not None:
            return refused
        number = self.national(request.path_params["msisdn"])
        holder = TEST_NUMBERS.get(number, ORDINARY)
        if not holder.registered:
            return self._reply(
                refusal("400", "Subscriber not found", result="ESB000011", response=KYC_FAILED)
            )
        digits = self.settings.msisdn_digits
        if not number.isdigit() or not number.isascii() or (digits and len(number) != digits):
            return self._reply(msisdn_refusal(digits))
        data = {
            "first_name": "Sand",
            "grade": "SUBS",
            "is_barred": holder.barred,
            "is_pin_set": True,
            "last_name": "Box",
            "msisdn": f"{number[:2]}****{number[-2:]}",  # masked, as Airtel does
            "registration": {"status": "SUBS"},
        }
        return self._reply(
            {
                "data": data,
                "status": status(
                    "200", "SUCCESS", success=True, result=ESB_SUCCESS, response=KYC_OK
                ),
            }
        )

    async def encryption_key(self, request: Request) -> Response:
        self.requests["keys"] += 1
        refused = self._gate(request, collection=False, counted=False)
        if refused is not None:
            return refused
        key = self.public_key()
        data = {
            "key_id": self.key_id,
            "key": key,
            "valid_upto": self.key_valid_upto.strftime("%d-%m-%Y %H:%M:%S"),
        }
        shape = status("200", "Success", success=True, result=ESB_SUCCESS, response=KEY_OK)
        if self.settings.key_at_top_level:
            return self._reply({**data, "status": shape})
        return self._reply({"data": data, "status": shape})
