"""The TOML configuration file: every key typed, checked, and documented in the README."""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from pos_app.domain.countries import COUNTRIES, Country, country
from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money, currency_digits
from pos_app.platform import paths
from pos_app.platform.printer_config import ENV_VARIABLE, PrinterConfig, PrinterUrlError

ENVIRONMENTS = ("sandbox", "production")
LANGUAGES = {"en": "English", "fr": "Français"}


S = TypeVar("S", bound="ProviderSection")


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class ShopConfig:
    name: str = "My shop"
    country: str = "UG"
    locale: str = ""  # empty: the country's usual locale
    till: str = "Till 1"
    timezone: str = ""  # IANA name; empty: the computer's time zone
    quick_amounts: list[float] = field(default_factory=list)  # empty: by the currency
    language: str = ""  # en or fr; empty: the locale's language when shipped, else English
    sound: bool = True  # a short sound when a payment succeeds or fails
    # In the shop's currency; 0: the default for the currency (README, "Amount guard").
    largest_charge: float = 0.0  # above it a charge is refused
    confirm_above: float = 0.0  # above it the cashier confirms the amount a second time
    # Where numbers can move between networks: charge a number whatever its prefix says.
    allow_ported_numbers: bool = False

    @property
    def country_info(self) -> Country:
        return country(self.country)

    @property
    def effective_locale(self) -> str:
        return self.locale or self.country_info.locale

    @property
    def effective_language(self) -> str:
        if self.language:
            return self.language
        spoken = self.effective_locale.split("_", 1)[0]
        return spoken if spoken in LANGUAGES else "en"


@dataclass(frozen=True)
class ProviderSection:
    """The keys every provider's section has; a provider's spec subclasses it with its own
    (typed: each key's annotation is what the file must hold)."""

    # The environment variable that points the app at another server (e.g. a simulator).
    base_url_env: ClassVar[str] = ""

    enabled: bool = True
    environment: str = "sandbox"
    base_url: str = ""  # empty: the provider's URL for the environment
    currency: str = ""  # empty: the provider's currency for the environment
    callback_url: str = ""  # empty: none (the desktop polls)
    # A forward proxy for this provider's calls (http://user@host:port; its password in the
    # keyring): a provider that answers only allow-listed addresses is reached through a
    # machine with a fixed one. Empty: direct.
    proxy: str = ""
    request_timeout_seconds: float = 15.0
    first_poll_seconds: float = 2.0
    max_poll_interval_seconds: float = 15.0
    approval_timeout_seconds: float = 300.0

    def problems(self) -> Iterator[tuple[str, str]]:
        """(key, what is wrong) for the provider's own keys; the common ones are checked by
        the config reader."""
        return iter(())


@dataclass(frozen=True)
class HubConfig:
    """The owner's hub, as `pos-app link` set it: the till fetches callbacks from it."""

    url: str = ""  # empty: no hub (the till polls the providers alone)
    till_id: str = ""  # given by the hub when the till was linked


@dataclass(frozen=True)
class BackupConfig:
    folder: str = ""  # empty: "backups" beside the database
    keep: int = 14  # daily copies kept; older ones are deleted
    second_folder: str = ""  # a USB stick or network share: each backup is copied there too
    # The status bar warns when the data folder's disk has less free space than this.
    free_space_floor_mb: int = 200

    @property
    def effective_folder(self) -> Path:
        if not self.folder:
            return paths.data_dir() / "backups"
        folder = Path(self.folder).expanduser()
        return folder / paths.DEMO_FOLDER if paths.in_demo_world() else folder

    @property
    def effective_second_folder(self) -> Path | None:
        """None when no second folder is set; the demo's copies stay apart there too."""
        if not self.second_folder.strip():
            return None
        folder = Path(self.second_folder.strip()).expanduser()
        return folder / paths.DEMO_FOLDER if paths.in_demo_world() else folder

    @property
    def effective_folders(self) -> list[Path]:
        """Every folder a backup is written to: the first, then the second if set."""
        second = self.effective_second_folder
        return [self.effective_folder] if second is None else [self.effective_folder, second]


