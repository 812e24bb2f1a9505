"""`pos-app`: the cashier window by default, plus headless subcommands."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from pos_app import (
    __version__,
    commands,
    console,
    headless,
    logs,
    owner_commands,
    paths,
    report_output,
    store_commands,
)
from pos_app.config import Config, ConfigError, load_config
from pos_app.credentials import MPESA_SECRETS, MTN_SECRETS, SecretStore

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_CONFIG = 4
RECORD_COMMANDS = frozenset({"receipts", "report", "verify", "backup", "restore", "owner"})


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
        description="Point of sale for mobile-money payments (MTN MoMo, M-Pesa). "
        "Without a command, opens the cashier window.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"pos-app {__version__}")
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
    headless.add_commands(commands, demo_parent)
    store_commands.add_commands(commands, demo_parent)
    owner_commands.add_commands(commands, demo_parent)
    report_output.add_command(commands, demo_parent)
    sandbox = commands.add_parser(
        "sandbox", help="serve the MTN MoMo and M-Pesa simulator over HTTP (tests and trials)"
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
    setup = commands.add_parser(
        "mtn-setup", help="create MTN sandbox credentials and store them in the keyring"
    )
    setup.add_argument(
        "--callback-host",
        default="localhost",
        help="providerCallbackHost of the new API user (default localhost)",
    )
    return parser


def is_demo(config: Config, requested: bool, secrets: SecretStore | None = None) -> bool:
    """Demo mode when asked for, or when no enabled provider has its credentials."""
    if requested:
        return True
    store = secrets or SecretStore()
    configured = [
        (config.mtn.enabled and store.has_all(MTN_SECRETS)),
        (config.mpesa.enabled and store.has_all(MPESA_SECRETS)),
    ]
    return not any(configured)


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


def main(argv: Sequence[str] | None = None) -> int:
    return console.run_quietly_on_closed_pipe(lambda: _main(argv))


def _main(argv: Sequence[str] | None) -> int:
    console.attach_parent_console()
    args = build_parser().parse_args(argv)
    use_offscreen_without_display(args.command)
    logs.start_logging()
    if args.command == "sandbox":
        return commands.sandbox(args)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"pos-app: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if args.command == "mtn-setup":
        return commands.mtn_setup(args, config)
    secrets = SecretStore()
    asked = args.demo or getattr(args, "demo_here", False)
    # Commands that only read or keep the records stay in the live world unless asked; those
    # that talk to a provider run where the till runs (demo without credentials).
    if args.command not in RECORD_COMMANDS:
        demo = is_demo(config, asked, secrets)
    else:
        demo = asked
        if not asked and is_demo(config, False, secrets):
            print(
                "pos-app: no provider is set up: these are the live records; "
                f"`pos-app --demo {args.command}` works on the demo's",
                file=sys.stderr,
            )
    paths.enter_demo_world(demo)
    if args.command == "receipts":
        return headless.receipts(args, config)
    if args.command == "report":
        return report_output.report(args, config)
    if args.command == "verify":
        return store_commands.verify(args)
    if args.command == "backup":
        return store_commands.backup(args, config)
    if args.command == "restore":
        return store_commands.restore_command(args, config)
    if args.command == "owner":
        return owner_commands.owner(args, config)
    if args.command in ("refund", "resolve", "reconcile"):
        run_owner = {
            "refund": owner_commands.refund,
            "resolve": owner_commands.resolve,
            "reconcile": owner_commands.reconcile,
        }
        return run_owner[args.command](args, config, demo)
    if args.command in ("charge", "sync", "doctor"):
        run = {"charge": headless.charge, "sync": headless.sync, "doctor": headless.doctor}
        return run[args.command](args, config, demo)
    keyring_problem = startup_keyring_problem(secrets, demo)
    from pos_app.ui.app import run_gui

    return run_gui(
        config,
        demo=demo,
        smoke_test=args.smoke_test,
        keyring_problem=keyring_problem,
    )
