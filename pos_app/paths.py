"""Where pos-app keeps its files: platformdirs locations, overridable for tests and headless use."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "pos-app"


def data_dir() -> Path:
    override = os.environ.get("POS_APP_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, False))


def database_path() -> Path:
    return data_dir() / "pos-app.sqlite3"


def log_dir() -> Path:
    override = os.environ.get("POS_APP_LOG_DIR")
    return Path(override) if override else Path(platformdirs.user_log_dir(APP_NAME, False))


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, False)) / "config.toml"


def resources_dir() -> Path:
    """resources/ beside the package in a source tree (build.spec bundles it the same way)."""
    return Path(__file__).resolve().parent.parent / "resources"