@dataclass(frozen=True)
class Config:
    shop: ShopConfig = field(default_factory=ShopConfig)
    backup: BackupConfig = field(default_factory=BackupConfig)
    hub: HubConfig = field(default_factory=HubConfig)
    printer: PrinterConfig = field(default_factory=PrinterConfig)
    # Each provider's section by its id, as read; a provider without one has its defaults.
    providers: Mapping[str, ProviderSection] = field(default_factory=dict)
    path: Path | None = None  # the file it came from, if any

    def section(self, provider: str, kind: type[S]) -> S:
        """`provider`'s section: as read, else `kind`'s defaults."""
        found = self.providers.get(provider)
        return found if isinstance(found, kind) else kind()

    def timezone(self) -> ZoneInfo | None:
        return ZoneInfo(self.shop.timezone) if self.shop.timezone else None

    def zone(self) -> tzinfo:
        """The shop's time zone: the configured one, else this computer's."""
        return self.timezone() or datetime.now().astimezone().tzinfo or UTC


Sections = Mapping[str, type[ProviderSection]]  # the installed providers' sections by id
_OWN_SECTIONS: dict[str, type[Any]] = {
    "shop": ShopConfig,
    "backup": BackupConfig,
    "hub": HubConfig,
    "printer": PrinterConfig,
}


def config_path(explicit: str | os.PathLike[str] | None = None) -> tuple[Path, bool]:
    """The file to read, and whether the user named it (then it must exist)."""
    if explicit:
        return Path(explicit), True
    if env := os.environ.get("POS_APP_CONFIG"):
        return Path(env), True
    return paths.default_config_path(), False


def load_config(explicit: str | os.PathLike[str] | None, sections: Sections) -> Config:
    path, named = config_path(explicit)
    if not path.exists():
        if named:
            raise ConfigError(f"{path}: config file not found")
        return apply_env(Config(), sections)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc})") from exc
    return apply_env(parse_config(data, path, sections), sections)


def parse_config(data: dict[str, Any], path: Path, sections: Sections) -> Config:
    known: dict[str, type[Any]] = {**_OWN_SECTIONS, **sections}
    own: dict[str, Any] = {}
    providers: dict[str, ProviderSection] = {}
    for name, value in data.items():
        cls = known.get(name)
        if cls is None:
            raise ConfigError(
                f"{path}: unknown section [{name}] (expected one of "
                f"{', '.join(f'[{s}]' for s in known)})"
            )
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: '{name}' must be a section ([{name}])")
        read = _section(cls, name, value, path)
        if name in sections:
            providers[name] = read
        else:
            own[name] = read
    config = Config(path=path, providers=providers, **own)
    _validate(config, path)
    for name, kind in sections.items():
        _validate_provider(name, config.section(name, kind), path)
    return config


def _section(cls: type[Any], name: str, values: dict[str, Any], path: Path) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"{path}: unknown key '{name}.{key}'")
        expected = hints[key]
        if not _is_type(value, expected):
            raise ConfigError(
                f"{path}: '{name}.{key}' must be {_describe(expected)}, not {value!r}"
            )
    return cls(**{k: _convert(v, hints[k]) for k, v in values.items()})


def _convert(value: Any, expected: Any) -> Any:
    if expected is float:
        return float(value)
    if typing.get_origin(expected) is list:
        return [_convert(v, typing.get_args(expected)[0]) for v in value]
    return value


def _is_type(value: Any, expected: Any) -> bool:
    if typing.get_origin(expected) is list:
        (item,) = typing.get_args(expected)
        return isinstance(value, list) and all(_is_type(v, item) for v in value)
    if expected is bool:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if expected is float:
        return isinstance(value, int | float)
    return isinstance(value, expected)


def _describe(expected: Any) -> str:
    names = {
        bool: "true or false",
        int: "a whole number",
        float: "a number",
        str: "a quoted string",
    }
    if typing.get_origin(expected) is list:
        return f"a list of {names[typing.get_args(expected)[0]].removeprefix('a ')}s"
    return names.get(expected, str(expected))


