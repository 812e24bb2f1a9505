"""The settings' Credentials page: a password field per secret of each installed provider;
what is typed goes to the keyring and nowhere else."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from pos_app.platform.credentials import SecretName, SecretStore
from pos_app.platform.secret import Secret
from pos_app.providers import registry
from pos_app.ui.settings_rows import translated


class SecretsPanel(QWidget):
    """Password fields per provider secret; what is typed goes to the keyring and nowhere else."""

    def __init__(self, store: SecretStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        layout = QVBoxLayout(self)
        status = store.status()
        self.usable = status.usable
        self.keyring_note = QLabel(status.message, self)
        self.keyring_note.setWordWrap(True)
        layout.addWidget(self.keyring_note)
        self.fields: dict[SecretName, QLineEdit] = {}
        for spec in registry.specs():
            if not spec.secrets:
                continue
            box = QGroupBox(spec.name, self)
            form = QFormLayout(box)
            for name in spec.secrets:
                field = QLineEdit(box)
                # Typed secrets are never shown, not even to a screenshot.
                field.setEchoMode(QLineEdit.EchoMode.Password)
                field.setEnabled(status.usable)
                self.fields[name] = field
                form.addRow(translated(name.label or name.value), field)
            layout.addWidget(box)
        layout.addStretch(1)
        self.refresh_placeholders()

    def typed(self, name: SecretName) -> Secret | None:
        text = self.fields[name].text().strip()
        return Secret(text) if text else None

    def refresh_placeholders(self) -> None:
        for name, field in self.fields.items():
            source = self._store.source(name)
            if source == "keyring":
                text = self.tr("stored in the keyring (type to replace)")
            elif source == "environment":
                text = self.tr("set by {0} (overrides the keyring)").format(name.env_var)
            else:
                text = self.tr("not set")
            field.setPlaceholderText(text)

    def save(self) -> list[str]:
        """Store what was typed; returns the labels of the secrets saved."""
        saved = []
        try:
            for name, field in self.fields.items():
                if field.text().strip():
                    self._store.set(name, field.text().strip())
                    saved.append(translated(name.label or name.value))
        finally:
            for field in self.fields.values():
                field.clear()  # secrets do not linger in widgets
            self.refresh_placeholders()
        return saved
