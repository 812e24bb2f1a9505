"""The simulator as one ASGI app (MTN and M-Pesa paths do not overlap)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pos_app.sandbox.mpesa import MpesaSimulator
from pos_app.sandbox.mtn import MtnSimulator


async def _health(request: Request) -> Response:
    return JSONResponse({"status": "ok", "service": "pos-app sandbox"})


def create_app(mtn: MtnSimulator | None = None, mpesa: MpesaSimulator | None = None) -> Starlette:
    mtn = mtn or MtnSimulator()
    mpesa = mpesa or MpesaSimulator()
    app = Starlette(routes=[Route("/", _health), *mtn.routes(), *mpesa.routes()])
    app.state.mtn = mtn
    app.state.mpesa = mpesa
    return app
