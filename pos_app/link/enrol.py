"""Linking this till to the owner's hub: the one-time code for the till's key (kept in the
keyring with the hub's callback URLs), and the hub's address in the config."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from pos_app.link.client import HubClient, Linked, link
from pos_app.platform.config import Config, ConfigError, is_http_url
from pos_app.platform.config_writer import save_config
from pos_app.platform.credentials import HUB_CALLBACKS, HUB_KEY, NoSecureKeyring, SecretStore
from pos_app.providers import registry

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class NotLinked(Exception):
    """The till could not be linked; nothing was kept. The message says why."""


async def enrol(url: str, code: str, store: SecretStore, config_path: Path) -> Linked:
    """Raises HubRefused (a used, mistyped or expired code), HubError (unreachable), or
    NotLinked."""
    url = url.strip().rstrip("/")
    if not is_http_url(url):
        raise NotLinked(f"not the hub's http(s):// address: {url!r}")
    if urlsplit(url).scheme != "https" and urlsplit(url).hostname not in LOCAL_HOSTS:
        # The till's key goes with every request: over plain http only on this machine.
        raise NotLinked(f"the hub's address must be https:// (http only on this machine): {url}")
    keyring = store.status()
    if not keyring.usable:  # before the code is used up: it works once only
        raise NotLinked(f"the till's key could not be kept: {keyring.message}")
    linked = await link(url, code.strip())
    client = HubClient(url, linked.key)
    try:
        till = await client.till()
    finally:
        await client.aclose()
    callbacks = {str(k): str(v) for k, v in dict(till.get("callbacks") or {}).items()}
    try:
        store.set(HUB_KEY, linked.key.reveal())
        store.set(HUB_CALLBACKS, json.dumps(callbacks))
    except NoSecureKeyring as exc:
        raise NotLinked(f"the till's key cannot be kept: {exc}") from None
    try:
        save_config(
            config_path,
            {"hub": {"url": url, "till_id": linked.till_id}},
            registry.config_sections(),
        )
    except ConfigError as exc:
        store.delete(HUB_KEY)
        store.delete(HUB_CALLBACKS)
        raise NotLinked(str(exc)) from None
    return linked


def linked_to(config: Config, store: SecretStore) -> str | None:
    """The hub this till is linked to, if it is (its address and a key)."""
    return config.hub.url if config.hub.url and store.get(HUB_KEY) is not None else None
