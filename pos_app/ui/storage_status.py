"""What the window says about the disk: a banner while receipts cannot be saved, and a warning
in the status bar before the disk runs out."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from pos_app.store import CannotWrite, DatabaseBusy, DiskFull, StorageFault
from pos_app.store.faults import writable
from pos_app.store.space import MB, free_bytes, nearly_full, size_text
from pos_app.ui import theme

CHECK_EVERY_MS = 60_000  # free space moves slowly; statvfs is cheap but may touch a share


def fault_words(fault: StorageFault) -> str:
    """The fault in a few words of the cashier's language, for a card or the banner."""
    if isinstance(fault, DiskFull):
        words = QT_TRANSLATE_NOOP("StorageBanner", "disk full")
    elif isinstance(fault, CannotWrite):
        words = QT_TRANSLATE_NOOP("StorageBanner", "the receipts folder cannot be written")
    elif isinstance(fault, DatabaseBusy):
        words = QT_TRANSLATE_NOOP("StorageBanner", "the database is held by another program")
    else:
        words = QT_TRANSLATE_NOOP("StorageBanner", "disk error")
    return QCoreApplication.translate("StorageBanner", str(words))


def lifted(fault: StorageFault, database: Path) -> bool:
    """Whether the fault is seen to be gone without writing (else the next write tells)."""
    if isinstance(fault, DiskFull):
        return not nearly_full(database.parent)
    if isinstance(fault, CannotWrite):
        return writable(database)
    return False


class StorageBanner(QLabel):
    """Shown while the till cannot save: no new charge is sent, and outcomes already heard
    wait in memory. The fault's whole message (where, what to do) is the second line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("storageBanner")
        self.setWordWrap(True)
        self.setStyleSheet(
            f"background:{theme.ERROR};color:white;font-weight:bold;font-size:15px;padding:8px;"
        )
        self.fault: StorageFault | None = None
        self.setVisible(False)

    def show_fault(self, fault: StorageFault, kept: int) -> None:
        self.fault = fault
        headline = self.tr("Receipts cannot be saved: {0}. No new charge is sent until they can.")
        lines = [headline.format(fault_words(fault))]
        if kept:
            lines.append(
                self.tr(
                    "{0} payment outcome(s) kept in memory: saved as soon as the disk takes "
                    "them. Do not close pos-app."
                ).format(kept)
            )
        lines.append(str(fault))
        self.setText("\n".join(lines))
        self.setVisible(True)

    def clear(self) -> None:
        self.fault = None
        self.setVisible(False)


class DiskSpaceLabel(QLabel):
    """A status bar warning when the data folder's disk has less than `floor_mb` free."""

    def __init__(self, folder: Path, floor_mb: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("diskSpace")
        self.setStyleSheet(f"color:{theme.ERROR};font-weight:bold;")
        self._folder = folder
        self._floor = floor_mb * MB
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(CHECK_EVERY_MS)
        self.check()

    def check(self) -> None:
        free = free_bytes(self._folder)
        low = free is not None and free < self._floor
        if low and free is not None:
            self.setText(self.tr("Low disk space: {0} free for receipts").format(size_text(free)))
            self.setToolTip(
                self.tr(
                    "The disk holding {0} has less than {1} free. Free some space before it "
                    "fills: with a full disk no charge can be sent."
                ).format(self._folder, size_text(self._floor))
            )
        self.setVisible(low)

    def stop(self) -> None:
        self._timer.stop()
