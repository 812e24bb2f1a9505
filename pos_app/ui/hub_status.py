"""The hub link in the status bar: connected, reconnecting, refused, or not set up."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from pos_app.link.hub_link import HubLink, LinkState
from pos_app.ui import theme


class HubStatusLabel(QLabel):
    changed = Signal(object)  # LinkState, from the event loop (the GUI thread under qasync)

    def __init__(self, link: HubLink | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hubStatus")
        self.changed.connect(self._show)
        if link is not None:
            link.state_changed.append(self.changed.emit)
            self._show(link.state)
        else:
            self._show(LinkState.NOT_SET_UP)

    def _show(self, state: LinkState) -> None:
        texts = {
            LinkState.NOT_SET_UP: self.tr("Hub: not set up"),
            LinkState.CONNECTING: self.tr("Hub: connecting…"),
            LinkState.CONNECTED: self.tr("Hub: connected"),
            LinkState.RECONNECTING: self.tr("Hub: reconnecting… (asking the providers)"),
            LinkState.REFUSED: self.tr("Hub: this till's key is refused — ask the owner"),
        }
        self.setText(texts[state])
        bad = state in (LinkState.RECONNECTING, LinkState.REFUSED)
        self.setStyleSheet(f"color:{theme.ERROR};" if bad else "")
        self.setToolTip(
            self.tr(
                "The owner's hub relays the providers' callbacks: payments end sooner and "
                "receipt codes arrive by themselves. Without it the till asks the providers."
            )
        )
