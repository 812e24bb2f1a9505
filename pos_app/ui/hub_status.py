"""The hub link in the status bar: connected, reconnecting, refused, or not set up."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from pos_app.link.hub_link import HubLink, LinkState
from pos_app.link.outbox_sync import SyncState
from pos_app.ui import theme


class HubStatusLabel(QLabel):
    changed = Signal(object)  # LinkState, from the event loop (the GUI thread under qasync)

    def __init__(self, link: HubLink | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hubStatus")
        self.sync = link.sync if link is not None else None
        self.changed.connect(self._show)
        if link is not None:
            link.state_changed.append(self.changed.emit)
            if self.sync is not None:
                self.sync.changed.append(lambda: self.changed.emit(link.state))
            self._show(link.state)
        else:
            self._show(LinkState.NOT_SET_UP)

    def _show(self, state: LinkState) -> None:
        text, bad = self._link_text(state)
        sync = self.sync
        if sync is not None and sync.state is SyncState.REFUSED:
            text += " · " + self.tr("history refused by the hub — ask the owner")
            bad = True
        elif sync is not None and sync.behind:
            text += " · " + self.tr("%n not yet at the hub", "", sync.behind)
        self.setText(text)
        self.setStyleSheet(f"color:{theme.ERROR};" if bad else "")
        self.setToolTip(
            self.tr(
                "The owner's hub relays the providers' callbacks: payments end sooner and "
                "receipt codes arrive by themselves. Without it the till asks the providers. "
                "Every receipt is also sent to the hub, for the owner's view of the business."
            )
        )

    def _link_text(self, state: LinkState) -> tuple[str, bool]:
        texts = {
            LinkState.NOT_SET_UP: self.tr("Hub: not set up"),
            LinkState.CONNECTING: self.tr("Hub: connecting…"),
            LinkState.CONNECTED: self.tr("Hub: connected"),
            LinkState.RECONNECTING: self.tr("Hub: reconnecting… (asking the providers)"),
            LinkState.REFUSED: self.tr("Hub: this till's key is refused — ask the owner"),
        }
        return texts[state], state in (LinkState.RECONNECTING, LinkState.REFUSED)
