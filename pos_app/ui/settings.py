"""Provider secrets, typed into password fields and kept in the system keyring only, and a
connection test that runs the same checks as `pos-app doctor`."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.config import Config
from pos_app.credentials import (
    MPESA_SECRETS,
    MTN_SECRETS,
    NoSecureKeyring,
    SecretName,
    SecretStore,
)
from pos_app.engine.setup import SetupProblem, build_till

LABELS = {
    SecretName.MTN_SUBSCRIPTION_KEY: "Collection subscription key",
    SecretName.MTN_API_USER: "API user",
    SecretName.MTN_API_KEY: "API key",
    SecretName.MPESA_CONSUMER_KEY: "Consumer key",
    SecretName.MPESA_CONSUMER_SECRET: "Consumer secret",
    SecretName.MPESA_PASSKEY: "Passkey",
    SecretName.MPESA_INITIATOR_PASSWORD: "Initiator password (refunds)",
}


class SecretsDialog(QDialog):
    def __init__(
        self, config: Config, store: SecretStore | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Provider credentials"))
        self._config = config
        self._store = store or SecretStore()
        self._task: asyncio.Task[Any] | None = None
        layout = QVBoxLayout(self)
        status = self._store.status()
        self.keyring_note = QLabel(status.message, self)
        self.keyring_note.setWordWrap(True)
        layout.addWidget(self.keyring_note)
        self.fields: dict[SecretName, QLineEdit] = {}
        for title, names in (
            ("MTN MoMo", MTN_SECRETS),
            ("M-Pesa", (*MPESA_SECRETS, SecretName.MPESA_INITIATOR_PASSWORD)),
        ):
            box = QGroupBox(title, self)
            form = QFormLayout(box)
            for name in names:
                field = QLineEdit(box)
                # Typed secrets are never shown, not even to a screenshot.
                field.setEchoMode(QLineEdit.EchoMode.Password)
                field.setEnabled(status.usable)
                self.fields[name] = field
                form.addRow(self.tr(LABELS[name]), field)
            layout.addWidget(box)
        self.refresh_placeholders()
        self.outcome = QLabel(self)
        self.outcome.setObjectName("settingsResult")
        self.outcome.setWordWrap(True)
        layout.addWidget(self.outcome)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Save to keyring"), self)
        self.save_button.setEnabled(status.usable)
        self.save_button.clicked.connect(self.save)
        self.test_button = QPushButton(self.tr("Test connection"), self)
        self.test_button.clicked.connect(self.test_connection)
        buttons.addStretch(1)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)

    def refresh_placeholders(self) -> None:
        for name, field in self.fields.items():
            source = self._store.source(name)
            field.setPlaceholderText(
                {
                    "keyring": self.tr("stored in the keyring (type to replace)"),
                    "environment": self.tr("set by {0} (overrides the keyring)").format(
                        name.env_var
                    ),
                }.get(source or "", self.tr("not set"))
            )

    def save(self) -> None:
        saved = []
        try:
            for name, field in self.fields.items():
                if field.text().strip():
                    self._store.set(name, field.text())
                    saved.append(self.tr(LABELS[name]))
        except NoSecureKeyring as exc:
            self.outcome.setText(str(exc))
            return
        finally:
            for field in self.fields.values():
                field.clear()  # secrets do not linger in widgets
        self.refresh_placeholders()
        self.outcome.setText(
            self.tr("Saved: {0}").format(", ".join(saved)) if saved else self.tr("Nothing to save")
        )

    def test_connection(self) -> None:
        self.outcome.setText(self.tr("Testing…"))
        self._task = asyncio.ensure_future(self._test())

    async def _test(self) -> None:
        try:
            till = build_till(self._config, demo=False, secrets=self._store)
        except SetupProblem as exc:
            self.outcome.setText(str(exc))
            return
        lines = [f"{name}: {why}" for name, why in till.unavailable.items()]
        try:
            for name, provider in till.providers.items():
                health = await provider.check_health()
                lines.append(
                    f"{name}: "
                    + (
                        self.tr("reachable, credentials accepted")
                        if health.reachable
                        else health.message
                    )
                )
        finally:
            await till.aclose()
        self.outcome.setText("\n".join(lines) or self.tr("No provider is enabled"))
