"""Today across every shop and till, and any day's report of a shop or a till, with the
figures of the till's own `pos-app report` (both come from `business.report`)."""

from __future__ import annotations

import urllib.parse
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from pos_app.domain.report import DayReport
from pos_app.hub import business, zones
from pos_app.hub.business import TillState
from pos_app.hub.till_days import TillDay, till_days
from pos_app.hub.web import chart, figures
from pos_app.hub.web.site import Site, Visit
from pos_app.hub.web.words import N_

NOT_A_DAY = N_("This is not a day: use YYYY-MM-DD.")
NOT_A_TILL = N_("There is no such till at this hub.")


def query(**params: Any) -> str:
    """A query string of the parameters that are set, for links between the pages."""
    return urllib.parse.urlencode({k: v for k, v in params.items() if v not in (None, "")})


def parse_day(text: str, zone: tzinfo) -> date | None:
    if not text:
        return datetime.now(zone).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_till(text: str, tills: list[TillState]) -> TillState | None:
    """The till a `till` parameter names, None when it names none; LookupError when it names
    one this hub does not have."""
    if not text:
        return None
    try:
        wanted = uuid.UUID(text)
    except ValueError:
        raise LookupError(text) from None
    for till in tills:
        if till.id == wanted:
            return till
    raise LookupError(text)


class Refusal(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Selection:
    """A day of a till, of a shop, or of every shop, from a page's parameters."""

    day: date
    zone: tzinfo
    shop: str | None
    till: TillState | None

    @property
    def till_id(self) -> uuid.UUID | None:
        return self.till.id if self.till else None


def select(visit: Visit, tills: list[TillState]) -> Selection:
    """`date`, `shop` and `till` (a till id: its shop comes with it); Refusal when they name
    no day or an unknown till."""
    try:
        till = parse_till(visit.arg("till"), tills)
    except LookupError:
        raise Refusal(NOT_A_TILL, 404) from None
    shop = till.shop if till else (visit.arg("shop") or None)
    zone = zones.zone_for(tills, shop, till.id if till else None)
    day = parse_day(visit.arg("date"), zone)
    if day is None:
        raise Refusal(NOT_A_DAY, 400)
    return Selection(day, zone, shop, till)


class ReportPages:
    def __init__(self, site: Site) -> None:
        self.site = site

    def routes(self) -> list[Route]:
        return [
            Route("/", self.site.owner_only(self.today), methods=["GET"]),
            Route("/day", self.site.owner_only(self.day), methods=["GET"]),
        ]

    async def _today(self) -> list[TillDay]:
        async with self.site.pool.connection() as conn:
            return await till_days(conn)

    async def today(self, visit: Visit) -> Response:
        days = await self._today()
        words, reports = visit.words, [d.report for d in days]
        open_rows = [
            (d.till, figure)
            for d in days
            for figure in figures.follow_up(d.report.follow_up, d.zone, words)
        ]
        return self.site.render(
            visit.request,
            words,
            "today.html",
            session=visit.session,
            days=days,
            dates=sorted({d.day for d in days}),
            takings=figures.amounts(figures.add_up(r.takings for r in reports), words.locale),
            sales=figures.amounts(figures.add_up(r.sales for r in reports), words.locale),
            refunds=figures.amounts(figures.add_up(r.refunds for r in reports), words.locale),
            count=sum(r.count for r in reports),
            refund_count=sum(r.refund_count for r in reports),
            lines=figures.lines(figures.merged_lines(reports), words),
            open_rows=open_rows,
            amounts=figures.amounts,
        )

    async def day(self, visit: Visit) -> Response:
        async with self.site.pool.connection() as conn:
            tills = await business.till_states(conn)
            try:
                chosen = select(visit, tills)
            except Refusal as refusal:
                return self.site.refused(visit, refusal.message, refusal.status)
            report = await business.report(
                conn,
                chosen.day,
                chosen.zone,
                shop=chosen.shop,
                till_id=chosen.till.id if chosen.till else None,
                till_name=chosen.till.name if chosen.till else None,
            )
        return self._day_page(visit, tills, chosen, report)

    def _day_page(
        self, visit: Visit, tills: list[TillState], chosen: Selection, report: DayReport
    ) -> Response:
        words, till, shop, zone = visit.words, chosen.till, chosen.shop, chosen.zone
        currencies = chart.currencies(report)
        currency = visit.arg("currency").upper()
        currency = currency if currency in currencies else (currencies or [""])[0]
        selection = {"shop": shop if not till else None, "till": till.id if till else None}
        return self.site.render(
            visit.request,
            words,
            "day.html",
            session=visit.session,
            report=report,
            summary=figures.summary(report, words, shop or words("all shops")),
            lines=figures.lines(report.lines, words),
            hours=figures.hours(report, words),
            follow_up=figures.follow_up(report.follow_up, zone, words),
            chart=chart.takings_chart(report, currency, words.locale) if currency else None,
            currencies=currencies,
            zone=zones.name(zone),
            tills=tills,
            shops=sorted({t.shop for t in tills}),
            till=till,
            shop=shop,
            previous=query(date=report.day - timedelta(days=1), **selection),
            following=query(date=report.day + timedelta(days=1), **selection),
            this_day=query(date=report.day, **selection),
        )
