"""`pos-app charge`, `sync` and `receipts`: the engine without a window."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any, TextIO

from pos_app.app.till import SetupProblem, Till, build_till
from pos_app.cli.common import (
    EXIT_CONFIG,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PENDING,
    EXIT_STORAGE,
    EXIT_USAGE,
    checkpoint,
    database,
    describe,
    exit_code,
    fail,
    parse_day,
    say_demo,
    status_filter,
    store_failure,
    timeout_option,
)
from pos_app.domain.countries import Provider
from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money
from pos_app.domain.payment import OPEN_STATES, Payment, PaymentStatus
from pos_app.domain.report import sums
from pos_app.engine.engine import ChargeRequest, PaymentEngine
from pos_app.engine.events import PaymentUpdate
from pos_app.platform import paths
from pos_app.platform.config import Config
from pos_app.providers import registry
from pos_app.providers.base import ConfigurationProblem
from pos_app.reports.records import payment_json, write_csv
from pos_app.store import PaymentRepository, StoreError
from pos_app.store.repository import PaymentFilter, local_day

DEMO_HEADING = "DEMO - payments made in demo mode: no real money moved"

# -- charge --


def charge(args: argparse.Namespace, config: Config, demo: bool) -> int:
    try:
        till = build_till(config, demo=demo)
        request = ChargeRequest(
            args.provider,
            till.parse_amount(args.provider, args.amount),
            till.parse_phone(args.provider, args.phone),
            external_id=args.reference,
            message=args.message,
        )
        _confirmed(till, args.provider, request.amount, getattr(args, "confirm_amount", None))
    except ValidationError as exc:
        return fail("charge", str(exc), EXIT_USAGE)
    except SetupProblem as exc:
        return fail("charge", str(exc), EXIT_CONFIG)
    reference: list[str] = []
    say_demo(demo)
    try:
        return asyncio.run(_charge(args, till, request, reference))
    except ConfigurationProblem as exc:
        return fail("charge", f"nothing was sent: {exc}", EXIT_CONFIG)
    except KeyboardInterrupt:
        saved = f"payment {reference[0]} is saved" if reference else "nothing was sent"
        return fail("charge", f"interrupted: {saved}; `pos-app sync` finishes it", EXIT_INTERRUPTED)
    except StoreError as exc:
        return store_failure("charge", exc, "nothing was sent: ")


def _confirmed(till: Till, provider: Provider, amount: Money, repeated: str | None) -> None:
    """Above the owner's *confirm above*, the amount must be typed twice (--confirm-amount):
    one extra zero must not reach a customer from a script either."""
    if not till.needs_confirmation(amount):
        return
    locale = till.config.shop.effective_locale
    if repeated is None:
        raise ValidationError(
            "{amount} is above {limit}: repeat it with --confirm-amount to charge it",
            amount=amount.format(locale),
            limit=till.guard(amount.currency).confirm_above.format(locale),
        )
    if till.parse_amount(provider, repeated) != amount:
        raise ValidationError(
            "--confirm-amount {repeated} is not the amount {amount}: nothing was sent",
            repeated=repeated,
            amount=amount.format(locale),
        )


async def _charge(
    args: argparse.Namespace, till: Till, request: ChargeRequest, reference: list[str]
) -> int:
    with database() as repository:
        engine = till.engine(repository, checkpoint=checkpoint)
        locale = till.config.shop.effective_locale

        show = show_updates("charge", engine, args.json, locale, only=reference)

        engine.bus.subscribe(
            lambda u: reference.append(u.payment.reference_id) if not reference else None
        )
        engine.bus.subscribe(show)
        try:
            payment = await engine.charge(request)
            await engine.settle([payment.reference_id], timeout=args.timeout)
            saved = await engine.all_saved(timeout=args.timeout)
            final = engine.current(payment.reference_id)
        finally:
            await engine.aclose()
    if not saved:
        return not_saved("charge", engine, [final], args.timeout, locale)
    if final.status in OPEN_STATES:
        print(still_waiting(args.timeout), file=sys.stderr)
    problem = engine.problems.get(final.provider)
    if problem:  # the settings the provider refused: the owner's to fix, in its own words
        print(f"pos-app charge: {problem}", file=sys.stderr)
    return exit_code(final)


def show_updates(
    command: str, engine: PaymentEngine, as_json: bool, locale: str, only: list[str] | None = None
) -> Callable[[PaymentUpdate], None]:
    """What a command prints of each change: a line (or JSON) per update, with what was not
    saved; `only` (once it holds a reference) keeps to that payment."""

    def show(update: PaymentUpdate) -> None:
        payment = update.payment
        if only and payment.reference_id != only[0]:
            return
        print(
            json.dumps(payment_json(payment)) if as_json else describe(payment, locale), flush=True
        )
        say_if_unsaved(command, engine, update)

    return show


def say_if_unsaved(command: str, engine: PaymentEngine, update: PaymentUpdate) -> None:
    if update.unsaved is not None:
        print(
            f"pos-app {command}: NOT YET SAVED, kept in memory and saved as soon as the disk "
            f"takes it (retried every {engine.save_retry:g} s): {update.unsaved}",
            file=sys.stderr,
            flush=True,
        )


def not_saved(
    command: str, engine: PaymentEngine, payments: list[Payment], timeout: float, locale: str
) -> int:
    """Outcomes heard but still not on disk when the command must end (exit 6)."""
    for payment in payments:
        print(f"NOT SAVED: {describe(payment, locale)}", file=sys.stderr)
    # A payment saved before its request id cannot be asked about where the provider knows
    # a payment only by that id.
    blind = [s.name for s in registry.specs() if not s.capabilities.asks_without_request_id]
    caveat = (
        f" (a {' or '.join(blind)} payment whose prompt was not saved as accepted cannot be "
        "asked about: check it with the customer)"
        if blind
        else ""
    )
    return fail(
        command,
        f"not saved after {timeout:g} s ({engine.storage_problem}). Once the disk takes it, "
        f"`pos-app sync` asks the provider again{caveat}",
        EXIT_STORAGE,
    )


def still_waiting(timeout: float) -> str:
    """What happens next to a payment still open when `charge` stops waiting."""
    sync = "pos-app sync --demo" if paths.in_demo_world() else "pos-app sync"
    return (
        f"pos-app charge: still waiting for the customer after {timeout:g} s: the payment is "
        f"saved; `{sync}` (or the window at its next start) finishes it"
    )


# -- sync --


def sync(args: argparse.Namespace, config: Config, demo: bool) -> int:
    try:
        till = build_till(config, demo=demo)
        say_demo(demo)
        return asyncio.run(_sync(args, till))
    except SetupProblem as exc:
        return fail("sync", str(exc), EXIT_CONFIG)
    except StoreError as exc:
        return store_failure("sync", exc)
    except KeyboardInterrupt:
        return fail("sync", "interrupted: every payment is saved as it was", EXIT_INTERRUPTED)


async def _sync(args: argparse.Namespace, till: Till) -> int:
    with database() as repository:
        engine = till.engine(repository, checkpoint=checkpoint)
        locale = till.config.shop.effective_locale

        show = show_updates("sync", engine, args.json, locale)

        engine.bus.subscribe(show)
        skipped = [p for p in repository.list_open() if p.provider not in till.providers]
        for payment in skipped:
            print(
                f"skipped {payment.reference_id}: {till.unavailable.get(payment.provider)}",
                file=sys.stderr,
            )
        resumed = engine.resume()
        if not args.json:
            print(f"{len(resumed)} unfinished payment(s) to finish", flush=True)
        try:
            await engine.settle([p.reference_id for p in resumed], timeout=args.timeout)
            saved = await engine.all_saved(timeout=args.timeout)
            kept = engine.unsaved()
            behind = await _upload(till, args)
        finally:
            await engine.aclose()
        if not saved:
            return not_saved("sync", engine, kept, args.timeout, locale)
        still_open = [p for p in repository.list_open() if p.provider in till.providers]
        unknown = [p for p in still_open if p.status == PaymentStatus.UNKNOWN]
        if not args.json:
            print(
                f"{len(resumed) - len(still_open)} finished, {len(still_open)} still open"
                + (f" ({len(unknown)} unknown: check with the customer)" if unknown else "")
            )
    return EXIT_PENDING if still_open or skipped or behind else EXIT_OK


async def _upload(till: Till, args: argparse.Namespace) -> int:
    """This till's history sent to the hub it is linked to; the events still not there."""
    sync = till.link.sync if till.link is not None else None
    if sync is None:
        return 0
    caught_up = await sync.catch_up(args.timeout)
    if not args.json:
        if caught_up:
            print("the hub holds this till's whole history")
        else:
            why = f": {sync.problem}" if sync.problem else f" (the hub is {sync.state})"
            print(f"{sync.behind} event(s) not yet at the hub{why}", file=sys.stderr)
    return 0 if caught_up else max(sync.behind, 1)


