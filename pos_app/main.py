"""The `pos-app` program: the cashier window by default, the command line for a command.

The only module that knows both faces: the command line (pos_app.cli) and the window
(pos_app.ui) stay apart, and the window's heavy imports happen only when it opens."""

from __future__ import annotations

import gc
from collections.abc import Sequence

from pos_app.cli.main import main as command_line
from pos_app.platform.config import Config


def main(argv: Sequence[str] | None = None, *, collection_held: bool = False) -> int:
    """`collection_held`: garbage collection is off for the window's start (pos_app/__main__.py);
    a command, which may run long, turns it back on as soon as its arguments are read."""
    resume = gc.enable if collection_held else None
    return command_line(argv, open_window=open_window, command_starts=resume)


def open_window(
    config: Config, *, demo: bool, smoke_test: bool, keyring_problem: str | None
) -> int:
    from pos_app.ui.app import run_gui

    return run_gui(config, demo=demo, smoke_test=smoke_test, keyring_problem=keyring_problem)
