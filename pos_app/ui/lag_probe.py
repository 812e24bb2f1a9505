"""Measures how late the Qt event loop runs a timer: the cashier feels any stall as a frozen
window. A 10 ms timer that fires 60 ms late means the loop was blocked for about 50 ms."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer


class LagProbe(QObject):
    def __init__(self, interval_ms: int = 10, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval = interval_ms / 1000
        self.lags: list[float] = []  # seconds late, one per tick
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.lags.clear()
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.lags.append(max(0.0, now - self._last - self.interval))
        self._last = now

    def worst(self) -> float:
        return max(self.lags, default=0.0)
