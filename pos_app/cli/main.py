"""`pos-app`: the cashier window by default, plus headless subcommands."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from pos_app.app.till import secret_store
from pos_app.cli import (
    doctor,
    hub_commands,
    link_command,
    owner_commands,
    payment_commands,
    print_commands,
    report_commands,
    store_commands,
    version,
)
from pos_app.cli.common import EXIT_CONFIG, EXIT_USAGE
from pos_app.platform import console, logs, paths
from pos_app.platform.config import Config, ConfigError, load_config
from pos_app.platform.credentials import SecretStore
from pos_app.providers import registry
from pos_app.providers.spec import ProviderCommand

RECORD_COMMANDS = frozenset({"receipts", "report", "verify", "backup", "restore", "owner", "print"})
Handler = Callable[[argparse.Namespace, Config, bool], int]  # (arguments, config, demo)
# The commands that run in a world (live or demo), by name; without one, the window opens.
HANDLERS: dict[str, Handler] = {
    "receipts": lambda args, config, demo: payment_commands.receipts(args, config),
    "report": lambda args, config, demo: report_commands.report(args, config),
    "verify": lambda args, config, demo: store_commands.verify(args),
    "backup": lambda args, config, demo: store_commands.backup(args, config),
    "restore": lambda args, config, demo: store_commands.restore_command(args, config),
    "owner": lambda args, config, demo: owner_commands.owner(args, config),
    "refund": owner_commands.refund,
    "resolve": owner_commands.resolve,
    "reconcile": owner_commands.reconcile,
    "charge": payment_commands.charge,
    "sync": payment_commands.sync,
    "doctor": doctor.doctor,
    "print": print_commands.print_payment,
}


EXIT_CODES = """\
exit codes:
  0    done: paid, settled, checks passed (doctor: also with WARN lines)
  1    failed: the provider refused the payment, it expired, or a file could not be written
  2    usage: a bad option or input, refused before anything was saved or sent
  3    still waiting: a payment is open at the timeout (`pos-app sync` finishes it)
  4    configuration, setup or credentials problem, or a damaged database (doctor: a FIX line)
  5    owner PIN needed: not given, wrong, or owner actions locked
  6    storage: the data folder's disk is full, read-only or failing, or the database is held
       by another program; nothing was sent, and the same command works once that is lifted
  130  interrupted (Ctrl-C): what was saved stays saved and resumes with `pos-app sync`
  141  the output's reader went away (`pos-app receipts --format csv | head -1`)

Run it from the set-up folder as .venv/bin/pos-app (or `source .venv/bin/activate` first)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pos-app",
        description="Point of sale for mobile-money payments. "
        "Without a command, opens the cashier window.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # Not argparse's "version" action, which prints and exits at once: `--version --verbose`
    # must see the flag after it too. _main answers both before anything else starts.
    parser.add_argument("--version", action="store_true", help="show the version and exit")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="with --version: also Python, the platform, Qt and every bundled library",
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: $POS_APP_CONFIG or the user config folder)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the built-in sandbox simulator: no real money moves",
    )
    # Opens the window, reports how long it took, and quits: for smoke tests and benchmarks.
    parser.add_argument("--smoke-test", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    # `--demo` also after the command; its own dest, so the subcommand's default cannot
    # overwrite a `--demo` given before the command.
    demo_parent = argparse.ArgumentParser(add_help=False)
    demo_parent.add_argument(
        "--demo",
        dest="demo_here",
        action="store_true",
        help="use the built-in simulator: no real money moves",
    )
    commands.add_parser("gui", parents=[demo_parent], help="open the cashier window (the default)")
    payment_commands.add_commands(commands, demo_parent)
    doctor.add_command(commands, demo_parent)
    store_commands.add_commands(commands, demo_parent)
    owner_commands.add_commands(commands, demo_parent)
    report_commands.add_command(commands, demo_parent)
    print_commands.add_command(commands, demo_parent)
    _add_sandbox(commands)
    hub_commands.add_command(commands)
    link_command.add_command(commands)
    for command in provider_commands().values():
        command.add_arguments(commands.add_parser(command.name, help=command.help))
    return parser


def _add_sandbox(commands: Any) -> None:
    sandbox = commands.add_parser(
        "sandbox", help="serve every provider's simulator over HTTP (tests and trials)"
    )
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8080)
    sandbox.add_argument(
        "--approval-delay",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="how long a simulated customer takes to approve (default 5)",
    )


