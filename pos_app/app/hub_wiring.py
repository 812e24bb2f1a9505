"""The till's hub link, from the config's [hub] and the keyring (`pos-app link` put them)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pos_app.link.client import HubClient
from pos_app.link.hub_link import HubLink
from pos_app.link.outbox_sync import OutboxSync
from pos_app.platform import logs
from pos_app.platform.config import Config
from pos_app.platform.credentials import HUB_CALLBACKS, HUB_KEY, SecretStore
from pos_app.store import PaymentRepository

log = logging.getLogger(__name__)
SECRET_IN_PATH = re.compile(r"[0-9a-f]{64}")  # a hub's path secret (hub/tokens.py)


def hub_callbacks(config: Config, store: SecretStore) -> dict[str, str]:
    """The hub's callback URLs by route path, as the hub gave them at linking (kept in the
    keyring: they carry its path secrets); none without a hub."""
    if not config.hub.url:
        return {}
    kept = store.get(HUB_CALLBACKS)
    if kept is None:
        return {}
    try:
        urls = json.loads(kept.reveal())
    except ValueError:
        log.warning("hub: the kept callback URLs cannot be read: run `pos-app link` again")
        return {}
    if not isinstance(urls, dict):
        return {}
    found = {str(path): str(url) for path, url in urls.items()}
    for url in found.values():
        for secret in SECRET_IN_PATH.findall(url):
            logs.hide(secret)  # whatever logs a URL (a refusal, an error) masks its secret
    return found


def local_zone() -> str:
    """The computer's time zone (the shop's when the config names none), for the hub to count
    this till's days and hours as the till does: its IANA name where the system keeps one,
    else its offset from UTC now (the zones of the tills' countries keep no summer time)."""
    with contextlib.suppress(OSError, ValueError, ZoneInfoNotFoundError):
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            name = target.split("zoneinfo/", 1)[1]
            ZoneInfo(name)
            return name
    offset = datetime.now().astimezone().utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def hub_link(
    config: Config,
    store: SecretStore,
    repository: PaymentRepository,
    currencies: Mapping[str, str],
) -> HubLink | None:
    """The link to the owner's hub, if this till is linked to one."""
    if not config.hub.url:
        return None
    key = store.get(HUB_KEY)
    if key is None:
        log.warning("hub: [hub] url is set but this till has no key: run `pos-app link`")
        return None
    client = HubClient(config.hub.url, key)
    zone = config.timezone()
    sync = OutboxSync(
        client,
        repository,
        config.shop.till,
        zone.key if zone else local_zone(),
        chain_key=config.hub.till_id or config.hub.url,
    )
    return HubLink(client, repository, currencies=currencies, sync=sync)
