"""Each till's sync state, revoking a till (asked, then done and logged), and the owner log
with the verdict on its chain."""

from __future__ import annotations

import json
import urllib.parse
import uuid
from datetime import UTC

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from pos_app.hub import business, owner, owner_log, zones
from pos_app.hub.business import TillState
from pos_app.hub.web.reports import NOT_A_TILL
from pos_app.hub.web.site import HEADERS, Site, Visit
from pos_app.hub.web.words import N_

# What the log's actions are called on the page; one not listed shows as it is stored.
ACTIONS = {
    "export": N_("export"),
    "revoke till": N_("till revoked"),
    "login": N_("logged in"),
    "lockout": N_("login locked after wrong passwords"),
    "password": N_("owner password set"),
}
ACTORS = {owner_log.WEB: N_("owner (web)"), owner_log.COMMAND_LINE: N_("owner (command line)")}


def _till(tills: list[TillState], text: str) -> TillState | None:
    try:
        wanted = uuid.UUID(text)
    except ValueError:
        return None
    return next((till for till in tills if till.id == wanted), None)


class TillPages:
    def __init__(self, site: Site) -> None:
        self.site = site

    def routes(self) -> list[Route]:
        guarded = self.site.owner_only
        return [
            Route("/tills", guarded(self.tills), methods=["GET"]),
            Route("/tills/{till}/revoke", guarded(self.confirm), methods=["GET"]),
            Route("/tills/{till}/revoke", guarded(self.revoke), methods=["POST"]),
            Route("/log", guarded(self.log), methods=["GET"]),
        ]

    async def tills(self, visit: Visit) -> Response:
        async with self.site.pool.connection() as conn:
            tills = await business.till_states(conn)
        shop_zones = zones.shop_zones(tills)
        return self.site.render(
            visit.request,
            visit.words,
            "tills.html",
            session=visit.session,
            tills=[(till, shop_zones[till.shop]) for till in tills],
            local=zones.local,
            revoked=visit.arg("revoked"),
        )

    async def confirm(self, visit: Visit) -> Response:
        async with self.site.pool.connection() as conn:
            till = _till(await business.till_states(conn), visit.request.path_params["till"])
        if till is None:
            return self.site.refused(visit, NOT_A_TILL, 404)
        return self.site.render(
            visit.request, visit.words, "revoke.html", session=visit.session, till=till
        )

    async def revoke(self, visit: Visit) -> Response:
        text = visit.request.path_params["till"]
        async with self.site.pool.connection() as conn, conn.transaction():
            till = _till(await business.till_states(conn), text)
            if till is None:
                return self.site.refused(visit, NOT_A_TILL, 404)
            if not till.revoked:
                # Logged by owner.revoke in its own transaction, as the owner's web action.
                await owner.revoke(conn, str(till.id), actor=owner_log.WEB)
        target = "/tills?" + urllib.parse.urlencode({"revoked": till.name})
        return RedirectResponse(target, 303, headers=HEADERS)

    async def log(self, visit: Visit) -> Response:
        async with self.site.pool.connection() as conn:
            problem = await owner_log.verify(conn)
            entries = await owner_log.entries(conn)
            tills = await business.till_states(conn)
        zone = zones.zone_for(tills, None, None) if tills else UTC
        words = visit.words
        return self.site.render(
            visit.request,
            words,
            "log.html",
            session=visit.session,
            problem=problem,
            entries=[
                (
                    zones.local(entry.at, zone, "%Y-%m-%d %H:%M:%S"),
                    words(ACTORS.get(entry.actor, entry.actor)),
                    words(ACTIONS.get(entry.action, entry.action)),
                    json.dumps(entry.detail, ensure_ascii=False, sort_keys=True),
                )
                for entry in entries
            ],
            zone=zones.name(zone),
        )
