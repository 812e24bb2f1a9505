"""Windows builds are window programs (no console pops up behind the cashier window), so the
same executable's headless commands would print nowhere. They attach to the console of the
command prompt that started them instead. Elsewhere this does nothing."""

from __future__ import annotations

import sys

ATTACH_PARENT_PROCESS = -1


def attach_parent_console() -> None:
    if sys.platform != "win32" or sys.stdout is not None:
        return
    import ctypes

    if ctypes.windll.kernel32.AttachConsole(ATTACH_PARENT_PROCESS):
        # Started from a command prompt: print there. From the Start menu there is none.
        sys.stdout = open("CONOUT$", "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
        sys.stderr = open("CONOUT$", "w", encoding="utf-8")  # noqa: SIM115