def provider_commands() -> dict[str, ProviderCommand]:
    """The installed providers' own commands, by name."""
    return {command.name: command for spec in registry.specs() for command in spec.commands}


def is_demo(config: Config, requested: bool, secrets: SecretStore | None = None) -> bool:
    """Demo mode when asked for, or when no enabled provider has its credentials."""
    if requested:
        return True
    store = secrets or secret_store()
    return not any(
        spec.section(config).enabled and store.has_all(spec.required_secrets())
        for spec in registry.specs()
    )


def use_offscreen_without_display(command: str | None) -> None:
    """A command other than the window's, on Linux with no display (a server, SSH, CI): Qt,
    which the PDF report uses, draws offscreen instead of failing to find a screen. Call
    before Qt starts."""
    if command in (None, "gui") or not sys.platform.startswith("linux"):
        return
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def startup_keyring_problem(secrets: SecretStore, demo: bool) -> str | None:
    """The keyring problem the window should show (None in demo mode, where no secret is
    needed, or when the keyring works); said once on stderr as well."""
    if demo:
        return None
    keyring = secrets.status()
    if keyring.usable:
        return None
    print(f"pos-app: {keyring.message}", file=sys.stderr)
    return keyring.message


class WindowOpener(Protocol):
    """Opens the cashier window (pos_app.main gives it: the command line knows no window)."""

    def __call__(
        self, config: Config, *, demo: bool, smoke_test: bool, keyring_problem: str | None
    ) -> int: ...


def main(
    argv: Sequence[str] | None = None,
    open_window: WindowOpener | None = None,
    command_starts: Callable[[], None] | None = None,
) -> int:
    """`command_starts` is called before a command (not the window) runs."""
    return console.run_quietly_on_closed_pipe(lambda: _main(argv, open_window, command_starts))


def _main(
    argv: Sequence[str] | None,
    open_window: WindowOpener | None,
    command_starts: Callable[[], None] | None,
) -> int:
    console.attach_parent_console()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command not in (None, "gui") and command_starts is not None:
        command_starts()
    if args.version:
        print(version.version_text(args.verbose))
        return 0
    if args.verbose:
        parser.error("--verbose goes with --version")
    use_offscreen_without_display(args.command)
    if args.command == "hub":  # the owner's server: its log on stderr, no till config, no keyring
        return hub_commands.hub(args)
    logs.start_logging()
    if args.command == "sandbox":
        from pos_app.sandbox.command import serve_sandbox  # the web server, only when asked

        return serve_sandbox(args.host, args.port, args.approval_delay)
    try:
        config = load_config(args.config, registry.config_sections())
    except ConfigError as exc:
        print(f"pos-app: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    secrets = secret_store()
    if (own := provider_commands().get(args.command)) is not None:
        return own.run(args, config, secrets)
    if args.command == "link":
        return link_command.link_till(args, config, secrets)
    demo = _world(args.command, config, args.demo or getattr(args, "demo_here", False), secrets)
    paths.enter_demo_world(demo)
    if (handler := HANDLERS.get(args.command)) is not None:
        return handler(args, config, demo)
    keyring_problem = startup_keyring_problem(secrets, demo)
    if open_window is None:
        print("pos-app: no window here: run `pos-app` or `python -m pos_app`", file=sys.stderr)
        return EXIT_USAGE
    return open_window(
        config,
        demo=demo,
        smoke_test=args.smoke_test,
        keyring_problem=keyring_problem,
    )


def _world(command: str | None, config: Config, asked: bool, secrets: SecretStore) -> bool:
    """Whether `command` runs in the demo world. Commands that only read or keep the records
    stay in the live world unless asked; those that talk to a provider run where the till
    runs (demo without credentials)."""
    if command not in RECORD_COMMANDS:
        return is_demo(config, asked, secrets)
    if not asked and is_demo(config, False, secrets):
        print(
            "pos-app: no provider is set up: these are the live records; "
            f"`pos-app --demo {command}` works on the demo's",
            file=sys.stderr,
        )
    return asked
