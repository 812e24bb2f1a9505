from __future__ import annotations

from pathlib import Path

import pytest

from pos_app.platform import config_writer
from pos_app.platform.config import Config, ConfigError, load_config
from pos_app.platform.config_writer import Changes
from pos_app.providers import registry
from pos_app.providers.mpesa.settings import MpesaConfig
from pos_app.providers.mtn.settings import MtnConfig


def save_config(path: Path, changes: Changes) -> Config:
    return config_writer.save_config(path, changes, registry.config_sections())


def preview_config(path: Path, changes: Changes) -> Config:
    return config_writer.preview_config(path, changes, registry.config_sections())


def test_a_new_file_is_created_with_only_the_changes(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    config = save_config(path, {"shop": {"name": "Kiosk", "quick_amounts": [100, 200]}})
    assert config.shop.name == "Kiosk"
    assert load_config(path, registry.config_sections()).shop.quick_amounts == [100.0, 200.0]
    assert "[mtn]" not in path.read_text(encoding="utf-8")


def test_comments_and_other_keys_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# owner notes\n[mpesa]\nenabled = false # not yet\n", encoding="utf-8")
    save_config(path, {"mpesa": {"shortcode": "600100"}, "mtn": {}})
    text = path.read_text(encoding="utf-8")
    assert "# owner notes" in text and "# not yet" in text
    mpesa = load_config(path, registry.config_sections()).section("mpesa", MpesaConfig)
    assert mpesa.shortcode == "600100" and mpesa.enabled is False


@pytest.mark.parametrize(
    "changes",
    [
        {"shop": {"country": "FR"}},
        {"shop": {"sound": "yes"}},
        {"mpesa": {"nonsense": 1}},
        {"mtn": {"environment": "live"}},
    ],
)
def test_a_change_that_would_not_load_is_refused_and_nothing_written(
    tmp_path: Path, changes: dict[str, dict[str, object]]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[shop]\nname = "Kiosk"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=str(path)):
        save_config(path, changes)
    assert path.read_text(encoding="utf-8") == '[shop]\nname = "Kiosk"\n'
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no temporary left


def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[shop\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read"):
        save_config(path, {"shop": {"name": "x"}})


def test_preview_writes_nothing_and_applies_environment_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MTN_MOMO_BASE_URL", "http://127.0.0.1:9")
    path = tmp_path / "config.toml"
    config = preview_config(path, {"shop": {"till": "Back"}})
    assert config.shop.till == "Back"
    assert config.section("mtn", MtnConfig).base_url == "http://127.0.0.1:9"
    assert not path.exists()


def test_language_follows_the_locale_unless_chosen() -> None:
    from pos_app.platform.config import ShopConfig

    assert ShopConfig(country="CI").effective_language == "fr"
    assert ShopConfig(country="KE").effective_language == "en"
    assert ShopConfig(country="GW").effective_language == "en"  # Portuguese not shipped
    assert ShopConfig(country="CI", language="en").effective_language == "en"
