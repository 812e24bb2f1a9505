"""`pos-app verify`, `backup` and `restore`: the owner's tools for the receipt database."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any

from pos_app import paths
from pos_app.config import Config
from pos_app.headless import EXIT_FAILED, EXIT_OK, EXIT_USAGE, fail
from pos_app.headless import database as headless_database
from pos_app.owner_commands import EXIT_REFUSED, Refused, authorise, owner_gate
from pos_app.store import StoreError
from pos_app.store.backup import daily_backup, examine, restore


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


def back_up_today(config: Config, folder: Path | None = None) -> Path:
    """Today's copy (the shop's day) of this till's database; raises StoreError."""
    return daily_backup(
        paths.database_path(),
        folder or config.backup.effective_folder,
        config.backup.keep,
        datetime.now(config.zone()).date(),
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
    try:
        target = back_up_today(config, args.to)
    except StoreError as exc:
        return fail("backup", str(exc), EXIT_FAILED)
    print(f"backed up to {target}")
    return EXIT_OK


def restore_command(args: argparse.Namespace, config: Config) -> int:
    database = paths.database_path()
    try:
        if database.exists():  # replacing a till's history is the owner's call
            with headless_database() as current:
                authorise(current, config, "restore")
        checked, kept = restore(args.file, database, config.backup.effective_folder, datetime.now())
        with headless_database() as restored:  # the restored file's own log says so
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
