from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLineEdit
from pytestqt.qtbot import QtBot

from pos_app.platform.config import Config, load_config
from pos_app.platform.credentials import SERVICE, SecretStore
from pos_app.providers import registry
from pos_app.providers.mpesa import secrets as mpesa_secrets
from pos_app.providers.mpesa.settings import MpesaConfig
from pos_app.providers.mtn import secrets as mtn_secrets
from pos_app.sandbox import demo
from pos_app.sandbox.app import create_app
from pos_app.sandbox.server import ThreadedServer
from pos_app.ui.settings import SettingsDialog
from tests.conftest import MemoryKeyring

OWNER_FILE = """# Mama Rose's till: keep this comment
[shop]
name = "Mama Rose"
country = "CI"
"""


@pytest.fixture
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(create_app()) as running:
        yield running


def dialog_for(qtbot: QtBot, path: Path, store: SecretStore | None = None) -> SettingsDialog:
    config = load_config(path, registry.config_sections()) if path.exists() else Config()
    dialog = SettingsDialog(config, path, store or SecretStore(environ={}))
    qtbot.addWidget(dialog)
    return dialog


def finish(
    loop: asyncio.AbstractEventLoop, dialog: SettingsDialog, start: Callable[[], None]
) -> None:
    """Start the dialog's network work and wait until it has shown its outcome."""
    start()
    assert dialog._task is not None
    loop.run_until_complete(dialog._task)


def field(dialog: SettingsDialog, section: str, key: str) -> QLineEdit:
    widget = dialog.inputs[dialog.setting(section, key)]
    assert isinstance(widget, QLineEdit)
    return widget


def combo(dialog: SettingsDialog, section: str, key: str) -> QComboBox:
    widget = dialog.inputs[dialog.setting(section, key)]
    assert isinstance(widget, QComboBox)
    return widget


