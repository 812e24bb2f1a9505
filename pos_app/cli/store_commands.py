"""`pos-app verify`, `backup` and `restore`: the owner's tools for the receipt database."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from pos_app.cli.common import EXIT_FAILED, EXIT_OK, EXIT_REFUSED, EXIT_USAGE, fail
from pos_app.cli.common import database as command_database
from pos_app.cli.owner_commands import Refused, authorise, owner_gate
from pos_app.domain.payment import PaymentStatus, status_word
from pos_app.platform import paths
from pos_app.platform.config import Config
from pos_app.store import PaymentRepository, StoreError, open_database
from pos_app.store.backup import (
    BackupError,
    Loss,
    check_backup,
    examine,
    loss,
    restore,
)
from pos_app.store.daily import back_up_everywhere
from pos_app.store.database import Database

SHOWN_DROPPED = 10  # payments listed by name before a restore; the rest are counted


def add_commands(commands: Any, demo_parent: argparse.ArgumentParser) -> None:
    verify_parser = commands.add_parser(
        "verify",
        parents=[demo_parent],
        help="check that no payment or payment event was edited outside pos-app",
    )
    verify_parser.add_argument(
        "file", nargs="?", type=Path, help="a database file (default: this till's database)"
    )
    backup_parser = commands.add_parser(
        "backup",
        parents=[demo_parent],
        help="copy the database now as today's backup (done daily by the window)",
    )
    backup_parser.add_argument(
        "--to", type=Path, metavar="FOLDER", help="instead of [backup] folder"
    )
    restore_parser = commands.add_parser(
        "restore",
        parents=[demo_parent],
        help="replace the database with a backup, after checking the backup",
    )
    restore_parser.add_argument("file", type=Path)
    restore_parser.add_argument(
        "--yes",
        action="store_true",
        help="replace it even when the current database has payments the backup lacks",
    )


def verify(args: argparse.Namespace) -> int:
    path: Path = args.file or paths.database_path()
    if not path.is_file():
        return fail("verify", f"no database at {path}", EXIT_USAGE)
    try:
        checked = examine(path)  # read-only: checking a file must not change it
    except StoreError as exc:
        return fail("verify", str(exc), EXIT_FAILED)
    if checked.verdict is None:
        return fail(
            "verify",
            f"{path} predates the hash chain (schema {checked.schema}); "
            "open it with this pos-app once to add it",
            EXIT_FAILED,
        )
    print(f"{path}: {checked.verdict}")
    return EXIT_OK if checked.verdict.intact else EXIT_FAILED


def backup(args: argparse.Namespace, config: Config) -> int:
    if not paths.database_path().is_file():
        return fail("backup", f"no database at {paths.database_path()}", EXIT_USAGE)
    code = EXIT_OK
    for written in back_up_everywhere(config, args.to):
        if written.problem:
            code = fail("backup", written.problem, EXIT_FAILED)
        else:
            print(f"backed up to {written.target} ({written.payments} payment(s), checked)")
    return code


# -- restore --


def restore_command(args: argparse.Namespace, config: Config) -> int:
    database = paths.database_path()
    try:
        if database.exists():  # replacing a till's history is the owner's call
            _authorise_restore(config, args.file)
        check_backup(args.file)  # a bad file is refused before anything is asked
        if database.exists() and not _confirmed(args.file, database, args.yes):
            return EXIT_USAGE
        checked, kept = restore(args.file, database, config.backup.effective_folder, datetime.now())
        with command_database() as restored:  # the restored file's own log says so
            owner_gate(restored, config).record(
                "restore", {"from": str(args.file), "replaced_kept_at": str(kept)}
            )
    except Refused as exc:
        return fail("restore", f"{exc}. Nothing was changed.", EXIT_REFUSED)
    except StoreError as exc:
        return fail("restore", f"{exc}. Nothing was changed.", EXIT_FAILED)
    print(
        f"restored {args.file} ({checked.payments} payment(s), {checked.events} event(s), "
        f"history intact) into {database}; the database it replaced is kept at {kept}"
    )
    return EXIT_OK


def _authorise_restore(config: Config, source: Path) -> None:
    """The owner's PIN, checked where it is kept: this till's database; when that cannot be
    opened (damaged: exactly when a restore is needed), where else it can be read."""
    try:
        with command_database() as current:
            authorise(current, config, "restore")
            return
    except StoreError as exc:
        print(f"pos-app restore: {exc}", file=sys.stderr)
    if paths.in_demo_world():  # the demo's PIN is the live till's, kept in its database
        _authorise_in(open_database(paths.live_database_path()), config)
        return
    print(
        "pos-app restore: the owner's PIN is checked against the backup's owner log "
        "(the PIN as it was when the backup was made)",
        file=sys.stderr,
    )
    # A scratch copy takes the PIN attempt's record: the backup itself is never written to.
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "owner.sqlite3"
        try:
            shutil.copyfile(source, copy)
        except OSError as exc:
            raise BackupError(f"cannot read {source}: {exc.strerror}") from exc
        _authorise_in(open_database(copy), config)


def _authorise_in(db: Database, config: Config) -> None:
    repository = PaymentRepository(db)
    try:
        authorise(repository, config, "restore")
    finally:
        repository.close()


def _confirmed(source: Path, database: Path, yes: bool) -> bool:
    """Whether to go ahead: at once when the current database loses nothing; else with --yes
    or the owner's yes at a terminal, after saying what would be lost."""
    try:
        dropped = loss(source, database, SHOWN_DROPPED)
    except StoreError as exc:
        warning = (
            f"{exc}: how many of its payments the backup lacks cannot be counted; "
            f"the payments made since {source.name} was written may be lost"
        )
    else:
        if dropped.nothing:
            return True
        warning = _describe(dropped, database)
    print(f"pos-app restore: {warning}", file=sys.stderr)
    if yes:
        return True
    if not sys.stdin.isatty():
        fail("restore", "add --yes to restore anyway. Nothing was changed.", EXIT_USAGE)
        return False
    print("Replace the current database with the backup? [y/N] ", end="", file=sys.stderr)
    sys.stderr.flush()
    if sys.stdin.readline().strip().lower() in ("y", "yes"):
        return True
    print("pos-app restore: not restored. Nothing was changed.", file=sys.stderr)
    return False


def _describe(dropped: Loss, database: Path) -> str:
    lines = [
        f"the current database {database} has {dropped.missing} payment(s) the backup lacks "
        f"and {dropped.changed} whose status the backup has otherwise; restoring drops them "
        "(the current database is kept aside, so they can still be looked up there):"
    ]
    for p in dropped.examples:
        was = "not in the backup" if p.in_backup is None else f"{_word(p.in_backup)} in the backup"
        lines.append(
            f"  {p.reference_id}  {p.created_at.astimezone():%Y-%m-%d %H:%M}  "
            f"{p.amount}  {_word(p.status)} ({was})"
        )
    if (more := dropped.missing + dropped.changed - len(dropped.examples)) > 0:
        lines.append(f"  ... and {more} more")
    return "\n".join(lines)


def _word(status: str) -> str:
    """The people's word for a status as stored (`successful` -> paid)."""
    return status_word(PaymentStatus(status))
