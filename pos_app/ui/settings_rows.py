"""What the settings dialog shows: the shop's and the backups' rows, one group per installed
provider (its spec's rows), and the number formats a shop can choose from."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from babel import Locale, localedata
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from pos_app.domain.countries import COUNTRIES, country
from pos_app.domain.money import Money
from pos_app.platform.config import LANGUAGES, ProviderSection
from pos_app.providers import registry

CONTEXT = "SettingsDialog"  # also the providers' rows and secrets' labels (update.py)
AMOUNT_KEYS = ("largest_charge", "confirm_above")  # in the shop's currency; 0: the default
EXAMPLE_AMOUNT = Decimal(1_500_000)


def translated(text: object) -> str:
    """A text of the settings (marked with QT_TRANSLATE_NOOP, or a provider's), in the
    user's language."""
    return QCoreApplication.translate(CONTEXT, str(text))


@dataclass(frozen=True)
class Setting:
    section: str
    key: str
    label: object  # marked with QT_TRANSLATE_NOOP, or a provider's English label
    hint: object = ""
    choices: tuple[tuple[str, object], ...] = ()  # (value, label)
    kind: type[ProviderSection] | None = None  # a provider's section: its class


SHOP: tuple[Setting, ...] = (
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
    Setting("shop", "sound", QT_TRANSLATE_NOOP("SettingsDialog", "Sound on success and failure")),
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
)

BACKUPS: tuple[Setting, ...] = (
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
)


def setting_groups() -> list[tuple[object, tuple[Setting, ...]]]:
    """(title, rows) per page: the shop, each installed provider, the backups."""
    providers = [
        (
            spec.name,
            tuple(
                Setting(spec.id, row.key, row.label, row.hint, row.choices, spec.config)
                for row in spec.settings
            ),
        )
        for spec in registry.specs()
    ]
    return [
        (QT_TRANSLATE_NOOP("SettingsDialog", "Shop"), SHOP),
        *providers,
        (QT_TRANSLATE_NOOP("SettingsDialog", "Backups"), BACKUPS),
    ]


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
