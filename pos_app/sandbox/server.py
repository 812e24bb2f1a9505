"""Serving the simulator over real HTTP with uvicorn: as `pos-app sandbox`, or in a thread."""

from __future__ import annotations

import asyncio
import socket
import threading
from types import TracebackType

import uvicorn
from starlette.applications import Starlette


def _bind(host: str, port: int) -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and
    # without it every keep-alive answer waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def _server(
    app: Starlette, log_level: str, tls: tuple[str, str] | None = None, lifespan: bool = False
) -> uvicorn.Server:
    certificate, key = tls or (None, None)
    return uvicorn.Server(
        uvicorn.Config(
            app,
            log_level=log_level,
            access_log=False,
            lifespan="on" if lifespan else "off",
            # A client's own X-Forwarded-For is never believed (uvicorn trusts loopback's).
            proxy_headers=False,
            ssl_certfile=certificate,
            ssl_keyfile=key,
        )
    )


def serve(app: Starlette, host: str, port: int, *, log_level: str = "warning") -> None:
    """Serve until interrupted (Ctrl-C), with the app's start-up and shut-down (the
    simulators' pending callbacks are cancelled then)."""
    sock = _bind(host, port)
    asyncio.run(_server(app, log_level, lifespan=True).serve(sockets=[sock]))


class ThreadedServer:
    """The simulator on 127.0.0.1 and a free port, in a background thread:

    with ThreadedServer(create_app()) as server:
        httpx.get(server.url)
    """

    def __init__(
        self,
        app: Starlette,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "critical",
        tls: tuple[str, str] | None = None,  # (certificate file, key file): served over https
        # Run the app's start-up and shut-down (the sandbox app's cancels pending callbacks;
        # without it, the end of the server's loop cancels them).
        lifespan: bool = False,
    ) -> None:
        self.app = app
        self._sock = _bind(host, port)
        self.host, self.port = self._sock.getsockname()[:2]
        self.url = f"{'https' if tls else 'http'}://{self.host}:{self.port}"
        self._server = _server(app, log_level, tls, lifespan)
        self._thread = threading.Thread(target=self._run, name="sandbox-server", daemon=True)

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._sock]))

    def start(self) -> ThreadedServer:
        self._thread.start()
        for _ in range(500):
            if self._server.started:
                return self
            if not self._thread.is_alive():
                break
            threading.Event().wait(0.01)
        raise RuntimeError("the sandbox server did not start")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
