"""`pos-app doctor`: config, keyring, each provider's secrets and connection, the database and
the storage, one line each."""

from __future__ import annotations

import argparse
import asyncio
import socket
from typing import Any
from urllib.parse import urlsplit

from pos_app.app.till import SetupProblem, build_till, secret_store
from pos_app.cli.common import EXIT_CONFIG, EXIT_OK, database
from pos_app.link.client import HubClient, HubError, HubRefused
from pos_app.platform import logs, paths
from pos_app.platform.config import Config
from pos_app.platform.credentials import HUB_KEY, SecretStore, installed_backends, keyring_fix
from pos_app.providers import registry
from pos_app.providers.spec import ProviderSpec
from pos_app.store import StoreError
from pos_app.store.health import storage_lines
from pos_app.store.repository import PaymentFilter

OK, WARN, FIX = "OK", "WARN", "FIX"
Line = tuple[str, str]  # (OK | WARN | FIX, what was found)


def doctor(args: argparse.Namespace, config: Config, demo: bool) -> int:
    """Each line OK, WARN (works, but something should be done) or FIX (something does not
    work); exit 0 unless there is a FIX."""
    lines: list[Line] = [
        (OK, f"config: {config.path or 'defaults (no config file)'}"),
        (OK, f"log: {logs.log_path()}"),
    ]
    store = secret_store()
    if demo:  # no secret is needed: nothing to say about where they would be kept
        lines.append(
            (OK, "DEMO mode: the providers are the built-in simulator; no real money moves")
        )
    else:
        lines += _keyring_lines(store)
        for spec in registry.specs():
            if spec.offered_in(config.shop.country):
                lines.append(_secret_line(spec, config, store))
    proxied = [] if demo else _proxied(config)  # the demo's simulator is never behind one
    lines += [_proxy_line(spec, config) for spec in proxied]
    lines += _provider_lines(config, demo, store, lines, {spec.id for spec in proxied})
    lines.append(_hub_line(config, store))
    lines.append(_database_line())
    lines.extend(storage_lines(config, paths.database_path()))
    lines.append(_printer_line(config))
    for label, text in lines:
        print(f"{label:<4} {text}")
    return EXIT_CONFIG if any(label == FIX for label, _ in lines) else EXIT_OK


def _keyring_lines(store: SecretStore) -> list[Line]:
    keyring = store.status()
    if keyring.usable:
        found = (OK, keyring.message)
    else:
        found = (
            WARN,
            f"no secure keyring: {keyring_fix()}; until then secrets are read only "
            "from the environment variables",
        )
    backends = ", ".join(installed_backends()) or "none"
    return [found, (OK, f"keyring backends for this system: {backends}")]


def _secret_line(spec: ProviderSpec, config: Config, store: SecretStore) -> Line:
    """A missing required secret is to fix; an optional one (refunds) only missing a feature."""
    label = spec.short_name
    if not spec.section(config).enabled:
        return (OK, f"{label}: disabled in the config")
    missing = [name for name in spec.required_secrets() if store.get(name) is None]
    if missing:
        return (
            FIX,
            f"{label} secrets missing: "
            + ", ".join(f"{s.value} (set {s.env_var} or store it in the keyring)" for s in missing),
        )
    found = ", ".join(
        f"{name.value.split('.', 1)[1]} ({source})"
        for name in spec.secrets
        if (source := store.source(name)) is not None
    )
    return (OK, f"{label} secrets present: {found}")


def _provider_lines(
    config: Config, demo: bool, store: SecretStore, said: list[Line], proxied: set[str]
) -> list[Line]:
    """Why an enabled provider cannot be used (unless a line `said` it already), and whether
    each usable one answers (through its proxy, for those `proxied`)."""
    try:
        till = build_till(config, demo=demo, secrets=store)
    except SetupProblem as exc:
        return [(FIX, str(exc))]
    lines: list[Line] = []
    for name, why in till.unavailable.items():
        if not any(why in text for _, text in [*said, *lines]):
            lines.append((FIX, f"{name}: {why}"))
    lines += [
        (WARN, f"{name}: {notice}") for name, notices in till.notices.items() for notice in notices
    ]
    for name, health in asyncio.run(till.check_and_close()).items():
        if health.reachable:
            through = " through its proxy" if name in proxied else ""
            lines.append((OK, f"{name}: reachable{through}, token accepted"))
        else:
            lines.append((FIX, f"{name}: {health.message}"))
    return lines


