"""Which time zone a page's days and times are in: each shop's, as its tills report it (the
tills of one shop share the shop's zone); UTC where no till has said yet."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfoNotFoundError

from pos_app.hub.business import TillState


def till_zone(till: TillState) -> tzinfo:
    try:
        return till.zone(UTC)
    except (ZoneInfoNotFoundError, ValueError):  # a zone this machine does not know: UTC
        return UTC


def shop_zones(tills: list[TillState]) -> dict[str, tzinfo]:
    zones: dict[str, tzinfo] = {}
    for till in tills:
        if till.timezone and till.shop not in zones:
            zones[till.shop] = till_zone(till)
    return {till.shop: zones.get(till.shop, UTC) for till in tills}


def zone_for(tills: list[TillState], shop: str | None, till_id: uuid.UUID | None) -> tzinfo:
    """The zone of a till's or a shop's days; for every shop at once, theirs if they share
    one, else UTC."""
    zones = shop_zones(tills)
    for till in tills:
        if till.id == till_id:
            return zones[till.shop]
    if shop is not None:
        return zones.get(shop, UTC)
    distinct = {name(zone) for zone in zones.values()}
    return next(iter(zones.values())) if len(distinct) == 1 else UTC


def name(zone: tzinfo) -> str:
    return str(getattr(zone, "key", None) or zone.tzname(datetime.now(UTC)) or zone)


def local(moment: datetime | None, zone: tzinfo, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(zone).strftime(pattern) if moment else "—"
