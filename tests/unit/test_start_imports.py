"""What the window's start leaves for later (pos_app/app/deferred.py), and garbage collection
held only while it starts (pos_app/__main__.py)."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pos_app.__main__ import run
from pos_app.app.deferred import DEMO_MODULES, MODULES
from pos_app.cli import main as cli_main

# Never needed before the window shows (the simulators' own modules too), or never at all.
LATER = (
    *MODULES,
    *DEMO_MODULES,
    "pos_app.sandbox.mtn",
    "pos_app.sandbox.mpesa",
    "pos_app.sandbox.airtel",
    "starlette",
    "keyring",
    "importlib.metadata",
    "sqlite_utils",
    "httpx._main",
)
# What the window's start does up to showing it, without Qt's event loop: the imports of the
# entry point and the window's modules, the config, a demo till (with its simulators'
# transport) and its engine over the opened database.
START = """
import json, sys
import pos_app.main, pos_app.ui.app
from pos_app.app.till import build_till
from pos_app.app.world import open_repository
from pos_app.platform.config import load_config
from pos_app.providers import registry
till = build_till(load_config(None, registry.config_sections()), demo=True)
till.engine(open_repository())
loaded = [name for name in sys.argv[1:] if sys.modules.get(name) is not None]
if "--then-deferred" in sys.argv:
    from pos_app.app.deferred import load_deferred
    load_deferred(demo=True)
    loaded = [name for name in sys.argv[1:] if sys.modules.get(name) is not None]
print(json.dumps(loaded))
"""


def _loaded(tmp_path: Path, *extra: str) -> list[str]:
    env = {
        **os.environ,
        "POS_APP_DATA_DIR": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "POS_APP_LOG_DIR": str(tmp_path / "logs"),
    }
    done = subprocess.run(
        [sys.executable, "-c", START, *LATER, *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_the_window_starts_without_what_it_loads_later(tmp_path: Path) -> None:
    assert _loaded(tmp_path) == []


def test_what_it_loads_later_loads(tmp_path: Path) -> None:
    found = _loaded(tmp_path, "--then-deferred")
    assert set(found) >= {*MODULES, *DEMO_MODULES, "pos_app.sandbox.airtel", "starlette"}
    assert not {"sqlite_utils", "httpx._main"} & set(found)


@pytest.fixture
def receipts_command(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """`pos-app receipts` replaced by one that notes whether collection is on while it runs."""
    seen: list[bool] = []

    def receipts(args: object, config: object, demo: bool) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setitem(cli_main.HANDLERS, "receipts", receipts)
    return seen


def test_a_command_runs_with_collection_on_and_leaves_it_on(
    monkeypatch: pytest.MonkeyPatch, receipts_command: list[bool]
) -> None:
    monkeypatch.setattr(sys, "argv", ["pos-app", "--demo", "receipts"])
    assert run() == 0
    assert receipts_command == [True]
    assert gc.isenabled()


def test_the_window_starts_with_collection_off_and_it_is_back_on_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[bool] = []

    def open_window(*args: object, **kwargs: object) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr("pos_app.main.open_window", open_window)
    monkeypatch.setattr(sys, "argv", ["pos-app", "--demo"])
    assert run() == 0
    assert seen == [False]
    assert gc.isenabled()


def test_a_command_called_in_process_leaves_collection_as_it_found_it(
    receipts_command: list[bool],
) -> None:
    """The window's tests call commands beside a collector that keeps collection off."""
    gc.disable()
    try:
        assert cli_main.main(["--demo", "receipts"]) == 0
        assert receipts_command == [False]
        assert not gc.isenabled()
    finally:
        gc.enable()
