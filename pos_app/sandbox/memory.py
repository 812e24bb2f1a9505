"""The demo simulator's memory, kept in a file of the demo folder: a payment pushed before the
till was closed is still known after it starts again, and settles, as at a real provider."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from pos_app.sandbox.mpesa import MpesaSimulator
from pos_app.sandbox.mtn import MtnSimulator

log = logging.getLogger(__name__)
# A provider forgets nothing within a day; older requests would only make the file grow.
KEPT_SECONDS = 2 * 24 * 3600


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

    def load(self) -> None:
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
            self.mtn.restore(saved.get("mtn", []))
            self.mpesa.restore(saved.get("mpesa", []))
        except FileNotFoundError:
            return
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            # A demo must start even from a damaged memory: it only forgets old trial sales.
            log.warning("demo simulator memory %s unreadable: starting afresh", self.path)

    def save(self) -> None:
        oldest = time.time() - KEPT_SECONDS
        state: dict[str, Any] = {
            "mtn": [r for r in self.mtn.snapshot() if r["created"] >= oldest],
            "mpesa": [p for p in self.mpesa.snapshot() if p["created"] >= oldest],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".partial")
        try:
            partial.write_text(json.dumps(state), encoding="utf-8")
            os.replace(partial, self.path)
        except OSError:
            log.warning("demo simulator memory %s not saved", self.path, exc_info=True)