def _validate(config: Config, path: Path) -> None:
    def fail(key: str, message: str) -> typing.NoReturn:
        raise ConfigError(f"{path}: '{key}' {message}")

    shop = config.shop
    if shop.country.upper() not in COUNTRIES:
        fail("shop.country", f"must be one of {', '.join(sorted(COUNTRIES))}, not {shop.country!r}")
    if shop.locale:
        try:
            Locale.parse(shop.locale)
        except (ValueError, UnknownLocaleError):
            fail("shop.locale", f"is not a known locale: {shop.locale!r} (e.g. en_UG, fr_CI)")
    if config.backup.keep < 1:
        fail("backup.keep", f"must be at least 1, not {config.backup.keep}")
    if config.backup.free_space_floor_mb < 0:
        fail("backup.free_space_floor_mb", "must be zero (no warning) or more")
    if shop.language and shop.language not in LANGUAGES:
        fail("shop.language", f"must be one of {', '.join(LANGUAGES)}, not {shop.language!r}")
    for key in ("largest_charge", "confirm_above"):
        if getattr(shop, key) < 0:
            fail(f"shop.{key}", "must be zero (the default) or more")
        try:
            Money.from_decimal(Decimal(str(getattr(shop, key))), shop.country_info.currency)
        except ValidationError as exc:
            fail(f"shop.{key}", str(exc))
    if 0 < shop.largest_charge < shop.confirm_above:
        fail("shop.confirm_above", "must not be more than shop.largest_charge")
    if any(amount <= 0 for amount in shop.quick_amounts):
        fail("shop.quick_amounts", "must all be more than zero")
    for key, problem in config.printer.problems():
        fail(f"printer.{key}", problem)
    if config.hub.url and not is_http_url(config.hub.url):
        fail("hub.url", f"must be the hub's http(s):// address, not {config.hub.url!r}")
    if shop.timezone:
        try:
            ZoneInfo(shop.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            fail(
                "shop.timezone",
                f"is not a known time zone: {shop.timezone!r} (e.g. Africa/Kampala)",
            )


def _validate_provider(name: str, section: ProviderSection, path: Path) -> None:
    def fail(key: str, message: str) -> typing.NoReturn:
        raise ConfigError(f"{path}: '{name}.{key}' {message}")

    if section.environment not in ENVIRONMENTS:
        fail("environment", f"must be 'sandbox' or 'production', not {section.environment!r}")
    if section.base_url and not is_http_url(section.base_url):
        fail("base_url", f"must be an http(s) URL, not {section.base_url!r}")
    if section.currency:
        try:
            currency_digits(section.currency)
        except ValueError:
            fail("currency", f"is not an ISO 4217 currency: {section.currency!r}")
    for key in (
        "request_timeout_seconds",
        "first_poll_seconds",
        "max_poll_interval_seconds",
        "approval_timeout_seconds",
    ):
        if getattr(section, key) <= 0:
            fail(key, "must be more than zero")
    if section.callback_url and not is_http_url(section.callback_url, https_only=True):
        fail("callback_url", f"must be an https URL, not {section.callback_url!r}")
    if section.proxy:
        problem = proxy_problem(section.proxy)
        if problem:
            fail("proxy", problem)
    for key, message in section.problems():
        fail(key, message)


def proxy_problem(url: str) -> str | None:
    """What is wrong with a proxy URL (None: nothing); its password belongs in the keyring,
    and is never repeated in the message."""
    parts = urlsplit(url)
    if parts.password is not None or ":" in parts.netloc.rpartition("@")[0]:
        return "must not hold the password: keep it in the keyring (Settings)"
    if parts.scheme not in ("http", "https") or not parts.hostname or url != url.strip():
        return f"must be an http(s) URL such as http://till@proxy.example:8888, not {url!r}"
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return f"has a port that is not a number: {url!r}"
    if parts.path not in ("", "/") or parts.query:
        return f"must be only scheme, user, host and port, not {url!r}"
    return None


def is_http_url(url: str, *, https_only: bool = False) -> bool:
    parts = urlsplit(url)
    schemes = ("https",) if https_only else ("http", "https")
    return parts.scheme in schemes and bool(parts.hostname) and url == url.strip()


def apply_env(config: Config, sections: Sections) -> Config:
    """A provider section's `base_url_env` variable (e.g. <BRAND>_BASE_URL) points the app at
    another server, such as the simulator."""
    providers = dict(config.providers)
    changed = False
    for name, kind in sections.items():
        variable = kind.base_url_env
        url = os.environ.get(variable) if variable else None
        if url:
            if not is_http_url(url):
                raise ConfigError(
                    f"environment variable {variable} must be an http(s) URL, not {url!r}"
                )
            providers[name] = dataclasses.replace(config.section(name, kind), base_url=url)
            changed = True
    if changed:
        config = dataclasses.replace(config, providers=providers)
    return _printer_env(config)


def _printer_env(config: Config) -> Config:
    """POS_APP_PRINTER (a printer URL) stands in for [printer] url."""
    url = os.environ.get(ENV_VARIABLE)
    if url is None:
        return config
    try:
        printer = dataclasses.replace(config.printer, url=url)
        printer.target  # noqa: B018 - parses, or says why not
    except PrinterUrlError as exc:
        raise ConfigError(f"environment variable {ENV_VARIABLE}: {exc}") from exc
    return dataclasses.replace(config, printer=printer)
