"""The simulators as one ASGI app (their paths do not overlap). Its lifespan, when the server
runs it, tells the simulators which loop sends their callbacks and, at shut-down, cancels the
callbacks still pending (sandbox/callbacks.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pos_app.sandbox.callbacks import CallbackSender
from pos_app.sandbox.mpesa import MpesaSimulator
from pos_app.sandbox.mtn import MtnSimulator
from pos_app.sandbox.simulators import Simulator


async def _health(request: Request) -> Response:
    return JSONResponse({"status": "ok", "service": "pos-app sandbox"})


def create_app(
    mtn: MtnSimulator | None = None,
    mpesa: MpesaSimulator | None = None,
    *,
    others: Mapping[str, Simulator] | None = None,
) -> Starlette:
    """The built-in simulators (`mtn`, `mpesa`: made afresh when not given) and `others` by
    provider id (a plug-in's, or a built-in's made elsewhere)."""
    simulators: dict[str, Simulator] = dict(others or {})
    if "mtn" not in simulators:
        simulators["mtn"] = mtn or MtnSimulator()
    if "mpesa" not in simulators:
        simulators["mpesa"] = mpesa or MpesaSimulator()
    routes = [route for simulator in simulators.values() for route in simulator.routes()]
    senders = [
        sender
        for simulator in simulators.values()
        if isinstance(sender := getattr(simulator, "callbacks", None), CallbackSender)
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        for sender in senders:
            sender.attach()
        try:
            yield
        finally:
            await asyncio.gather(*(sender.aclose() for sender in senders))

    app = Starlette(routes=[Route("/", _health), *routes], lifespan=lifespan)
    app.state.simulators = simulators
    app.state.mtn = simulators["mtn"]
    app.state.mpesa = simulators["mpesa"]
    return app
