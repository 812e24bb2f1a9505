"""The settings dialog: the shop, each provider's connection and the language, written to the
config file; provider secrets typed into password fields, kept in the system keyring only; a
connection test running the doctor's provider checks; MTN sandbox provisioning."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel import Locale, localedata
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pos_app.config import (
    ENVIRONMENTS,
    LANGUAGES,
    MPESA_TRANSACTION_TYPES,
    Config,
    ConfigError,
)
from pos_app.config_writer import preview_config, save_config
from pos_app.credentials import (
    MPESA_SECRETS,
    MTN_SECRETS,
    NoSecureKeyring,
    Secret,
    SecretName,
    SecretStore,
)
from pos_app.domain.amount_guard import AmountGuard
from pos_app.domain.countries import COUNTRIES, country
from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money
from pos_app.engine.setup import SetupProblem, build_till
from pos_app.providers.base import ProviderError
from pos_app.providers.mtn import environments
from pos_app.providers.mtn.provisioning import provision_into_keyring
from pos_app.ui.texts import country_name, error_text, shown

CONTEXT = "SettingsDialog"
AMOUNT_KEYS = ("largest_charge", "confirm_above")  # in the shop's currency; 0: the default


def translated(text: object) -> str:
    """A text marked with QT_TRANSLATE_NOOP, in the user's language."""
    return QCoreApplication.translate(CONTEXT, str(text))


SECRET_LABELS = {
    SecretName.MTN_SUBSCRIPTION_KEY: QT_TRANSLATE_NOOP(
        "SettingsDialog", "Collection subscription key"
    ),
    SecretName.MTN_API_USER: QT_TRANSLATE_NOOP("SettingsDialog", "API user"),
    SecretName.MTN_API_KEY: QT_TRANSLATE_NOOP("SettingsDialog", "API key"),
    SecretName.MTN_DISBURSEMENT_KEY: QT_TRANSLATE_NOOP(
        "SettingsDialog", "Disbursement subscription key (refunds)"
    ),
    SecretName.MPESA_CONSUMER_KEY: QT_TRANSLATE_NOOP("SettingsDialog", "Consumer key"),
    SecretName.MPESA_CONSUMER_SECRET: QT_TRANSLATE_NOOP("SettingsDialog", "Consumer secret"),
    SecretName.MPESA_PASSKEY: QT_TRANSLATE_NOOP("SettingsDialog", "Passkey"),
    SecretName.MPESA_INITIATOR_PASSWORD: QT_TRANSLATE_NOOP(
        "SettingsDialog", "Initiator password (refunds)"
    ),
}


@dataclass(frozen=True)
class Setting:
    section: str
    key: str
    label: object  # marked with QT_TRANSLATE_NOOP
    hint: object = ""
    choices: tuple[tuple[str, object], ...] = ()  # (value, label)


def _connection(section: str, use: object, url_hint: object) -> tuple[Setting, ...]:
    """What both providers have: on/off, environment and base URL."""
    return (
        Setting(section, "enabled", use),
        Setting(
            section,
            "environment",
            QT_TRANSLATE_NOOP("SettingsDialog", "Environment"),
            choices=tuple((name, name) for name in ENVIRONMENTS),
        ),
        Setting(section, "base_url", QT_TRANSLATE_NOOP("SettingsDialog", "Base URL"), url_hint),
    )


