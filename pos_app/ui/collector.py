"""Python's garbage collection, on the window's thread only.

Automatic collection runs in whichever thread happens to allocate past the threshold: a
worker thread reading totals or taking a backup. If that collection frees a Qt object (a
widget from a closed dialog, say), its C++ destructor runs in the worker thread; Qt cannot
stop the object's timers from there, and the next time such a timer fires the app crashes
(seen in our UI tests: a segfault in QTimerInfoList::activateTimers). So automatic collection
is switched off and this collector runs the same generational collections from a timer on the
window's thread, with Python's own thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class MainThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(INTERVAL_MS)
        self._was_enabled = gc.isenabled()
        gc.disable()

    def check(self) -> None:
        first, second, third = gc.get_count()
        if first <= self._thresholds[0]:
            return
        generation = 0
        if second > self._thresholds[1]:
            generation = 2 if third > self._thresholds[2] else 1
        gc.collect(generation)

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
