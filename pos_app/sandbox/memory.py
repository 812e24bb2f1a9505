"""The demo simulator's memory, kept in a file of the demo folder: a payment pushed before the
till was closed is still known after it starts again, and settles, as at a real provider.

One JSON object per line, appended as the simulator is asked something new: what a provider
was asked never changes afterwards, so nothing is rewritten while the demo runs (the cost of a
request does not grow with the day), and the demo processes of one till (the window, a
`charge --demo` beside it) each append their own lines to the same file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Hashable, KeysView
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

log = logging.getLogger(__name__)
VERSION = 1
# A provider forgets nothing within a day; older requests would only make the file grow.
KEPT_SECONDS = 2 * 24 * 3600


@runtime_checkable
class Remembers(Protocol):
    """A simulator whose requests can be written down and known again (sandbox/mtn.py and
    sandbox/mpesa.py)."""

    def known(self) -> KeysView[Any]: ...
    def remember(self, key: Any) -> dict[str, Any]: ...
    def recall(self, entry: dict[str, Any]) -> Hashable: ...


class RememberingSandbox:
    """The simulator app, writing down what it is newly asked after each request.

    Its simulators must run on the wall clock (time.time): their moments are compared across
    restarts."""

    def __init__(self, app: Starlette, path: Path) -> None:
        self.app = app
        self.path = path
        self.simulators: dict[str, Remembers] = {
            name: simulator
            for name, simulator in app.state.simulators.items()
            if isinstance(simulator, Remembers)
        }
        self._written: dict[str, set[Hashable]] = {name: set() for name in self.simulators}
        self.load()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http" and scope["method"] != "GET":
            self.append_new()

    def load(self) -> None:
        """Know again what the file holds. A damaged line, one of another version or one older
        than two days is left out, and then the file is written anew without them (a demo
        must start even from a damaged memory: it only forgets trial sales)."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError):
            log.warning("demo simulator memory %s unreadable: starting afresh", self.path)
            lines = []
        oldest = time.time() - KEPT_SECONDS
        kept = []
        for line in lines:
            try:
                record = json.loads(line)
                if record["version"] != VERSION or float(record["entry"]["created"]) < oldest:
                    continue
                name = record["provider"]
                self._written[name].add(self.simulators[name].recall(record["entry"]))
            except (ValueError, TypeError, KeyError, AttributeError):
                continue
            kept.append(line)
        if len(kept) != len(lines):
            self._write_anew(kept)

    def append_new(self) -> None:
        lines = []
        for name, simulator in self.simulators.items():
            new = simulator.known() - self._written[name]
            lines += [
                json.dumps({"version": VERSION, "provider": name, "entry": simulator.remember(k)})
                for k in new
            ]
            self._written[name] |= new
        if not lines:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write("".join(f"{line}\n" for line in lines))
        except OSError:
            log.warning("demo simulator memory %s not written", self.path, exc_info=True)

    def _write_anew(self, lines: list[str]) -> None:
        # At a start only; a line another demo process appends meanwhile may be lost: the
        # demo then forgets one trial sale, as the simulator did before it had a memory.
        handle, partial = tempfile.mkstemp(dir=self.path.parent, prefix=".sandbox-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write("".join(f"{line}\n" for line in lines))
            os.replace(partial, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(partial)
            log.warning("demo simulator memory %s not written anew", self.path, exc_info=True)
