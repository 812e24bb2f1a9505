"""A simulator of the MTN MoMo Open API, as strict as the real service.

It refuses what MTN refuses (wrong subscription key or token, wrong target environment,
non-UUID4 or duplicate reference ids, a currency other than the sandbox's, bad notes,
a token-call body other than the ones real clients send) with MTN's status codes and error
body shapes, and answers request-to-pay by MTN's documented sandbox test numbers. Any other
number is approved after a configurable delay, as a customer would. It is no stricter than
MTN where real clients differ: header names in any case, and a token call with no body, `{}`
or `{"grant_type": "client_credentials"}`. A creation with an X-Callback-Url gets its final
status there once it settles (sandbox/mtn_state.py).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from pos_app.sandbox.callbacks import sending_from_its_loop
from pos_app.sandbox.mtn_checks import (
    GATEWAY_401,
    basic,
    error,
    is_uuid4,
    json_body,
    payment_problem,
    token_body_ok,
)
from pos_app.sandbox.mtn_state import MtnSandboxSettings as MtnSandboxSettings  # built with it
from pos_app.sandbox.mtn_state import (
    MtnState,
    Resource,
)

PRODUCTS = ("collection", "disbursement", "remittance")
# (product, version, kind, party). A v2_0 creation is read back and notified under v1_0, as at
# MTN; the cash transfer has no v1_0.
CREATIONS = (
    ("collection", "v1_0", "requesttopay", "payer"),
    ("disbursement", "v1_0", "transfer", "payee"),
    ("disbursement", "v1_0", "deposit", "payee"),
    ("disbursement", "v2_0", "deposit", "payee"),
    ("disbursement", "v1_0", "refund", "payee"),
    ("disbursement", "v2_0", "refund", "payee"),
    ("remittance", "v1_0", "transfer", "payee"),
    ("remittance", "v2_0", "cashtransfer", "payee"),
)


class MtnSimulator(MtnState):
    # -- routes --

    def routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = [
            Route("/v1_0/apiuser", self.create_api_user, methods=["POST"]),
            Route("/v1_0/apiuser/{user_id}/apikey", self.create_api_key, methods=["POST"]),
            Route("/v1_0/apiuser/{user_id}", self.get_api_user, methods=["GET"]),
        ]
        for product in PRODUCTS:
            routes += self._product_routes(product)
        for product, version, kind, party in CREATIONS:
            routes.append(
                Route(
                    f"/{product}/{version}/{kind}",
                    self._bind(self.create, product, kind, party),
                    methods=["POST"],
                )
            )
        for product, version, kind, _ in CREATIONS:
            if version == "v1_0" or kind == "cashtransfer":
                routes += self._resource_routes(product, version, kind)
        return routes

    def _product_routes(self, product: str) -> list[BaseRoute]:
        return [
            Route(f"/{product}/token/", self._bind(self.token, product), methods=["POST"]),
            Route(
                f"/{product}/v1_0/account/balance",
                self._bind(self.balance, product),
                methods=["GET"],
            ),
            Route(
                f"/{product}/v1_0/accountholder/{{id_type}}/{{holder}}/active",
                self._bind(self.account_active, product),
                methods=["GET"],
            ),
            Route(
                f"/{product}/v1_0/accountholder/{{id_type}}/{{holder}}/basicuserinfo",
                self._bind(self.basic_user_info, product),
                methods=["GET"],
            ),
        ]

    def _resource_routes(self, product: str, version: str, kind: str) -> list[BaseRoute]:
        return [
            Route(
                f"/{product}/{version}/{kind}/{{ref}}",
                self._bind(self.status, product, kind),
                methods=["GET"],
            ),
            Route(
                f"/{product}/{version}/{kind}/{{ref}}/deliverynotification",
                self._bind(self.notify, product, kind),
                methods=["POST"],
            ),
        ]

    def _bind(
        self, handler: Callable[..., Any], *args: str
    ) -> Callable[[Request], Awaitable[Response]]:
        return sending_from_its_loop(self.faults.endpoint(handler, *args), self.callbacks)

    # -- checks shared by every call --

    def _subscription_ok(self, request: Request, product: str | None) -> bool:
        key = request.headers.get("Ocp-Apim-Subscription-Key")
        if product is None:
            return key in self.settings.subscription_keys.values()
        return key is not None and key == self.settings.subscription_keys.get(product)

    def _business_check(self, request: Request, product: str) -> Response | None:
        if not self._subscription_ok(request, product):
            return JSONResponse(GATEWAY_401, status_code=401)
        auth = request.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        known = self.tokens.get(token)
        if known is None or known[0] != product or known[1] <= self.clock():
            self.tokens.pop(token, None)
            return JSONResponse(
                {
                    "error": "invalid_token",
                    "message": "Access token is missing, invalid or expired",
                },
                status_code=401,
            )
        if request.headers.get("X-Target-Environment") != self.settings.target_environment:
            return error(
                500, "NOT_ALLOWED_TARGET_ENVIRONMENT", "Access to target environment is forbidden."
            )
        return None

    # -- provisioning --

    async def create_api_user(self, request: Request) -> Response:
        if not self._subscription_ok(request, None):
            return JSONResponse(GATEWAY_401, status_code=401)
        user_id = request.headers.get("X-Reference-Id")
        if user_id is None or not is_uuid4(user_id):
            return error(400, "BAD_REQUEST", "X-Reference-Id must be a UUID version 4")
        body = await json_body(request)
        host = body.get("providerCallbackHost") if isinstance(body, dict) else None
        if not isinstance(host, str) or not host or re.fullmatch(r"[\d.]+", host):
            return error(400, "BAD_REQUEST", "providerCallbackHost must be a host name")
        if user_id in self.api_users:
            return error(
                409,
                "RESOURCE_ALREADY_EXIST",
                "Duplicated reference id. Creation of resource failed.",
            )
        self.api_users[user_id] = {"apiKey": None, "providerCallbackHost": host}
        return Response(status_code=201)

    async def create_api_key(self, request: Request) -> Response:
        if not self._subscription_ok(request, None):
            return JSONResponse(GATEWAY_401, status_code=401)
        user = self.api_users.get(request.path_params["user_id"])
        if user is None:
            return error(404, "RESOURCE_NOT_FOUND", "Requested resource was not found.")
        user["apiKey"] = secrets.token_hex(16)
        return JSONResponse({"apiKey": user["apiKey"]}, status_code=201)

    async def get_api_user(self, request: Request) -> Response:
        if not self._subscription_ok(request, None):
            return JSONResponse(GATEWAY_401, status_code=401)
        user = self.api_users.get(request.path_params["user_id"])
        if user is None:
            return error(404, "RESOURCE_NOT_FOUND", "Requested resource was not found.")
        return JSONResponse(
            {
                "providerCallbackHost": user["providerCallbackHost"],
                "targetEnvironment": self.settings.target_environment,
            }
        )

    async def token(self, request: Request, product: str) -> Response:
        self.requests[f"token {product}"] += 1
        if not self._subscription_ok(request, product):
            return JSONResponse(GATEWAY_401, status_code=401)
        if not token_body_ok(await request.body()):
            return error(400, "BAD_REQUEST", "The token API does not accept this body")
        user_id, api_key = basic(request.headers.get("Authorization", ""))
        user = self.api_users.get(user_id or "")
        if user is None or not user["apiKey"] or user["apiKey"] != api_key:
            # A user without a key yet fails the same way (laravel-mtn-momo #46: "I had not
            # registered a client secret").
            return JSONResponse(
                {"error": "login_failed"}, status_code=self.settings.login_failed_status
            )
        token = secrets.token_urlsafe(32)
        self.tokens[token] = (product, self.clock() + self.faults.token_ttl, str(user_id))
        return JSONResponse(
            {
                "access_token": token,
                "token_type": "access_token",
                "expires_in": self.faults.token_ttl,
            }
        )

    # -- payments --

    async def create(self, request: Request, product: str, kind: str, party_key: str) -> Response:
        self.requests[f"POST {kind}"] += 1
        refused = self._business_check(request, product)
        if refused is not None:
            return refused
        reference_id = request.headers.get("X-Reference-Id")
        if reference_id is None or not is_uuid4(reference_id):
            return error(400, "BAD_REQUEST", "X-Reference-Id must be a UUID version 4")
        callback = request.headers.get("X-Callback-Url")
        if callback is not None:
            host = urlsplit(callback).hostname
            if not callback.strip() or not host:
                return error(400, "BAD_REQUEST", "X-Callback-Url is not a valid URL")
            user = self._user_of(request)
            if user is None or host != user["providerCallbackHost"]:
                return error(
                    500,
                    "INVALID_CALLBACK_URL_HOST",
                    "Callback URL host does not match the API user's",
                )
        if "application/json" not in request.headers.get("Content-Type", ""):
            return error(400, "BAD_REQUEST", "Content-Type must be application/json")
        body = await json_body(request)
        if not isinstance(body, dict):
            return error(400, "BAD_REQUEST", "The body is not a JSON object")
        if (kind, reference_id) in self.resources:
            return error(
                409,
                "RESOURCE_ALREADY_EXIST",
                "Duplicated reference id. Creation of resource failed.",
            )
        problem = payment_problem(
            body, party_key if kind != "refund" else None, self.settings.currency
        )
        if problem is not None:
            return problem
        if kind == "refund":
            outcome = self._refund_outcome(body)
        else:
            party = body[party_key]
            outcome = self._outcome(str(party.get("partyId")), kind)
        resource = Resource(kind, product, body, self.clock(), outcome, party_key)
        self.resources[(kind, reference_id)] = resource
        self.accepted[reference_id] += 1
        if callback is not None:
            self.announce(resource, callback)
        return Response(status_code=202)

    def _user_of(self, request: Request) -> dict[str, str | None] | None:
        known = self.tokens.get(request.headers.get("Authorization", "")[7:])
        return self.api_users.get(known[2]) if known else None

    async def status(self, request: Request, product: str, kind: str) -> Response:
        self.requests[f"GET {kind}"] += 1
        refused = self._business_check(request, product)
        if refused is not None:
            return refused
        reference_id = request.path_params["ref"]
        if not is_uuid4(reference_id):
            return error(400, "BAD_REQUEST", "The reference id must be a UUID version 4")
        resource = self.resources.get((kind, reference_id))
        if resource is None:
            return error(404, "RESOURCE_NOT_FOUND", "Requested resource was not found.")
        return JSONResponse(self.status_body(resource))

    async def notify(self, request: Request, product: str, kind: str) -> Response:
        refused = self._business_check(request, product)
        if refused is not None:
            return refused
        if (kind, request.path_params["ref"]) not in self.resources:
            return error(404, "RESOURCE_NOT_FOUND", "Requested resource was not found.")
        body = await json_body(request)
        message = body.get("notificationMessage") if isinstance(body, dict) else None
        if not isinstance(message, str) or not message or len(message) > 160:
            return error(400, "BAD_REQUEST", "notificationMessage must be 1 to 160 characters")
        return JSONResponse({}, status_code=200)

    # -- account queries --

    async def balance(self, request: Request, product: str) -> Response:
        refused = self._business_check(request, product)
        if refused is not None:
            return refused
        total = sum(
            (
                Decimal(str(r.body["amount"]))
                for r in self.resources.values()
                if r.kind == "requesttopay" and self._state(r)[0] == "SUCCESSFUL"
            ),
            Decimal(0),
        )
        return JSONResponse({"availableBalance": str(total), "currency": self.settings.currency})

    async def account_active(self, request: Request, product: str) -> Response:
        refused = self._business_check(request, product)
        if refused is not None:
            return refused
        if request.path_params["id_type"] not in ("msisdn", "email", "party_code"):
            return error(
                400,
                "BAD_REQUEST",
                "accountHolderIdType must be msisdn, email or party_code (lower case)",
            )
        holder = request.path_params["holder"]
        return JSONResponse({"result": holder not in ("46733123450", "46733123451")})

    async def basic_user_info(self, request: Request, product: str) -> Response:
        refused = self._business_check(request, product)
        if refused is not None:
            return refused
        holder = request.path_params["holder"]
        if holder in ("46733123450", "46733123451"):
            return error(404, "RESOURCE_NOT_FOUND", "Requested resource was not found.")
        return JSONResponse(
            {
                "sub": "0",
                "name": "Sand Box",
                "given_name": "Sand",
                "family_name": "Box",
                "birthdate": "1976-08-13",
                "locale": "sv_SE",
                "gender": "MALE",
                "updated_at": "1676978048",
            }
        )
