"""The owner's commands: `pos-app owner set-pin|log`, `refund`, `resolve` and `reconcile`.

Owner-only commands ask for the owner's PIN: typed at a terminal (never echoed), or from
POS_APP_OWNER_PIN for scripts. Each attempt and each action is recorded in the owner log.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from pos_app.app.till import SetupProblem, Till, build_till
from pos_app.cli.common import (
    EXIT_CONFIG,
    EXIT_OK,
    EXIT_PENDING,
    EXIT_REFUSED,
    EXIT_USAGE,
    database,
    describe,
    exit_code,
    fail,
    parse_day,
    store_failure,
    timeout_option,
)
from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money
from pos_app.domain.payment import needs_resolving
from pos_app.domain.phone import mask_msisdn
from pos_app.engine.owner import NoOwnerPin, OwnerGate, OwnerLocked
from pos_app.platform.config import Config
from pos_app.providers import registry
from pos_app.providers.base import ProviderError
from pos_app.store import PaymentNotFound, PaymentRepository, StoreError

PIN_VARIABLE = "POS_APP_OWNER_PIN"
NEW_PIN_VARIABLE = "POS_APP_NEW_OWNER_PIN"


class Refused(Exception):
    """The owner's PIN was not given, wrong, or owner actions are locked."""


def read_pin(prompt: str, variable: str = PIN_VARIABLE) -> str:
    if (pin := os.environ.get(variable)) is not None:
        return pin.strip()
    if not sys.stdin.isatty():
        raise Refused(f"the owner's PIN is needed: type it at a terminal or set {variable}")
    return getpass.getpass(prompt).strip()


def owner_gate(repository: PaymentRepository, config: Config) -> OwnerGate:
    return OwnerGate(repository.owner_log, config.shop.till)


def authorise(repository: PaymentRepository, config: Config, purpose: str) -> OwnerGate:
    """Ask for the PIN and check it; raises Refused in words for the person at the till."""
    gate = owner_gate(repository, config)
    if not gate.has_pin():
        raise Refused("no owner PIN is set yet: run `pos-app owner set-pin` first")
    try:
        gate.unlock(read_pin("Owner PIN: "), purpose)
    except OwnerLocked as exc:
        raise Refused(str(exc)) from exc
    except ValidationError as exc:
        raise Refused(str(exc)) from exc
    return gate


@contextmanager
def owner_session(config: Config, purpose: str) -> Iterator[tuple[PaymentRepository, OwnerGate]]:
    """This till's database, with the owner's PIN checked for `purpose`."""
    with database() as repository:
        yield repository, authorise(repository, config, purpose)


def _run(command: str, work: Any) -> int:
    """Run one owner command, turning its failures into messages and exit codes."""
    try:
        return int(work())
    except Refused as exc:
        return fail(command, str(exc), EXIT_REFUSED)
    except ValidationError as exc:
        return fail(command, str(exc), EXIT_USAGE)
    except PaymentNotFound as exc:
        return fail(command, str(exc), EXIT_USAGE)
    except SetupProblem as exc:
        return fail(command, str(exc), EXIT_CONFIG)
    except StoreError as exc:
        return store_failure(command, exc)


# -- owner set-pin | log --


def owner(args: argparse.Namespace, config: Config) -> int:
    if args.owner_command == "log":
        return _run("owner log", lambda: _log(args))
    return _run("owner set-pin", lambda: _set_pin(config))


def _set_pin(config: Config) -> int:
    with database() as repository:
        gate = owner_gate(repository, config)
        current = read_pin("Current owner PIN: ") if gate.has_pin() else None
        new = read_pin("New owner PIN: ", NEW_PIN_VARIABLE)
        again = None if NEW_PIN_VARIABLE in os.environ else getpass.getpass("Same PIN again: ")
        try:
            gate.set_pin(new, current, again)
        except (OwnerLocked, NoOwnerPin) as exc:
            raise Refused(str(exc)) from exc
    print("owner PIN set")
    return EXIT_OK


def _log(args: argparse.Namespace) -> int:
    with database() as repository:
        for action in repository.owner_log.recent(args.limit):
            detail = {k: v for k, v in action.detail.items() if k != "pin_hash"}
            print(
                f"{action.at.astimezone():%Y-%m-%d %H:%M:%S}  {action.role:<7}  "
                f"{action.till or '-':<10}  {action.action}" + (f"  {detail}" if detail else "")
            )
    return EXIT_OK


# -- refund, resolve, reconcile --


def refund(args: argparse.Namespace, config: Config, demo: bool) -> int:
    return _run("refund", lambda: _with_engine(config, demo, "refund", _refund, args))


def resolve(args: argparse.Namespace, config: Config, demo: bool) -> int:
    return _run("resolve", lambda: _with_engine(config, demo, "resolve", _resolve, args))


def reconcile(args: argparse.Namespace, config: Config, demo: bool) -> int:
    return _run("reconcile", lambda: _with_engine(config, demo, "reconcile", _reconcile, args))


def _with_engine(config: Config, demo: bool, purpose: str, work: Any, args: Any) -> int:
    till = build_till(config, demo=demo)
    with owner_session(config, purpose) as (repository, gate):
        return int(asyncio.run(work(args, till, repository, gate)))


