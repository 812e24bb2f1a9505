from __future__ import annotations

from pathlib import Path

import pytest

from pos_app.platform import config as config_module
from pos_app.platform.config import Config, ConfigError
from pos_app.providers import registry
from pos_app.providers.mpesa.settings import MpesaConfig
from pos_app.providers.mtn.settings import MtnConfig

FULL = """
[shop]
name = "Mama Rose Groceries"
country = "KE"
locale = "en_KE"
till = "Counter 2"
timezone = "Africa/Nairobi"

[mtn]
enabled = false
environment = "production"
currency = "UGX"
request_timeout_seconds = 10
first_poll_seconds = 1.5

[mpesa]
enabled = true
environment = "sandbox"
base_url = "http://127.0.0.1:8080"
shortcode = "174379"
transaction_type = "CustomerBuyGoodsOnline"
party_b = "600000"
callback_url = "https://example.com/pos/callback"
approval_timeout_seconds = 90
"""


def load_config(path: Path | None = None) -> Config:
    """The app's reader, with the installed providers' sections."""
    return config_module.load_config(path, registry.config_sections())


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_file_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL))
    assert config.shop.name == "Mama Rose Groceries"
    assert config.shop.country_info.currency == "KES"
    assert config.shop.effective_locale == "en_KE"
    mtn = config.section("mtn", MtnConfig)
    mpesa = config.section("mpesa", MpesaConfig)
    assert mtn.enabled is False
    assert mtn.request_timeout_seconds == 10.0
    assert isinstance(mtn.request_timeout_seconds, float)
    assert mpesa.transaction_type == "CustomerBuyGoodsOnline"
    assert mpesa.party_b == "600000"
    assert str(config.timezone()) == "Africa/Nairobi"


def test_missing_default_file_gives_defaults() -> None:
    config = load_config()
    assert config == Config()
    assert config.shop.effective_locale == "en_UG"
    assert config.timezone() is None


def test_file_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_APP_CONFIG", str(write(tmp_path, '[shop]\nname = "From env"\n')))
    assert load_config().shop.name == "From env"


def test_named_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_base_url_overrides_from_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MTN_MOMO_BASE_URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("MPESA_BASE_URL", "http://127.0.0.1:9001")
    config = load_config(write(tmp_path, FULL))
    assert config.section("mtn", MtnConfig).base_url == "http://127.0.0.1:9000"
    assert config.section("mpesa", MpesaConfig).base_url == "http://127.0.0.1:9001"
    monkeypatch.setenv("MPESA_BASE_URL", "ftp://nope")
    with pytest.raises(ConfigError, match="MPESA_BASE_URL"):
        load_config(write(tmp_path, FULL))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[shop\nname = 1", "not valid TOML"),
        ("[till]\nname = 'x'", r"unknown section \[till\]"),
        ("shop = 'x'", "'shop' must be a section"),
        ("[shop]\ncolour = 'red'", "unknown key 'shop.colour'"),
        ("[mtn]\napi_key = 'secret'", "unknown key 'mtn.api_key'"),
        ("[shop]\nname = 12", "'shop.name' must be a quoted string, not 12"),
        ("[mtn]\nenabled = 'yes'", "'mtn.enabled' must be true or false, not 'yes'"),
        ("[mtn]\nrequest_timeout_seconds = '15'", "'mtn.request_timeout_seconds' must be a number"),
        ("[mtn]\nrequest_timeout_seconds = true", "'mtn.request_timeout_seconds' must be a number"),
        (
            "[mtn]\nrequest_timeout_seconds = 0",
            "'mtn.request_timeout_seconds' must be more than zero",
        ),
        ("[mpesa]\napproval_timeout_seconds = -5", "'mpesa.approval_timeout_seconds' must be more"),
        ("[shop]\ncountry = 'US'", "'shop.country' must be one of"),
        ("[shop]\nlocale = 'xx_YY'", "'shop.locale' is not a known locale"),
        ("[shop]\ntimezone = 'Mars/Olympus'", "'shop.timezone' is not a known time zone"),
        ("[mtn]\nenvironment = 'live'", "'mtn.environment' must be 'sandbox' or 'production'"),
        ("[mtn]\nbase_url = 'sandbox.momodeveloper.mtn.com'", "'mtn.base_url' must be an http"),
        ("[mtn]\ncurrency = 'EURO'", "'mtn.currency' is not an ISO 4217 currency"),
        ("[mpesa]\ntransaction_type = 'PayBill'", "'mpesa.transaction_type' must be one of"),
        ("[mpesa]\nshortcode = '17 43 79'", "'mpesa.shortcode' must be digits only"),
        (
            "[mpesa]\ncallback_url = 'http://example.com/cb'",
            "'mpesa.callback_url' must be an https URL",
        ),
        ("[airtel]\nproxy = 'proxy.example:8888'", "'airtel.proxy' must be an http"),
        ("[airtel]\nproxy = 'http://till@proxy.example:port'", "port that is not a number"),
        ("[mtn]\nproxy = 'http://till@proxy.example:8888/x'", "only scheme, user, host"),
        ("[airtel]\nmessage_signing = 'yes'", "'airtel.message_signing' must be one of"),
        ("[airtel]\ncountry = 'UG'", "unknown key 'airtel.country'"),
    ],
)
def test_errors_name_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_a_proxy_password_in_the_file_is_refused_and_never_repeated(tmp_path: Path) -> None:
    for url in ("http://till:s3cret-word@proxy.example:8888", "socks5://till:s3cret-word@h"):
        path = write(tmp_path, f"[airtel]\nproxy = '{url}'\n")
        with pytest.raises(ConfigError, match="keep it in the keyring") as info:
            load_config(path)
        assert "s3cret-word" not in str(info.value)


def test_unreadable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xff\xfe[shop]")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(path)


def test_quick_amounts_are_a_list_of_numbers(tmp_path: Path) -> None:
    assert load_config(
        write(tmp_path, "[shop]\nquick_amounts = [500, 1000, 2500.5]\n")
    ).shop.quick_amounts == [500.0, 1000.0, 2500.5]
    with pytest.raises(ConfigError, match=r"'shop\.quick_amounts' must be a list of numbers"):
        load_config(write(tmp_path, "[shop]\nquick_amounts = [500, 'lots']\n"))
    with pytest.raises(ConfigError, match=r"'shop\.quick_amounts' must be a list of numbers"):
        load_config(write(tmp_path, "[shop]\nquick_amounts = 500\n"))
    with pytest.raises(ConfigError, match="more than zero"):
        load_config(write(tmp_path, "[shop]\nquick_amounts = [0]\n"))


def test_language_and_sound(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[shop]\nlanguage = "fr"\nsound = false\n'))
    assert config.shop.language == "fr" and config.shop.sound is False
    with pytest.raises(ConfigError, match=r"'shop\.language' must be one of en, fr, not 'de'"):
        load_config(write(tmp_path, '[shop]\nlanguage = "de"\n'))
