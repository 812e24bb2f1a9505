"""`pos-app mpesa-c2b-urls`: the hub's URLs for customers' own payments, registered with
Daraja (the simulator) for the shop's number; a second registration where Daraja takes one
only is a clear configuration error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app.cli.main import main
from pos_app.platform.credentials import HUB_CALLBACKS, SERVICE
from pos_app.sandbox import demo
from pos_app.sandbox.app import create_app
from pos_app.sandbox.mpesa import MpesaSandboxSettings, MpesaSimulator
from pos_app.sandbox.server import ThreadedServer
from tests.conftest import MemoryKeyring

HUB = "https://hub.example.com/callbacks"
URLS = {
    "daraja/stk": f"{HUB}/daraja/stk/{'a' * 64}",
    "daraja/c2b/confirmation": f"{HUB}/daraja/c2b/confirmation/{'b' * 64}",
    "daraja/c2b/validation": f"{HUB}/daraja/c2b/validation/{'c' * 64}",
}


@pytest.fixture
def daraja(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> Iterator[MpesaSimulator]:
    sim = MpesaSimulator(MpesaSandboxSettings(register_once=True))
    with ThreadedServer(create_app(None, sim)) as server:
        config = tmp_path / "pos-app.toml"
        config.write_text(
            f'[shop]\ncountry = "KE"\n[mpesa]\nenvironment = "sandbox"\n'
            f'base_url = "{server.url}"\nshortcode = "{demo.MPESA_SHORTCODE}"\n'
        )
        monkeypatch.setenv("POS_APP_CONFIG", str(config))
        monkeypatch.setenv("MPESA_CONSUMER_KEY", demo.MPESA_CONSUMER_KEY)
        monkeypatch.setenv("MPESA_CONSUMER_SECRET", demo.MPESA_CONSUMER_SECRET)
        monkeypatch.setenv("MPESA_PASSKEY", demo.MPESA_PASSKEY)
        yield sim


def test_the_hub_urls_are_registered_once(
    daraja: MpesaSimulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    memory_keyring.store[(SERVICE, HUB_CALLBACKS.value)] = json.dumps(URLS)
    assert main(["mpesa-c2b-urls"]) == 0
    registered = daraja.c2b_urls[demo.MPESA_SHORTCODE]
    assert registered.confirmation_url == URLS["daraja/c2b/confirmation"]
    assert registered.response_type == "Completed"
    capsys.readouterr()
    assert main(["mpesa-c2b-urls"]) == 4
    assert "already" in capsys.readouterr().err


def test_without_a_hub_nothing_is_registered(
    daraja: MpesaSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["mpesa-c2b-urls"]) == 4
    assert "pos-app link" in capsys.readouterr().err
    assert daraja.c2b_urls == {}
