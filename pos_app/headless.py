"""`pos-app charge`, `sync`, `receipts` and `doctor`: the engine without a window."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TextIO

from pos_app import logs, paths
from pos_app.config import Config
from pos_app.credentials import (
    MPESA_SECRETS,
    MTN_SECRETS,
    SecretStore,
    installed_backends,
    keyring_fix,
)
from pos_app.domain.countries import Provider
from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money
from pos_app.domain.payment import (
    OPEN_STATES,
    Payment,
    PaymentStatus,
    status_word,
    statuses_of,
)
from pos_app.domain.phone import mask_msisdn
from pos_app.domain.reasons import from_key
from pos_app.domain.report import sums
from pos_app.engine.engine import PaymentEngine
from pos_app.engine.events import PaymentUpdate
from pos_app.engine.setup import SetupProblem, Till, build_till
from pos_app.providers.base import ConfigurationProblem
from pos_app.records import payment_json, write_csv
from pos_app.storage_health import storage_lines
from pos_app.store import PaymentRepository, StorageFault, StoreError
from pos_app.store.repository import PaymentFilter, local_day
from pos_app.world import open_repository

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PENDING, EXIT_CONFIG = 0, 1, 2, 3, 4
EXIT_STORAGE = 6  # the disk is full, read-only, held by another program or failing
EXIT_INTERRUPTED = 130
DEMO_HEADING = "DEMO - payments made in demo mode: no real money moved"
# Fault tests stop the process at a named stage of a payment (then kill it).
PAUSE_VARIABLE = "POS_APP_FAULT_PAUSE"


def _checkpoint(stage: str) -> None:
    if os.environ.get(PAUSE_VARIABLE) == stage:
        print(f"checkpoint {stage}", file=sys.stderr, flush=True)
        time.sleep(3600)  # blocks everything: the test kills the process here


def _say_demo(demo: bool) -> None:
    if demo:
        print("DEMO mode: the built-in simulator answers; no real money moves", file=sys.stderr)


def fail(command: str, message: str, code: int) -> int:
    """Say what went wrong on stderr, as `pos-app COMMAND: ...`; returns the exit code."""
    print(f"pos-app {command}: {message}", file=sys.stderr)
    return code


@dataclass
class _Session:
    till: Till
    repository: PaymentRepository
    engine: PaymentEngine


@contextmanager
def database(*, read_only_ok: bool = False) -> Iterator[PaymentRepository]:
    """This world's database, opened (and migrated) for one command; `read_only_ok` for the
    commands that only read (a write-protected stick, a backup)."""
    repository = open_repository(read_only_ok=read_only_ok)
    try:
        yield repository
    finally:
        repository.close()


def store_failure(command: str, exc: StoreError, before: str = "") -> int:
    """A storage fault the shop can lift (then the same command works) exits 6; a damaged or
    too new file exits 4 with the configuration problems. `before`: what it meant here."""
    code = EXIT_STORAGE if isinstance(exc, StorageFault) else EXIT_CONFIG
    return fail(command, f"{before}{exc}", code)


def describe(payment: Payment, locale: str) -> str:
    """One line for people: the status in their word (PAID, REFUSED, WAITING, ...)."""
    text = (
        f"{status_word(payment.status).upper():<8} {payment.amount.format(locale)} "
        f"{payment.provider} {mask_msisdn(payment.msisdn)}"
    )
    if payment.reason:
        text += f" - {from_key(payment.reason).message}"
    if payment.provider_transaction_id:
        text += f" - receipt {payment.provider_transaction_id}"
    if payment.status == PaymentStatus.UNKNOWN:
        text += (
            " - not known whether the customer was charged: check the customer's "
            "confirmation SMS before charging again"
        )
    return text


# -- charge --


def charge(args: argparse.Namespace, config: Config, demo: bool) -> int:
    try:
        till = build_till(config, demo=demo)
        amount, phone = till.parse_charge(args.provider, args.amount, args.phone)
        _confirmed(till, args.provider, amount, getattr(args, "confirm_amount", None))
    except ValidationError as exc:
        return fail("charge", str(exc), EXIT_USAGE)
    except SetupProblem as exc:
        return fail("charge", str(exc), EXIT_CONFIG)
    reference: list[str] = []
    _say_demo(demo)
    try:
        return asyncio.run(_charge(args, till, amount, phone.msisdn, reference))
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
    args: argparse.Namespace, till: Till, amount: Any, msisdn: str, reference: list[str]
) -> int:
    with database() as repository:
        engine = till.engine(repository, checkpoint=_checkpoint)
        locale = till.config.shop.effective_locale

        def show(update: PaymentUpdate) -> None:
            if reference and update.payment.reference_id != reference[0]:
                return
            if args.json:
                print(json.dumps(payment_json(update.payment)), flush=True)
            else:
                print(describe(update.payment, locale), flush=True)
            say_if_unsaved("charge", engine, update)

        engine.bus.subscribe(
            lambda u: reference.append(u.payment.reference_id) if not reference else None
        )
        engine.bus.subscribe(show)
        try:
            payment = await engine.charge(
                args.provider, amount, msisdn, external_id=args.reference, message=args.message
            )
            await engine.settle([payment.reference_id], timeout=args.timeout)
            saved = await engine.all_saved(timeout=args.timeout)
            final = engine.current(payment.reference_id)
        finally:
            await engine.aclose()
    if not saved:
        return not_saved("charge", engine, [final], args.timeout, locale)
    if final.status in OPEN_STATES:
        print(still_waiting(args.timeout), file=sys.stderr)
    return exit_code(final)


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
    return fail(
        command,
        f"not saved after {timeout:g} s ({engine.storage_problem}). Once the disk takes it, "
        "`pos-app sync` asks the provider again (an M-Pesa payment whose prompt was not "
        "saved as accepted cannot be asked about: check it with the customer)",
        EXIT_STORAGE,
    )


def still_waiting(timeout: float) -> str:
    """What happens next to a payment still open when `charge` stops waiting."""
    sync = "pos-app sync --demo" if paths.in_demo_world() else "pos-app sync"
    return (
        f"pos-app charge: still waiting for the customer after {timeout:g} s: the payment is "
        f"saved; `{sync}` (or the window at its next start) finishes it"
    )


def exit_code(payment: Payment) -> int:
    if payment.status == PaymentStatus.SUCCESSFUL:
        return EXIT_OK
    if payment.reason == "app:CONFIGURATION":
        return EXIT_CONFIG
    if payment.status in (PaymentStatus.FAILED, PaymentStatus.EXPIRED):
        return EXIT_FAILED
    return EXIT_PENDING


# -- sync --


def sync(args: argparse.Namespace, config: Config, demo: bool) -> int:
    try:
        till = build_till(config, demo=demo)
        _say_demo(demo)
        return asyncio.run(_sync(args, till))
    except SetupProblem as exc:
        return fail("sync", str(exc), EXIT_CONFIG)
    except StoreError as exc:
        return store_failure("sync", exc)
    except KeyboardInterrupt:
        return fail("sync", "interrupted: every payment is saved as it was", EXIT_INTERRUPTED)


async def _sync(args: argparse.Namespace, till: Till) -> int:
    with database() as repository:
        engine = till.engine(repository, checkpoint=_checkpoint)
        locale = till.config.shop.effective_locale

        def show(update: PaymentUpdate) -> None:
            payment = update.payment
            print(
                json.dumps(payment_json(payment)) if args.json else describe(payment, locale),
                flush=True,
            )
            say_if_unsaved("sync", engine, update)

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
    return EXIT_PENDING if still_open or skipped else EXIT_OK


# -- receipts --


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def status_filter(text: str) -> frozenset[PaymentStatus]:
    """`--status`: a people's word (paid, refused, waiting, expired, unknown, refunded) or a
    machine value (successful, failed, pending, ...)."""
    try:
        return statuses_of(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_seconds(text: str) -> float:
    """A `--timeout`: a number of seconds above zero."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of seconds above 0")
    return seconds


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


