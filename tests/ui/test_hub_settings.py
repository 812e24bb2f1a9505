"""The settings' Hub tab (an owner's action): linking this till with its one-time code, and
sending customers' own payments to the shop's number to the hub."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from pos_app.platform.config import load_config
from pos_app.platform.credentials import HUB_CALLBACKS, HUB_KEY, SERVICE, SecretStore
from pos_app.providers import registry
from pos_app.sandbox import demo
from pos_app.sandbox.app import create_app
from pos_app.sandbox.mpesa import MpesaSandboxSettings, MpesaSimulator
from pos_app.sandbox.server import ThreadedServer
from pos_app.ui.settings import SettingsDialog
from tests.conftest import MemoryKeyring
from tests.hub.conftest import Hub, database_url, hub, hub_factory  # noqa: F401
from tests.hub.test_link_command import _code


@pytest.fixture
def daraja() -> Iterator[tuple[MpesaSimulator, ThreadedServer]]:
    sim = MpesaSimulator(MpesaSandboxSettings())
    with ThreadedServer(create_app(None, sim)) as server:
        yield sim, server


def test_link_then_send_customer_payments_to_the_hub(
    qtbot: QtBot,
    loop: asyncio.AbstractEventLoop,
    hub: Hub,  # noqa: F811
    memory_keyring: MemoryKeyring,
    daraja: tuple[MpesaSimulator, ThreadedServer],
    tmp_path: Path,
) -> None:
    sim, server = daraja
    path = tmp_path / "pos-app.toml"
    path.write_text(
        f'[shop]\ncountry = "KE"\n[mpesa]\nenvironment = "sandbox"\nbase_url = "{server.url}"\n'
        f'shortcode = "{demo.MPESA_SHORTCODE}"\n'
    )
    store = SecretStore()
    for name, value in (
        ("mpesa.consumer_key", demo.MPESA_CONSUMER_KEY),
        ("mpesa.consumer_secret", demo.MPESA_CONSUMER_SECRET),
        ("mpesa.passkey", demo.MPESA_PASSKEY),
    ):
        memory_keyring.store[(SERVICE, name)] = value
    dialog = SettingsDialog(load_config(path, registry.config_sections()), path, store)
    qtbot.addWidget(dialog)
    panel = dialog.hub
    register = panel.register_buttons["mpesa"]
    assert "Not linked" in panel.state.text()
    assert not register.isEnabled()  # nothing to register before the till is linked

    panel.url.setText(hub.url)
    panel.code.setText("AAAA-BBBB-CCCC-DDDD")  # mistyped
    panel.link()
    assert panel._task is not None
    loop.run_until_complete(panel._task)
    assert "refused" in panel.outcome.text()
    assert (SERVICE, HUB_KEY.value) not in memory_keyring.store

    panel.code.setText(_code(hub))
    panel.link()
    loop.run_until_complete(panel._task)
    assert "Linked as till Till 7 of Duka" in panel.outcome.text()
    assert panel.code.text() == ""
    assert memory_keyring.store[(SERVICE, HUB_KEY.value)].startswith("till_")
    assert json.loads(memory_keyring.store[(SERVICE, HUB_CALLBACKS.value)]) == hub.callback_urls
    assert load_config(path, registry.config_sections()).hub.url == hub.url

    assert register.isEnabled()
    register.click()
    loop.run_until_complete(panel._task)
    assert "now reach the hub" in panel.outcome.text()
    registered = sim.c2b_urls[demo.MPESA_SHORTCODE]
    assert registered.confirmation_url == hub.callback_urls["daraja/c2b/confirmation"]
