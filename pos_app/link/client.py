"""The hub's API as the till calls it (httpx)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from pos_app.platform.secret import Secret

POLL_WAIT = 20.0  # seconds the hub holds an empty long-poll (its limit is 25)
TIMEOUT = 10.0


class HubError(Exception):
    """The hub could not be reached, or answered with something unusable."""


class HubRefused(HubError):
    """The hub said no (a revoked key, a used code, a body it cannot take): trying again as
    it is will not help."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Linked:
    till_id: str
    shop: str
    till: str
    key: Secret


@dataclass(frozen=True)
class CustomerPayment:
    """A payment a customer made from their own phone to the shop's number, as the hub lists
    it (the payer's name as the provider gives it; the account is what the customer typed)."""

    trans_id: str
    provider: str
    amount: Decimal
    payer_name: str | None = None
    account: str | None = None
    paid_at: str | None = None
    sale: str | None = None  # the till's payment it was claimed for

    @classmethod
    def of(cls, body: dict[str, Any]) -> CustomerPayment:
        try:
            return cls(
                str(body["trans_id"]),
                str(body["provider"]),
                Decimal(body["amount"]),
                body.get("payer_name"),
                body.get("account"),
                body.get("paid_at"),
                body.get("sale"),
            )
        except (KeyError, TypeError, ArithmeticError):
            raise HubError("the hub's answer lacks a customer payment's details") from None


def _message(answer: httpx.Response) -> str:
    try:
        found = answer.json().get("error")
    except (ValueError, AttributeError):
        found = None
    return str(found or f"the hub answered HTTP {answer.status_code}")


def _checked(answer: httpx.Response) -> Any:
    # Any 4xx but a timeout or a "slow down": the same request would be refused again.
    if 400 <= answer.status_code < 500 and answer.status_code not in (408, 429):
        raise HubRefused(answer.status_code, _message(answer))
    if answer.status_code >= 400:
        raise HubError(_message(answer))
    try:
        return answer.json()
    except ValueError:
        raise HubError("the hub's answer is not JSON") from None


async def link(url: str, code: str, transport: httpx.AsyncBaseTransport | None = None) -> Linked:
    """Exchange a one-time enrolment code for this till's key."""
    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT, transport=transport) as http:
        try:
            answer = await http.post("/v1/link", json={"code": code})
        except httpx.HTTPError as exc:
            raise HubError(f"cannot reach the hub at {url}: {type(exc).__name__}") from None
        body = _checked(answer)
    try:
        return Linked(body["till_id"], body["shop"], body["till"], Secret(body["key"]))
    except (KeyError, TypeError):
        raise HubError("the hub's answer lacks the till's key") from None


class HubClient:
    def __init__(
        self, url: str, key: Secret, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=url,
            timeout=httpx.Timeout(TIMEOUT, read=POLL_WAIT + TIMEOUT),
            transport=transport,
            headers={"authorization": f"Bearer {key.reveal()}"},
        )

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            answer = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise HubError(f"cannot reach the hub: {type(exc).__name__}") from None
        return _checked(answer)

    async def till(self) -> dict[str, Any]:
        return dict(await self._call("GET", "/v1/till"))

    async def expect(self, body: dict[str, Any]) -> None:
        await self._call("POST", "/v1/awaits", json=body)

    async def events(self, after: int, wait: float = POLL_WAIT) -> tuple[list[dict[str, Any]], int]:
        body = await self._call("GET", "/v1/events", params={"after": after, "wait": wait})
        return list(body["events"]), int(body["cursor"])

    async def sync_state(self) -> dict[str, Any]:
        """How far the hub holds this till's history."""
        return dict(await self._call("GET", "/v1/sync"))

    async def upload(self, body: dict[str, Any]) -> dict[str, Any]:
        """A batch of this till's history; the hub's last event of it afterwards."""
        return dict(await self._call("POST", "/v1/sync", json=body))

    async def business(self, day: date) -> list[dict[str, Any]]:
        """Every till's figures for `day` as the hub holds them (for the owner)."""
        body = await self._call("GET", "/v1/business", params={"date": day.isoformat()})
        tills = body.get("tills") if isinstance(body, dict) else None
        if not isinstance(tills, list):
            raise HubError("the hub's answer lacks the tills' figures")
        return [dict(till) for till in tills if isinstance(till, dict)]

    async def customer_payments(self) -> list[CustomerPayment]:
        body = await self._call("GET", "/v1/c2b")
        return [CustomerPayment.of(p) for p in body["payments"]]

    async def claimed(self) -> list[CustomerPayment]:
        body = await self._call("GET", "/v1/c2b/claimed")
        return [CustomerPayment.of(p) for p in body["claimed"]]

    async def claim(self, trans_id: str, sale: str) -> CustomerPayment:
        body = await self._call("POST", f"/v1/c2b/{trans_id}/claim", json={"sale": sale})
        return CustomerPayment.of(body | {"sale": sale})

    async def aclose(self) -> None:
        await self._http.aclose()
