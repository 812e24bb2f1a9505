"""Writing settings back into the TOML file, keeping the owner's comments and layout.

A change is checked exactly as the file will be read at the next start; a change that would not
load is refused and the file is left as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pos_app.platform.config import Config, ConfigError, Sections, apply_env, parse_config

if TYPE_CHECKING:
    from tomlkit import TOMLDocument

Changes = Mapping[str, Mapping[str, Any]]  # section -> key -> new value


def save_config(path: Path, changes: Changes, sections: Sections) -> Config:
    """Apply `changes` to the file at `path` (created if missing) and return the new config."""
    document, config = _apply(path, changes, sections)  # raises ConfigError, nothing written
    _write_atomically(path, document.as_string())
    return config


def preview_config(path: Path, changes: Changes, sections: Sections) -> Config:
    """The config the app would run with after `changes`, environment overrides included."""
    return apply_env(_apply(path, changes, sections)[1], sections)


def _apply(path: Path, changes: Changes, sections: Sections) -> tuple[TOMLDocument, Config]:
    # tomlkit is loaded when the owner changes a setting, not at every start.
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        document = tomlkit.parse(text)
    except (OSError, UnicodeDecodeError, TOMLKitError) as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc})") from exc
    for section, values in changes.items():
        if not values:
            continue
        table = document.get(section)
        if table is None:
            table = tomlkit.table()
            document[section] = table
        for key, value in values.items():
            table[key] = value
    return document, parse_config(document.unwrap(), path, sections)


def _write_atomically(path: Path, text: str) -> None:
    # A crash mid-write must leave either the old file or the new one, never half of one.
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".toml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