# -- doctor --


OK, WARN, FIX = "OK", "WARN", "FIX"


def doctor(args: argparse.Namespace, config: Config, demo: bool) -> int:
    """Each line OK, WARN (works, but something should be done) or FIX (something does not
    work); exit 0 unless there is a FIX."""
    lines: list[tuple[str, str]] = []
    lines.append((OK, f"config: {config.path or 'defaults (no config file)'}"))
    lines.append((OK, f"log: {logs.log_path()}"))
    store = SecretStore()
    if demo:  # no secret is needed: nothing to say about where they would be kept
        lines.append(
            (OK, "DEMO mode: the providers are the built-in simulator; no real money moves")
        )
    else:
        keyring = store.status()
        if keyring.usable:
            lines.append((OK, keyring.message))
        else:
            lines.append(
                (
                    WARN,
                    f"no secure keyring: {keyring_fix()}; until then secrets are read only "
                    "from the environment variables",
                )
            )
        backends = ", ".join(installed_backends()) or "none"
        lines.append((OK, f"keyring backends for this system: {backends}"))
        for name, label, secrets in (
            ("mtn", "MTN", MTN_SECRETS),
            ("mpesa", "M-Pesa", MPESA_SECRETS),
        ):
            if not getattr(config, name).enabled:
                lines.append((OK, f"{label}: disabled in the config"))
                continue
            missing = [s for s in secrets if store.get(s) is None]
            found = ", ".join(
                f"{s.value.split('.', 1)[1]} ({store.source(s)})"
                for s in secrets
                if s not in missing
            )
            if missing:
                lines.append(
                    (
                        FIX,
                        f"{label} secrets missing: "
                        + ", ".join(
                            f"{s.value} (set {s.env_var} or store it in the keyring)"
                            for s in missing
                        ),
                    )
                )
            else:
                lines.append((OK, f"{label} secrets present: {found}"))
    try:
        till = build_till(config, demo=demo)
    except SetupProblem as exc:
        lines.append((FIX, str(exc)))
        till = None
    if till is not None:
        for name, why in till.unavailable.items():
            if not any(why in text for _, text in lines):
                lines.append((FIX, f"{name}: {why}"))
        for name, health in asyncio.run(till.check_and_close()).items():
            lines.append(
                (
                    OK if health.reachable else FIX,
                    f"{name}: reachable, token accepted"
                    if health.reachable
                    else f"{name}: {health.message}",
                )
            )
    try:
        with database() as repository:
            open_count = len(repository.list_open())
            total = repository.count(PaymentFilter())
            version = repository.schema_version()
        lines.append(
            (
                OK,
                f"database {paths.database_path()}: intact, schema {version}, "
                f"{total} payment(s), {open_count} unfinished",
            )
        )
    except StoreError as exc:
        lines.append((FIX, str(exc)))
    lines.extend(storage_lines(config, paths.database_path()))
    for label, text in lines:
        print(f"{label:<4} {text}")
    return EXIT_CONFIG if any(label == FIX for label, _ in lines) else EXIT_OK


