from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from pos_app.config import Config, MpesaConfig, MtnConfig
from pos_app.credentials import SERVICE, SecretName, SecretStore
from pos_app.sandbox import demo
from pos_app.sandbox.app import create_app
from pos_app.sandbox.server import ThreadedServer
from pos_app.ui.settings import SecretsDialog
from tests.conftest import MemoryKeyring


@pytest.fixture
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(create_app()) as running:
        yield running


def test_secrets_go_to_the_keyring_only(qtbot: QtBot, memory_keyring: MemoryKeyring) -> None:
    dialog = SecretsDialog(Config(), SecretStore(environ={"MPESA_PASSKEY": "from-env"}))
    qtbot.addWidget(dialog)
    field = dialog.fields[SecretName.MTN_API_KEY]
    assert field.echoMode() == QLineEdit.EchoMode.Password
    assert "overrides" in dialog.fields[SecretName.MPESA_PASSKEY].placeholderText()
    qtbot.keyClicks(field, "s3cret-api-key")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert memory_keyring.store[(SERVICE, "mtn.api_key")] == "s3cret-api-key"
    assert field.text() == ""  # not kept in the widget
    assert "stored in the keyring" in field.placeholderText()
    assert "s3cret" not in dialog.outcome.text() and "API key" in dialog.outcome.text()


def test_without_a_keyring_nothing_can_be_typed(qtbot: QtBot) -> None:
    dialog = SecretsDialog(Config(), SecretStore(environ={}, backend=fail.Keyring()))
    qtbot.addWidget(dialog)
    assert "No secure keyring" in dialog.keyring_note.text()
    assert not dialog.save_button.isEnabled()
    assert not any(field.isEnabled() for field in dialog.fields.values())


def test_connection_test_uses_the_stored_credentials(
    qtbot: QtBot,
    loop: asyncio.AbstractEventLoop,
    memory_keyring: MemoryKeyring,
    server: ThreadedServer,
) -> None:
    config = Config(mtn=MtnConfig(base_url=server.url), mpesa=MpesaConfig(base_url=server.url))
    store = SecretStore(environ={})
    for name, value in (
        (SecretName.MTN_API_USER, demo.MTN_API_USER),
        (SecretName.MTN_API_KEY, "wrong"),
        (SecretName.MTN_SUBSCRIPTION_KEY, demo.MTN_SUBSCRIPTION_KEYS["collection"]),
    ):
        store.set(name, value)
    dialog = SecretsDialog(config, store)
    qtbot.addWidget(dialog)
    dialog.test_connection()
    assert dialog._task is not None
    loop.run_until_complete(dialog._task)
    text = dialog.outcome.text()
    assert "mtn: MTN refused the collection API user or API key" in text
    assert "mpesa: M-Pesa is not set up" in text
    store.set(SecretName.MTN_API_KEY, demo.MTN_API_KEY)
    dialog.test_connection()
    loop.run_until_complete(dialog._task)
    assert "mtn: reachable, credentials accepted" in dialog.outcome.text()