def test_settings_are_written_to_the_config_file_keeping_its_comments(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(OWNER_FILE, encoding="utf-8")
    dialog = dialog_for(qtbot, path)
    assert field(dialog, "shop", "name").text() == "Mama Rose"
    assert combo(dialog, "shop", "country").currentData() == "CI"
    field(dialog, "shop", "till").setText("Counter 2")
    field(dialog, "shop", "quick_amounts").setText("500, 1000; 2500.5")
    language = combo(dialog, "shop", "language")
    language.setCurrentIndex(language.findData("fr"))
    kind = combo(dialog, "mpesa", "transaction_type")
    kind.setCurrentIndex(kind.findData("CustomerBuyGoodsOnline"))
    field(dialog, "mpesa", "party_b").setText("600100")
    sound = dialog.inputs[dialog.setting("shop", "sound")]
    assert isinstance(sound, QCheckBox)
    sound.setChecked(False)
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "next starts" in dialog.outcome.text()
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Mama Rose's till: keep this comment")
    config = load_config(path, registry.config_sections())
    assert config.shop.name == "Mama Rose"
    assert config.shop.till == "Counter 2"
    assert config.shop.quick_amounts == [500.0, 1000.0, 2500.5]
    assert config.shop.language == "fr" and config.shop.sound is False
    mpesa = config.section("mpesa", MpesaConfig)
    assert mpesa.transaction_type == "CustomerBuyGoodsOnline"
    assert mpesa.party_b == "600100"
    # Untouched keys are not written out as defaults.
    assert "approval_timeout_seconds" not in text and "[mtn]" not in text


@pytest.mark.parametrize(
    ("section", "key", "typed", "said"),
    [
        ("shop", "timezone", "Africa/Atlantis", "not a known time zone"),
        ("shop", "quick_amounts", "500, lots", "lots is not a number"),
        ("mpesa", "shortcode", "17 43", "digits only"),
        ("mtn", "base_url", "ftp://example.com", "http(s) URL"),
    ],
)
def test_a_bad_setting_is_explained_and_nothing_is_saved(
    qtbot: QtBot,
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    section: str,
    key: str,
    typed: str,
    said: str,
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(OWNER_FILE, encoding="utf-8")
    dialog = dialog_for(qtbot, path)
    field(dialog, "shop", "name").setText("Renamed")
    field(dialog, section, key).setText(typed)
    dialog.secrets.fields[mtn_secrets.API_KEY].setText("typed-key")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert said in dialog.outcome.text()
    assert path.read_text(encoding="utf-8") == OWNER_FILE
    assert memory_keyring.store == {}  # the secrets wait for a valid save
    assert field(dialog, section, key).text() == typed  # the owner can correct it


def test_secrets_go_to_the_keyring_only(
    qtbot: QtBot, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    path = tmp_path / "config.toml"
    dialog = dialog_for(qtbot, path, SecretStore(environ={"MPESA_PASSKEY": "from-env"}))
    secret = dialog.secrets.fields[mtn_secrets.API_KEY]
    assert secret.echoMode() == QLineEdit.EchoMode.Password
    assert "overrides" in dialog.secrets.fields[mpesa_secrets.PASSKEY].placeholderText()
    qtbot.keyClicks(secret, "s3cret-api-key")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert memory_keyring.store[(SERVICE, "mtn.api_key")] == "s3cret-api-key"
    assert secret.text() == ""  # not kept in the widget
    assert "stored in the keyring" in secret.placeholderText()
    assert "s3cret" not in dialog.outcome.text() and "API key" in dialog.outcome.text()
    assert not path.exists()  # no setting changed, no config file written


def test_without_a_keyring_nothing_can_be_typed(qtbot: QtBot, tmp_path: Path) -> None:
    store = SecretStore(environ={}, backend=fail.Keyring())
    dialog = dialog_for(qtbot, tmp_path / "config.toml", store)
    assert "No secure keyring" in dialog.secrets.keyring_note.text()
    assert not any(secret.isEnabled() for secret in dialog.secrets.fields.values())
    assert not dialog.provision_buttons["mtn"].isEnabled()


def test_connection_test_uses_the_form_and_the_stored_credentials(
    qtbot: QtBot,
    tmp_path: Path,
    loop: asyncio.AbstractEventLoop,
    memory_keyring: MemoryKeyring,
    server: ThreadedServer,
) -> None:
    store = SecretStore(environ={})
    for name, value in (
        (mtn_secrets.API_USER, demo.MTN_API_USER),
        (mtn_secrets.API_KEY, "wrong"),
        (mtn_secrets.SUBSCRIPTION_KEY, demo.MTN_SUBSCRIPTION_KEYS["collection"]),
    ):
        store.set(name, value)
    dialog = dialog_for(qtbot, tmp_path / "config.toml", store)
    field(dialog, "mtn", "base_url").setText(server.url)  # tested before it is saved
    field(dialog, "mpesa", "base_url").setText(server.url)
    finish(loop, dialog, dialog.test_connection)
    text = dialog.outcome.text()
    assert "mtn: MTN refused the collection API user or API key" in text
    assert "mpesa: M-Pesa is not set up" in text
    store.set(mtn_secrets.API_KEY, demo.MTN_API_KEY)
    finish(loop, dialog, dialog.test_connection)
    assert "mtn: reachable, credentials accepted" in dialog.outcome.text()


def test_mtn_sandbox_credentials_are_provisioned_into_the_keyring(
    qtbot: QtBot,
    tmp_path: Path,
    loop: asyncio.AbstractEventLoop,
    memory_keyring: MemoryKeyring,
    server: ThreadedServer,
) -> None:
    dialog = dialog_for(qtbot, tmp_path / "config.toml")
    field(dialog, "mtn", "base_url").setText(server.url)
    qtbot.mouseClick(dialog.provision_buttons["mtn"], Qt.MouseButton.LeftButton)
    assert "subscription key" in dialog.outcome.text()  # asked for first, nothing sent
    assert dialog.tabs.currentWidget() is dialog.secrets
    subscription = demo.MTN_SUBSCRIPTION_KEYS["collection"]
    dialog.secrets.fields[mtn_secrets.SUBSCRIPTION_KEY].setText(subscription)
    provision = dialog.provision_buttons["mtn"]
    finish(loop, dialog, lambda: qtbot.mouseClick(provision, Qt.MouseButton.LeftButton))
    user = memory_keyring.store[(SERVICE, "mtn.api_user")]
    assert f"API user {user} created" in dialog.outcome.text()
    assert memory_keyring.store[(SERVICE, "mtn.subscription_key")] == subscription
    api_key = memory_keyring.store[(SERVICE, "mtn.api_key")]
    assert api_key and api_key not in dialog.outcome.text()
    # The new credentials work: the connection test gets a token with them.
    finish(loop, dialog, dialog.test_connection)
    assert "mtn: reachable, credentials accepted" in dialog.outcome.text()
    # Production has no provisioning.
    environment = combo(dialog, "mtn", "environment")
    environment.setCurrentIndex(environment.findData("production"))
    assert not dialog.provision_buttons["mtn"].isEnabled()


def test_the_second_backup_folder_sits_next_to_the_first_and_is_saved(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(OWNER_FILE + f"\n[backup]\nfolder = '{tmp_path / 'disk'}'\n", encoding="utf-8")
    dialog = dialog_for(qtbot, path)
    first, second = field(dialog, "backup", "folder"), field(dialog, "backup", "second_folder")
    assert first.text() == str(tmp_path / "disk") and second.text() == ""
    page = first.parentWidget()
    assert page is not None
    form = page.layout()
    assert isinstance(form, QFormLayout)
    items = [form.itemAt(row, QFormLayout.ItemRole.FieldRole) for row in range(form.rowCount())]
    rows = [item.widget() if item is not None else None for item in items]
    assert rows.index(second) == rows.index(first) + 1
    assert "USB stick" in second.placeholderText()
    second.setText(str(tmp_path / "usb"))
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    backup = load_config(path, registry.config_sections()).backup
    assert backup.effective_folders == [tmp_path / "disk", tmp_path / "usb"]
    assert path.read_text(encoding="utf-8").startswith("# Mama Rose's till: keep this comment")
