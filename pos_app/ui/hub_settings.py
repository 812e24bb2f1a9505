"""The owner's hub in the settings: link this till with the one-time code from
`pos-app hub add-till`, and register the hub's URLs for customers' own payments to the shop's
number with the providers that send them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QWidget

from pos_app.domain.errors import message_of
from pos_app.link.client import HubError, HubRefused
from pos_app.link.enrol import NotLinked, enrol, linked_to
from pos_app.platform.config import Config
from pos_app.platform.credentials import SecretStore
from pos_app.providers import registry
from pos_app.providers.base import ProviderError
from pos_app.providers.spec import ProviderSpec


class HubPanel(QWidget):
    def __init__(
        self,
        config: Config,
        path: Path,
        store: SecretStore,
        config_now: Callable[[], Config | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("hubPanel")
        self._path, self._store, self._config_now = path, store, config_now
        self._task: asyncio.Task[Any] | None = None
        form = QFormLayout(self)
        self.state = QLabel(self)
        self.state.setWordWrap(True)
        form.addRow(self.state)
        self.url = QLineEdit(config.hub.url, self)
        self.url.setPlaceholderText("https://hub.example.com")
        form.addRow(self.tr("Hub address"), self.url)
        self.code = QLineEdit(self)
        self.code.setPlaceholderText("K7QM-2XWD-9RTH-BN4P")
        self.code.setToolTip(self.tr("The one-time code `pos-app hub add-till` printed"))
        form.addRow(self.tr("Enrolment code"), self.code)
        self.link_button = QPushButton(self.tr("Link this till"), self)
        self.link_button.clicked.connect(self.link)
        form.addRow(self.link_button)
        self.register_buttons: dict[str, QPushButton] = {}
        for spec in registry.specs():
            if spec.customer_payments is not None and spec.offered_in(config.shop.country):
                button = QPushButton(
                    self.tr("Send customers' own {0} payments to the hub").format(spec.name), self
                )
                button.clicked.connect(lambda _=False, s=spec: self.register(s))
                self.register_buttons[spec.id] = button
                form.addRow(button)
        self.outcome = QLabel(self)
        self.outcome.setObjectName("hubOutcome")
        self.outcome.setWordWrap(True)
        form.addRow(self.outcome)
        self._show_state(config)

    def _show_state(self, config: Config) -> None:
        url = linked_to(config, self._store)
        self.state.setText(
            self.tr("This till is linked to {0}.").format(url)
            if url
            else self.tr(
                "Not linked: the till asks the providers for each payment's outcome. The "
                "owner's hub brings receipt codes and customers' own payments."
            )
        )
        for button in self.register_buttons.values():
            button.setEnabled(url is not None)

    def _busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def _run(self, work: Coroutine[Any, Any, None], busy: str) -> None:
        self.outcome.setText(busy)
        self._task = asyncio.ensure_future(work)

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def link(self) -> None:
        if not self._busy():
            self._run(self._link(self.url.text(), self.code.text()), self.tr("Linking…"))

    async def _link(self, url: str, code: str) -> None:
        try:
            linked = await enrol(url, code, self._store, self._path)
        except HubRefused as exc:
            self.outcome.setText(self.tr("The hub refused the code: {0}").format(exc))
            return
        except (HubError, NotLinked) as exc:
            self.outcome.setText(str(exc))
            return
        self.code.clear()
        self.state.setText(self.tr("This till is linked to {0}.").format(url.strip()))
        self.outcome.setText(
            self.tr("Linked as till {0} of {1}. Restart pos-app to connect.").format(
                linked.till, linked.shop
            )
        )
        for button in self.register_buttons.values():
            button.setEnabled(True)

    def register(self, spec: ProviderSpec) -> None:
        config = None if self._busy() else self._config_now()
        if config is not None and spec.customer_payments is not None:
            work = spec.customer_payments(config, self._store)
            self._run(self._register(work), self.tr("Registering…"))

    async def _register(self, work: Awaitable[str]) -> None:
        try:
            number = await work
        except ProviderError as exc:
            self.outcome.setText(message_of(exc))
            return
        self.outcome.setText(
            self.tr("Customers' payments to {0} now reach the hub.").format(number)
        )
