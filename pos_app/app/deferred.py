"""What start-up leaves out, loaded once the window shows.

The window opens without these imports; the first number typed, the first signed request or
the demo's first charge would otherwise load them on the window's thread (the carriers' tables
alone pause it about 60 ms). The window loads them on a worker thread right after it shows;
the test session loads them before its windows' lag probes."""

from __future__ import annotations

import importlib
import logging
import time

log = logging.getLogger(__name__)

MODULES = (
    "phonenumbers.carrier",  # a number's network (pos_app/domain/phone.py)
    # The providers' signatures and credentials.
    "cryptography.x509",
    "cryptography.hazmat.primitives.asymmetric.padding",
    "cryptography.hazmat.primitives.asymmetric.rsa",
    "cryptography.hazmat.primitives.ciphers",
    "cryptography.hazmat.primitives.hashes",
    "cryptography.hazmat.primitives.padding",
    "cryptography.hazmat.primitives.serialization",
)
DEMO_MODULES = ("pos_app.sandbox.app", "pos_app.sandbox.memory")


def load_deferred(demo: bool) -> None:
    started = time.perf_counter()
    for name in MODULES + (DEMO_MODULES if demo else ()):
        importlib.import_module(name)
    if demo:
        from pos_app.sandbox.simulators import load_simulators

        load_simulators()
    log.info("deferred modules loaded in %.0f ms", (time.perf_counter() - started) * 1000)
