"""MTN with the owner's hub: each request names the hub's URL with its reference id (MTN puts
none in the body); where MTN refuses the hub's host, the till charges without a callback."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pos_app.providers.mtn.client import MtnClient
from pos_app.sandbox import demo
from pos_app.sandbox.app import create_app
from pos_app.sandbox.mtn import MtnSandboxSettings, MtnSimulator
from pos_app.sandbox.server import ThreadedServer
from tests.conftest import mtn_body

SECRET = "ab" * 32


@pytest.fixture
def received() -> Iterator[tuple[list[tuple[str, str]], ThreadedServer]]:
    calls: list[tuple[str, str]] = []

    async def record(request: Request) -> Response:
        calls.append((request.method, request.url.path))
        return Response(status_code=200)

    app = Starlette(routes=[Route("/{path:path}", record, methods=["PUT", "POST"])])
    with ThreadedServer(app) as server:
        yield calls, server


@pytest.fixture
def simulator() -> Iterator[ThreadedServer]:
    sim = MtnSimulator(MtnSandboxSettings(approval_delay=0.2, currency="EUR"))
    with ThreadedServer(create_app(sim, None)) as server:
        yield server


def client(sim: ThreadedServer, hub_host: str, port: int) -> MtnClient:
    base = f"http://{hub_host}:{port}/callbacks/momo/payment/{SECRET}"
    return MtnClient(
        base_url=sim.url,
        target_environment="sandbox",
        credentials=demo.mtn_credentials(),
        hub_callbacks={"momo/payment": base},
    )


async def test_the_callback_comes_to_the_hub_with_the_reference_id(
    simulator: ThreadedServer, received: tuple[list[tuple[str, str]], ThreadedServer]
) -> None:
    calls, hub = received
    mtn = client(simulator, demo.MTN_CALLBACK_HOST, hub.port)  # the API user's own host
    reference = str(uuid.uuid4())
    await mtn.request_to_pay(reference, mtn_body())
    for _ in range(100):
        if calls:
            break
        time.sleep(0.05)
    assert calls == [("PUT", f"/callbacks/momo/payment/{SECRET}/{reference}")]
    await mtn.aclose()


async def test_a_refused_hub_host_still_charges_without_a_callback(
    simulator: ThreadedServer, received: tuple[list[tuple[str, str]], ThreadedServer]
) -> None:
    calls, hub = received
    mtn = client(simulator, "127.0.0.1", hub.port)  # not the API user's host
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    assert not (await mtn.request_to_pay(first, mtn_body())).already_existed
    assert not (await mtn.request_to_pay(second, mtn_body())).already_existed
    status = await mtn.request_to_pay_status(first, {})
    assert status.status.value in ("pending", "successful")
    time.sleep(0.5)
    assert calls == []
    await mtn.aclose()
