"""What every command shares: exit codes, messages on stderr, the database for one command,
a payment in one line, and the option types."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from pos_app.app.world import open_repository
from pos_app.domain.payment import Payment, PaymentStatus, status_word, statuses_of
from pos_app.domain.phone import mask_msisdn
from pos_app.providers import registry
from pos_app.store import PaymentRepository, StorageFault, StoreError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PENDING, EXIT_CONFIG = 0, 1, 2, 3, 4
EXIT_REFUSED = 5  # wrong PIN, or owner actions locked
EXIT_STORAGE = 6  # the disk is full, read-only, held by another program or failing
EXIT_INTERRUPTED = 130
# Fault tests stop the process at a named stage of a payment (then kill it).
PAUSE_VARIABLE = "POS_APP_FAULT_PAUSE"


def checkpoint(stage: str) -> None:
    if os.environ.get(PAUSE_VARIABLE) == stage:
        print(f"checkpoint {stage}", file=sys.stderr, flush=True)
        time.sleep(3600)  # blocks everything: the test kills the process here


def say_demo(demo: bool) -> None:
    if demo:
        print("DEMO mode: the built-in simulator answers; no real money moves", file=sys.stderr)


def fail(command: str, message: str, code: int) -> int:
    """Say what went wrong on stderr, as `pos-app COMMAND: ...`; returns the exit code."""
    print(f"pos-app {command}: {message}", file=sys.stderr)
    return code


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
        text += f" - {registry.reason(payment.reason).message}"
    if payment.provider_transaction_id:
        text += f" - receipt {payment.provider_transaction_id}"
    if payment.status == PaymentStatus.UNKNOWN:
        text += (
            " - not known whether the customer was charged: check the customer's "
            "confirmation SMS before charging again"
        )
    return text


def exit_code(payment: Payment) -> int:
    if payment.status == PaymentStatus.SUCCESSFUL:
        return EXIT_OK
    if payment.reason == "app:CONFIGURATION":
        return EXIT_CONFIG
    if payment.status in (PaymentStatus.FAILED, PaymentStatus.EXPIRED):
        return EXIT_FAILED
    return EXIT_PENDING


# -- option types --


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


def timeout_option(parser: argparse.ArgumentParser, default: float) -> None:
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        default=default,
        metavar="SECONDS",
        help=f"stop waiting after this long (default {default:g})",
    )