SETTINGS: dict[object, tuple[Setting, ...]] = {
    QT_TRANSLATE_NOOP("SettingsDialog", "Shop"): (
        Setting("shop", "name", QT_TRANSLATE_NOOP("SettingsDialog", "Shop name")),
        Setting("shop", "till", QT_TRANSLATE_NOOP("SettingsDialog", "Till name")),
        Setting(
            "shop",
            "country",
            QT_TRANSLATE_NOOP("SettingsDialog", "Country"),
            choices=tuple((code, c.name) for code, c in sorted(COUNTRIES.items())),
        ),
        Setting(
            "shop",
            "language",
            QT_TRANSLATE_NOOP("SettingsDialog", "Language"),
            choices=(("", QT_TRANSLATE_NOOP("SettingsDialog", "Automatic")), *LANGUAGES.items()),
        ),
        Setting("shop", "locale", QT_TRANSLATE_NOOP("SettingsDialog", "Number format")),
        Setting(
            "shop",
            "timezone",
            QT_TRANSLATE_NOOP("SettingsDialog", "Time zone"),
            QT_TRANSLATE_NOOP("SettingsDialog", "e.g. Africa/Abidjan; empty: this computer's"),
        ),
        Setting(
            "shop",
            "quick_amounts",
            QT_TRANSLATE_NOOP("SettingsDialog", "Quick amounts"),
            QT_TRANSLATE_NOOP("SettingsDialog", "e.g. 500, 1000, 5000"),
        ),
        Setting(
            "shop", "sound", QT_TRANSLATE_NOOP("SettingsDialog", "Sound on success and failure")
        ),
        Setting(
            "shop",
            "largest_charge",
            QT_TRANSLATE_NOOP("SettingsDialog", "Largest charge"),
            QT_TRANSLATE_NOOP("SettingsDialog", "A larger amount is refused at the till"),
        ),
        Setting(
            "shop",
            "confirm_above",
            QT_TRANSLATE_NOOP("SettingsDialog", "Confirm above"),
            QT_TRANSLATE_NOOP(
                "SettingsDialog", "A larger amount is shown in words and confirmed a second time"
            ),
        ),
        Setting(
            "shop",
            "allow_ported_numbers",
            QT_TRANSLATE_NOOP("SettingsDialog", "Allow ported numbers"),
            QT_TRANSLATE_NOOP(
                "SettingsDialog",
                "Where customers keep their number when they change network: charge a number "
                "whatever network its prefix belongs to (the till still says so)",
            ),
        ),
    ),
    "MTN MoMo": (
        *_connection(
            "mtn",
            QT_TRANSLATE_NOOP("SettingsDialog", "Use MTN MoMo"),
            QT_TRANSLATE_NOOP("SettingsDialog", "empty: MTN's URL for the environment"),
        ),
        Setting(
            "mtn",
            "target_environment",
            QT_TRANSLATE_NOOP("SettingsDialog", "Target environment"),
            QT_TRANSLATE_NOOP("SettingsDialog", "empty: by country"),
        ),
        Setting(
            "mtn",
            "currency",
            QT_TRANSLATE_NOOP("SettingsDialog", "Currency"),
            QT_TRANSLATE_NOOP("SettingsDialog", "empty: EUR in the sandbox, else the country's"),
        ),
    ),
    "M-Pesa": (
        *_connection(
            "mpesa",
            QT_TRANSLATE_NOOP("SettingsDialog", "Use M-Pesa"),
            QT_TRANSLATE_NOOP("SettingsDialog", "empty: Safaricom's URL for the environment"),
        ),
        Setting("mpesa", "currency", QT_TRANSLATE_NOOP("SettingsDialog", "Currency")),
        Setting(
            "mpesa",
            "shortcode",
            QT_TRANSLATE_NOOP("SettingsDialog", "Shortcode"),
            QT_TRANSLATE_NOOP("SettingsDialog", "PayBill number, or the till's store number"),
        ),
        Setting(
            "mpesa",
            "transaction_type",
            QT_TRANSLATE_NOOP("SettingsDialog", "Type"),
            choices=tuple(
                zip(
                    MPESA_TRANSACTION_TYPES,
                    (
                        QT_TRANSLATE_NOOP("SettingsDialog", "PayBill"),
                        QT_TRANSLATE_NOOP("SettingsDialog", "Buy Goods (till)"),
                    ),
                    strict=True,
                )
            ),
        ),
        Setting(
            "mpesa",
            "party_b",
            QT_TRANSLATE_NOOP("SettingsDialog", "Till number"),
            QT_TRANSLATE_NOOP("SettingsDialog", "Buy Goods only; empty: the shortcode"),
        ),
    ),
    QT_TRANSLATE_NOOP("SettingsDialog", "Backups"): (
        Setting(
            "backup",
            "folder",
            QT_TRANSLATE_NOOP("SettingsDialog", "Backup folder"),
            QT_TRANSLATE_NOOP("SettingsDialog", "empty: backups beside the database"),
        ),
        # A copy on the counter's own disk dies with that disk: the second one need not.
        Setting(
            "backup",
            "second_folder",
            QT_TRANSLATE_NOOP("SettingsDialog", "Second backup folder"),
            QT_TRANSLATE_NOOP(
                "SettingsDialog", "a USB stick or a network share; empty: no second copy"
            ),
        ),
    ),
}


EXAMPLE_AMOUNT = Decimal(1_500_000)


