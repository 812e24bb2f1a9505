"""One window per till: a second start on the same data folder brings the first window to the
front and exits.

A QLockFile in the data folder says whether a window runs (Qt finds a lock left by a crashed
window stale by its process id, so a crash never leaves it stuck). The second start touches a
file beside it that the running window looks at twice a second: no QtNetwork (kept out of the
bundle) and nothing listening on a socket.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QTimer, Signal

LOCK_NAME = "window.lock"
WAKE_NAME = "window.wake"


class SingleWindow(QObject):
    """Held for the window's lifetime; `wake_up` fires when another start asks for it."""

    wake_up = Signal()

    def __init__(self, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        folder.mkdir(parents=True, exist_ok=True)
        self._wake = folder / WAKE_NAME
        self._lock = QLockFile(str(folder / LOCK_NAME))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone
        self._seen = self._stamp()
        self._timer = QTimer(self)
        self._timer.setInterval(500)
        self._timer.timeout.connect(self._look)

    def claim(self) -> bool:
        """True when this process is the till's window now; False when another one is (it
        has then been asked to come to the front)."""
        if not self._lock.tryLock(200):
            with contextlib.suppress(OSError):
                self._wake.write_text("front\n", encoding="utf-8")
            return False
        self._seen = self._stamp()
        self._timer.start()
        return True

    def release(self) -> None:
        self._timer.stop()
        self._lock.unlock()

    def _stamp(self) -> int:
        try:
            return self._wake.stat().st_mtime_ns
        except OSError:
            return 0

    def _look(self) -> None:
        stamp = self._stamp()
        if stamp != self._seen:
            self._seen = stamp
            self.wake_up.emit()
