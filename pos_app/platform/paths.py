"""Where pos-app keeps its files: platformdirs locations, overridable for tests and headless use."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "pos-app"
DEMO_FOLDER = "demo"
DATABASE_NAME = "pos-app.sqlite3"
# Demo mode is a world of its own: its database, backups and simulator state live in a folder
# inside the data folder, so a trial sale can never reach the real receipts. Chosen once per
# process, before any file is opened (cli.main).
_world = {"demo": False}


def enter_demo_world(demo: bool = True) -> None:
    _world["demo"] = demo


def in_demo_world() -> bool:
    return _world["demo"]


def live_data_dir() -> Path:
    override = os.environ.get("POS_APP_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, False))


def live_database_path() -> Path:
    """The real till's database, whatever world this process is in: the owner's PIN and log
    live there for both worlds (one owner, whose settings are the same in both)."""
    return live_data_dir() / DATABASE_NAME


def demo_data_dir() -> Path:
    return live_data_dir() / DEMO_FOLDER


def data_dir() -> Path:
    """This world's data folder: the live one, or its demo folder."""
    return demo_data_dir() if in_demo_world() else live_data_dir()


def database_path() -> Path:
    return data_dir() / DATABASE_NAME


def log_dir() -> Path:
    override = os.environ.get("POS_APP_LOG_DIR")
    return Path(override) if override else Path(platformdirs.user_log_dir(APP_NAME, False))


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, False)) / "config.toml"


def resources_dir() -> Path:
    """resources/ beside the package in a source tree (build.spec bundles it the same way)."""
    return Path(__file__).resolve().parents[2] / "resources"
