"""Finding a payment across every till (by the end of the phone number, a receipt code or a
reference), a page at a time, and exporting a day's payments as CSV (an owner action, logged)."""

from __future__ import annotations

import urllib.parse
import uuid
from datetime import UTC, datetime

from starlette.responses import Response
from starlette.routing import Route

from pos_app.hub import business, owner_log, zones
from pos_app.hub.web import export, figures
from pos_app.hub.web.reports import Refusal, select
from pos_app.hub.web.site import HEADERS, Site, Visit
from pos_app.hub.web.words import N_
from pos_app.providers import registry

SHORT = N_("Type at least 4 digits of the phone number, or a whole receipt code or reference.")
MAX_TERM = 100


def parse_before(text: str) -> tuple[datetime, str] | None:
    """The page's cursor: the last shown payment's creation time and reference id."""
    moment, _, reference = text.partition("|")
    try:
        when = datetime.fromisoformat(moment)
        uuid.UUID(reference)
    except ValueError:
        return None
    return (when, reference) if when.tzinfo else None


class PaymentPages:
    def __init__(self, site: Site) -> None:
        self.site = site

    def routes(self) -> list[Route]:
        return [
            Route("/payments", self.site.owner_only(self.payments), methods=["GET"]),
            Route("/export.csv", self.site.owner_only(self.export), methods=["GET"]),
        ]

    async def payments(self, visit: Visit) -> Response:
        term = visit.arg("q")[:MAX_TERM]
        async with self.site.pool.connection() as conn:
            tills = await business.till_states(conn)
            found = await business.payments_page(
                conn,
                search=term,
                before=parse_before(visit.arg("before")),
                limit=business.PAGE_SIZE + 1,
            )
        shop_zones = zones.shop_zones(tills)
        shown = found[: business.PAGE_SIZE]
        last = shown[-1].payment if shown and len(found) > len(shown) else None
        digits = "".join(ch for ch in term if ch.isdigit())
        return self.site.render(
            visit.request,
            visit.words,
            "payments.html",
            session=visit.session,
            term=term,
            found=[(item, shop_zones.get(item.shop, UTC)) for item in shown],
            older=urllib.parse.urlencode(
                {"q": term, "before": f"{last.created_at.isoformat()}|{last.reference_id}"}
            )
            if last
            else None,
            short=term.isdigit() and len(digits) < 4,
            hint=SHORT,
            local=zones.local,
            status_name=figures.status,
            provider_name=registry.name,
        )

    async def export(self, visit: Visit) -> Response:
        if visit.request.method == "HEAD":  # asks about the file: nothing is exported
            return Response(media_type="text/csv; charset=utf-8", headers=HEADERS)
        async with self.site.pool.connection() as conn, conn.transaction():
            tills = await business.till_states(conn)
            try:
                chosen = select(visit, tills)
            except Refusal as refusal:
                return self.site.refused(visit, refusal.message, refusal.status)
            rows = await business.day_found(
                conn, chosen.day, chosen.zone, shop=chosen.shop, till_id=chosen.till_id
            )
            # Logged in the transaction that read the rows: no export goes unrecorded.
            await owner_log.append(
                conn,
                owner_log.WEB,
                "export",
                {
                    "date": chosen.day.isoformat(),
                    "shop": chosen.shop,
                    "till": chosen.till.name if chosen.till else None,
                    "till_id": chosen.till_id,
                    "format": "csv",
                    "rows": len(rows),
                },
            )
        name = export.filename(chosen.day, chosen.shop, chosen.till.name if chosen.till else None)
        return Response(
            export.to_csv(rows, chosen.zone),
            media_type="text/csv; charset=utf-8",
            headers={**HEADERS, "content-disposition": f'attachment; filename="{name}"'},
        )
