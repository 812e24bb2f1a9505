"""`pos-app link HUB_URL CODE`: this till's key at the owner's hub, from a one-time code."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from pos_app.cli.common import EXIT_CONFIG, EXIT_USAGE
from pos_app.link.client import HubError, HubRefused
from pos_app.platform.config import Config, config_path, is_http_url
from pos_app.platform.credentials import SecretStore


def add_command(commands: Any) -> None:
    command = commands.add_parser(
        "link",
        help="link this till to the owner's hub (`pos-app hub add-till` gives the code)",
    )
    command.add_argument("hub_url", metavar="HUB_URL", help="the hub's address, https://…")
    command.add_argument("code", metavar="CODE", help="the one-time enrolment code")


def link_till(args: argparse.Namespace, config: Config, secrets: SecretStore) -> int:
    if not is_http_url(args.hub_url.strip()):
        print(f"pos-app link: not an http(s):// address: {args.hub_url!r}", file=sys.stderr)
        return EXIT_USAGE
    from pos_app.link.enrol import NotLinked, enrol  # writes the config: only when linking

    path, _ = config_path(args.config)
    try:
        linked = asyncio.run(enrol(args.hub_url, args.code, secrets, path))
    except HubRefused as exc:
        print(f"pos-app link: the hub refused: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except (HubError, NotLinked) as exc:
        print(f"pos-app link: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    print(f"Linked: till {linked.till!r} of shop {linked.shop!r}, at {args.hub_url.strip()}.")
    return 0