def number_formats(region: str, language: str) -> list[tuple[str, str]]:
    """(locale, "English (Uganda) — USh1,500,000"): the country's locales, then English and
    French, each with an example amount in the country's currency."""
    info = country(region)
    here = sorted(
        name
        for name in localedata.locale_identifiers()
        if name.endswith(f"_{info.region}") and name.count("_") == 1
    )
    names = dict.fromkeys([info.locale, *here, "en", "fr"])
    return [(name, number_format_label(name, info.currency, language)) for name in names]


def number_format_label(locale: str, currency: str, language: str) -> str:
    example = Money.from_decimal(EXAMPLE_AMOUNT, currency).format(locale)
    name = Locale.parse(locale).get_display_name(language) or locale
    return f"{name[:1].upper()}{name[1:]} — {example}"


def parse_amounts(text: str) -> list[float]:
    amounts = []
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        try:
            amounts.append(float(part.strip()))
        except ValueError:
            raise ValueError(part.strip()) from None
    return amounts


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
        for title, names in (
            ("MTN MoMo", (*MTN_SECRETS, SecretName.MTN_DISBURSEMENT_KEY)),
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
                form.addRow(translated(SECRET_LABELS[name]), field)
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
                    saved.append(translated(SECRET_LABELS[name]))
        finally:
            for field in self.fields.values():
                field.clear()  # secrets do not linger in widgets
            self.refresh_placeholders()
        return saved


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
        self._store = store or SecretStore()
        self._task: asyncio.Task[Any] | None = None
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        self.inputs: dict[Setting, QLineEdit | QComboBox | QCheckBox] = {}
        for title, settings in SETTINGS.items():
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
            if title == "MTN MoMo":
                self.provision_button = QPushButton(self.tr("Create sandbox credentials"), page)
                self.provision_button.setToolTip(
                    self.tr(
                        "Creates an MTN sandbox API user and key with the subscription key "
                        "and keeps them in the keyring"
                    )
                )
                self.provision_button.clicked.connect(self.provision)
                form.addRow(self.provision_button)
            self.tabs.addTab(page, translated(title))
        self.secrets = SecretsPanel(self._store, self.tabs)
        self.tabs.addTab(self.secrets, self.tr("Credentials"))
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
        environment = self.inputs[self.setting("mtn", "environment")]
        if isinstance(environment, QComboBox):
            environment.currentIndexChanged.connect(self._environment_changed)
        self._environment_changed()
        shop_country = self.inputs[self.setting("shop", "country")]
        if isinstance(shop_country, QComboBox):
            shop_country.currentIndexChanged.connect(self._country_changed)

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
        return next(
            (w for s, w in self.inputs.items() if (s.section, s.key) == ("shop", key)), None
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
        sandbox = self._value(self.setting("mtn", "environment")) == "sandbox"
        self.provision_button.setEnabled(sandbox and self.secrets.usable)

    def save(self) -> None:
        try:
            changes = self.changes()
            if changes:
                self._config = save_config(self._path, changes)
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
        super().done(result)

    def _preview(self) -> Config | None:
        try:
            return preview_config(self._path, self.changes())
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
        ok = self.tr("reachable, credentials accepted")
        for name, health in (await till.check_and_close()).items():
            lines.append(f"{name}: {ok if health.reachable else shown(health.message)}")
        self.outcome.setText("\n".join(lines) or self.tr("No provider is enabled"))

    def provision(self) -> None:
        config = self._preview()
        if config is None:
            return
        typed = self.secrets.typed(SecretName.MTN_SUBSCRIPTION_KEY)
        key = typed or self._store.get(SecretName.MTN_SUBSCRIPTION_KEY)
        if key is None:
            self.tabs.setCurrentWidget(self.secrets)
            self.secrets.fields[SecretName.MTN_SUBSCRIPTION_KEY].setFocus()
            self.outcome.setText(
                self.tr("Type the MTN Collection subscription key from momodeveloper.mtn.com first")
            )
            return
        self._run(self._provision(config, key, typed is not None), self.tr("Creating…"))

    async def _provision(self, config: Config, key: Secret, typed: bool) -> None:
        base_url = environments.resolve(config.mtn, config.shop.country).base_url
        try:
            user = await provision_into_keyring(self._store, base_url, key, remember_key=typed)
        except (ProviderError, NoSecureKeyring) as exc:
            self.outcome.setText(str(exc))
            return
        self.secrets.fields[SecretName.MTN_SUBSCRIPTION_KEY].clear()
        self.secrets.refresh_placeholders()
        self.outcome.setText(
            self.tr(
                "MTN sandbox API user {0} created on {1}; its API key is in the keyring"
            ).format(user.user_id, base_url)
        )
