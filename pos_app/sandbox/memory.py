"""The demo simulator's memory, kept in a file of the demo folder: a payment pushed before the
till was closed is still known after it starts again, and settles, as at a real provider."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from pos_app.sandbox.mpesa import MpesaSimulator
from pos_app.sandbox.mtn import MtnSimulator

log = logging.getLogger(__name__)
VERSION = 1
# A provider forgets nothing within a day; older requests would only make the file grow.
KEPT_SECONDS = 2 * 24 * 3600
Entry = dict[str, Any]
# What names an entry: several demo processes (the window, a `charge --demo` beside it) share
# the file, and each saves what it knows merged with what the others saved.
KEYS: dict[str, Callable[[Entry], str]] = {
    "mtn": lambda e: f"{e['kind']}/{e['reference_id']}",
    "mpesa": lambda e: str(e["checkout_id"]),
}


class RememberingSandbox:
    """The simulator app, saving what it knows after every request that may change it.

    Its simulators must run on the wall clock (time.time): their moments are compared across
    restarts."""

    def __init__(self, app: Starlette, path: Path) -> None:
        self.app = app
        self.path = path
        self.mtn: MtnSimulator = app.state.mtn
        self.mpesa: MpesaSimulator = app.state.mpesa
        self.load()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http" and scope["method"] != "GET":
            self.save()

    def _read(self) -> dict[str, list[Entry]]:
        """What the file holds; nothing when it is missing, of another version or damaged (a
        demo must start even then: it only forgets trial sales)."""
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            log.warning("demo simulator memory %s unreadable: starting afresh", self.path)
            return {}
        if not isinstance(saved, dict) or saved.get("version") != VERSION:
            log.warning("demo simulator memory %s of another version: ignored", self.path)
            return {}
        return {name: [e for e in saved.get(name, []) if isinstance(e, dict)] for name in KEYS}

    def load(self) -> None:
        saved = self._read()
        for name, simulator in (("mtn", self.mtn), ("mpesa", self.mpesa)):
            try:
                simulator.restore(saved.get(name, []))
            except (TypeError, KeyError, ValueError, AttributeError):
                log.warning("demo simulator memory %s: %s entries unreadable", self.path, name)

    def save(self) -> None:
        oldest = time.time() - KEPT_SECONDS
        ours = {"mtn": self.mtn.snapshot(), "mpesa": self.mpesa.snapshot()}
        on_disk = self._read()
        state: dict[str, Any] = {"version": VERSION}
        for name, key in KEYS.items():
            merged: dict[str, Entry] = {}
            for entry in [*on_disk.get(name, []), *ours[name]]:  # ours last: the newest
                with contextlib.suppress(KeyError, TypeError):
                    if float(entry["created"]) >= oldest:
                        merged[key(entry)] = entry
            state[name] = list(merged.values())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=self.path.parent, prefix=".sandbox-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(state, out)
            os.replace(partial, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(partial)
            log.warning("demo simulator memory %s not saved", self.path, exc_info=True)
