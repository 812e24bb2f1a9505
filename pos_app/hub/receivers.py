"""The providers' callbacks: a secret path, a size limit, a strict reading, stored before 200."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from psycopg_pool import AsyncConnectionPool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pos_app.hub import tokens
from pos_app.hub.bodies import TooLarge, limited_body
from pos_app.hub.inbox import Arrival, store
from pos_app.hub.routes import HubRoute, hub_routes

log = logging.getLogger(__name__)
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class SourceCheck:
    """Where callbacks may come from, per route path; a route with no list is not checked.
    An unlisted source is a signal (flagged, and every success is confirmed by the till's
    status query anyway), refused only when the owner asks (callbacks.md §4)."""

    networks: dict[str, tuple[Network, ...]]
    refuse_unlisted: bool = False

    @classmethod
    def published(
        cls, overrides: Mapping[str, Sequence[str]] | None = None, refuse_unlisted: bool = False
    ) -> SourceCheck:
        lists: dict[str, tuple[Network, ...]] = {}
        for path, hub_route in hub_routes().items():
            given = (overrides or {}).get(path, hub_route.route.sources)
            lists[path] = tuple(ipaddress.ip_network(net, strict=False) for net in given)
        return cls(lists, refuse_unlisted)

    def listed(self, path: str, source: str | None) -> bool | None:
        networks = self.networks.get(path, ())
        if not networks:
            return None
        address = ip_of(source)
        return address is not None and any(address in network for network in networks)


def ip_of(source: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The client's address (an IPv4 one as such when a dual-stack socket maps it)."""
    try:
        address = ipaddress.ip_address(source or "")
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def callback_routes(pool: AsyncConnectionPool, sources: SourceCheck) -> list[Route]:
    routes = []
    for hub_route in hub_routes().values():
        path = f"/callbacks/{hub_route.route.path}/{{secret}}"
        if hub_route.route.per_request:
            path += "/{request_id}"
        routes.append(
            Route(
                path,
                _receiver(pool, hub_route, sources),
                methods=list(hub_route.route.methods),
            )
        )
    return routes


def _receiver(pool: AsyncConnectionPool, hub_route: HubRoute, sources: SourceCheck):  # type: ignore[no-untyped-def]
    path = hub_route.route.path

    async def receive(request: Request) -> Response:
        source = request.client.host if request.client else None
        async with pool.connection() as conn:
            cursor = await conn.execute(
                "SELECT secret FROM callback_routes WHERE path = %s", (path,)
            )
            row = await cursor.fetchone()
        given = request.path_params["secret"]
        # Compared even when the route has no secret yet, so the time taken tells nothing.
        if not tokens.same_secret(given, row[0] if row else tokens.route_secret()) or not row:
            log.warning("hub: refused a callback on %s from %s: wrong path secret", path, source)
            return JSONResponse({"error": "forbidden"}, status_code=403)
        listed = sources.listed(path, source)
        if listed is False and sources.refuse_unlisted:
            log.warning("hub: refused a callback on %s from unlisted %s", path, source)
            return JSONResponse({"error": "forbidden"}, status_code=403)
        try:
            raw = await limited_body(request)
        except TooLarge:
            log.warning("hub: refused an oversized callback on %s from %s", path, source)
            return JSONResponse({"error": "body too large"}, status_code=413)
        address = ip_of(source)
        arrival = Arrival(
            hub_route,
            raw,
            request.path_params.get("request_id"),
            str(address) if address else None,
            listed,
        )
        async with pool.connection() as conn, conn.transaction():
            verdict = await store(conn, arrival)
        if listed is False:
            log.warning("hub: callback on %s from unlisted %s (%s)", path, source, verdict)
        answer = hub_route.route.answer
        return JSONResponse(dict(answer)) if answer is not None else Response(status_code=200)

    return receive
