"""Every till's day at the hub, each in its shop's time zone: what the owner's today page and
the tills' "whole business" view show."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from psycopg import AsyncConnection

from pos_app.domain.report import DayReport
from pos_app.hub import business, zones
from pos_app.hub.business import TillState


@dataclass(frozen=True)
class TillDay:
    till: TillState
    zone: tzinfo
    day: date
    report: DayReport

    @property
    def link(self) -> str:
        return "/day?" + urllib.parse.urlencode({"date": self.day, "till": self.till.id})


async def till_days(conn: AsyncConnection[Any], day: date | None = None) -> list[TillDay]:
    """Each till's report of `day` (default: today where its shop is); a till revoked with
    nothing that day is left out."""
    days = []
    tills = await business.till_states(conn)
    shop_zones = zones.shop_zones(tills)
    for till in tills:
        zone = shop_zones[till.shop]
        its_day = day or datetime.now(zone).date()
        report = await business.report(conn, its_day, zone, till_id=till.id, till_name=till.name)
        if till.revoked and not report.lines:
            continue  # a till gone before that day has nothing to say about it
        days.append(TillDay(till, zone, its_day, report))
    return days