def _proxied(config: Config) -> list[ProviderSpec]:
    return [
        spec
        for spec in registry.specs()
        if spec.section(config).enabled
        and spec.section(config).proxy
        and spec.offered_in(config.shop.country)
    ]


def _proxy_line(spec: ProviderSpec, config: Config) -> Line:
    """Whether the provider's proxy takes a connection (its token call then goes through it)."""
    url = urlsplit(spec.section(config).proxy)
    host, port = url.hostname or "", url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as exc:
        return (
            FIX,
            f"{spec.short_name} proxy {host}:{port} does not answer ({exc.strerror or exc}): "
            f"check {spec.id}.proxy and that the proxy runs",
        )
    return (OK, f"{spec.short_name} proxy {host}:{port} answers")


def _hub_line(config: Config, store: SecretStore) -> Line:
    """Whether the owner's hub answers this till (it relays the providers' callbacks)."""
    url = config.hub.url
    if not url:
        return (OK, "hub: not set up (the till asks the providers; `pos-app link` sets one up)")
    key = store.get(HUB_KEY)
    if key is None:
        return (FIX, f"hub: {url} is set but this till has no key: run `pos-app link {url} CODE`")

    async def ask() -> dict[str, Any]:
        client = HubClient(url, key)
        try:
            return await client.till()
        finally:
            await client.aclose()

    try:
        till = asyncio.run(ask())
    except HubRefused as exc:
        return (FIX, f"hub: {url} refuses this till: {exc} (ask the owner for a new code)")
    except HubError as exc:
        return (WARN, f"hub: {exc}; meanwhile the till asks the providers")
    return (OK, f"hub: {url}, linked as till {till.get('till')!r} of {till.get('shop')!r}")


def _database_line() -> Line:
    try:
        with database() as repository:
            open_count = len(repository.list_open())
            total = repository.count(PaymentFilter())
            version = repository.schema_version()
    except StoreError as exc:
        return (FIX, str(exc))
    return (
        OK,
        f"database {paths.database_path()}: intact, schema {version}, "
        f"{total} payment(s), {open_count} unfinished",
    )


def _printer_line(config: Config) -> Line:
    printer = config.printer
    target = printer.target
    if target.kind == "none":
        return (OK, "printer: none (receipts can still be saved as PDF)")
    if target.kind == "system":
        # No Qt application here: a command run inside another program (the tests) must not
        # leave one behind, and the printer list needs none.
        from PySide6.QtPrintSupport import QPrinterInfo

        default = QPrinterInfo.defaultPrinter()
        if default.isNull():
            return (WARN, "printer: this computer's printer is set, but it has no default one")
        return (OK, f"printer: this computer's printer, {default.printerName()!r} by default")
    if target.kind == "win32":  # opening it would spool an empty document
        return (OK, f"printer {target.url}: set; Windows' spooler says how it is")
    from pos_app.printing.send import PrinterFault, send
    from pos_app.printing.service import STEPS

    try:  # nothing printed: it connects and, where the printer answers, asks its state
        send(target, b"", printer.timeout_seconds / STEPS, ask=printer.ask_status)
    except PrinterFault as fault:
        return (FIX, f"printer {target.url}: {fault}")
    if not printer.ask_status:
        return (OK, f"printer {target.url}: reached (it is not asked its state: ask_status)")
    return (OK, f"printer {target.url}: answers, online, paper in ({printer.paper_mm} mm)")


def add_command(commands: Any, demo_parent: argparse.ArgumentParser) -> None:
    commands.add_parser(
        "doctor",
        parents=[demo_parent],
        help="check config, secrets, providers, database and printer",
    )
