"""The `hub` command's arguments; its work is in pos_app.hub, installed with `pos-app[hub]`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pos_app.cli.common import EXIT_CONFIG


def add_command(commands: Any) -> None:
    hub = commands.add_parser(
        "hub",
        help="the owner's hub: receives callbacks for the tills (needs pos-app[hub])",
        description="The owner's hub: receives the providers' callbacks and hands them to the "
        "tills. Every command reads its database from --database-url or "
        "POS_APP_HUB_DATABASE_URL (a libpq URL).",
    )
    hub.add_argument("--database-url", metavar="URL", help="the hub's PostgreSQL database")
    steps = hub.add_subparsers(dest="hub_command", metavar="STEP", required=True)
    init = steps.add_parser("init", help="create or update the schema; print the callback URLs")
    init.add_argument(
        "--public-url", required=True, help="https://… as the providers reach the hub"
    )
    init.add_argument("--allow-http", action="store_true", help="accept http:// (sandbox trials)")
    serve = steps.add_parser("serve", help="serve the callbacks and the tills")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8300)
    serve.add_argument(
        "--trusted-proxy",
        metavar="IP",
        help="the reverse proxy whose X-Forwarded-For is believed (none by default)",
    )
    serve.add_argument(
        "--sources",
        metavar="PROVIDER=CIDR,…",
        action="append",
        default=[],
        help="where a provider's callbacks may come from, by provider id (default: "
        "each provider's published list, if any; PROVIDER= with nothing checks nothing)",
    )
    serve.add_argument(
        "--refuse-unlisted",
        action="store_true",
        help="refuse callbacks from elsewhere (default: accept, flag, and confirm them)",
    )
    add_till = steps.add_parser("add-till", help="add a till; prints its one-time enrolment code")
    add_till.add_argument("shop")
    add_till.add_argument("till")
    tills = steps.add_parser("tills", help="list the tills, or revoke one")
    tills.add_argument("--revoke", metavar="TILL_ID", help="refuse this till's key from now on")
    shortcode = steps.add_parser(
        "shortcode", help="send customer payments to a till/paybill number to a shop's tills"
    )
    shortcode.add_argument("shop")
    shortcode.add_argument("shortcode")
    password = steps.add_parser(
        "owner-password", help="set the owner's password for the hub's web pages"
    )
    password.add_argument(
        "--password-stdin", action="store_true", help="read it from one line of stdin (scripts)"
    )


def hub(args: argparse.Namespace) -> int:
    try:
        from pos_app.hub.command import run
    except ImportError as exc:
        print(
            f"pos-app: the hub is not installed here ({exc.name} is missing): "
            "pip install 'pos-app[hub]'",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    return run(args)
