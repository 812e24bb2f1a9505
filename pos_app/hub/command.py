"""`pos-app hub …`: the owner's commands for the hub (init, serve, add-till, tills, shortcode,
owner-password)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import psycopg
from psycopg import AsyncConnection
from psycopg.conninfo import conninfo_to_dict

from pos_app.hub import business, owner, owner_log, schema
from pos_app.hub.receivers import SourceCheck
from pos_app.hub.routes import hub_routes
from pos_app.hub.web import passwords
from pos_app.platform.config import is_http_url
from pos_app.platform.logs import RedactingFormatter
from pos_app.providers.callbacks import REFUSED_IN_URLS

T = TypeVar("T")
EXIT_USAGE = 2
EXIT_CONFIG = 4
DATABASE_ENV = "POS_APP_HUB_DATABASE_URL"


def database_url(args: argparse.Namespace) -> str | None:
    return args.database_url or os.environ.get(DATABASE_ENV) or None


def run(args: argparse.Namespace) -> int:
    url = database_url(args)
    problem = _url_problem(url)
    if problem or not url:
        print(f"pos-app hub: {problem}", file=sys.stderr)
        return EXIT_CONFIG
    if args.hub_command == "serve":
        ready = _ready(url)
        return ready if ready is not None else _serve(args, url)
    commands: dict[str, Callable[[argparse.Namespace, AsyncConnection[Any]], Awaitable[int]]] = {
        "init": _init,
        "add-till": _add_till,
        "tills": _tills,
        "shortcode": _shortcode,
        "owner-password": _owner_password,
    }
    try:
        return asyncio.run(
            _with_connection(url, lambda conn: commands[args.hub_command](args, conn))
        )
    except (owner.OwnerError, schema.HubSchemaError) as exc:
        print(f"pos-app hub: {exc}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, owner.OwnerError) else EXIT_CONFIG
    except psycopg.OperationalError as exc:
        print(f"pos-app hub: cannot reach the database: {_first_line(exc)}", file=sys.stderr)
        return EXIT_CONFIG


def _url_problem(url: str | None) -> str | None:
    if not url:
        return (
            f"no database: give --database-url or set {DATABASE_ENV} "
            "(a libpq URL such as postgresql://hub@localhost/hub)"
        )
    try:
        conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        # psycopg's own words may quote the URL, password included.
        return "the database URL is not a libpq URL (postgresql://user@host:port/database)"
    return None


def _ready(url: str) -> int | None:
    """An exit code when the database cannot serve (unreachable, not a hub's yet)."""
    try:
        asyncio.run(_with_connection(url, schema.require_current))
    except schema.HubSchemaError as exc:
        print(f"pos-app hub: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except psycopg.OperationalError as exc:
        print(f"pos-app hub: cannot reach the database: {_first_line(exc)}", file=sys.stderr)
        return EXIT_CONFIG
    return None


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


async def _with_connection(url: str, work: Callable[[AsyncConnection[Any]], Awaitable[T]]) -> T:
    async with await AsyncConnection.connect(url, autocommit=True, connect_timeout=10) as conn:
        return await work(conn)


async def _init(args: argparse.Namespace, conn: AsyncConnection[Any]) -> int:
    public = args.public_url
    if not is_http_url(public, https_only=not args.allow_http):
        print(
            "pos-app hub: --public-url must be the hub's https:// address as the providers "
            "reach it (--allow-http for a sandbox trial)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if (word := REFUSED_IN_URLS.search(public)) is not None:
        print(
            f"pos-app hub: --public-url has {word.group(0)!r} in it, a word some providers "
            "refuse in a callback URL: choose another address",
            file=sys.stderr,
        )
        return EXIT_USAGE
    urls = await owner.init(conn, public)
    routes = hub_routes()
    print("Hub ready. Give each provider its callback URL (keep them secret):", file=sys.stderr)
    for path, url in urls.items():
        route = routes[path].route
        note = " + /<request id>, set by the till per request" if route.per_request else ""
        print(f"  {path}{note}:", file=sys.stderr)
        print(url)
    return 0


async def _add_till(args: argparse.Namespace, conn: AsyncConnection[Any]) -> int:
    await schema.require_current(conn)
    till_id, code = await owner.add_till(conn, args.shop, args.till)
    print(
        f"Till {args.till!r} of shop {args.shop!r} added (id {till_id}). On that till, within "
        f"{int(owner.ENROLMENT_VALID.total_seconds() // 3600)} hours, run "
        "`pos-app link HUB_URL CODE` with this one-time code:",
        file=sys.stderr,
    )
    print(code)
    return 0


async def _tills(args: argparse.Namespace, conn: AsyncConnection[Any]) -> int:
    await schema.require_current(conn)
    if args.revoke:
        till = await owner.revoke(conn, args.revoke)
        print(f"Revoked till {till.name!r} of shop {till.shop!r} ({till.id}).")
        return 0
    rows = await owner.tills(conn)
    if not rows:
        print("No tills yet: `pos-app hub add-till SHOP TILL` adds one.", file=sys.stderr)
    synced = {state.id: state for state in await business.till_states(conn)}
    for till in rows:
        seen = till.last_seen_at.strftime("%Y-%m-%d %H:%M") if till.last_seen_at else "never"
        print(
            f"{till.id}  {till.shop}  {till.name}  {till.state}  last seen {seen}"
            f"  {_history(synced[till.id])}"
        )
    return 0


def _history(state: business.TillState) -> str:
    if not state.intact:
        return f"HISTORY CHANGED at event {state.broken_seq}: {state.broken_problem}"
    behind = f", {state.behind} not yet here" if state.behind else ""
    return f"{state.synced} event(s) here{behind}"


async def _shortcode(args: argparse.Namespace, conn: AsyncConnection[Any]) -> int:
    await schema.require_current(conn)
    await owner.bind_shortcode(conn, args.shop, args.shortcode)
    print(f"Customer payments to {args.shortcode} now go to the tills of shop {args.shop!r}.")
    return 0


async def _owner_password(args: argparse.Namespace, conn: AsyncConnection[Any]) -> int:
    await schema.require_current(conn)
    try:
        password = _new_password(bool(getattr(args, "password_stdin", False)))
        await passwords.set_password(conn, password, owner_log.COMMAND_LINE)
    except passwords.PasswordError as exc:
        print(f"pos-app hub: {exc}; nothing was changed", file=sys.stderr)
        return EXIT_USAGE
    print(
        "The owner's password for the hub's web pages is set; any web session opened "
        "before has ended.",
        file=sys.stderr,
    )
    return 0


def _new_password(from_stdin: bool) -> str:
    """Typed twice at a terminal, or one line on stdin for a script (never an argument: the
    process list and the shell's history would show it)."""
    try:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            passwords.check_new(password)
            return password
        first = getpass.getpass(
            f"The owner's new password ({passwords.MIN_LENGTH} characters or more): "
        )
        passwords.check_new(first)
        if getpass.getpass("The same password again: ") != first:
            raise passwords.PasswordError("the two passwords differ")
    except EOFError:
        raise passwords.PasswordError("no password was given") from None
    return first


def _serve(args: argparse.Namespace, url: str) -> int:
    import uvicorn

    from pos_app.hub.app import create_app

    try:
        sources = SourceCheck.published(_source_overrides(args.sources), args.refuse_unlisted)
    except ValueError as exc:
        print(f"pos-app hub: --sources: {exc}", file=sys.stderr)
        return EXIT_USAGE
    _log_to_stderr()
    uvicorn.run(
        create_app(url, sources),
        host=args.host,
        port=args.port,
        # The access log would print each callback's path, secret included.
        access_log=False,
        # Held long-polls are let go at once on a restart: the tills ask again.
        timeout_graceful_shutdown=2,
        log_level="warning",
        # A client's own X-Forwarded-For is never believed, only a proxy the owner names.
        proxy_headers=bool(args.trusted_proxy),
        forwarded_allow_ips=args.trusted_proxy or None,
    )
    return 0


def _source_overrides(given: list[str]) -> dict[str, list[str]]:
    """`--sources PROVIDER=CIDR,…` as lists by route path (every route of that provider)."""
    routes = hub_routes()
    overrides: dict[str, list[str]] = {}
    for item in given:
        provider, sep, networks = item.partition("=")
        paths = [path for path, route in routes.items() if route.provider == provider.strip()]
        if not sep or not paths:
            raise ValueError(f"{item!r} is not PROVIDER=CIDR,… for a provider with callbacks")
        for path in paths:
            overrides[path] = [net.strip() for net in networks.split(",") if net.strip()]
    return overrides


def _log_to_stderr() -> None:
    """The hub's log on stderr (a service manager keeps it), masked like the till's."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