# -- receipts --


def receipts(args: argparse.Namespace, config: Config) -> int:
    tz = config.zone()
    today = datetime.now(tz).date()
    first, last = args.date_from or args.date_to or today, args.date_to or args.date_from or today
    if last < first:
        return fail("receipts", "--to is before --from", EXIT_USAGE)
    start, end = local_day(first, tz)[0], local_day(last, tz)[1]
    statuses = frozenset().union(*args.status) if args.status else frozenset()
    flt = PaymentFilter(
        start=start,
        end=end,
        statuses=statuses,
        provider=args.provider,
        search=args.search,
        region=config.shop.country,
    )
    try:
        with database(read_only_ok=True) as repository:
            write_receipts(repository, flt, args.format, sys.stdout, config.shop.effective_locale)
    except StoreError as exc:
        return store_failure("receipts", exc)
    return EXIT_OK


def write_receipts(
    repository: PaymentRepository, flt: PaymentFilter, fmt: str, out: TextIO, locale: str
) -> None:
    if fmt == "json":
        json.dump([payment_json(p) for p in repository.each(flt)], out, indent=2)
        out.write("\n")
        return
    if fmt == "csv":
        write_csv(repository.each(flt), out)
        return
    if paths.in_demo_world():
        out.write(f"{DEMO_HEADING}\n")
    count = 0
    received: list[Payment] = []
    refunded: list[Payment] = []
    for payment in repository.each(flt):
        count += 1
        out.write(
            f"{payment.created_at.astimezone():%Y-%m-%d %H:%M}  "
            f"{describe(payment, locale)}  {payment.reference_id[:8]}\n"
        )
        if payment.status in (PaymentStatus.SUCCESSFUL, PaymentStatus.REFUNDED):
            (received if payment.refund_of is None else refunded).append(payment)
    out.write(
        f"{count} payment(s); received: {_sums(received, locale)}; "
        f"refunded: {_sums(refunded, locale)}\n"
    )


