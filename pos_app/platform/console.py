"""Windows builds are window programs (no console pops up behind the cashier window), so the
same executable's headless commands would print nowhere. They attach to the console of the
command prompt that started them instead. Elsewhere this does nothing."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable

ATTACH_PARENT_PROCESS = -1


def attach_parent_console() -> None:
    if sys.platform != "win32" or sys.stdout is not None:
        return
    import ctypes

    if ctypes.windll.kernel32.AttachConsole(ATTACH_PARENT_PROCESS):
        # Started from a command prompt: print there. From the Start menu there is none.
        sys.stdout = open("CONOUT$", "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
        sys.stderr = open("CONOUT$", "w", encoding="utf-8")  # noqa: SIM115


# A reader that stops early (`pos-app receipts --format csv | head -1`) closes the pipe: the
# shell's convention for a process ended by SIGPIPE is 128 + 13.
EXIT_CLOSED_PIPE = 141


def run_quietly_on_closed_pipe(run: Callable[[], int]) -> int:
    """Run a command; if whoever reads its output goes away, end quietly (no traceback, no
    "Exception ignored" when Python flushes stdout at exit) with EXIT_CLOSED_PIPE."""
    try:
        code = run()
        if sys.stdout is not None:
            sys.stdout.flush()  # what is still buffered fails here, not at interpreter exit
    except BrokenPipeError:
        # As the Python docs recommend (signal module, "Note on SIGPIPE"): point stdout at
        # devnull so that the final flush at exit cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_CLOSED_PIPE
    return code
