"""`pos-app link HUB_URL CODE`: this till's key at the owner's hub, from a one-time code."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from pos_app.cli.common import EXIT_CONFIG, EXIT_USAGE
from pos_app.link.client import HubClient, HubError, HubRefused, Linked, link
from pos_app.platform.config import Config, ConfigError, config_path, is_http_url
from pos_app.platform.config_writer import save_config
from pos_app.platform.credentials import HUB_CALLBACKS, HUB_KEY, NoSecureKeyring, SecretStore
from pos_app.providers import registry


def add_command(commands: Any) -> None:
    command = commands.add_parser(
        "link",
        help="link this till to the owner's hub (`pos-app hub add-till` gives the code)",
    )
    command.add_argument("hub_url", metavar="HUB_URL", help="the hub's address, https://…")
    command.add_argument("code", metavar="CODE", help="the one-time enrolment code")


async def _link(url: str, code: str) -> tuple[Linked, dict[str, str]]:
    linked = await link(url, code)
    client = HubClient(url, linked.key)
    try:
        till = await client.till()
    finally:
        await client.aclose()
    return linked, {str(k): str(v) for k, v in dict(till.get("callbacks") or {}).items()}


def link_till(args: argparse.Namespace, config: Config, secrets: SecretStore) -> int:
    url = args.hub_url.rstrip("/")
    if not is_http_url(url):
        print(
            f"pos-app link: {args.hub_url!r} is not the hub's http(s):// address", file=sys.stderr
        )
        return EXIT_USAGE
    try:
        linked, callbacks = asyncio.run(_link(url, args.code))
    except HubRefused as exc:
        print(f"pos-app link: the hub refused: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except HubError as exc:
        print(f"pos-app link: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        secrets.set(HUB_KEY, linked.key.reveal())
        secrets.set(HUB_CALLBACKS, json.dumps(callbacks))
    except NoSecureKeyring as exc:
        print(f"pos-app link: the till's key cannot be kept: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    path, _ = config_path(args.config)
    try:
        save_config(
            path, {"hub": {"url": url, "till_id": linked.till_id}}, registry.config_sections()
        )
    except ConfigError as exc:
        print(f"pos-app link: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    print(f"Linked: till {linked.till!r} of shop {linked.shop!r}, at {url}.")
    return 0