def add_commands(commands: Any, demo_parent: argparse.ArgumentParser) -> None:
    charge_parser = commands.add_parser(
        "charge", parents=[demo_parent], help="charge a customer without the window"
    )
    charge_parser.add_argument("--provider", choices=["mtn", "mpesa"], required=True)
    charge_parser.add_argument("--amount", required=True, help='as typed: "1500", "1,500", "15.50"')
    charge_parser.add_argument("--phone", required=True, help="local or international form")
    charge_parser.add_argument("--reference", help="the shop's order reference")
    charge_parser.add_argument("--message", help="note for the customer's statement")
    charge_parser.add_argument(
        "--confirm-amount",
        metavar="AMOUNT",
        help="the amount again: needed above the shop's confirm_above setting",
    )
    charge_parser.add_argument(
        "--timeout",
        type=positive_seconds,
        default=360.0,
        metavar="SECONDS",
        help="stop waiting after this long (default 360)",
    )
    charge_parser.add_argument("--json", action="store_true", help="one JSON object per change")
    sync_parser = commands.add_parser(
        "sync", parents=[demo_parent], help="finish every unfinished payment, then exit"
    )
    sync_parser.add_argument(
        "--timeout",
        type=positive_seconds,
        default=360.0,
        metavar="SECONDS",
        help="stop waiting after this long (default 360)",
    )
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
    receipts_parser.add_argument("--provider", choices=["mtn", "mpesa"])
    receipts_parser.add_argument("--search", help="phone, order reference or receipt number")
    receipts_parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
    commands.add_parser(
        "doctor", parents=[demo_parent], help="check config, secrets, providers and database"
    )
