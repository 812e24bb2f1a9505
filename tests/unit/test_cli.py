from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pos_app import __version__
from pos_app.cli.main import build_parser, is_demo, main
from pos_app.platform.config import Config
from pos_app.platform.credentials import SecretName, SecretStore
from pos_app.providers import registry
from pos_app.providers.mpesa.settings import MpesaConfig
from pos_app.providers.mpesa.spec import SPEC as MPESA
from pos_app.providers.mtn.settings import MtnConfig
from pos_app.providers.mtn.spec import SPEC as MTN
from pos_app.providers.spec import ProviderCommand
from tests.testpay import registered

MTN_SECRETS = MTN.required_secrets()
MPESA_SECRETS = MPESA.required_secrets()


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pos_app", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"pos-app {__version__}"
    assert __version__ != "0.0.0+unknown"


def test_help_lists_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert (
        "usage: pos-app" in result.stdout and "gui" in result.stdout and "--demo" in result.stdout
    )
    assert "--smoke-test" not in result.stdout
    # The providers' own commands are offered beside pos-app's, each with its spec's help.
    assert "mtn-setup" in result.stdout and "create MTN sandbox credentials" in result.stdout
    # pos-app's own words name no provider: those come from the specs.
    description = result.stdout.split("commands:")[0]
    assert "Point of sale for mobile-money payments." in description
    assert "MTN" not in description and "M-Pesa" not in description


@pytest.mark.parametrize("args", [["--bogus"], ["frobnicate"], ["--config"]])
def test_bad_arguments_exit_2_with_usage(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: pos-app")


def test_bad_config_exits_4_and_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[shop]\ncountry = 'ZZ'\n")
    assert main(["--config", str(path)]) == 4
    result = run("--config", str(path))
    assert result.returncode == 4
    assert "shop.country" in result.stderr and str(path) in result.stderr


def test_window_opens_under_qasync_and_creates_a_private_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = run(
        "--smoke-test", env={"QT_QPA_PLATFORM": "offscreen", "POS_APP_DATA_DIR": str(data)}
    )
    assert result.returncode == 0, result.stderr
    assert "window shown in" in result.stdout and "DEMO" in result.stdout
    assert "icon ok" in result.stdout
    db = data / "demo" / "pos-app.sqlite3"  # demo mode (no credentials): the demo's own file
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    # The real database holds the owner's PIN and log for both worlds, and no demo payment.
    live = sqlite3.connect(data / "pos-app.sqlite3")
    try:
        assert live.execute("SELECT count(*) FROM payments").fetchone() == (0,)
    finally:
        live.close()


def test_damaged_database_is_reported_not_overwritten(tmp_path: Path) -> None:
    data = tmp_path / "data" / "demo"
    data.mkdir(parents=True)
    (data / "pos-app.sqlite3").write_bytes(b"garbage" * 1000)
    result = run(
        "--smoke-test",
        env={"QT_QPA_PLATFORM": "offscreen", "POS_APP_DATA_DIR": str(data.parent)},
    )
    assert result.returncode == 1
    assert "damaged" in result.stderr
    assert (data / "pos-app.sqlite3").read_bytes() == b"garbage" * 1000


def test_demo_mode_unless_an_enabled_provider_has_credentials() -> None:
    mtn_env = {n.env_var: "x" for n in MTN_SECRETS}
    mpesa_env = {n.env_var: "x" for n in MPESA_SECRETS}
    assert is_demo(Config(), False, SecretStore(environ={}))
    assert not is_demo(Config(), False, SecretStore(environ=mtn_env))
    assert is_demo(Config(), True, SecretStore(environ=mtn_env))
    assert is_demo(
        Config(providers={"mtn": MtnConfig(enabled=False)}), False, SecretStore(environ=mtn_env)
    )
    assert not is_demo(
        Config(providers={"mpesa": MpesaConfig(enabled=True)}),
        False,
        SecretStore(environ=mpesa_env),
    )


def test_parser_defaults_to_the_window() -> None:
    args = build_parser().parse_args([])
    assert args.command is None and not args.demo


def test_missing_keyring_is_reported_at_startup_but_not_in_demo_mode(tmp_path: Path) -> None:
    env = {
        "QT_QPA_PLATFORM": "offscreen",
        "POS_APP_DATA_DIR": str(tmp_path),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    demo = run("--smoke-test", env=env)
    assert demo.returncode == 0, demo.stderr
    assert "keyring" not in demo.stderr  # demo mode needs no secret: nothing to say
    live = run(
        "--smoke-test",
        env={
            **env,
            **{n.env_var: "x" for n in MTN_SECRETS},
            "MTN_MOMO_BASE_URL": "http://127.0.0.1:9",  # nothing is sent by a smoke test
        },
    )
    assert live.returncode == 0, live.stderr
    assert "No secure keyring" in live.stderr and "MTN_MOMO_API_KEY" in live.stderr


TEST_KEY = SecretName("testpay.key", "TESTPAY_KEY", "Key")


@pytest.fixture
def third_provider() -> Iterator[list[tuple[str, Config, Any]]]:
    """A provider defined here, with a command of its own: pos-app offers and runs it."""
    ran: list[tuple[str, Config, Any]] = []

    def add_arguments(parser: Any) -> None:
        parser.add_argument("--shop-code", required=True)

    def setup(args: Any, config: Config, store: Any) -> int:
        ran.append((args.shop_code, config, store))
        return 7

    command = ProviderCommand("testpay-setup", "make Test Pay's sandbox keys", add_arguments, setup)
    spec = replace(
        MTN,
        id="testpay",
        name="Test Pay",
        short_name="TestPay",
        networks=("testpay",),
        secrets=(TEST_KEY,),
        commands=(command,),
        provisioning=None,
    )
    with registered(spec):
        yield ran


def test_a_registered_providers_command_is_offered_and_run(
    third_provider: list[tuple[str, Config, Any]],
) -> None:
    text = build_parser().format_help()
    assert "testpay-setup" in text and "make Test Pay's sandbox keys" in text
    assert "mtn-setup" in text  # the built-in providers' commands stay
    assert main(["testpay-setup", "--shop-code", "42"]) == 7
    [(code, config, store)] = third_provider
    assert code == "42" and isinstance(config, Config)
    # Its secret store knows every installed provider's secrets (its messages name them).
    assert isinstance(store, SecretStore)
    assert TEST_KEY in store.names and set(MTN.secrets) <= set(store.names)
    charge = ["charge", "--provider", "testpay", "--amount", "1", "--phone", "1"]
    assert build_parser().parse_args(charge).provider == "testpay"
    assert build_parser().parse_args(["receipts", "--provider", "testpay"]).provider == "testpay"


def test_the_built_in_setup_command_is_dispatched(capsys: pytest.CaptureFixture[str]) -> None:
    # No subscription key and no terminal to type it: refused, as before the commands moved.
    assert main(["mtn-setup"]) == 4
    assert "MTN_MOMO_SUBSCRIPTION_KEY" in capsys.readouterr().err


def test_a_charge_offers_every_installed_provider() -> None:
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args(
            ["charge", "--provider", "nobody", "--amount", "1", "--phone", "1"]
        )
    assert caught.value.code == 2
    for provider in registry.ids():
        args = build_parser().parse_args(
            ["charge", "--provider", provider, "--amount", "1", "--phone", "1"]
        )
        assert args.provider == provider
