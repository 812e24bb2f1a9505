"""The `pos-app` program: the cashier window by default, the command line for a command.

The only module that knows both faces: the command line (pos_app.cli) and the window
(pos_app.ui) stay apart, and the window's heavy imports happen only when it opens."""

from __future__ import annotations

from collections.abc import Sequence

from pos_app.cli.main import main as command_line
from pos_app.platform.config import Config


def main(argv: Sequence[str] | None = None) -> int:
    return command_line(argv, open_window=open_window)


def open_window(
    config: Config, *, demo: bool, smoke_test: bool, keyring_problem: str | None
) -> int:
    from pos_app.ui.app import run_gui

    return run_gui(config, demo=demo, smoke_test=smoke_test, keyring_problem=keyring_problem)
