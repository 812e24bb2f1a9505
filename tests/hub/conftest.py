"""The hub against a real PostgreSQL server started for the test session, over real HTTP."""

from __future__ import annotations

import asyncio
import concurrent.futures
import ipaddress
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest

from pos_app.hub import owner
from pos_app.hub.app import create_app
from pos_app.hub.receivers import SourceCheck
from pos_app.hub.routes import hub_routes
from pos_app.providers.callbacks import CallbackKind
from pos_app.sandbox.server import ThreadedServer
from tests.postgres import PostgresServer

PUBLIC_URL = "https://hub.example.com"
_numbers = itertools.count()


@pytest.fixture
def database_url(postgres: PostgresServer) -> str:
    """A new, empty database of its own for each test."""
    name = f"hub_{next(_numbers)}"
    with psycopg.connect(postgres.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return postgres.url(name)


def run(coroutine: Any) -> Any:
    """Run the hub's own async code to its end, also from a test's running loop."""
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


async def _init(url: str) -> dict[str, str]:
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        return await owner.init(conn, PUBLIC_URL)


@dataclass
class Hub:
    """A hub served in this process, on its database, with its callback URLs."""

    url: str
    database_url: str
    callback_urls: dict[str, str]

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            cursor = conn.execute(query.encode(), params or None)
            return cursor.fetchall() if cursor.description else []

    def callback(
        self,
        path: str,
        body: Any,
        *,
        request_id: str = "",
        method: str = "POST",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Post a provider's callback to its route, through the hub's public URL."""
        target = self.callback_urls[path].replace(PUBLIC_URL, self.url)
        if request_id:
            target += f"/{request_id}"
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.request(
            method,
            target,
            content=content,
            timeout=10,
            headers={"content-type": "application/json", **(headers or {})},
        )

    def add_till(self, shop: str = "Duka", name: str = "Till 1") -> TillClient:
        async def add() -> str:
            async with await psycopg.AsyncConnection.connect(
                self.database_url, autocommit=True
            ) as conn:
                return (await owner.add_till(conn, shop, name))[1]

        code = run(add())
        answer = httpx.post(f"{self.url}/v1/link", json={"code": code}, timeout=10)
        answer.raise_for_status()
        return TillClient(self.url, answer.json()["key"], answer.json()["till_id"])

    def bind_shortcode(self, shop: str, shortcode: str) -> None:
        async def bind() -> None:
            async with await psycopg.AsyncConnection.connect(
                self.database_url, autocommit=True
            ) as conn:
                await owner.bind_shortcode(conn, shop, shortcode)

        run(bind())


@dataclass
class TillClient:
    hub_url: str
    key: str
    till_id: str
    cursor: int = 0

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.key}"}

    def awaits(self, **body: Any) -> httpx.Response:
        payload = {"provider": "mpesa", "kind": "payment", "currency": "KES"} | body
        return httpx.post(
            f"{self.hub_url}/v1/awaits", json=payload, headers=self.headers, timeout=10
        )

    def events(self, wait: float = 0) -> list[dict[str, Any]]:
        answer = httpx.get(
            f"{self.hub_url}/v1/events",
            params={"after": self.cursor, "wait": wait},
            headers=self.headers,
            timeout=wait + 10,
        )
        answer.raise_for_status()
        self.cursor = answer.json()["cursor"]
        return list(answer.json()["events"])

    def get(self, path: str, **params: Any) -> httpx.Response:
        return httpx.get(f"{self.hub_url}{path}", params=params, headers=self.headers, timeout=10)

    def post(self, path: str, body: Any) -> httpx.Response:
        return httpx.post(f"{self.hub_url}{path}", json=body, headers=self.headers, timeout=10)


@pytest.fixture
def hub_factory(database_url: str) -> Iterator[Any]:
    servers: list[ThreadedServer] = []
    urls = run(_init(database_url))

    def start(sources: SourceCheck | None = None) -> Hub:
        server = ThreadedServer(create_app(database_url, sources), lifespan=True).start()
        servers.append(server)
        return Hub(server.url, database_url, urls)

    yield start
    for server in servers:
        server.stop()


def this_machine_too() -> SourceCheck:
    """The published lists, with this machine added for customer payments (held back from
    anywhere else: no status query can confirm them)."""
    networks = dict(SourceCheck.published().networks)
    for path, hub_route in hub_routes().items():
        if hub_route.route.kind is CallbackKind.CUSTOMER_PAYMENT:
            networks[path] = (*networks[path], ipaddress.ip_network("127.0.0.0/8"))
    return SourceCheck(networks)


@pytest.fixture
def hub(hub_factory: Any) -> Hub:
    return hub_factory(this_machine_too())


def here(hub: Hub) -> Hub:
    """The hub with its callback URLs at its own address (as a simulator on this machine
    reaches it): `hub init` again with another public URL keeps every path secret."""

    async def init() -> dict[str, str]:
        async with await psycopg.AsyncConnection.connect(hub.database_url, autocommit=True) as c:
            return await owner.init(c, hub.url)

    hub.callback_urls = run(init())
    return hub