def _sums(payments: list[Payment], locale: str) -> str:
    totals = ", ".join(total.format(locale) for total in sums(payments))
    return f"{totals} ({len(payments)})" if payments else "nothing"


# -- the parsers --


def add_commands(commands: Any, demo_parent: argparse.ArgumentParser) -> None:
    charge_parser = commands.add_parser(
        "charge", parents=[demo_parent], help="charge a customer without the window"
    )
    charge_parser.add_argument("--provider", choices=registry.ids(), required=True)
    charge_parser.add_argument("--amount", required=True, help='as typed: "1500", "1,500", "15.50"')
    charge_parser.add_argument("--phone", required=True, help="local or international form")
    charge_parser.add_argument("--reference", help="the shop's order reference")
    charge_parser.add_argument("--message", help="note for the customer's statement")
    charge_parser.add_argument(
        "--confirm-amount",
        metavar="AMOUNT",
        help="the amount again: needed above the shop's confirm_above setting",
    )
    timeout_option(charge_parser, 360.0)
    charge_parser.add_argument("--json", action="store_true", help="one JSON object per change")
    sync_parser = commands.add_parser(
        "sync",
        parents=[demo_parent],
        help="finish every unfinished payment and send this till's history to its hub, then exit",
    )
    timeout_option(sync_parser, 360.0)
    sync_parser.add_argument("--json", action="store_true")
    receipts_parser = commands.add_parser(
        "receipts", parents=[demo_parent], help="list receipts (today by default)"
    )
    receipts_parser.add_argument("--from", dest="date_from", type=parse_day, metavar="DATE")
    receipts_parser.add_argument("--to", dest="date_to", type=parse_day, metavar="DATE")
    receipts_parser.add_argument(
        "--status",
        action="append",
        type=status_filter,
        metavar="STATUS",
        help="paid, refused, waiting, expired, unknown or refunded (or a JSON status value: "
        "successful, failed, created, submitting, pending, ...); repeat for several",
    )
    receipts_parser.add_argument("--provider", choices=registry.ids())
    receipts_parser.add_argument("--search", help="phone, order reference or receipt number")
    receipts_parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
