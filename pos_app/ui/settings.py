"""The settings dialog: the shop, each installed provider's connection and the language,
written to the config file; provider secrets typed into password fields, kept in the system
keyring only; a connection test running the doctor's provider checks; sandbox credentials made
for a provider whose sandbox makes them."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pos_app.app.till import SetupProblem, build_till, secret_store
from pos_app.domain.amount_guard import AmountGuard
from pos_app.domain.countries import country
from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money
from pos_app.platform.config import Config, ConfigError, ProviderSection
from pos_app.platform.config_writer import preview_config, save_config
from pos_app.platform.credentials import NoSecureKeyring, SecretStore
from pos_app.platform.secret import Secret
from pos_app.providers import registry
from pos_app.providers.base import ProviderError
from pos_app.providers.spec import Provisioning
from pos_app.ui.hub_settings import HubPanel
from pos_app.ui.secrets_panel import SecretsPanel
from pos_app.ui.settings_rows import (
    AMOUNT_KEYS,
    Setting,
    number_format_label,
    number_formats,
    parse_amounts,
    setting_groups,
    translated,
)
from pos_app.ui.texts import country_name, error_text, shown


class SettingsDialog(QDialog):
    saved = Signal(object)  # the new Config

    def __init__(
        self,
        config: Config,
        path: Path,
        store: SecretStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self._config = config
        self._path = path
        self._store = store or secret_store()
        self._task: asyncio.Task[Any] | None = None
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        self.inputs: dict[Setting, QLineEdit | QComboBox | QCheckBox] = {}
        # A provider's "Create sandbox credentials", where its sandbox makes them.
        self.provision_buttons: dict[str, QPushButton] = {}
        for title, settings in setting_groups():
            page = self._page(settings)
            provider = settings[0].section if settings and settings[0].kind else None
            spec = registry.spec(provider) if provider else None
            if spec is not None and spec.provisioning is not None:
                self.provision_buttons[spec.id] = self._provision_button(spec.id, page)
            self.tabs.addTab(page, translated(title))
        self.secrets = SecretsPanel(self._store, self.tabs)
        self.tabs.addTab(self.secrets, self.tr("Credentials"))
        self.hub = HubPanel(config, path, self._store, self._preview, self.tabs)
        self.tabs.addTab(self.hub, self.tr("Hub"))
        layout.addWidget(self.tabs, 1)
        self.outcome = QLabel(self)
        self.outcome.setObjectName("settingsResult")
        self.outcome.setWordWrap(True)
        layout.addWidget(self.outcome)
        buttons = QHBoxLayout()
        self.test_button = QPushButton(self.tr("Test connection"), self)
        self.test_button.setToolTip(self.tr("Runs the doctor's checks against each provider"))
        self.test_button.clicked.connect(self.test_connection)
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        close = QPushButton(self.tr("Close"), self)
        close.clicked.connect(self.reject)
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        for provider in self.provision_buttons:
            environment = self._find(provider, "environment")
            if isinstance(environment, QComboBox):
                environment.currentIndexChanged.connect(self._environment_changed)
        self._environment_changed()
        shop_country = self.inputs[self.setting("shop", "country")]
        if isinstance(shop_country, QComboBox):
            shop_country.currentIndexChanged.connect(self._country_changed)

    def _page(self, settings: tuple[Setting, ...]) -> QWidget:
        """One tab: a form with a row per setting."""
        page = QWidget(self.tabs)
        form = QFormLayout(page)
        for setting in settings:
            widget = self._input(setting, page)
            self.inputs[setting] = widget
            if isinstance(widget, QCheckBox):
                form.addRow(widget)
                if setting.hint:  # what the choice means
                    note = QLabel(translated(setting.hint), page)
                    note.setWordWrap(True)
                    note.setIndent(24)
                    form.addRow(note)
            else:
                form.addRow(translated(setting.label), widget)
                if isinstance(widget, QLineEdit) and setting.key in AMOUNT_KEYS:
                    widget.setToolTip(translated(setting.hint))
        return page

    def _provision_button(self, provider: str, page: QWidget) -> QPushButton:
        button = QPushButton(self.tr("Create sandbox credentials"), page)
        button.setToolTip(
            self.tr(
                "Creates {0} sandbox credentials with the key typed under Credentials and "
                "keeps them in the keyring"
            ).format(registry.name(provider))
        )
        button.clicked.connect(lambda: self.provision(provider))
        form = page.layout()
        if isinstance(form, QFormLayout):
            form.addRow(button)
        return button

    def _country_changed(self) -> None:
        """The number formats, the example amounts and the limits' defaults follow the
        country."""
        locale = self.inputs[self.setting("shop", "locale")]
        if isinstance(locale, QComboBox):
            self._fill_number_formats(locale, locale.currentData())
        for key in AMOUNT_KEYS:
            field = self.inputs[self.setting("shop", key)]
            if isinstance(field, QLineEdit):
                field.setPlaceholderText(self._default_limit(key))

    def _chosen_country(self) -> str:
        widget = self._shop_input("country")
        if isinstance(widget, QComboBox) and widget.currentData():
            return str(widget.currentData())
        return self._config.shop.country

    def _fill_number_formats(self, combo: QComboBox, current: str) -> None:
        region = self._chosen_country()
        language = self._config.shop.effective_language
        currency = country(region).currency
        combo.blockSignals(True)
        combo.clear()
        automatic = number_format_label(country(region).locale, currency, language)
        combo.addItem(self.tr("The country's: {0}").format(automatic), "")
        for name, label in number_formats(region, language):
            combo.addItem(label, name)
        if current and combo.findData(current) < 0:  # set by hand in the file: kept
            try:
                combo.addItem(number_format_label(current, currency, language), current)
            except (ValueError, ValidationError):
                combo.addItem(current, current)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)

    def _default_limit(self, key: str) -> str:
        """The limit when the field is left empty, in the shop's currency."""
        region = self._chosen_country()
        currency = country(region).currency
        largest = self._typed_largest()
        guard = AmountGuard.for_currency(currency, largest if key == "confirm_above" else None)
        amount = guard.largest if key == "largest_charge" else guard.confirm_above
        return self.tr("default: {0}").format(amount.format(self._config.shop.effective_locale))

    def _shop_input(self, key: str) -> QLineEdit | QComboBox | QCheckBox | None:
        """The shop setting's input, when it is made already (None while the form is built)."""
        return self._find("shop", key)

    def _find(self, section: str, key: str) -> QLineEdit | QComboBox | QCheckBox | None:
        return next(
            (w for s, w in self.inputs.items() if (s.section, s.key) == (section, key)), None
        )

    def _typed_largest(self) -> Decimal | None:
        """The largest charge as typed (None: the default, or not an amount yet)."""
        field = self._shop_input("largest_charge")
        if not isinstance(field, QLineEdit):
            return None
        try:
            value = self._amount(self.setting("shop", "largest_charge"), field.text())
        except ConfigError:
            return None
        return Decimal(str(value)) if value else None

    def setting(self, section: str, key: str) -> Setting:
        return next(s for s in self.inputs if (s.section, s.key) == (section, key))

    def _current(self, setting: Setting) -> Any:
        if setting.kind is not None:  # a provider's: its defaults when the file has none
            return getattr(self._config.section(setting.section, setting.kind), setting.key)
        return getattr(getattr(self._config, setting.section), setting.key)

    def _input(self, setting: Setting, parent: QWidget) -> QLineEdit | QComboBox | QCheckBox:
        value = self._current(setting)
        if isinstance(value, bool):
            box = QCheckBox(translated(setting.label), parent)
            box.setChecked(value)
            return box
        if setting.key == "locale":
            formats = QComboBox(parent)
            self._fill_number_formats(formats, str(value))
            return formats
        if setting.choices:
            combo = QComboBox(parent)
            language = self._config.shop.effective_language
            for data, label in setting.choices:
                if setting.key == "country":
                    combo.addItem(country_name(str(data), language), data)
                else:
                    combo.addItem(translated(label), data)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            return combo
        field = QLineEdit(parent)
        if setting.key in AMOUNT_KEYS:  # empty (zero in the file): the default, shown
            field.setPlaceholderText(self._default_limit(setting.key))
            field.setText(f"{value:f}".rstrip("0").rstrip(".") if value else "")
            return field
        field.setPlaceholderText(translated(setting.hint))
        field.setText(", ".join(f"{a:g}" for a in value) if isinstance(value, list) else value)
        return field

    def _value(self, setting: Setting) -> Any:
        widget = self.inputs[setting]
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if setting.key in AMOUNT_KEYS:
            return self._amount(setting, widget.text())
        if isinstance(self._current(setting), list):
            try:
                return [int(a) if a.is_integer() else a for a in parse_amounts(widget.text())]
            except ValueError as exc:
                raise ConfigError(
                    self.tr("Quick amounts: {0} is not a number").format(exc)
                ) from None
        return widget.text().strip()

    def _amount(self, setting: Setting, text: str) -> float:
        """An amount in the shop's currency, as typed in its number format; empty: 0, the
        default."""
        if not text.strip():
            return 0.0
        try:
            money = Money.parse(
                text, country(self._chosen_country()).currency, self._config.shop.effective_locale
            )
        except ValidationError as exc:
            raise ConfigError(f"{translated(setting.label)}: {error_text(exc)}") from None
        return float(money.amount)

    def changes(self) -> dict[str, dict[str, Any]]:
        """What the owner changed, by config section; raises ConfigError for unreadable input."""
        changed: dict[str, dict[str, Any]] = {}
        for setting in self.inputs:
            value = self._value(setting)
            if value != self._current(setting):
                changed.setdefault(setting.section, {})[setting.key] = value
        return changed

    def _environment_changed(self) -> None:
        """Sandbox credentials are made in a provider's sandbox only."""
        for provider, button in self.provision_buttons.items():
            environment = self._find(provider, "environment")
            chosen = (
                environment.currentData()
                if isinstance(environment, QComboBox)
                else self._config.section(provider, self._kind(provider)).environment
            )
            button.setEnabled(chosen == "sandbox" and self.secrets.usable)

    @staticmethod
    def _kind(provider: str) -> type[ProviderSection]:
        spec = registry.spec(provider)
        return spec.config if spec is not None else ProviderSection

    def save(self) -> None:
        try:
            changes = self.changes()
            if changes:
                self._config = save_config(self._path, changes, registry.config_sections())
        except ConfigError as exc:
            self.outcome.setText(str(exc))  # nothing was written, the fields keep their text
            return
        try:
            secrets = self.secrets.save()
        except NoSecureKeyring as exc:
            self.outcome.setText(str(exc))
            return
        if not changes and not secrets:
            self.outcome.setText(self.tr("Nothing changed"))
            return
        lines = []
        if changes:
            lines.append(
                self.tr("Settings saved to {0}; they take effect when pos-app next starts.").format(
                    self._path
                )
            )
        if secrets:
            lines.append(self.tr("Saved to the keyring: {0}").format(", ".join(secrets)))
        self.outcome.setText("\n".join(lines))
        self.saved.emit(self._config)

    def _run(self, work: Coroutine[Any, Any, None], busy: str) -> None:
        if self._task is not None and not self._task.done():
            return
        self.outcome.setText(busy)
        self._task = asyncio.ensure_future(work)

    def done(self, result: int) -> None:
        # The dialog's labels go with it: work still running must not write to them.
        if self._task is not None:
            self._task.cancel()
        self.hub.cancel()
        super().done(result)

    def _preview(self) -> Config | None:
        try:
            return preview_config(self._path, self.changes(), registry.config_sections())
        except ConfigError as exc:
            self.outcome.setText(str(exc))
            return None

    def test_connection(self) -> None:
        config = self._preview()
        if config is not None:
            self._run(self._test(config), self.tr("Testing…"))

    async def _test(self, config: Config) -> None:
        try:
            till = build_till(config, demo=False, secrets=self._store)
        except SetupProblem as exc:
            self.outcome.setText(error_text(exc))
            return
        lines = [f"{name}: {shown(why)}" for name, why in till.unavailable.items()]
        lines += [f"{name}: {shown(n)}" for name, notices in till.notices.items() for n in notices]
        ok = self.tr("reachable, credentials accepted")
        for name, health in (await till.check_and_close()).items():
            lines.append(f"{name}: {ok if health.reachable else shown(health.message)}")
        self.outcome.setText("\n".join(lines) or self.tr("No provider is enabled"))

    def provision(self, provider: str) -> None:
        spec = registry.spec(provider)
        making = spec.provisioning if spec is not None else None
        config = self._preview() if making is not None else None
        if making is None or config is None:
            return
        typed = self.secrets.typed(making.key)
        key = typed or self._store.get(making.key)
        if key is None:
            self.tabs.setCurrentWidget(self.secrets)
            self.secrets.fields[making.key].setFocus()
            self.outcome.setText(shown(making.ask_for_key))
            return
        self._run(self._provision(making, config, key, typed is not None), self.tr("Creating…"))

    async def _provision(
        self, making: Provisioning, config: Config, key: Secret, typed: bool
    ) -> None:
        try:
            done = await making.run(self._store, config, key, typed)
        except (ProviderError, NoSecureKeyring) as exc:
            self.outcome.setText(str(exc))
            return
        self.secrets.fields[making.key].clear()
        self.secrets.refresh_placeholders()
        self.outcome.setText(shown(done))