async def _refund(
    args: argparse.Namespace, till: Till, repository: PaymentRepository, gate: OwnerGate
) -> int:
    original = repository.get(args.reference_id)
    amount = (
        Money.parse(args.amount, original.amount.currency, till.config.shop.effective_locale)
        if args.amount
        else original.amount
    )
    engine = till.engine(repository)
    try:
        made = await engine.refund(original.reference_id, amount, args.note)
        gate.refunded(made)
        await engine.settle([made.reference_id], timeout=args.timeout)
    except ProviderError as exc:
        raise SetupProblem(str(exc)) from exc
    finally:
        await engine.aclose()
    made = repository.get(made.reference_id)
    print(f"refund {made.reference_id}: {describe(made, till.config.shop.effective_locale)}")
    if problem := engine.problems.get(made.provider):
        print(f"pos-app refund: {problem}", file=sys.stderr)
    if needs_resolving(made, by_hand=engine.can(made.provider).by_hand(refund=True)):
        provider = registry.name(made.provider)
        print(
            f"{provider} does not tell this till how a reversal ends: when it is done (reverse "
            f"it in the {provider} portal if it was not sent from here), confirm it with "
            f"`pos-app resolve {made.reference_id} --receipt CODE`"
        )
    return exit_code(made)


async def _resolve(
    args: argparse.Namespace, till: Till, repository: PaymentRepository, gate: OwnerGate
) -> int:
    engine = till.engine(repository)
    try:
        resolved = engine.resolve(args.reference_id, None if args.not_received else args.receipt)
    finally:
        await engine.aclose()
    gate.resolved(resolved, args.receipt)
    print(describe(resolved, till.config.shop.effective_locale))
    return EXIT_OK


async def _reconcile(
    args: argparse.Namespace, till: Till, repository: PaymentRepository, gate: OwnerGate
) -> int:
    tz = till.config.zone()
    day = args.date or datetime.now(tz).date()
    engine = till.engine(repository)
    try:
        findings = await engine.reconcile_day(day, tz)
    finally:
        await engine.aclose()
    corrected = [f for f in findings if f.corrected]
    gate.reconciled(day, findings)
    for finding in findings:
        p = finding.payment
        change = (
            f"{finding.before.value} -> {p.status.value}" if finding.corrected else p.status.value
        )
        why = f" ({registry.reason(p.reason).message})" if finding.corrected and p.reason else ""
        print(
            f"{p.reference_id}  {p.provider:<5}  {p.amount}  {mask_msisdn(p.msisdn)}  "
            f"{change}: {finding.note}{why}"
        )
    print(
        f"{day}: {len(findings)} payment(s) not final or closed by expiry checked, "
        f"{len(corrected)} corrected, {len(findings) - len(corrected)} unchanged"
    )
    still_open = [f for f in findings if not f.payment.is_final]
    return EXIT_PENDING if still_open else EXIT_OK


def add_commands(commands: Any, demo_parent: argparse.ArgumentParser) -> None:
    owner_parser = commands.add_parser(
        "owner", parents=[demo_parent], help="the owner's PIN and the owner log"
    )
    owner_commands = owner_parser.add_subparsers(dest="owner_command", required=True)
    owner_commands.add_parser(
        "set-pin", help=f"set or change the owner's PIN (or from {NEW_PIN_VARIABLE})"
    )
    log_parser = owner_commands.add_parser("log", help="who did what, newest first")
    log_parser.add_argument("--limit", type=int, default=50)
    refund_parser = commands.add_parser(
        "refund", parents=[demo_parent], help="refund a successful payment (owner)"
    )
    refund_parser.add_argument("reference_id")
    refund_parser.add_argument("--amount", help="part of the payment (default: all of it)")
    refund_parser.add_argument("--note", default="Refund", help="the reason, for the customer")
    timeout_option(refund_parser, 120.0)
    _add_resolve(commands, demo_parent)
    reconcile_parser = commands.add_parser(
        "reconcile",
        parents=[demo_parent],
        help="ask the providers again about a day's open and expired payments (owner)",
    )
    reconcile_parser.add_argument("--date", type=parse_day, metavar="YYYY-MM-DD")


def _add_resolve(commands: Any, demo_parent: argparse.ArgumentParser) -> None:
    """`resolve`, in the words of the installed providers whose payments a person settles."""
    by_hand = [
        spec
        for spec in registry.specs()
        if spec.capabilities.resolved_by_hand or spec.capabilities.lost_refunds_by_hand
    ]
    names = " or ".join(spec.name for spec in by_hand)
    codes = "; ".join(
        f"{code.name}: {code.shape}, like {code.example}"
        for spec in by_hand
        if (code := spec.receipt_code) is not None
    )
    resolve_parser = commands.add_parser(
        "resolve",
        parents=[demo_parent],
        help=f"settle unknown {names + ' ' if names else ''}payments and refunds by hand (owner)",
    )
    resolve_parser.add_argument("reference_id")
    outcome = resolve_parser.add_mutually_exclusive_group(required=True)
    outcome.add_argument(
        "--receipt",
        metavar="CODE",
        help="the code from the customer's SMS" + (f" ({codes})" if codes else ""),
    )
    outcome.add_argument(
        "--not-received", action="store_true", help="no money moved (no SMS, not in statement)"
    )
