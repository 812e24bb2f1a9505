"""`pos-app verify`, `backup` and `restore`: the owner's tools for the receipt database."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from pos_app import paths
from pos_app.config import Config
from pos_app.store import StoreError, audit, open_reader
from pos_app.store.backup import check_backup, daily_backup, restore
from pos_app.store.migrations import schema_version

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _fail(command: str, message: str, code: int = EXIT_FAILED) -> int:
    print(f"pos-app {command}: {message}", file=sys.stderr)
    return code


def add_commands(commands: Any) -> None:
    verify_parser = commands.add_parser(
        "verify", help="check that no payment or payment event was edited outside pos-app"
    )
    verify_parser.add_argument(
        "file", nargs="?", type=Path, help="a database file (default: this till's database)"
    )
    backup_parser = commands.add_parser(
        "backup", help="copy the database now as today's backup (done daily by the window)"
    )
    backup_parser.add_argument(
        "--to", type=Path, metavar="FOLDER", help="instead of [backup] folder"
    )
    restore_parser = commands.add_parser(
        "restore", help="replace the database with a backup, after checking the backup"
    )
    restore_parser.add_argument("file", type=Path)


def verify(args: argparse.Namespace) -> int:
    path: Path = args.file or paths.database_path()
    if not path.is_file():
        return _fail("verify", f"no database at {path}", EXIT_USAGE)
    reader = open_reader(path)  # read-only: checking a file must not change it
    try:
        version = schema_version(reader)
        if version < audit.CHAINED_SCHEMA:
            return _fail(
                "verify",
                f"{path} predates the hash chain (schema {version}); "
                "open it with this pos-app once to add it",
            )
        verdict = audit.verify(reader)
    except sqlite3.DatabaseError as exc:
        return _fail("verify", f"{path} is not a readable pos-app database ({exc})")
    finally:
        reader.close()
    print(f"{path}: {verdict}")
    return EXIT_OK if verdict.intact else EXIT_FAILED


def backup(args: argparse.Namespace, config: Config) -> int:
    database = paths.database_path()
    if not database.is_file():
        return _fail("backup", f"no database at {database}", EXIT_USAGE)
    folder = args.to or config.backup.effective_folder
    try:
        target = daily_backup(database, folder, config.backup.keep, datetime.now().date())
    except StoreError as exc:
        return _fail("backup", str(exc))
    print(f"backed up to {target}")
    return EXIT_OK


def restore_command(args: argparse.Namespace, config: Config) -> int:
    database = paths.database_path()
    try:
        checked = check_backup(args.file)
        kept = restore(args.file, database, config.backup.effective_folder, datetime.now())
    except StoreError as exc:
        return _fail("restore", f"{exc}. Nothing was changed.")
    print(
        f"restored {args.file} ({checked.payments} payment(s), {checked.events} event(s), "
        f"history intact) into {database}; the database it replaced is kept at {kept}"
    )
    return EXIT_OK
