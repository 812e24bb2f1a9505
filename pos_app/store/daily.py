"""Today's backup (the shop's day) of this till's database, in every folder the owner set."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pos_app.platform import paths
from pos_app.platform.config import Config
from pos_app.store.backup import BackupError, Written, daily_backups


def back_up_everywhere(config: Config, folder: Path | None = None) -> list[Written]:
    """Today's copy (the shop's day) of this till's database in each backup folder (`folder`
    instead of the first); one folder failing does not stop the other."""
    folders = config.backup.effective_folders
    if folder is not None:
        folders = [folder, *folders[1:]]
    return daily_backups(
        paths.database_path(), folders, config.backup.keep, datetime.now(config.zone()).date()
    )


def back_up_today(config: Config, folder: Path | None = None) -> list[Path]:
    """`back_up_everywhere`, for the window: raises StoreError if any folder failed, after
    every folder was tried; returns the copies written."""
    written = back_up_everywhere(config, folder)
    if problems := [w.problem for w in written if w.problem]:
        raise BackupError("; ".join(problems))
    return [w.target for w in written]
